// Shared test helpers: fresh random inputs (seed printed on failure), float64 references and
// the mixed relative error metric used throughout: |x - ref| / (|ref| + mean|ref|).
export type F = Float32Array | Float64Array;

// Math functions as locals: global lookups inside jest's sandbox are slow in hot loops.
const { imul, sqrt, log, cos, abs, PI } = Math;

/** A fresh seed per run; pass LINREC_TEST_SEED to replay one. */
export const SEED = Number(process.env.LINREC_TEST_SEED ?? (Date.now() ^ (process.pid << 8)) >>> 0);

/** mulberry32: a small reproducible generator of uniforms in [0, 1). */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Rows of n steps in scan()'s layout (coeffs rows·n in ±0.95, values rows·(n+1) in ±1). */
export function signedProblem(C: { new (n: number): F }, rows: number, n: number, rand: () => number): { a: F; v: F } {
  const a = new C(rows * n);
  const v = new C(rows * (n + 1));
  for (let i = 0; i < a.length; i++) a[i] = (rand() * 2 - 1) * 0.95;
  for (let i = 0; i < v.length; i++) v[i] = rand() * 2 - 1;
  return { a, v };
}

export function rng(seed: number = SEED) {
  const uniform = mulberry32(seed);
  const normal = () => {
    const u = 1 - uniform();
    return sqrt(-2 * log(u)) * cos(2 * PI * uniform());
  };
  return { uniform, normal };
}

// Streams derive from SEED, the current test's name and a count within that test, so that
// LINREC_TEST_SEED=… with -t "<name>" replays a failure exactly.
const callsPerTest = new Map<string, number>();
function hashName(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = imul(h ^ name.charCodeAt(i), 16777619);
  return h >>> 0;
}
/** A new generator with a distinct stream for each call. */
export function fresh() {
  const name = (typeof expect !== 'undefined' && expect.getState().currentTestName) || '';
  const k = (callsPerTest.get(name) ?? 0) + 1;
  callsPerTest.set(name, k);
  return rng((SEED ^ hashName(name)) + 0x9e3779b9 * k);
}

export function fill<T extends F>(arr: T, f: () => number): T {
  for (let i = 0; i < arr.length; i++) arr[i] = f();
  return arr;
}

export type Dist = 'normal' | 'uniform';
/** The seed paper's two examples: a, b ~ N(0,1); or a ~ U(0,1), b ~ U(0,3). */
export function seedInputs(Ctor: { new (n: number): F }, rows: number, n: number, dist: Dist) {
  const r = fresh();
  const coeffs = fill(new Ctor(rows * n), dist === 'normal' ? r.normal : r.uniform);
  const values = fill(new Ctor(rows * (n + 1)), dist === 'normal' ? r.normal : () => 3 * r.uniform());
  return { coeffs, values };
}

/** The recurrence in float64 from the given inputs (as stored), forward or reverse. */
export function reference(coeffs: ArrayLike<number>, values: ArrayLike<number>, rows = 1, reverse = false): Float64Array {
  const n = coeffs.length / rows;
  const out = new Float64Array(values.length);
  for (let r = 0; r < rows; r++) {
    const ar = r * n;
    const br = r * (n + 1);
    if (!reverse) {
      let x = values[br];
      out[br] = x;
      for (let t = 1; t <= n; t++) out[br + t] = x = coeffs[ar + t - 1] * x + values[br + t];
    } else {
      let x = values[br + n];
      out[br + n] = x;
      for (let t = n - 1; t >= 0; t--) out[br + t] = x = coeffs[ar + t] * x + values[br + t];
    }
  }
  return out;
}

// Double-double arithmetic (Dekker/Knuth): a float64 reference accurate to ~2^-104 relative
// per step, so that float64 results are compared with something more exact than themselves.
function twoSum(a: number, b: number): [number, number] {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}
const SPLIT = 134217729; // 2^27 + 1
function twoProd(a: number, b: number): [number, number] {
  const p = a * b;
  const ca = SPLIT * a;
  const ah = ca - (ca - a);
  const al = a - ah;
  const cb = SPLIT * b;
  const bh = cb - (cb - b);
  const bl = b - bh;
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}
/** (hi, lo) ← a·(hi, lo) + b in double-double. */
function ddStep(a: number, hi: number, lo: number, b: number): [number, number] {
  const [p, pe] = twoProd(a, hi);
  const [s, se] = twoSum(p, b);
  const e = se + pe + a * lo;
  const h = s + e;
  return [h, e - (h - s)];
}

/** Like reference() but in double-double: for judging float64 results. */
export function referenceDD(coeffs: ArrayLike<number>, values: ArrayLike<number>, rows = 1, reverse = false): Float64Array {
  const n = coeffs.length / rows;
  const out = new Float64Array(values.length);
  for (let r = 0; r < rows; r++) {
    const ar = r * n;
    const br = r * (n + 1);
    let hi = values[reverse ? br + n : br];
    let lo = 0;
    out[reverse ? br + n : br] = hi;
    for (let k = 1; k <= n; k++) {
      const t = reverse ? n - k : k;
      [hi, lo] = ddStep(coeffs[reverse ? ar + t : ar + t - 1], hi, lo, values[br + t]);
      out[br + t] = hi + lo;
    }
  }
  return out;
}

/** max |x - ref| / (|ref| + mean|ref|); NaN anywhere in x where ref is finite counts as Infinity. */
export function mixedError(x: ArrayLike<number>, ref: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < ref.length; i++) mean += abs(ref[i]);
  mean /= Math.max(1, ref.length);
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const e = abs(x[i] - ref[i]) / (abs(ref[i]) + mean);
    if (!(e <= worst)) worst = Number.isNaN(e) ? Infinity : e;
  }
  return worst;
}

export const tagOf = (v: unknown) => Object.prototype.toString.call(v);

/** Asserts that fn throws an error with an ERR_LINREC_ code (and optionally name/message); returns it. */
export function expectLinrecError(fn: () => unknown, code: string, name?: string, message?: RegExp): { code?: string; name?: string; message?: string } {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeDefined();
  const e = caught as { code?: string; name?: string; message?: string };
  expect(e.code).toBe(code);
  if (name) expect(e.name).toBe(name);
  if (message) expect(e.message).toMatch(message);
  return e;
}

export async function expectLinrecRejection(p: Promise<unknown>, code: string, name?: string) {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeDefined();
  const e = caught as { code?: string; name?: string };
  expect(e.code).toBe(code);
  if (name) expect(e.name).toBe(name);
}

export function seedNote() {
  return `(LINREC_TEST_SEED=${SEED})`;
}
