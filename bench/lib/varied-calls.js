'use strict';
// A varied mix of public calls, as a long-running process (a server, the bench harness) makes
// them: both dtypes, every scan option in several orders, sizes on the JS path, the lean entry and
// the general path, the log methods, logScan, aggregate, Scanners, scanAsync, sequential and
// rejected calls. Run before timing the small calls to see what such a process pays for them.
const { mulberry32 } = require('./random');

function arrays(Ctor, n, rows, seed) {
  const rnd = mulberry32(seed);
  const a = new Ctor(rows * n);
  const b = new Ctor(rows * (n + 1));
  for (let i = 0; i < a.length; i++) a[i] = rnd();
  for (let i = 0; i < b.length; i++) b[i] = 3 * rnd();
  return { a, b };
}

/** `rounds` passes over the mix with `linrec` (a require('dist') copy). */
async function variedCalls(linrec, rounds = 100) {
  const threads = linrec.backends().cpu.threads;
  for (const [Ctor, dtype] of [
    [Float32Array, 'float32'],
    [Float64Array, 'float64'],
  ]) {
    for (const n of [4, 16, 40, 100, 1000, 5000]) {
      const { a, b } = arrays(Ctor, n, 1, n);
      const out = new Ctor(n + 1);
      const two = arrays(Ctor, n, 2, n + 1);
      const out2 = new Ctor(2 * (n + 1));
      const la = a.map(Math.log);
      const lb = b.map(Math.log);
      const lout = { logAbs: new Ctor(n + 1), sign: new Int8Array(n + 1) };
      const rr = Math.max(4, Math.round(rounds / Math.sqrt(n / 4)));
      for (let i = 0; i < rr; i++) {
        linrec.scan(a, b);
        linrec.scan(a, b, { out });
        linrec.scan(a, b, { out, reverse: true });
        linrec.scan(a, b, { reverse: false, out, threads: 1 });
        linrec.scan(a, b, { device: 'cpu', threads, out });
        linrec.scan(a, b, { device: 'cpu', threads: 1, method: 'direct', out });
        linrec.scan(two.a, two.b, { rows: 2, out: out2 });
        linrec.scan(a, b, { method: 'log', out });
        linrec.scan(a, b, { device: 'auto', method: 'log' });
        linrec.logScan(la, lb, { out: lout });
        linrec.aggregate(a, b.subarray(1));
        linrec.aggregate(two.a, two.b.subarray(2), { rows: 2, reverse: true });
        linrec.sequential(a, b, { out });
        try {
          linrec.scan(a, b, { out: new Ctor(1) });
        } catch {
          // a rejected call is part of the mix
        }
      }
      const scanners = [
        linrec.createScanner({ dtype }),
        linrec.createScanner({ dtype, reverse: true }),
        linrec.createScanner({ dtype, rows: 2 }),
        linrec.createScanner({ dtype, log: true }),
        linrec.createScanner({ dtype, method: 'log', threads: 1 }),
      ];
      for (let i = 0; i < rr; i++) {
        for (const s of scanners) {
          if (s.rows === 2) s.push(two.a, two.b.subarray(2));
          else s.push(a, b.subarray(1));
        }
      }
      for (let i = 0; i < rr; i++) {
        await linrec.scanAsync(a, b, { out });
        await linrec.scanAsync(a, b);
      }
    }
  }
}

module.exports = { variedCalls };
