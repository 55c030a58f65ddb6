'use strict';
// The small calls after a varied warm-up against the same calls in a fresh process, in one
// process: two copies of linrec's JS (bench/lib/linrec-copies.js), one warmed with a varied mix
// of calls (bench/lib/varied-calls.js), one that only makes the timed calls; both and the JS
// float32 loop timed in alternation (medians). Rows: scan with out of 16 / 100 / 1000 float32
// steps, Scanner.push of 16 steps, and (float64) scan with out of 16 / 100 steps.
// Usage: LINREC_PREBUILT=0 node bench/probes/small-calls-warm.js [runs=9] [scale=1] [rounds=100]
const { freshLinrec } = require('../lib/linrec-copies');
const { variedCalls } = require('../lib/varied-calls');
const { jsLoop, jsPushLoop, randomArrays, compare } = require('../lib/calls');

const runs = Number(process.argv[2] ?? 9);
const scale = Number(process.argv[3] ?? 1);
const rounds = Number(process.argv[4] ?? 100);

const fmt = (ms) => `${(ms * 1e3).toFixed(3)} µs`;

async function main() {
  const fresh = freshLinrec().linrec;
  const warm = freshLinrec().linrec;
  await variedCalls(warm, rounds);
  console.log(
    `load average ${require('os')
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const row = (label, [tf, tw, tj]) =>
    console.log(`${label}: fresh ${(tf / tj).toFixed(2)}x, after varied calls ${(tw / tj).toFixed(2)}x the JS loop  (${fmt(tf)} / ${fmt(tw)} vs ${fmt(tj)})`);
  for (const n of [16, 100, 1000]) {
    const { a, b } = randomArrays(Float32Array, n, n);
    const out = new Float32Array(n + 1);
    const out2 = new Float32Array(n + 1);
    const reps = Math.max(200, Math.round((1e6 * scale) / n));
    row(`scan with out n=${n}`, compare([() => fresh.scan(a, b, { out }), () => warm.scan(a, b, { out }), () => jsLoop(a, b, out2)], { reps, runs }));
  }
  {
    const m = 16;
    const scanners = [fresh.createScanner(), warm.createScanner()];
    const { a, b } = randomArrays(Float32Array, m, 16);
    const bm = b.subarray(1);
    const jsPush = jsPushLoop(a, bm);
    row('push of 16', compare([() => scanners[0].push(a, bm), () => scanners[1].push(a, bm), jsPush], { reps: Math.round(100000 * scale), runs }));
  }
  for (const n of [16, 100]) {
    const { a, b } = randomArrays(Float64Array, n, n);
    const out = new Float64Array(n + 1);
    const out2 = new Float64Array(n + 1);
    const jsLoop64 = () => {
      let x = b[0];
      out2[0] = x;
      for (let i = 0; i < n; i++) out2[i + 1] = x = a[i] * x + b[i + 1];
    };
    const reps = Math.max(200, Math.round((1e6 * scale) / n));
    row(`f64 scan with out n=${n}`, compare([() => fresh.scan(a, b, { out }), () => warm.scan(a, b, { out }), jsLoop64], { reps, runs }));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
