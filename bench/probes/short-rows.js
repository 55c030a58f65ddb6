'use strict';
// Short rows against one row: 4·10^6 float32 steps as rows of `len` (x_0 in values, out given)
// and as one row, alternating, medians of 15 calls (bench/NOTES.md, session 8: the direct
// method's short rows one after another). Loads the addon LINREC_ADDON names, else the usual one.
// Usage: node bench/probes/short-rows.js [len=100] [threads=2]
const linrec = require('../..');

const total = 4e6;
const len = Number(process.argv[2] || 100);
const threads = Number(process.argv[3] || 2);
const rows = total / len;
const random = (n) => Float32Array.from({ length: n }, () => Math.random() - 0.5);
const a = random(total);
const b = random(rows * (len + 1));
const out = new Float32Array(rows * (len + 1));
const a1 = random(total);
const b1 = random(total + 1);
const out1 = new Float32Array(total + 1);
const time = (f) => {
  const s = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - s) / 1e6;
};
const median = (v) => v.sort((x, y) => x - y)[v.length >> 1];
const many = [];
const one = [];
for (let k = 0; k < 15; k++) {
  many.push(time(() => linrec.scan(a, b, { rows, out, threads })));
  one.push(time(() => linrec.scan(a1, b1, { out: out1, threads })));
}
const [tm, t1] = [median(many), median(one)];
console.log(`len ${len} threads ${threads}: rows ${tm.toFixed(2)} ms, one row ${t1.toFixed(2)} ms, ratio ${(tm / t1).toFixed(2)}`);
