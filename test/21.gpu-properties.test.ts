// The property tests of test/51 (random shapes, resets, NaN/Infinity placement, subnormals,
// huge and tiny magnitudes, determinism) on the CUDA backend, against the same float64 loop
// and the same bounds, and the direct method's overflows of the loop (below). Skipped, visibly,
// where no usable GPU (or its CPU emulation) is present.
import { aggregate, backends, DeviceArray, scan, sequential, toDevice } from '../src';
import { addonPath } from '../src/addon';

const cuda = backends().cuda;
// The CPU emulation of the device runs about a million steps a second, and a busy CI machine
// halves that: time is not what these tests check.
jest.setTimeout(600_000);
if (cuda.available) {
  describe(`on CUDA (${cuda.devices[0].name})`, () => {
    process.env.LINREC_PROPERTY_DEVICE = 'cuda';
    require('./51.properties.test');
  });
  describe('CUDA direct method: an overflow of the loop inside a thread, warp, block or tile', overflowTests);
} else {
  describe('GPU property tests skipped', () => {
    test.skip(`needs a usable CUDA device (${cuda.reason ?? 'no CUDA device'})`, () => {});
  });
}

// Defect A (bench/NOTES.md, sessions 19 and 21): where the loop's x passes T's largest value part
// of the way through some steps and the data then decays, the loop is ±inf from there on, while a
// composed map (A, B) of those steps keeps no trace of it: a start composed across them is finite
// again. Every level that composes a start must see it: a thread's items, warps and blocks, a
// row's first tile, the look-back's tiles and groups, warp rows, aggregates and host chunks.
// The data are powers of two (a = 1 but a spike of growth then decay, b = 0 but perhaps b_1 = 1),
// so every finite x is exact and the results must be the loop's bit for bit.
function overflowTests() {
  type C = Float32ArrayConstructor | Float64ArrayConstructor;
  type F = Float32Array | Float64Array;
  // A spike: `steps` steps of a = up from step `at` (0-based, in step order), then `steps` of 1/up.
  type Spike = { what: string; at: number; up: number; steps: number; every?: number };
  const shapes = {
    float32: { C: Float32Array as C, tile: 8192, items: 32, warp: 32 * 32, slow: 2, slowSteps: 200, fast: 2 ** 16, fastSteps: 10 },
    float64: { C: Float64Array as C, tile: 4096, items: 16, warp: 32 * 16, slow: 65536, slowSteps: 80, fast: 2 ** 200, fastSteps: 6 },
  };
  type DType = keyof typeof shapes;
  const hooks = () =>
    require(addonPath() as string) as {
      _setLookBackTest?: (boundNs: number, silentTile: number, holdTile?: number, holdNs?: number, fromRowStart?: boolean) => void;
    };

  /** Rows of n steps, row r with spikes[r]; x_0 = x0, b_1 = b1, every other b 0 (scan's layout). */
  function rowsWith(C: C, n: number, spikes: Spike[], reverse: boolean, x0: number, b1: number) {
    const rows = spikes.length;
    const a = new C(rows * n).fill(1);
    const v = new C(rows * (n + 1));
    spikes.forEach(({ at, up, steps, every = 1 }, r) => {
      const step = (k: number) => r * n + (reverse ? n - 1 - k : k);
      for (let j = 0; j < steps; j++) {
        a[step(at + j * every)] = up;
        a[step(at + (steps + j) * every)] = 1 / up;
      }
      v[r * (n + 1) + (reverse ? n : 0)] = x0;
      v[r * (n + 1) + (reverse ? n - 1 : 1)] = b1;
    });
    return { a, v };
  }
  /** The first element of each row where `got` is not the loop bit for bit (-1: none). */
  function mismatches(got: F, want: F, rows: number, spikes: Spike[]) {
    return spikes.map(({ what }, r) => {
      const m = want.length / rows;
      let bad = -1;
      for (let i = 0; i < m && bad < 0; i++) if (!Object.is(got[r * m + i], want[r * m + i])) bad = i;
      return { what, bad, got: bad < 0 ? undefined : got[r * m + bad], want: bad < 0 ? undefined : want[r * m + bad] };
    });
  }
  const ok = (spikes: Spike[]) => spikes.map(({ what }) => ({ what, bad: -1, got: undefined, want: undefined }));
  const onDevice = (x: F) => (x instanceof Float64Array ? toDevice(x) : toDevice(x));
  /** scan on the device from DeviceArrays (no host chunks), and from host arrays (staged in chunks). */
  function scans(a: F, v: F, options: object): Array<{ where: string; x: F }> {
    const [da, dv] = [onDevice(a), onDevice(v)];
    try {
      const out = scan(da, dv, { device: 'cuda', ...options }) as DeviceArray;
      const x = out.toHost() as F;
      out.dispose();
      return [
        { where: 'DeviceArrays', x },
        { where: 'host arrays', x: scan(a, v, { device: 'cuda', ...options }) as F },
      ];
    } finally {
      [da, dv].forEach((d) => d.dispose());
    }
  }
  // Each spike overflows the loop: every x after the overflow is +inf.
  function expectLoop(spikes: Spike[], n: number, dtype: DType, x0: number, b1: number, reverse: boolean, run: (a: F, v: F) => Array<{ where: string; x: F }>) {
    const { a, v } = rowsWith(shapes[dtype].C, n, spikes, reverse, x0, b1);
    const want = sequential(a, v, { rows: spikes.length, reverse });
    expect(want[reverse ? 0 : n]).toBe(Infinity);
    for (const { where, x } of run(a, v))
      expect({ dtype, where, b1, reverse, rows: mismatches(x, want, spikes.length, spikes) }).toEqual({ dtype, where, b1, reverse, rows: ok(spikes) });
  }

  for (const dtype of ['float32', 'float64'] as const)
    test(`${dtype} tiles: growth then decay inside a thread's items, across a warp, a block and a tile boundary, ending at one, in tile 0 and in the last partial tile; b_1 = 0 and 1, forward and reverse`, () => {
      const { tile, items, warp, slow, slowSteps, fast, fastSteps } = shapes[dtype];
      const n = 5 * tile + 777;
      const spikes: Spike[] = [
        { what: "inside one thread's items", at: 2 * tile + 37 * items + 3, up: fast, steps: fastSteps },
        { what: 'across a warp boundary', at: tile + 3 * warp - slowSteps / 2, up: slow, steps: slowSteps },
        { what: 'across a tile boundary', at: 3 * tile - slowSteps - 7, up: slow, steps: slowSteps },
        { what: 'ending at a tile boundary', at: 2 * tile - 2 * slowSteps, up: slow, steps: slowSteps },
        { what: 'in tile 0', at: 1000, up: slow, steps: slowSteps },
        { what: 'in the last partial tile', at: 5 * tile + 100, up: slow, steps: slowSteps },
        { what: 'ending at the last thread of a tile', at: 4 * tile - 2 * fastSteps, up: fast, steps: fastSteps },
      ];
      for (const b1 of [0, 1])
        for (const reverse of [false, true]) expectLoop(spikes, n, dtype, 1, b1, reverse, (a, v) => scans(a, v, { rows: spikes.length, reverse }));
    });

  // Tiles published by the look-back compose from any |x| up to 2^110 (float32) or 2^960
  // (float64) without an overflow inside, but a start that grows tile by tile leaves that range
  // in a later tile of the group: every tile's span holds, the group's prefix does not.
  test('tiles: growth over four tiles from a large x_0 then decay over five, across a look-back group boundary, forward with the nearest anchors and reversed with chains from the row start', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const { tile } = shapes[dtype];
      const f32 = dtype === 'float32';
      const n = 40 * tile + 5;
      // 2^8 (float32) or 2^40 (float64) a tile from x_0 = 2^100 or 2^900: past T's range in the fourth
      const spikes: Spike[] = [
        { what: 'growth from tile 28', at: 28 * tile + 100, up: f32 ? 16 : 2 ** 20, steps: 8, every: tile / 2 },
        { what: 'growth from tile 3', at: 3 * tile + 1, up: f32 ? 16 : 2 ** 20, steps: 8, every: tile / 2 },
      ];
      const setLookBack = hooks()._setLookBackTest;
      for (const [fromRowStart, reverse] of setLookBack
        ? [
            [false, false],
            [true, true],
          ]
        : [
            [false, false],
            [false, true],
          ]) {
        setLookBack?.(60e9, -1, -1, 0, fromRowStart);
        try {
          expectLoop(spikes, n, dtype, f32 ? 2 ** 100 : 2 ** 900, 0, reverse, (a, v) => scans(a, v, { rows: spikes.length, reverse }).slice(0, 1));
        } finally {
          setLookBack?.(0, -1);
        }
      }
    }
  });

  test('warp rows (many short rows): growth then decay inside a lane, across lanes and segments, at the row end; float32 and float64, forward and reverse', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const { slow, slowSteps, fastSteps } = shapes[dtype];
      const f32 = dtype === 'float32';
      const lane = f32 ? 16 : 8; // a lane's steps in the warp-row kernels (segments of 32 lanes)
      const n = 2000;
      const spikes: Spike[] = [];
      for (let r = 0; r < 64; r++) {
        const fastOne = r % 2 === 0;
        const steps = fastOne ? Math.min(fastSteps, lane / 2) : slowSteps;
        const up = fastOne ? (f32 ? 2 ** 32 : 2 ** 400) : slow;
        const at = Math.min((r * 97) % (n - 2 * steps), n - 2 * steps);
        spikes.push({ what: `row ${r}`, at: fastOne ? at - (at % lane) + 1 : at, up, steps });
      }
      for (const reverse of [false, true]) expectLoop(spikes, n, dtype, 1, 1, reverse, (a, v) => scans(a, v, { rows: spikes.length, reverse }));
    }
  });

  // aggregate's B is the loop run from 0: with b_1 = 1 it overflows in the spike and stays +inf.
  // Host arrays are aggregated in chunks of 2^20 steps, folded on the host: the last spike grows
  // half-way in one chunk (its B finite there) and overflows in the next.
  test("aggregate: B is the loop's from 0 where it overflows in a spike (one tile, across tiles, warp rows, host chunks), forward and reverse", () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const { C, tile, slow, slowSteps } = shapes[dtype];
      const cases = [
        { what: 'inside a tile', rows: 2, n: 5 * tile + 77, at: 2 * tile + 300 },
        { what: 'across tiles', rows: 2, n: 5 * tile + 77, at: 3 * tile - slowSteps - 3 },
        { what: 'warp rows', rows: 64, n: 1000, at: 300 },
        { what: 'across host chunks', rows: 1, n: (1 << 20) + 3 * tile, at: (1 << 20) - slowSteps / 2 },
      ];
      for (const { what, rows, n, at } of cases)
        for (const reverse of [false, true]) {
          const spikes = Array.from({ length: rows }, (_, r) => ({ what: `${what}, row ${r}`, at: at + r, up: slow, steps: slowSteps }));
          const { a, v } = rowsWith(C, n, spikes, reverse, 0, 1);
          // aggregate's values are the steps' b (no x_0): drop each row's x_0
          const b = new C(rows * n);
          for (let r = 0; r < rows; r++) b.set(v.subarray(r * (n + 1) + (reverse ? 0 : 1), r * (n + 1) + (reverse ? n : n + 1)), r * n);
          const loop = sequential(a, v, { rows, reverse });
          const want = Array.from({ length: rows }, (_, r) => loop[r * (n + 1) + (reverse ? 0 : n)]);
          expect(want.every((x) => x === Infinity)).toBe(true);
          const [da, db] = [onDevice(a), onDevice(b)];
          try {
            const res = aggregate(da, db, { rows, reverse, device: 'cuda' });
            const fromDevice = Array.from((res.B as DeviceArray).toHost() as F);
            (res.A as DeviceArray).dispose();
            (res.B as DeviceArray).dispose();
            const fromHost = Array.from(aggregate(a, b, { rows, reverse, device: 'cuda' }).B as F);
            expect({ dtype, what, reverse, fromDevice, fromHost }).toEqual({ dtype, what, reverse, fromDevice: want, fromHost: want });
          } finally {
            [da, db].forEach((d) => d.dispose());
          }
        }
    }
  });
}
