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
  describe('CUDA direct method: an underflow of the loop or of a coefficient product inside a thread, warp, block or tile', underflowTests);
  describe('CUDA direct method: the aggregate of a row that begins with an infinite coefficient', infiniteFirstTests);
} else {
  describe('GPU property tests skipped', () => {
    test.skip(`needs a usable CUDA device (${cuda.reason ?? 'no CUDA device'})`, () => {});
  });
}

/** The look-back tests' [fromRowStart, reverse]: with the test hook (hooked), the nearest anchors
 * forward and chains from the row start reversed; without it, both directions with the anchors. */
function lookBackCases(hooked: boolean): Array<[boolean, boolean]> {
  return hooked
    ? [
        [false, false],
        [true, true],
      ]
    : [
        [false, false],
        [false, true],
      ];
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
      for (const [fromRowStart, reverse] of lookBackCases(setLookBack !== undefined)) {
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

// The mirror of the overflow above (session 22; the CPU's fix, test/10, session 21). (2) The loop's
// x underflows (to 0, or into the subnormal range where it keeps fewer bits) while the coefficient
// product stays normal, and the coefficients grow back: the loop keeps what it kept, a start
// composed across those steps kept x·A whole. (1) The loop's x stays normal, but a coefficient
// product (a thread's, or one joined across threads, warps or tiles) passes below the normal range
// and back: as computed it lost its bits (0 here, where the exact product is 1), and a start
// composed across it dropped x·A. Powers of two (but one x_0 with a bit 2^-20, or a first coefficient
// with a bit 2^-30, below its lead that the subnormal range drops), so every result is compared with
// `sequential` bit for bit.
function underflowTests() {
  type C = Float32ArrayConstructor | Float64ArrayConstructor;
  type F = Float32Array | Float64Array;
  // `steps` steps of a = 1/k from step `at` (0-based, in step order), then `steps` of k; every
  // `every`-th step. bAt: a step whose b is 1 (-1: none).
  type Dip = { what: string; at: number; k: number; steps: number; every?: number; bAt?: number; b?: number; lead?: number };
  const shapes = {
    float32: { C: Float32Array as C, tile: 8192, items: 32, warp: 32 * 32, lane: 16 },
    float64: { C: Float64Array as C, tile: 4096, items: 16, warp: 32 * 16, lane: 8 },
  };
  type DType = keyof typeof shapes;
  // (2): x_0 small, halvings take the loop's x below the normal range (the product 2^-60 or 2^-100
  // stays normal). The loop: 0 (or x_0's lead alone), a composed start x_0.
  const extinct = {
    float32: { x0: 2 ** -100, k: 2, steps: 60 },
    float64: { x0: 2 ** -1000, k: 2, steps: 100 },
  };
  // (1): x_0 large, the product goes below the normal range and back while x stays normal. float32:
  // to 2^-200 (computed: 0), x to 2^-100. float64: to (1 + 2^-30)·2^-1060, a subnormal that keeps
  // 14 bits (computed: 2^-1060), x to (1 + 2^-30)·2^-60; back in the normal range the product is
  // 1 where it is 1 + 2^-30. b = 1 (float64: 2^40) after the return, so that a start composed
  // across a lost product (A = 0, B = b) passes composable (|x|·minNormal < eps·|B|); the loop's
  // x + b is x.
  const dips = {
    float32: { x0: 2 ** 100, k: 2 ** 20, steps: 10, b: 1, lead: 1 },
    float64: { x0: 2 ** 1000, k: 2 ** 106, steps: 10, b: 2 ** 40, lead: 1 + 2 ** -30 },
  };
  const hooks = () =>
    require(addonPath() as string) as {
      _setLookBackTest?: (boundNs: number, silentTile: number, holdTile?: number, holdNs?: number, fromRowStart?: boolean) => void;
    };

  function rowsWith(C: C, n: number, rows: Dip[], reverse: boolean, x0: number) {
    const a = new C(rows.length * n).fill(1);
    const v = new C(rows.length * (n + 1));
    rows.forEach(({ at, k, steps, every = 1, bAt = -1, b = 1, lead = 1 }, r) => {
      const step = (i: number) => r * n + (reverse ? n - 1 - i : i);
      for (let j = 0; j < steps; j++) {
        a[step(at + j * every)] = 1 / k;
        a[step(at + (steps + j) * every)] = k;
      }
      a[step(at)] *= lead;
      v[r * (n + 1) + (reverse ? n : 0)] = x0;
      if (bAt >= 0) v[r * (n + 1) + (reverse ? n - 1 - bAt : bAt + 1)] = b;
    });
    return { a, v };
  }
  /** The first element of each row where `got` is not the loop bit for bit (-1: none). */
  function mismatches(got: F, want: F, rows: Dip[]) {
    const m = want.length / rows.length;
    return rows.map(({ what }, r) => {
      let bad = -1;
      for (let i = 0; i < m && bad < 0; i++) if (!Object.is(got[r * m + i], want[r * m + i])) bad = i;
      return { what, bad, got: bad < 0 ? undefined : got[r * m + bad], want: bad < 0 ? undefined : want[r * m + bad] };
    });
  }
  const ok = (rows: Dip[]) => rows.map(({ what }) => ({ what, bad: -1, got: undefined, want: undefined }));
  const onDevice = (x: F) => (x instanceof Float64Array ? toDevice(x) : toDevice(x));
  /** scan on the device from DeviceArrays (no host chunks), and from host arrays (staged in chunks). */
  function scans(a: F, v: F, options: object, hostToo = true): Array<{ where: string; x: F }> {
    const [da, dv] = [onDevice(a), onDevice(v)];
    try {
      const out = scan(da, dv, { device: 'cuda', ...options }) as DeviceArray;
      const x = out.toHost() as F;
      out.dispose();
      const all = [{ where: 'DeviceArrays', x }];
      if (hostToo) all.push({ where: 'host arrays', x: scan(a, v, { device: 'cuda', ...options }) as F });
      return all;
    } finally {
      [da, dv].forEach((d) => d.dispose());
    }
  }
  function expectLoop(dtype: DType, n: number, rows: Dip[], x0: number, reverse: boolean, hostToo = true) {
    const { a, v } = rowsWith(shapes[dtype].C, n, rows, reverse, x0);
    const want = sequential(a, v, { rows: rows.length, reverse });
    for (const { where, x } of scans(a, v, { rows: rows.length, reverse }, hostToo))
      expect({ dtype, where, reverse, rows: mismatches(x, want, rows) }).toEqual({ dtype, where, reverse, rows: ok(rows) });
    return want;
  }
  /** Dips at every level of the tile kernel: inside a thread, across threads, warps and tiles.
   * inside: k and steps of a dip that fits in one thread's items. */
  function tileRows(dtype: DType, k: number, steps: number, withB: boolean, inside: { k: number; steps: number }): Dip[] {
    const { tile, items, warp } = shapes[dtype];
    const row = (what: string, at: number, kk = k, s = steps): Dip => ({
      what,
      at,
      k: kk,
      steps: s,
      bAt: withB ? at + 2 * s + 5 : -1,
      b: dips[dtype].b,
      lead: withB ? dips[dtype].lead : 1,
    });
    return [
      row("inside one thread's items", 2 * tile + 37 * items + 1, inside.k, inside.steps),
      row('across threads', tile + 5 * items - steps),
      row('across a warp boundary', tile + 3 * warp - steps),
      row('across a tile boundary', 3 * tile - steps - 7),
      row('ending at a tile boundary', 2 * tile - 2 * steps),
      row('in tile 0', 1000),
      row('in the last partial tile', 5 * tile + 100),
    ];
  }
  // dips inside one thread's items (32 float32, 16 float64): 2^-156 and 2^-1077 for the loop's x,
  // products 2^-200 (computed: 0) and (1 + 2^-30)·2^-1060 while x stays normal
  const insideExtinct = { float32: { k: 2 ** 4, steps: 14 }, float64: { k: 2 ** 11, steps: 7 } };
  const insideDip = { float32: { k: 2 ** 20, steps: 10 }, float64: { k: 2 ** 212, steps: 5 } };

  for (const dtype of ['float32', 'float64'] as const)
    test(`${dtype} tiles: the loop's x underflows and the coefficients grow back, inside a thread's items, across threads, warps and tiles, in tile 0 and the last partial tile; forward and reverse`, () => {
      const { tile } = shapes[dtype];
      const { x0, k, steps } = extinct[dtype];
      const n = 5 * tile + 777;
      const rows = tileRows(dtype, k, steps, false, insideExtinct[dtype]);
      for (const reverse of [false, true]) {
        const want = expectLoop(dtype, n, rows, x0, reverse);
        expect(want[reverse ? 0 : n]).toBe(0);
      }
      // a subnormal x keeps fewer bits: x_0 = (1 + 2^-20)·2^-100 (float32) goes to 2^-140 and back
      // as 2^-100 (its low bit dropped)
      if (dtype === 'float32') {
        const low = [{ what: 'subnormal across a warp boundary', at: tile + 3 * shapes[dtype].warp - 20, k: 2, steps: 40 }];
        for (const reverse of [false, true]) {
          const want = expectLoop(dtype, n, low, (1 + 2 ** -20) * x0, reverse);
          expect(want[reverse ? 0 : n]).toBe(x0);
        }
      }
    });

  for (const dtype of ['float32', 'float64'] as const)
    test(`${dtype} tiles: a coefficient product below the normal range and back while the loop's x stays normal, inside a thread's items, across threads, warps and tiles; forward and reverse`, () => {
      const { tile } = shapes[dtype];
      const { x0, k, steps } = dips[dtype];
      const n = 5 * tile + 777;
      const rows = tileRows(dtype, k, steps, true, insideDip[dtype]);
      for (const reverse of [false, true]) {
        const want = expectLoop(dtype, n, rows, x0, reverse);
        expect(want[reverse ? 0 : n]).toBe(x0 * dips[dtype].lead);
      }
    });

  // Tiles 1.. of a row compose from their group's anchor through the published aggregates (and
  // later groups through a group's total G): the dip spread over tiles, inside a group and across
  // a group's end (tile 32), nearest anchors and (test hook) chains from the row start.
  test('tiles: an underflow of the loop or of the product spread over several tiles, inside a look-back group and across its end', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const { tile } = shapes[dtype];
      const n = 40 * tile + 5;
      const cases = [
        { x0: extinct[dtype].x0, k: 2, steps: extinct[dtype].steps, withB: false },
        { x0: dips[dtype].x0, k: dips[dtype].k, steps: dips[dtype].steps, withB: true },
      ];
      const setLookBack = hooks()._setLookBackTest;
      for (const { x0, k, steps, withB } of cases) {
        const every = Math.floor((3 * tile) / (2 * steps)); // the dip over three tiles
        const rows: Dip[] = [
          { what: 'inside group 0', at: 3 * tile + 100, k, steps, every },
          { what: 'across the end of group 0 (tile 32)', at: 31 * tile + 100, k, steps, every },
        ].map((d) => ({ ...d, bAt: withB ? d.at + 2 * steps * every + 3 : -1, b: dips[dtype].b, lead: withB ? dips[dtype].lead : 1 }));
        for (const [fromRowStart, reverse] of lookBackCases(setLookBack !== undefined)) {
          setLookBack?.(60e9, -1, -1, 0, fromRowStart);
          try {
            expectLoop(dtype, n, rows, x0, reverse, false);
          } finally {
            setLookBack?.(0, -1);
          }
        }
      }
    }
  });

  test('warp rows (many short rows): an underflow of the loop or of the product inside a lane, across lanes and segments; float32 and float64, forward and reverse', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const { lane } = shapes[dtype];
      const n = 2000;
      const cases = [
        { x0: extinct[dtype].x0, k: 2, steps: extinct[dtype].steps, withB: false },
        { x0: dips[dtype].x0, k: dips[dtype].k, steps: dips[dtype].steps, withB: true },
      ];
      for (const { x0, k, steps, withB } of cases) {
        const rows: Dip[] = [];
        for (let r = 0; r < 64; r++) {
          // even rows: the dip as fast as it goes (a lane's steps where it fits), odd rows: spread
          const every = r % 2 === 0 ? 1 : 1 + (r % 7);
          const at = (r * 97) % (n - 2 * steps * every - 10);
          rows.push({
            what: `row ${r}`,
            at: r % 4 === 0 ? at - (at % lane) : at,
            k,
            steps,
            every,
            bAt: withB ? at + 2 * steps * every + 2 : -1,
            b: dips[dtype].b,
            lead: withB ? dips[dtype].lead : 1,
          });
        }
        for (const reverse of [false, true]) expectLoop(dtype, n, rows, x0, reverse);
      }
    }
  });

  // aggregate's B is the loop from 0: its first b enters as x_0 does in the scans above.
  test("aggregate: B is the loop's from 0 after an underflow of its chain or of the product (one tile, across tiles, warp rows), forward and reverse", () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const { C, tile, warp } = shapes[dtype];
      const cases = [
        { what: 'inside a tile', rows: 2, n: 5 * tile + 77, at: 2 * tile + 3 * warp - 40 },
        { what: 'across tiles', rows: 2, n: 5 * tile + 77, at: 3 * tile - 50 },
        { what: 'warp rows', rows: 64, n: 1000, at: 300 },
      ];
      for (const kind of ['extinct', 'dip'] as const)
        for (const { what, rows, n, at } of cases)
          for (const reverse of [false, true]) {
            const { x0, k, steps } = kind === 'extinct' ? extinct[dtype] : dips[dtype];
            const list = Array.from({ length: rows }, (_, r) => ({
              what: `${kind} ${what}, row ${r}`,
              at: at + r,
              k,
              steps,
              bAt: kind === 'dip' ? at + r + 2 * steps + 3 : -1,
              b: dips[dtype].b,
              lead: kind === 'dip' ? dips[dtype].lead : 1,
            }));
            const { a, v } = rowsWith(C, n, list, reverse, 0);
            // b_1 = x_0: the chain from 0 is the scan's loop from x_0 (a_1 = 1)
            const b = new C(rows * n);
            for (let r = 0; r < rows; r++) {
              b.set(v.subarray(r * (n + 1) + (reverse ? 0 : 1), r * (n + 1) + (reverse ? n : n + 1)), r * n);
              b[r * n + (reverse ? n - 1 : 0)] = x0;
              v[r * (n + 1) + (reverse ? n - 1 : 1)] = x0;
            }
            const loop = sequential(a, v, { rows, reverse });
            const want = Array.from({ length: rows }, (_, r) => loop[r * (n + 1) + (reverse ? 0 : n)]);
            expect(want[0]).toBe(kind === 'extinct' ? 0 : x0 * dips[dtype].lead);
            const [da, db] = [onDevice(a), onDevice(b)];
            try {
              const res = aggregate(da, db, { rows, reverse, device: 'cuda' });
              const fromDevice = Array.from((res.B as DeviceArray).toHost() as F);
              (res.A as DeviceArray).dispose();
              (res.B as DeviceArray).dispose();
              const fromHost = Array.from(aggregate(a, b, { rows, reverse, device: 'cuda' }).B as F);
              expect({ dtype, kind, what, reverse, fromDevice, fromHost }).toEqual({ dtype, kind, what, reverse, fromDevice: want, fromHost: want });
            } finally {
              [da, db].forEach((d) => d.dispose());
            }
          }
    }
  });
}

