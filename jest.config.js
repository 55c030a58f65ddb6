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
  // A worker that ends with nothing left open still tears down its V8 heap (180 MB after one
  // trivial test file, 135 MB of it ts-jest's type-checking TypeScript program; more after ours):
  // 0.55-0.8 s on the 2-core VM at load 5-8, past jest's default 500 ms, after which jest kills it
  // and prints "A worker process has failed to exit gracefully" (perf: Heap::TearDown's munmaps).
  // A worker that a leak holds open is still killed, and reported, 10 s after the run.
  workerGracefulExitTimeout: 10_000,
};
