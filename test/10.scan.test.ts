// scan / scanAsync: x_t = a_t·x_{t-1} + b_t, per row, forward and reverse, both methods.
import { aggregate, createScanner, logScan, scan, scanAsync, sequential } from '../src';
import { fill, fresh, mixedError, reference, referenceDD, seedInputs, seedNote, tagOf } from './helpers';

const EPS = { float32: 2 ** -24, float64: 2 ** -53 };

/** The largest |log|x|| among values that matter to the mixed metric (|x| ≥ mean|x| / 100). */
function logScale(ref: Float64Array): number {
  let mean = 0;
  for (const v of ref) mean += Math.abs(v);
  mean /= Math.max(1, ref.length);
  let worst = 0;
  for (const v of ref) if (Math.abs(v) >= mean / 100 && v !== 0) worst = Math.max(worst, Math.abs(Math.log(Math.abs(v))));
  return worst;
}
const types = [
  ['float32', Float32Array],
  ['float64', Float64Array],
] as const;
const methods = ['direct', 'log'] as const;
const sizes = [0, 1, 2, 3, 7, 1039, 1040, 1041, 8320, 8321, 100_003];

describe('scan against a float64 reference', () => {
  for (const [dtype, Ctor] of types)
    for (const method of methods)
      for (const reverse of [false, true])
        test(`${dtype} ${method}${reverse ? ' reverse' : ''}: sizes ${sizes.join(', ')} and rows 1, 3 ${seedNote()}`, () => {
          for (const n of sizes)
            for (const rows of [1, 3]) {
              const { coeffs, values } = seedInputs(Ctor, rows, n, 'normal');
              const x = scan(coeffs, values, { rows, method, reverse });
              expect(tagOf(x)).toBe(tagOf(values));
              expect(x.length).toBe(rows * (n + 1));
              const ref = (dtype === 'float64' ? referenceDD : reference)(coeffs, values, rows, reverse);
              const loop = sequential(coeffs, values, { rows, reverse });
              // At small n one element's rounding decides the maximum; the log form carries
              // log|x|, whose rounding is |log x| ulps of x (the 4x claim at scale is test 14's).
              const floor = method === 'log' ? 16 * (1 + logScale(ref)) : 16;
              // On one small row a single element can dominate, and errors there are amplified
              // by products of |a| > 1 in either order: 16x the loop here; the 4x claim over the
              // seed's long sequences is checked by test 14.
              const tolerance = Math.max(16 * mixedError(loop, ref), floor * EPS[dtype]);
              expect(mixedError(x, ref)).toBeLessThanOrEqual(tolerance);
              // x_0 is copied through exactly
              for (let r = 0; r < rows; r++) {
                const slot = r * (n + 1) + (reverse ? n : 0);
                expect(x[slot]).toBe(values[slot]);
              }
            }
        });
});

