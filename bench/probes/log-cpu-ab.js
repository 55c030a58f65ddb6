#!/usr/bin/env node
'use strict';
// CPU time (user + system of the process) per logScan call of two builds A and B (package
// folders, as log-ab.js), alternating, medians after one warm-up round: steadier than wall time
// on a loaded machine, where threads wait for descheduled neighbours. Inputs as log-ab.js;
// `signed` gives both inputs random signs ({ logAbs, sign }, 30% negative).
//   LINREC_PREBUILT=0 node bench/probes/log-cpu-ab.js <dirA> <dirB> [n=1e7] [rounds=9] [threads=1] [dtype=float32] [signed]
const path = require('path');
const A = require(path.resolve(process.argv[2])),
  B = require(path.resolve(process.argv[3]));
const n = Number(process.argv[4] ?? 1e7),
  rounds = Number(process.argv[5] ?? 9),
  threads = Number(process.argv[6] ?? 1);
const C = process.argv[7] === 'float64' ? Float64Array : Float32Array;
const { mulberry32 } = require('../lib/random');
const { cpuMs, median, timeAlternating } = require('../lib/timing');
const rnd = mulberry32(32);
const a = new C(n).map(() => rnd()),
  b = new C(n + 1).map(() => 3 * rnd());
const signed = process.argv[8] === 'signed';
let la = a.map(Math.log),
  lb = b.map(Math.log);
if (signed) {
  la = { logAbs: la, sign: Int8Array.from(la, () => (rnd() < 0.3 ? -1 : 1)) };
  lb = { logAbs: lb, sign: Int8Array.from(lb, () => (rnd() < 0.3 ? -1 : 1)) };
}
const outs = [0, 1].map(() => ({ logAbs: new C(n + 1), sign: new Int8Array(n + 1) }));
const out = new C(n + 1);
// Per round: A's logScan and scan, then B's.
const [tlA, tdA, tlB, tdB] = timeAlternating(
  [A, B].flatMap((L, i) => [() => L.logScan(la, lb, { out: outs[i], threads }), () => L.scan(a, b, { out, threads })]),
  { warmup: 1, runs: rounds, clock: cpuMs },
);
const tl = [tlA, tlB],
  td = [tdA, tdB];
const ratio = tlB.map((t, k) => t / tlA[k]);
const same =
  Buffer.compare(Buffer.from(outs[0].logAbs.buffer), Buffer.from(outs[1].logAbs.buffer)) === 0 &&
  Buffer.compare(Buffer.from(outs[0].sign.buffer), Buffer.from(outs[1].sign.buffer)) === 0;
console.log(
  `${signed ? 'signed ' : ''}${C.name} n=${n} threads=${threads}: CPU ms logScan A ${median(tl[0]).toFixed(1)} B ${median(tl[1]).toFixed(1)} (B÷A ${median(ratio).toFixed(3)} [${Math.min(...ratio).toFixed(2)}-${Math.max(...ratio).toFixed(2)}]), ÷ direct A ${(median(tl[0]) / median(td[0])).toFixed(2)}x B ${(median(tl[1]) / median(td[1])).toFixed(2)}x, same bits ${same}`,
);
