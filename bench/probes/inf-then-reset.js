#!/usr/bin/env node
'use strict';
// An infinite coefficient, then a reset (a = 0) in another lane, thread or tile: the loop gives
// NaN from the reset on (0·inf), and so must every engine, though combining the two aggregates
// alone would give the reset's b. Prints, per case, how many x differ from the loop (cuda where
// the build has it: the emulation with LINREC_ADDON=build-emu/Release/linrec.node). Session 15:
// 0 differences on both engines, float32 and float64.
//   LINREC_PREBUILT=0 node bench/probes/inf-then-reset.js <checkout>
const path = require('path');
const lr = require(path.resolve(process.argv[2] ?? '.'));
const devices = lr.backends().cuda.available ? ['cpu', 'cuda'] : ['cpu'];
for (const C of [Float64Array, Float32Array]) {
  for (const [inf, zero] of [
    [100, 5000],
    [100, 200],
    [5000, 9000],
    [3000, 40000],
    [100, 20000],
  ]) {
    const n = 100000;
    const a = new C(n).fill(0.5);
    const v = new C(n + 1).fill(1);
    a[inf] = Infinity;
    a[zero] = 0;
    const loop = lr.sequential(a, v);
    const same = (p, q) => Object.is(p, q) || (Number.isNaN(p) && Number.isNaN(q)) || Math.abs(p - q) <= 1e-6 * Math.abs(q);
    const out = devices.map((device) => {
      const x = lr.scan(a, v, { device, threads: 2 });
      let differ = 0;
      for (let i = 0; i <= n; i++) if (!same(x[i], loop[i])) differ++;
      return `${device} ${differ} differ`;
    });
    console.log(`${C.name} inf at ${inf}, reset at ${zero}: ${out.join(', ')}`);
  }
}