describe('values that need care', () => {
  test('a_t = 0 is an exact reset: x_t = b_t (direct: bitwise; log: to rounding of exp(log b))', () => {
    const r = fresh();
    const n = 50_000;
    const coeffs = fill(new Float32Array(n), r.normal);
    const values = fill(new Float32Array(n + 1), r.normal);
    for (let t = 0; t < n; t += 97) coeffs[t] = 0;
    for (const method of methods) {
      const x = scan(coeffs, values, { method });
      for (let t = 0; t < n; t += 97) {
        if (method === 'direct') expect(x[t + 1]).toBe(values[t + 1]);
        else expect(Math.abs(x[t + 1] - values[t + 1])).toBeLessThanOrEqual(8 * EPS.float32 * Math.abs(values[t + 1]));
      }
    }
  });

  test('negative coefficients and values flip signs correctly (log method too)', () => {
    const coeffs = new Float64Array([-2, -0.5, 3, -1]);
    const values = new Float64Array([1, -1, 2, -4, 0.5]);
    const expected = reference(coeffs, values);
    for (const method of methods) {
      const x = scan(coeffs, values, { method });
      for (let i = 0; i < x.length; i++) expect(x[i]).toBeCloseTo(expected[i], 12);
    }
  });

  test('zeros everywhere give zeros, with x_0 kept', () => {
    for (const method of methods) {
      const x = scan(new Float32Array(10), new Float32Array(11), { method });
      expect(Array.from(x)).toEqual(new Array(11).fill(0));
    }
  });

  test('NaN propagates as in the sequential loop: every x from the NaN on is NaN, earlier ones exact', () => {
    const r = fresh();
    const n = 200_000;
    for (const where of ['coeffs', 'values'] as const)
      for (const method of methods) {
        const coeffs = fill(new Float64Array(n), () => r.uniform());
        const values = fill(new Float64Array(n + 1), () => r.uniform());
        const at = 123_457;
        if (where === 'coeffs') coeffs[at - 1] = NaN;
        else values[at] = NaN;
        const x = scan(coeffs, values, { method });
        const loop = sequential(coeffs, values);
        // One expect for the whole row (an expect per element took a minute).
        const differ: number[] = [];
        for (let t = 0; t <= n; t++) if ((x[t] !== x[t]) !== (loop[t] !== loop[t])) differ.push(t);
        expect({ where, method, differ: differ.slice(0, 5) }).toEqual({ where, method, differ: [] });
        expect(loop[at] !== loop[at] && loop[n] !== loop[n]).toBe(true);
        expect(mixedError(x.subarray(0, at), reference(coeffs, values).subarray(0, at))).toBeLessThan(1e-13);
      }
  });

  // Session 24: sparse NaNs (missing data, 1e-4 to 1e-3) in many tiles; steps after a NaN skip the
  // log method's general step, and a NaN lane skips its general reduce after its NaN.
  test('sparse NaNs in coefficients and values, every method: NaN from the first NaN on, earlier ones exact, the same bits on 1 and 2 threads', () => {
    const r = fresh();
    const n = 300_000; // 2 threads from 2^18 steps
    for (const C of [Float32Array, Float64Array])
      for (const [rateA, rateB] of [
        [1e-4, 0],
        [1e-3, 1e-3],
      ]) {
        // the first NaN past the first tile (8320 steps), so that clean tiles come before it
        const coeffs = fill(new C(n), () => (r.uniform() < rateA ? NaN : 0.2 + 0.8 * r.uniform()));
        const values = fill(new C(n + 1), () => (r.uniform() < rateB ? NaN : r.uniform() - 0.3));
        for (let t = 0; t < 9000; t++) {
          if (coeffs[t] !== coeffs[t]) coeffs[t] = 0.5;
          if (values[t] !== values[t]) values[t] = 0.5;
        }
        coeffs[12_345] = NaN;
        const loop = sequential(coeffs, values);
        const first = loop.findIndex((v) => v !== v);
        const ref = reference(coeffs, values).subarray(0, first);
        const logs = (v: Float32Array | Float64Array) => v.map((x) => Math.log(Math.abs(x)));
        const runs: Record<string, (threads: number, reverse: boolean) => Float32Array | Float64Array> = {
          direct: (threads, reverse) => scan(coeffs, values, { threads, reverse }),
          log: (threads, reverse) => scan(coeffs, values, { threads, reverse, method: 'log' }),
          logScan: (threads, reverse) => {
            const l = logScan(
              { logAbs: logs(coeffs), sign: Int8Array.from(coeffs, (v) => (v < 0 ? -1 : 1)) },
              { logAbs: logs(values), sign: Int8Array.from(values, (v) => (v < 0 ? -1 : 1)) },
              { threads, reverse },
            );
            return l.logAbs.map((v, t) => l.sign[t] * Math.exp(v));
          },
        };
        for (const [method, run] of Object.entries(runs)) {
          const x = run(1, false);
          const notNaN: number[] = [];
          for (let t = first; t <= n; t++) if (x[t] === x[t]) notNaN.push(t);
          const before = x.subarray(0, first).findIndex((v) => v !== v);
          expect({ C: C.name, rateA, method, first, notNaN: notNaN.slice(0, 5), before }).toEqual({ C: C.name, rateA, method, first, notNaN: [], before: -1 });
          expect(mixedError(x.subarray(0, first), ref)).toBeLessThan(C === Float32Array ? 1e-5 : 1e-12);
          for (const reverse of [false, true]) {
            const one = run(1, reverse),
              two = run(2, reverse);
            expect({ method, reverse, same: Buffer.from(one.buffer).equals(Buffer.from(two.buffer)) }).toEqual({ method, reverse, same: true });
          }
        }
        // aggregate: A is NaN where a coefficient is (every row here has one), B NaN from it on
        const g = aggregate(coeffs, values.subarray(1), { threads: 2 });
        expect(Number.isNaN(g.A[0]) && Number.isNaN(g.B[0])).toBe(true);
      }
  });

  test('Infinity propagates (inf or NaN where the loop has them)', () => {
    const coeffs = new Float64Array([1, Infinity, 2, 0, 1]);
    const values = new Float64Array([1, 1, 1, 1, 5, 1]);
    const loop = sequential(coeffs, values);
    const x = scan(coeffs, values);
    expect(Array.from(x)).toEqual(Array.from(loop));
  });

  test('overflowing coefficient products followed by a reset do not poison later values', () => {
    // float32 products of 10s overflow within a tile; the reset (a = 0) makes them irrelevant.
    const n = 100_000;
    const coeffs = new Float32Array(n).fill(0.5);
    const values = new Float32Array(n + 1).fill(1e-30);
    for (let t = 20_000; t < 20_060; t++) coeffs[t] = 10;
    coeffs[20_060] = 0;
    const x = scan(coeffs, values);
    const loop = sequential(coeffs, values);
    expect(mixedError(x.subarray(20_062), loop.subarray(20_062))).toBeLessThan(1e-6);
  });

  test('a reset to a large x, then a lane whose product underflows (no zero): the x it carries still counts (scan and aggregate)', () => {
    // Lane 1 of the first tile resets x to `big`; lane 2's coefficient product underflows to 0
    // (2080 steps of `decay`) while the loop's x stays normal (big·decay^2080). Joined into the
    // tile's total, lane 2's 0 dropped lane 1's B: the next tile started from 0 (session 14; the
    // CUDA engine's groups still do, bench/NOTES.md). Element by element against the loop.
    for (const [C, big, decay] of [
      [Float64Array, 1e300, 0.6], // 1e300·0.6^2080 = 3.6e-162
      [Float32Array, 1e30, 0.946], // 1e30·0.946^2080 = 2e-20
    ] as const) {
      const n = 3 * 8320 + 77;
      const a = new C(n).fill(1);
      const v = new C(n + 1);
      v[0] = 1;
      a[2080 + 5] = 0;
      v[2080 + 6] = big;
      for (let i = 4160; i < 6240; i++) a[i] = decay;
      const loop = sequential(a, v);
      expect(loop[9000]).toBeGreaterThan(C === Float64Array ? 1e-300 : 1e-37); // normal: the loop keeps it
      for (const threads of [1, 2]) {
        const x = scan(a, v, { threads });
        const bad = loop.findIndex((want, i) => !(Math.abs(x[i] - want) <= 1e-5 * Math.abs(want)));
        expect({ dtype: C.name, threads, bad }).toEqual({ dtype: C.name, threads, bad: -1 });
        // aggregate: B is the loop from 0 over b_1..b_n
        const agg = aggregate(a, v.subarray(1), { threads });
        let fromZero = 0;
        for (let i = 0; i < n; i++) fromZero = a[i] * fromZero + v[i + 1];
        expect({ dtype: C.name, threads, B: Math.abs(agg.B[0] - fromZero) <= 1e-5 * Math.abs(fromZero) }).toEqual({ dtype: C.name, threads, B: true });
      }
    }
  });
});

