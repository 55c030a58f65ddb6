'use strict';
// Two checkouts' direct scans bit for bit where one thread pairs tiles (float64 results of 32 MiB
// or more: a rescan beside the next tile's phase 1) and where it does not: float32/float64, sizes
// on both sides of the streamed threshold and with a partial last tile, 1 and 2 rows, out at
// offsets 0/1/3 elements, 1-3 threads, forward and reverse; coefficients contractive, near 1, with
// zeros, with tiny runs (products that underflow: lanes stepped through early) and NaNs. Each
// checkout loads its own build (LINREC_PREBUILT=0: its build-cmake/Release).
// Usage: LINREC_PREBUILT=0 node bench/probes/one-thread-bits.js <checkoutA> <checkoutB> [sizes]
const path = require('path');

const A = require(path.resolve(process.argv[2]));
const B = require(path.resolve(process.argv[3]));
const sizes = (process.argv[4] || '33280,4000000,4194304,4200017,5000000').split(',').map(Number);
const kinds = {
  contractive: () => 0.5 + 0.49 * Math.random(),
  near1: () => 1 + (Math.random() - 0.5) * 1e-6,
  zeros: () => (Math.random() < 1e-4 ? 0 : 0.5 + 0.5 * Math.random()),
  tiny: (i) => (i % 50000 < 200 ? 1e-30 : 0.9 + 0.1 * Math.random()),
  nan: (i) => (i === 3000001 ? NaN : 0.5 + 0.5 * Math.random()),
};
let differ = 0;
let cases = 0;
for (const C of [Float64Array, Float32Array])
  for (const n of sizes)
    for (const rows of [1, 2])
      for (const [kind, coefficient] of Object.entries(kinds)) {
        if (rows === 2 && n < 4e6) continue;
        const a = new C(rows * n);
        for (let i = 0; i < a.length; i++) a[i] = coefficient(i % n);
        const v = C.from({ length: rows * (n + 1) }, () => Math.random() - 0.5);
        for (const offset of [0, 1, 3])
          for (const reverse of [false, true])
            for (const threads of [1, 2, 3]) {
              if (reverse && offset === 3) continue;
              const x = new C(rows * (n + 1) + offset),
                y = new C(rows * (n + 1) + offset);
              const outX = x.subarray(offset),
                outY = y.subarray(offset);
              A.scan(a, v, { rows, reverse, threads, device: 'cpu', out: outX });
              B.scan(a, v, { rows, reverse, threads, device: 'cpu', out: outY });
              cases++;
              if (!Buffer.from(x.buffer).equals(Buffer.from(y.buffer))) {
                differ++;
                console.log(`differ: ${C.name} n=${n} rows=${rows} ${kind} offset=${offset} reverse=${reverse} threads=${threads}`);
              }
            }
      }
console.log(`${cases} cases, ${differ} differ`);
