// The CUDA engine's use of the runtime: copies and kernels ordered on one stream, faults while
// other calls are in flight, bounded look-back waits. These need asynchronous
// streams to mean anything: on a GPU, or on the CPU emulation (npm run test:emulated), whose
// streams run on worker threads with random delays. Skipped, visibly, without CUDA.
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';
import { aggregate, backends, DeviceArray, scan, scanAsync, toDevice } from '../src';
import { addonPath } from '../src/addon';
import { buildDriver, faultChild, fresh, hostCxx, mixedError, reference, seedNote, signedProblem } from './helpers';

const cuda = backends().cuda;
const why = cuda.compiled ? (cuda.reason ?? 'no CUDA device') : 'this build has no CUDA backend';
const gpuDescribe = cuda.available ? describe : describe.skip;
if (!cuda.available) console.warn(`test/23.cuda-runtime.test.ts: SKIPPED, no usable GPU (${why})`);
const emulated = cuda.devices.some((d) => /emulation/i.test(d.name));

type Hooks = {
  _injectCudaFault?: (device?: number) => void;
  _setLookBackTest?: (boundNs: number, silentTile: number, holdTile?: number, holdNs?: number) => void;
  _lookBackStats?: () => { lookBacks: number; deep: number; deepest: number; unfenced: number; rowsStartedBy: number };
  _setEmulatedEnv?: (name: string, value?: string) => void;
};
const hooks = (): Hooks => (cuda.available ? (require(addonPath() as string) as Hooks) : {});
const faultTest = hooks()._injectCudaFault ? test : test.skip;
if (cuda.available && !hooks()._injectCudaFault)
  console.warn('test/23.cuda-runtime.test.ts: the fault tests need a build with -DLINREC_TEST_HOOKS=ON (npm run test:emulated has it)');

function randomProblem(n: number) {
  const r = fresh();
  const coeffs = new Float32Array(n).map(() => (r.uniform() * 2 - 1) * 0.95);
  const values = new Float32Array(n + 1).map(() => r.uniform() * 2 - 1);
  return { coeffs, values };
}

gpuDescribe(`CUDA runtime use ${cuda.available ? seedNote() : ''}`, () => {
  // Item 1 of issue 11: an upload on the legacy stream raced the scan on the engine's stream.
  test('uploads and downloads are ordered with the scan: 200 fresh uploads, each scanned at once, are all right', () => {
    const n = 5_000; // two float32 tiles: the look-back runs too
    let worst = 0;
    for (let k = 0; k < (emulated ? 200 : 500); k++) {
      const { coeffs, values } = randomProblem(n);
      const a = toDevice(coeffs);
      const b = toDevice(values);
      const out = scan(a, b, { device: 'cuda' }) as DeviceArray;
      const got = out.toHost() as Float32Array;
      [a, b, out].forEach((d) => d.dispose());
      worst = Math.max(worst, mixedError(got, reference(coeffs, values)));
    }
    expect(worst).toBeLessThan(1e-4);
  }, 600_000);

  // On a GPU, the race probe of issue 11: 500 uploads poisoned with NaN right after toDevice.
  test('an upload of a host array that changes right after toDevice returns keeps the array as it was', () => {
    const { coeffs, values } = randomProblem(3_000);
    const ref = reference(coeffs, values);
    for (let k = 0; k < (emulated ? 20 : 500); k++) {
      const v = values.slice();
      const b = toDevice(v);
      v.fill(NaN);
      const a = toDevice(coeffs);
      const out = scan(a, b, { device: 'cuda' }) as DeviceArray;
      const got = out.toHost() as Float32Array;
      [a, b, out].forEach((d) => d.dispose());
      expect(mixedError(got, ref)).toBeLessThan(1e-4);
    }
  });
});

