'use strict';
// Two builds' small calls and pushes in one process (before/after a change, under the same load):
// for each checkout, a copy of its JS that made only the timed calls ("fresh") and one that first
// made a varied mix of calls (bench/lib/varied-calls.js), all in alternation with the JS float32
// loop (medians; bench/lib/calls.js's inputs and loops). Each checkout loads its own addon
// (LINREC_PREBUILT=0: its build-cmake/Release).
// With `cpu`, samples are this process's CPU time (process.cpuUsage) rather than wall time: on a
// machine shared with other jobs, those inflate wall time, not this process's CPU time.
// Usage: LINREC_PREBUILT=0 node bench/probes/small-calls-ab.js <checkoutA> <checkoutB> [runs=9] [scale=1] [cpu]
const path = require('path');
const { freshLinrec } = require('../lib/linrec-copies');
const { variedCalls } = require('../lib/varied-calls');
const { jsLoop, jsPushLoop, randomArrays, compare: wallCompare } = require('../lib/calls');
const { median } = require('../lib/timing');

const [dirA, dirB] = process.argv.slice(2, 4);
const runs = Number(process.argv[4] ?? 9);
const scale = Number(process.argv[5] ?? 1);
const cpuTime = process.argv[6] === 'cpu';
const fround = Math.fround;

const x = (v) => `${v.toFixed(2)}x`;

/**
 * A closure `() => <body>` over `scope`'s names, compiled anew for each call: each copy's calls
 * get call sites of their own (one shared site would see every copy's exports object and go
 * polymorphic, which no single-copy process sees).
 */
function site(scope, body) {
  const names = Object.keys(scope);
  return new Function(...names, `return () => ${body};`)(...names.map((k) => scope[k]));
}

/** bench/lib/calls.js's compare with CPU-time samples (ms per call). */
function cpuCompare(fns, { reps = 1, runs = 7, warmup = 2 } = {}) {
  for (const f of fns) for (let i = 0; i < warmup * reps; i++) f();
  const samples = fns.map(() => []);
  for (let r = 0; r < runs; r++) {
    fns.forEach((f, j) => {
      const c0 = process.cpuUsage();
      for (let k = 0; k < reps; k++) f();
      const c = process.cpuUsage(c0);
      samples[j].push((c.user + c.system) / 1e3 / reps);
    });
  }
  return samples.map(median);
}
const compare = cpuTime ? cpuCompare : wallCompare;

/** compare() after `seconds` of calls to each function: on a loaded machine V8's optimizing compiles finish late. */
function settledCompare(fns, options, seconds = 0.5) {
  for (const f of fns) {
    const t0 = Date.now();
    while (Date.now() - t0 < seconds * 1e3) for (let i = 0; i < 100; i++) f();
  }
  return compare(fns, options);
}

async function main() {
  const copies = [];
  for (const [label, dir] of [
    ['A', dirA],
    ['B', dirB],
  ]) {
    const dist = path.resolve(dir, 'dist');
    const fresh = freshLinrec(dist).linrec;
    const warmed = freshLinrec(dist).linrec;
    await variedCalls(warmed, 100);
    copies.push([`${label} fresh`, fresh], [`${label} varied`, warmed]);
  }
  console.log(
    `A = ${dirA}, B = ${dirB}; load average at start ${require('os')
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const report = (label, times) => {
    const tj = times[times.length - 1];
    console.log(`${label}: ${copies.map(([name], i) => `${name} ${x(times[i] / tj)}`).join(', ')}  (JS loop ${(tj * 1e3).toFixed(3)} µs)`);
  };
  for (const n of [16, 100, 1000]) {
    const { a, b } = randomArrays(Float32Array, n, n);
    const out = new Float32Array(n + 1);
    const out2 = new Float32Array(n + 1);
    const reps = Math.max(200, Math.round((1e6 * scale) / n));
    const fns = copies.map(
      ([, l]) =>
        () =>
          l.scan(a, b, { out }),
    );
    report(`scan with out, n = ${n}`, settledCompare([...fns, () => jsLoop(a, b, out2)], { reps, runs }));
  }
  {
    const m = 16;
    const { a, b } = randomArrays(Float32Array, m, 16);
    const bm = b.subarray(1);
    const jsPush = jsPushLoop(a, bm);
    const fns = copies.map(([, l]) => site({ s: l.createScanner(), a, bm }, 's.push(a, bm)'));
    report('push of 16', settledCompare([...fns, jsPush], { reps: Math.round(100000 * scale), runs }));
  }
  {
    const keys = 1e5;
    const { a, b } = randomArrays(Float32Array, keys, 5);
    const bk = b.subarray(1);
    const states = new Float32Array(keys);
    const jsPush = () => {
      const o = new Float32Array(keys);
      for (let r = 0; r < keys; r++) o[r] = states[r] = fround(a[r] * states[r] + bk[r]);
      return o;
    };
    const fns = copies.map(([, l]) => site({ s: l.createScanner({ rows: keys }), a, bk }, 's.push(a, bk)'));
    report('push of 1 step on 10^5 rows', settledCompare([...fns, jsPush], { reps: Math.max(2, Math.round(20 * scale)), runs }, 0.1));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
