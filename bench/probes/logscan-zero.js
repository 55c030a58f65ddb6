#!/usr/bin/env node
'use strict';
// Repro of an open logScan bug (bench/NOTES.md, session 7): signed float32 logs, coefficients
// ~ U(0,1) with 30% negative signs, and one exact cancellation planted at step t (x_t = e^-270·x + 1
// = 1 in double, then x_t+1 = -1·1 + 1 = 0). log|x_t+1| should be -Infinity (as the general path
// and the 'exact cancellation' test give); for some seeds and places it is -709.09, log 0 taken
// by the plain path's output log (logOfNormal of 0), on main as on this branch.
//   LINREC_PREBUILT=0 node bench/probes/logscan-zero.js [linrec dir=.]
const path = require('path');
const L = require(path.resolve(process.argv[2] ?? '.'));
let failures = 0;
for (let seed = 1; seed <= 40; seed++) {
  let s = seed;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const n = 20000;
  const la = new Float32Array(n).map(() => Math.log(rnd())),
    lb = new Float32Array(n + 1).map(() => Math.log(3 * rnd()));
  const sa = Int8Array.from(la, () => (rnd() < 0.3 ? -1 : 1)),
    sb = Int8Array.from(lb, () => (rnd() < 0.3 ? -1 : 1));
  const t = 10000;
  [la[t - 1], sa[t - 1], lb[t], sb[t]] = [-270, 1, 0, 1];
  [la[t], sa[t], lb[t + 1], sb[t + 1]] = [0, -1, 0, 1];
  const out = L.logScan({ logAbs: la, sign: sa }, { logAbs: lb, sign: sb }, { threads: 1 });
  if (out.logAbs[t + 1] !== -Infinity) {
    failures++;
    if (failures <= 3) console.log(`seed ${seed}: log|x_${t + 1}| = ${out.logAbs[t + 1]} (sign ${out.sign[t + 1]}), expected -Infinity`);
  }
}
console.log(`${failures} of 40 seeds wrong`);