gpuDescribe(`CUDA faults with calls in flight ${cuda.available ? seedNote() : ''}`, () => {
  // Item 4 of issue 11: every call on a device holds the device's lock, and a fault makes the
  // device refuse every later call of the process (a process cannot recover a poisoned context:
  // on an H200, cudaDeviceReset left every new context "busy or unavailable"). In a process of its
  // own (test/cuda-fault.child.js), since the fault is for good.
  faultTest(
    'a fault among 8 queued scanAsync calls and host-thread copies: one error says what was lost, every later call is refused, nothing runs on lost memory, and auto runs on the CPU',
    () => {
      const seen = faultChild('queued') as {
        statuses: string[];
        errors: { code?: string; message?: string }[];
        fulfilledOutputs: { code?: string; message?: string }[];
        hostScan: { code?: string; message?: string };
        fault?: string;
        autoError: number;
      };
      // Calls run one at a time on the device: those before the fault succeeded, none after it.
      expect(seen.statuses.join(' ')).toMatch(/^(fulfilled ?)*(rejected ?)*$/);
      expect(seen.errors.length).toBeGreaterThanOrEqual(1);
      for (const e of seen.errors) expect(e.code).toBe('ERR_LINREC_CUDA');
      const first = seen.errors.filter((e) => /the fault poisoned its CUDA context/.test(e.message ?? ''));
      expect(first.length).toBe(1);
      expect(first[0].message).toMatch(/cuda:0 is unusable for the rest of this process[^]*its \d+ DeviceArrays \(.* MiB\) are lost/);
      for (const e of seen.errors.filter((e) => e !== first[0]))
        expect(e.message).toMatch(/unusable for the rest of this process since a fault|lost when a fault made cuda:0 unusable/);
      // Outputs of the calls before the fault were lost with the device too.
      for (const out of seen.fulfilledOutputs) expect(out.message).toMatch(/lost when a fault made cuda:0 unusable/);
      expect(seen.hostScan.code).toBe('ERR_LINREC_CUDA');
      expect(typeof seen.fault).toBe('string');
      expect(seen.autoError).toBeLessThan(1e-4);
    },
    600_000,
  );
});

gpuDescribe(`CUDA look-back waits are bounded ${cuda.available ? seedNote() : ''}`, () => {
  // Item 5 of issue 11: a tile whose predecessor never publishes gives up after the bound
  // instead of spinning for ever; the call is ERR_LINREC_CUDA and the device stays usable, its
  // DeviceArrays too (a trap would poison the context for the rest of the process).
  const lookBackTest = cuda.available && hooks()._setLookBackTest ? test : test.skip;
  afterEach(() => hooks()._setLookBackTest?.(0, -1));

  lookBackTest(
    'a predecessor that never publishes: the waiting tile gives up after the bound, the call is ERR_LINREC_CUDA, and the next scan of the same DeviceArrays is right',
    async () => {
      const set = hooks()._setLookBackTest as (boundNs: number, silentTile: number) => void;
      const { coeffs, values } = randomProblem(100_003); // 25 float32 tiles
      const ref = reference(coeffs, values);
      for (const silent of [0, 1, 7]) {
        set(50e6, silent); // 50 ms
        const [a, b] = [toDevice(coeffs), toDevice(values)];
        const started = Date.now();
        await expect(scanAsync(a, b, { device: 'cuda' })).rejects.toMatchObject({
          code: 'ERR_LINREC_CUDA',
          message: expect.stringMatching(/waited longer than 0.05 s for the tile before it[^]*cuda:0 remains usable/),
        });
        expect(Date.now() - started).toBeLessThan(60_000);
        set(0, -1);
        const out = scan(a, b, { device: 'cuda' }) as DeviceArray;
        expect(mixedError(out.toHost() as Float32Array, ref)).toBeLessThan(1e-4);
        expect(backends().cuda.devices[0].fault).toBeUndefined();
        [a, b, out].forEach((d) => d.dispose());
      }
    },
    600_000,
  );
});