describe('an overflow of the loop inside a lane or tile (direct method)', () => {
  // x_0 = 1 (b_1 = 0, or 1 where B, the loop from 0, overflows too), a = 1 but for `up` steps of g
  // then `up` of 1/g from step `at`: the loop's x overflows to inf and stays inf to the end. The direct method's
  // composed starts (A·x + B) did not see an overflow inside a lane or tile: x came back finite
  // (1) at the next lane or tile boundary (a review, session 19). Inside a lane, across a lane's
  // end, ending at one, across a tile's, ending at one; one-shot, in place, reverse, a Scanner
  // split anywhere, aggregate's B (the loop from 0).
  const cases = [
    ['float32', Float32Array, 16, 40], // 16^40 = 2^160
    ['float64', Float64Array, 65536, 80], // 2^1280
  ] as const;
  const kinds = (x: ArrayLike<number>) => Array.from(x, (v) => (v !== v ? 'NaN' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : 'finite'));
  const firstDiffer = (x: ArrayLike<number>, loop: ArrayLike<number>) => {
    const k = kinds(x),
      l = kinds(loop);
    return l.findIndex((v, i) => v !== k[i] || (v === 'finite' && !(Math.abs(x[i] - loop[i]) <= 1e-5 * Math.abs(loop[i]))));
  };
  for (const [dtype, C, g, up] of cases)
    test(`${dtype}: inf or NaN where the loop has them, whatever the boundaries`, () => {
      const n = 3 * 8320 + 500;
      for (const at of [100, 2000, 2080 - 2 * up, 8320 - 100, 8320 - 2 * up, 2 * 8320 + 1000])
        for (const b1 of [0, 1]) {
          const a = new C(n).fill(1);
          const v = new C(n + 1);
          v[0] = 1;
          v[1] = b1;
          a.fill(g, at, at + up).fill(1 / g, at + up, at + 2 * up);
          for (const reverse of [false, true]) {
            const ar = reverse ? a.slice().reverse() : a;
            const vr = reverse ? v.slice().reverse() : v;
            const loop = sequential(ar, vr, { reverse });
            expect(kinds(loop).filter((k) => k === 'inf').length).toBeGreaterThan(400);
            for (const threads of [1, 2]) {
              const x = scan(ar, vr, { reverse, threads });
              expect({ dtype, at, reverse, threads, bad: firstDiffer(x, loop) }).toEqual({ dtype, at, reverse, threads, bad: -1 });
              const inPlace = vr.slice();
              scan(ar, inPlace, { reverse, threads, out: inPlace });
              expect({ dtype, at, reverse, threads, inPlace: firstDiffer(inPlace, loop) }).toEqual({ dtype, at, reverse, threads, inPlace: -1 });
            }
            const agg = aggregate(ar, reverse ? vr.subarray(0, n) : vr.subarray(1), { reverse });
            expect({ dtype, at, reverse, B: agg.B[0] }).toEqual({ dtype, at, reverse, B: b1 ? Infinity : 0 });
          }
          for (const split of [1, at + 1, at + up, at + 2 * up + 1, 8320, n - 1]) {
            const s = createScanner({ dtype, initial: 1 });
            const first = s.push(a.subarray(0, split), v.subarray(1, split + 1)) as Float64Array;
            const rest = s.push(a.subarray(split), v.subarray(split + 1)) as Float64Array;
            const loop = sequential(a, v);
            expect({ dtype, at, split, bad: firstDiffer([...first, ...rest], loop.subarray(1)) }).toEqual({ dtype, at, split, bad: -1 });
          }
        }
      // past the parallel threshold: tiles composed by other threads (composeLate) too
      const big = 40 * 8320;
      for (const at of [5 * 8320 - up, 9 * 8320 + 2080 - 2 * up]) {
        const a = new C(big).fill(1);
        const v = new C(big + 1);
        v[0] = 1;
        a.fill(g, at, at + up).fill(1 / g, at + up, at + 2 * up);
        const loop = sequential(a, v);
        for (const threads of [1, 2, 4])
          expect({ dtype, at, threads, bad: firstDiffer(scan(a, v, { threads }), loop) }).toEqual({ dtype, at, threads, bad: -1 });
      }
    });
});

