#!/usr/bin/env node
'use strict';
// Probe for issue 10 (logScan against the loop over many seeds): the ratio of logScan's max mixed
// error to the loop's, both on the same logs (the loop on e^l, log x of its results; yardstick of
// log-accuracy-logs.js), a ~ U(0,1), b ~ U(0,3), for seeds s·7919, s = 1..S; prints min, median,
// max and how many are above 1. bench/NOTES.md, session 6.
//   LINREC_PREBUILT=0 node bench/probes/log-accuracy-seeds.js [linrec dir=.] [n=1e5] [S=40] [dtype=float64]
const path = require('path');
const { referenceFromLogs, mixedErrorOfLogs } = require('../../dist/yardstick');
const L = require(path.resolve(process.argv[2] ?? '.'));
const n = Number(process.argv[3] ?? 1e5),
  seeds = Number(process.argv[4] ?? 40);
const C = process.argv[5] === 'float32' ? Float32Array : Float64Array;
const ratios = [];
for (let s = 1; s <= seeds; s++) {
  let seed = s * 7919;
  const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) + 0.5) / 4294967296;
  const la = new C(n),
    lb = new C(n + 1);
  for (let i = 0; i < n; i++) la[i] = Math.log(rnd());
  for (let i = 0; i <= n; i++) lb[i] = Math.log(3 * rnd());
  const ref = referenceFromLogs(la, lb);
  const loop = mixedErrorOfLogs(L.sequential(la.map(Math.exp), lb.map(Math.exp)).map(Math.log), ref);
  ratios.push(mixedErrorOfLogs(L.logScan(la, lb).logAbs, ref) / loop);
}
ratios.sort((p, q) => p - q);
console.log(
  `${C.name} n=${n} seeds=${seeds}: logScan ÷ loop min ${ratios[0].toFixed(2)} median ${ratios[ratios.length >> 1].toFixed(2)} max ${ratios[ratios.length - 1].toFixed(2)}; above 1: ${ratios.filter((r) => r > 1).length}`,
);
