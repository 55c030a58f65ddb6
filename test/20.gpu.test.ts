// The CUDA backend against the CPU backend and a float64 reference. Skipped, visibly, where no
// usable GPU is present (the reason is in the suite title and printed once).
import v8 from 'v8';
import vm from 'vm';
import { aggregate, backends, createScanner, DeviceArray, deviceMemory, logScan, scan, scanAsync, sequential, toDevice, type FloatDeviceArray } from '../src';
import { addonPath } from '../src/addon';
import {
  expectLinrecError,
  faultChild,
  fill,
  floorOf,
  fresh,
  loopBound,
  mixedError,
  overLoopAccuracy,
  reference,
  referenceDD,
  seedInputs,
  seedNote,
  worstOverReach,
  type F,
} from './helpers';

const cuda = backends().cuda;
const why = cuda.compiled ? (cuda.reason ?? 'no CUDA device') : `this build has no CUDA backend${cuda.reason ? `: ${cuda.reason}` : ''}`;
const gpuDescribe = cuda.available ? describe : describe.skip;
const title = cuda.available
  ? `CUDA backend on ${cuda.devices.map((d) => `${d.name} (sm_${d.computeCapability.replace('.', '')})`).join(', ')} ${seedNote()}`
  : `CUDA backend: SKIPPED, no usable GPU (${why})`;
if (!cuda.available) console.warn(`test/20.gpu.test.ts: ${title}`);
// The CPU emulation of the CUDA runtime (LINREC_CUDA_EMULATION builds, used by CI) runs about a
// million steps a second: the largest sizes shrink there, every shape and path stays.
const emulated = cuda.devices.some((d) => /emulation/i.test(d.name));
const big = (n: number) => (emulated ? Math.min(n, 2 ** 20 + 3) : n);

type Ctor = { new (n: number): F };
type DT = 'float32' | 'float64';
const ctorOf = (dtype: DT): Ctor => (dtype === 'float32' ? Float32Array : Float64Array);
const nanArray = <A extends F>(C: { new (n: number): A }, n: number): A => new C(n).fill(NaN) as A;
const host = (v: F | DeviceArray): F => (v instanceof DeviceArray ? (v.toHost() as F) : v);
const up = <T extends F | Int8Array>(v: T) => toDevice(v as Float32Array) as unknown as FloatDeviceArray;

/** Row-major b without x_0 (Scanner / aggregate layout), aligned with coeffs, from values. */
function withoutX0(values: F, rows: number, n: number, reverse = false): F {
  const out = new (values.constructor as Ctor)(rows * n);
  const skip = reverse ? 0 : 1; // reverse: x_0 is values[n], b_t is values[t]
  for (let r = 0; r < rows; r++) out.set(values.subarray(r * (n + 1) + skip, r * (n + 1) + skip + n), r * n);
  return out;
}

