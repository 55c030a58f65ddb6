#!/usr/bin/env node
'use strict';
// `npm run bench`: the CPU benchmark (bench/harness.js), CUDA rows excluded even where a GPU is
// usable (the GPU bench adds them). Prints markdown tables to stdout, progress to stderr, and
// writes bench/results/cpu.json, cpu.md, throughput.svg and accuracy.svg.
// Options: --quick (smoke test: sizes up to 10^6, fewer runs), --seed N, --help; see NOTES.md.

const quick = process.argv.includes('--quick') || !!process.env.LINREC_BENCH_QUICK;
const customOut = process.argv.includes('--out');

require('./harness')
  .main({ name: 'cpu', defaults: { gpu: false } })
  .then(() => {
    // A full run into bench/results is the one the README shows.
    if (!quick && !customOut && !process.argv.includes('--help')) require('./readme');
  })
  .catch((e) => {
    process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
    process.exit(1);
  });
