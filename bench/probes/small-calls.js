'use strict';
// The small-call rows of `npm run bench -- --calls-only` alone (scan with out of 16 / 100 / 1000
// steps and Scanner.push of 16 steps, each against the JS float32 loop), with the same inputs,
// loops and alternation as bench/lib/calls.js; optional: float64 and without out.
// Usage: node bench/probes/small-calls.js [runs=9] [scale=1]
const linrec = require('../../dist');
const { jsLoop, jsPushLoop, randomArrays, compare } = require('../lib/calls');

const runs = Number(process.argv[2] ?? 9);
const scale = Number(process.argv[3] ?? 1);

const fmt = (ms) => `${(ms * 1e3).toFixed(3)} µs`;

for (const n of [16, 100, 1000]) {
  const { a, b } = randomArrays(Float32Array, n, n);
  const out = new Float32Array(n + 1);
  const out2 = new Float32Array(n + 1);
  const reps = Math.max(200, Math.round((1e6 * scale) / n));
  const [tl, tj] = compare([() => linrec.scan(a, b, { out }), () => jsLoop(a, b, out2)], { reps, runs });
  console.log(`scan with out n=${n}: ${(tl / tj).toFixed(2)}x  (${fmt(tl)} vs ${fmt(tj)})`);
}
{
  const m = 16;
  const scanner = linrec.createScanner();
  const { a, b } = randomArrays(Float32Array, m, 16);
  const bm = b.subarray(1);
  const jsPush = jsPushLoop(a, bm);
  scanner.push(a, bm);
  const [tl, tj] = compare([() => scanner.push(a, bm), jsPush], { reps: Math.round(100000 * scale), runs });
  console.log(`push of 16: ${(tl / tj).toFixed(2)}x  (${fmt(tl)} vs ${fmt(tj)})`);
}
if (process.env.EXTRA) {
  for (const n of [16, 100]) {
    const { a, b } = randomArrays(Float64Array, n, n);
    const out = new Float64Array(n + 1);
    const jsLoop64 = () => {
      let x = b[0];
      out[0] = x;
      for (let i = 0; i < n; i++) out[i + 1] = x = a[i] * x + b[i + 1];
    };
    const [tl, tj] = compare([() => linrec.scan(a, b, { out }), jsLoop64], { reps: Math.round((2e5 * scale) / n) + 200, runs });
    console.log(`f64 scan with out n=${n}: ${(tl / tj).toFixed(2)}x  (${fmt(tl)} vs ${fmt(tj)})`);
  }
  for (const n of [16, 100]) {
    const { a, b } = randomArrays(Float32Array, n, n);
    const out2 = new Float32Array(n + 1);
    const [tl, tj] = compare([() => linrec.scan(a, b), () => jsLoop(a, b, out2)], { reps: Math.round((2e5 * scale) / n) + 200, runs });
    console.log(`scan without out n=${n}: ${(tl / tj).toFixed(2)}x  (${fmt(tl)} vs ${fmt(tj)})`);
  }
}
