#!/usr/bin/env node
'use strict';
// Probe for issue 10 (log method accuracy): max mixed error |x - ref| / (|ref| + mean|ref|) of
// the sequential loop, scan 'direct', scan 'log' and (a, b > 0) logScan of real logs, against a
// float64 reference (float32 data) or a double-double one (float64 data), on the seed's two
// distributions, fresh inputs per trial, on the CPU engine or the CUDA one (a GPU or, with
// LINREC_ADDON set to an emulation build, its CPU emulation). Usage:
//   node bench/probes/log-accuracy.js [n=1e6] [trials=3] [seed] [device=cpu]
const linrec = require('../../dist');

const N = Number(process.argv[2] ?? 1e6),
  trials = Number(process.argv[3] ?? 3);
let seed = Number(process.argv[4] ?? Date.now() >>> 0);
const device = process.argv[5] ?? 'cpu';
console.log(`n=${N} trials=${trials} seed=${seed} device=${device}`);
const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) + 0.5) / 4294967296;
const normal = () => Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());

const SPLIT = 134217729;
function twoProd(a, b) {
  const p = a * b,
    ca = SPLIT * a,
    ah = ca - (ca - a),
    al = a - ah,
    cb = SPLIT * b,
    bh = cb - (cb - b),
    bl = b - bh;
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}
function reference(a, b, dd) {
  const x = new Float64Array(b.length);
  let hi = b[0],
    lo = 0;
  x[0] = hi;
  for (let t = 0; t < a.length; t++) {
    if (!dd) {
      hi = a[t] * hi + b[t + 1];
      x[t + 1] = hi;
      continue;
    }
    const [p, pe] = twoProd(a[t], hi);
    const s = p + b[t + 1],
      bb = s - p,
      se = p - (s - bb) + (b[t + 1] - bb);
    const e = se + pe + a[t] * lo,
      h = s + e;
    lo = e - (h - s);
    hi = h;
    x[t + 1] = hi + lo;
  }
  return x;
}
function mixedError(x, ref) {
  let mean = 0;
  for (let i = 0; i < ref.length; i++) mean += Math.abs(ref[i]);
  mean /= ref.length;
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const e = Math.abs(x[i] - ref[i]) / (Math.abs(ref[i]) + mean);
    if (!(e <= worst)) worst = Number.isNaN(e) ? Infinity : e;
  }
  return worst;
}

for (const [dtype, C] of [
  ['float32', Float32Array],
  ['float64', Float64Array],
])
  for (const dist of ['normal', 'uniform']) {
    const worst = {};
    for (let k = 0; k < trials; k++) {
      const a = new C(N),
        b = new C(N + 1);
      for (let i = 0; i < N; i++) a[i] = dist === 'uniform' ? rnd() : normal();
      for (let i = 0; i <= N; i++) b[i] = dist === 'uniform' ? 3 * rnd() : normal();
      const ref = reference(a, b, dtype === 'float64');
      const errors = {
        loop: mixedError(linrec.sequential(a, b), ref),
        direct: mixedError(linrec.scan(a, b, { device }), ref),
        log: mixedError(linrec.scan(a, b, { device, method: 'log' }), ref),
      };
      if (dist === 'uniform') {
        const out = linrec.logScan(a.map(Math.log), b.map(Math.log), { device });
        errors.logScan = mixedError(Float64Array.from(out.logAbs, Math.exp), ref);
      }
      for (const [m, e] of Object.entries(errors)) (worst[m] ??= []).push(e);
    }
    const fmt = (xs) => xs.map((e) => e.toExponential(1)).join(' ');
    console.log(
      `${dtype} ${dist}: ` +
        Object.entries(worst)
          .map(([m, xs]) => `${m} [${fmt(xs)}]`)
          .join('  '),
    );
  }
