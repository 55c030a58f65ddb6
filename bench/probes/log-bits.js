#!/usr/bin/env node
'use strict';
// Two checkouts' log-method results bit for bit: logScan (logs with and without signs) and scan
// with method 'log' (raw inputs), float32/float64, forward and reverse, 1 and 2 threads, sizes
// with whole and partial tiles; logs typical, beyond the plain range (|l| > 270), with NaN, with
// -inf (zeros), and raw inputs with zeros and subnormals. Prints the cases that differ. The CPU
// engine's variant is the process's (LINREC_CPU_ISA=x86-64 for the baseline one).
//   LINREC_PREBUILT=0 [LINREC_CPU_ISA=x86-64] node bench/probes/log-bits.js <checkoutA> <checkoutB> [sizes]
const path = require('path');
const { mulberry32 } = require('../lib/random');

const A = require(path.resolve(process.argv[2]));
const B = require(path.resolve(process.argv[3]));
const sizes = (process.argv[4] || '1000,33357,300000').split(',').map(Number);
const rnd = mulberry32(11);
const kinds = {
  typical: () => Math.log(0.5 + 0.49 * rnd()),
  wide: () => (rnd() - 0.5) * 200,
  beyond: (i) => (i % 5000 === 7 ? 300 + rnd() * 100 : Math.log(rnd())),
  nan: (i) => (i === 20001 ? NaN : Math.log(0.2 + 0.8 * rnd())),
  zeros: (i) => (i % 7000 === 3 ? -Infinity : Math.log(0.5 + 0.5 * rnd())),
};
const same = (x, y) => Buffer.compare(Buffer.from(x.buffer, x.byteOffset, x.byteLength), Buffer.from(y.buffer, y.byteOffset, y.byteLength)) === 0;
let cases = 0,
  differ = 0;
for (const C of [Float64Array, Float32Array])
  for (const n of sizes)
    for (const [kind, draw] of Object.entries(kinds))
      for (const signed of [false, true]) {
        const la = C.from({ length: n }, (_, i) => draw(i)),
          lb = C.from({ length: n + 1 }, (_, i) => draw(i + 1) + 0.5);
        const sa = Int8Array.from({ length: n }, () => (rnd() < 0.3 ? -1 : 1)),
          sb = Int8Array.from({ length: n + 1 }, () => (rnd() < 0.3 ? -1 : 1));
        const a = signed ? { logAbs: la, sign: sa } : la,
          b = signed ? { logAbs: lb, sign: sb } : lb;
        for (const reverse of [false, true])
          for (const threads of [1, 2]) {
            const outs = [A, B].map(() => ({ logAbs: new C(n + 1), sign: new Int8Array(n + 1) }));
            A.logScan(a, b, { reverse, threads, device: 'cpu', out: outs[0] });
            B.logScan(a, b, { reverse, threads, device: 'cpu', out: outs[1] });
            cases++;
            if (!same(outs[0].logAbs, outs[1].logAbs) || !same(outs[0].sign, outs[1].sign)) {
              differ++;
              const i = outs[0].logAbs.findIndex((v, k) => !Object.is(v, outs[1].logAbs[k]) || outs[0].sign[k] !== outs[1].sign[k]);
              console.log(
                `logScan differs: ${C.name} n=${n} ${kind} signed=${signed} reverse=${reverse} threads=${threads}; first at ${i}: ${outs[0].logAbs[i]} ${outs[0].sign[i]} vs ${outs[1].logAbs[i]} ${outs[1].sign[i]}`,
              );
            }
            if (signed) continue;
            // raw inputs for the log method: e^l, so zeros (from -inf) and subnormals (l < -708) occur
            const ra = la.map(Math.exp),
              rb = lb.map((v, i) => (i % 3 ? 1 : -1) * Math.exp(v));
            const ro = [A, B].map(() => new C(n + 1));
            A.scan(ra, rb, { method: 'log', reverse, threads, device: 'cpu', out: ro[0] });
            B.scan(ra, rb, { method: 'log', reverse, threads, device: 'cpu', out: ro[1] });
            cases++;
            if (!same(ro[0], ro[1])) {
              differ++;
              console.log(`log scan differs: ${C.name} n=${n} ${kind} reverse=${reverse} threads=${threads}`);
            }
          }
      }
console.log(
  `variant ${
    require(path.join(path.resolve(process.argv[3]), 'dist/addon.js'))
      .addon()
      .info().cpuInstructionSet
  }: ${cases} cases, ${differ} differ`,
);
