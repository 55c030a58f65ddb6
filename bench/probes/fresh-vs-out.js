'use strict';
// scan without out ÷ with out (bench/lib/calls.js's "results" rows), with the page faults and
// CPU time of each side. Usage: node bench/probes/fresh-vs-out.js [n=1e7] [runs=9]
const linrec = require('../../dist');
const { compare } = require('../lib/calls');
const { mulberry32 } = require('../lib/random');

const n = Number(process.argv[2] ?? 1e7);
const runs = Number(process.argv[3] ?? 9);
const rnd = mulberry32(21);
const a = new Float32Array(n).map(() => rnd());
const b = new Float32Array(n + 1).map(() => 3 * rnd());
const out = new Float32Array(n + 1);
const faults = () => process.resourceUsage().minorPageFault;
const tally = { fresh: { faults: 0, cpu: 0, calls: 0 }, out: { faults: 0, cpu: 0, calls: 0 } };
const counted = (key, f) => () => {
  const f0 = faults();
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  tally[key].faults += faults() - f0;
  tally[key].cpu += (c.user + c.system) / 1e3;
  tally[key].calls++;
};
const [tf, to] = compare([counted('fresh', () => linrec.scan(a, b)), counted('out', () => linrec.scan(a, b, { out }))], { reps: 1, runs });
const per = (t) => `${(t.faults / t.calls).toFixed(0)} faults, ${(t.cpu / t.calls).toFixed(1)} ms CPU per call`;
console.log(
  `n=${n}: without out ÷ with out ${(tf / to).toFixed(2)}x (${tf.toFixed(1)} vs ${to.toFixed(1)} ms); fresh ${per(tally.fresh)}; out ${per(tally.out)}`,
);
