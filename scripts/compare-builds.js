#!/usr/bin/env node
// Times two builds of the addon against each other on the same inputs, alternating processes
// (A, B, A, B, ...) so that load changes hit both alike: median ms per call of scan (direct,
// float32 and float64; log, float32) at each size, and the ratio B / A. Results must be bitwise
// equal across builds of the same instruction set; the script reports whether they are.
//   node scripts/compare-builds.js A/linrec.node B/linrec.node [rounds=5]
'use strict';
const { execFileSync } = require('child_process');
const path = require('path');

const [fileA, fileB, roundsArg] = process.argv.slice(2);
if (!fileB) {
  console.error('usage: node scripts/compare-builds.js A/linrec.node B/linrec.node [rounds]');
  process.exit(2);
}
const rounds = Number(roundsArg ?? 5);
const cases = [
  ['direct f32', 'float32', 'direct', 1e6],
  ['direct f32', 'float32', 'direct', 1e7],
  ['direct f64', 'float64', 'direct', 1e6],
  ['direct f64', 'float64', 'direct', 1e7],
  ['log f32', 'float32', 'log', 1e6],
];

// One process: load the build, time each case (median of 15 calls after 3 warm-up calls).
const child = `
const linrec = require(${JSON.stringify(path.join(__dirname, '..', 'dist', 'index.js'))});
const crypto = require('crypto');
const out = {};
for (const [label, dtype, method, n] of ${JSON.stringify(cases)}) {
  const C = dtype === 'float32' ? Float32Array : Float64Array;
  let s = 12345;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const a = C.from({ length: n }, rnd), b = C.from({ length: n + 1 }, rnd);
  const x = new C(n + 1);
  const times = [];
  for (let k = 0; k < 18; k++) {
    const t = process.hrtime.bigint();
    linrec.scan(a, b, { method, out: x });
    if (k >= 3) times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((p, q) => p - q);
  out[label + ' n=' + n] = { ms: times[times.length >> 1], hash: crypto.createHash('sha1').update(new Uint8Array(x.buffer)).digest('hex') };
}
console.log(JSON.stringify(out));
`;
const runs = { A: [], B: [] };
for (let r = 0; r < rounds; r++) {
  for (const [key, file] of [
    ['A', fileA],
    ['B', fileB],
  ]) {
    const env = { ...process.env, LINREC_ADDON: path.resolve(file) };
    runs[key].push(JSON.parse(execFileSync(process.execPath, ['-e', child], { env, encoding: 'utf8' })));
  }
}
const median = (v) => v.slice().sort((p, q) => p - q)[v.length >> 1];
console.log(
  `A = ${fileA}\nB = ${fileB}\n${rounds} alternating rounds; load average ${require('os')
    .loadavg()
    .map((v) => v.toFixed(1))
    .join(' ')}`,
);
console.log('case                   A ms      B ms      B/A    same bits');
for (const label of Object.keys(runs.A[0])) {
  const a = median(runs.A.map((o) => o[label].ms)),
    b = median(runs.B.map((o) => o[label].ms));
  const same = runs.A[0][label].hash === runs.B[0][label].hash;
  console.log(`${label.padEnd(22)} ${a.toFixed(3).padStart(8)}  ${b.toFixed(3).padStart(8)}  ${(b / a).toFixed(3).padStart(6)}  ${same}`);
}
