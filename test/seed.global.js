// jest globalSetup: fixes this run's seed (test/seed.ts) before any worker starts, so every
// test file sees the same one; LINREC_SEED given from outside is kept (a replay).
const { randomInt } = require('crypto');

module.exports = () => {
  if (!process.env.LINREC_SEED) process.env.LINREC_SEED = String(randomInt(2 ** 31));
};
