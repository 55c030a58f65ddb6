// Property tests at the native boundary (fast-check): random lengths, rows, directions, methods,
// dtypes, signs, chunkings, exact resets, NaN/Infinity placement, subnormals, huge and tiny
// magnitudes, compared with a float64 sequential loop, plus bitwise determinism across runs
// and thread counts.
//
// Accuracy measure (mixed relative error, per element, finite entries):
//     err = |x_t - ref_t| / (|ref_t| + mean_t |ref_t|)
// where ref is the sequential loop in float64 on the same (already rounded) inputs. Bounds:
//     direct method  err <= 8·eps·log2(n+2)
//     log method     err <= 32·eps·log2(n+2)   (x goes through exp/log of magnitudes)
// eps = 2^-23 (float32) or 2^-52 (float64). Measured worst cases are 4-5x below these bounds.
// NaN must appear exactly where the reference has NaN.
//
// Data is drawn from a seeded PRNG whose seed and shape parameters come from fast-check, so
// long arrays stay cheap and a failure reports a reproducible seed. fast-check's own seed is the
// run's (test/seed.ts): LINREC_SEED replays a run, LINREC_FC_PATH one counterexample.
import fc from 'fast-check';
import * as linrec from '../src';
import { sequential } from '../src';

// The backend under test: the CPU here; test/21 runs this same file on CUDA (where usable) by
// setting LINREC_PROPERTY_DEVICE=cuda before loading it.
const DEVICE = (process.env.LINREC_PROPERTY_DEVICE ?? 'cpu') as 'cpu' | 'cuda';
const on = (o?: object) => ({ ...o, device: DEVICE });
const scan = ((a: F, b: F, o?: object) => linrec.scan(a, b, on(o))) as typeof linrec.scan;
const scanAsync = ((a: F, b: F, o?: object) => linrec.scanAsync(a, b, on(o))) as typeof linrec.scanAsync;
const logScan = ((a: linrec.LogInput<F>, b: linrec.LogInput<F>, o?: object) => linrec.logScan(a, b, on(o))) as unknown as typeof linrec.logScan;
const aggregate = ((a: F, b: F, o?: object) => linrec.aggregate(a, b, on(o))) as typeof linrec.aggregate;
const createScanner = ((o: object) => linrec.createScanner(on(o) as never)) as typeof linrec.createScanner;
import { meanAbs as meanAbsOf, mixedErrorStats, reference, referenceDD } from '../src/yardstick';
import { mulberry32 } from './seed';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;
type F = Float32Array | Float64Array;
const EPS = { float32: 2 ** -23, float64: 2 ** -52 } as const;
const ctorOf = (dtype: 'float32' | 'float64'): Ctor => (dtype === 'float32' ? Float32Array : Float64Array);
/** fromFn(C, src, f) for a union of constructors. */
function fromFn(C: Ctor, src: ArrayLike<number> | { length: number }, f: (v: number, i: number) => number): F {
  const out = new C(src.length);
  for (let i = 0; i < out.length; i++) out[i] = f((src as ArrayLike<number>)[i], i);
  return out;
}
const RUNS = Number(process.env.LINREC_PROPERTY_RUNS ?? 60);

const rng = mulberry32;

type Dist = 'uniform' | 'nearOne' | 'positive' | 'wide';
const coeff: Record<Dist, (r: () => number) => number> = {
  uniform: (r) => 2 * r() - 1, // |a| <= 1: stable, short memory
  nearOne: (r) => (r() < 0.5 ? -1 : 1) * (1 - r() * 1e-3), // long memory, random-walk x
  positive: (r) => 0.5 + 0.5 * r(),
  wide: (r) => 1.5 * (2 * r() - 1), // locally growing
};

interface Shape {
  n: number;
  rows: number;
  seed: number;
  dist: Dist;
  zeros: number; // probability that a_t is exactly 0
}

