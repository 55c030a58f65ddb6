#!/usr/bin/env node
'use strict';
// Hashes of CPU scans (direct and log methods, logScan with signs, float32 and float64, forward
// and reverse, 1 and 2 threads; random rows, rows with resets, decays that underflow and huge x's) to show that a
// change to the carries' hand-over keeps every bit: run against two builds, and with
// LINREC_TEST_CPU_HELP_AT_ONCE=1 (every late tile composed by the waiting thread). Session 16.
//   LINREC_ADDON=<build>/Release/linrec.node node bench/probes/cpu-help-bits.js <checkout>
const path = require('path');
const crypto = require('crypto');
const L = require(path.resolve(process.argv[2] ?? '.'));
let seed = 11;
const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
const hash = crypto.createHash('md5');
for (const C of [Float32Array, Float64Array])
  for (const [rows, n] of [
    [1, 1 << 20],
    [3, 300007],
  ])
    for (const kind of ['random', 'resets', 'decay']) {
      const a = new C(rows * n).map(() => (kind === 'decay' ? 0.999 + rnd() * 1e-3 : rnd() * 1.2 - 0.1));
      const v = new C(rows * (n + 1)).map(() => rnd() * 2 - 1);
      if (kind !== 'random')
        for (let i = 0; i < a.length; i += 7919) {
          a[i] = 0;
          v[i + Math.floor(i / n)] = C === Float32Array ? 1e30 : 1e300;
          if (kind === 'decay')
            for (let j = i + 1; j < Math.min(a.length, i + 3000); j++) {
              a[j] = 0.6;
              v[j + Math.floor(j / n)] = 0;
            }
        }
      for (const method of ['direct', 'log'])
        for (const reverse of [false, true])
          for (const threads of [1, 2]) {
            const x = L.scan(a, v, { rows, method, reverse, threads });
            hash.update(Buffer.from(x.buffer, x.byteOffset, x.byteLength));
          }
      // logScan of the same data's logs with signs (staged tiles)
      const logs = (x) => ({ logAbs: x.map((y) => Math.log(Math.abs(y))), sign: Int8Array.from(x, (y) => (y < 0 ? -1 : 1)) });
      const la = logs(a);
      const lv = logs(v);
      for (const reverse of [false, true])
        for (const threads of [1, 2]) {
          const x = L.logScan(la, lv, { rows, reverse, threads });
          hash.update(Buffer.from(x.logAbs.buffer, x.logAbs.byteOffset, x.logAbs.byteLength)).update(x.sign);
        }
    }
console.log(hash.digest('hex'));
