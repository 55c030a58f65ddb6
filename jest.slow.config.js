// The suites kept out of `npm test` (jest.config.js) for their time, each run by a script of its
// own and by CI (.ci/run): `npm run test:kernels` (test/22, what nvcc makes of the CUDA kernels:
// minutes of compiling) and `npm run test:soak` (test/53, memory over 3,000 calls: about a minute).
/** @type {import('jest').Config} */
module.exports = { ...require('./jest.config'), testPathIgnorePatterns: ['/node_modules/'] };
