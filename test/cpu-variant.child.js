// The CPU engine's key paths in a process of its own, for test/54: the engine's build for an
// instruction set (native/cpu/isa/) is chosen once per process, so LINREC_CPU_ISA (the cap) applies
// to a new process only.
//   LINREC_CPU_ISA=x86-64 node test/cpu-variant.child.js <seed>     (LINREC_ADDON: the build to test)
// Prints one JSON object: the variant that ran, and per case the worst mixed error against a float64
// loop (|x - ref| / (|ref| + mean|ref|)) and a digest of the result at 1 thread and at 3 (the engine's
// results do not depend on the thread count). Uses dist/ (npm run prepare).
'use strict';
const crypto = require('crypto');
const linrec = require('../dist');
const { addon } = require('../dist/addon');
const { mixedError } = require('../dist/yardstick');

let state = Number(process.argv[2]) >>> 0 || 1;
const uniform = () => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 4294967296;
};
const digest = (...arrays) => {
  const h = crypto.createHash('sha256');
  for (const x of arrays) h.update(Buffer.from(x.buffer, x.byteOffset, x.byteLength));
  return h.digest('hex').slice(0, 16);
};
// Rows of n steps, a ~ U(0.5, 0.99) (or of either sign), b ~ U(-0.5, 0.5), in scan()'s layout.
function problem(C, rows, n, signed) {
  const a = new C(rows * n),
    v = new C(rows * (n + 1));
  for (let i = 0; i < a.length; i++) a[i] = (signed && uniform() < 0.3 ? -1 : 1) * (0.5 + 0.49 * uniform());
  for (let i = 0; i < v.length; i++) v[i] = uniform() - 0.5;
  return { a, v };
}
// The loop in float64 over rows, as sequential() (reverse: from v[n] down to index 0).
function reference(a, v, rows, n, reverse) {
  const x = new Float64Array(rows * (n + 1));
  for (let r = 0, s; r < rows; r++) {
    const o = r * (n + 1),
      ar = r * n;
    if (!reverse) {
      x[o] = s = v[o];
      for (let t = 1; t <= n; t++) x[o + t] = s = a[ar + t - 1] * s + v[o + t];
    } else {
      x[o + n] = s = v[o + n];
      for (let t = n - 1; t >= 0; t--) x[o + t] = s = a[ar + t] * s + v[o + t];
    }
  }
  return x;
}

const cases = {};
const run = (name, threads1, threads3, error) => {
  cases[name] = { error, bits1: threads1, bits3: threads3 };
};
for (const C of [Float32Array, Float64Array]) {
  const type = C === Float32Array ? 'float32' : 'float64';
  // the direct method: whole tiles and a partial one, 2 rows, forward and reverse; short rows
  for (const [rows, n, reverse] of [
    [2, 12 * 8320 + 77, false],
    [2, 12 * 8320 + 77, true],
    [500, 64, false],
  ]) {
    const { a, v } = problem(C, rows, n, false);
    const scan = (threads) => linrec.scan(a, v, { rows, reverse, threads, device: 'cpu' });
    const x = scan(1);
    run(`${type} direct rows=${rows} n=${n} reverse=${reverse}`, digest(x), digest(scan(3)), mixedError(x, reference(a, v, rows, n, reverse)));
  }
  // reverse rows step through the same tiles and lanes as the forward scan of the rows reversed, the
  // same operations in the same order (session 11: reverse rows take the lane vectors too), so the
  // same bits: coefficients near 1 with signs and zeros (lane products that matter) and U(0, 1)
  // (products that underflow)
  for (const [label, coefficient] of [
    ['near 1', () => (uniform() < 0.001 ? 0 : (uniform() < 0.3 ? -1 : 1) * (1 + (uniform() - 0.5) * 1e-3))],
    ['U(0, 1)', uniform],
  ]) {
    const rows = 2,
      n = 12 * 8320 + 77;
    const a = C.from({ length: rows * n }, coefficient),
      v = C.from({ length: rows * (n + 1) }, () => uniform() - 0.5);
    const mirror = (x, m) => {
      const y = new C(x.length);
      for (let r = 0; r < rows; r++) for (let t = 0; t < m; t++) y[r * m + t] = x[r * m + m - 1 - t];
      return y;
    };
    const reversed = (threads) => linrec.scan(a, v, { rows, reverse: true, threads, device: 'cpu' });
    const x = reversed(1),
      forward = mirror(linrec.scan(mirror(a, n), mirror(v, n + 1), { rows, threads: 1, device: 'cpu' }), n + 1);
    const same = Buffer.compare(Buffer.from(x.buffer), Buffer.from(forward.buffer)) === 0;
    run(`${type} direct reverse mirrors forward, a ${label}`, digest(x), digest(reversed(3)), same ? 0 : 1);
  }
  // float64 results past 32 MiB: streamed, and at 1 thread each rescan paired with the next tile's phase 1
  if (C === Float64Array) {
    const n = 4200017,
      { a, v } = problem(C, 1, n, true);
    const scan = (threads) => linrec.scan(a, v, { threads, device: 'cpu' });
    const x = scan(1);
    run(`float64 direct streamed n=${n}`, digest(x), digest(scan(3)), mixedError(x, reference(a, v, 1, n, false)));
  }
  // the log method, logScan (positive logs), and aggregate
  {
    const n = 12 * 8320 + 5,
      { a, v } = problem(C, 1, n, true);
    const ref = reference(a, v, 1, n, false);
    const scan = (threads) => linrec.scan(a, v, { threads, device: 'cpu', method: 'log' });
    const x = scan(1);
    run(`${type} log n=${n}`, digest(x), digest(scan(3)), mixedError(x, ref));
    const agg = (threads) => linrec.aggregate(a, v.subarray(1), { threads, device: 'cpu' });
    const g = agg(1),
      g3 = agg(3);
    let product = 1;
    for (let i = 0; i < n; i++) product *= a[i];
    const B = ref[n] - product * v[0]; // x_n = A·x_0 + B
    // A: the product of 10^5 factors underflows (to 0 here as in the loop) unless something is wrong
    const errorA = Math.abs(product) > 1e-290 ? Math.abs(g.A[0] - product) / Math.abs(product) : Math.abs(g.A[0]) < 1e-30 ? 0 : 1;
    run(`${type} aggregate n=${n}`, digest(g.A, g.B), digest(g3.A, g3.B), Math.max(errorA, Math.abs(g.B[0] - B) / (Math.abs(B) + 1)));
  }
  {
    const n = 12 * 8320 + 5,
      { a, v } = problem(C, 1, n, false);
    for (let i = 0; i < v.length; i++) v[i] = Math.abs(v[i]) + 0.01; // positive: real logs
    const ref = reference(a, v, 1, n, false);
    const logs = (x) => C.from(x, Math.log);
    const la = logs(a),
      lv = logs(v);
    const scan = (threads) => linrec.logScan(la, lv, { threads, device: 'cpu' });
    const x = scan(1),
      x3 = scan(3);
    run(`${type} logScan n=${n}`, digest(x.logAbs, x.sign), digest(x3.logAbs, x3.sign), mixedError(Float64Array.from(x.logAbs, Math.exp), ref));
  }
}
console.log(JSON.stringify({ instructionSet: addon().info().cpuInstructionSet, cases }));
