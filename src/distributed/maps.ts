// Segment maps x_end = A·x_start + B whose A never leaves its range. The engines' `aggregate`
// gives A in the data's type, as the product of the range's coefficients; over a block of 2^20
// steps that product underflows (a decay) or overflows (a growth) while x_start·A still counts in
// the loop (x reset to 1e30, then a decay to 1e-60 with no input: the loop's x is 1e-30). Where
// it left the type's range, the product is taken again here as m·2^e, and maps compose on that
// form, so a carry keeps x·A as the one-machine engines do. B needs nothing: it is the loop run
// from 0, which never meets x.
import type { DType } from '../dtype';
import { beyondF64 } from './jobs';

/** The range the carries live in: the data's type (the direct method's loop), or 'log': the log
 *  method's, which keeps x in float64 logs (no product from a segment's start is gone there short
 *  of a zero coefficient; the carries travel in log form beyond float64). */
export type CarryRange = DType | 'log';

// Powers of two from their bits (exact, unlike a pow that a runtime may round): 2^e, |e| ≤ 1022.
const word = new Float64Array(1);
const words = new Uint32Array(word.buffer);
const HI_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // the word with the exponent
function pow2(e: number): number {
  words[1 - HI_WORD] = 0;
  words[HI_WORD] = (e + 1023) << 20;
  return word[0];
}

/** [m, e] with v = m·2^e, 0.5 ≤ |m| < 1, for finite nonzero v; [v, 0] for 0 and non-finite v. */
export function frexp(v: number): [number, number] {
  if (v === 0 || !Number.isFinite(v)) return [v, 0];
  let bias = 0;
  if (Math.abs(v) < 2 ** -1000) {
    v *= 2 ** 64; // subnormal: normalize first (exact)
    bias = -64;
  }
  word[0] = v;
  const high = words[HI_WORD];
  const e = ((high >>> 20) & 0x7ff) - 1022;
  words[HI_WORD] = (high & 0x800fffff) | (1022 << 20);
  return [word[0], e + bias];
}

/** v·2^e, rounded once where the result is normal (a subnormal result may round twice). */
export function ldexp(v: number, e: number): number {
  if (e === 0) return v;
  while (e > 1000 && Number.isFinite(v) && v !== 0) {
    v *= pow2(1000);
    e -= 1000;
  }
  while (e < -1000 && Number.isFinite(v) && v !== 0) {
    v *= pow2(-1000);
    e += 1000;
  }
  return e > 1000 || e < -1000 ? v : v * pow2(e);
}

/** Where x_start's part is gone in the loop: a product from the segment's start below 2^-DEAD
 *  takes the largest finite x below the smallest subnormal (2^-(149+128) in float32), with a
 *  mantissa's margin. The loop has flushed it then, and a later growth does not bring it back.
 *  Keyed by the range the carries live in: a 'log' run carries x in log form, beyond float64's
 *  range too, so its maps never take x_start's part as gone (the data's bound would drop a carry
 *  of 1e100, float64's one of 1e1000). */
const DEAD: Record<CarryRange, number> = { float32: 149 + 128 + 24, float64: 1074 + 1024 + 53, log: Infinity };
const RANGE: Record<DType, [number, number]> = {
  float32: [2 ** -126, (2 - 2 ** -23) * 2 ** 127],
  float64: [2 ** -1022, Number.MAX_VALUE],
};

/** Whether the engine's A for a range is the product in the type's range (normal and finite). */
export function inRange(A: number, dtype: DType): boolean {
  const [lo, hi] = RANGE[dtype];
  const m = Math.abs(A);
  return m >= lo && m <= hi;
}

const LOW = 2 ** -400;
const HIGH = 2 ** 400;

/** A·2^E·v, rounded once where the result is normal: v's mantissa meets A's (so a subnormal v
 *  loses nothing before the scaling). Plain A·v where E is 0: the float64 composition's bits. */
export function scaledProduct(A: number, E: number, v: number): number {
  if (E === 0) return A * v;
  const [vm, ve] = frexp(v);
  return ldexp(A * vm, E + ve);
}

