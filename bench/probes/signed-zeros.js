#!/usr/bin/env node
'use strict';
// A zero's sign against the loop's (README, Guarantees: signed zeros): 10 rows of 10^5 steps per
// dtype, coefficients ±U(0.5, 1.5) with 1 % of them ±0, values ±0 with 0.1 % of them U(-0.5, 0.5),
// so that x is exactly 0 for most steps. Counts the exact zeros of the loop (a·x + b, rounded per
// operation in the dtype) and those whose sign the engine gives otherwise, per method and thread
// count, and whether the bits depend on the thread count.
//   node bench/probes/signed-zeros.js [checkout=.]   (LINREC_ADDON: the build)
const path = require('path');
const L = require(path.resolve(process.argv[2] ?? '.'));
let seed = 5;
const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
const n = 100000;
for (const C of [Float32Array, Float64Array]) {
  const rows = Array.from({ length: 10 }, () => ({
    a: C.from({ length: n }, () => (rnd() < 0.01 ? (rnd() < 0.5 ? -0 : 0) : (rnd() < 0.5 ? -1 : 1) * (0.5 + rnd()))),
    b: C.from({ length: n + 1 }, () => (rnd() < 0.001 ? rnd() - 0.5 : rnd() < 0.5 ? -0 : 0)),
  }));
  const round = C === Float32Array ? Math.fround : (v) => v;
  for (const method of ['direct', 'log']) {
    let zeros = 0,
      other = 0,
      threadsDiffer = 0;
    for (const { a, b } of rows) {
      const x1 = L.scan(a, b, { method, threads: 1 }),
        x2 = L.scan(a, b, { method, threads: 2 });
      if (!Buffer.from(x1.buffer).equals(Buffer.from(x2.buffer))) threadsDiffer++;
      let v = b[0];
      for (let i = 0; i < n; i++) {
        v = round(round(a[i] * v) + b[i + 1]);
        if (v === 0) {
          zeros++;
          if (Object.is(v, -0) !== Object.is(x1[i + 1], -0)) other++;
        }
      }
    }
    console.log(`${C.name} ${method}: ${zeros} exact zeros, ${other} of another sign; rows whose bits differ on 2 threads: ${threadsDiffer}`);
  }
}
