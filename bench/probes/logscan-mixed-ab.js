#!/usr/bin/env node
'use strict';
// logScan of logs with a -inf (a zero coefficient) every 7000 steps, so that every tile is mixed
// (some input not plain), n = 10^6, one thread: CPU ms of two builds A and B (package folders),
// alternating, medians of 15 after a warm-up. Session 14: mixed tiles lane by lane, 0.44x
// (float32) and 0.46x (float64) of 4e9897f's time.
//   LINREC_PREBUILT=0 node bench/probes/logscan-mixed-ab.js <dirA> <dirB>
const path = require('path');
const A = require(path.resolve(process.argv[2])),
  B = require(path.resolve(process.argv[3]));
const { mulberry32 } = require('../lib/random');
const { cpuMs, timeAlternating } = require('../lib/timing');
const n = 1e6;
const median = (v) => [...v].sort((x, y) => x - y)[v.length >> 1];
for (const C of [Float32Array, Float64Array]) {
  const r = mulberry32(3);
  const la = C.from({ length: n }, (_, i) => (i % 7000 === 3 ? -Infinity : Math.log(0.5 + 0.5 * r())));
  const lb = C.from({ length: n + 1 }, () => Math.log(3 * r()));
  const outs = [0, 1].map(() => ({ logAbs: new C(n + 1), sign: new Int8Array(n + 1) }));
  const [ta, tb] = timeAlternating(
    [A, B].map((L, i) => () => L.logScan(la, lb, { out: outs[i], threads: 1 })),
    { warmup: 1, runs: 15, clock: cpuMs },
  );
  console.log(`${C.name}: A ${median(ta).toFixed(2)} ms, B ${median(tb).toFixed(2)} ms, B/A ${(median(tb) / median(ta)).toFixed(3)}`);
}
