#!/usr/bin/env node
'use strict';
// The sampling behind test/helpers.ts's overLoopAccuracy: how often the direct method's max mixed
// error exceeds 4x the sequential loop's own (the tests' first criterion, test/14's bound), by
// how much, and where each such draw stands against the loop's forward error bound (the second
// criterion, src/yardstick.ts's worstOverReach: at most 1 passes). Fresh a, b ~ N(0,1) per draw,
// n steps, scan(..., { device: 'cpu' }) in float32 and float64, against the float64 reference
// (float32 data) or the double-double one (float64 data), as test/14.
//   LINREC_PREBUILT=0 node bench/probes/bound-tails.js [draws=20000] [n=1000] [seed=1]
const os = require('os');
const { scan } = require('../../dist');
const { sequential } = require('../../dist/sequential');
const { reference, referenceDD, mixedError, worstOverReach } = require('../../dist/yardstick');
const { deriveSeed, mulberry32 } = require('../lib/random');

const draws = Number(process.argv[2] ?? 20000),
  n = Number(process.argv[3] ?? 1000),
  seed = Number(process.argv[4] ?? 1);

function fillNormal(rnd, arr) {
  for (let i = 0; i < arr.length; i++) arr[i] = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}

console.log(`draws=${draws} n=${n} seed=${seed}, load ${os.loadavg()[0].toFixed(2)} at start`);
for (const [dtype, C] of [
  ['float32', Float32Array],
  ['float64', Float64Array],
]) {
  const a = new C(n),
    b = new C(n + 1),
    out = new C(n + 1);
  let worst = 0;
  const reaches = []; // worstOverReach of each draw over 4x the loop, in order
  for (let k = 0; k < draws; k++) {
    const rnd = mulberry32(deriveSeed(seed, 'bound-tails', dtype, k));
    fillNormal(rnd, a);
    fillNormal(rnd, b);
    const ref = (dtype === 'float64' ? referenceDD : reference)(a, b);
    const loop = mixedError(sequential(a, b), ref);
    const x = scan(a, b, { device: 'cpu', out });
    const ratio = mixedError(x, ref) / loop;
    if (!(ratio <= worst)) worst = ratio;
    if (!(ratio <= 4)) reaches.push(worstOverReach(x, ref, a, 1, dtype));
  }
  const shown = reaches.map((r) => r.toFixed(3)).join(' ');
  console.log(
    `${dtype}: ${reaches.length} of ${draws} draws over 4x the loop's max error, worst ${worst.toFixed(2)}x; ` +
      `their ratios to the forward error bound (<= 1 passes): max ${Math.max(0, ...reaches).toFixed(3)} [${shown}]`,
  );
}
console.log(`load ${os.loadavg()[0].toFixed(2)} at end`);
