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
  // One seed per run for every randomized test, printed with a replay command on failure
  // (test/seed.ts; README, Testing).
  globalSetup: '<rootDir>/test/seed.global.js',
  setupFiles: ['<rootDir>/test/seed.ts'],
  reporters: ['default', '<rootDir>/test/seed.reporter.js'],
  // The native addon spawns its own threads; 2 jest workers suit a 2-core machine.
  maxWorkers: 2,
};
