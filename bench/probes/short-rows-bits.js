'use strict';
// Two checkouts' short-row scans bit for bit (float32/float64, rows of 1 to 2048 steps with zeros
// and NaNs, forward and reverse, 1 and 2 threads). Each checkout loads its own build
// (LINREC_PREBUILT=0: its build-cmake/Release).
// Usage: LINREC_PREBUILT=0 node bench/probes/short-rows-bits.js <checkoutA> <checkoutB>
const path = require('path');

const A = require(path.resolve(process.argv[2]));
const B = require(path.resolve(process.argv[3]));
let differ = 0;
let cases = 0;
for (const C of [Float32Array, Float64Array])
  for (const len of [1, 3, 7, 8, 9, 10, 31, 100, 257, 1000, 2048])
    for (const reverse of [false, true])
      for (const threads of [1, 2]) {
        const rows = Math.max(1, Math.floor(60000 / len));
        const a = C.from({ length: rows * len }, () => (Math.random() < 0.01 ? 0 : Math.random() * 2 - 1));
        const v = C.from({ length: rows * (len + 1) }, () => (Math.random() < 0.001 ? NaN : Math.random() * 10 - 5));
        const x = A.scan(a, v, { rows, reverse, threads });
        const y = B.scan(a, v, { rows, reverse, threads });
        cases++;
        if (!Buffer.from(x.buffer).equals(Buffer.from(y.buffer))) differ++;
      }
console.log(`${cases} cases, ${differ} differ`);
