// aggregate: each row's composed map, so one scan can be split across machines.
import { aggregate, aggregateAsync, createScanner, logScan, scan, sequential } from '../src';
import { fill, fresh, mixedError, overLoopAccuracy, reference } from './helpers';

describe('aggregate', () => {
  test('x_end = A·x_start + B for each row, forward and reverse', () => {
    const r = fresh();
    for (const reverse of [false, true]) {
      const rows = 3;
      const m = 25_000;
      const a = fill(new Float64Array(rows * m), () => 0.9 + 0.1 * r.uniform());
      const b = fill(new Float64Array(rows * m), r.normal);
      const { A, B } = aggregate(a, b, { rows, reverse });
      for (let row = 0; row < rows; row++) {
        const x0 = r.normal();
        const values = Float64Array.of(...(reverse ? [] : [x0]), ...b.subarray(row * m, (row + 1) * m), ...(reverse ? [x0] : []));
        const ref = reference(a.subarray(row * m, (row + 1) * m), values, 1, reverse);
        const end = reverse ? ref[0] : ref[m];
        expect(A[row] * x0 + B[row]).toBeCloseTo(end, 9);
      }
    }
  });

  test('three phases across "machines": aggregates, carries, Scanner with initial = carry', async () => {
    const r = fresh();
    const parts = 4;
    const m = 10_000;
    const a = fill(new Float32Array(parts * m), r.normal);
    const b = fill(new Float32Array(parts * m), r.normal);
    const x0 = 0.25;
    const maps = await Promise.all(Array.from({ length: parts }, (_, p) => aggregateAsync(a.subarray(p * m, (p + 1) * m), b.subarray(p * m, (p + 1) * m))));
    const carries = [x0];
    for (const { A, B } of maps) carries.push(A[0] * carries[carries.length - 1] + B[0]);
    const got = new Float32Array(parts * m + 1);
    got[0] = x0;
    for (let p = 0; p < parts; p++) {
      const s = createScanner({ initial: carries[p] });
      got.set(s.push(a.subarray(p * m, (p + 1) * m), b.subarray(p * m, (p + 1) * m)) as Float32Array, 1 + p * m);
    }
    const values = Float32Array.of(x0, ...b);
    const oneShot = scan(a, values);
    const ref = reference(a, values);
    expect(overLoopAccuracy(got, a, values, 1, false, ref, 'float32', 4 * mixedError(oneShot, ref) + 1e-6)).toBeLessThanOrEqual(1);
  });

  test('B is the loop from 0 where a reset meets an underflow, and keeps the composition rules where a coefficient is infinite', () => {
    // A reset to 1e300 in lane 1, then 2080 steps of 0.6 (a lane product of 0 without a zero
    // coefficient): the joined B must keep the reset's x (3.6e-162), as the loop from 0 does.
    const n = 3 * 8320 + 77;
    const a = new Float64Array(n).fill(1);
    const b = new Float64Array(n);
    a[2085] = 0;
    b[2085] = 1e300;
    for (let i = 4160; i < 6240; i++) a[i] = 0.6;
    let fromZero = 0;
    for (let i = 0; i < n; i++) fromZero = a[i] * fromZero + b[i];
    for (const threads of [1, 2]) {
      const B = aggregate(a, b, { threads }).B[0];
      expect({ threads, close: Math.abs(B - fromZero) <= 1e-12 * fromZero }).toEqual({ threads, close: true });
    }
    // An infinite first coefficient: A = inf and B from its steps (start's rule: the first step's
    // x_start is all its A touches), not the loop's inf·0 = NaN (session 14's first fix had NaN).
    for (const len of [100, 20_000]) {
      const inf = new Float64Array(len).fill(1);
      inf[0] = Infinity;
      const got = aggregate(inf, new Float64Array(len).fill(1));
      expect({ len, A: got.A[0], B: got.B[0] }).toEqual({ len, A: Infinity, B: len });
    }
  });

  test('an empty segment is the identity map', () => {
    const { A, B } = aggregate(new Float32Array(0), new Float32Array(0), { rows: 1 });
    expect([A[0], B[0]]).toEqual([1, 0]);
  });
});

