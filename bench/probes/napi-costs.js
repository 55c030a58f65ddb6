'use strict';
// Runs bench/probes/napi-costs.cc (built first, see there): per-call CPU time (user + system of
// this process, so that other jobs on a shared machine do not count), medians of 9 samples taken
// in alternation. Usage: node bench/probes/napi-costs.js [/tmp/napi-costs.node] [n=16]
const { cpuMs, median, timeAlternating } = require('../lib/timing');
const m = require(process.argv[2] ?? '/tmp/napi-costs.node');
const n = Number(process.argv[3] ?? 16);
const a = new Float32Array(n);
const b = new Float32Array(n + 1);
const x = new Float32Array(n + 1);
const u = undefined;
const fns = {
  'a JS function': () => {},
  'an empty Node-API function': () => m.empty(),
  '3 arguments read': () => m.args3(a, b, x),
  '12 arguments read': () => m.args12(a, u, b, u, x, u, u, u, u, u, u, u),
  '3 typed arrays with their type': () => m.typed3(a, b, x),
  '3 typed arrays without their type': () => m.typed3NoType(a, b, x),
  '3 typed arrays, no type, buffer length (scanHost)': () => m.typed3Bounded(a, b, x),
};
const samples = timeAlternating(Object.values(fns), { warmup: 1, runs: 9, reps: 300000, clock: cpuMs });
Object.keys(fns).forEach((k, j) => console.log(`${k}: ${(median(samples[j]) * 1e6).toFixed(0)} ns`));