gpuDescribe(`CUDA look-back depth and ticket order ${cuda.available ? seedNote() : ''}`, () => {
  // Item 2 of issue 11: the look-back has no window cap. On the emulation, 160 blocks in flight
  // and tile 1 holding back its publish until the 150 tiles after it have published their
  // aggregates (an event, not a time: as deep on a loaded machine as on a quiet one). A tile
  // looks back right after its own publish, so tiles 130-151 each find no X nearer than tile 0's
  // (their anchors wait on tile 1): windows of 129-150 tiles.
  const deepTest = emulated && hooks()._lookBackStats ? test : test.skip;
  afterEach(() => hooks()._setLookBackTest?.(0, -1));

  deepTest(
    'windows of more than 128 pending predecessors happen and the results are right, bitwise the same as without them',
    () => {
      const h = hooks();
      const n = 200 * 8192 + 5; // 201 float32 tiles (8192 steps each) in one row
      const { coeffs, values } = randomProblem(n);
      const ref = reference(coeffs, values);
      // Device arrays: host arrays would be staged in chunks of fewer tiles.
      const [a, b] = [toDevice(coeffs), toDevice(values)];
      // The emulation reads its knobs from the process's environment (jest's process.env is a copy).
      h._setEmulatedEnv!('LINREC_EMULATED_BLOCKS_IN_FLIGHT', '160');
      try {
        // 160 threads spinning on a busy machine: generous bounds. The hold's (120 s) is shorter
        // than the look-back's (200 s) and the emulation's spin limit (300 s): a hold that reaches
        // it fails the call (ERR_LINREC_CUDA, and the emulation says so on stderr).
        h._setLookBackTest!(200e9, -1);
        const plain = (scan(a, b, { device: 'cuda' }) as DeviceArray).toHost() as Float32Array;
        h._setEmulatedEnv!('LINREC_EMULATED_HOLD_FOR_TILES', '150');
        h._lookBackStats!();
        h._setLookBackTest!(200e9, -1, 1, 120e9);
        const held = (scan(a, b, { device: 'cuda' }) as DeviceArray).toHost() as Float32Array;
        const stats = h._lookBackStats!();
        expect(mixedError(held, ref)).toBeLessThan(1e-4);
        expect(Buffer.compare(Buffer.from(held.buffer), Buffer.from(plain.buffer))).toBe(0);
        expect(stats.deep).toBeGreaterThan(0);
        expect(stats.deepest).toBeGreaterThan(128);
      } finally {
        h._setEmulatedEnv!('LINREC_EMULATED_BLOCKS_IN_FLIGHT');
        h._setEmulatedEnv!('LINREC_EMULATED_HOLD_FOR_TILES');
        [a, b].forEach((d) => d.dispose());
      }
    },
    600_000,
  );

  // Item 6: tickets go round the rows, so many rows' chains are in flight at once.
  test('many long rows: 24 rows of 9 tiles are right and bitwise the same run to run', () => {
    const rows = 24,
      n = 9 * 8192 - 3; // float32 tiles of 8192 steps
    const r = fresh();
    const coeffs = new Float32Array(rows * n).map(() => (r.uniform() * 2 - 1) * 0.95);
    const values = new Float32Array(rows * (n + 1)).map(() => r.uniform() * 2 - 1);
    const ref = reference(coeffs, values, rows);
    const setEnv = hooks()._setEmulatedEnv;
    if (emulated) setEnv?.('LINREC_EMULATED_BLOCKS_IN_FLIGHT', '48');
    const [a, b] = [toDevice(coeffs), toDevice(values)];
    try {
      hooks()._lookBackStats?.();
      const runs = [0, 1].map(() => (scan(a, b, { rows, device: 'cuda' }) as DeviceArray).toHost() as Float32Array);
      // Every row's first tile within the first `rows` tickets (row after row, as at be20c11, the
      // last row's first tile would take ticket 23·9 = 207: rowsStartedBy 208).
      if (emulated) expect(hooks()._lookBackStats!().rowsStartedBy).toBe(rows);
      expect(mixedError(runs[0], ref)).toBeLessThan(1e-4);
      expect(Buffer.compare(Buffer.from(runs[1].buffer), Buffer.from(runs[0].buffer))).toBe(0);
    } finally {
      if (emulated) setEnv?.('LINREC_EMULATED_BLOCKS_IN_FLIGHT');
      [a, b].forEach((d) => d.dispose());
    }
  }, 600_000);
});

