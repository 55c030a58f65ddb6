'use strict';
// Hashes of the CUDA engine's float32 log-method results (the ExtendedFloat tile, warp-row and
// thread-row kernels), to compare two builds bit for bit on the emulation: run it once per build
// and diff the output. Scans of raw data (coefficients from tiny to large, with zeros, NaN and
// infinities, so that exponents leave 0 and the general paths run), logScan (exp and log
// conversions), forward and reverse, one long row (many tiles) and batches of rows.
// Usage: LINREC_ADDON=build-emu/Release/linrec.node LINREC_EMULATED_BLOCKS_IN_FLIGHT=48 \
//          node bench/probes/cuda-log-bits.js [checkout (default .)]
const crypto = require('crypto');
const path = require('path');

const linrec = require(path.resolve(process.argv[2] || '.'));
let state = 12345;
const uniform = () => {
  // mulberry32: the same inputs in every run
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
// Coefficients of magnitude e^[-spread, spread] with either sign; rare zeros and specials.
const coefficients = (n, spread, specials) =>
  Float32Array.from({ length: n }, () => {
    const u = uniform();
    if (specials && u < 0.0005) return [0, Infinity, -Infinity, NaN][Math.floor(uniform() * 4)];
    if (u < 0.002) return 0;
    return (uniform() < 0.5 ? -1 : 1) * Math.exp((uniform() * 2 - 1) * spread);
  });
const values = (n, scale) => Float32Array.from({ length: n }, () => (uniform() * 2 - 1) * scale);
const hash = (...arrays) => {
  const h = crypto.createHash('sha256');
  for (const x of arrays) h.update(Buffer.from(x.buffer, x.byteOffset, x.byteLength));
  return h.digest('hex').slice(0, 16);
};

const cases = [];
for (const { rows, n, spread, scale, specials } of [
  { rows: 1, n: 150 * 2048 - 5, spread: 0.05, scale: 1, specials: false }, // exponents stay 0 mostly
  { rows: 1, n: 150 * 2048 - 5, spread: 2, scale: 1e30, specials: false }, // the band left often
  { rows: 1, n: 60 * 2048 + 7, spread: 40, scale: 1e-30, specials: true },
  { rows: 5, n: 45 * 2048 - 1, spread: 1, scale: 1, specials: true },
  { rows: 300, n: 700, spread: 3, scale: 10, specials: true }, // warp rows
  { rows: 2000, n: 20, spread: 3, scale: 10, specials: true }, // thread rows
])
  for (const reverse of [false, true]) {
    const a = coefficients(rows * n, spread, specials);
    const b = values(rows * (n + 1), scale);
    const da = linrec.toDevice(a),
      db = linrec.toDevice(b);
    const out = linrec.scan(da, db, { rows, reverse, method: 'log', device: 'cuda' });
    cases.push([`scan log rows=${rows} n=${n} spread=${spread} reverse=${reverse} device`, hash(out.toHost())]);
    [da, db, out].forEach((d) => d.dispose());
    const host = linrec.scan(a, b, { rows, reverse, method: 'log', device: 'cuda' });
    cases.push([`scan log rows=${rows} n=${n} spread=${spread} reverse=${reverse} host`, hash(host)]);
    const la = Float32Array.from(a, (x) => Math.log(Math.abs(x)) * (uniform() < 0.5 ? 1 : 40));
    const lb = Float32Array.from(b, (x) => Math.log(Math.abs(x)) * 3);
    const r = linrec.logScan(la, lb, { rows, reverse, device: 'cuda' });
    cases.push([`logScan rows=${rows} n=${n} reverse=${reverse} host`, hash(r.logAbs, r.sign)]);
  }
for (const [name, h] of cases) console.log(`${h}  ${name}`);
