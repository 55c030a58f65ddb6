#!/usr/bin/env node
'use strict';
// A reset to a large x followed by coefficients whose product underflows while the loop's x stays
// normal (float64 direct method): the x the reset left must still count. Shapes: across CPU lanes
// (2080 steps), across GPU tiles within one group of 32 (4096 steps a tile), across two groups,
// and within one GPU tile (a block scan's tree segment whose product is subnormal). Prints the
// worst relative error where the loop's |x| is normal, per device (cuda where the build has it:
// the emulation with LINREC_ADDON=build-emu/Release/linrec.node). Session 14: the CPU and the
// look-back's group scan fixed; within one tile the CUDA engine lost precision where a tree
// product was subnormal (0.7: ~1e-7) and the whole x where it was 0 (0.69: error 1), fixed by
// the block scan's exact tracking (merged in session 15). aggregate: aggregate-underflow.js.
//   LINREC_PREBUILT=0 node bench/probes/reset-underflow.js <checkout>
const path = require('path');
const lr = require(path.resolve(process.argv[2] ?? '.'));
const devices = lr.backends().cuda.available ? ['cpu', 'cuda'] : ['cpu'];
function shape(name, n, resetAt, decayFrom, decayTo, decay) {
  const a = new Float64Array(n).fill(1),
    v = new Float64Array(n + 1);
  v[0] = 1;
  a[resetAt] = 0;
  v[resetAt + 1] = 1e300;
  for (let i = decayFrom; i < decayTo; i++) a[i] = decay;
  const loop = lr.sequential(a, v);
  for (const device of devices) {
    const x = lr.scan(a, v, { device });
    let worst = 0;
    for (let i = 0; i < loop.length; i++) if (Math.abs(loop[i]) > 1e-300) worst = Math.max(worst, Math.abs(x[i] - loop[i]) / Math.abs(loop[i]));
    console.log(`${name} ${device}: worst relative error ${worst.toExponential(2)} (the loop's last x ${loop[n].toExponential(2)})`);
  }
}
shape('CPU lanes', 3 * 8320 + 77, 2085, 4160, 6240, 0.6);
shape('one group', 40 * 4096 + 77, 3 * 4096 + 5, 5 * 4096, 5 * 4096 + 1500, 0.6);
shape('two groups', 40 * 4096 + 77, 3 * 4096 + 5, 36 * 4096, 36 * 4096 + 1500, 0.6);
shape('one tile', 5 * 4096 + 77, 5, 1024, 3200, 0.7);
shape('one tile, a zero product', 5 * 4096 + 77, 5, 1024, 3200, 0.69);
