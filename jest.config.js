/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Slow suites run as scripts of their own (jest.slow.config.js): test/22 `npm run test:kernels`,
  // test/53 `npm run test:soak`.
  testPathIgnorePatterns: ['/node_modules/', '/test/22\\.', '/test/53\\.'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  testTimeout: 120000,
  // The native addon spawns its own threads; 2 jest workers suit a 2-core machine.
  maxWorkers: 2,
};
