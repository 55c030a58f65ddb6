#!/usr/bin/env node
'use strict';
// Probe for issue 10 (log method, one thread): times, interleaved in rounds so that load drifts
// hit every case alike, scan 'direct', scan 'log' and logScan on the seed's inputs, and the
// plain C++ loop (addon().sequentialNative), each with a preallocated `out`; prints the min and
// the median per case and their ratios to direct, in wall time and in the process's CPU time
// (user + system: what a loaded machine distorts least). Usage:
//   node bench/probes/log-method.js [n=1e7] [dtype=float32] [dist=normal|uniform] [threads=all] [rounds=9]
const linrec = require('../../dist');
const { addon } = require('../../dist/addon');
const { loopSpec } = require('../lib/loop-spec');

const [n = 1e7, dtype = 'float32', dist = 'normal', threadsArg, roundsArg] = process.argv.slice(2);
const N = Number(n);
const C = dtype === 'float64' ? Float64Array : Float32Array;
const threads = threadsArg ? Number(threadsArg) : linrec.backends().cpu.threads;
const rounds = Number(roundsArg ?? 9);

let s = 12345;
const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 4294967296;
const normal = () => Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());
const a = new C(N),
  b = new C(N + 1);
for (let i = 0; i < N; i++) a[i] = dist === 'uniform' ? rnd() : normal();
for (let i = 0; i <= N; i++) b[i] = dist === 'uniform' ? 3 * rnd() : normal();
const out = new C(N + 1);
const la = a.map(Math.log),
  lb = b.map(Math.log);
const logOut = { logAbs: new C(N + 1), sign: new Int8Array(N + 1) };
const spec = loopSpec(a, b, out, N);

const cases = {
  direct: () => linrec.scan(a, b, { device: 'cpu', threads, out }),
  log: () => linrec.scan(a, b, { device: 'cpu', threads, method: 'log', out }),
  cppLoop: () => addon().sequentialNative(spec),
};
if (dist === 'uniform') cases.logScan = () => linrec.logScan(la, lb, { device: 'cpu', threads, out: logOut });

const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
const cpuTimes = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (const f of Object.values(cases)) f(); // warm-up
for (let r = 0; r < rounds; r++)
  for (const [k, f] of Object.entries(cases)) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    f();
    times[k].push(Number(process.hrtime.bigint() - t0) / 1e6);
    const c = process.cpuUsage(c0);
    cpuTimes[k].push((c.user + c.system) / 1e3);
  }
const stat = (xs) => {
  const v = [...xs].sort((p, q) => p - q);
  return { min: v[0], median: v[v.length >> 1] };
};
const d = stat(times.direct),
  dc = stat(cpuTimes.direct);
const os = require('os');
console.log(`n=${N} ${dtype} ${dist} threads=${threads} rounds=${rounds} load=${os.loadavg()[0].toFixed(2)} (${os.cpus().length} cores)`);
for (const k of Object.keys(cases)) {
  const t = stat(times[k]),
    c = stat(cpuTimes[k]);
  console.log(
    `${k.padEnd(8)} wall min ${t.min.toFixed(2).padStart(8)} median ${t.median.toFixed(2).padStart(8)} ms (÷direct ${(t.min / d.min).toFixed(2)}x, ${(t.median / d.median).toFixed(2)}x)` +
      `  cpu min ${c.min.toFixed(2).padStart(8)} median ${c.median.toFixed(2).padStart(8)} ms (÷direct ${(c.min / dc.min).toFixed(2)}x, ${(c.median / dc.median).toFixed(2)}x)`,
  );
}
