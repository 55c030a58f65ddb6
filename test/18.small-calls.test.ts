// The quick paths of src/small-scan.ts must give the general path's bits: small direct-method
// calls run in JS, others through the binding's lean host entry (scanHost). Every scan and
// Scanner push below runs once on a quick path and once on the general native path, on random
// inputs with exact resets, NaN (signalling ones too), infinities, overflow, subnormals and -0,
// and the two are compared bit for bit (threads 1 and 2 natively).
import { inspect } from 'util';
import { aggregateAsync, createScanner, logScanAsync, scan, scanAsync } from '../src';
import { addon, type NativeScanSpec } from '../src/addon';
import { gpuThreshold } from '../src/backends';
import { quickCalls } from '../src/small-scan';
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

/** fn with scans of at most `steps` steps on the JS path, longer ones through scanHost. */
function jsUpTo<T>(steps: number, fn: () => T): T {
  const saved = quickCalls.jsMaxSteps;
  quickCalls.jsMaxSteps = steps;
  try {
    return fn();
  } finally {
    quickCalls.jsMaxSteps = saved;
  }
}

/** fn's result and how many general native scan calls it made. */
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
      const n = 1 + Math.floor(r() * Math.floor(256 / rows));
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
      const js = counted(() => jsUpTo(256, run));
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

