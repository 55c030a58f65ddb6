#!/usr/bin/env node
'use strict';
// Probe for issue 10 (logScan accuracy, like for like): a user holding logs either calls logScan
// or takes e^l of the logs, runs the sequential loop and takes log x of the results. Both are
// judged against the recurrence on the exact numbers e^l of the given logs (double-double), each
// output read back through an exact e^l (src/yardstick.ts: referenceFromLogs, mixedErrorOfLogs).
// a ~ U(0,1), b ~ U(0,3) as in the seed; max mixed error per trial, fresh inputs per trial.
//   LINREC_PREBUILT=0 node bench/probes/log-accuracy-logs.js [n=1e6] [trials=3] [seed] [linrec dir=.] [dtypes=float64,float32]
const path = require('path');
const { referenceFromLogs, mixedErrorOfLogs } = require('../../dist/yardstick');
const N = Number(process.argv[2] ?? 1e6),
  trials = Number(process.argv[3] ?? 3);
let seed = Number(process.argv[4] ?? Date.now() >>> 0);
const linrec = require(path.resolve(process.argv[5] ?? '.'));
const dtypes = (process.argv[6] ?? 'float64,float32').split(',');
console.log(`n=${N} trials=${trials} seed=${seed}`);
const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) + 0.5) / 4294967296;
const map = (xs, f, C = xs.constructor) => {
  const out = new C(xs.length);
  for (let i = 0; i < xs.length; i++) out[i] = f(xs[i]);
  return out;
};
for (const dtype of dtypes) {
  const C = dtype === 'float32' ? Float32Array : Float64Array;
  const rows = { loop: [], logScan: [] };
  for (let k = 0; k < trials; k++) {
    const la = map(new C(N), () => Math.log(rnd())),
      lb = map(new C(N + 1), () => Math.log(3 * rnd()));
    const ref = referenceFromLogs(la, lb);
    const viaLoop = map(linrec.sequential(map(la, Math.exp), map(lb, Math.exp)), Math.log);
    rows.loop.push(mixedErrorOfLogs(viaLoop, ref));
    rows.logScan.push(mixedErrorOfLogs(linrec.logScan(la, lb, { device: 'cpu' }).logAbs, ref));
  }
  const fmt = (xs) => xs.map((e) => e.toExponential(2)).join(' ');
  console.log(
    `${dtype}: loop via e^l and log [${fmt(rows.loop)}]  logScan [${fmt(rows.logScan)}]  ratio [${rows.logScan.map((e, i) => (e / rows.loop[i]).toFixed(2)).join(' ')}]`,
  );
}