gpuDescribe(`CUDA look-back: the group-aggregate chain ${cuda.available ? seedNote() : ''}`, () => {
  // Each group of 32 tiles publishes its aggregate G (the fixed tree's total, by the group's last
  // tile, before it waits), and a tile crosses the groups between the nearest published anchor
  // and its own in order, one apply each: X of an anchor is apply(X of the anchor before, G). The
  // emulation's knobs make the chains long and the arrival order random: the results must be
  // right and bitwise the same as with the shortest chains.
  type LookBackHooks = Required<Pick<Hooks, '_setLookBackTest' | '_lookBackStats' | '_setEmulatedEnv'>> & {
    _setLookBackTest: (boundNs: number, silentTile: number, holdTile?: number, holdNs?: number, fromRowStart?: boolean) => void;
  };
  const chainTest = emulated && hooks()._lookBackStats ? test : test.skip;
  const knobs = (h: LookBackHooks, blocks: number, jitter: number) => {
    h._setEmulatedEnv('LINREC_EMULATED_BLOCKS_IN_FLIGHT', String(blocks));
    h._setEmulatedEnv('LINREC_EMULATED_JITTER_PERCENT', String(jitter));
  };
  afterEach(() => {
    const h = hooks();
    h._setLookBackTest?.(0, -1);
    h._setEmulatedEnv?.('LINREC_EMULATED_BLOCKS_IN_FLIGHT');
    h._setEmulatedEnv?.('LINREC_EMULATED_JITTER_PERCENT');
  });

  // Scans device copies of a and b (host arrays would be staged in chunks of fewer tiles), once per
  // setting of the hooks; returns the results as bytes.
  function scanEach(a: Float32Array | Float64Array, b: Float32Array | Float64Array, options: object, settings: (() => void)[]) {
    const upload = (x: Float32Array | Float64Array) => (x instanceof Float64Array ? toDevice(x) : toDevice(x));
    const [da, db] = [upload(a), upload(b)];
    try {
      return settings.map((set) => {
        set();
        const out = scan(da, db, { device: 'cuda', ...options }) as DeviceArray;
        const host = out.toHost() as Float32Array | Float64Array;
        out.dispose();
        return host;
      });
    } finally {
      [da, db].forEach((d) => d.dispose());
    }
  }
  const same = (x: Float32Array | Float64Array, y: Float32Array | Float64Array) => Buffer.compare(Buffer.from(x.buffer), Buffer.from(y.buffer)) === 0;

  chainTest(
    'chains of more than 32 groups (every tile chains from the row start): float64 direct and float32 log, right and bitwise the same as from the nearest anchors',
    () => {
      const h = hooks() as LookBackHooks;
      for (const { C, tile, method, tolerance } of [
        { C: Float64Array, tile: 4096, method: 'direct', tolerance: 1e-10 },
        { C: Float32Array, tile: 8192, method: 'log', tolerance: 1e-4 },
      ]) {
        const n = 1100 * tile - 17; // 1100 tiles in one row: 34 whole groups, windows of 32 groups and more
        const { a, v } = signedProblem(C, 1, n, fresh().uniform);
        const ref = reference(a, v);
        knobs(h, 24, 2);
        const [plain, fromStart] = scanEach(a, v, { method }, [
          () => h._setLookBackTest(60e9, -1),
          () => {
            h._lookBackStats();
            h._setLookBackTest(60e9, -1, -1, 0, true);
          },
        ]);
        const stats = h._lookBackStats();
        expect({ method, deepest: stats.deepest }).toEqual({ method, deepest: 1098 }); // tile 1099 from tile 0
        expect({ method, error: mixedError(fromStart, ref) < tolerance }).toEqual({ method, error: true });
        expect({ method, same: same(fromStart, plain) }).toEqual({ method, same: true });
      }
    },
    600_000,
  );

  chainTest(
    "a group's aggregate published late (its last tile holds back 2 s): the tiles after it wait for it, and the results are bitwise the same",
    () => {
      const h = hooks() as LookBackHooks;
      const n = 200 * 8192 + 5; // 201 float32 tiles in one row
      const { a, v } = signedProblem(Float32Array, 1, n, fresh().uniform);
      const ref = reference(a, v);
      knobs(h, 120, 0);
      const runs = scanEach(a, v, {}, [
        () => h._setLookBackTest(60e9, -1),
        () => h._setLookBackTest(60e9, -1, 32, 2e9), // the last tile of group 0 (tiles 1-32)
        () => h._setLookBackTest(60e9, -1, 96, 2e9), // of group 2 (tiles 65-96)
      ]);
      for (const run of runs) expect(mixedError(run, ref)).toBeLessThan(1e-4);
      expect([same(runs[1], runs[0]), same(runs[2], runs[0])]).toEqual([true, true]);
    },
    600_000,
  );

  // Float64 payloads sit behind a status word: a look-back reads them after one fence that
  // follows every status it has seen (session 10). The emulation shows a payload to a thread only
  // if the thread has acquired since the payload's publication (else poison, counted in
  // `unfenced`), so a payload read before its status is seen, or seen but not fenced, shows here.
  chainTest(
    'float64 payloads behind status words (the log method: every item) are read only after their status is seen and fenced, with late predecessors and chains from the row start; a give-up that reads an unpublished payload is counted; direct float64 aggregates come with their status (no fenced read)',
    async () => {
      const h = hooks() as LookBackHooks;
      for (const { method, tile, tolerance } of [
        { method: 'direct' as const, tile: 4096, tolerance: 1e-10 },
        { method: 'log' as const, tile: 1024, tolerance: 1e-8 },
      ]) {
        const n = 70 * tile - 9; // 70 tiles in one row: two whole groups and a part
        const { a, v } = signedProblem(Float64Array, 1, n, fresh().uniform) as { a: Float64Array; v: Float64Array };
        const ref = reference(a, v);
        knobs(h, 48, 2);
        const [da, db] = [toDevice(a), toDevice(v)];
        try {
          const runs: Float64Array[] = [],
            unfenced: number[] = [];
          for (const set of [
            () => h._setLookBackTest(60e9, -1),
            () => h._setLookBackTest(60e9, -1, 5, 5e8), // tile 5 publishes after 0.5 s: tiles 6-32 spin on its status
            () => h._setLookBackTest(60e9, -1, 32, 5e8), // the last tile of group 0: later tiles see tile 0's X before G_0
            () => h._setLookBackTest(60e9, -1, -1, 0, true), // every tile chains the G's from tile 0
          ]) {
            set();
            h._lookBackStats();
            const out = scan(da, db, { device: 'cuda', method }) as DeviceArray;
            runs.push(out.toHost() as Float64Array);
            out.dispose();
            unfenced.push(h._lookBackStats().unfenced);
          }
          expect({ method, unfenced }).toEqual({ method, unfenced: [0, 0, 0, 0] });
          expect({ method, errors: runs.map((r) => mixedError(r, ref) < tolerance) }).toEqual({ method, errors: [true, true, true, true] });
          expect({ method, same: runs.map((r) => same(r, runs[0])) }).toEqual({ method, same: [true, true, true, true] });
          // The check itself: tile 7 never publishes, tiles 8-32 give up waiting for its aggregate
          // and read its payload (their results are discarded): those reads are counted. The
          // direct method's float64 aggregates and G's are one 16-byte word with their status
          // (WordCodec<AffinePair<double>>, session 14): no payload is read apart from its status.
          h._setLookBackTest(50e6, 7);
          h._lookBackStats();
          await expect(scanAsync(da, db, { device: 'cuda', method })).rejects.toMatchObject({ code: 'ERR_LINREC_CUDA' });
          expect({ method, unfenced: h._lookBackStats().unfenced > 0 }).toEqual({ method, unfenced: method === 'log' });
        } finally {
          [da, db].forEach((d) => d.dispose());
        }
      }
    },
    600_000,
  );

  chainTest(
    'batched rows: rows shorter than a group, of one group and a tile or two, and of a group and a half (group slots of consecutive rows side by side), random arrival: right and bitwise the same from the row start',
    () => {
      const h = hooks() as LookBackHooks;
      for (const { rows, tiles } of [
        { rows: 3, tiles: 20 },
        { rows: 3, tiles: 33 },
        { rows: 3, tiles: 34 },
        { rows: 5, tiles: 45 },
      ]) {
        const n = tiles * 8192 - 100;
        const { a, v } = signedProblem(Float32Array, rows, n, fresh().uniform);
        const ref = reference(a, v, rows);
        knobs(h, 48, 2);
        const runs = scanEach(a, v, { rows }, [() => h._setLookBackTest(60e9, -1), () => h._setLookBackTest(60e9, -1, -1, 0, true)]);
        expect({ rows, tiles, error: mixedError(runs[1], ref, 0) < 1e-4 }).toEqual({ rows, tiles, error: true });
        expect({ rows, tiles, same: same(runs[1], runs[0]) }).toEqual({ rows, tiles, same: true });
      }
    },
    600_000,
  );
});

