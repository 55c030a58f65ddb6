#!/usr/bin/env node
// The seed paper's example (Heinsen, arXiv 2311.06281): 10^7 steps of x_t = a_t·x_{t-1} + b_t,
// its general case (a, b ~ N(0,1), any signs) and its special case (a ~ U(0,1), b ~ U(0,3),
// nothing negative), on the best backend, against the sequential loop. `npm start`.
const linrec = require('..');
// The yardstick of the README's accuracy tables: the float64 loop and the mixed error.
const { reference, mixedError } = require('../dist/yardstick');

const n = Number(process.env.N || 1e7);
const device = linrec.backends().cuda.available ? 'cuda' : 'cpu';

let seed = Date.now() >>> 0 || 1;
const uniform = () => {
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed / 4294967296;
};
const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());

function time(f) {
  f(); // warm-up
  const runs = [];
  let out;
  for (let k = 0; k < 5; k++) {
    const t0 = process.hrtime.bigint();
    out = f();
    runs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  runs.sort((p, q) => p - q);
  return { ms: runs[2], out };
}

const rows = [];
function run(caseName, a, v, variants) {
  const ref = reference(a, v);
  const loop = time(() => linrec.sequential(a, v));
  rows.push({ case: caseName, what: 'sequential loop (JS, float32)', ms: loop.ms, speedup: 1, err: mixedError(loop.out, ref) });
  for (const [what, f, toX] of variants) {
    const r = time(f);
    rows.push({ case: caseName, what, ms: r.ms, speedup: loop.ms / r.ms, err: mixedError(toX ? toX(r.out) : r.out, ref) });
  }
}

console.log(
  `linrec ${require('../package.json').version}: n = ${n.toExponential(0)}, float32, device ${device} (${linrec.backends().cpu.threads} CPU threads)\n`,
);

{
  const a = new Float32Array(n).map(normal);
  const v = new Float32Array(n + 1).map(normal);
  run('general: a, b ~ N(0,1)', a, v, [
    ["scan, method 'direct'", () => linrec.scan(a, v, { device })],
    ["scan, method 'log' (signed logs)", () => linrec.scan(a, v, { device, method: 'log' })],
  ]);
}
{
  const a = new Float32Array(n).map(uniform);
  const v = new Float32Array(n + 1).map(() => 3 * uniform());
  const logA = a.map(Math.log);
  const logV = v.map(Math.log);
  run('special: a ~ U(0,1), b ~ U(0,3)', a, v, [
    ["scan, method 'direct'", () => linrec.scan(a, v, { device })],
    ['logScan of real logs', () => linrec.logScan(logA, logV, { device }), (r) => Float64Array.from(r.logAbs, Math.exp)],
  ]);
}

const pad = (s, w) => String(s).padEnd(w);
console.log(`${pad('case', 34)}${pad('computation', 36)}${pad('median ms', 11)}${pad('speedup', 9)}max error`);
for (const r of rows) {
  console.log(`${pad(r.case, 34)}${pad(r.what, 36)}${pad(r.ms.toFixed(1), 11)}${pad(r.speedup.toFixed(1) + 'x', 9)}${r.err.toExponential(1)}`);
}
console.log('\nmax error: max |x - ref| / (|ref| + mean|ref|) against a float64 loop on the same inputs.');
