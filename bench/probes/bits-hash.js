#!/usr/bin/env node
'use strict';
// Hashes of CUDA scans and aggregates of fixed pseudo-random rows (float32 and float64; 1, 3 and
// 64 rows): run it against two builds (e.g. the emulation, LINREC_ADDON=build-emu/Release/linrec.node)
// to show a change kept every bit. Session 15: the warp totals' second scan, the same hashes.
// Session 16: the aggregates' rows composed again (the again kernels' helpers), the same hashes.
//   LINREC_EMULATED_DEVICES=1 LINREC_ADDON=<build>/Release/linrec.node node bench/probes/bits-hash.js <checkout>
const path = require('path');
const L = require(path.resolve(process.argv[2] ?? '.'));
const crypto = require('crypto');
let seed = 7;
const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
const out = [];
for (const C of [Float32Array, Float64Array])
  for (const [rows, n] of [
    [1, 300007],
    [3, 20001],
    [64, 1000],
  ]) {
    const a = new C(rows * n).map(() => rnd() * 1.2 - 0.1),
      v = new C(rows * (n + 1)).map(() => rnd() * 2 - 1);
    const x = L.scan(a, v, { rows, device: 'cuda' });
    const ag = L.aggregate(a, v.subarray(0, rows * n), { rows, device: 'cuda' });
    out.push(
      crypto
        .createHash('md5')
        .update(Buffer.from(x.buffer, x.byteOffset, x.byteLength))
        .update(Buffer.from(ag.B.buffer, ag.B.byteOffset, ag.B.byteLength))
        .digest('hex')
        .slice(0, 8),
    );
  }
// Rows that the aggregate composes again (a reset to a large x, then a product that underflows
// while the loop's x stays normal; random b's after it): inside a tile, across tiles, warp rows.
const again = [];
for (const C of [Float32Array, Float64Array])
  for (const [rows, n, reset, decay, steps, by] of [
    [1, 5 * 4096 + 77, 6, 1024, 192, 0.002],
    [2, 5 * 4096 + 77, 4000, 4200, 2080, 0.69],
    [64, 1000, 6, 128, 128, 7.5e-4],
  ]) {
    const big = C === Float32Array ? 1e30 : 1e300;
    const a = new C(rows * n).map(() => 0.999 + rnd() * 0.002);
    const v = new C(rows * n).map(() => (rnd() - 0.5) * 1e-40 * (C === Float32Array ? 1e-3 : 1e-250));
    for (let r = 0; r < rows; r++) {
      a[r * n + reset] = 0;
      v[r * n + reset] = big;
      for (let i = decay; i < decay + steps; i++) a[r * n + i] = C === Float32Array ? Math.sqrt(by) : by;
    }
    const ag = L.aggregate(a, v, { rows, device: 'cuda' });
    again.push(
      crypto
        .createHash('md5')
        .update(Buffer.from(ag.A.buffer, ag.A.byteOffset, ag.A.byteLength))
        .update(Buffer.from(ag.B.buffer, ag.B.byteOffset, ag.B.byteLength))
        .digest('hex')
        .slice(0, 8),
    );
  }
console.log(out.join(' '));
console.log(`composed again: ${again.join(' ')}`);