/** The exponent of m·2^e (m finite, nonzero): the k with 2^(k-1) ≤ |m·2^e| < 2^k. */
const exponentOf = (m: number, e: number): number => e + frexp(m)[1];

/**
 * The product of a[from..to) as [m, e] (m·2^e, 0.5 ≤ |m| < 1, rounded at each step), for a range
 * whose product left the type's range. null where a coefficient is 0 or not finite: the engine's A
 * is then the loop's (a reset; the loop's own non-finite arithmetic). [0, 0] once the product
 * from the segment's start (this range's, times 2^startExponent before it) falls below 2^-DEAD.
 */
export function rangeProduct(
  a: ArrayLike<number>,
  from: number,
  to: number,
  dtype: DType,
  startExponent = 0,
  carryType: CarryRange = dtype,
): [number, number] | null {
  const deadAt = -DEAD[carryType] - startExponent; // m·2^e below 2^deadAt: gone
  // Float32 coefficients lie within 2^±149, so four of them take a product in [2^-400, 2^400]
  // nowhere near double's limits: one check per four steps, the same roundings as one by one.
  const group = dtype === 'float32' ? 4 : 1;
  let m = 1;
  let e = 0;
  if (deadAt >= 0) return [0, 0];
  // |m| below lo: renormalize, or gone (lo is the larger of LOW and 2^(deadAt - e)).
  let lo = Math.max(LOW, ldexp(1, deadAt));
  for (let i = from; i < to;) {
    if (group === 4 && i + 4 <= to) {
      const t = m * a[i] * a[i + 1] * a[i + 2] * a[i + 3];
      const u = Math.abs(t);
      if (u >= lo && u <= HIGH) {
        m = t;
        i += 4;
        continue;
      }
    }
    for (const end = Math.min(to, i + group); i < end; i++) {
      const t = m * a[i];
      const u = Math.abs(t);
      if (u >= lo && u <= HIGH) {
        m = t;
        continue;
      }
      const v = a[i];
      if (v === 0 || !Number.isFinite(v)) return null;
      const [vm, ve] = frexp(v);
      const [pm, pe] = frexp(m * vm);
      m = pm;
      e += pe + ve;
      if (e <= deadAt) return [0, 0]; // |m·2^e| < 2^deadAt, m in [0.5, 1)
      lo = Math.max(LOW, ldexp(1, deadAt - e));
    }
  }
  const [pm, pe] = frexp(m);
  return [pm, e + pe];
}

/**
 * Rows' maps composed in order on the extended A: `A[r]·2^E[r]`, B[r]. Starts as the identity.
 * While the composed A stays within [2^-400, 2^400] (E stays 0), each step is exactly the float64
 * composition B = A_m·B + B_m, A = A_m·A; beyond, the same values wherever those stay normal.
 */
export class RowMaps {
  readonly A: Float64Array;
  readonly E: Float64Array;
  readonly B: Float64Array;
  /** With range 'log': log|B| per row, which holds B where it is beyond float64 (beyondF64). */
  readonly BLog: Float64Array | null;
  readonly #deadAt: number;
  readonly #low: number;

  constructor(rows: number, range: CarryRange) {
    this.A = new Float64Array(rows).fill(1);
    this.E = new Float64Array(rows);
    this.B = new Float64Array(rows);
    this.BLog = range === 'log' ? new Float64Array(rows).fill(-Infinity) : null;
    this.#deadAt = -DEAD[range];
    this.#low = Math.max(LOW, 2 ** this.#deadAt);
  }

  /** The exponent of row r's A so far (for rangeProduct's start), 0 where A is 0 or not finite. */
  exponent(r: number): number {
    const A = this.A[r];
    return A === 0 || !Number.isFinite(A) ? 0 : exponentOf(A, this.E[r]);
  }