gpuDescribe(title, () => {
  beforeAll(() => console.log(`GPU tests: ${seedNote()}`));

  // Rows × n: one long row (many tiles), a few medium rows, 2^10 short rows (warp per row).
  const shapes = [
    { rows: 1, n: 100_003 },
    { rows: 3, n: 20_001 },
    { rows: 1024, n: 37 },
  ];
  const dtypes: DT[] = ['float32', 'float64'];

  for (const dtype of dtypes)
    for (const { rows, n } of shapes)
      for (const reverse of [false, true])
        for (const onDevice of [false, true]) {
          const where = onDevice ? 'DeviceArray' : 'host arrays';
          const tag = `${dtype} rows=${rows} n=${n}${reverse ? ' reverse' : ''} from ${where}`;

          for (const method of ['direct', 'log'] as const)
            test(`scan ${method} ${tag}`, () => {
              const C = ctorOf(dtype);
              const { coeffs, values } = seedInputs(C, rows, n, 'uniform');
              const ref = reference(coeffs, values, rows, reverse);
              const cpu = scan(coeffs, values, { rows, reverse, method, device: 'cpu', out: nanArray(C, values.length) });
              let got: F;
              if (onDevice) {
                const out = up(nanArray(C, values.length));
                const r = scan(up(coeffs), up(values), { rows, reverse, method, device: 'cuda', out });
                expect(r).toBe(out);
                got = host(r);
              } else {
                got = scan(coeffs, values, { rows, reverse, method, device: 'cuda', out: nanArray(C, values.length) });
              }
              expect(overLoopAccuracy(got, coeffs, values, rows, reverse, ref, dtype)).toBeLessThanOrEqual(1);
              expect(overLoopAccuracy(cpu, coeffs, values, rows, reverse, ref, dtype)).toBeLessThanOrEqual(1);
            });

          test(`logScan ${tag}`, () => {
            const C = ctorOf(dtype);
            const r = fresh();
            const m = rows * n;
            const a = {
              logAbs: fill(new C(m), () => Math.log(0.5 + 0.5 * r.uniform())),
              sign: Int8Array.from({ length: m }, () => (r.uniform() < 0.3 ? -1 : 1)),
            };
            const b = {
              logAbs: fill(new C(rows * (n + 1)), () => Math.log(3 * r.uniform())),
              sign: Int8Array.from({ length: rows * (n + 1) }, () => (r.uniform() < 0.5 ? -1 : 1)),
            };
            // The reference runs on the values the logs stand for (as stored).
            const av = Float64Array.from(a.logAbs, (l, i) => a.sign[i] * Math.exp(l));
            const bv = Float64Array.from(b.logAbs, (l, i) => b.sign[i] * Math.exp(l));
            const ref = reference(av, bv, rows, reverse);
            const valuesOf = (o: { logAbs: F; sign: Int8Array }) => Float64Array.from(o.logAbs, (l, i) => o.sign[i] * Math.exp(l));
            const cpu = valuesOf(logScan(a, b, { rows, reverse, device: 'cpu' }) as { logAbs: F; sign: Int8Array });
            let got: Float64Array;
            if (onDevice) {
              const out = { logAbs: up(nanArray(C, rows * (n + 1))), sign: toDevice(new Int8Array(rows * (n + 1))) as unknown as DeviceArray };
              // LogInput's type names Int8Array signs; int8 DeviceArrays are accepted at run time.
              const logScanOnDevice = logScan as unknown as (a: unknown, b: unknown, o: unknown) => { logAbs: DeviceArray; sign: DeviceArray };
              const res = logScanOnDevice(
                { logAbs: up(a.logAbs), sign: up(a.sign) },
                { logAbs: up(b.logAbs), sign: up(b.sign) },
                { rows, reverse, device: 'cuda', out },
              );
              expect(res).toBe(out);
              got = valuesOf({ logAbs: host(res.logAbs), sign: res.sign.toHost() as Int8Array });
            } else {
              const out = { logAbs: nanArray(C, rows * (n + 1)), sign: new Int8Array(rows * (n + 1)) };
              got = valuesOf(logScan(a, b, { rows, reverse, device: 'cuda', out }) as { logAbs: F; sign: Int8Array });
            }
            const bound = Math.max(4 * mixedError(cpu, ref), floorOf(dtype));
            expect(mixedError(got, ref)).toBeLessThanOrEqual(bound);
          });

          test(`aggregate ${tag}`, () => {
            const C = ctorOf(dtype);
            const { coeffs, values } = seedInputs(C, rows, n, 'uniform');
            const b = withoutX0(values, rows, n, reverse);
            const refA = new Float64Array(rows);
            const refB = new Float64Array(rows);
            for (let row = 0; row < rows; row++) {
              let A = 1;
              let B = 0;
              for (let k = 0; k < n; k++) {
                const t = reverse ? n - 1 - k : k;
                A *= coeffs[row * n + t];
                B = coeffs[row * n + t] * B + b[row * n + t];
              }
              refA[row] = A;
              refB[row] = B;
            }
            const cpu = aggregate(coeffs, b, { rows, reverse, device: 'cpu' });
            const res = onDevice ? aggregate(up(coeffs), up(b), { rows, reverse, device: 'cuda' }) : aggregate(coeffs, b, { rows, reverse, device: 'cuda' });
            if (onDevice) expect(res.A).toBeInstanceOf(DeviceArray);
            const gotA = host(res.A);
            const gotB = host(res.B);
            const boundA = Math.max(4 * mixedError(cpu.A, refA), floorOf(dtype));
            const boundB = Math.max(4 * mixedError(cpu.B, refB), floorOf(dtype));
            expect(mixedError(gotA, refA)).toBeLessThanOrEqual(boundA);
            expect(mixedError(gotB, refB)).toBeLessThanOrEqual(boundB);
          });

          for (const method of ['direct', 'log'] as const)
            test(`Scanner ${method} in chunks ${tag}`, () => {
              const C = ctorOf(dtype);
              const { coeffs, values } = seedInputs(C, rows, n, 'uniform');
              const ref = reference(coeffs, values, rows, reverse);
              const b = withoutX0(values, rows, n, reverse);
              const initial = Array.from({ length: rows }, (_, r) => values[r * (n + 1) + (reverse ? n : 0)]);
              const s = createScanner({ rows, dtype, method, reverse, initial, device: 'cuda' });
              const got = new Float64Array(rows * (n + 1)).fill(NaN);
              for (let r = 0; r < rows; r++) got[r * (n + 1) + (reverse ? n : 0)] = initial[r];
              // Random chunk lengths; with reverse, chunks arrive from the end.
              const rr = fresh();
              const cuts = [0, ...Array.from({ length: 4 }, () => Math.floor(rr.uniform() * (n + 1))).sort((x, y) => x - y), n];
              const pieces = cuts.slice(1).map((c, i) => [cuts[i], c] as const);
              if (reverse) pieces.reverse();
              const cols = (arr: F, c0: number, c1: number) => {
                const out = new C(rows * (c1 - c0));
                for (let r = 0; r < rows; r++) out.set(arr.subarray(r * n + c0, r * n + c1), r * (c1 - c0));
                return out;
              };
              for (const [c0, c1] of pieces) {
                const len = c1 - c0;
                const ca = cols(coeffs, c0, c1);
                const cb = cols(b, c0, c1);
                const x = onDevice ? host(s.push(up(ca), up(cb)) as DeviceArray) : (s.push(ca, cb) as F);
                expect(x.length).toBe(rows * len);
                for (let r = 0; r < rows; r++) got.set(x.subarray(r * len, (r + 1) * len), r * (n + 1) + (reverse ? 0 : 1) + c0);
              }
              expect(overLoopAccuracy(got as F, coeffs, values, rows, reverse, ref, dtype)).toBeLessThanOrEqual(1);
              s.dispose();
            });
        }

  // Sizes across many tiles and odd sizes, float32 direct, one row.
  for (const n of [1, 2, 4095, 4097, 1_000_003, big(2 ** 26)])
    for (const onDevice of n > 1_000_003 ? [true] : [false, true])
      test(`scan float32 direct n=${n} ${onDevice ? 'DeviceArray' : 'host arrays'} (poisoned out)`, () => {
        const { coeffs, values } = seedInputs(Float32Array, 1, n, 'uniform');
        const ref = reference(coeffs, values);
        let got: F;
        if (onDevice) {
          const a = up(coeffs);
          const bb = up(values);
          const out = up(nanArray(Float32Array, n + 1));
          got = host(scan(a, bb, { device: 'cuda', out }));
          for (const d of [a, bb, out]) d.dispose();
        } else got = scan(coeffs, values, { device: 'cuda', out: nanArray(Float32Array, n + 1) });
        expect(overLoopAccuracy(got, coeffs, values, 1, false, ref, 'float32')).toBeLessThanOrEqual(1);
      }, 600_000);

  // Races show as run-to-run differences.
  for (const [dtype, method, rows, fullN] of [
    ['float32', 'direct', 1, 2 ** 24 + 7],
    ['float64', 'direct', 3, 3_000_001],
    ['float32', 'log', 2, 2_000_003],
    ['float64', 'direct', 1024, 1000],
  ] as const)
    test(`deterministic: ${dtype} ${method} rows=${rows} n=${big(fullN)}, three runs bitwise identical`, () => {
      const n = big(fullN);
      // On the emulation: many blocks in flight, some stalling, so each run's look-back meets
      // predecessors in other states (windows beyond the first included).
      // The emulation reads the process's environment, which jest's process.env (a copy) never
      // reaches: test builds set it through the addon.
      const setEnv = emulated ? (require(addonPath() as string) as { _setEmulatedEnv?: (name: string, value?: string) => void })._setEmulatedEnv : undefined;
      const knobs = { LINREC_EMULATED_BLOCKS_IN_FLIGHT: '96', LINREC_EMULATED_JITTER_PERCENT: '2' };
      for (const [name, value] of Object.entries(knobs)) setEnv?.(name, value);
      const C = ctorOf(dtype);
      const { coeffs, values } = seedInputs(C, rows, n, 'normal');
      const a = up(coeffs);
      const b = up(values);
      const runs: F[] = [];
      for (let k = 0; k < 3; k++) {
        const out = up(nanArray(C, values.length));
        runs.push(host(scan(a, b, { rows, method, device: 'cuda', out })));
        out.dispose();
      }
      for (const name of Object.keys(knobs)) setEnv?.(name, process.env[name]); // as the process had them
      for (let k = 1; k < 3; k++) expect(Buffer.compare(Buffer.from(runs[k].buffer), Buffer.from(runs[0].buffer))).toBe(0);
      // float64 data: against a double-double loop (the float64 loop is itself off by ~1e-14 here).
      const ref = dtype === 'float64' ? referenceDD(coeffs, values, rows) : reference(coeffs, values, rows);
      // Accuracy: within R times the loop's forward error bound at every element (roundingReach),
      // not within a multiple of the loop's own error, which is one sample of rounding luck: in an
      // expanding stretch (|a| > 1 for a while) one different rounding is amplified like any other
      // (LINREC_SEED=918158101: CUDA 6.4x the loop's error, 0.1x this bound, like the loop; one tile off by 1e-4 gives 168x).
      expect(worstOverReach(runs[0], ref, coeffs, rows, dtype)).toBeLessThanOrEqual(1);
      a.dispose();
      b.dispose();
    }, 600_000);

  test('DeviceArray.dispose frees device memory (allocating 60% of it five times)', () => {
    const bytes = cuda.devices[0].memoryBytes;
    const length = Math.floor((0.6 * bytes) / 4);
    for (let k = 0; k < 5; k++) {
      const d = DeviceArray.empty(length, 'float32');
      expect(d.disposed).toBe(false);
      d.dispose();
      expect(d.disposed).toBe(true);
      d.dispose(); // idempotent
    }
  });

  test('a disposed DeviceArray is refused with ERR_LINREC_DISPOSED', () => {
    const a = toDevice(new Float32Array(10).fill(0.5));
    const b = toDevice(new Float32Array(11).fill(1));
    a.dispose();
    expectLinrecError(() => a.toHost(), 'ERR_LINREC_DISPOSED');
    expectLinrecError(() => scan(a, b, { device: 'cuda' }), 'ERR_LINREC_DISPOSED');
    b.dispose();
  });

  test('an impossible allocation is ERR_LINREC_CUDA, and the backend works after it', () => {
    expectLinrecError(() => DeviceArray.empty(2 ** 40, 'float32'), 'ERR_LINREC_CUDA');
    const { coeffs, values } = seedInputs(Float32Array, 1, 100_003, 'uniform');
    const ref = reference(coeffs, values);
    const got = scan(coeffs, values, { device: 'cuda' });
    expect(overLoopAccuracy(got, coeffs, values, 1, false, ref, 'float32')).toBeLessThanOrEqual(1);
    const d = up(coeffs);
    expect(Array.from((d.toHost() as F).subarray(0, 5))).toEqual(Array.from(coeffs.subarray(0, 5)));
    d.dispose();
  });

  test('composable fallback: float32 product overflow (x_0 = 1e-30, a = 2 x130 then 0.5) stays finite', () => {
    const n = 100_003;
    const coeffs = new Float32Array(n).map((_, i) => (i >= 5000 && i < 5130 ? 2 : i < 5000 ? 1 : 0.5));
    const values = new Float32Array(n + 1);
    values[0] = 1e-30;
    const cpu = scan(coeffs, values, { device: 'cpu' });
    const got = scan(coeffs, values, { device: 'cuda' });
    expect(Array.from(got).every(Number.isFinite)).toBe(true);
    expect(Buffer.compare(Buffer.from(got.buffer), Buffer.from(cpu.buffer))).toBe(0);
  });

  test('composable fallback: x_0 = +inf with a in [0.5, 0.6] stays +inf', () => {
    for (const dtype of dtypes) {
      const C = ctorOf(dtype);
      const r = fresh();
      const n = 100_003;
      const coeffs = fill(new C(n), () => 0.5 + 0.1 * r.uniform());
      const values = fill(new C(n + 1), () => 2 * r.uniform() - 1);
      values[0] = Infinity;
      for (const reverse of [false, true]) {
        if (reverse) {
          values[0] = 0;
          values[n] = Infinity;
        }
        const got = scan(coeffs, values, { device: 'cuda', reverse });
        expect(Array.from(got as F).every((x) => x === Infinity)).toBe(true);
      }
    }
  });

  // The direct method's float64 aggregates travel with their status in one 16-byte word, the
  // zero bit (some coefficient is 0) as a NaN pattern of A (tile_status.cuh, session 14). A
  // product that underflows to 0 without a zero coefficient is no reset: where the carry still
  // counts (x_0 = 1e300 through a tile of a = 0.83, whose product is 0 in float64 while the loop
  // ends near 1e-31), the look-back must not compose it (composable); exact zeros (one of each
  // sign) and a NaN coefficient must. Where the reset and the underflow are in one group of 32
  // tiles, the group's scan joined them and lost the reset's B (before session 14: tile 41 began
  // at 0): such a prefix, and its G, now never compose. Element by element against the loop.
  test('direct float64: an underflowed tile product is no reset, exact zeros are (the zero bit in A), a NaN coefficient poisons what follows', () => {
    const tile = 4096;
    const n = 80 * tile + 77;
    const a = new Float64Array(n).fill(1);
    const v = new Float64Array(n + 1);
    v[0] = 1e300;
    for (let i = 5 * tile; i < 6 * tile; i++) a[i] = 0.83; // product 1e-331 (0), the loop's x 1e-31
    a[39 * tile + 5] = 0; // an exact reset to 1e300 in the same group of 32 tiles, then 0.83 again
    v[39 * tile + 6] = 1e300;
    for (let i = 40 * tile; i < 41 * tile; i++) a[i] = 0.83;
    a[45 * tile + 100] = 0; // an exact reset to b there, positive then negative signs around it
    v[45 * tile + 101] = 3;
    for (let i = 45 * tile + 200; i < 45 * tile + 300; i++) a[i] = -1;
    a[60 * tile + 7] = -0; // -0 after an odd run of -1's: A = -0 in its aggregates
    v[60 * tile + 8] = 2;
    for (let i = 60 * tile + 50; i < 60 * tile + 51; i++) a[i] = -1;
    a[75 * tile + 11] = NaN;
    const loop = sequential(a, v);
    const got = scan(a, v, { device: 'cuda' }) as Float64Array;
    const bad = loop.findIndex((x, i) => (Number.isNaN(x) ? !Number.isNaN(got[i]) : !(Math.abs(got[i] - x) <= 1e-11 * Math.abs(x))));
    expect({ bad, got: got[bad], want: loop[bad] }).toEqual({ bad: -1, got: undefined, want: undefined });
    for (const end of [6, 41]) expect(loop[end * tile]).toBeGreaterThan(1e-40); // the carry counted: not a reset
    expect(loop[45 * tile + 150]).toBe(3);
  });

  // The same inside one tile and one warp's row: the block's and the warp's scan trees join a
  // reset's B with a part whose product underflowed (session 14: x lost entirely, 0 for 6.3e-31).
  test('direct float64: a reset to 1e300, then a product that underflows inside a tile or a short row, keeps the x it carries', () => {
    const worst = (a: Float64Array, v: Float64Array, rows: number) => {
      const loop = sequential(a, v, { rows });
      const got = scan(a, v, { rows, device: 'cuda' }) as Float64Array;
      let e = 0;
      for (let i = 0; i < loop.length; i++) if (Math.abs(loop[i]) > 1e-300) e = Math.max(e, Math.abs(got[i] - loop[i]) / Math.abs(loop[i]));
      return e;
    };
    {
      const n = 5 * 4096 + 77;
      const a = new Float64Array(n).fill(1);
      const v = new Float64Array(n + 1);
      v[0] = 1;
      a[5] = 0;
      v[6] = 1e300;
      for (let i = 1024; i < 3200; i++) a[i] = 0.69; // a tree product of 0 inside tile 0
      expect({ tile: worst(a, v, 1) < 1e-12 }).toEqual({ tile: true });
    }
    for (const rows of [1, 64]) {
      const n = 1000;
      const a = new Float64Array(rows * n).fill(1);
      const v = new Float64Array(rows * (n + 1));
      for (let r = 0; r < rows; r++) {
        v[r * (n + 1)] = 1;
        a[r * n + 5] = 0;
        v[r * (n + 1) + 6] = 1e300;
        for (let i = 8; i < 200; i++) a[r * n + i] = 0.002;
      }
      expect({ rows, close: worst(a, v, rows) < 1e-12 }).toEqual({ rows, close: true });
    }
  });

  // aggregate joins the same way: inside a tile, across tiles, in a warp's row and across the
  // chunks of host arrays (session 15: B was 0 for 1e-35; the CPU's aggregate took B in order).
  for (const dtype of ['float64', 'float32'] as const)
    for (const reverse of [false, true])
      test(`aggregate ${dtype}${reverse ? ' reverse' : ''}: a reset to a huge x, then a product that underflows, keeps its B (tile, tiles, warp rows, host chunks)`, () => {
        const C = ctorOf(dtype);
        // Tiles: 256 threads of 16 (float64) or 32 (float32) steps; warp rows: 32 lanes of 8 or 16.
        const f64 = dtype === 'float64';
        const tile = f64 ? 4096 : 8192;
        const cases: Array<{ what: string; rows: number; n: number; reset: number; decay: number; steps: number; by: number }> = f64
          ? [
              { what: 'inside a tile', rows: 1, n: 5 * tile + 77, reset: 6, decay: 1024, steps: 192, by: 0.002 },
              { what: 'across tiles', rows: 2, n: 5 * tile + 77, reset: 4000, decay: 4200, steps: 2080, by: 0.69 },
              { what: 'warp rows', rows: 64, n: 1000, reset: 6, decay: 128, steps: 128, by: 7.5e-4 },
              { what: 'host chunks', rows: 1, n: (1 << 20) + 3 * tile, reset: (1 << 20) - 10, decay: (1 << 20) + 100, steps: 2080, by: 0.69 },
            ]
          : [
              { what: 'inside a tile', rows: 1, n: 5 * tile + 77, reset: 6, decay: 64, steps: 128, by: 0.4 },
              { what: 'across tiles', rows: 2, n: 5 * tile + 77, reset: 8000, decay: tile + 8, steps: 128, by: 0.4 },
              { what: 'warp rows', rows: 64, n: 1000, reset: 6, decay: 256, steps: 256, by: 0.61 },
              { what: 'host chunks', rows: 1, n: (1 << 20) + 3 * tile, reset: (1 << 20) - 10, decay: (1 << 20) + 100, steps: 128, by: 0.4 },
            ];
        const huge = f64 ? 1e300 : 1e30; // the product: 1e-335 to 1e-518 (float64), 1e-51 to 1e-55 (float32)
        for (const { what, rows, n, reset, decay, steps, by } of cases) {
          const a = new C(rows * n).fill(1);
          const b = new C(rows * n);
          const ref = new Float64Array(rows);
          for (let r = 0; r < rows; r++) {
            // step k of the row sits at k, or at n - 1 - k reversed
            const at = (k: number) => r * n + (reverse ? n - 1 - k : k);
            a[at(reset)] = 0;
            b[at(reset)] = huge;
            for (let k = decay; k < decay + steps; k++) a[at(k)] = by;
            let B = 0;
            for (let k = 0; k < n; k++) B = a[at(k)] * B + b[at(k)];
            ref[r] = B; // 1e-35 to 1e-218 (float64), 1e-21 to 1e-25 (float32): normal
          }
          const worst = (B: F) => {
            let e = 0;
            for (let r = 0; r < rows; r++) e = Math.max(e, Math.abs(B[r] - ref[r]) / Math.abs(ref[r]));
            return e;
          };
          const close = f64 ? 1e-12 : 1e-5;
          for (const onDevice of [false, true]) {
            const res = onDevice ? aggregate(up(a), up(b), { rows, reverse, device: 'cuda' }) : aggregate(a, b, { rows, reverse, device: 'cuda' });
            expect({ what, onDevice, close: worst(host(res.B as F | DeviceArray)) < close }).toEqual({ what, onDevice, close: true });
          }
          expect({ what, cpu: worst(aggregate(a, b, { rows, reverse, device: 'cpu' }).B as F) < close }).toEqual({ what, cpu: true });
        }
      });

  // The float32 log method's tile kernels hold a thread's 32 items as the raw a, b and take a
  // one-check plain path (scan_kernel.cuh's PlainSteps); a coefficient outside [2^-60, 2^60] or
  // equal to 0 sends the thread through the general extended-range arithmetic, item by item.
  test("log method, float32: coefficients outside the plain band (2^70, 2^-70, 2^-100, zeros) take the general path within the loop's accuracy", () => {
    const r = fresh();
    const n = 100_003;
    const coeffs = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      coeffs[i] = u < 0.01 ? 0 : u < 0.02 ? 2 ** -100 : (i % 2 ? 2 ** -70 : 2 ** 70) * (0.9 + 0.2 * r.uniform());
    }
    const values = fill(new Float32Array(n + 1), () => 2 * r.uniform() - 1);
    for (const reverse of [false, true]) {
      const ref = reference(coeffs, values, 1, reverse);
      const got = scan(coeffs, values, { method: 'log', device: 'cuda', reverse }) as F;
      expect({ reverse, overLoop: overLoopAccuracy(got, coeffs, values, 1, reverse, ref, 'float32') <= 1 }).toEqual({ reverse, overLoop: true });
    }
  });

  // Decays (|a| below about 0.27) take a 32-step thread's coefficient product below 2^-60, out of
  // the plain path's band: those threads reduce step by step in extended range, and the product's
  // exponent counts where a thread starts from a large carry: b is 1e25 every 1000 steps, so the
  // threads after it start near 2^13 from A·1e25 (A ~ 2^-70) against b's ~1. Checked element by
  // element (relative error; every x is positive), since a mean-scaled error would not see them.
  test('log method, float32: decays (a in [0.1, 0.3]) with large carries, every element as accurate as the loop', () => {
    const r = fresh();
    const n = 100_003;
    const coeffs = fill(new Float32Array(n), () => 0.1 + 0.2 * r.uniform());
    const values = fill(new Float32Array(n + 1), () => 0.5 + 0.5 * r.uniform());
    for (let i = 0; i <= n; i += 1000) values[i] = 1e25;
    const maxRelative = (x: ArrayLike<number>, ref: Float64Array) => {
      let worst = 0;
      for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(x[i] - ref[i]) / Math.abs(ref[i]));
      return worst;
    };
    for (const reverse of [false, true]) {
      const ref = reference(coeffs, values, 1, reverse);
      const loop = maxRelative(sequential(coeffs, values, { reverse }), ref);
      const got = maxRelative(scan(coeffs, values, { method: 'log', device: 'cuda', reverse }) as F, ref);
      expect({ reverse, asLoop: got <= Math.max(4 * loop, 1e-6) }).toEqual({ reverse, asLoop: true });
    }
  });

  // Users pass b and x at offset +1 of their arrays (x_0 first), so rows of stride n + 1 start
  // at every alignment, and reversed rows end at every one: the tile I/O peels each warp's run to
  // 16-byte vectors (tile_io.cuh). Warp-per-row (n ~ 600) and tile (n ~ 8200) shapes.
  for (const dtype of dtypes)
    for (const n of [601, 602, 603, 604, 8193, 8194, 8195, 8196])
      test(`misaligned starts: ${dtype} rows=5 n=${n} from DeviceArrays (every alignment), forward and reverse, direct and log, logScan`, () => {
        const C = ctorOf(dtype);
        const rows = 5;
        const { coeffs, values } = seedInputs(C, rows, n, 'uniform');
        const [a, b] = [up(coeffs), up(values)];
        const lg = (v: F) => ({ logAbs: Float64Array.from(v, (t) => Math.log(Math.abs(t))), sign: Int8Array.from(v, (t) => (t < 0 ? -1 : 1)) });
        const la = lg(coeffs);
        const lb = lg(values);
        for (const reverse of [false, true]) {
          // float64: against a double-double loop (the float64 loop is the float64 reference).
          const ref = (dtype === 'float64' ? referenceDD : reference)(coeffs, values, rows, reverse);
          const bound = loopBound(coeffs, values, rows, reverse, ref, dtype);
          for (const method of ['direct', 'log'] as const) {
            const out = up(nanArray(C, values.length));
            const got = host(scan(a, b, { rows, reverse, method, device: 'cuda', out }));
            out.dispose();
            const error = overLoopAccuracy(got, coeffs, values, rows, reverse, ref, dtype) <= 1;
            expect({ method, reverse, error }).toEqual({ method, reverse, error: true });
          }
          const devLog = (o: { logAbs: Float64Array; sign: Int8Array }) => ({
            logAbs: up((new C(o.logAbs.length) as F).map((_, i) => o.logAbs[i])),
            sign: up(o.sign),
          });
          const logScanOnDevice = logScan as unknown as (a: unknown, b: unknown, o: unknown) => { logAbs: DeviceArray; sign: DeviceArray };
          const res = logScanOnDevice(devLog(la), devLog(lb), { rows, reverse, device: 'cuda' });
          const logAbs = host(res.logAbs);
          const sign = res.sign.toHost() as Int8Array;
          const got = Float64Array.from(logAbs, (l, i) => sign[i] * Math.exp(l));
          expect({ logScan: true, reverse, error: mixedError(got, ref) <= bound }).toEqual({ logScan: true, reverse, error: true });
        }
        a.dispose();
        b.dispose();
      });

  // The slow cliff: a carry that does not compose with a tile's aggregates in T (x_0 = ±inf
  // against products that underflow; a huge x against them; products that overflow) used to make
  // the tile step through in order, every tile of the row one after the other. The wide
  // composition (composable.cuh) composes in extended range instead; only a tile in which the
  // loop itself overflows still steps. Results against the CPU engine: the same infinities and
  // NaNs, element for element, and finite values within the loop's bound.
  const inOrder = () => (require(addonPath() as string) as { _cudaInOrderSteppings?: (device?: number) => number })._cudaInOrderSteppings;
  (inOrder() ? test : test.skip)(
    'the slow cliff: carries that do not compose in T compose in extended range, no tile steps in order but where the loop overflows',
    () => {
      const steppings = inOrder()!;
      for (const dtype of dtypes) {
        const C = ctorOf(dtype);
        const n = 2 ** 18 + 3; // 32 (float32) or 64 (float64) tiles
        const huge = dtype === 'float32' ? 1e36 : 1e300;
        const tiny = dtype === 'float32' ? 1e-20 : 1e-160; // two in a row underflow T's products
        const r = fresh();
        const base = () => {
          const coeffs = fill(new C(n), () => (r.uniform() < 0.3 ? -1 : 1) * (0.5 + 0.1 * r.uniform()));
          const values = fill(new C(n + 1), () => 2 * r.uniform() - 1);
          return { coeffs, values };
        };
        const cases: { name: string; make: () => { coeffs: F; values: F }; maxInOrder: number }[] = [
          {
            name: 'x_0 = +inf',
            make: () => {
              const v = base();
              v.values[0] = Infinity;
              return v;
            },
            maxInOrder: 0,
          },
          {
            name: 'x_0 = -inf, an exact zero coefficient half way (NaN after it)',
            make: () => {
              const v = base();
              v.values[0] = -Infinity;
              v.coeffs[n >> 1] = 0;
              return v;
            },
            maxInOrder: 0,
          },
          {
            name: 'a huge x at the end of every tile, tiny coefficients after it',
            make: () => {
              const v = base();
              const tile = dtype === 'float32' ? 8192 : 4096; // the affine tile kernels' steps a tile
              for (let t = tile; t + 2 < n; t += tile) {
                v.values[t] = huge; // b_t: x_t is huge, the carry into the next tile
                v.coeffs[t] = tiny; // a_{t+1}, a_{t+2}: the next tile's product underflows at once
                v.coeffs[t + 1] = tiny;
              }
              return v;
            },
            maxInOrder: 0,
          },
          {
            name: 'the loop overflows once (a = 4 for 1000 steps), then stays infinite',
            make: () => {
              const v = base();
              v.values[0] = 1;
              for (let t = 10_000; t < 11_000; t++) v.coeffs[t] = 4;
              return v;
            },
            maxInOrder: 2,
          },
        ];
        for (const c of cases) {
          const { coeffs, values } = c.make();
          const cpu = scan(coeffs, values, { device: 'cpu' }) as F;
          const loop = sequential(coeffs, values) as F;
          const ref = reference(coeffs, values);
          steppings(0);
          const [a, b] = [up(coeffs), up(values)];
          const got = host(scan(a, b, { device: 'cuda' }));
          a.dispose();
          b.dispose();
          const inOrderTiles = steppings(0);
          let mismatches = 0;
          const finite: number[] = [];
          for (let i = 0; i < got.length; i++) {
            if (Number.isFinite(cpu[i])) finite.push(i);
            else if (!Object.is(got[i], cpu[i])) mismatches++;
          }
          const at = (v: ArrayLike<number>) => Float64Array.from(finite, (i) => v[i]);
          const bound = Math.max(4 * mixedError(at(loop), at(ref)), floorOf(dtype));
          expect({
            dtype,
            case: c.name,
            mismatches,
            finiteError: mixedError(at(got), at(ref)) <= bound,
            inOrderTiles: inOrderTiles <= c.maxInOrder ? 'bounded' : inOrderTiles,
          }).toEqual({ dtype, case: c.name, mismatches: 0, finiteError: true, inOrderTiles: 'bounded' });
        }
      }
    },
    600_000,
  );

  // The log method computes in extended range (monoid.h): float32 data as a float mantissa and an
  // int32 exponent, float64 data as the CPU engine does (a double and an int64).
  type LogResult = { logAbs: F; sign: Int8Array };
  const logScanOn = (device: 'cpu' | 'cuda', a: F | LogResult, b: F | LogResult, reverse = false) =>
    (logScan as unknown as (a: unknown, b: unknown, o: unknown) => LogResult)(a, b, { device, reverse });

  test('the log method: logs beyond ±2^29·ln 2 count as infinity or zero, as on the CPU (thread, warp and tile kernels)', () => {
    for (const C of [Float32Array, Float64Array] as Ctor[])
      for (const n of [1, 300, 20_000]) {
        const k = n >> 1; // step k + 1
        // x_0 = 1, a = 1, b = 0 but b_{k+1} = e^(1e9): x_t = +inf from step k + 1 on.
        const ones = new C(n).fill(0);
        const b = new C(n + 1).fill(-Infinity);
        b[0] = 0;
        b[k + 1] = 1e9;
        const grown = logScanOn('cuda', ones, b).logAbs;
        // x_0 = 5, a = 1 but a_{k+1} = e^(-1e9), b = 0: a reset, x_t = 0 from step k + 1 on.
        const a = new C(n).fill(0);
        a[k] = -1e9;
        const values = new C(n + 1).fill(-Infinity);
        values[0] = Math.log(5);
        const reset = logScanOn('cuda', a, values).logAbs;
        const l5 = C === Float32Array ? Math.fround(Math.log(5)) : Math.log(5);
        const wrong: unknown[] = [];
        for (let t = 0; t <= n; t++) {
          if (!Object.is(grown[t], t <= k ? 0 : Infinity)) wrong.push({ C: C.name, n, t, grown: grown[t] });
          if (!(t <= k ? Math.abs(reset[t] - l5) <= 4e-7 : reset[t] === -Infinity)) wrong.push({ C: C.name, n, t, reset: reset[t] });
        }
        expect(wrong.slice(0, 5)).toEqual([]);
      }
  });

  test('the log method: logs far beyond float range across many tiles, negative coefficients, forward and reverse: log|x| and signs to rounding', () => {
    for (const C of [Float32Array, Float64Array] as Ctor[]) {
      const eps = C === Float32Array ? 2 ** -23 : 2 ** -52;
      const n = 20_000; // 10 (float32) or 20 (float64) tiles
      for (const reverse of [false, true]) {
        // a = -e^1000, b = 1, x_0 = 1: log|x_t| = 1000·t (to far below rounding), sign (-1)^t.
        const at = (t: number) => (reverse ? n - t : t);
        const grown = logScanOn('cuda', { logAbs: new C(n).fill(1000), sign: new Int8Array(n).fill(-1) }, new C(n + 1).fill(0), reverse);
        // a = e^-1000, b = e^-2000, x_0 = 1: -1000, -2000 + ln 2, then -2000.
        const values = new C(n + 1).fill(-2000);
        values[at(0)] = 0;
        const tiny = logScanOn('cuda', new C(n).fill(-1000), values, reverse);
        const wrong: unknown[] = [];
        const near = (got: number, want: number) => Math.abs(got - want) <= 4 * eps * Math.abs(want);
        for (let t = 1; t <= n; t++) {
          if (!near(grown.logAbs[at(t)], 1000 * t) || grown.sign[at(t)] !== (t % 2 ? -1 : 1))
            wrong.push({ C: C.name, reverse, t, grown: grown.logAbs[at(t)], sign: grown.sign[at(t)] });
          const want = t === 1 ? -1000 : t === 2 ? -2000 + Math.LN2 : -2000;
          if (!near(tiny.logAbs[at(t)], want) || tiny.sign[at(t)] !== 1) wrong.push({ C: C.name, reverse, t, tiny: tiny.logAbs[at(t)] });
        }
        expect(wrong.slice(0, 5)).toEqual([]);
      }
    }
  });

  // Raw data of any magnitude: values beyond the float mantissa's band (2^±60) take the general
  // path of every step; float64 beyond the CPU form's band (2^±400).
  for (const dtype of dtypes)
    test(`scan 'log' ${dtype}: random signs, magnitudes far outside the mantissa band, long and short rows, reverse: within the loop's bound`, () => {
      const C = ctorOf(dtype);
      const scales = dtype === 'float32' ? [2 ** -100, 2 ** -70, 2 ** 70, 2 ** 100] : [2 ** -700, 2 ** -450, 2 ** 450, 2 ** 700];
      for (const { rows, n } of [
        { rows: 1, n: 50_003 },
        { rows: 40, n: 301 },
      ])
        for (const scale of scales)
          for (const reverse of [false, true]) {
            // |a| < 1 (an expanding stretch would amplify single roundings past a bound of 4x the loop's error).
            const r = fresh();
            const coeffs = fill(new C(rows * n), () => (r.uniform() < 0.4 ? -1 : 1) * r.uniform());
            const values = fill(new C(rows * (n + 1)), () => scale * (2 * r.uniform() - 1));
            const ref = reference(coeffs, values, rows, reverse);
            const bound = loopBound(coeffs, values, rows, reverse, ref, dtype);
            const got = scan(coeffs, values, { rows, reverse, method: 'log', device: 'cuda' });
            expect({ rows, scale, reverse, within: mixedError(got, ref) <= bound }).toEqual({ rows, scale, reverse, within: true });
          }
    });

  test('the log method on float32 data: results beyond ±2^30·ln 2 (7.4e8) are infinity or zero on CUDA (float64 data and the CPU keep them)', () => {
    // a = e^(3e8): log x_t = 3e8·t, past 2^30·ln 2 from t = 3 (float mantissas, int32 exponents).
    const a = new Float32Array(5).fill(3e8);
    const b = new Float32Array(6).fill(-Infinity);
    b[0] = 0;
    expect(Array.from(logScanOn('cuda', a, b).logAbs)).toEqual([0, 3e8, 6e8, Infinity, Infinity, Infinity]);
    const inverse = logScanOn(
      'cuda',
      a.map((v) => -v),
      b,
    ).logAbs;
    expect(Array.from(inverse)).toEqual([0, -3e8, -6e8, -Infinity, -Infinity, -Infinity]);
    const wide = [0, 3e8, 6e8, 9e8, 1.2e9, 1.5e9];
    const f64 = logScanOn('cuda', Float64Array.from(a), Float64Array.from(b)).logAbs;
    expect(Array.from(f64).every((v, t) => Math.abs(v - wide[t]) <= 1e-6 * wide[t])).toBe(true);
    expect(Array.from(logScanOn('cpu', a, b).logAbs)).toEqual(Array.from(new Float32Array(wide)));
  });
});

