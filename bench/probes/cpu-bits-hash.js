#!/usr/bin/env node
'use strict';
// Hashes of CPU scans and aggregates of fixed pseudo-random rows, per data kind (float32 and
// float64; n = 10^6, 26194, 3001; forward and reverse; 3 rows; threads 1, 2 and 4 compared): run it against two
// builds (LINREC_ADDON, LINREC_CPU_ISA for the variant) to show a change kept every bit. Session 22.
// Session 24: sparse NaN kinds (missing data) last, and an optional regex of the kinds to run.
//   LINREC_ADDON=<build>/Release/linrec.node [LINREC_CPU_ISA=x86-64-v3] node bench/probes/cpu-bits-hash.js [checkout] [kindRegex]
const path = require('path');
const L = require(path.resolve(process.argv[2] ?? '.'));
const crypto = require('crypto');
const only = new RegExp(process.argv[3] ?? '.');
let seed = 11;
const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
const kinds = {
  'U(0.5,0.99)': [() => 0.5 + 0.49 * rnd(), () => rnd() - 0.5],
  'U(0,1)': [() => rnd(), () => rnd() - 0.5],
  'U(0.5,1.5)': [() => 0.5 + rnd(), () => rnd() - 0.5],
  'U(-1,1)': [() => 2 * rnd() - 1, () => rnd() - 0.5],
  '1-1e-5U': [() => 1 - 1e-5 * rnd(), () => rnd() - 0.5],
  'U(0,1) b=0': [() => rnd(), () => 0],
  'U(0,1.2)-0.1': [() => rnd() * 1.2 - 0.1, () => 2 * rnd() - 1],
  // session 23: float32 lanes of N(0, 1) coefficients end just above double's range from S
  'N(0,1)': [gauss, gauss],
  '|N(0,1)|': [() => Math.abs(gauss()), gauss],
  // growth to near float64's top (refined lanes: refineReach)
  'exp(7e-4+1e-3N)': [() => Math.exp(7e-4 + 1e-3 * gauss()), gauss],
  // session 24: sparse NaN coefficients or addends (missing data)
  'U(0,1) a NaN@1e-4': [() => (rnd() < 1e-4 ? NaN : rnd()), () => rnd() - 0.5],
  'N(0,1) a,b NaN@1e-3': [() => (rnd() < 1e-3 ? NaN : gauss()), () => (rnd() < 1e-3 ? NaN : gauss())],
};
const all = crypto.createHash('md5');
const threadsDiffer = [];
for (const [name, [fa, fb]] of Object.entries(kinds)) {
  if (!only.test(name)) continue;
  const h = crypto.createHash('md5');
  for (const C of [Float32Array, Float64Array])
    for (const [rows, n] of [
      [1, 1000000],
      [1, 26194],
      [3, 3001],
    ]) {
      const a = new C(rows * n).map(fa),
        b = new C(rows * (n + 1)).map(fb);
      for (const reverse of [false, true]) {
        const bytes = [1, 2, 4].map((threads) => {
          const x = L.scan(a, b, { rows, reverse, threads });
          return Buffer.from(x.buffer, x.byteOffset, x.byteLength);
        });
        h.update(bytes[0]);
        if (!bytes[0].equals(bytes[1]) || !bytes[0].equals(bytes[2])) threadsDiffer.push(`${name} ${C.name} n=${n}`);
      }
      const ag = L.aggregate(a, b.subarray(0, rows * n), { rows, threads: 2 });
      h.update(Buffer.from(ag.A.buffer, ag.A.byteOffset, ag.A.byteLength));
      h.update(Buffer.from(ag.B.buffer, ag.B.byteOffset, ag.B.byteLength));
    }
  const d = h.digest('hex').slice(0, 8);
  all.update(d);
  console.log(`${name}: ${d}`);
}
console.log(`all: ${all.digest('hex').slice(0, 8)}; threads 1, 2, 4 differ: ${threadsDiffer.join(', ') || 'none'}`);
