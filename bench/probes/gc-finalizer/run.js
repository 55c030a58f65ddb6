// node bench/probes/gc-finalizer/run.js [rounds]: 10^7-float32 results in a synchronous loop,
// over the probe's reused blocks against plain Float32Arrays (one write per 4 KB page, so the
// time is the page faults), and what happens to a reused block's buffer on transfer.
'use strict';
const path = require('path');
const m = require(path.join(__dirname, 'pool.node'));
const rounds = Number(process.argv[2] || 60);
const n = 1e7;
const touch = (x, k) => {
  for (let i = 0; i < n; i += 1024) x[i] = k;
  return x;
};
let sum = 0;
const t0 = process.hrtime.bigint();
for (let k = 0; k < rounds; k++) sum += touch(new Float32Array(m.allocate(n * 4)), k)[0];
const t1 = process.hrtime.bigint();
for (let k = 0; k < rounds; k++) sum += touch(new Float32Array(n), k)[0];
const t2 = process.hrtime.bigint();
console.log(`pooled ${(Number(t1 - t0) / rounds / 1e6).toFixed(2)} ms/call, plain ${(Number(t2 - t1) / rounds / 1e6).toFixed(2)} ms/call`, m.stats(), sum);
const ab = m.allocate(4096);
console.log(
  'ArrayBuffer.prototype.transfer:',
  typeof ArrayBuffer.prototype.transfer === 'function' ? 'present (it would move this block to a new buffer)' : 'absent',
);
const copy = structuredClone(ab, { transfer: [ab] });
console.log(`structuredClone with transfer: sender keeps ${ab.byteLength} bytes, receiver ${copy.byteLength} (a copy)`);
