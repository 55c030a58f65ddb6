// Small direct-method calls run in JS (src/small-scan.ts) and must give the engine's bits: every
// scan and Scanner push below runs once on the JS path and once on the native path, on random
// inputs with exact resets, NaN (signalling ones too), infinities, overflow, subnormals and -0,
// and the two are compared bit for bit (threads 1 and 2 natively).
import { createScanner, scan } from '../src';
import { addon, type NativeScanSpec } from '../src/addon';
import { JS_MAX_STEPS, quickCalls } from '../src/small-scan';
import { fresh, type F } from './helpers';

type Ctor = { new (n: number): F; BYTES_PER_ELEMENT: number };

const bits = (x: F) => Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('hex');

/** fn on the native path only. */
function native<T>(fn: () => T): T {
  quickCalls.enabled = false;
  try {
    return fn();
  } finally {
    quickCalls.enabled = true;
  }
}

/** fn's result and how many native scan calls it made. */
function counted<T>(fn: () => T): { result: T; calls: number } {
  const a = addon();
  const real = a.scan;
  let calls = 0;
  a.scan = (spec: NativeScanSpec) => {
    calls++;
    real(spec);
  };
  try {
    return { result: fn(), calls };
  } finally {
    a.scan = real;
  }
}

/** A float32 signalling NaN (a JS copy would quiet it). */
const SNAN32 = new Float32Array(new Uint32Array([0x7fa00001]).buffer)[0];

/** Random inputs; `special` is the share of special values (resets, NaN, inf, huge, subnormal, -0). */
function inputs(C: Ctor, rows: number, n: number, special: number, rand: () => number) {
  const tiny = C === Float32Array ? 1e-41 : 1e-310;
  const huge = C === Float32Array ? 3e38 : 1.7e308;
  const pick = (scale: number) => {
    if (rand() >= special) return (rand() * 2 - 1) * scale;
    const k = Math.floor(rand() * 8);
    return [0, NaN, Infinity, -Infinity, huge * (rand() < 0.5 ? -1 : 1), tiny * rand(), -0, C === Float32Array ? SNAN32 : NaN][k];
  };
  const a = new C(rows * n);
  const b = new C(rows * (n + 1));
  const big = rand() < 0.3; // coefficients above 1: some rows overflow
  for (let i = 0; i < a.length; i++) a[i] = pick(big ? 4 : 1);
  for (let i = 0; i < b.length; i++) b[i] = pick(3);
  return { a, b };
}

// The first small call of each dtype asks the engine for its rounding (two native calls).
beforeAll(() => {
  scan(new Float32Array(1), new Float32Array(2));
  scan(new Float64Array(1), new Float64Array(2));
});

describe.each([
  ['float32', Float32Array as Ctor],
  ['float64', Float64Array as Ctor],
])('%s', (dtype, C) => {
  test('scan: the JS path gives the native bits (random shapes, out, in place, reverse, special values)', () => {
    const r = fresh().uniform;
    for (let trial = 0; trial < 400; trial++) {
      const rows = 1 + Math.floor(r() * 4);
      const n = 1 + Math.floor(r() * Math.floor(Math.min(256, JS_MAX_STEPS / rows)));
      const special = [0, 0, 0.01, 0.1, 0.5][Math.floor(r() * 5)];
      const { a, b } = inputs(C, rows, n, special, r);
      const reverse = r() < 0.5;
      const mode = Math.floor(r() * 3); // 0: new result, 1: out, 2: in place on values
      const run = () => {
        const values = b.slice();
        const out = mode === 1 ? new C(b.length) : mode === 2 ? values : undefined;
        const x = scan(a, values, { rows, reverse, out });
        expect(x).toBe(out ?? x);
        return x;
      };
      const js = counted(run);
      const want = bits(js.result);
      if (bits(native(run)) !== want) throw new Error(`trial ${trial}: JS and native differ (rows ${rows}, n ${n}, reverse ${reverse}, mode ${mode})`);
      expect(bits(native(() => scan(a, b.slice(), { rows, reverse, threads: 2 })))).toBe(want);
      // The JS path ran (float32 always; float64 where the engine does not fuse): no native
      // call for finite, non-overflowing data.
      if (special === 0 && !(js.result as F).some((v) => !Number.isFinite(v)) && (dtype === 'float32' || js.calls === 0)) expect(js.calls).toBe(0);
    }
  });

  test('Scanner.push: the JS path gives the native bits and state', () => {
    const r = fresh().uniform;
    for (let trial = 0; trial < 60; trial++) {
      const rows = 1 + Math.floor(r() * 3);
      const reverse = r() < 0.5;
      const special = [0, 0.01, 0.2][Math.floor(r() * 3)];
      const js = createScanner({ rows, reverse, dtype: dtype as 'float32' });
      const nat = createScanner({ rows, reverse, dtype: dtype as 'float32' });
      for (let push = 0; push < 5; push++) {
        const m = 1 + Math.floor(r() * 40);
        const { a, b } = inputs(C, rows, m, special, r);
        const values = b.subarray(0, rows * m);
        const x = js.push(a as Float32Array, values as Float32Array);
        const y = native(() => nat.push(a as Float32Array, values as Float32Array));
        if (bits(x) !== bits(y) || bits(js.state) !== bits(nat.state))
          throw new Error(`trial ${trial}, push ${push}: JS and native differ (rows ${rows}, m ${m}, reverse ${reverse})`);
      }
    }
  });
});

