'use strict';
// Where scan's JS path and the binding's lean host entry cross (src/small-scan.ts,
// quickCalls.jsMaxSteps): scan(a, b, { out }) of n float32 steps forced down each path, and the
// JS float32 loop, in alternation in one process. Times are CPU time of this process (user +
// system), medians: on a shared machine wall-clock samples include the time other jobs ran.
// Usage: node bench/probes/quick-crossover.js [runs=9] [sizes=8,16,24,32,48,64,100,256,1000]
const linrec = require('../../dist');
const { quickCalls } = require('../../dist/small-scan');
const { jsLoop } = require('../lib/calls');
const { mulberry32 } = require('../lib/random');
const { cpuMs, median, timeAlternating } = require('../lib/timing');

const runs = Number(process.argv[2] ?? 9);
const sizes = (process.argv[3] ?? '8,16,24,32,48,64,100,256,1000').split(',').map(Number);
const { scan } = linrec;
const ns = (ms) => `${(ms * 1e6).toFixed(0)} ns`;
for (const n of sizes) {
  const rnd = mulberry32(n);
  const a = new Float32Array(n).map(() => rnd());
  const b = new Float32Array(n + 1).map(() => 3 * rnd());
  const out = new Float32Array(n + 1);
  const out2 = new Float32Array(n + 1);
  const viaJs = () => {
    quickCalls.jsMaxSteps = 256;
    scan(a, b, { out });
  };
  const viaHost = () => {
    quickCalls.jsMaxSteps = 0;
    scan(a, b, { out });
  };
  const reps = Math.max(2000, Math.round(3e6 / n));
  const [tj, th, tl] = timeAlternating([viaJs, viaHost, () => jsLoop(a, b, out2)], { warmup: 2, runs, reps, clock: cpuMs }).map(median);
  console.log(
    `n=${n}: JS path ${ns(tj)} (${(tj / tl).toFixed(2)}x), host entry ${ns(th)} (${(th / tl).toFixed(2)}x), JS loop ${ns(tl)}; host ÷ JS path ${(th / tj).toFixed(2)}`,
  );
}
