#!/usr/bin/env node
'use strict';
// `npm run bench`: the CPU benchmark. The throughput and accuracy tables (bench/harness.js; CUDA
// rows excluded even where a GPU is usable, the GPU bench adds them), then the cases of issue 10
// (bench/lib/calls.js: small calls, short rows, pushes, async, fresh results, log methods,
// 1 thread, the seed recipe in PyTorch). Prints markdown to stdout, progress to stderr, and writes
// bench/results/cpu.json, cpu.md, throughput.svg, accuracy.svg and calls.json.
// `npm run bench:readme` then copies cpu.md into the README (bench/readme.js).
// Options: --quick (smoke test: sizes up to 10^6, fewer runs), --calls-only, --no-calls,
// --seed N, --help; see NOTES.md.
const fs = require('fs');
const path = require('path');

const argv = process.argv.slice(2);
const callsOnly = argv.includes('--calls-only');
const noCalls = argv.includes('--no-calls');
const harnessArgs = argv.filter((a) => a !== '--calls-only' && a !== '--no-calls');
const quick = argv.includes('--quick') || !!process.env.LINREC_BENCH_QUICK;

async function run() {
  // --out DIR or --out=DIR, as the harness takes it.
  const outIndex = harnessArgs.findIndex((a) => a === '--out' || a.startsWith('--out='));
  const outArg = outIndex < 0 ? undefined : harnessArgs[outIndex].startsWith('--out=') ? harnessArgs[outIndex].slice(6) : harnessArgs[outIndex + 1];
  const outDir = outArg !== undefined ? path.resolve(outArg) : path.join(__dirname, 'results');
  if (!callsOnly) {
    const doc = await require('./harness').main({ name: 'cpu', argv: harnessArgs, defaults: { gpu: false } });
    if (!doc) return; // --help
  }
  if (noCalls) return;
  const { runCalls, callsMarkdown } = require('./lib/calls');
  process.stderr.write('issue-10 cases:\n');
  const result = await runCalls({ quick, log: (s) => process.stderr.write(`${s}\n`) });
  const md = callsMarkdown(result);
  process.stdout.write(`\n${md}`);
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'calls.json'), `${JSON.stringify({ quick, date: new Date().toISOString(), ...result }, null, 1)}\n`);
  const cpuMd = path.join(outDir, 'cpu.md');
  if (!callsOnly && fs.existsSync(cpuMd)) fs.appendFileSync(cpuMd, `\n${md}`);
}

run().catch((e) => {
  process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
