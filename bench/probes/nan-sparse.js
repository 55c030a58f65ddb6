#!/usr/bin/env node
'use strict';
// The sparse-NaN cliff (bench/NOTES.md, sessions 23 and 24): CPU time (user + system, medians) of
// each method on a ~ U(0,1) with a NaN coefficient at rate 1e-4 (missing data), against the same
// call on the same data without the NaNs; b ~ U(0,1) - 0.5 (logScan: log|b| and log a). Builds are
// given as package folders, each optionally with the addon it loads (`<dir>=<linrec.node>`; the
// folders must differ, one module instance each); every build and case runs in one alternating
// loop, so ratios of medians compare like with like on a loaded machine. Prints ms per call and
// NaN/clean per build and method, then each later build's NaN time over the first's.
//   node bench/probes/nan-sparse.js <dir>[=<addon>] [<dir2>[=<addon2>]] -- [n=1e6] [dtype=float32] [threads=1] [calls=9] [methods=direct,log,logScan,aggregate] [rate=1e-4]
const { splitArgs, loadBuilds } = require('./lib/builds');
const { mulberry32 } = require('../lib/random');
const { cpuMs, median, timeAlternating } = require('../lib/timing');
const { specs, opts } = splitArgs();
const n = Number(opts[0] ?? 1e6),
  C = opts[1] === 'float64' ? Float64Array : Float32Array,
  threads = Number(opts[2] ?? 1),
  calls = Number(opts[3] ?? 9),
  methods = (opts[4] ?? 'direct,log,logScan,aggregate').split(','),
  rate = Number(opts[5] ?? 1e-4);
const builds = loadBuilds(specs);
const rnd = mulberry32(24);
const clean = { a: new C(n).map(() => rnd()), b: new C(n + 1).map(() => rnd() - 0.5) };
const nan = { a: clean.a.map((v) => (rnd() < rate ? NaN : v)), b: clean.b };
for (const d of [clean, nan]) {
  d.la = d.a.map((v) => Math.log(v));
  d.lb = d.b.map((v) => Math.log(Math.abs(v)));
  d.out = new C(n + 1);
  d.lout = { logAbs: new C(n + 1), sign: new Int8Array(n + 1) };
}
const call = (L, m, d) =>
  m === 'direct'
    ? () => L.scan(d.a, d.b, { out: d.out, threads })
    : m === 'log'
      ? () => L.scan(d.a, d.b, { out: d.out, threads, method: 'log' })
      : m === 'logScan'
        ? () => L.logScan(d.la, d.lb, { out: d.lout, threads })
        : () => L.aggregate(d.a, d.b.subarray(1), { threads });
const cases = [];
for (const m of methods)
  for (const bld of builds)
    for (const [kind, d] of [
      ['clean', clean],
      ['nan', nan],
    ])
      cases.push({ m, bld, kind, f: call(bld.L, m, d) });
const samples = timeAlternating(
  cases.map((c) => c.f),
  { warmup: 1, runs: calls, clock: cpuMs },
);
const ms = new Map(cases.map((c, i) => [`${c.m} ${c.bld.name} ${c.kind}`, median(samples[i])]));
console.log(`n=${n} ${C.name} threads=${threads} calls=${calls} NaN rate ${rate} (CPU ms, medians)`);
for (const m of methods) {
  const first = ms.get(`${m} ${builds[0].name} nan`);
  for (const bld of builds) {
    const c = ms.get(`${m} ${bld.name} clean`),
      x = ms.get(`${m} ${bld.name} nan`);
    const vs = bld === builds[0] ? '' : `  nan vs first build ${(x / first).toFixed(2)}x`;
    console.log(`${m.padEnd(9)} ${bld.name}: clean ${c.toFixed(2)} nan ${x.toFixed(2)}  nan/clean ${(x / c).toFixed(2)}x${vs}`);
  }
}