describe.each([
  ['the JS path', 256],
  ['the host entry', 0],
])('%s leaves every check to the general path', (_, jsMaxSteps) => {
  beforeAll(() => {
    quickCalls.jsMaxSteps = jsMaxSteps;
  });
  afterAll(() => {
    quickCalls.jsMaxSteps = 32;
  });
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

describe("the binding's lean host entry (scanHost)", () => {
  const f32 = (v: number[]) => new Float32Array(v);
  const want = (a: F, b: F, rows = 1, reverse = false) => native(() => scan(a, b.slice(), { rows, reverse }));

  test.each([
    ['float32', Float32Array as Ctor],
    ['float64', Float64Array as Ctor],
  ])("%s: the general path's bits, with no general call (random shapes, out, in place, reverse, special values)", (_, C) => {
    const r = fresh().uniform;
    for (let trial = 0; trial < 300; trial++) {
      const rows = 1 + Math.floor(r() * 4);
      const n = 1 + Math.floor(r() * (r() < 0.5 ? 40 : 700));
      const special = [0, 0, 0.01, 0.1][Math.floor(r() * 4)];
      const { a, b } = inputs(C, rows, n, special, r);
      const reverse = r() < 0.5;
      const mode = Math.floor(r() * 3); // 0: new result, 1: out, 2: in place on values
      const threads = r() < 0.5 ? 1 : 2;
      const values = b.slice();
      const out = mode === 1 ? new C(b.length) : mode === 2 ? values : undefined;
      const quick = counted(() => jsUpTo(0, () => scan(a, values, { rows, reverse, out, threads })));
      expect(quick.calls).toBe(0);
      expect(quick.result).toBe(out ?? quick.result);
      if (bits(quick.result) !== bits(want(a, b, rows, reverse)))
        throw new Error(`trial ${trial}: host entry and general path differ (rows ${rows}, n ${n}, reverse ${reverse}, mode ${mode})`);
    }
  });

  test('scanAsync: calls the engine would run inline take the quick paths; larger ones the pool; errors reject', async () => {
    const host = addon();
    const realAsync = host.scanAsync;
    let asyncCalls = 0;
    host.scanAsync = (spec: NativeScanSpec) => {
      asyncCalls++;
      return realAsync(spec);
    };
    try {
      const r = fresh().uniform;
      for (const [rows, n] of [
        [1, 10],
        [1, 1000],
        [16, 1000],
        [1, 16383],
        [1, 16384],
        [2, 20000],
      ]) {
        const a = new Float32Array(rows * n).map(() => r());
        const b = new Float32Array(rows * (n + 1)).map(() => r());
        asyncCalls = 0;
        const quick = await scanAsync(a, b, { rows });
        expect(asyncCalls).toBe(rows * (n + 1) <= 1 << 14 ? 0 : 1);
        expect(bits(quick)).toBe(bits(want(a, b, rows)));
      }
      await expect(scanAsync(f32([1, 2]), f32([1, 2]))).rejects.toMatchObject({ code: 'ERR_LINREC_LENGTH_MISMATCH' });
    } finally {
      host.scanAsync = realAsync;
    }
  });

  test("arrays inside larger buffers, subarrays of one buffer, and arrays small enough to live on V8's heap", () => {
    const r = fresh().uniform;
    for (const n of [1, 3, 15, 16, 40, 300]) {
      const memory = new Float32Array(4 * (n + 1) + 8).map(() => r());
      const a = memory.subarray(3, 3 + n);
      const b = memory.subarray(n + 5, 2 * n + 6);
      const out = memory.subarray(2 * n + 7, 3 * n + 8);
      const expected = bits(want(a, b));
      const before = memory.slice();
      const quick = counted(() => jsUpTo(0, () => scan(a, b, { out })));
      expect(quick.calls).toBe(0);
      expect(bits(out)).toBe(expected);
      // Nothing but out changed.
      before.set(out, 2 * n + 7);
      expect(bits(memory)).toBe(bits(before));
      const onHeap = f32([0.5, 0.25]);
      const onHeapValues = f32([1, 2, 3]);
      expect(bits(jsUpTo(0, () => scan(onHeap, onHeapValues)))).toBe(bits(want(onHeap, onHeapValues)));
    }
  });

  test('detached arrays, overlaps and bad lengths reach the general path and its named errors', () => {
    const detachedCopy = (x: Float32Array) => {
      const d = x.slice();
      structuredClone(d.buffer, { transfer: [d.buffer] });
      return d;
    };
    const a = f32([0.5, 2]);
    const b = f32([1, 2, 3]);
    const memory = new Float32Array(8);
    const cases: [() => unknown, string][] = [
      [() => scan(detachedCopy(a), b), 'ERR_LINREC_DETACHED'],
      [() => scan(a, detachedCopy(b)), 'ERR_LINREC_DETACHED'],
      [() => scan(a, b, { out: detachedCopy(b) }), 'ERR_LINREC_DETACHED'],
      [() => scan(memory.subarray(0, 2), memory.subarray(2, 5), { out: memory.subarray(1, 4) }), 'ERR_LINREC_ALIAS'],
      [() => scan(a, memory.subarray(0, 3), { out: memory.subarray(1, 4) }), 'ERR_LINREC_ALIAS'],
      [() => scan(a, b, { out: new Float32Array(4) }), 'ERR_LINREC_LENGTH_MISMATCH'],
      [() => scan(a, b, { out: new Float64Array(3) as never }), 'ERR_LINREC_DTYPE_MISMATCH'],
      [() => scan(new Int8Array(new ArrayBuffer(64), 0, 2) as never, new Int8Array(new ArrayBuffer(64), 0, 3) as never), 'ERR_LINREC_INVALID_TYPE'],
    ];
    for (const [call, code] of cases) {
      let caught: { code?: string } | undefined;
      try {
        jsUpTo(0, call);
      } catch (e) {
        caught = e as { code?: string };
      }
      expect(caught?.code).toBe(code);
    }
  });

  test('SharedArrayBuffer and resizable ArrayBuffer memory: declined or taken, the same bits', () => {
    const r = fresh().uniform;
    const n = 50;
    const a0 = new Float32Array(n).map(() => r());
    const b0 = new Float32Array(n + 1).map(() => r());
    const expected = bits(want(a0, b0));
    const shared = (x: Float32Array) => {
      const s = new Float32Array(new SharedArrayBuffer(x.byteLength));
      s.set(x);
      return s;
    };
    const out = shared(new Float32Array(n + 1));
    expect(bits(jsUpTo(0, () => scan(shared(a0), shared(b0), { out })))).toBe(expected);
    // A length-tracking array over a resizable buffer: the length at the call counts.
    const Resizable = ArrayBuffer as unknown as new (bytes: number, o: { maxByteLength: number }) => ArrayBuffer & { resize(bytes: number): void };
    const rab = new Resizable(4 * (n + 1), { maxByteLength: 4 * 4 * n });
    const tracking = new Float32Array(rab);
    expect(tracking.length).toBe(n + 1);
    const resultOf = () => jsUpTo(0, () => scan(a0, b0, { out: tracking }));
    expect(bits(resultOf())).toBe(expected);
    rab.resize(4 * (n + 3));
    expect(() => resultOf()).toThrow(expect.objectContaining({ code: 'ERR_LINREC_LENGTH_MISMATCH' }));
    rab.resize(4 * (n + 1));
    tracking.fill(0);
    expect(bits(resultOf())).toBe(expected);
  });

  test('the raw entry declines, touching nothing, what it does not take as is; a claimed type is bounded by the buffer', () => {
    const host = addon();
    const a = f32([0.5, 2, 4]);
    const b = f32([1, 2, 3, 4]);
    const sentinel = () => new Float32Array(4).fill(7);
    const declined: [string, (x: Float32Array) => boolean][] = [
      ['float64 claimed for Float32Arrays that fill their buffers', (x) => host.scanHost(true, a, b, x, 1, false, 1)],
      ['a plain array', (x) => host.scanHost(false, [0.5, 2, 4], b, x, 1, false, 1)],
      ['a DataView', (x) => host.scanHost(false, new DataView(a.buffer), b, x, 1, false, 1)],
      ['a SharedArrayBuffer', (x) => host.scanHost(false, new Float32Array(new SharedArrayBuffer(12)), b, x, 1, false, 1)],
      ['rows 0', (x) => host.scanHost(false, a, b, x, 0, false, 1)],
      ['rows 1.5', (x) => host.scanHost(false, a, b, x, 1.5, false, 1)],
      ['rows NaN', (x) => host.scanHost(false, a, b, x, NaN, false, 1)],
      ['rows above the steps', (x) => host.scanHost(false, a, f32([1, 2, 3, 4, 5, 6]), x, 4, false, 1)],
      ['threads 0', (x) => host.scanHost(false, a, b, x, 1, false, 0)],
      ['threads 2000', (x) => host.scanHost(false, a, b, x, 1, false, 2000)],
      ['values too short', (x) => host.scanHost(false, a, b.subarray(1), x, 1, false, 1)],
      ['rows that do not divide the steps', (x) => host.scanHost(false, a, f32([1, 2, 3, 4, 5]), x, 2, false, 1)],
      ['x overlapping a', () => host.scanHost(false, a, b, new Float32Array(a.buffer, 0, 3), 1, false, 1)],
      ['an Int8Array claimed float32 whose buffer is too short', (x) => host.scanHost(false, new Int8Array(3), b, x, 1, false, 1)],
    ];
    for (const [what, call] of declined) {
      const x = sentinel();
      if (call(x) !== false) throw new Error(`taken: ${what}`);
      expect(bits(x)).toBe(bits(sentinel()));
    }
    const x = sentinel();
    expect(host.scanHost(false, a, b, x, 1, false, 1)).toBe(true);
    expect(bits(x)).toBe(bits(want(a, b)));
    // In place (x is b) is taken; x overlapping b otherwise is not.
    const inPlace = b.slice();
    expect(host.scanHost(false, a, inPlace, inPlace, 1, false, 1)).toBe(true);
    expect(bits(inPlace)).toBe(bits(want(a, b)));
    const memory = new Float32Array(5);
    memory.set(b);
    expect(host.scanHost(false, a, memory.subarray(0, 4), memory.subarray(1, 5), 1, false, 1)).toBe(false);
  });
});

describe('scan options, as the quick and general paths read them (readScanOptions)', () => {
  // Plain objects are read by for-in (no megamorphic lookups in a process of many option
  // shapes): their enumerable properties are the options. Other objects are read by name.
  const a = new Float32Array([0.5, 2, -1]);
  const b = new Float32Array([1, 2, 3, 4]);
  const forward = Array.from(native(() => scan(a, b)));
  const backward = Array.from(native(() => scan(a, b, { reverse: true })));
  // The JS path (3 steps), the lean host entry (jsMaxSteps 0) and the general path (log method:
  // compared through its result's target only, its bits are the log method's).
  const paths: [string, <T>(fn: () => T) => T][] = [
    ['JS path', (fn) => fn()],
    ['host entry', (fn) => jsUpTo(0, fn)],
    ['general path', (fn) => native(fn)],
  ];

  test.each(paths)('%s: a plain object, an inherited enumerable, a class with getters, a null prototype', (_, on) => {
    const out = new Float32Array(4);
    expect(on(() => scan(a, b, { out, reverse: true }))).toBe(out);
    expect(Array.from(out)).toEqual(backward);
    const inherited = Object.create({ reverse: true }) as { out?: Float32Array };
    inherited.out = new Float32Array(4);
    expect(on(() => scan(a, b, inherited))).toBe(inherited.out);
    expect(Array.from(inherited.out)).toEqual(backward);
    class Options {
      readonly #target = new Float32Array(4);
      get target() {
        return this.#target;
      }
      get out() {
        return this.#target;
      }
      get reverse() {
        return true;
      }
    }
    const viaClass = new Options();
    expect(on(() => scan(a, b, viaClass))).toBe(viaClass.target);
    expect(Array.from(viaClass.target)).toEqual(backward);
    const bare = Object.assign(Object.create(null), { out: new Float32Array(4) }) as { out: Float32Array };
    expect(on(() => scan(a, b, bare))).toBe(bare.out);
    expect(Array.from(bare.out)).toEqual(forward);
  });

  test.each(paths)("%s: a plain object's non-enumerable property is not an option, on every path alike", (_, on) => {
    const hidden = {};
    const target = new Float32Array(4);
    Object.defineProperty(hidden, 'out', { value: target, enumerable: false });
    Object.defineProperty(hidden, 'reverse', { value: true, enumerable: false });
    const got = on(() => scan(a, b, hidden));
    expect(got).not.toBe(target);
    expect(Array.from(got)).toEqual(forward);
    expect(Array.from(target)).toEqual([0, 0, 0, 0]);
  });

  test.each(paths)('%s: a getter that scans with other options while the options are read leaves them alone', (_, on) => {
    const out = new Float32Array(4);
    const inner = new Float32Array(4);
    const options = {
      get out() {
        // Its own scan, with options of its own, before reverse is read.
        scan(a, b, { out: inner, threads: 1 });
        return out;
      },
      reverse: true,
    };
    expect(on(() => scan(a, b, options))).toBe(out);
    expect(Array.from(out)).toEqual(backward);
    expect(Array.from(inner)).toEqual(forward);
  });

  test('an unknown option still throws, on a plain object or not', () => {
    expect(() => scan(a, b, { out: new Float32Array(4), outt: 1 } as never)).toThrow(expect.objectContaining({ code: 'ERR_LINREC_UNKNOWN_OPTION' }));
    const proto = Object.create({ inherited: 1 }) as Record<string, unknown>;
    proto.rows = 1;
    proto.outt = 2;
    expect(() => scan(a, b, proto as never)).toThrow(expect.objectContaining({ code: 'ERR_LINREC_UNKNOWN_OPTION' }));
  });
});

test('LINREC_GPU_MIN_ELEMENTS is read once (a process.env read costs more than a small call)', () => {
  const first = gpuThreshold();
  const saved = process.env.LINREC_GPU_MIN_ELEMENTS;
  process.env.LINREC_GPU_MIN_ELEMENTS = String(first + 1);
  try {
    expect(gpuThreshold()).toBe(first);
  } finally {
    if (saved === undefined) delete process.env.LINREC_GPU_MIN_ELEMENTS;
    else process.env.LINREC_GPU_MIN_ELEMENTS = saved;
  }
});

// README, Guarantees, "Small async calls": an async call whose work runs on the calling thread
// returns its promise settled (review 23: the wrappers awaited the binding's settled promise, so
// theirs were pending, and a Scanner stayed busy after an unawaited small pushAsync).
describe('small async calls return settled promises', () => {
  const state = (p: Promise<unknown>) => {
    const shown = inspect(p);
    return shown.includes('<pending>') ? 'pending' : shown.includes('<rejected>') ? 'rejected' : 'fulfilled';
  };
  const n = 100;
  const a = () => new Float32Array(n).fill(0.5);
  const v = () => new Float32Array(n + 1).fill(1);
  const b = () => new Float32Array(n).fill(1);
  const logs = (k: number) => ({ logAbs: new Float32Array(k).fill(-0.5), sign: new Int8Array(k).fill(1) });

  test.each<[string, () => Promise<unknown>]>([
    ['scanAsync (direct)', () => scanAsync(a(), v())],
    ['scanAsync (direct, out, threads 1, reverse)', () => scanAsync(a(), v(), { out: new Float32Array(n + 1), threads: 1, reverse: true })],
    ['scanAsync (method log)', () => scanAsync(a(), v(), { method: 'log' })],
    [
      'scanAsync (method log, 16 rows)',
      () => scanAsync(new Float32Array(16 * n).fill(0.5), new Float32Array(16 * (n + 1)).fill(1), { method: 'log', rows: 16 }),
    ],
    ['logScanAsync', () => logScanAsync(logs(n), logs(n + 1))],
    ['aggregateAsync', () => aggregateAsync(a(), b())],
    ['aggregateAsync (NaN coefficient)', () => aggregateAsync(Float32Array.of(NaN, 0), Float32Array.of(1, 1))],
    ['Scanner.pushAsync (direct)', () => createScanner().pushAsync(a(), b())],
    [
      'Scanner.pushAsync (direct, float64, in place)',
      () => {
        const values = new Float64Array(n).fill(1);
        return createScanner({ dtype: 'float64' }).pushAsync(new Float64Array(n).fill(0.5), values, { out: values });
      },
    ],
    ['Scanner.pushAsync (log: true)', () => createScanner({ log: true }).pushAsync(logs(n), logs(n))],
    ['Scanner.pushAsync (method log)', () => createScanner({ method: 'log' }).pushAsync(a(), b())],
    ['Scanner.pushAsync (method log, from beyond the range)', () => createScanner({ method: 'log', initial: 1e-300 }).pushAsync(a(), b())],
  ])('%s: settled when returned, with the right result', async (_name, call) => {
    const p = call();
    expect(state(p)).toBe('fulfilled');
    await p;
  });

  test.each<[string, () => Promise<unknown>]>([
    ['scanAsync (method log)', () => scanAsync(a(), new Float32Array(n), { method: 'log' })],
    ['logScanAsync', () => logScanAsync(logs(n), logs(n))],
    ['aggregateAsync', () => aggregateAsync(a(), v())],
    ['Scanner.pushAsync (direct)', () => createScanner().pushAsync(a(), v())],
    ['Scanner.pushAsync (method log)', () => createScanner({ method: 'log' }).pushAsync(a(), v())],
    ['Scanner.pushAsync (log: true)', () => createScanner({ log: true }).pushAsync(logs(n), logs(n + 1))],
  ])('%s: a bad call is a rejection (never a sync throw), settled when returned', async (_name, call) => {
    let p: Promise<unknown> | undefined;
    expect(() => (p = call())).not.toThrow();
    expect(state(p!)).toBe('rejected');
    await expect(p).rejects.toMatchObject({ code: 'ERR_LINREC_LENGTH_MISMATCH' });
  });

  test('larger async calls still leave the main thread (pending when returned)', async () => {
    const big = 1 << 15;
    const calls = [
      scanAsync(new Float32Array(big).fill(0.5), new Float32Array(big + 1).fill(1), { method: 'log' }),
      aggregateAsync(new Float32Array(big).fill(0.5), new Float32Array(big).fill(1)),
      createScanner().pushAsync(new Float32Array(big).fill(0.5), new Float32Array(big).fill(1)),
    ];
    expect(calls.map(state)).toEqual(['pending', 'pending', 'pending']);
    await Promise.all(calls);
  });

  test.each([
    ['direct', {}],
    ['method log', { method: 'log' as const }],
    ['float64', { dtype: 'float64' as const }],
  ])('Scanner (%s): right after an unawaited small pushAsync, state reads and push runs', async (_name, options) => {
    const s = createScanner(options as { dtype?: 'float64'; method?: 'log' });
    const C = s.dtype === 'float64' ? Float64Array : Float32Array;
    const p = s.pushAsync(new C(n).fill(0.5) as never, new C(n).fill(1) as never);
    expect(Array.from(s.state as F)[0]).toBeCloseTo(2, 5);
    const x = s.push(new C(1).fill(0.5) as never, new C(1).fill(1) as never) as unknown as F;
    expect(x[0]).toBeCloseTo(2, 5);
    expect(Array.from(((await p) as unknown as F).subarray(0, 2))).toEqual([1, 1.5]);
  });
});
