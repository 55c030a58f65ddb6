#!/usr/bin/env node
'use strict';
// The cost of taking a block's product again in extended range (src/distributed/maps.ts), which
// phase 1 of `linrec run --redis` does where `aggregate`'s A left the data's type, against the
// block's aggregate itself: medians of 25 calls on one block of 2^20 float32 steps per kind of
// data. Session 16.   LINREC_PREBUILT=0 node bench/probes/cluster-range.js <checkout>
const path = require('path');
const { median: medianOf, timeIt } = require('../lib/timing');
const root = path.resolve(process.argv[2] ?? '.');
const L = require(root);
const { rangeProduct, inRange } = require(path.join(root, 'dist/distributed/maps.js'));
const n = 1 << 20;
const median = (f) => medianOf(timeIt(f, { warmup: 0, runs: 25, reps: 1 }));
const kinds = {
  'a ~ U(0, 1): the product is past 2^-301 within a few hundred steps': () => Math.random(),
  'a ~ 0.9999: a decay that stays above 2^-301 over the block (a whole pass)': () => 0.9999 + Math.random() * 1e-5,
  'a ~ 1 ± 1e-6: A in range, nothing taken again': () => 1 + (Math.random() - 0.5) * 2e-6,
};
for (const [what, draw] of Object.entries(kinds)) {
  const a = new Float32Array(n).map(draw);
  const b = new Float32Array(n).map(() => Math.random());
  const A = L.aggregate(a, b).A[0];
  const again = !inRange(A, 'float32');
  const agg = median(() => L.aggregate(a, b));
  const product = again ? median(() => rangeProduct(a, 0, n, 'float32')) : 0;
  console.log(`${what}: aggregate ${agg.toFixed(3)} ms, taken again ${again ? `${product.toFixed(3)} ms (${rangeProduct(a, 0, n, 'float32')})` : 'no'}`);
}
