// Session 19 (defect B): the direct method's structure emulated in float32 (Math.fround; a·x + b as
// one rounding), with A (lane products), B (lane chains) or the compositions in double, against the
// loop: max mixed error ÷ the loop's. N, EPS (a = 1 − EPS·U), SEED, TRIALS from the environment.
// Emulates the direct method's structure in float32 (fround; a·x+b as one rounding, like FMA) to
// find where its extra error over the loop comes from, with parts done in double.
const f = Math.fround;
let seed = +(process.env.SEED || 1);
const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
const n = +(process.env.N || 100000),
  eps = +(process.env.EPS || 1e-5);
const TILE = 8320,
  LANE = 2080;
function run(opts, a, b) {
  const R = (v) => v; // double
  const rA = opts.A ? R : f,
    rB = opts.B ? R : f,
    rC = opts.C ? R : f;
  const x = new Float64Array(n + 1);
  let c = b[0];
  x[0] = c;
  for (let t0 = 0; t0 < n; t0 += TILE) {
    const m = Math.min(TILE, n - t0),
      len = m === TILE ? LANE : Math.ceil(m / 4);
    const A = [],
      B = [];
    for (let j = 0; j < 4; j++) {
      const lo = t0 + j * len,
        hi = Math.min(t0 + m, lo + len);
      let p = 1,
        q = 0;
      if (lo < hi) {
        p = a[lo];
        q = b[lo + 1];
        for (let i = lo + 1; i < hi; i++) {
          p = rA(p * a[i]);
          q = rB(a[i] * q + b[i + 1]);
        }
      }
      A.push(opts.Ar ? f(p) : p);
      B.push(q);
    }
    // lane starts
    let s = c;
    const starts = [c];
    for (let j = 1; j < 4; j++) {
      s = f(rC(A[j - 1] * s + B[j - 1]));
      starts.push(s);
    }
    let last;
    for (let j = 0; j < 4; j++) {
      const lo = t0 + j * len,
        hi = Math.min(t0 + m, lo + len);
      let v = starts[j];
      for (let i = lo; i < hi; i++) x[i + 1] = v = f(a[i] * v + b[i + 1]);
      if (lo < hi) last = v;
    }
    // tile total
    let TA = A[0],
      TB = B[0];
    for (let j = 1; j < 4; j++) {
      TA = rC(TA * A[j]);
      TB = rC(A[j] * TB + B[j]);
    }
    c = opts.stepped ? last : f(rC(TA * c + TB));
  }
  return x;
}
const trials = +(process.env.TRIALS || 4);
for (let tr = 0; tr < trials; tr++) {
  const a = Float32Array.from({ length: n }, () => 1 - eps * rnd());
  const b = Float32Array.from({ length: n + 1 }, () => rnd() - 0.5);
  const ref = new Float64Array(n + 1);
  ref[0] = b[0];
  for (let t = 1; t <= n; t++) ref[t] = a[t - 1] * ref[t - 1] + b[t];
  let mean = 0;
  for (const r of ref) mean += Math.abs(r) / ref.length;
  const err = (x) => {
    let e = 0;
    for (let i = 0; i <= n; i++) e = Math.max(e, Math.abs(x[i] - ref[i]) / (Math.abs(ref[i]) + mean));
    return e;
  };
  const loop = new Float64Array(n + 1);
  loop[0] = b[0];
  for (let t = 1; t <= n; t++) loop[t] = f(a[t - 1] * loop[t - 1] + b[t]);
  const el = err(loop);
  const row = [['loop', el]];
  for (const [name, o] of [
    ['f32', {}],
    ['A64', { A: 1 }],
    ['B64', { B: 1 }],
    ['C64', { C: 1 }],
    ['AB64', { A: 1, B: 1 }],
    ['ABC64', { A: 1, B: 1, C: 1 }],
    ['stepped', { stepped: 1 }],
    ['A64stepped', { A: 1, stepped: 1 }],
    ['A64r', { A: 1, Ar: 1 }],
  ])
    row.push([name, err(run(o, a, b))]);
  console.log(row.map(([k, v]) => `${k} ${(v / el).toFixed(2)}`).join('  '), ' loop', el.toExponential(2));
}
