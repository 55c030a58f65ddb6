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
const cpu = (f) => {
  const u = process.cpuUsage();
  f();
  const d = process.cpuUsage(u);
  return (d.user + d.system) / 1000;
};
const med = (v) => [...v].sort((x, y) => x - y)[v.length >> 1];
const L = [A, B];
const tl = [[], []],
  td = [[], []],
  ratio = [];
for (let k = 0; k <= rounds; k++) {
  const r = L.map((M, i) => [cpu(() => M.logScan(la, lb, { out: outs[i], threads })), cpu(() => M.scan(a, b, { out, threads }))]);
  if (k === 0) continue;
  r.forEach(([l, d], i) => {
    tl[i].push(l);
    td[i].push(d);
  });
  ratio.push(r[1][0] / r[0][0]);
}
const same =
  Buffer.compare(Buffer.from(outs[0].logAbs.buffer), Buffer.from(outs[1].logAbs.buffer)) === 0 &&
  Buffer.compare(Buffer.from(outs[0].sign.buffer), Buffer.from(outs[1].sign.buffer)) === 0;
console.log(
  `${signed ? 'signed ' : ''}${C.name} n=${n} threads=${threads}: CPU ms logScan A ${med(tl[0]).toFixed(1)} B ${med(tl[1]).toFixed(1)} (B÷A ${med(ratio).toFixed(3)} [${Math.min(...ratio).toFixed(2)}-${Math.max(...ratio).toFixed(2)}]), ÷ direct A ${(med(tl[0]) / med(td[0])).toFixed(2)}x B ${(med(tl[1]) / med(td[1])).toFixed(2)}x, same bits ${same}`,
);
