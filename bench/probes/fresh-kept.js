#!/usr/bin/env node
'use strict';
// Fresh results that stay alive (issue 10 item 4, bench/NOTES.md session 10): scans of 10^7
// float32 steps without `out`, the last 8 results kept, one call every `gap` ms (a server between
// requests); prints the median and each call's ms. Run builds in alternating processes:
//   LINREC_PREBUILT=0 node bench/probes/fresh-kept.js <package dir> [gap ms = 200] [calls = 12]
const path = require('path');
const linrec = require(path.resolve(process.argv[2] ?? path.join(__dirname, '../..')));
const n = 1e7;
const gap = Number(process.argv[3] ?? 200);
const calls = Number(process.argv[4] ?? 12);
const a = new Float32Array(n).fill(0.5);
const b = new Float32Array(n + 1).fill(1);
const ring = [];
const times = [];
linrec.scan(a, b, { out: new Float32Array(n + 1) });
(async () => {
  for (let i = 0; i < calls; i++) {
    await new Promise((resolve) => setTimeout(resolve, gap));
    const t0 = process.hrtime.bigint();
    const x = linrec.scan(a, b);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    ring.push(x);
    if (ring.length > 8) ring.shift();
  }
  const sorted = [...times].sort((p, q) => p - q);
  console.log(`median ${sorted[calls >> 1].toFixed(1)} ms; ` + times.map((t) => t.toFixed(0)).join(' '));
})();