  /** Row r's map, then (after it) the map A_m·2^e_m, B_m: T = M∘T. With range 'log', BmLog is
   *  log|B_m| (it holds B_m where B_m is beyond float64), and B composes in log form there. */
  then(r: number, Am: number, em: number, Bm: number, BmLog?: number): void {
    if (this.BLog) [this.B[r], this.BLog[r]] = applyMapWide(Am, em, Bm, BmLog ?? Math.log(Math.abs(Bm)), this.B[r], this.BLog[r]);
    else this.B[r] = scaledProduct(Am, em, this.B[r]) + Bm;
    let A = Am * this.A[r];
    if (A !== A) A = 0; // 0·inf: a reset before a product that overflowed (monoid.h's resetGuard)
    let E = this.E[r] + em;
    if (E !== 0 || !(Math.abs(A) >= this.#low && Math.abs(A) <= HIGH)) {
      const [m, e] = frexp(A); // exact: a power of two apart
      A = m;
      E += e;
      if (E <= this.#deadAt) A = 0; // x_start's part is gone in the loop too
    }
    this.A[r] = A;
    this.E[r] = A === 0 || !Number.isFinite(A) ? 0 : E;
  }

  /** The exponents, or null where all are 0. */
  exponents(): Float64Array | null {
    return this.E.some((e) => e !== 0) ? this.E : null;
  }
}

/** x_end = A·2^E·x_start + B for one row (A a mantissa where E ≠ 0). */
export const applyMap = (A: number, E: number, B: number, x: number): number => scaledProduct(A, E, x) + B;

/** -1 for a negative number or -0, else +1 (NaN included): the sign the log form keeps. */
export const signOf = (v: number): number => (v < 0 || Object.is(v, -0) ? -1 : 1);

/**
 * applyMap where x or B may lie beyond float64's range, as the log method keeps them: each a
 * float64 value and its log magnitude, which holds it where it is beyond (beyondF64). Returns
 * x_end as [float64 value, log|x_end|]. Where neither is beyond and applyMap's result is normal
 * (or comes from a non-finite input), that result bit for bit; elsewhere the sum is taken in logs
 * (a product beyond float64, a sum that overflows, an underflow below its normal range).
 */
export function applyMapWide(A: number, E: number, B: number, bLog: number, x: number, xLog: number): [number, number] {
  const xBeyond = beyondF64(x, xLog);
  const bBeyond = beyondF64(B, bLog);
  if (!xBeyond && !bBeyond) {
    const v = applyMap(A, E, B, x);
    if (inRange(v, 'float64') || Number.isNaN(v) || !Number.isFinite(A) || !Number.isFinite(B) || !Number.isFinite(x)) return [v, Math.log(Math.abs(v))];
  }
  // Non-finite terms (the loop's own arithmetic): an infinite x or A outweighs any B beyond float64
  // (finite in logs), and an infinite B any x.
  if (!Number.isFinite(A) || (!xBeyond && !Number.isFinite(x)) || (!bBeyond && !Number.isFinite(B))) {
    const p = xBeyond ? (Number.isFinite(A) ? 0 : A * signOf(x)) : scaledProduct(A, E, x);
    const v = p + (bBeyond ? 0 : B);
    return [v, Math.log(Math.abs(v))];
  }
  // Both terms finite (in logs): log|A·2^E·x| and log|B|, and their signs.
  const lp = A === 0 || (x === 0 && !xBeyond) ? -Infinity : Math.log(Math.abs(A)) + E * Math.LN2 + (xBeyond ? xLog : Math.log(Math.abs(x)));
  const sp = signOf(A) * signOf(x);
  const lb = bBeyond ? bLog : Math.log(Math.abs(B));
  const sb = signOf(B);
  if (lp === -Infinity && lb === -Infinity) return [(sp < 0 ? -0 : 0) + (sb < 0 ? -0 : 0), -Infinity];
  let l: number;
  let sign: number;
  if (lb === -Infinity || lp > lb) {
    [l, sign] = [lp, sp];
    if (lb !== -Infinity) l += sb === sp ? Math.log1p(Math.exp(lb - lp)) : Math.log1p(-Math.exp(lb - lp));
  } else {
    [l, sign] = [lb, sb];
    if (lp !== -Infinity) {
      const d = Math.exp(lp - lb);
      if (sp !== sb && d === 1) return [0, -Infinity]; // equal and opposite
      l += sp === sb ? Math.log1p(d) : Math.log1p(-d);
    }
  }
  return [sign * Math.exp(l), l];
}
