#!/usr/bin/env node
'use strict';
// logScan forward and reverse of two builds (package folders, as log-ab.js), A and B, in one
// process: real logs (a ~ U(0,1), b ~ U(0,3)) or, with SIGNED=1, 30% negative signs; `out`
// preallocated; A forward, A reverse, B forward, B reverse alternating round by round. Prints per
// size the medians of ns a step, B ÷ A per direction (median of per-round ratios), reverse ÷
// forward per build, and whether A and B agree bit for bit.
//   LINREC_PREBUILT=0 node bench/probes/log-reverse-ab.js <dirA> <dirB> [sizes=1e5,1e6,1e7] [threads=1] [dtype=float32]
//   env ROUNDS (15), CLOCK (cpu | wall; default cpu on one thread, wall on more), SIGNED=1
const path = require('path');
const { mulberry32 } = require('../lib/random');
const { cpuMs, nowMs, median, timeAlternating } = require('../lib/timing');

const A = require(path.resolve(process.argv[2])),
  B = require(path.resolve(process.argv[3]));
const sizes = (process.argv[4] ?? '1e5,1e6,1e7').split(',').map(Number);
const threads = Number(process.argv[5] ?? 1);
const C = process.argv[6] === 'float64' ? Float64Array : Float32Array;
const rounds = Number(process.env.ROUNDS ?? 15);
const clockName = process.env.CLOCK ?? (threads === 1 ? 'cpu' : 'wall');
const clock = clockName === 'wall' ? nowMs : cpuMs;
const signed = process.env.SIGNED === '1';
for (const n of sizes) {
  const rnd = mulberry32(33);
  const la = C.from({ length: n }, () => Math.log(rnd())),
    lb = C.from({ length: n + 1 }, () => Math.log(3 * rnd()));
  const sign = (k) => Int8Array.from({ length: k }, () => (rnd() < 0.3 ? -1 : 1));
  const a = signed ? { logAbs: la, sign: sign(n) } : la,
    b = signed ? { logAbs: lb, sign: sign(n + 1) } : lb;
  const outs = [0, 1, 2, 3].map(() => ({ logAbs: new C(n + 1), sign: new Int8Array(n + 1) }));
  const reps = Math.max(1, Math.round(2e6 / n));
  const fns = [A, B].flatMap((L, i) => [false, true].map((reverse) => () => L.logScan(a, b, { out: outs[2 * i + Number(reverse)], threads, reverse })));
  const [fA, rA, fB, rB] = timeAlternating(fns, { warmup: 1, runs: rounds, reps, clock });
  const ns = (t) => ((median(t) * 1e6) / n).toFixed(2);
  const ratio = (p, q) => median(p.map((x, k) => x / q[k])).toFixed(3);
  const same = (x, y) =>
    Buffer.compare(Buffer.from(x.logAbs.buffer), Buffer.from(y.logAbs.buffer)) === 0 &&
    Buffer.compare(Buffer.from(x.sign.buffer), Buffer.from(y.sign.buffer)) === 0;
  console.log(
    `${C.name} n=${n} threads=${threads}${signed ? ' signed' : ''} ${clockName} ${rounds}x${reps}: ns/step forward A ${ns(fA)} B ${ns(fB)} (B÷A ${ratio(fB, fA)}), reverse A ${ns(rA)} B ${ns(rB)} (B÷A ${ratio(rB, rA)}) | reverse÷forward A ${ratio(rA, fA)} B ${ratio(rB, fB)} | same bits ${same(outs[0], outs[2]) && same(outs[1], outs[3])}`,
  );
}
