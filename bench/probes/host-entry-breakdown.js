'use strict';
// Where a quick native call's time goes (src/small-scan.ts, addon().scanHost): float32 scans with
// out of n and 10n steps down the host entry, each layer alone, in alternation in one process:
// the wrapped binding entry, quickScan (JS checks), scan(), linrec.scan (the CommonJS export's
// getter), and the JS float32 loop. CPU time of this process (user + system), medians.
// Usage: node bench/probes/host-entry-breakdown.js [runs=9] [n=100]
const linrec = require('../../dist');
const { addon } = require('../../dist/addon');
const { quickScan, quickCalls } = require('../../dist/small-scan');
const { jsLoop } = require('../lib/calls');
const { mulberry32 } = require('../lib/random');

const runs = Number(process.argv[2] ?? 9);
const n = Number(process.argv[3] ?? 100);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
};
const median = (v) => [...v].sort((p, q) => p - q)[v.length >> 1];
const arrays = (k) => {
  const rnd = mulberry32(k);
  return { a: new Float32Array(k).map(() => rnd()), b: new Float32Array(k + 1).map(() => 3 * rnd()), out: new Float32Array(k + 1) };
};
const s = arrays(n);
const l = arrays(10 * n);
const host = addon();
const { scan } = linrec;
const threads = linrec.backends().cpu.threads;
quickCalls.jsMaxSteps = 0; // every call below takes the host entry
const cases = {
  [`JS loop, n = ${n}`]: () => jsLoop(s.a, s.b, s.out),
  [`host entry (wrapped binding call), n = ${n}`]: () => host.scanHost(false, s.a, s.b, s.out, 1, false, threads),
  [`host entry, n = ${10 * n}`]: () => host.scanHost(false, l.a, l.b, l.out, 1, false, threads),
  [`quickScan, n = ${n}`]: () => quickScan(s.a, s.b, { out: s.out }),
  [`scan, n = ${n}`]: () => scan(s.a, s.b, { out: s.out }),
  [`linrec.scan, n = ${n}`]: () => linrec.scan(s.a, s.b, { out: s.out }),
};
const fns = Object.values(cases);
const reps = Math.max(2000, Math.round(2e6 / n));
for (const f of fns) for (let i = 0; i < reps; i++) f();
const samples = fns.map(() => []);
for (let r = 0; r < runs; r++) {
  fns.forEach((f, j) => {
    const t0 = cpuMs();
    for (let k = 0; k < reps; k++) f();
    samples[j].push(((cpuMs() - t0) / reps) * 1e6);
  });
}
const t = samples.map(median);
Object.keys(cases).forEach((k, i) => console.log(`${k}: ${t[i].toFixed(0)} ns`));
const perStep = (t[2] - t[1]) / (9 * n);
console.log(
  `engine ${perStep.toFixed(2)} ns/step; host entry fixed ${(t[1] - n * perStep).toFixed(0)} ns; JS checks ${(t[3] - t[1]).toFixed(0)} ns; ` +
    `scan() ${(t[4] - t[3]).toFixed(0)} ns; export getter ${(t[5] - t[4]).toFixed(0)} ns; JS loop ${(t[0] / n).toFixed(2)} ns/step`,
);