// Keeps the skip visible in the summary (and the file non-empty) where no GPU is usable.
if (!cuda.available) {
  describe(`GPU tests skipped: ${why}`, () => {
    test.skip(`needs a usable CUDA device (${why})`, () => {});
  });
}

// Faults and memory, where a GPU (or the CPU emulation of one) is usable.
const hooks = (): { _injectCudaFault?: () => void } => require(addonPath() as string);
const faultTest = cuda.available && hooks()._injectCudaFault ? test : test.skip;
if (cuda.available && !hooks()._injectCudaFault)
  console.warn('test/20.gpu.test.ts: the fault-injection test needs a build with -DLINREC_TEST_HOOKS=ON (npm run test:emulated has it)');

gpuDescribe(`CUDA faults and memory ${cuda.available ? seedNote() : ''}`, () => {
  // In a process of its own (test/cuda-fault.child.js): the fault poisons the device for good.
  faultTest(
    'a kernel fault is ERR_LINREC_CUDA; the device then refuses every call in this process, saying why and what was lost, and auto runs on the CPU',
    () => {
      const seen = faultChild('sync') as Record<string, { code?: string; message?: string; ok?: boolean }> & {
        beforeError: number;
        autoError: number;
        fault?: string;
      };
      expect(seen.beforeError).toBeLessThan(1e-4);
      expect(seen.faulted.code).toBe('ERR_LINREC_CUDA');
      expect(seen.faulted.message).toMatch(
        /cuda:0 is unusable for the rest of this process: the fault poisoned its CUDA context[^]*its 1 DeviceArray \(.*\) is lost[^]*Restart the process/,
      );
      for (const key of ['oldArray', 'async', 'hostScan', 'upload', 'memory']) {
        expect({ key, code: seen[key].code }).toEqual({ key, code: 'ERR_LINREC_CUDA' });
        expect(seen[key].message).toMatch(/unusable for the rest of this process|lost when a fault made cuda:0 unusable/);
      }
      expect(seen.dispose).toEqual({ ok: true }); // lost memory: nothing to free, nothing to crash
      expect(typeof seen.fault).toBe('string'); // backends().cuda.devices[0].fault
      expect(seen.autoError).toBeLessThan(1e-4); // 'auto' went to the CPU
      // The device itself stays usable: this process, which did not fault, scans on it after.
      const { coeffs, values } = seedInputs(Float32Array, 1, 100_003, 'uniform');
      const after = scan(coeffs, values, { device: 'cuda' });
      expect(mixedError(after, reference(coeffs, values))).toBeLessThan(1e-4);
    },
  );

  test('host arrays larger than the free device memory are scanned in chunks, not refused', () => {
    const n = 2 ** 23 + 5; // 3 arrays of 32 MiB on the host
    const keep = 24 * 2 ** 20; // device memory left free
    const fillers: DeviceArray[] = [];
    try {
      for (let request = 2 ** 32; request >= 2 ** 21;) {
        const free = deviceMemory().freeBytes;
        if (free <= keep + 2 ** 21) break;
        const bytes = Math.min(request, free - keep);
        try {
          fillers.push(DeviceArray.empty(Math.floor(bytes / 4), 'float32'));
        } catch {
          request = Math.floor(bytes / 2); // granularity or fragmentation: ask for less
        }
      }
      expect(deviceMemory().freeBytes).toBeLessThan(3 * n * 4);
      const { coeffs, values } = seedInputs(Float32Array, 1, n, 'uniform');
      const ref = reference(coeffs, values);
      const got = scan(coeffs, values, { device: 'cuda', out: nanArray(Float32Array, n + 1) });
      expect(overLoopAccuracy(got, coeffs, values, 1, false, ref, 'float32')).toBeLessThanOrEqual(1);
    } finally {
      fillers.forEach((d) => d.dispose());
    }
  }, 600_000);

  test('32 overlapping scanAsync calls on CUDA (host arrays and DeviceArrays, sizes 1..2^18) are all right', async () => {
    const r = fresh();
    const calls = Array.from({ length: 32 }, (_, k) => {
      const n = 1 + Math.floor(r.uniform() * 2 ** 18);
      const dtype: DT = k % 3 === 0 ? 'float64' : 'float32';
      const { coeffs, values } = seedInputs(ctorOf(dtype), 1, n, 'uniform');
      return { coeffs, values, dtype, onDevice: k % 2 === 1 };
    });
    const results = await Promise.all(
      calls.map(async ({ coeffs, values, onDevice }) => {
        if (!onDevice) return scanAsync(coeffs, values, { device: 'cuda' });
        const [a, b] = [up(coeffs), up(values)];
        try {
          return host(await scanAsync(a, b, { device: 'cuda' }));
        } finally {
          a.dispose();
          b.dispose();
        }
      }),
    );
    calls.forEach(({ coeffs, values, dtype }, k) => {
      const ref = reference(coeffs, values);
      expect(overLoopAccuracy(results[k], coeffs, values, 1, false, ref, dtype)).toBeLessThanOrEqual(1);
    });
  }, 600_000);

  test('DeviceArrays give their device memory back when disposed and when garbage-collected', async () => {
    const length = 2 ** 22; // 16 MiB each
    const settle = async () => {
      for (let k = 0; k < 3; k++) await new Promise((r) => setImmediate(r));
    };
    await settle();
    const free0 = deviceMemory().freeBytes;
    const held = Array.from({ length: 4 }, () => DeviceArray.empty(length, 'float32'));
    expect(free0 - deviceMemory().freeBytes).toBeGreaterThanOrEqual(4 * length * 4);
    held.forEach((d) => d.dispose());
    expect(deviceMemory().freeBytes).toBeGreaterThanOrEqual(free0 - length); // at most allocator slack
    // Unreferenced arrays: the finalizer frees them.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    (() => {
      for (let k = 0; k < 4; k++) DeviceArray.empty(length, 'float32');
    })();
    expect(free0 - deviceMemory().freeBytes).toBeGreaterThanOrEqual(4 * length * 4);
    for (let k = 0; k < 20 && deviceMemory().freeBytes < free0 - length; k++) {
      gc();
      await settle();
    }
    expect(deviceMemory().freeBytes).toBeGreaterThanOrEqual(free0 - length);
  });
});