function makeData(C: Ctor, s: Shape): { a: F; b: F } {
  const r = rng(s.seed);
  const a = new C(s.rows * s.n);
  const b = new C(s.rows * (s.n + 1));
  for (let i = 0; i < a.length; i++) a[i] = r() < s.zeros ? 0 : coeff[s.dist](r);
  for (let i = 0; i < b.length; i++) b[i] = 2 * r() - 1;
  return { a, b };
}

/** The yardstick's mixed error (src/yardstick.ts); a NaN/Infinity placement mismatch fails with its index. */
function mixedError(x: ArrayLike<number>, ref: ArrayLike<number>, floor = 0): number {
  expect(x.length).toBe(ref.length);
  const e = mixedErrorStats(x, ref, floor);
  if (e.mismatches) throw new Error(`index ${e.firstMismatch}: got ${x[e.firstMismatch]}, reference ${ref[e.firstMismatch]}`);
  return e.max;
}

const bound = (dtype: 'float32' | 'float64', method: 'direct' | 'log', n: number) => (method === 'log' ? 32 : 8) * EPS[dtype] * Math.log2(n + 2);

const bitwise = (x: ArrayBufferView, y: ArrayBufferView) =>
  Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));

const shapeArb = (maxN = 5000) =>
  fc.record({
    n: fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 0, max: maxN }) },
      { weight: 1, arbitrary: fc.constantFrom(0, 1, 2, 7, 8, 9, 1039, 1040, 1041, 8320, 8321) },
    ),
    rows: fc.integer({ min: 1, max: 4 }),
    seed: fc.integer(),
    dist: fc.constantFrom<Dist>('uniform', 'nearOne', 'positive', 'wide'),
    zeros: fc.constantFrom(0, 0, 0.001, 0.05, 0.5),
  });
const dtypeArb = fc.constantFrom<'float32' | 'float64'>('float32', 'float64');
const methodArb = fc.constantFrom<'direct' | 'log'>('direct', 'log');