// Review 21: A is the product of the coefficients, so a NaN coefficient makes it NaN (it was 0,
// the engines' reading of a NaN product as 0·∞). 0·∞ itself stays 0: x_start no longer counts.
describe('aggregate: A for NaN and 0·∞ products', () => {
  for (const C of [Float32Array, Float64Array])
    test(`${C.name}: NaN where a coefficient is NaN, short and long rows, sync and async`, async () => {
      for (const m of [2, 30_000]) {
        const rows = 3;
        const a = new C(rows * m).fill(0.5);
        const b = new C(rows * m).fill(1);
        a[m - 1] = NaN; // row 0: NaN at its end
        a[m] = 0; // row 1: a reset at its start, then an infinity
        a[m + 1] = Infinity;
        b[m] = 0;
        b[m + 1] = 0;
        a[2 * m + (m >> 1)] = NaN; // row 2: NaN in the middle
        for (const g of [aggregate(a, b, { rows }), await aggregateAsync(a, b, { rows })]) {
          expect(Array.from(g.A).map((x) => (Number.isNaN(x) ? 'NaN' : x))).toEqual(['NaN', 0, 'NaN']);
          expect(Number.isNaN(g.B[0]) && Number.isNaN(g.B[2])).toBe(true);
        }
      }
    });
});

// Review 22: a row that begins with an infinite coefficient. start keeps that step's b (the map
// inf·x + b); a later zero was taken as a restart (A = 0, B finite: [inf, 0] gave B = 1 where the
// loop is NaN for every x_start), and lane products that underflow (0.5^2080 in float32) turned
// A = inf into 0 (x_end = B, finite, where the loop is inf).
describe('aggregate: a row that begins with an infinite coefficient', () => {
  for (const C of [Float32Array, Float64Array])
    test(`${C.name}: x_end = A·x_start + B is what the loop gives`, async () => {
      for (const m of [2, 10, 3000, 30_000])
        for (const reverse of [false, true])
          for (const zeroAt of [-1, 1, m >> 1, m - 1]) {
            const a = new C(m).fill(0.5);
            const b = new C(m).fill(1);
            const step = (i: number) => (reverse ? m - 1 - i : i); // index of scan step i
            a[step(0)] = Infinity;
            if (zeroAt > 0) a[step(zeroAt)] = 0;
            // the loop's x_end for each x_start, once (not per aggregate call)
            const ends = [1, -3].map((x0) => {
              const values = new C(m + 1);
              values.set(b, reverse ? 0 : 1);
              values[reverse ? m : 0] = x0;
              const loop = sequential(a, values, { reverse });
              return { x0, end: reverse ? loop[0] : loop[m] };
            });
            for (const g of [aggregate(a, b, { reverse }), await aggregateAsync(a, b, { reverse })])
              for (const { x0, end } of ends) {
                const composed = g.A[0] * x0 + g.B[0];
                expect({ m, reverse, zeroAt, x0, composed }).toEqual({ m, reverse, zeroAt, x0, composed: end });
              }
          }
    });
});

// Review 21: a plain options object is read by its enumerable properties by every entry point,
// as scan reads it (README): a non-enumerable `reverse` was ignored by scan but honoured by
// logScan, aggregate and the Scanner.
describe('a non-enumerable option of a plain object is no option anywhere', () => {
  test('scan, logScan, aggregate, createScanner', () => {
    const o = {};
    Object.defineProperty(o, 'reverse', { value: true, enumerable: false });
    const a = new Float64Array([0.5, 0.5]);
    const b = new Float64Array([1, 2, 3]);
    const forward = Array.from(scan(a, b));
    expect(Array.from(scan(a, b, o))).toEqual(forward);
    const logs = logScan(Float64Array.from(a, Math.log), Float64Array.from(b, Math.log), o);
    Array.from(logs.logAbs, Math.exp).forEach((x, i) => expect(x).toBeCloseTo(forward[i], 12));
    expect(aggregate(a, b.subarray(1), o)).toEqual(aggregate(a, b.subarray(1)));
    expect(createScanner(o as { reverse?: boolean }).reverse).toBe(false);
  });
});