// Several devices ('cuda:N'): where the machine has two or more (the CPU emulation with
// LINREC_EMULATED_DEVICES=2, as npm run test:emulated sets it).
const multiDescribe = cuda.available && cuda.devices.length >= 2 ? describe : describe.skip;
if (cuda.available && cuda.devices.length < 2) console.warn('test/20.gpu.test.ts: the cuda:N tests need two CUDA devices');

const f32Inputs = (rows: number, n: number, dist: 'normal' | 'uniform') =>
  seedInputs(Float32Array, rows, n, dist) as { coeffs: Float32Array; values: Float32Array };

multiDescribe(`several CUDA devices ${cuda.available ? seedNote() : ''}`, () => {
  const last = `cuda:${cuda.devices.length - 1}` as const;
  const checkOn = (got: F, coeffs: F, values: F, rows = 1) => {
    const ref = reference(coeffs, values, rows);
    expect(overLoopAccuracy(got, coeffs, values, rows, false, ref, 'float32')).toBeLessThanOrEqual(1);
  };

  test(`host arrays on ${last}: scan, logScan and aggregate are right; a device that does not exist is refused`, () => {
    const { coeffs, values } = f32Inputs(3, 20_001, 'normal');
    checkOn(scan(coeffs, values, { rows: 3, device: last, out: nanArray(Float32Array, values.length) }), coeffs, values, 3);
    checkOn(scan(coeffs, values, { rows: 3, device: last, method: 'log' }), coeffs, values, 3);
    const e = expectLinrecError(() => scan(coeffs, values, { rows: 3, device: `cuda:${cuda.devices.length}` as 'cuda:0' }), 'ERR_LINREC_INVALID_VALUE');
    expect(e.message).toMatch(new RegExp(`has ${cuda.devices.length} CUDA devices`));
  });

  test(`DeviceArrays on ${last}: results stay on that device and are right (scan, logScan, aggregate, Scanner)`, () => {
    const n = 20_001;
    const { coeffs, values } = f32Inputs(1, n, 'normal');
    const a = toDevice(coeffs, { device: last });
    const b = toDevice(values, { device: last });
    expect(a.device).toBe(last);
    const x = scan(a, b);
    expect(x.device).toBe(last);
    checkOn(x.toHost(), coeffs, values);
    // logScan from logs and signs, all on the same device.
    const lg = (v: F) => ({
      logAbs: toDevice(
        Float32Array.from(v, (t) => Math.log(Math.abs(t))),
        { device: last },
      ),
      sign: toDevice(
        Int8Array.from(v, (t) => (t < 0 ? -1 : 1)),
        { device: last },
      ),
    });
    const y = logScan(lg(coeffs), lg(values));
    expect([y.logAbs.device, y.sign.device]).toEqual([last, last]);
    const logAbs = y.logAbs.toHost();
    const sign = y.sign.toHost();
    checkOn(
      Float32Array.from(logAbs, (l, i) => sign[i] * Math.exp(l)),
      coeffs,
      values,
    );
    // aggregate and a Scanner push compose to the last x.
    const bOnly = toDevice(values.subarray(1), { device: last });
    const { A, B } = aggregate(a, bOnly);
    expect(A.device).toBe(last);
    const ref = reference(coeffs, values);
    const end = A.toHost()[0] * values[0] + B.toHost()[0];
    expect(Math.abs(end - ref[n]) / (Math.abs(ref[n]) + 1e-3)).toBeLessThan(1e-4);
    const scanner = createScanner({ initial: values[0] });
    const pushed = scanner.push(a, bOnly) as DeviceArray;
    expect(pushed.device).toBe(last);
    checkOn(Float32Array.of(values[0], ...(pushed.toHost() as Float32Array)), coeffs, values);
    for (const d of [a, b, x, y.logAbs, y.sign, bOnly, A, B, pushed]) d.dispose();
  });

  test('arrays on two devices, or a device option that disagrees with the arrays, are ERR_LINREC_DEVICE_MISMATCH', () => {
    const a0 = toDevice(new Float32Array(10).fill(0.5));
    const b1 = toDevice(new Float32Array(11).fill(1), { device: last });
    const a1 = toDevice(new Float32Array(10).fill(0.5), { device: last });
    expectLinrecError(() => scan(a0, b1), 'ERR_LINREC_DEVICE_MISMATCH');
    expectLinrecError(() => scan(a1, b1, { device: 'cuda:0' }), 'ERR_LINREC_DEVICE_MISMATCH');
    expectLinrecError(() => scan(a1, b1, { out: toDevice(new Float32Array(11)) }), 'ERR_LINREC_DEVICE_MISMATCH');
    expect(Array.from(scan(a1, b1, { device: last }).toHost()).slice(0, 3)).toEqual([1, 1.5, 1.75]);
    for (const d of [a0, b1, a1]) d.dispose();
  });

  test("memory is counted per device: an allocation on one device leaves the other's free memory alone", () => {
    const bytes = 64 * 2 ** 20;
    const free0 = deviceMemory('cuda:0').freeBytes;
    const freeLast = deviceMemory(last).freeBytes;
    const d = DeviceArray.empty(bytes / 4, 'float32', { device: last });
    expect(freeLast - deviceMemory(last).freeBytes).toBeGreaterThanOrEqual(bytes);
    expect(Math.abs(free0 - deviceMemory('cuda:0').freeBytes)).toBeLessThan(bytes / 2);
    d.dispose();
    expect(deviceMemory(last).freeBytes).toBeGreaterThanOrEqual(freeLast - bytes / 64);
  });

  faultTest(`a fault on ${last} makes that device unusable only: its arrays are lost, cuda:0 and its arrays keep working`, () => {
    const seen = faultChild('other') as Record<string, { code?: string; message?: string }> & {
      device0Error: number;
      device0HostError: number;
      device0Fault: string | null;
      lastFault: string | null;
    };
    for (const key of ['faulted', 'oldArray', 'lastAgain']) expect({ key, code: seen[key].code }).toEqual({ key, code: 'ERR_LINREC_CUDA' });
    expect(seen.lastAgain.message).toMatch(new RegExp(`${last} is unusable for the rest of this process`));
    expect(seen.device0Error).toBeLessThan(1e-4);
    expect(seen.device0HostError).toBeLessThan(1e-4);
    expect(seen.device0Fault).toBeNull();
    expect(typeof seen.lastFault).toBe('string');
  });

  test('overlapping scanAsync calls spread over the devices are all right', async () => {
    const r = fresh();
    const calls = Array.from({ length: 12 }, (_, k) => {
      const n = 1 + Math.floor(r.uniform() * 2 ** 17);
      const { coeffs, values } = f32Inputs(1, n, 'uniform');
      return { coeffs, values, device: `cuda:${k % cuda.devices.length}` as 'cuda:0' };
    });
    const results = await Promise.all(calls.map(({ coeffs, values, device }) => scanAsync(coeffs, values, { device })));
    calls.forEach(({ coeffs, values }, k) => checkOn(results[k], coeffs, values));
  }, 600_000);
});