describe('x overflowing to ±inf partway, then carried through lanes and tiles (direct method)', () => {
  // Once x is ±inf, each a·x + b is ±inf with x's sign times a's (no 0·inf, no inf − inf): a tile
  // or lane whose start is infinite is taken from its inputs alone, its end's sign from its
  // coefficients' signs, where every coefficient is nonzero and not NaN and every addend finite
  // (session 25). Its carry is wrong if a sign is dropped, or if a zero coefficient or an infinite
  // addend of the other sign (NaN in the loop from there) is missed. Element by element against the
  // loop: the same inf, -inf and NaN, finite values to rounding; 1, 2 and 4 threads (tiles
  // published by other threads), forward, reverse and in place; aggregate's B likewise.
  const firstDiffer = (x: ArrayLike<number>, loop: ArrayLike<number>) => {
    for (let i = 0; i < loop.length; i++) {
      const want = loop[i],
        got = x[i];
      if (Number.isFinite(want) ? !(Math.abs(got - want) <= 1e-4 * Math.abs(want) + 1e-30) : !(got === want || (got !== got && want !== want))) return i;
    }
    return -1;
  };
  const count = (x: ArrayLike<number>, v: number) => Array.prototype.filter.call(x, (y: number) => y === v).length;
  let seed = 25;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const n = 40 * 8320 + 123; // past the parallel threshold
  const at = 17 * 8320 + 2080 + 9; // inside a lane of a tile well after the overflow
  const events: [string, (a: Float64Array, b: Float64Array) => void][] = [
    ['none', () => {}],
    ['a zero coefficient', (a) => void (a[at] = 0)],
    ['an addend -inf', (_, b) => void (b[at + 1] = -Infinity)],
    ['an addend +inf', (_, b) => void (b[at + 1] = Infinity)],
    ['a NaN addend', (_, b) => void (b[at + 1] = NaN)],
    ['an infinite coefficient', (a) => void (a[at] = -Infinity)],
  ];
  for (const [dtype, C] of types)
    for (const [coefficients, draw] of [
      ['U(-10,10)', () => 20 * rnd() - 10],
      ['-1.01', () => -1.01],
    ] as const)
      test(`${dtype}, a ~ ${coefficients}: inf, -inf and NaN where the loop has them, on 1, 2 and 4 threads`, () => {
        for (const [event, put] of events) {
          const a64 = Float64Array.from({ length: n }, draw),
            b64 = Float64Array.from({ length: n + 1 }, () => rnd() - 0.5);
          put(a64, b64);
          const a = C.from(a64),
            b = C.from(b64);
          for (const reverse of [false, true]) {
            const loop = sequential(a, b, { reverse });
            expect(count(loop, Infinity)).toBeGreaterThan(1000);
            expect(count(loop, -Infinity)).toBeGreaterThan(1000);
            for (const threads of [1, 2, 4]) {
              const x = scan(a, b, { reverse, threads });
              expect({ dtype, event, reverse, threads, bad: firstDiffer(x, loop) }).toEqual({ dtype, event, reverse, threads, bad: -1 });
              const inPlace = b.slice();
              scan(a, inPlace, { reverse, threads, out: inPlace });
              expect({ dtype, event, reverse, threads, inPlace: firstDiffer(inPlace, loop) }).toEqual({ dtype, event, reverse, threads, inPlace: -1 });
            }
            // aggregate's B: the loop from 0, the same ±inf or NaN (its chain past an infinite B too)
            const fromZero = b.slice();
            fromZero[reverse ? n : 0] = 0;
            const want = sequential(a, fromZero, { reverse })[reverse ? 0 : n];
            for (const threads of [1, 2]) {
              const B = aggregate(a, reverse ? b.subarray(0, n) : b.subarray(1), { reverse, threads }).B[0];
              expect({ dtype, event, reverse, threads, B: firstDiffer([B], [want]) }).toEqual({ dtype, event, reverse, threads, B: -1 });
            }
          }
        }
      });
});

