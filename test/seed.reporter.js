// A jest reporter that says how to replay a failure: this run's LINREC_SEED (test/seed.ts) and,
// for a fast-check property, its path: a command per failing file, and one per failing property.
const path = require('path');

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const shellQuote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;

class SeedReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunStart() {
    process.stderr.write(`linrec: randomized tests use LINREC_SEED=${process.env.LINREC_SEED}\n`);
  }

  onRunComplete(_contexts, results) {
    const seed = process.env.LINREC_SEED;
    const lines = [];
    // What selects the build and the workload under test travels with the command.
    const build = ['LINREC_ADDON', 'LINREC_EMULATED_DEVICES', 'LINREC_PROPERTY_RUNS']
      .filter((k) => process.env[k])
      .map((k) => `${k}=${shellQuote(process.env[k])}`);
    for (const file of results.testResults) {
      const failed = file.testResults.filter((t) => t.status === 'failed');
      if (!file.testExecError && !failed.length) continue;
      const rel = path.relative(this.rootDir, file.testFilePath);
      // The whole file: tests that share one stream across the file (test/30-32) need it.
      lines.push(`  ${[`LINREC_SEED=${seed}`, ...build].join(' ')} npx jest ${rel}`);
      // A fast-check property alone, straight to its shrunk counterexample.
      for (const t of failed) {
        const fcPath = /seed: -?\d+, path: "([\d:]+)"/.exec(t.failureMessages.join('\n'));
        if (!fcPath) continue;
        const env = [`LINREC_SEED=${seed}`, `LINREC_FC_PATH=${fcPath[1]}`, ...build].join(' ');
        lines.push(`  ${env} npx jest ${rel} -t ${shellQuote(`^${escapeRegExp(t.fullName)}$`)}`);
      }
    }
    if (lines.length) process.stderr.write(`\nlinrec: replay the failures with the same seed (README, Testing):\n${lines.join('\n')}\n`);
  }
}

module.exports = SeedReporter;