// Review 22, D3 (the CPU's fix and test/13, session 22; the device's, session 23): a row that
// begins with an infinite coefficient. start keeps that step's b (the map inf·x + b); a later zero
// was taken as a restart (A = 0, B finite, where the loop is NaN for every x_start), and lane or
// tile products that underflow (0.5^3000 is 0 in float32) turned A = inf into 0 (x_end = B, finite,
// where the loop is ±inf). Every level that composes: warp rows, tiles (their fold and the rows
// composed again), host chunks folded on the host.
function infiniteFirstTests() {
  type C = Float32ArrayConstructor | Float64ArrayConstructor;
  type F = Float32Array | Float64Array;
  // items: a thread's steps in the tile kernels; lane: in the warp-row kernels
  const shapes = {
    float32: { C: Float32Array as C, tile: 8192, items: 32, lane: 16 },
    float64: { C: Float64Array as C, tile: 4096, items: 16, lane: 8 },
  };
  const chunk = 1 << 20; // host arrays are aggregated in chunks of 2^20 steps, folded on the host
  const onDevice = (x: F) => (x instanceof Float64Array ? toDevice(x) : toDevice(x));
  for (const dtype of ['float32', 'float64'] as const)
    test(`${dtype}: x_end = A·x_start + B is the loop's, with a zero coefficient nowhere or at a lane, thread, warp, tile or host-chunk boundary; device and host arrays, forward and reverse`, () => {
      const { C, tile, items, lane } = shapes[dtype];
      const warp = 32 * items;
      const wrong: object[] = []; // every row whose A·x_start + B is not the loop's x_end
      // warp rows (2, 10, float32 3000), tiles (float64 3000, 30000), and two host chunks (host
      // arrays only: DeviceArrays take no chunks, and the emulation composes a row in order slowly)
      for (const m of [2, 10, 3000, 30_000, chunk + 3 * tile + 5]) {
        const chunks = m > chunk;
        // one row each: the scan step of its zero coefficient (-1: none)
        const zeros = chunks ? [-1, chunk - 1, chunk] : [...new Set([-1, 1, lane, items, warp, tile - 1, tile, m >> 1, m - 1])].filter((z) => z < m);
        const rows = zeros.length;
        for (const reverse of [false, true]) {
          const a = new C(rows * m).fill(0.5);
          const b = new C(rows * m).fill(1);
          zeros.forEach((zero, r) => {
            const step = (i: number) => r * m + (reverse ? m - 1 - i : i); // index of scan step i
            a[step(0)] = Infinity;
            if (zero > 0) a[step(zero)] = 0;
          });
          const got: Array<{ where: string; A: F; B: F }> = [];
          if (!chunks) {
            const [da, db] = [onDevice(a), onDevice(b)];
            try {
              const res = aggregate(da, db, { rows, reverse, device: 'cuda' });
              got.push({ where: 'DeviceArrays', A: (res.A as DeviceArray).toHost() as F, B: (res.B as DeviceArray).toHost() as F });
              (res.A as DeviceArray).dispose();
              (res.B as DeviceArray).dispose();
            } finally {
              [da, db].forEach((d) => d.dispose());
            }
          }
          const fromHost = aggregate(a, b, { rows, reverse, device: 'cuda' });
          got.push({ where: 'host arrays', A: fromHost.A as F, B: fromHost.B as F });
          for (const x0 of [1, -3]) {
            const v = new C(rows * (m + 1));
            for (let r = 0; r < rows; r++) {
              v.set(b.subarray(r * m, (r + 1) * m), r * (m + 1) + (reverse ? 0 : 1));
              v[r * (m + 1) + (reverse ? m : 0)] = x0;
            }
            const loop = sequential(a, v, { rows, reverse });
            for (const { where, A, B } of got)
              zeros.forEach((zero, r) => {
                const want = loop[r * (m + 1) + (reverse ? 0 : m)];
                if (!Object.is(A[r] * x0 + B[r], want)) wrong.push({ m, reverse, zero, where, x0, A: A[r], B: B[r], want });
              });
          }
        }
      }
      expect(wrong).toEqual([]);
    });
}