describe('an underflow of the loop or of a coefficient product inside a lane or tile (direct method)', () => {
  // The mirror of the overflow above (a review, session 21). (2) The loop's x underflows to 0 (or
  // into the subnormal range, where it keeps fewer bits) and the coefficients grow back: the loop
  // stays 0 (or keeps what it kept), while the composed starts A·x + B kept x·A whole, and x came
  // back at the next lane or tile boundary (x = 1, a = 0.5 for 200 float32 steps then 2: 0, then 1).
  // (1) The loop's x stays normal, but a coefficient product (a lane's S·A_t, a partial product of
  // a partial tile, a tile's product of lane products) passes below the normal range and back:
  // it lost its bits (8.24e299 instead of 1e300, or x·A dropped). Compared with the loop
  // (`sequential`): the same 0, inf and NaN, and elsewhere within a few ulps of its value.
  const tolerance = { float32: 2 ** -18, float64: 2 ** -40 };
  const tiny = { float32: 2 ** -149, float64: 2 ** -1074 };
  const firstDiffer = (x: ArrayLike<number>, loop: ArrayLike<number>, dtype: 'float32' | 'float64', tol = tolerance[dtype]) => {
    for (let i = 0; i < loop.length; i++) {
      const v = x[i],
        w = loop[i];
      if (Object.is(v, w) || (v !== v && w !== w)) continue;
      if (w === 0 || v === 0 || !Number.isFinite(w) || !Number.isFinite(v)) return i;
      if (!(Math.abs(v - w) <= tol * Math.abs(w) + 8 * tiny[dtype])) return i;
    }
    return -1;
  };
  const n = 3 * 8320 + 500;
  // (2): x_0 = 1 (b = 0): `down` steps of 1/g then `down` of g from `at`
  const extinct = [
    ['float32', Float32Array, 2, 200],
    ['float64', Float64Array, 2, 1100],
  ] as const;
  // (1) the loop's x: 1e300 → 4.5e-178 → 1e300 (float64; the lane's S·A_t at 6e-324), in a pattern
  // that also takes coefficientProduct's partials through 6e-324 (every 4th step)
  const dip = (C: Float64ArrayConstructor | Float32ArrayConstructor, len: number, at: number, every: number) => {
    const a = new C(len).fill(1);
    const v = new C(len + 1);
    if (C === Float64Array) {
      v[0] = 1e300;
      let k = at;
      for (let i = 0; i < 28; i++, k += every) a[k] = 1e-17;
      a[k] = 4.47e-2;
      k += every;
      for (let i = 0; i < 28; i++, k += every) a[k] = 1e17;
      a[k] = 1 / 4.47e-2;
    } else {
      // float32 (products in double): blocks [1e10, 1e10, 1e10, 1e-30] keep x in [1, 1e30]; the
      // partial of every 4th factor reaches 1e-300 and 6e-324
      v[0] = 1;
      for (let k = 0; k < 10; k++) {
        a[at + 4 * k] = 1e10;
        a[at + 4 * k + 1] = 1e10;
        a[at + 4 * k + 2] = 1e10;
        a[at + 4 * k + 3] = 1e-30;
      }
      a[at + 40] = 1 / 6e-24;
      a[at + 43] = 6e-24;
    }
    return [a, v] as const;
  };
  const check = (dtype: 'float32' | 'float64', a: Float32Array | Float64Array, v: Float32Array | Float64Array, tag: object) => {
    const len = a.length;
    for (const reverse of [false, true]) {
      const ar = reverse ? a.slice().reverse() : a;
      const vr = reverse ? v.slice().reverse() : v;
      const loop = sequential(ar, vr, { reverse });
      for (const threads of [1, 2]) {
        const x = scan(ar, vr, { reverse, threads });
        expect({ ...tag, reverse, threads, bad: firstDiffer(x, loop, dtype) }).toEqual({ ...tag, reverse, threads, bad: -1 });
        const inPlace = vr.slice();
        scan(ar, inPlace, { reverse, threads, out: inPlace });
        expect({ ...tag, reverse, threads, inPlace: firstDiffer(inPlace, loop, dtype) }).toEqual({ ...tag, reverse, threads, inPlace: -1 });
      }
      if (!reverse) {
        // aggregate's B: the loop from 0, x_0 entering through the first b
        const bs = v.slice(1);
        bs[0] = dtype === 'float32' ? Math.fround(Math.fround(a[0] * v[0]) + v[1]) : a[0] * v[0] + v[1];
        const z = v.slice();
        z[0] = 0;
        z.set(bs, 1);
        const fromZero = sequential(a, z);
        expect({ ...tag, B: firstDiffer([aggregate(a, bs).B[0]], [fromZero[len]], dtype) }).toEqual({ ...tag, B: -1 });
      }
    }
    for (const split of [1, 2080, 4100, 8320, len - 700, len - 1]) {
      if (split >= len) continue;
      const s = createScanner({ dtype, initial: v[0] });
      const first = s.push(a.subarray(0, split), v.subarray(1, split + 1)) as Float64Array;
      const rest = s.push(a.subarray(split), v.subarray(split + 1)) as Float64Array;
      const loop = sequential(a, v);
      expect({ ...tag, split, bad: firstDiffer([...first, ...rest], loop.subarray(1), dtype) }).toEqual({ ...tag, split, bad: -1 });
    }
  };
  for (const [dtype, C, g, down] of extinct)
    test(`${dtype}: x underflows to 0 in the loop, the coefficients grow back: 0 to the end, whatever the boundaries`, () => {
      // inside a lane, across a lane's end, across a tile's end, in the last partial tile
      for (const at of [100, 2080 - down, 8320 - down, 2 * 8320 + 2080 - down, n - 2 * down - 10]) {
        const a = new C(n).fill(1);
        const v = new C(n + 1);
        v[0] = 1;
        a.fill(1 / g, at, at + down).fill(g, at + down, at + 2 * down);
        const loop = sequential(a, v);
        expect(loop[n]).toBe(0);
        check(dtype, a, v, { dtype, at });
      }
      // a subnormal x: 1e-20 twice (float32, 1e-40 keeps 17 bits), or 1e-200 (float64) then back
      const small = C === Float32Array ? 1e-20 : 1e-200;
      for (const at of [0, 2078, 8318, 2 * 8320 + 2040]) {
        const a = new C(n).fill(1);
        const v = new C(n + 1);
        v[0] = 1;
        a[at] = small;
        a[at + 1] = small;
        a[at + 2] = 1 / small;
        a[at + 3] = 1 / small;
        check(dtype, a, v, { dtype, at, subnormal: true });
      }
      // past the parallel threshold: tiles composed by other threads (composeLate) too
      const big = 40 * 8320;
      for (const at of [5 * 8320 - down, 9 * 8320 + 2080 - down]) {
        const a = new C(big).fill(1);
        const v = new C(big + 1);
        v[0] = 1;
        a.fill(1 / g, at, at + down).fill(g, at + down, at + 2 * down);
        const loop = sequential(a, v);
        for (const threads of [1, 2, 4])
          expect({ dtype, at, threads, bad: firstDiffer(scan(a, v, { threads }), loop, dtype) }).toEqual({ dtype, at, threads, bad: -1 });
      }
    });
  for (const [dtype, C] of types)
    test(`${dtype}: a coefficient product below the normal range and back while the loop's x stays normal`, () => {
      // full tiles (a lane's prefix products from S), partial tiles (coefficientProduct's partials),
      // across a lane's end and in a later tile
      for (const [len, at] of [
        [8320, 0],
        [20000, 0],
        [20000, 8320 + 100],
        [20000, 2080 - 30],
        [3000, 0],
        [4400, 3],
        [8321, 3],
        [12710, 3],
      ]) {
        const [a, v] = dip(C, len, at, 1);
        check(dtype, a, v, { dtype, len, at, every: 1 });
        if (C === Float64Array) {
          const [a4, v4] = dip(C, len, at + 3, 4);
          a4[at + 2] = 1 / 0.6;
          check(dtype, a4, v4, { dtype, len, at, every: 4 });
        }
      }
    });
  for (const [dtype, C] of types)
    test(`${dtype}: coefficients in a random walk of 10^±k (b = 0 or 1 every 997 steps): as the loop`, () => {
      let seed = 12345;
      const rnd = () => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed / 0x80000000;
      };
      const span = C === Float32Array ? 3 : 20;
      for (let row = 0; row < 40; row++) {
        const len = 3000 + Math.floor(rnd() * 30000),
          reverse = rnd() < 0.5;
        const a = new C(len);
        for (let i = 0; i < len; i++) a[i] = Math.pow(10, span * (2 * rnd() - 1));
        const v = new C(len + 1);
        v[reverse ? len : 0] = 1;
        for (let i = 0; i < len; i += 997) v[i] = rnd() < 0.5 ? 1 : 0;
        const x = scan(a, v, { reverse }),
          loop = sequential(a, v, { reverse });
        // rounding of up to 33000 steps apart (the loop's and the composition's): 1e-6 and 1e-3;
        // the defects were 18% off, or 0, or x·A dropped (7.9998e-50 for 1.766e100)
        expect({ dtype, row, bad: firstDiffer(x, loop, dtype, C === Float32Array ? 1e-3 : 1e-6) }).toEqual({ dtype, row, bad: -1 });
      }
    });
});

