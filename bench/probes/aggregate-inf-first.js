#!/usr/bin/env node
'use strict';
// Wall time of a one-thread CPU aggregate of n = 2^23 steps (a = 0.5, b = 1) as it is, with a
// first coefficient ±inf (composed in order by composeFromInfinite), and with the ±inf second
// (the joins): session 24's review finding, the ±inf-first row composed twice. Means of 5 calls
// after one; run against two builds (LINREC_ADDON) in alternation.
//   LINREC_ADDON=<build>/Release/linrec.node node bench/probes/aggregate-inf-first.js [checkout]
const path = require('path');
const L = require(path.resolve(process.argv[2] ?? '.'));
for (const C of [Float64Array, Float32Array]) {
  const n = 1 << 23;
  const a = new C(n).fill(0.5),
    b = new C(n).fill(1);
  const t = (f) => {
    f();
    const s = process.hrtime.bigint();
    for (let i = 0; i < 5; i++) f();
    return Number(process.hrtime.bigint() - s) / 5e6;
  };
  const base = t(() => L.aggregate(a, b, { threads: 1 }));
  a[0] = Infinity;
  const infFirst = t(() => L.aggregate(a, b, { threads: 1 }));
  a[0] = 0.5;
  a[1] = Infinity;
  const infSecond = t(() => L.aggregate(a, b, { threads: 1 }));
  console.log(C.name, { base, infFirst, infSecond });
}
