#!/usr/bin/env node
'use strict';
// Hashes of the log method's CPU results (scan method 'log', logScan of real logs and of signed
// logs) on fixed pseudo-random rows, per data kind (float32 and float64; n = 10^6, 26194, 3001;
// forward and reverse; threads 1, 2 and 4 compared): run it against two builds (LINREC_ADDON,
// LINREC_CPU_ISA for the variant) to show a change kept every bit. Session 23 (the log method's
// cliffs: zero addends, growth past the band). Kinds after the first three are the cliffs' data;
// the last two (session 24) sparse NaNs.
//   LINREC_ADDON=<build>/Release/linrec.node [LINREC_CPU_ISA=x86-64-v3] node bench/probes/cpu-log-bits-hash.js [checkout] [kindRegex]
const path = require('path');
const L = require(path.resolve(process.argv[2] ?? '.'));
const crypto = require('crypto');
const only = new RegExp(process.argv[3] ?? '.');
let seed = 11;
const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
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
};
const logs = (v) => v.map((x) => Math.log(Math.abs(x)));
const signs = (v) => Int8Array.from(v, (x) => (x < 0 ? -1 : 1));
const bytesOf = (x) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
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
      const la = logs(a),
        lb = logs(b);
      const calls = {
        log: (threads, reverse) => [L.scan(a, b, { rows, reverse, threads, method: 'log' })],
        real: (threads, reverse) => {
          const r = L.logScan(la, lb, { rows, reverse, threads });
          return [r.logAbs, r.sign];
        },
        signed: (threads, reverse) => {
          const r = L.logScan({ logAbs: la, sign: signs(a) }, { logAbs: lb, sign: signs(b) }, { rows, reverse, threads });
          return [r.logAbs, r.sign];
        },
      };
      for (const [call, f] of Object.entries(calls))
        for (const reverse of [false, true]) {
          const bytes = [1, 2, 4].map((threads) => Buffer.concat(f(threads, reverse).map(bytesOf)));
          h.update(bytes[0]);
          if (!bytes[0].equals(bytes[1]) || !bytes[0].equals(bytes[2])) threadsDiffer.push(`${name} ${call} ${C.name} n=${n}${reverse ? ' reverse' : ''}`);
        }
    }
  const d = h.digest('hex').slice(0, 8);
  all.update(d);
  console.log(`${name}: ${d}`);
}
console.log(`all: ${all.digest('hex').slice(0, 8)}; threads 1, 2, 4 differ: ${threadsDiffer.join(', ') || 'none'}`);