if (!cuda.available) {
  describe(`CUDA runtime tests skipped: ${why}`, () => {
    test.skip('needs a usable CUDA device (or the emulation)', () => {});
  });
}

// Issue 11, the emulation's strictness (native/cuda/emulation): blocks start in a seeded random
// order (LINREC_EMULATED_SEED replays one), and a download into pinned host memory reaches the
// host bytes only when the host synchronizes with it. On a GPU these are plain checks.
gpuDescribe(`CUDA emulation strictness ${cuda.available ? seedNote() : ''}`, () => {
  // A kernel that took its tile from blockIdx rather than its ticket waits on a tile whose block
  // has not started (the blocks in flight all wait): the look-back gives up after 10 s.
  test('a row of 25 tiles is right whatever order its blocks start in (a tile comes from its ticket)', () => {
    for (let k = 0; k < 4; k++) {
      const { coeffs, values } = randomProblem(100_003); // 25 float32 tiles
      const [a, b] = [toDevice(coeffs), toDevice(values)];
      const out = scan(a, b, { device: 'cuda' }) as DeviceArray;
      const got = out.toHost() as Float32Array;
      [a, b, out].forEach((d) => d.dispose());
      expect({ k, error: mixedError(got, reference(coeffs, values)) < 1e-4 }).toEqual({ k, error: true });
    }
  }, 600_000);

  // The staged pipeline downloads each chunk into a slot's pinned buffer and reads it after the
  // slot's event: a read before that synchronization finds the buffer as it was.
  test('host arrays: each staged chunk is read only after its download is synchronized (scan and aggregate, fresh inputs each call)', () => {
    for (let k = 0; k < 6; k++) {
      const rows = 1 + (k % 3);
      const n = 2_000 + 997 * k;
      const r = fresh();
      const a = new Float32Array(rows * n).map(() => (r.uniform() * 2 - 1) * 0.95);
      const v = new Float32Array(rows * (n + 1)).map(() => r.uniform() * 2 - 1);
      const got = scan(a, v, { rows, device: 'cuda' }) as Float32Array;
      expect({ k, error: mixedError(got, reference(a, v, rows)) < 1e-4 }).toEqual({ k, error: true });
      const bOnly = v.subarray(0, rows * n);
      const agg = aggregate(a, bOnly, { rows, device: 'cuda' });
      const cpu = aggregate(a, bOnly, { rows, device: 'cpu' });
      expect({ k, A: mixedError(agg.A as Float32Array, cpu.A as Float32Array) < 1e-4 }).toEqual({ k, A: true });
      expect({ k, B: mixedError(agg.B as Float32Array, cpu.B as Float32Array) < 1e-4 }).toEqual({ k, B: true });
    }
  }, 600_000);

  // The emulation's own rules for downloads into host memory (shadowed until the host
  // synchronizes with them), in cases the engine never makes: another device's copies, blocking
  // and legacy streams, synchronous copies; and the spin timeout. test/native/emulation_rules_test.cc, built
  // here against the emulation's sources with the host compiler (no addon involved), one scenario
  // a test; it prints each failed check.
  const driverTest = hostCxx ? test : test.skip;
  let driverDir: string | undefined;
  const driver = () => {
    driverDir ??= mkdtempSync(path.join(tmpdir(), 'linrec-emulation-'));
    const exe = path.join(driverDir, 'emulation_rules_test');
    if (existsSync(exe)) return exe;
    const sources = ['test/native/emulation_rules_test.cc', 'native/cuda/emulation/emulated_device.cc'];
    return buildDriver(driverDir, 'emulation_rules_test', sources, ['native/cuda/emulation']);
  };
  afterAll(() => driverDir && rmSync(driverDir, { recursive: true, force: true }));
  const runDriver = (args: string[], env: Record<string, string> = {}) => {
    const run = spawnSync(driver(), args, { encoding: 'utf8', env: { ...process.env, LINREC_EMULATED_DEVICES: '2', ...env }, timeout: 300_000 });
    return { output: `${run.stdout}${run.stderr}`, status: run.status };
  };
  const scenario = (name: string) => {
    const run = runDriver([name]);
    expect(run.output).toMatch(/^ok: 0 failed checks$/m);
    expect(run.status).toBe(0);
  };

  // One scenario of the driver each.
  const scenarios: [string, string][] = [
    [
      'free-host',
      'cudaFreeHost drops every download into the freed block, one still queued on another device too: it never lands in the next allocation there',
    ],
    [
      'legacy-sync',
      "a synchronization through the legacy stream shows a blocking stream's earlier download that had finished unseen, and a blocking stream's the legacy stream's",
    ],
    ['cross-waits', 'two pipelines taking turns for 2000 rounds, a download always pending: the cross-stream orderings kept for publishing stay few'],
    [
      'sync-upload',
      "a synchronous cudaMemcpy upload, from pinned or pageable memory, synchronizes: the host sees the legacy stream's download queued before it",
    ],
    [
      'sync-download',
      'a synchronous download (into pageable memory, or cudaMemcpy) writes the host bytes itself, with no shadow as large as the copy, and still lands after a pending download into the same bytes',
    ],
  ];
  for (const [name, description] of scenarios) driverTest(description, () => scenario(name), 300_000);
  driverTest(
    'the spin timeout counts from the last block that finished: a chain of blocks longer than the timeout passes, a spin that never ends fails',
    () => {
      const chain = runDriver(['spin-chain'], { LINREC_EMULATED_TIMEOUT_S: '1' });
      expect(chain.output).toMatch(/^ok: 0 failed checks$/m);
      expect(chain.status).toBe(0);
      const hang = runDriver(['spin-hang'], { LINREC_EMULATED_TIMEOUT_S: '1' });
      expect(hang.output).toMatch(/a kernel spun for LINREC_EMULATED_TIMEOUT_S with no block of its grid finishing/);
      expect(hang.status).not.toBe(0);
    },
    300_000,
  );
  driverTest(
    "replay: under one LINREC_EMULATED_SEED a stream's grids start their blocks in the same orders whatever other streams launched before (two streams and the legacy stream, launching in opposite orders)",
    () => {
      const seed = String(Math.floor(fresh().uniform() * 1e9));
      const orders = (order: string, emulatedSeed = seed) => {
        const run = runDriver(['replay', order], { LINREC_EMULATED_SEED: emulatedSeed });
        expect(run.output).toMatch(/^ok: 0 failed checks$/m);
        return run.output.split('\n').filter((line) => line.startsWith('stream '));
      };
      const forward = orders('12L');
      expect(forward.length).toBe(9);
      expect({ seed, orders: orders('L21') }).toEqual({ seed, orders: forward });
      expect(orders('12L', String(Number(seed) + 1))).not.toEqual(forward);
    },
    300_000,
  );
});
