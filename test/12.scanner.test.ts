// Scanner: chunked computation gives the one-shot result for any chunking.
import { createScanner, createScanStream, scan, scanIterable, logScan } from '../src';
import { fill, fresh, mixedError, overLoopAccuracy, reference, seedInputs } from './helpers';

/** Splits [0, n) into random chunk lengths (including empty ones). */
function chunking(n: number, pieces: number, r = fresh()): number[] {
  const cuts = Array.from({ length: pieces - 1 }, () => Math.floor(r.uniform() * (n + 1))).sort((x, y) => x - y);
  return [0, ...cuts, n].slice(1).map((c, i, arr) => c - (i === 0 ? 0 : arr[i - 1]));
}

/** The columns [c0, c1) of each row of a rows×width array, back to back. */
function columns<T extends Float32Array | Float64Array>(arr: T, rows: number, width: number, c0: number, c1: number): T {
  const out = new (arr.constructor as { new (n: number): T })(rows * (c1 - c0));
  for (let r = 0; r < rows; r++) out.set(arr.subarray(r * width + c0, r * width + c1), r * (c1 - c0));
  return out;
}

describe('Scanner', () => {
  for (const method of ['direct', 'log'] as const)
    for (const dtype of ['float32', 'float64'] as const)
      test(`${dtype} ${method}: pushes in random chunks equal one scan (bitwise for direct)`, () => {
        const rows = 3;
        const n = 30_000;
        const Ctor = dtype === 'float32' ? Float32Array : Float64Array;
        const { coeffs, values } = seedInputs(Ctor, rows, n, 'normal');
        const initial = Array.from({ length: rows }, (_, r) => values[r * (n + 1)]);
        const b = new Ctor(rows * n);
        for (let r = 0; r < rows; r++) b.set(values.subarray(r * (n + 1) + 1, (r + 1) * (n + 1)), r * n);
        const oneShot = scan(coeffs, values, { rows, method });
        const s = createScanner({ rows, method, dtype, initial });
        let c0 = 0;
        const got = new Ctor(rows * (n + 1));
        for (let r = 0; r < rows; r++) got[r * (n + 1)] = initial[r];
        for (const len of chunking(n, 9)) {
          const x = s.push(columns(coeffs, rows, n, c0, c0 + len), columns(b, rows, n, c0, c0 + len));
          expect((x as Float32Array).length).toBe(rows * len);
          for (let r = 0; r < rows; r++) got.set((x as Float32Array).subarray(r * len, (r + 1) * len), r * (n + 1) + 1 + c0);
          c0 += len;
        }
        const ref = reference(coeffs, values, rows);
        // As accurate as the one-shot scan (4x its error, or within the loop's forward error bound).
        const bound = Math.max(4 * mixedError(oneShot, ref), dtype === 'float32' ? 1e-6 : 1e-14);
        expect(overLoopAccuracy(got, coeffs, values, rows, false, ref, dtype, bound)).toBeLessThanOrEqual(1);
        const state = s.state as Float32Array;
        for (let r = 0; r < rows; r++) expect(state[r]).toBe(got[r * (n + 1) + n]);
        if (method === 'direct' && n % 8320 === 0) expect(Array.from(got)).toEqual(Array.from(oneShot));
      });

  test('log: true pushes logs, returns { logAbs, sign } and carries log|x| (no overflow)', () => {
    const r = fresh();
    const n = 40_000;
    const a = fill(new Float64Array(n), () => -Math.abs(r.normal()) * 0.01);
    const b = fill(new Float64Array(n), () => 800 + r.normal()); // e^800 overflows float64
    const s = createScanner({ log: true, dtype: 'float64', initial: { logAbs: [0], sign: [1] } });
    const whole = logScan(a, Float64Array.of(0, ...b));
    let c0 = 0;
    for (const len of chunking(n, 5)) {
      const x = s.push(a.subarray(c0, c0 + len), b.subarray(c0, c0 + len)) as { logAbs: Float64Array; sign: Int8Array };
      for (let i = 0; i < len; i++) expect(x.logAbs[i]).toBeCloseTo(whole.logAbs[1 + c0 + i], 9);
      c0 += len;
    }
    const state = s.state as { logAbs: Float64Array; sign: Int8Array };
    expect(Number.isFinite(state.logAbs[0])).toBe(true);
    expect(state.logAbs[0]).toBeGreaterThan(800);
  });

  test('log: true: state is the last result of each row bit for bit (float64 logs carry their rounding error)', () => {
    const r = fresh();
    const rows = 3;
    for (const [dtype, C] of [
      ['float64', Float64Array],
      ['float32', Float32Array],
    ] as const)
      for (const reverse of [false, true]) {
        type Logs = { logAbs: Float32Array | Float64Array; sign: Int8Array };
        const s = createScanner({ log: true, dtype, initial: 1, reverse, rows }) as unknown as { push(a: Logs, b: Logs): Logs; readonly state: Logs };
        for (const m of [1, 2, 7, 19, 50, 3000, 9000]) {
          const a = { logAbs: fill(new C(rows * m), () => r.uniform() - 0.5), sign: Int8Array.from({ length: rows * m }, () => (r.uniform() < 0.2 ? -1 : 1)) };
          const b = { logAbs: fill(new C(rows * m), r.uniform), sign: new Int8Array(rows * m).fill(1) };
          const y = s.push(a, b);
          const state = s.state;
          for (let row = 0; row < rows; row++) {
            const last = reverse ? row * m : row * m + m - 1;
            expect([state.logAbs[row], state.sign[row]]).toEqual([y.logAbs[last], y.sign[last]]);
          }
        }
      }
  });

  test('an empty push leaves the state bit for bit, in every form', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const C = dtype === 'float32' ? Float32Array : Float64Array;
      const logAbs = C.of(0.1234567890123, -7.77777777777, -Infinity);
      const sign = Int8Array.of(-1, 1, 1);
      const logs = createScanner({ rows: 3, dtype, log: true, initial: { logAbs, sign } });
      // C is a union here; the Scanner's typings take only its own dtype's arrays.
      const empty = { logAbs: new C(0), sign: new Int8Array(0) } as { logAbs: Float64Array; sign: Int8Array } & { logAbs: Float32Array };
      logs.push(empty, empty);
      const state = logs.state as { logAbs: Float32Array | Float64Array; sign: Int8Array };
      expect(Array.from(state.logAbs)).toEqual(Array.from(logAbs));
      expect(Array.from(state.sign)).toEqual(Array.from(sign));
      for (const method of ['direct', 'log'] as const) {
        const initial = C.of(0.1, -3e-30, 7);
        const raw = createScanner({ rows: 3, dtype, method, initial: Array.from(initial) });
        raw.push(new C(0), new C(0));
        expect(Array.from(raw.state as Float32Array | Float64Array)).toEqual(Array.from(initial));
      }
    }
  });

  test('reverse: chunks pushed from the end give the reverse scan', () => {
    const n = 20_000;
    const { coeffs, values } = seedInputs(Float64Array, 1, n, 'uniform');
    const whole = scan(coeffs, values, { reverse: true });
    const s = createScanner({ dtype: 'float64', reverse: true, initial: values[n] });
    let end = n;
    const got = new Float64Array(n + 1);
    got[n] = values[n];
    for (const len of chunking(n, 6)) {
      const x = s.push((coeffs as Float64Array).subarray(end - len, end), (values as Float64Array).subarray(end - len, end));
      got.set(x, end - len);
      end -= len;
    }
    expect(mixedError(got, whole)).toBeLessThan(1e-14);
  });

  // The index of the first element whose bits differ, or -1. Two NaNs count as equal: where a NaN
  // meets another NaN (a = NaN, x = NaN), which one the result carries follows the processor's
  // operand order of the fused multiply-add, which the two loops' vectorized and scalar code need
  // not share (seeds 953976920 and 55099226 gave +NaN from a against -NaN from x).
  function firstBitDifference(got: Float32Array | Float64Array, want: Float32Array | Float64Array): number {
    const gb = Buffer.from(got.buffer, got.byteOffset, got.byteLength);
    const wb = Buffer.from(want.buffer, want.byteOffset, want.byteLength);
    if (gb.equals(wb)) return -1;
    const size = got.BYTES_PER_ELEMENT;
    for (let k = 0; k < got.length; k++) {
      if (Number.isNaN(got[k]) && Number.isNaN(want[k])) continue;
      if (!gb.subarray(k * size, (k + 1) * size).equals(wb.subarray(k * size, (k + 1) * size))) return k;
    }
    return got.length === want.length ? -1 : Math.min(got.length, want.length);
  }

  test('one step on many keys (dense rows of one step) equals the scan of rows of one, bit for bit, special values included', () => {
    // The engine steps dense one-step rows element by element (native/cpu/short_rows.h,
    // stepDenseRows); scan's rows of one (x_0 interleaved) take the row loop.
    const r = fresh();
    const specials = [NaN, Infinity, -Infinity, 0, -0, 1e-40, -3e38, 3e38, 1e-310];
    for (const dtype of ['float32', 'float64'] as const)
      for (const reverse of [false, true])
        for (const threads of [1, 2]) {
          const Ctor = dtype === 'float32' ? Float32Array : Float64Array;
          const keys = 70_001; // above the JS path's 256 steps; not a multiple of any vector width
          const pick = () => (r.uniform() < 0.01 ? specials[Math.floor(r.uniform() * specials.length)] : r.normal());
          const initial = Array.from({ length: keys }, pick);
          const s = createScanner({ rows: keys, dtype, reverse, threads, initial });
          let state = Ctor.from(initial);
          for (let push = 0; push < 3; push++) {
            const a = fill(new Ctor(keys), pick);
            const b = fill(new Ctor(keys), pick);
            const got = s.push(a, b) as Float32Array | Float64Array;
            // The same steps as rows of one with x_0 in values: stride 2, the row loop.
            const values = new Ctor(2 * keys);
            for (let k = 0; k < keys; k++) {
              values[2 * k + (reverse ? 1 : 0)] = state[k];
              values[2 * k + (reverse ? 0 : 1)] = b[k];
            }
            const whole = scan(a, values, { rows: keys, reverse, threads });
            const want = new Ctor(keys);
            for (let k = 0; k < keys; k++) want[k] = whole[2 * k + (reverse ? 0 : 1)];
            expect(firstBitDifference(got, want)).toBe(-1);
            expect(firstBitDifference(s.state as Float32Array | Float64Array, want)).toBe(-1);
            state = want;
          }
        }
  });

  test('state, reset and initial per row', () => {
    const s = createScanner({ rows: 2, dtype: 'float64', initial: [1, -2] });
    expect(Array.from(s.state as Float64Array)).toEqual([1, -2]);
    s.push(new Float64Array([2, 3]), new Float64Array([1, 1]));
    expect(Array.from(s.state as Float64Array)).toEqual([3, -5]);
    s.reset();
    expect(Array.from(s.state as Float64Array)).toEqual([1, -2]);
    // m = 0 pushes return empty results and keep the state
    expect((s.push(new Float64Array(0), new Float64Array(0)) as Float64Array).length).toBe(0);
    expect(Array.from(s.state as Float64Array)).toEqual([1, -2]);
  });

  test('reset(initial) starts from the given state (as options.initial takes it); reset() from options.initial again', () => {
    const s = createScanner({ rows: 2, dtype: 'float64', initial: [1, -2] });
    s.push(new Float64Array([2, 3]), new Float64Array([1, 1]));
    s.reset(7);
    expect(Array.from(s.state as Float64Array)).toEqual([7, 7]);
    expect(Array.from(s.push(new Float64Array([2, 3]), new Float64Array([1, 1])) as Float64Array)).toEqual([15, 22]);
    s.reset([0.5, 4]);
    expect(Array.from(s.state as Float64Array)).toEqual([0.5, 4]);
    s.reset();
    expect(Array.from(s.state as Float64Array)).toEqual([1, -2]);
    expect(() => s.reset([1, 2, 3])).toThrow(expect.objectContaining({ code: 'ERR_LINREC_LENGTH_MISMATCH' }));
    expect(() => s.reset({ logAbs: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_LINREC_INVALID_TYPE', message: expect.stringMatching(/^initial as \{ logAbs, sign \}/) }),
    );
    // With log: numbers are values of x (as options.initial), { logAbs, sign } are logs.
    const l = createScanner({ log: true, dtype: 'float64' });
    l.reset(Math.E);
    expect((l.state as { logAbs: Float64Array }).logAbs[0]).toBeCloseTo(1, 15);
    l.reset({ logAbs: 2, sign: -1 });
    expect(Array.from((l.state as { logAbs: Float64Array }).logAbs)).toEqual([2]);
    expect(Array.from((l.state as { sign: Int8Array }).sign)).toEqual([-1]);
  });

  test('a Scanner disposes with Symbol.dispose (`using`), as a DeviceArray', () => {
    const s = createScanner();
    const dispose = (Symbol as unknown as { dispose?: symbol }).dispose ?? Symbol.for('nodejs.dispose');
    (s as unknown as Record<symbol, () => void>)[dispose]();
    expect(() => s.push(new Float32Array(1), new Float32Array(1))).toThrow(expect.objectContaining({ code: 'ERR_LINREC_DISPOSED' }));
  });

  test('pushAsync equals push', async () => {
    const { coeffs } = seedInputs(Float32Array, 1, 50_000, 'normal');
    const b = fill(new Float32Array(50_000), fresh().normal);
    const s1 = createScanner({ initial: 0.5 });
    const s2 = createScanner({ initial: 0.5 });
    const sync = s1.push(coeffs as Float32Array, b);
    const viaAsync = await s2.pushAsync(coeffs as Float32Array, b);
    expect(Array.from(viaAsync)).toEqual(Array.from(sync));
  });

  // Shapes of the three push paths: JS (at most 256 steps), dense rows of one step, the engine's tiles.
  const outShapes = [
    ['16 steps (JS)', 1, 16],
    ['10^4 keys, one step each', 10_000, 1],
    ['2 rows of 5000', 2, 5000],
  ] as const;
  for (const dtype of ['float32', 'float64'] as const)
    for (const [shape, rows, m] of outShapes)
      test(`${dtype}, ${shape}: push into options.out, and in place on values, gives push's bits without allocating`, async () => {
        const C = dtype === 'float32' ? Float32Array : Float64Array;
        const r = fresh();
        const pushes = Array.from({ length: 3 }, () => ({ a: fill(new C(rows * m), () => 0.5 + r.uniform()), b: fill(new C(rows * m), r.normal) }));
        for (const method of ['direct', 'log'] as const)
          for (const reverse of [false, true]) {
            const opts = { rows, dtype, method, reverse, initial: 0.25 };
            const plain = createScanner(opts);
            const into = createScanner(opts);
            const inPlace = createScanner(opts);
            const viaAsync = createScanner(opts);
            for (const { a, b } of pushes) {
              const want = plain.push(a, b) as Float32Array;
              const out = new C(rows * m).fill(NaN);
              expect(into.push(a, b, { out })).toBe(out);
              expect(Array.from(out)).toEqual(Array.from(want));
              const values = b.slice();
              expect(inPlace.push(a, values, { out: values })).toBe(values);
              expect(Array.from(values)).toEqual(Array.from(want));
              const outAsync = new C(rows * m);
              expect(await viaAsync.pushAsync(a, b, { out: outAsync })).toBe(outAsync);
              expect(Array.from(outAsync)).toEqual(Array.from(want));
            }
            for (const s of [into, inPlace, viaAsync]) expect(Array.from(s.state as Float32Array)).toEqual(Array.from(plain.state as Float32Array));
          }
      });

  test('log: true pushes into options.out as { logAbs, sign }', () => {
    const r = fresh();
    const n = 3000;
    const a = fill(new Float64Array(n), () => -Math.abs(r.normal()) * 0.01);
    const b = fill(new Float64Array(n), r.normal);
    const bSign = Int8Array.from(b, () => (r.uniform() < 0.3 ? -1 : 1));
    const opts = { log: true, dtype: 'float64', initial: { logAbs: [1], sign: [-1] } } as const;
    const want = createScanner(opts).push(a, { logAbs: b, sign: bSign });
    const out = { logAbs: new Float64Array(n), sign: new Int8Array(n) };
    expect(createScanner(opts).push(a, { logAbs: b, sign: bSign }, { out })).toBe(out);
    expect(Array.from(out.logAbs)).toEqual(Array.from(want.logAbs));
    expect(Array.from(out.sign)).toEqual(Array.from(want.sign));
    expect(() => createScanner(opts).push(a, b, { out: { logAbs: new Float64Array(n) } } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_LINREC_INVALID_TYPE' }),
    );
  });

  test('push options.out: refused with a message that names it (type, length, overlap, unknown option), the state unchanged', () => {
    const s = createScanner({ rows: 2, initial: [1, 2] });
    const a = new Float32Array(600).fill(0.5);
    const b = new Float32Array(600).fill(1);
    const expectRefused = (options: unknown, code: string, message: RegExp) => {
      let err: { code?: unknown; message?: unknown } | undefined;
      try {
        s.push(a, b, options as { out?: Float32Array });
      } catch (e) {
        err = e as typeof err;
      }
      expect(err?.code).toBe(code);
      expect(String(err?.message)).toMatch(message);
      expect(Array.from(s.state as Float32Array)).toEqual([1, 2]);
    };
    expectRefused({ out: new Float64Array(600) }, 'ERR_LINREC_DTYPE_MISMATCH', /options\.out/);
    expectRefused({ out: new Float32Array(599) }, 'ERR_LINREC_LENGTH_MISMATCH', /options\.out/);
    expectRefused({ out: a }, 'ERR_LINREC_ALIAS', /options\.out shares memory with coeffs/);
    expectRefused({ out: new Float32Array(b.buffer, 4, 600 - 1) }, 'ERR_LINREC_LENGTH_MISMATCH', /options\.out/);
    expectRefused({ outt: new Float32Array(600) }, 'ERR_LINREC_UNKNOWN_OPTION', /outt/);
    const shifted = new Float32Array(601);
    const bShifted = shifted.subarray(0, 600);
    bShifted.fill(1);
    let err: { code?: unknown } | undefined;
    try {
      s.push(a, bShifted, { out: shifted.subarray(1) });
    } catch (e) {
      err = e as typeof err;
    }
    expect(err?.code).toBe('ERR_LINREC_ALIAS'); // overlapping values, not exactly in place
    expect(Array.from(s.state as Float32Array)).toEqual([1, 2]);
  });

  test('push into values in place, coeffs overlapping them: refused on every path (JS, native, async), named', async () => {
    for (const steps of [2, 600]) {
      const buf = new Float32Array(steps + 1).fill(2);
      const a = buf.subarray(0, steps);
      const b = buf.subarray(1, steps + 1);
      const s = createScanner({ initial: 1 });
      expect(() => s.push(a, b, { out: b })).toThrow(
        expect.objectContaining({ code: 'ERR_LINREC_ALIAS', message: expect.stringMatching(/options\.out shares memory with coeffs/) }),
      );
      await expect(s.pushAsync(a, b, { out: b })).rejects.toMatchObject({
        code: 'ERR_LINREC_ALIAS',
        message: expect.stringMatching(/options\.out shares memory with coeffs/),
      });
      await expect(s.pushAsync(b.slice(), b, { out: a })).rejects.toMatchObject({
        code: 'ERR_LINREC_ALIAS',
        message: expect.stringMatching(/options\.out shares memory with values/),
      });
      expect(Array.from(s.state as Float32Array)).toEqual([1]);
      expect(Array.from(buf)).toEqual(new Array(steps + 1).fill(2));
    }
  });
});

// Method 'log' without `log: true` carries a state beyond the dtype's range as it is (review 21):
// it was carried as a plain x of the dtype, so a chunk boundary where x had overflowed (or
// underflowed) turned it into ±Infinity (0) and every later x of the row went wrong.
describe("Scanner method 'log': the carried state keeps the extended range", () => {
  const cases = [
    ['float32', 1e30],
    ['float64', 1e200],
  ] as const;
  /** x for a = [g, g, 1/g, 1/g] (or the reverse), b = 0 but x_0 = 1: 1, g, g², g, 1. */
  function problem(dtype: 'float32' | 'float64', g: number, decayFirst: boolean) {
    const C = dtype === 'float32' ? Float32Array : Float64Array;
    const a = new C(decayFirst ? [1 / g, 1 / g, g, g] : [g, g, 1 / g, 1 / g]);
    return { C, a };
  }
  const close = (got: ArrayLike<number>, want: ArrayLike<number>, dtype: string) => {
    expect(got.length).toBe(want.length);
    const tol = dtype === 'float32' ? 1e-6 : 1e-12;
    for (let i = 0; i < want.length; i++) {
      if (Object.is(got[i], want[i])) continue;
      const err = Math.abs(got[i] - want[i]) / Math.abs(want[i]);
      if (!(err <= tol)) throw new Error(`x[${i}] = ${got[i]}, want ${want[i]} (relative error ${err})`);
    }
  };
  for (const [dtype, g] of cases)
    for (const decayFirst of [false, true])
      for (const reverse of [false, true])
        test(`${dtype} ${decayFirst ? 'decay then growth' : 'growth then decay'}${reverse ? ', reverse' : ''}: every chunking gives the one-shot x`, async () => {
          const { C, a } = problem(dtype, g, decayFirst);
          const values = new C(5);
          values[reverse ? 4 : 0] = 1;
          const oneShot = scan(a, values, { method: 'log', reverse });
          expect(oneShot[2] === 0 || oneShot[2] === Infinity).toBe(true); // x_2 is beyond the dtype
          const b = reverse ? values.subarray(0, 4) : values.subarray(1);
          for (const cut of [1, 2, 3]) {
            for (const pushAsync of [false, true]) {
              const s = createScanner({ dtype, method: 'log', reverse, initial: 1 });
              // Reversed, each push is the segment before the last one.
              const parts = reverse
                ? [
                    [cut, 4],
                    [0, cut],
                  ]
                : [
                    [0, cut],
                    [cut, 4],
                  ];
              const xs: number[][] = [];
              for (const [p0, p1] of parts) {
                const x = pushAsync ? await s.pushAsync(a.subarray(p0, p1), b.subarray(p0, p1)) : s.push(a.subarray(p0, p1), b.subarray(p0, p1));
                xs.push(Array.from(x as ArrayLike<number>));
              }
              const got = reverse ? [...xs[1], ...xs[0], 1] : [1, ...xs[0], ...xs[1]];
              close(got, oneShot, dtype);
              close(s.state as ArrayLike<number>, [oneShot[reverse ? 0 : 4]], dtype);
            }
          }
        });

  test('state is x in the dtype (±Infinity there); logState is the carried value, and a Scanner resumes from it', () => {
    const s = createScanner({ method: 'log', initial: 1 });
    s.push(new Float32Array([1e30, 1e30]), new Float32Array(2));
    expect(Array.from(s.state as Float32Array)).toEqual([Infinity]);
    const { logAbs, sign } = s.logState;
    expect(logAbs[0]).toBeCloseTo(Math.log(1e60), 5);
    expect(Array.from(sign)).toEqual([1]);
    // A number beyond the dtype (a float64 carry, as the distributed runner passes) counts too.
    for (const initial of [{ logAbs, sign }, 1e60]) {
      const r = createScanner({ method: 'log', initial });
      expect(Array.from(r.state as Float32Array)).toEqual([Infinity]);
      const x = r.push(new Float32Array([1e-30, 1e-30]), new Float32Array(2)) as Float32Array;
      expect(x[0] / 1e30).toBeCloseTo(1, 5);
      expect(x[1]).toBeCloseTo(1, 5);
      r.reset();
      expect(r.logState.logAbs[0]).toBeCloseTo(Math.log(1e60), 5);
    }
    expect(() => createScanner({ method: 'direct', initial: { logAbs: 0 } })).toThrow(expect.objectContaining({ code: 'ERR_LINREC_INVALID_TYPE' }));
    expect(() => createScanner().logState).toThrow(expect.objectContaining({ code: 'ERR_LINREC_INVALID_VALUE' }));
  });

  test('a state beyond the range through out (in place too) and several rows, one of them in range', () => {
    const rows = 2;
    const a = new Float32Array([1e30, 1e30, 1e-30, 1e-30, 0.5, 0.5, 0.5, 0.5]);
    const values = new Float32Array([1, 0, 0, 0, 0, 2, 1, 1, 1, 1]);
    const oneShot = scan(a, values, { method: 'log', rows });
    const s = createScanner({ method: 'log', rows, initial: [1, 2] });
    const first = s.push(new Float32Array([1e30, 1e30, 0.5, 0.5]), new Float32Array([0, 0, 1, 1])) as Float32Array;
    const second = new Float32Array([0, 0, 1, 1]);
    s.push(new Float32Array([1e-30, 1e-30, 0.5, 0.5]), second, { out: second });
    close([1, first[0], first[1], second[0], second[1], 2, first[2], first[3], second[2], second[3]], oneShot, 'float32');
  });

  test('in place (out === values) where the last x leaves the range: the rerun reads the values as they were', () => {
    for (const reverse of [false, true]) {
      const a = new Float32Array([1e30, 1e30, 1e-30, 1e-30]);
      const values = Float32Array.from([0.5, 0.25, 0, 0, 0]);
      if (reverse) values.reverse();
      const oneShot = scan(reverse ? a.slice().reverse() : a, values, { method: 'log', reverse });
      const s = createScanner({ method: 'log', reverse, initial: reverse ? values[4] : values[0] });
      const b = reverse ? values.slice(0, 4) : values.slice(1);
      const [p0, p1] = reverse ? [b.subarray(2), b.subarray(0, 2)] : [b.subarray(0, 2), b.subarray(2)];
      const [c0, c1] = reverse ? [a.slice().reverse().subarray(2), a.slice().reverse().subarray(0, 2)] : [a.subarray(0, 2), a.subarray(2)];
      s.push(c0, p0, { out: p0 });
      s.push(c1, p1, { out: p1 });
      close(reverse ? [...b, values[4]] : [values[0], ...b], oneShot, 'float32');
    }
  });

  test('a row beyond the range leaves the other rows on the engine: the same bits as without it', () => {
    const m = 1000;
    const r = fresh();
    const a = fill(new Float64Array(2 * m), () => 0.5 + r.uniform());
    const b = fill(new Float64Array(2 * m), r.normal);
    a.fill(1e200, 0, 2); // row 0 overflows float64 at once and stays beyond
    const both = createScanner({ method: 'log', dtype: 'float64', rows: 2, initial: [1, 1] });
    const alone = createScanner({ method: 'log', dtype: 'float64', initial: 1 });
    for (let k = 0; k < 3; k++) {
      const x = both.push(a, b) as Float64Array;
      const y = alone.push(a.subarray(m), b.subarray(m)) as Float64Array;
      expect(Array.from(x.subarray(m))).toEqual(Array.from(y));
      expect(both.logState.logAbs[0]).toBeGreaterThan(700); // beyond float64
    }
  });

  test('createScanStream and scanIterable carry it across chunks', async () => {
    const chunks = () => [
      { coeffs: new Float32Array([1e30, 1e30]), values: new Float32Array(2) },
      { coeffs: new Float32Array([1e-30, 1e-30]), values: new Float32Array(2) },
    ];
    const xs: number[] = [];
    for await (const x of scanIterable(chunks(), { method: 'log', initial: 1 })) xs.push(...(x as Float32Array));
    close(xs, [1e30, Infinity, 1e30, 1], 'float32');
    const stream = createScanStream({ method: 'log', initial: 1 });
    const got: number[] = [];
    stream.on('data', (x: Float32Array) => got.push(...x));
    for (const c of chunks()) stream.write(c);
    stream.end();
    await new Promise((resolve) => stream.on('end', resolve));
    close(got, [1e30, Infinity, 1e30, 1], 'float32');
  });
});