describe('scan agrees with the float64 sequential loop', () => {
  test('random lengths 0..5000, rows, reverse, methods, dtypes, zeros', () => {
    fc.assert(
      fc.property(shapeArb(), dtypeArb, methodArb, fc.boolean(), fc.integer({ min: 1, max: 8 }), (s, dtype, method, reverse, threads) => {
        const { a, b } = makeData(ctorOf(dtype), s);
        const x = scan(a, b, { rows: s.rows, reverse, method, threads });
        expect(mixedError(x, reference(a, b, s.rows, reverse))).toBeLessThanOrEqual(bound(dtype, method, s.n));
      }),
      { numRuns: RUNS },
    );
  });

  test('lengths above 2^16 (threaded tiles)', () => {
    fc.assert(
      fc.property(
        fc.record({
          n: fc.integer({ min: 65_537, max: 200_000 }),
          rows: fc.constantFrom(1, 2),
          seed: fc.integer(),
          dist: fc.constantFrom<Dist>('uniform', 'nearOne', 'wide'),
          zeros: fc.constantFrom(0, 0.0001),
        }),
        dtypeArb,
        methodArb,
        fc.boolean(),
        (s, dtype, method, reverse) => {
          const { a, b } = makeData(ctorOf(dtype), s);
          const x = scan(a, b, { rows: s.rows, reverse, method });
          expect(mixedError(x, reference(a, b, s.rows, reverse))).toBeLessThanOrEqual(bound(dtype, method, s.n));
        },
      ),
      { numRuns: 5 },
    );
  });

  test("the direct method is within the bound of the library's own sequential()", () => {
    fc.assert(
      fc.property(shapeArb(2000), dtypeArb, fc.boolean(), (s, dtype, reverse) => {
        const { a, b } = makeData(ctorOf(dtype), s);
        const x = scan(a, b, { rows: s.rows, reverse });
        const seq = sequential(a, b, { rows: s.rows, reverse });
        const ref = reference(a, b, s.rows, reverse);
        // Both are within the bound of the float64 loop, hence within twice it of each other.
        expect(mixedError(seq, ref)).toBeLessThanOrEqual(bound(dtype, 'direct', s.n));
        expect(mixedError(x, seq)).toBeLessThanOrEqual(2 * bound(dtype, 'direct', s.n));
      }),
      { numRuns: RUNS },
    );
  });

  test('logScan with random signs agrees with the loop on sign·exp(logAbs)', () => {
    fc.assert(
      fc.property(shapeArb(), dtypeArb, fc.boolean(), fc.boolean(), (s, dtype, reverse, withSigns) => {
        const C = ctorOf(dtype);
        const { a, b } = makeData(C, { ...s, zeros: 0 });
        const logOf = (v: F) => {
          const logAbs = new C(v.length);
          const sign = new Int8Array(v.length);
          for (let i = 0; i < v.length; i++) {
            if (!withSigns) v[i] = Math.abs(v[i]);
            logAbs[i] = Math.log(Math.abs(v[i]));
            sign[i] = v[i] < 0 ? -1 : 1;
          }
          return { logAbs, sign };
        };
        const la = logOf(a);
        const lb = logOf(b);
        // The reference runs on the values the logs represent (exp of rounded logs).
        const ra = Float64Array.from(la.logAbs, (l, i) => la.sign[i] * Math.exp(l));
        const rb = Float64Array.from(lb.logAbs, (l, i) => lb.sign[i] * Math.exp(l));
        const out = withSigns ? logScan(la, lb, { rows: s.rows, reverse }) : logScan(la.logAbs, lb.logAbs, { rows: s.rows, reverse });
        const x = Float64Array.from(out.logAbs, (l, i) => out.sign[i] * Math.exp(l));
        if (!withSigns) expect(out.sign.every((v) => v === 1)).toBe(true);
        expect(mixedError(x, reference(ra, rb, s.rows, reverse))).toBeLessThanOrEqual(bound(dtype, 'log', s.n));
      }),
      { numRuns: RUNS },
    );
  });

  test('aggregate: x_end = A·x_start + B per row', () => {
    fc.assert(
      fc.property(shapeArb(), dtypeArb, fc.boolean(), (s, dtype, reverse) => {
        const C = ctorOf(dtype);
        const { a, b } = makeData(C, s);
        const n = s.n;
        const bOnly = new C(s.rows * n);
        for (let r = 0; r < s.rows; r++) bOnly.set(b.subarray(r * (n + 1) + (reverse ? 0 : 1), r * (n + 1) + (reverse ? n : n + 1)), r * n);
        const { A, B } = aggregate(a, bOnly, { rows: s.rows, reverse });
        const ref = reference(a, b, s.rows, reverse);
        const got = new Float64Array(s.rows);
        const want = new Float64Array(s.rows);
        for (let r = 0; r < s.rows; r++) {
          got[r] = A[r] * b[r * (n + 1) + (reverse ? n : 0)] + B[r];
          want[r] = ref[r * (n + 1) + (reverse ? 0 : n)];
        }
        // The end value alone has no mean to lean on: compare against the row's scale.
        let scale = 0;
        for (const v of ref) scale = Math.max(scale, Math.abs(v));
        expect(mixedError(got, want, scale)).toBeLessThanOrEqual(bound(dtype, 'direct', n));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('Scanner: any chunking gives the one-shot result', () => {
  test('random chunkings, rows, reverse, method, log state, dtypes', async () => {
    await fc.assert(
      fc.asyncProperty(
        shapeArb(4000),
        dtypeArb,
        fc.constantFrom('direct', 'log', 'logState'),
        fc.boolean(),
        fc.array(fc.integer({ min: 0, max: 4000 }), { maxLength: 8 }),
        fc.boolean(),
        async (s, dtype, mode, reverse, cutsRaw, useAsync) => {
          const C = ctorOf(dtype);
          const { a, b } = makeData(C, mode === 'direct' ? s : { ...s, zeros: 0 });
          const { n, rows } = s;
          const initial = Array.from({ length: rows }, (_, r) => b[r * (n + 1) + (reverse ? n : 0)]);
          const sc =
            mode === 'logState'
              ? createScanner({
                  rows,
                  dtype,
                  reverse,
                  log: true,
                  initial: { logAbs: initial.map((v) => Math.log(Math.abs(v))), sign: initial.map((v) => (v < 0 ? -1 : 1)) },
                })
              : createScanner({ rows, dtype, reverse, method: mode as 'direct' | 'log', initial });
          const cuts = [...new Set([0, n, ...cutsRaw.map((c) => Math.min(c, n))])].sort((p, q) => p - q);
          const pieces: [number, number][] = [];
          for (let k = 0; k + 1 < cuts.length; k++) pieces.push([cuts[k], cuts[k + 1]]);
          if (reverse) pieces.reverse();
          const got = new Float64Array(rows * (n + 1));
          for (let r = 0; r < rows; r++) got[r * (n + 1) + (reverse ? n : 0)] = C.from([initial[r]])[0];
          for (const [lo, hi] of pieces) {
            const m = hi - lo;
            const ca = new C(rows * m);
            const cb = new C(rows * m);
            for (let r = 0; r < rows; r++) {
              ca.set(a.subarray(r * n + lo, r * n + hi), r * m);
              cb.set(b.subarray(r * (n + 1) + lo + (reverse ? 0 : 1), r * (n + 1) + hi + (reverse ? 0 : 1)), r * m);
            }
            const logOf = (v: F) => ({ logAbs: fromFn(C, v, (e: number) => Math.log(Math.abs(e))), sign: Int8Array.from(v, (e) => (e < 0 ? -1 : 1)) });
            const args = (mode === 'logState' ? [logOf(ca), logOf(cb)] : [ca, cb]) as [F, F];
            const res = useAsync ? await sc.pushAsync(...args) : sc.push(...args);
            const x =
              mode === 'logState'
                ? (() => {
                    const o = res as { logAbs: F; sign: Int8Array };
                    return Float64Array.from(o.logAbs, (l, i) => o.sign[i] * Math.exp(l));
                  })()
                : (res as F);
            for (let r = 0; r < rows; r++) for (let i = 0; i < m; i++) got[r * (n + 1) + lo + i + (reverse ? 0 : 1)] = x[r * m + i];
          }
          const method = mode === 'direct' ? 'direct' : 'log';
          // Chunk boundaries add one carry per piece: allow log2 of the piece count on top.
          const tol = bound(dtype, method, n) * (1 + Math.log2(pieces.length + 1));
          expect(mixedError(got, reference(a, b, rows, reverse))).toBeLessThanOrEqual(tol);
          // The carried state is the last x of each row.
          const st = sc.state;
          const stateValues =
            mode === 'logState'
              ? (() => {
                  const o = st as { logAbs: F; sign: Int8Array };
                  return Array.from(o.logAbs, (l, i) => o.sign[i] * Math.exp(l));
                })()
              : Array.from(st as F);
          const lastIdx = (r: number) => r * (n + 1) + (reverse ? 0 : n);
          for (let r = 0; r < rows; r++) {
            const want = mode === 'logState' ? got[lastIdx(r)] : C.from([got[lastIdx(r)]])[0];
            expect(Math.abs(stateValues[r] - want)).toBeLessThanOrEqual(1e-6 * (Math.abs(want) + 1e-300));
          }
          sc.dispose();
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('special values', () => {
  test('a_t = 0 is an exact reset: x_t === b_t bitwise (finite data)', () => {
    fc.assert(
      fc.property(shapeArb(), dtypeArb, methodArb, fc.boolean(), (s, dtype, method, reverse) => {
        const { a, b } = makeData(ctorOf(dtype), { ...s, zeros: Math.max(s.zeros, 0.01) });
        const x = scan(a, b, { rows: s.rows, reverse, method });
        const { n, rows } = s;
        for (let r = 0; r < rows; r++) {
          for (let t = 0; t < n; t++) {
            if (a[r * n + t] !== 0) continue;
            const k = r * (n + 1) + (reverse ? t : t + 1); // coefficient a[t] produces this x
            const ok = method === 'direct' ? Object.is(x[k], b[k]) : Math.abs(x[k] - b[k]) <= 4 * EPS[dtype] * Math.abs(b[k]);
            if (!ok) expect({ k, x: x[k] }).toEqual({ k, x: b[k] });
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('one NaN (in a or b): every x from it on is NaN, every x before it is bitwise unchanged', () => {
    fc.assert(
      fc.property(
        shapeArb(),
        dtypeArb,
        methodArb,
        fc.boolean(),
        fc.boolean(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (s, dtype, method, reverse, inCoeff, where) => {
          const n = Math.max(1, s.n);
          const rows = 1;
          const { a, b } = makeData(ctorOf(dtype), { ...s, n, rows });
          const clean = scan(a, b, { reverse, method });
          const t = Math.min(n - 1, Math.floor(where * n)); // step index 0..n-1
          const k = reverse ? t : t + 1; // position of the x that step produces
          if (inCoeff) a[t] = NaN;
          else b[k] = NaN;
          const x = scan(a, b, { reverse, method });
          const bad = Array.from(x).findIndex((v, i) => ((reverse ? i <= k : i >= k) ? !Number.isNaN(v) : !Object.is(v, clean[i])));
          expect({ k, bad }).toEqual({ k, bad: -1 });
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('+Infinity in b with positive coefficients: x from it on is +Infinity, before it unchanged', () => {
    fc.assert(
      fc.property(shapeArb(), dtypeArb, fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true }), (s, dtype, reverse, where) => {
        const n = Math.max(1, s.n);
        const C = ctorOf(dtype);
        const r = rng(s.seed);
        // a in [0.95, 1]: coefficient products stay normal over a whole tile.
        const a = fromFn(C, { length: n }, () => 0.95 + 0.05 * r());
        const b = fromFn(C, { length: n + 1 }, () => 2 * r() - 1);
        const clean = scan(a, b, { reverse });
        const t = Math.min(n - 1, Math.floor(where * n));
        const k = reverse ? t : t + 1;
        b[k] = Infinity;
        const x = scan(a, b, { reverse });
        const bad = Array.from(x).findIndex((v, i) => ((reverse ? i <= k : i >= k) ? v !== Infinity : !Object.is(v, clean[i])));
        expect({ k, bad }).toEqual({ k, bad: -1 });
      }),
      { numRuns: RUNS },
    );
  });

  const infUnderflow = () => {
    // x_0 = +Infinity, a_t in [0.5, 0.6]: the sequential loop stays +Infinity forever, but the
    // product of a lane's coefficients underflows to 0 and the carry computes 0·Infinity = NaN.
    for (const C of [Float32Array, Float64Array] as Ctor[]) {
      const n = C === Float32Array ? 8 * 1040 : 8 * 1040 * 2;
      const r = rng(7);
      const a = fromFn(C, { length: n }, () => 0.5 + 0.1 * r());
      const b = new C(n + 1).fill(0.5);
      b[0] = Infinity;
      const x = scan(a, b, { threads: 1 });
      const seq = sequential(a, b);
      expect(seq.every((v) => v === Infinity)).toBe(true);
      expect(Array.from(x).findIndex((v) => v !== Infinity)).toBe(-1);
    }
  };
  const productOverflow = () => {
    // A benign float32 sequence: x_0 = 1e-30, a_t = 2 for 130 steps, then 0.5 for 130; x stays
    // within [1e-30, 1.4e9]. The lane product reaches 2^130 and overflows float32 as an
    // intermediate, and the direct method then carries Infinity·1e-30 = Infinity onwards.
    const n = 8 * 1040;
    const a = new Float32Array(n).map((_, t) => (t % 260 < 130 ? 2 : 0.5));
    const b = new Float32Array(n + 1);
    b[0] = 1e-30;
    const x = scan(a, b);
    const ref = reference(a, b, 1, false);
    expect(mixedError(x, ref)).toBeLessThanOrEqual(bound('float32', 'direct', n));
  };
  test('+Infinity survives coefficient products that underflow', infUnderflow);
  test('a lane product that overflows float32 as an intermediate', productOverflow);

  // Subnormal data: every value lies on the grid of multiples of tiny (2^-1074, float32 2^-149),
  // where a product rounds with an absolute error of up to tiny/2 whatever its size, and sums of
  // grid values are exact. The direct method rounds one product per boundary between steps, in
  // the loop (step, extend: a_t·x) and in any bracketing of the composition (combine: r.A·l.B;
  // apply: A·x). A rounding lands where its product's range ends: the loop's at its own step,
  // a combine's or an apply's at the end of the right-hand range, so compositions pile several
  // onto one position. A rounding at position m reaches x_t multiplied by |a_{m+1}···a_t|, so
  //     |x_t - exact_t| <= (tiny/2)·R·S_t,   S_t = Σ_{m<=t} |a_{m+1}···a_t| = |a_t|·S_{t-1} + 1,
  // with R the most roundings one position takes on the way to x_t:
  //   CPU:  3 = its step + the combine of a tile's lane totals + the apply of a carry;
  //   CUDA: 10 = its step + 5 levels of the warp scan + 3 of the block scan + the apply, at a
  //         warp's or a tile's end (thread ends: 7; the look-back applies tiles one by one).
  // (Measured over 1000 random shapes against the exact x: up to 1.0·(tiny/2)·S_t on the CPU,
  // 1.35 on CUDA, 1.0 for the float64 loop.)
  // S_t is the recurrence's memory: ~1/(1 - |a|), up to ~2000 for 'nearOne' coefficients. The
  // float64 loop itself is only within (tiny/2)·S_t (R = 1) of the exact x. (An earlier floor of
  // 4·log2(n+2)·tiny against that loop counted a path's depth but not the steps: the engine and
  // the loop round differently from the first composition on, and their difference wanders
  // like a random walk, ~13·tiny rms for 'nearOne', past 48·tiny now and then: issue 15.)
  // The log method works on logarithms, where nothing is subnormal, and rounds to the grid once
  // at the end: within an ulp of exp (CUDA documents 1) plus its log-space rounding, here below
  // 10^-5·tiny: 2·tiny.
  // So the reference is the exact x: the loop on the data scaled by 2^k into the normal range
  // (exact: a power of 2) in double-double; the relative bound still applies on top, for the
  // coefficient products' relative rounding, as for normal data.
  const roundingsPerPosition = DEVICE === 'cuda' ? 10 : 3;
  test("subnormal data: no flush to zero, within the bound plus the subnormal grid's rounding", () => {
    fc.assert(
      fc.property(shapeArb(), dtypeArb, methodArb, fc.boolean(), (s, dtype, method, reverse) => {
        const C = ctorOf(dtype);
        const { a, b } = makeData(C, s);
        const { n, rows } = s;
        const k = dtype === 'float32' ? 140 : 1065; // |b| < 2^-126 / 2^-1022: subnormal
        const bs = fromFn(C, b, (v) => v * 2 ** -k);
        const x = scan(a, bs, { rows, reverse, method });
        // Everything in units scaled by 2^k, where x·2^k is exact and tiny·2^k = 2^-9.
        const up = (v: number) => v * 2 ** 1000 * 2 ** (k - 1000);
        const exact = referenceDD(a, Float64Array.from(bs, up), rows, reverse);
        const xUp = Float64Array.from(x, up);
        const tinyUp = 2 ** -9;
        const reach = new Float64Array(x.length); // S_t in x's layout (0 at x_0)
        for (let r = 0; r < rows; r++) {
          let S = 0;
          for (let i = 1; i <= n; i++) {
            const t = reverse ? n - i : i; // the x that coefficient a[r·n + (reverse ? t : t - 1)] produces
            reach[r * (n + 1) + t] = S = Math.abs(a[r * n + (reverse ? t : t - 1)]) * S + 1;
          }
        }
        const relative = bound(dtype, method, n);
        const mean = meanAbsOf(exact);
        let worst = 0;
        let at = -1;
        for (let i = 0; i < x.length; i++) {
          if (xUp[i] === exact[i]) continue;
          const grid = method === 'direct' ? (roundingsPerPosition * reach[i]) / 2 : 2;
          const allowed = relative * (Math.abs(exact[i]) + mean) + tinyUp * grid;
          const ratio = Math.abs(xUp[i] - exact[i]) / allowed;
          if (!(ratio <= worst)) [worst, at] = [ratio, i];
        }
        if (!(worst <= 1))
          throw new Error(`x[${at}] = ${xUp[at] / tinyUp}·tiny, exact ${exact[at] / tinyUp}·tiny, S_t = ${reach[at]}: ${worst} times the bound`);
        // x_0 itself is copied, never flushed.
        for (let r = 0; r < rows; r++) {
          const i = r * (n + 1) + (reverse ? n : 0);
          expect(Object.is(x[i], bs[i])).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('huge magnitudes: scan(a, 2^k·b) is exactly 2^k·scan(a, b) (direct method)', () => {
    fc.assert(
      fc.property(shapeArb(), dtypeArb, fc.boolean(), fc.integer({ min: 0, max: 900 }), (s, dtype, reverse, kRaw) => {
        const C = ctorOf(dtype);
        const { a, b } = makeData(C, { ...s, dist: s.dist === 'wide' ? 'uniform' : s.dist });
        const x = scan(a, b, { rows: s.rows, reverse });
        let big = 0;
        for (const v of x) big = Math.max(big, Math.abs(v));
        const maxExp = dtype === 'float32' ? 127 : 1023;
        // Scaled x stay within max/8: within a factor 4 of the largest value (TileScan::within's
        // max/4) the engine may step a tile in order where the unscaled data composed it, which
        // is as accurate but not the same bits (seed 1878531133: n = 8320, float32, k = 888).
        const k = Math.min(kRaw % (maxExp + 1), Math.max(0, maxExp - 3 - Math.ceil(Math.log2(big + 1))));
        const f = 2 ** k;
        const xs = scan(
          a,
          fromFn(C, b, (v) => v * f),
          { rows: s.rows, reverse },
        );
        expect(
          bitwise(
            xs,
            fromFn(C, x, (v) => v * f),
          ),
        ).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  test('huge and tiny magnitudes through the log method stay within the log bound', () => {
    fc.assert(
      fc.property(shapeArb(), dtypeArb, fc.boolean(), fc.integer({ min: -100, max: 100 }), (s, dtype, reverse, kRaw) => {
        const C = ctorOf(dtype);
        const k = dtype === 'float32' ? kRaw : kRaw * 8; // float32: 2^±100; float64: 2^±800
        const { a, b } = makeData(C, { ...s, dist: s.dist === 'wide' ? 'uniform' : s.dist });
        const bs = fromFn(C, b, (v) => v * 2 ** k);
        const x = scan(a, bs, { rows: s.rows, reverse, method: 'log' });
        const ref = reference(a, bs, s.rows, reverse);
        // A magnitude of 2^k adds |k|·ln2 to every log: its rounding scales the bound by that.
        const logScale = 1 + (Math.abs(k) * Math.LN2) / 8;
        expect(mixedError(x, ref)).toBeLessThanOrEqual(bound(dtype, 'log', s.n) * logScale);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('determinism', () => {
  test('the CPU result is bitwise identical run to run and for threads 1, 2, 3, 8', async () => {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const method of ['direct', 'log'] as const) {
        for (const [rows, n] of [
          [1, 140_001],
          [3, 30_000],
        ]) {
          const reverse = rows === 3;
          const { a, b } = makeData(ctorOf(dtype), { n, rows, seed: n + rows, dist: 'nearOne', zeros: 0.0001 });
          const first = scan(a, b, { rows, reverse, method, threads: 1 });
          // The thread count means nothing on CUDA (test/21): there, three runs and an async one.
          for (const threads of DEVICE === 'cuda' ? [1] : [1, 2, 3, 8]) {
            for (let run = 0; run < 2; run++) {
              expect(bitwise(scan(a, b, { rows, reverse, method, threads }), first)).toBe(true);
            }
            expect(bitwise(await scanAsync(a, b, { rows, reverse, method, threads }), first)).toBe(true);
          }
          // Default thread count too.
          expect(bitwise(scan(a, b, { rows, reverse, method }), first)).toBe(true);
        }
      }
    }
  });

  test('float64 results of 32 MB and more (stored past the caches) have the bits of a shorter scan on its steps', () => {
    // Tiles start at multiples of 8320 steps whatever n is, so a scan's first 64 tiles are the same
    // as those of a scan of exactly 64 tiles (below the 32 MB at which the engine streams its stores).
    const n = 4_300_000,
      m = 8320 * 64;
    const { a, b } = makeData(Float64Array, { n, rows: 1, seed: 51, dist: 'nearOne', zeros: 0.0001 });
    const short = scan(a.subarray(0, m), b.subarray(0, m + 1), { threads: 1 });
    for (const threads of DEVICE === 'cuda' ? [1] : [1, 2]) {
      const long = scan(a, b, { threads });
      expect(bitwise(long.subarray(0, m + 1), short)).toBe(true);
    }
    // One thread runs each rescan beside the next tile's phase 1 (LaneVectors::rescanThenReduce),
    // whose blocks start where out is aligned: at offsets 1 and 3 they do not line up with phase 1's.
    if (DEVICE === 'cpu') {
      for (const offset of [1, 3]) {
        const out = new Float64Array(n + 1 + offset).subarray(offset);
        scan(a, b, { out, threads: 1 });
        expect(bitwise(out.subarray(0, m + 1), short)).toBe(true);
      }
    }
  });

  // The CPU engine runs a forward row's full tiles as one vector chain of its four lanes
  // (native/cpu/tile_scan.h, LaneVectors) and a reverse row's lanes one by one: the same operations
  // per lane, so reversing the data and the direction gives the same bits, at any offset of out.
  (DEVICE === 'cpu' ? test : test.skip)('forward tiles have the bits of the same tiles scanned in reverse, at any offset of out', () => {
    const n = 8320 * 3 + 777; // three full tiles and a partial one
    for (const C of [Float32Array, Float64Array]) {
      for (const dist of ['nearOne', 'positive', 'uniform'] as const) {
        const { a, b } = makeData(C, { n, rows: 1, seed: 8, dist, zeros: 0.0001 });
        const backward = scan(a.slice().reverse(), b.slice().reverse(), { reverse: true, threads: 1 }).reverse();
        for (const offset of [0, 1, 2, 3]) {
          const out = new C(n + 1 + offset).subarray(offset);
          scan(a, b, { out, threads: 1 });
          expect(bitwise(out, backward)).toBe(true);
        }
      }
    }
  });

  test('aggregate and logScan are bitwise identical for any thread count', () => {
    const { a, b } = makeData(Float32Array, { n: 200_000, rows: 2, seed: 3, dist: 'uniform', zeros: 0 });
    const bOnly = b.subarray(0, 400_000);
    const first = aggregate(a, bOnly, { rows: 2, threads: 1 });
    const la = Float32Array.from(a, (v) => Math.log(Math.abs(v)));
    const lb = Float32Array.from(b, (v) => Math.log(Math.abs(v)));
    const sa = Int8Array.from(a, (v) => (v < 0 ? -1 : 1));
    const sb = Int8Array.from(b, (v) => (v < 0 ? -1 : 1));
    const lfirst = logScan({ logAbs: la, sign: sa }, { logAbs: lb, sign: sb }, { rows: 2, threads: 1 });
    for (const threads of [2, 3, 8]) {
      const g = aggregate(a, bOnly, { rows: 2, threads });
      expect(bitwise(g.A, first.A) && bitwise(g.B, first.B)).toBe(true);
      const l = logScan({ logAbs: la, sign: sa }, { logAbs: lb, sign: sb }, { rows: 2, threads });
      expect(bitwise(l.logAbs, lfirst.logAbs) && bitwise(l.sign, lfirst.sign)).toBe(true);
    }
  });
});