// Review 22: an infinite coefficient at the start of a lane (every 2080 steps of a tile), then a
// zero: the loop is NaN from the zero on (0·inf), but the lane's aggregate began with that step
// (start keeps its b: the map inf·x + b) and the zero's reset guard restarted it, so the log
// method carried a finite x into the next lane (NaN for 2079 steps, then 2 to the end).
describe('an infinite coefficient, then a zero (every method, at lane and tile starts)', () => {
  for (const C of [Float32Array, Float64Array])
    test(`${C.name}: NaN from the zero on, as the loop has it`, () => {
      const n = 20_000;
      for (const at of [0, 1, 2080, 4160, 8320, 12_480]) {
        for (const reverse of [false, true]) {
          const coeffs = new C(n).fill(0.5);
          const values = new C(n + 1).fill(1);
          // in scan order: the infinity at step `at`, the zero right after it
          coeffs[reverse ? n - 1 - at : at] = Infinity;
          coeffs[reverse ? n - 2 - at : at + 1] = 0;
          const loop = sequential(coeffs, values, { reverse });
          const kinds = (x: ArrayLike<number>) => Array.from(x, (v) => (v !== v ? 'NaN' : v === Infinity ? 'inf' : 'finite')).join('');
          for (const method of methods)
            for (const threads of [1, 2]) {
              const x = scan(coeffs, values, { method, reverse, threads });
              expect({ at, reverse, method, threads, same: kinds(x) === kinds(loop) }).toEqual({ at, reverse, method, threads, same: true });
            }
          const logs = logScan(Float64Array.from(coeffs, Math.log), Float64Array.from(values, Math.log), { reverse });
          const fromLogs = Float64Array.from(logs.logAbs, (l, i) => logs.sign[i] * Math.exp(l));
          expect({ at, reverse, logScan: kinds(fromLogs) === kinds(loop) }).toEqual({ at, reverse, logScan: true });
        }
      }
    });
});

