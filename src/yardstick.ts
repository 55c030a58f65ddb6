// The yardstick behind every accuracy figure: the tests' bounds, the benchmark tables, the
// sanitizer check and the example all measure with these functions, so they measure the same.
// Internal (not exported from the package index); tests import it from src/, scripts and
// examples from dist/yardstick.js.
//
// The references are the oracle: they are written here, apart from src/sequential.ts, so that
// a mistake there cannot hide by being shared with what checks it.

/** Numbers indexable like an array (typed arrays, plain arrays). */
export type Numbers = ArrayLike<number>;

/**
 * The recurrence x_t = a_t·x_{t-1} + b_t in float64 from the given inputs (as stored), in
 * scan()'s layout: `rows` rows of n coefficients and n + 1 values, values[0] of a row being x_0
 * (x_n when reversed).
 */
export function reference(coeffs: Numbers, values: Numbers, rows = 1, reverse = false): Float64Array {
  const n = rows ? coeffs.length / rows : 0;
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

// Double-double arithmetic (Dekker/Knuth): about 2^-104 relative per step, so that float64
// results are compared with something more exact than themselves.
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

/** Like reference() but in double-double, rounded to float64 at the end: for judging float64 results. */
export function referenceDD(coeffs: Numbers, values: Numbers, rows = 1, reverse = false): Float64Array {
  const n = rows ? coeffs.length / rows : 0;
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

/** mean |ref| over ref's finite entries (0 when there are none): the scale of the mixed error. */
export function meanAbs(ref: Numbers): number {
  const { abs } = Math; // a local: global lookups inside jest's sandbox are slow in hot loops
  let sum = 0;
  let count = 0;
  for (let i = 0; i < ref.length; i++) {
    const v = ref[i];
    if (v - v === 0) {
      sum += abs(v);
      count++;
    }
  }
  return count ? sum / count : 0;
}

export interface MixedErrorStats {
  /** max over i of the mixed error; Infinity if x and ref disagree on a non-finite entry */
  max: number;
  /** index of the largest error (-1 when every entry agrees exactly) */
  at: number;
  /** mean mixed error over the entries where both are finite */
  mean: number;
  /** entries where one of x, ref is NaN or infinite and the other is not the same */
  mismatches: number;
  /** the first such index (-1 when none) */
  firstMismatch: number;
}

/**
 * The mixed error |x_i − ref_i| / (|ref_i| + mean|ref| + floor), per entry: relative where x is
 * large, absolute (against the sequence's scale) where it passes near 0, where a relative
 * error means nothing. `floor` adds an absolute scale (0 unless a test needs one). Non-finite
 * entries must match exactly (NaN with NaN, ±Infinity with itself); anything else is a mismatch.
 */
export function mixedErrorStats(x: Numbers, ref: Numbers, floor = 0): MixedErrorStats {
  if (x.length !== ref.length) throw new RangeError(`mixedError: length ${x.length} against a reference of ${ref.length}`);
  const scale = meanAbs(ref) + floor;
  const { abs } = Math; // a local: global lookups inside jest's sandbox are slow in hot loops
  let max = 0;
  let at = -1;
  let sum = 0;
  let compared = 0;
  let mismatches = 0;
  let firstMismatch = -1;
  for (let i = 0; i < ref.length; i++) {
    const xi = x[i];
    const ri = ref[i];
    if (!(xi - xi === 0 && ri - ri === 0)) {
      if (Object.is(xi, ri) || (xi !== xi && ri !== ri)) continue;
      if (firstMismatch < 0) firstMismatch = i;
      mismatches++;
      continue;
    }
    compared++;
    const d = abs(xi - ri);
    if (d === 0) continue;
    const e = d / (abs(ri) + scale);
    sum += e;
    if (e > max) {
      max = e;
      at = i;
    }
  }
  if (mismatches) {
    max = Infinity;
    at = firstMismatch;
  }
  return { max, at, mean: compared ? sum / compared : 0, mismatches, firstMismatch };
}

/** max over i of mixedErrorStats' error: the figure the README's tables and the tests' bounds use. */
export function mixedError(x: Numbers, ref: Numbers, floor = 0): number {
  return mixedErrorStats(x, ref, floor).max;
}

/**
 * max_t |x_t - ref_t| / (R·E_t + floor): E_t is the loop's forward error bound, the roundings of
 * each step (u·(|a_t·x_{t-1}| + |x_t|)) carried by the coefficients after them,
 *   E_t = |a_t|·E_{t-1} + u·(|a_t·ref_{t-1}| + |ref_t|),   E_0 = 0 (x_0 is copied),
 * and R = 10 roundings of that size per element on CUDA: 5 warp-scan levels, 3 block-scan levels,
 * the look-back's composition and the step (as test/51 derives for subnormals). A wrong carry
 * anywhere gives errors of the size of x itself, far beyond this. With reverse, steps run from
 * the row's end (x_0 at index n, a_t pairs with values[t]). The tests' second criterion
 * (test/helpers.ts's overLoopAccuracy); bench/probes/bound-tails.js samples how often they need it.
 */
export function worstOverReach(x: Numbers, ref: Numbers, coeffs: Numbers, rows: number, dtype: 'float32' | 'float64', reverse = false) {
  const u = dtype === 'float32' ? 2 ** -24 : 2 ** -53;
  const R = 10;
  const n = coeffs.length / rows;
  const { abs } = Math;
  let worst = 0;
  for (let r = 0; r < rows; r++) {
    let e = 0;
    for (let k = 1; k <= n; k++) {
      const t = reverse ? n - k : k; // the step's index in values
      const i = r * (n + 1) + t;
      const prev = reverse ? i + 1 : i - 1;
      const at = abs(coeffs[r * n + (reverse ? t : t - 1)]);
      e = at * e + u * (at * abs(ref[prev]) + abs(ref[i]));
      const ratio = abs(x[i] - ref[i]) / (R * e + Number.MIN_VALUE);
      if (!(ratio <= worst)) worst = ratio; // NaN counts as a failure
    }
  }
  return worst;
}

// Logs in, logs out: the yardstick for logScan. A user holding logs who runs the loop must take
// e^l of the inputs and log x of the results, both rounded; logScan gets the logs as they are.
// So both are judged against the recurrence on the exact numbers e^l of the given logs, and
// both outputs are read back through an exact e^l: neither pays for a conversion the other
// does not make, and the reference pays for none.

function quickTwoSum(a: number, b: number): [number, number] {
  const s = a + b;
  return [s, b - (s - a)];
}
function ddMul(ah: number, al: number, bh: number, bl: number): [number, number] {
  const [p, pe] = twoProd(ah, bh);
  return quickTwoSum(p, pe + (ah * bl + al * bh));
}
function ddAdd(ah: number, al: number, bh: number, bl: number): [number, number] {
  const [s, se] = twoSum(ah, bh);
  return quickTwoSum(s, se + al + bl);
}
const LN2_HI = 0.6931471805599453; // ln 2 as a double-double
const LN2_LO = 2.3190468138462996e-17;

/** e^l in double-double (about 1e-29 relative) for finite l; 0 and Infinity beyond the range. */
export function expDD(l: number): [number, number] {
  if (l !== l) return [NaN, 0];
  if (l > 709.7) return [Infinity, 0];
  if (l < -745.2) return [0, 0];
  // l = k·ln 2 + r, r in double-double (k·LN2_HI and k·LN2_LO split exactly by twoProd)
  const k = Math.round(l / LN2_HI);
  const [p, pe] = twoProd(k, LN2_HI);
  const [q, qe] = twoProd(k, LN2_LO);
  let [rh, rl] = ddAdd(l, 0, -p, -pe);
  [rh, rl] = ddAdd(rh, rl, -q, -qe);
  // e^(r/256) by Taylor's series (|r/256| < 1.4e-3: 11 terms reach 1e-36), then squared 8 times
  rh /= 256;
  rl /= 256;
  let [eh, el] = [1, 0];
  for (let i = 11; i >= 1; i--) {
    // e = 1 + (r·e)/i
    let [th, tl] = ddMul(rh, rl, eh, el);
    const qh = th / i;
    const [ph, pl] = twoProd(qh, i);
    const ql = (th - ph - pl + tl) / i;
    [th, tl] = quickTwoSum(qh, ql);
    [eh, el] = ddAdd(1, 0, th, tl);
  }
  for (let i = 0; i < 8; i++) [eh, el] = ddMul(eh, el, eh, el);
  // × 2^k in two exact steps (k may pass 1023 where e^r < 1 brings it back)
  const k1 = Math.trunc(k / 2);
  const s1 = 2 ** k1;
  const s2 = 2 ** (k - k1);
  return [eh * s1 * s2, el * s1 * s2];
}

/** The recurrence on the exact numbers e^l of the logs (one forward row, logValues[0] = log x_0), in double-double. */
export function referenceFromLogs(logCoeffs: Numbers, logValues: Numbers): { hi: Float64Array; lo: Float64Array } {
  const n = logCoeffs.length;
  const hi = new Float64Array(n + 1);
  const lo = new Float64Array(n + 1);
  let [xh, xl] = expDD(logValues[0]);
  hi[0] = xh;
  lo[0] = xl;
  for (let t = 1; t <= n; t++) {
    const [ah, al] = expDD(logCoeffs[t - 1]);
    const [bh, bl] = expDD(logValues[t]);
    [xh, xl] = ddMul(ah, al, xh, xl);
    [xh, xl] = ddAdd(xh, xl, bh, bl);
    hi[t] = xh;
    lo[t] = xl;
  }
  return { hi, lo };
}

/**
 * The mixed error of results given as logs (positive results: log x), each read back through an
 * exact e^l: max over i of |e^logs_i − ref_i| / (|ref_i| + mean|ref|), ref from referenceFromLogs.
 */
export function mixedErrorOfLogs(logs: Numbers, ref: { hi: Float64Array; lo: Float64Array }): number {
  const scale = meanAbs(ref.hi);
  let max = 0;
  for (let i = 0; i < ref.hi.length; i++) {
    const [vh, vl] = expDD(logs[i]);
    const [dh] = ddAdd(vh, vl, -ref.hi[i], -ref.lo[i]);
    const e = Math.abs(dh) / (Math.abs(ref.hi[i]) + scale);
    if (!(e <= max)) max = e !== e ? Infinity : e;
  }
  return max;
}
