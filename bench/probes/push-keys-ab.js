#!/usr/bin/env node
'use strict';
// Scanner.push of one step on 10^5 keys (issue 10) for two builds and the JS loop over the states,
// alternating in one process (medians of 31 rounds of 20 calls). Each side allocates its 400 KB
// result a call; GLIBC_TUNABLES=glibc.malloc.mmap_threshold=131072 makes every allocation a fresh
// mapping (a page fault a page) instead of memory the heap hands back:
//   LINREC_PREBUILT=0 [GLIBC_TUNABLES=...] node bench/probes/push-keys-ab.js <dirA> <dirB>
const path = require('path');
const { timeAlternating, median } = require('../lib/timing');
const A = require(path.resolve(process.argv[2]));
const B = require(path.resolve(process.argv[3]));
const rows = 1e5;
const a = new Float32Array(rows).map(() => Math.random());
const b = new Float32Array(rows).map(() => Math.random());
const sa = A.createScanner({ rows });
const sb = B.createScanner({ rows });
const states = new Float32Array(rows);
const js = () => {
  const o = new Float32Array(rows);
  for (let i = 0; i < rows; i++) o[i] = states[i] = Math.fround(a[i] * states[i] + b[i]);
  return o;
};
const [ta, tb, tj] = timeAlternating([() => sa.push(a, b), () => sb.push(a, b), js], { warmup: 3, runs: 31, reps: 20 }).map(median);
const us = (t) => `${(t * 1e3).toFixed(1)} us`;
console.log(`A ${us(ta)}, B ${us(tb)}, JS ${us(tj)}; A ÷ JS ${(ta / tj).toFixed(2)}, B ÷ JS ${(tb / tj).toFixed(2)}`);
