#!/usr/bin/env node
'use strict';
// The log method where x is exactly 0 (or decays below the band) for stretches (bench/NOTES.md,
// sessions 23 and 25): CPU time (user + system, medians) of scan 'log' and logScan (real logs) on
// a ~ U(0,1) with sparse or absent addends (and two kinds of growth), each against the same call on
// typical data (a ~ U(0,1), b ~ U(0,3)).
// Builds are given as package folders, each optionally with the addon it loads (`<dir>=<linrec.node>`;
// the folders must differ, one module instance each); every build and kind runs in one alternating
// loop, so ratios of medians compare like with like on a loaded machine. Prints ms per call and
// kind/typical per build and method, then each later build's time over the first's.
//   node bench/probes/log-zero.js <dir>[=<addon>] [<dir2>[=<addon2>]] -- [n=1e6] [dtype=float32] [threads=1] [calls=7] [methods=log,logScan] [kindRegex]
const { splitArgs, loadBuilds } = require('./lib/builds');
const { mulberry32 } = require('../lib/random');
const { cpuMs, median, timeAlternating } = require('../lib/timing');
const { specs, opts } = splitArgs();
const n = Number(opts[0] ?? 1e6),
  C = opts[1] === 'float64' ? Float64Array : Float32Array,
  threads = Number(opts[2] ?? 1),
  calls = Number(opts[3] ?? 7),
  methods = (opts[4] ?? 'log,logScan').split(','),
  only = new RegExp(opts[5] ?? '.');
const builds = loadBuilds(specs);
const rnd = mulberry32(25);
// [a, b] generators (b[0] is x_0); 'typical' first: every ratio is to it
const kinds = {
  typical: [() => rnd(), () => 3 * rnd()],
  'b all 0': [() => rnd(), () => 0],
  'b 0 first half': [() => rnd(), (i) => (i < n / 2 ? 0 : 3 * rnd())],
  'b sparse 1e-3': [() => rnd(), () => (rnd() < 1e-3 ? 3 * rnd() : 0)],
  'b sparse 0.1': [() => rnd(), () => (rnd() < 0.1 ? 3 * rnd() : 0)],
  'a 0@0.5': [() => (rnd() < 0.5 ? 0 : rnd()), () => 3 * rnd()],
  // growth past the band (session 23's cliff 3), for comparison: lanes the band check refuses
  // take TileScan::generalLane since session 25
  'a = 1.01': [() => 1.01, () => 3 * rnd()],
  'a ~ U*1e30': [() => 1e30 * rnd(), () => 3 * rnd()],
};
const data = {};
for (const [k, [fa, fb]] of Object.entries(kinds)) {
  if (k !== 'typical' && !only.test(k)) continue;
  const a = new C(n).map((_, i) => fa(i)),
    b = new C(n + 1).map((_, i) => fb(i));
  data[k] = {
    a,
    b,
    la: a.map((v) => Math.log(v)),
    lb: b.map((v) => Math.log(Math.abs(v))),
    out: new C(n + 1),
    lout: { logAbs: new C(n + 1), sign: new Int8Array(n + 1) },
  };
}
const call = (L, m, d) =>
  m === 'log' ? () => L.scan(d.a, d.b, { out: d.out, threads, method: 'log' }) : () => L.logScan(d.la, d.lb, { out: d.lout, threads });
const cases = [];
for (const m of methods) for (const bld of builds) for (const [kind, d] of Object.entries(data)) cases.push({ m, bld, kind, f: call(bld.L, m, d) });
const samples = timeAlternating(
  cases.map((c) => c.f),
  { warmup: 1, runs: calls, clock: cpuMs },
);
const ms = new Map(cases.map((c, i) => [`${c.m} ${c.bld.name} ${c.kind}`, median(samples[i])]));
console.log(`n=${n} ${C.name} threads=${threads} calls=${calls} (CPU ms, medians; ratio to typical data)`);
for (const m of methods)
  for (const kind of Object.keys(data)) {
    const first = ms.get(`${m} ${builds[0].name} ${kind}`);
    const cells = builds.map((bld) => {
      const t = ms.get(`${m} ${bld.name} ${kind}`),
        base = ms.get(`${m} ${bld.name} typical`);
      const vs = bld === builds[0] ? '' : ` (${(t / first).toFixed(2)} of first)`;
      return `${t.toFixed(2)} ms ${(t / base).toFixed(2)}x${vs}`;
    });
    console.log(`${m.padEnd(8)} ${kind.padEnd(16)} ${cells.join(' | ')}`);
  }