describe('float32 double roundings', () => {
  // a·x + b exactly just below a float32 halfway point, which the double sum rounds onto: the
  // fused engine rounds down, round32(double sum) would round to even (up).
  const cases: [string, number, number, number][] = [
    ['below a tie between 1 + 2^-23 and 1 + 2^-22', 2 ** -24 * (1 + 2 ** -23), 1 - 2 ** -23, 1 + 2 ** -23],
    ['the same, negated', -(2 ** -24) * (1 + 2 ** -23), 1 - 2 ** -23, -(1 + 2 ** -23)],
    // 1 + 2^-24 + 2^-60: the double sum is the tie 1 + 2^-24, round to even gives 1, fused 1 + 2^-23.
    ['just above a tie whose even neighbour is below', 2 ** -24 * (1 - 4095 * 2 ** -24), 1 + 2 ** -12, 1],
    // The sum's double rounds onto the overflow tie (infinity); fused, it is FLT_MAX.
    ['just below the overflow threshold', 2 ** 103 * (1 + 2 ** -23), 1 - 2 ** -23, 3.4028234663852886e38],
    ['a subnormal result next to a tie', 2 ** -140 * (1 + 2 ** -23), 2 ** -10 * (1 - 2 ** -23), 2 ** -149],
  ];
  test.each(cases)('%s: JS equals native', (_, a, x0, b) => {
    const coeffs = new Float32Array([a, 1]);
    const values = new Float32Array([x0, b, 0]);
    const js = counted(() => scan(coeffs, values));
    const nat = native(() => scan(coeffs, values));
    expect(bits(js.result)).toBe(bits(nat));
    if (Math.abs(js.result[1]) < 2 ** 127) expect(js.calls).toBe(0); // computed in JS (not the overflow)
  });
});

describe('the JS path leaves every check to the native path', () => {
  test('invalid small calls still throw the named errors', () => {
    const a = new Float32Array(4);
    const memory = new Float32Array(6);
    const b = memory.subarray(0, 5);
    const cases: [() => unknown, string][] = [
      [() => scan(a, b, { bogus: 1 } as never), 'ERR_LINREC_UNKNOWN_OPTION'],
      [() => scan(a, b, { out: a as never }), 'ERR_LINREC_LENGTH_MISMATCH'],
      [() => scan(a, b, { out: memory.subarray(1, 6) }), 'ERR_LINREC_ALIAS'],
      // In place on values, with coeffs inside values' memory.
      [() => scan(memory.subarray(1, 5), b, { out: b }), 'ERR_LINREC_ALIAS'],
      [() => scan(a, b, { threads: 0 }), 'ERR_LINREC_INVALID_VALUE'],
      [() => scan(a, b, { rows: 3 }), 'ERR_LINREC_LENGTH_MISMATCH'],
      [() => scan(a, new Float64Array(5) as never), 'ERR_LINREC_DTYPE_MISMATCH'],
      [() => scan(a, b, { method: 'exp' as never }), 'ERR_LINREC_INVALID_VALUE'],
      [() => scan(a, b, { device: 'gpu' as never }), 'ERR_LINREC_INVALID_VALUE'],
      [() => scan(a, b, [] as never), 'ERR_LINREC_INVALID_TYPE'],
    ];
    for (const [call, code] of cases) {
      let caught: { code?: string } | undefined;
      try {
        call();
      } catch (e) {
        caught = e as { code?: string };
      }
      expect(caught?.code).toBe(code);
    }
  });
});
