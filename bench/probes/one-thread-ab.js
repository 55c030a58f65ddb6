#!/usr/bin/env node
'use strict';
// Probe for issue 10 item 5 (one thread vs the plain loop): two builds of linrec, A and B, timed
// in one process in alternating rounds (15 rounds of medians after warm-up), against the plain C++
// loop (B's addon().sequentialNative), scan 'direct', threads: 1, preallocated `out`, inputs
// a ~ U(0.5, 0.99), b ~ U(-0.5, 0.5). Prints loop ÷ A, loop ÷ B and A ÷ B (> 1: the second is
// faster) and whether A and B agree bit for bit. A build is a package folder (dist/, scripts/,
// package.json, node_modules, build-cmake/Release/linrec.node), e.g. a copy made before a change.
//   LINREC_PREBUILT=0 node bench/probes/one-thread-ab.js <dirA> <dirB> [1e5,1e6,1e7]
const path = require('path');
const dirA = path.resolve(process.argv[2]),
  dirB = path.resolve(process.argv[3]);
const A = require(dirA),
  B = require(dirB);
const native = require(path.join(dirB, 'dist/addon.js')).addon();
const { loopSpec } = require('../lib/loop-spec');
const med = (v) => {
  v = [...v].sort((x, y) => x - y);
  return v[v.length >> 1];
};
const sizes = (process.argv[4] || '1e5,1e6,1e7').split(',').map(Number);
for (const T of [Float32Array, Float64Array])
  for (const n of sizes) {
    const a = new T(n),
      b = new T(n + 1);
    for (let i = 0; i < n; i++) {
      a[i] = 0.5 + 0.49 * Math.random();
      b[i + 1] = Math.random() - 0.5;
    }
    const o0 = new T(n + 1),
      o1 = new T(n + 1),
      o2 = new T(n + 1),
      s = loopSpec(a, b, o0, n);
    const reps = n >= 1e7 ? 3 : n >= 1e6 ? 10 : 50;
    const time = (f) => {
      const t = process.hrtime.bigint();
      for (let r = 0; r < reps; r++) f();
      return Number(process.hrtime.bigint() - t) / reps / 1e6;
    };
    const L = () => native.sequentialNative(s);
    const EA = () => A.scan(a, b, { device: 'cpu', threads: 1, out: o1 }),
      EB = () => B.scan(a, b, { device: 'cpu', threads: 1, out: o2 });
    time(L);
    time(EA);
    time(EB);
    const t = { L: [], A: [], B: [] },
      rLA = [],
      rLB = [],
      rAB = [];
    for (let k = 0; k < 15; k++) {
      const l = time(L),
        x = time(EA),
        y = time(EB);
      t.L.push(l);
      t.A.push(x);
      t.B.push(y);
      rLA.push(l / x);
      rLB.push(l / y);
      rAB.push(x / y);
    }
    let same = true;
    for (let i = 0; i <= n; i++)
      if (!Object.is(o1[i], o2[i])) {
        same = false;
        break;
      }
    console.log(
      `${T.name.slice(0, 7)} n=${n}: loop ${med(t.L).toFixed(3)} A ${med(t.A).toFixed(3)} B ${med(t.B).toFixed(3)} ms | loop/A ${med(rLA).toFixed(3)} loop/B ${med(rLB).toFixed(3)} A/B ${med(rAB).toFixed(3)} [${Math.min(...rAB).toFixed(2)}-${Math.max(...rAB).toFixed(2)}] same=${same}`,
    );
  }
