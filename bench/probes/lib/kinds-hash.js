'use strict';
// The frame that cpu-bits-hash.js and cpu-log-bits-hash.js share: fixed pseudo-random rows per
// data kind (float32 and float64; n = 10^6, 26194, 3001, the last as 3 rows), one md5 per kind
// over what the probe hashes of them, and which calls differ between threads 1, 2 and 4. The
// numbers are drawn in the order the probes drew them before (session 24), so their recorded
// hashes (bench/NOTES.md) still hold.
const crypto = require('crypto');

let seed = 11;
const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
const bytesOf = (x) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);

/**
 * For each kind `name: [coefficient, value]` (generators) whose name `only` matches, and each
 * shape: `each({ C, rows, n, a, b, hash, threads })`, where hash(bytes) adds to the kind's md5 and
 * threads(what, run) hashes run(1)'s bytes and notes `what` if run(2) or run(4) differ. Prints a
 * line per kind and the summary.
 */
function hashKinds(kinds, only, each) {
  const all = crypto.createHash('md5');
  const threadsDiffer = [];
  for (const [name, [fa, fb]] of Object.entries(kinds)) {
    if (!only.test(name)) continue;
    const h = crypto.createHash('md5');
    const hash = (bytes) => h.update(bytes);
    const threads = (what, run) => {
      const bytes = [1, 2, 4].map(run);
      h.update(bytes[0]);
      if (!bytes[0].equals(bytes[1]) || !bytes[0].equals(bytes[2])) threadsDiffer.push(`${name} ${what}`);
    };
    for (const C of [Float32Array, Float64Array])
      for (const [rows, n] of [
        [1, 1000000],
        [1, 26194],
        [3, 3001],
      ]) {
        const a = new C(rows * n).map(fa),
          b = new C(rows * (n + 1)).map(fb);
        each({ C, rows, n, a, b, hash, threads });
      }
    const d = h.digest('hex').slice(0, 8);
    all.update(d);
    console.log(`${name}: ${d}`);
  }
  console.log(`all: ${all.digest('hex').slice(0, 8)}; threads 1, 2, 4 differ: ${threadsDiffer.join(', ') || 'none'}`);
}

module.exports = { rnd, gauss, bytesOf, hashKinds };