describe('options', () => {
  test('out receives the result and is returned; out === values works in place', () => {
    const { coeffs, values } = seedInputs(Float64Array, 2, 5000, 'uniform');
    const expected = scan(coeffs, values, { rows: 2 });
    const out = new Float64Array(values.length);
    expect(scan(coeffs, values, { rows: 2, out })).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(expected));
    const inPlace = values.slice();
    scan(coeffs, inPlace, { rows: 2, out: inPlace });
    expect(Array.from(inPlace)).toEqual(Array.from(expected));
  });

  test("in place with method 'log': a value the plain chain cannot carry (NaN, inf, 1e200) leaves the result of a fresh call", () => {
    // The log method's plain chain stores as it goes and, where a value leaves its band, the
    // general loop redoes the chain from its start: in place, that read back the x just stored
    // over b (every x of the tile changed, those before the value included).
    const r = fresh();
    for (const [, C] of types)
      for (const reverse of [false, true])
        for (const [n, at] of [
          [3000, 2999],
          [3000, 1500],
          [20_000, 12_345],
        ])
          for (const special of [NaN, Infinity, -Infinity, C === Float64Array ? 1e200 : 1e30]) {
            const { coeffs, values } = seedInputs(C, 1, n, 'uniform');
            (r.uniform() < 0.5 ? coeffs : values)[at] = special;
            const expected = scan(coeffs, values, { method: 'log', reverse });
            const inPlace = values.slice();
            scan(coeffs, inPlace, { method: 'log', reverse, out: inPlace });
            expect(Buffer.compare(Buffer.from(inPlace.buffer), Buffer.from(expected.buffer))).toBe(0);
          }
  });

  test('threads does not change the result (bitwise)', () => {
    const { coeffs, values } = seedInputs(Float32Array, 1, 300_000, 'normal');
    const one = scan(coeffs, values, { threads: 1 });
    for (const threads of [2, 3, 7]) expect(Buffer.compare(Buffer.from(scan(coeffs, values, { threads }).buffer), Buffer.from(one.buffer))).toBe(0);
  });

  test('reverse equals reversing inputs, scanning, reversing the result', () => {
    const { coeffs, values } = seedInputs(Float64Array, 1, 10_000, 'normal');
    const viaFlip = scan(coeffs.slice().reverse(), values.slice().reverse()).reverse();
    const direct = scan(coeffs, values, { reverse: true });
    expect(mixedError(direct, viaFlip)).toBeLessThan(1e-14);
  });

  test("device 'cpu' is always available", () => {
    const x = scan(new Float32Array([2]), new Float32Array([1, 1]), { device: 'cpu' });
    expect(Array.from(x)).toEqual([1, 3]);
  });
});

