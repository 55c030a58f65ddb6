#!/usr/bin/env node
'use strict';
// Hashes of the log method's CPU results (scan method 'log', logScan of real logs and of signed
// logs) on fixed pseudo-random rows, per data kind (float32 and float64; n = 10^6, 26194, 3001;
// forward and reverse; threads 1, 2 and 4 compared): run it against two builds (LINREC_ADDON,
// LINREC_CPU_ISA for the variant) to show a change kept every bit. Session 23 (the log method's
// cliffs: zero addends, growth past the band). Kinds after the first three are the cliffs' data;
// the next two (session 24) sparse NaNs; the last six (session 25) zero stretches.
//   LINREC_ADDON=<build>/Release/linrec.node [LINREC_CPU_ISA=x86-64-v3] node bench/probes/cpu-log-bits-hash.js [checkout] [kindRegex]
const path = require('path');
const L = require(path.resolve(process.argv[2] ?? '.'));
const { rnd, gauss, bytesOf, hashKinds } = require('./lib/kinds-hash');
const only = new RegExp(process.argv[3] ?? '.');
const kinds = {
  'U(0,1)': [() => rnd(), () => rnd() - 0.5],
  'U(0.5,1)': [() => 0.5 + 0.5 * rnd(), () => 3 * rnd()],
  'N(0,1)': [gauss, gauss],
  'U(.5,1) b=0@1e-2': [() => 0.5 + 0.5 * rnd(), () => (rnd() < 1e-2 ? 0 : 1 + rnd())],
  'U(.5,1) b=0@0.1': [() => 0.5 + 0.5 * rnd(), () => (rnd() < 0.1 ? 0 : 1 + rnd())],
  'U(.5,1) b=0@0.5': [() => 0.5 + 0.5 * rnd(), () => (rnd() < 0.5 ? 0 : 1 + rnd())],
  'U+0@1e-2 coeffs': [() => (rnd() < 1e-2 ? 0 : rnd()), () => 1 + rnd()],
  'a=1.001': [() => 1.001, () => 1 + rnd()],
  'a=1.01': [() => 1.01, () => 1 + rnd()],
  'a=1.0004 signed b': [() => 1.0004, () => 2 * rnd() - 1],
  'N(0,2)': [() => 2 * gauss(), gauss],
  'U*1e30': [() => 1e30 * rnd(), () => 1 + rnd()],
  'U(1,1.01) b=0@0.1': [() => 1 + 0.01 * rnd(), () => (rnd() < 0.1 ? 0 : rnd())],
  // session 24: sparse NaN coefficients or addends (missing data)
  'U(0,1) a NaN@1e-4': [() => (rnd() < 1e-4 ? NaN : rnd()), () => rnd() - 0.5],
  'N(0,1) a,b NaN@1e-3': [() => (rnd() < 1e-3 ? NaN : gauss()), () => (rnd() < 1e-3 ? NaN : gauss())],
  // session 25: x exactly 0 for stretches (sparse addends: b = 0, x_0 = 0), signed zeros, zero
  // coefficients meeting zero addends, and lanes of zero addends after a nonzero x (their A matters)
  'U(0,1) b=0': [() => rnd(), () => 0],
  'U(0,1) b=0 first half': [() => rnd(), (_, i, all) => (i < all.length / 2 ? 0 : 3 * rnd())],
  'U(0,1) b sparse 1e-3': [() => rnd(), () => (rnd() < 1e-3 ? 3 * rnd() : 0)],
  'N(0,1) b sparse 1e-2 ±0': [gauss, () => (rnd() < 1e-2 ? gauss() : rnd() < 0.5 ? -0 : 0)],
  'U(0,1) a=0@0.3 b=0@0.7': [() => (rnd() < 0.3 ? 0 : rnd()), () => (rnd() < 0.7 ? 0 : 1 + rnd())],
  'U(.99,1) b every 9001': [() => 0.99 + 0.01 * rnd(), (_, i) => (i % 9001 === 5 ? 1 + rnd() : 0)],
};
const logs = (v) => v.map((x) => Math.log(Math.abs(x)));
const signs = (v) => Int8Array.from(v, (x) => (x < 0 ? -1 : 1));
hashKinds(kinds, only, ({ C, rows, n, a, b, threads }) => {
  const la = logs(a),
    lb = logs(b);
  const calls = {
    log: (t, reverse) => [L.scan(a, b, { rows, reverse, threads: t, method: 'log' })],
    real: (t, reverse) => {
      const r = L.logScan(la, lb, { rows, reverse, threads: t });
      return [r.logAbs, r.sign];
    },
    signed: (t, reverse) => {
      const r = L.logScan({ logAbs: la, sign: signs(a) }, { logAbs: lb, sign: signs(b) }, { rows, reverse, threads: t });
      return [r.logAbs, r.sign];
    },
  };
  for (const [call, f] of Object.entries(calls))
    for (const reverse of [false, true]) threads(`${call} ${C.name} n=${n}${reverse ? ' reverse' : ''}`, (t) => Buffer.concat(f(t, reverse).map(bytesOf)));
});
