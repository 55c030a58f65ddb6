#!/usr/bin/env node
'use strict';
// Hashes of CPU scans and aggregates of fixed pseudo-random rows, per data kind (float32 and
// float64; n = 10^6, 26194, 3001; forward and reverse; 3 rows; threads 1, 2 and 4 compared): run it against two
// builds (LINREC_ADDON, LINREC_CPU_ISA for the variant) to show a change kept every bit. Session 22.
// Session 24: sparse NaN kinds (missing data) last, and an optional regex of the kinds to run.
// Session 25: x overflowing to ±inf partway (after the NaN kinds, so the hashes before still hold).
//   LINREC_ADDON=<build>/Release/linrec.node [LINREC_CPU_ISA=x86-64-v3] node bench/probes/cpu-bits-hash.js [checkout] [kindRegex]
const path = require('path');
const L = require(path.resolve(process.argv[2] ?? '.'));
const { rnd, gauss, bytesOf, hashKinds } = require('./lib/kinds-hash');
const only = new RegExp(process.argv[3] ?? '.');
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
  // session 25: x overflowing to ±inf partway (infinite carries), and such x meeting a zero
  // coefficient or an infinite addend (NaN from there: the loop's 0·inf and inf − inf)
  'N(0,2)': [() => 2 * gauss(), () => rnd() - 0.5],
  'N(0,10)': [() => 10 * gauss(), () => rnd() - 0.5],
  '1e30U': [() => 1e30 * rnd(), () => rnd() - 0.5],
  1.01: [() => 1.01, () => rnd() - 0.5],
  'U(0,1) a inf@1e-4': [() => (rnd() < 1e-4 ? Infinity : rnd()), () => rnd() - 0.5],
  'N(0,10) a 0@3e-5 b ±inf@3e-5': [() => (rnd() < 3e-5 ? 0 : 10 * gauss()), () => (rnd() < 3e-5 ? (rnd() < 0.5 ? -Infinity : Infinity) : rnd() - 0.5)],
};
hashKinds(kinds, only, ({ C, rows, n, a, b, hash, threads }) => {
  for (const reverse of [false, true]) threads(`${C.name} n=${n}`, (t) => bytesOf(L.scan(a, b, { rows, reverse, threads: t })));
  const ag = L.aggregate(a, b.subarray(0, rows * n), { rows, threads: 2 });
  hash(bytesOf(ag.A));
  hash(bytesOf(ag.B));
});
