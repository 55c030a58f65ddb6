#!/usr/bin/env node
'use strict';
// aggregate's B after a reset to 1e300 followed by coefficients whose product underflows while
// the loop's x stays normal (float64): inside a CUDA tile, across tiles, in warp rows, across the
// host chunks of a 2^20-step row. Prints each shape's relative error of B on the CPU, on CUDA from
// host arrays and from DeviceArrays (where the build has CUDA: the emulation with
// LINREC_ADDON=build-emu/Release/linrec.node), and each CUDA call's time with and without the
// reset (on the emulation, the cost of its synchronizations, not a GPU's). Session 15: main's
// emulation build gave B = 0 (error 1) in every CUDA shape.
//   LINREC_PREBUILT=0 node bench/probes/aggregate-underflow.js <checkout>
const path = require('path');
const lr = require(path.resolve(process.argv[2] ?? '.'));
const cuda = lr.backends().cuda.available;
const shapes = [
  { what: 'inside a tile', rows: 1, n: 5 * 4096 + 77, reset: 6, decay: 1024, steps: 192, by: 0.002 },
  { what: 'across tiles', rows: 2, n: 5 * 4096 + 77, reset: 4000, decay: 4200, steps: 2080, by: 0.69 },
  { what: 'warp rows', rows: 64, n: 1000, reset: 6, decay: 128, steps: 128, by: 7.5e-4 },
  { what: 'host chunks', rows: 1, n: (1 << 20) + 3 * 4096, reset: (1 << 20) - 10, decay: (1 << 20) + 100, steps: 2080, by: 0.69 },
];
const ms = (f) => {
  const t = process.hrtime.bigint();
  const r = f();
  return [r, Number(process.hrtime.bigint() - t) / 1e6];
};
for (const { what, rows, n, reset, decay, steps, by } of shapes) {
  const a = new Float64Array(rows * n).fill(1);
  const b = new Float64Array(rows * n);
  const [, plain] = cuda ? ms(() => lr.aggregate(a, b, { rows, device: 'cuda' })) : [null, NaN];
  const ref = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    a[r * n + reset] = 0;
    b[r * n + reset] = 1e300;
    for (let i = decay; i < decay + steps; i++) a[r * n + i] = by;
    let B = 0;
    for (let i = 0; i < n; i++) B = a[r * n + i] * B + b[r * n + i];
    ref[r] = B;
  }
  const error = (res) => {
    const B = res.B.toHost ? res.B.toHost() : res.B;
    let w = 0;
    for (let r = 0; r < rows; r++) w = Math.max(w, Math.abs(B[r] - ref[r]) / Math.abs(ref[r]));
    return w.toExponential(1);
  };
  const out = [`cpu ${error(lr.aggregate(a, b, { rows, device: 'cpu' }))}`];
  if (cuda) {
    const [host, marked] = ms(() => lr.aggregate(a, b, { rows, device: 'cuda' }));
    out.push(`cuda ${error(host)}`, `cuda from DeviceArrays ${error(lr.aggregate(lr.toDevice(a), lr.toDevice(b), { rows, device: 'cuda' }))}`);
    out.push(`cuda time ${plain.toFixed(0)} ms without the reset, ${marked.toFixed(0)} ms with it`);
  }
  console.log(`${what} (B = ${ref[0].toExponential(2)}): ${out.join(', ')}`);
}
