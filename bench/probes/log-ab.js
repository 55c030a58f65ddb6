#!/usr/bin/env node
'use strict';
// Two builds of linrec (package folders, as for one-thread-ab.js), A and B, in one process:
// logScan of real logs (a ~ U(0,1), b ~ U(0,3), float32, out preallocated) and scan 'direct' on
// the same data, alternating A and B round by round; prints medians of logScan ÷ direct per build,
// B's logScan time ÷ A's, and whether A and B agree bit for bit.
//   LINREC_PREBUILT=0 node bench/probes/log-ab.js <dirA> <dirB> [n=1e7] [rounds=9] [threads=2] [dtype=float32]
const path = require('path');
const A = require(path.resolve(process.argv[2])),
  B = require(path.resolve(process.argv[3]));
const n = Number(process.argv[4] ?? 1e7),
  rounds = Number(process.argv[5] ?? 9),
  threads = Number(process.argv[6] ?? 2),
  C = process.argv[7] === 'float64' ? Float64Array : Float32Array;
const { mulberry32 } = require('../lib/random');
const { median, timeAlternating } = require('../lib/timing');
const rnd = mulberry32(32);
const a = new C(n).map(() => rnd()),
  b = new C(n + 1).map(() => 3 * rnd());
const la = a.map(Math.log),
  lb = b.map(Math.log);
const out = new C(n + 1);
const outs = [A, B].map(() => ({ logAbs: new C(n + 1), sign: new Int8Array(n + 1) }));
// Per round: A's scan and logScan, then B's.
const [tdA, tlA, tdB, tlB] = timeAlternating(
  [A, B].flatMap((L, i) => [() => L.scan(a, b, { out, threads }), () => L.logScan(la, lb, { out: outs[i], threads })]),
  { warmup: 1, runs: rounds },
);
const t = [tlA, tlB];
const r = [tlA.map((l, k) => l / tdA[k]), tlB.map((l, k) => l / tdB[k])];
const ab = tlB.map((l, k) => l / tlA[k]);
const same =
  Buffer.compare(Buffer.from(outs[0].logAbs.buffer), Buffer.from(outs[1].logAbs.buffer)) === 0 &&
  Buffer.compare(Buffer.from(outs[0].sign.buffer), Buffer.from(outs[1].sign.buffer)) === 0;
console.log(
  `${C.name} n=${n} threads=${threads} rounds=${rounds}: logScan ÷ direct A ${median(r[0]).toFixed(2)}x B ${median(r[1]).toFixed(2)}x | logScan ms A ${median(t[0]).toFixed(1)} B ${median(t[1]).toFixed(1)}, B ÷ A ${median(ab).toFixed(3)} [${Math.min(...ab).toFixed(2)}-${Math.max(...ab).toFixed(2)}] | same bits ${same}`,
);