describe('rows', () => {
  // README, Guarantees, Rows: rows of at most 2048 steps are the sequential loop (kShortRow).
  test('a row of up to 2048 steps is the sequential loop: each x_t is one engine step from the x_{t-1} stored', () => {
    for (const [, Ctor] of types)
      for (const n of [257, 1000, 2048])
        for (const reverse of [false, true]) {
          const rows = 3;
          const { coeffs, values } = seedInputs(Ctor, rows, n, 'normal');
          const x = scan(coeffs, values, { rows, reverse });
          // Every step again, alone: rows of one step each (x_0 = the stored predecessor).
          const a1 = new Ctor(rows * n);
          const b1 = new Ctor(2 * rows * n);
          for (let r = 0, k = 0; r < rows; r++)
            for (let j = 0; j < n; j++, k++) {
              const t = reverse ? j : j + 1; // the step that writes x[t]
              a1[k] = coeffs[r * n + j];
              b1[2 * k] = x[r * (n + 1) + (reverse ? t + 1 : t - 1)];
              b1[2 * k + 1] = values[r * (n + 1) + t];
            }
          const steps = scan(a1, b1, { rows: rows * n });
          for (let r = 0, k = 0; r < rows; r++)
            for (let j = 0; j < n; j++, k++) {
              const t = reverse ? j : j + 1;
              if (!Object.is(steps[2 * k + 1], x[r * (n + 1) + t]))
                throw new Error(`${Ctor.name} n ${n}${reverse ? ' reverse' : ''}: row ${r}, x[${t}] is not one step from its predecessor`);
            }
        }
  });
});

describe('scanAsync', () => {
  test('equals scan (bitwise) for each method and direction', async () => {
    for (const method of methods)
      for (const reverse of [false, true]) {
        const { coeffs, values } = seedInputs(Float32Array, 3, 70_001, 'normal');
        const sync = scan(coeffs, values, { rows: 3, method, reverse });
        const viaAsync = await scanAsync(coeffs, values, { rows: 3, method, reverse });
        expect(Buffer.compare(Buffer.from(viaAsync.buffer), Buffer.from(sync.buffer))).toBe(0);
      }
  });

  test('invalid calls reject rather than throw', async () => {
    const p = scanAsync(new Float32Array(2), new Float32Array(2));
    expect(p).toBeInstanceOf(Promise);
    await expect(p).rejects.toMatchObject({ code: 'ERR_LINREC_LENGTH_MISMATCH', name: 'RangeError' });
  });
});
