// keepFreedMemory in a process of its own, for test/19 (it changes the C library's setting for the
// whole process). Scans fresh 64 MB results, each dropped and garbage collected before the next,
// and prints the page faults the median call took.
//   LINREC_HUGE_PAGES=0 node test/kept-memory.child.js keep|default|keep-then-default
// Uses dist/ (npm run prepare).
'use strict';
const v8 = require('v8');
const vm = require('vm');
const linrec = require('../dist');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
const mode = process.argv[2];
const took = mode === 'default' ? false : linrec.keepFreedMemory(1 << 30);
if (mode === 'keep-then-default') linrec.keepFreedMemory(false);

const n = (64 << 20) / 4 - 1;
const a = new Float32Array(n).fill(0.5);
const b = new Float32Array(n + 1).fill(1);
const faults = () => process.resourceUsage().minorPageFault;
const counts = [];
let first;
for (let call = 0; call < 7; call++) {
  const f0 = faults();
  let x = linrec.scan(a, b, { threads: 1 });
  counts.push(faults() - f0);
  if (call === 0) first = x[n];
  else if (x[n] !== first) first = NaN;
  x = null;
  gc();
}
counts.sort((p, q) => p - q);
console.log(JSON.stringify({ took, faults: counts[counts.length >> 1], same: first === 2 }));
