#!/usr/bin/env node
'use strict';
// One thread of several builds (package folders, as one-thread-ab.js) against the plain C++ loop
// (the last build's addon().sequentialNative), in alternating rounds on one clock; prints per size
// the medians of the per-round ratios loop ÷ build (> 1: the build is faster) and whether the
// builds' results agree bit for bit. The CPU engine's variant is the process's: run it with
// LINREC_CPU_ISA=x86-64 for the baseline (SSE2) one. CPU time (clock=cpu, the default) is steadier
// than wall time on a loaded machine.
//   LINREC_PREBUILT=0 [LINREC_CPU_ISA=x86-64] node bench/probes/variant-ab.js <op> <dtype> <sizes> <dir>...
//   op: direct | log (scan with method 'log') | logscan (logScan of positive logs) | aggregate |
//       short (rows of 64 steps, about n steps in all; the loop does n); dtype: float32 | float64; sizes: 1e5,1e6,1e7
//   env ROUNDS (15), CLOCK (cpu | wall), COEFFS (unit: a ~ U(0, 1), whose lane products underflow;
//   normal: a ~ N(0, 1); near1: a ~ U(0.9, 1.1); default a ~ U(0.5, 0.99)), REVERSE=1 (direct and
//   log scans in reverse; the loop still runs forward, the same work)
const path = require('path');
const { mulberry32 } = require('../lib/random');
const { cpuMs, nowMs, median, timeAlternating } = require('../lib/timing');
const { loopSpec } = require('../lib/loop-spec');

const [op, dtype, sizeList, ...dirs] = process.argv.slice(2);
const builds = dirs.map((d) => require(path.resolve(d)));
const native = require(path.join(path.resolve(dirs[dirs.length - 1]), 'dist/addon.js')).addon();
const C = dtype === 'float64' ? Float64Array : Float32Array;
const rounds = Number(process.env.ROUNDS ?? 15);
const clock = process.env.CLOCK === 'wall' ? nowMs : cpuMs;
const rnd = mulberry32(10);
console.log(
  `variant ${native.info().cpuInstructionSet}, ${op} ${dtype}, clock ${process.env.CLOCK ?? 'cpu'}, coefficients ${process.env.COEFFS ?? 'U(0.5, 0.99)'}${process.env.REVERSE === '1' ? ', reverse' : ''}`,
);
for (const n of sizeList.split(',').map(Number)) {
  const normal = () => Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());
  const coefficient =
    {
      unit: rnd,
      normal,
      near1: () => 0.9 + 0.2 * rnd(),
    }[process.env.COEFFS ?? ''] ?? (() => 0.5 + 0.49 * rnd());
  const a = new C(n).map(() => coefficient()),
    b = new C(n + 1).map(() => rnd() - 0.5);
  const loopOut = new C(n + 1);
  const spec = loopSpec(a, b, loopOut, n);
  const outs = builds.map(() => new C(n + 1));
  let call;
  const reverse = process.env.REVERSE === '1';
  if (op === 'direct' || op === 'log') call = (L, i) => () => L.scan(a, b, { threads: 1, device: 'cpu', method: op, reverse, out: outs[i] });
  else if (op === 'logscan') {
    const la = a.map(Math.log),
      lb = b.map((v) => Math.log(Math.abs(v) + 0.01));
    const logOuts = builds.map(() => ({ logAbs: new C(n + 1), sign: new Int8Array(n + 1) }));
    call = (L, i) => () => {
      L.logScan(la, lb, { threads: 1, device: 'cpu', out: logOuts[i] });
      outs[i].set(logOuts[i].logAbs);
    };
  } else if (op === 'aggregate')
    call = (L, i) => () => {
      const r = L.aggregate(a, b.subarray(1), { threads: 1, device: 'cpu' });
      outs[i][0] = r.A[0];
      outs[i][1] = r.B[0];
    };
  else if (op === 'short') {
    const rows = Math.floor(n / 65);
    const coeffs = a.subarray(0, rows * 64);
    call = (L, i) => () => L.scan(coeffs, b.subarray(0, rows * 65), { rows, threads: 1, device: 'cpu', out: outs[i].subarray(0, rows * 65) });
  } else throw new Error(`unknown op ${op}`);
  const fns = [() => native.sequentialNative(spec), ...builds.map(call)];
  const reps = Math.max(1, Math.round(2e6 / n));
  const t = timeAlternating(fns, { warmup: 2, runs: rounds, reps, clock });
  const ratios = builds.map((_, j) => median(t[0].map((l, r) => l / t[j + 1][r])).toFixed(3));
  const same = outs.every((o) => Buffer.compare(Buffer.from(o.buffer), Buffer.from(outs[0].buffer)) === 0);
  console.log(
    `n=${n}: loop ${median(t[0]).toFixed(3)} ms, builds ${builds.map((_, j) => median(t[j + 1]).toFixed(3)).join(' / ')} ms | loop÷build ${ratios.join(' / ')} | same=${same}`,
  );
}
