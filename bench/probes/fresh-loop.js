#!/usr/bin/env node
'use strict';
// A user's loop of scans without `out` (issue 10 item 4): n float32 steps, a fresh result each
// call then one scan into a kept `out`, 16 calls, the first two dropped; prints the medians, their
// ratio and the page faults of a fresh call. Run builds in alternating processes:
//   LINREC_PREBUILT=0 node bench/probes/fresh-loop.js <package dir> [n = 1e7]
const path = require('path');
const linrec = require(path.resolve(process.argv[2] ?? path.join(__dirname, '../..')));
const n = Number(process.argv[3] ?? 1e7);
const a = new Float32Array(n).fill(0.5);
const b = new Float32Array(n + 1).fill(1);
const out = new Float32Array(n + 1);
const faults = () => process.resourceUsage().minorPageFault;
const fresh = [];
const kept = [];
const faulted = [];
for (let i = 0; i < 16; i++) {
  const f0 = faults();
  const t0 = performance.now();
  linrec.scan(a, b);
  const t1 = performance.now();
  faulted.push(faults() - f0);
  linrec.scan(a, b, { out });
  const t2 = performance.now();
  if (i < 2) continue;
  fresh.push(t1 - t0);
  kept.push(t2 - t1);
}
const median = (v) => v.slice().sort((p, q) => p - q)[v.length >> 1];
console.log(
  `${path.basename(path.resolve(process.argv[2] ?? '.'))} n=${n}: fresh ${median(fresh).toFixed(1)} ms, out ${median(kept).toFixed(1)} ms, ` +
    `ratio ${(median(fresh) / median(kept)).toFixed(2)}, faults ${median(faulted)} a fresh call`,
);
