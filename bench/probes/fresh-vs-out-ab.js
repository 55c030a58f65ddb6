#!/usr/bin/env node
'use strict';
// scan without out ÷ with out (issue 10 item 4) for two or more builds (A, B, ...) in one
// process: each round times one call of each of A fresh, A out, B fresh, B out, ... (order
// rotating by round), so that load falls on all alike. Prints per build the median of the per-round ratios fresh ÷
// out, the medians of each side, and the page faults and CPU time per call. A build is a
// package folder (dist/, package.json, node_modules, build-cmake/Release/linrec.node).
//   LINREC_PREBUILT=0 node bench/probes/fresh-vs-out-ab.js <dirA>,<dirB>[,...] [1e6,1e7] [rounds=15] [f32|f64]
const path = require('path');
const { mulberry32 } = require('../lib/random');

const dirs = process.argv[2].split(',').map((d) => path.resolve(d));
const builds = dirs.map((d) => require(d));
const sizes = (process.argv[3] || '1e6,1e7').split(',').map(Number);
const rounds = Number(process.argv[4] ?? 15);
const T = process.argv[5] === 'f64' ? Float64Array : Float32Array;
const med = (v) => {
  v = [...v].sort((x, y) => x - y);
  return v.length % 2 ? v[v.length >> 1] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

for (const n of sizes) {
  const rnd = mulberry32(21);
  const a = new T(n).map(() => rnd());
  const b = new T(n + 1).map(() => 3 * rnd());
  const out = new T(n + 1);
  const cases = [];
  builds.forEach((linrec, i) => {
    cases.push({ build: i, key: 'fresh', f: () => linrec.scan(a, b) });
    cases.push({ build: i, key: 'out', f: () => linrec.scan(a, b, { out }) });
  });
  for (const c of cases) Object.assign(c, { ms: [], faults: 0, cpu: 0 });
  const once = (c, record) => {
    const f0 = process.resourceUsage().minorPageFault;
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const x = c.f();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = process.cpuUsage(c0);
    if (record) {
      c.ms.push(ms);
      c.faults += process.resourceUsage().minorPageFault - f0;
      c.cpu += (cpu.user + cpu.system) / 1e3;
    }
    return x;
  };
  // Same results from both builds, fresh and into out.
  const ref = once(cases[1], false).slice();
  for (const c of cases) {
    const x = once(c, false);
    if (x.length !== ref.length || !x.every((v, k) => Object.is(v, ref[k]))) throw new Error(`build ${c.build} ${c.key} differs`);
  }
  for (let r = 0; r < 2; r++) for (const c of cases) once(c, false);
  for (let r = 0; r < rounds; r++) for (let k = 0; k < cases.length; k++) once(cases[(k + r) % cases.length], true);
  const line = (i) => {
    const [fresh, withOut] = cases.filter((c) => c.build === i);
    const ratios = fresh.ms.map((ms, k) => ms / withOut.ms[k]);
    const per = (c) => `${(c.faults / rounds).toFixed(0)} faults, ${(c.cpu / rounds).toFixed(1)} ms CPU`;
    return (
      `${path.basename(dirs[i])} fresh ÷ out ${med(ratios).toFixed(2)}x (median of rounds; ${med(fresh.ms).toFixed(2)} vs ${med(withOut.ms).toFixed(2)} ms); ` +
      `fresh ${per(fresh)}; out ${per(withOut)} per call`
    );
  };
  console.log(`n=${n} ${T.name}, ${rounds} rounds, load ${require('os').loadavg()[0].toFixed(2)}`);
  for (let i = 0; i < builds.length; i++) console.log('  ' + line(i));
}
