// `linrec run --redis` on `linrec worker` processes over a real redis-server: both plans (three
// phases for long rows, row shards for many rows), forward and reverse, .npy and raw files;
// quality against a float64 reference; bitwise equal across runs, and across a SIGKILLed worker;
// a bad input fails the run with the worker's message and no output; two runs at once do not mix.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawn, spawnSync } from 'child_process';
import { scan, sequential } from '../src/index';
import { aggregatePart, composeCarries, scanPart } from '../src/distributed/parts';
import { parseAggregateJob, parseAggregateResult, parseCarriesJob, parseScanJob, PROTOCOL, VERSION, workerMade } from '../src/distributed/jobs';
import { sampledDigest } from '../src/distributed/digest';
import { decodeNpy, encodeNpy } from '../src/npy';
import { runOnCluster } from '../src/distributed';
import { planRun } from '../src/distributed/plan';
import { applyMap, applyMapWide, frexp, ldexp, rangeProduct, RowMaps } from '../src/distributed/maps';
import { CLI, describeCluster, jobFiles, linrec, startRedis, startWorker, type Redis, type WorkerProcess } from './cluster';
import { fresh, mixedError, overLoopAccuracy, reference, seedNote, signedProblem, tagOf, type F } from './helpers';

type FC = Float32ArrayConstructor | Float64ArrayConstructor;

let dir: string;
let redis: Redis;
let workers: WorkerProcess[] = [];

const rawBytes = (x: F) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
const readOut = (file: string, C: FC): F =>
  file.endsWith('.npy') ? decodeNpy(fs.readFileSync(path.join(dir, file))).data : new C(new Uint8Array(fs.readFileSync(path.join(dir, file))).buffer);

/** Writes a fresh problem as a/v files of the given extension. */
function writeProblem(name: string, C: FC, rows: number, n: number, ext: '.npy' | '.f32' | '.f64') {
  const r = fresh();
  const { a, v } = signedProblem(C, rows, n, r.uniform);
  const write = (file: string, x: F, shape: number[]) => fs.writeFileSync(path.join(dir, file), ext === '.npy' ? encodeNpy(x, shape) : rawBytes(x));
  write(`${name}-a${ext}`, a, rows > 1 ? [rows, n] : [n]);
  write(`${name}-v${ext}`, v, rows > 1 ? [rows, n + 1] : [n + 1]);
  return { a, v, coeffs: `${name}-a${ext}`, values: `${name}-v${ext}` };
}

/** The distributed result is within the float32 (or float64) loop's error of the float64 reference. */
function expectQuality(x: F, a: F, v: F, rows: number, reverse: boolean): void {
  const ref = reference(a, v, rows, reverse);
  const loop = sequential(a, v, { rows, reverse });
  const err = mixedError(x, ref);
  const loopErr = mixedError(loop, ref);
  const dtype = tagOf(a) === '[object Float64Array]' ? 'float64' : 'float32';
  if (!(overLoopAccuracy(x, a, v, rows, reverse, ref, dtype, 4 * loopErr + 1e-6) <= 1)) throw new Error(`error ${err} vs the loop's ${loopErr} ${seedNote()}`);
}

const noTemps = () => expect(fs.readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);

describeCluster('linrec run --redis on linrec workers', () => {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linrec-cluster-'));
    redis = await startRedis();
    workers = await Promise.all([0, 1, 2].map(() => startWorker(redis.url, dir)));
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await redis?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('plans: row ranges for many rows, column segments for few long rows', () => {
    expect(planRun(100, 10, 4)).toEqual({
      kind: 'rows',
      parts: [
        { rows: [0, 25], steps: [0, 10] },
        { rows: [25, 50], steps: [0, 10] },
        { rows: [50, 75], steps: [0, 10] },
        { rows: [75, 100], steps: [0, 10] },
      ],
    });
    expect(planRun(2, 10, 3)).toEqual({
      kind: 'segments',
      parts: [
        { rows: [0, 2], steps: [0, 4] },
        { rows: [0, 2], steps: [4, 7] },
        { rows: [0, 2], steps: [7, 10] },
      ],
    });
    expect(planRun(1, 2, 5).parts).toHaveLength(2); // never an empty part
  });

  test.each([
    ['float32 .npy, forward', Float32Array, '.npy', false, 2, 60_000, 5],
    ['float64 raw, reverse', Float64Array, '.f64', true, 1, 50_000, 3],
    ['float32 raw, reverse, 2 rows', Float32Array, '.f32', true, 2, 30_000, 4],
  ] as const)('three phases (%s): quality, and bitwise equal to a second run', async (name, C, ext, reverse, rows, n, k) => {
    const p = writeProblem(`seg${ext.slice(1)}${reverse ? 'r' : 'f'}`, C, rows, n, ext);
    const args = (out: string) => [
      'run',
      '--coeffs',
      p.coeffs,
      '--values',
      p.values,
      '--out',
      out,
      '--redis',
      redis.url,
      '--segments',
      String(k),
      ...(rows > 1 && ext !== '.npy' ? ['--rows', String(rows)] : []),
      ...(reverse ? ['--reverse'] : []),
      '--chunk',
      '7000',
    ];
    const out1 = `${name.replace(/\W+/g, '_')}-1${ext}`;
    const out2 = `${name.replace(/\W+/g, '_')}-2${ext}`;
    const [r1, r2] = await Promise.all([linrec(args(out1), dir), linrec(args(out2), dir)]);
    expect([r1.status, r1.stderr]).toEqual([0, '']);
    expect([r2.status, r2.stderr]).toEqual([0, '']);
    const x = readOut(out1, C);
    expectQuality(x, p.a, p.v, rows, reverse);
    expect(fs.readFileSync(path.join(dir, out2)).equals(fs.readFileSync(path.join(dir, out1)))).toBe(true);
    noTemps();
  });

  test.each([
    ['float32, forward', Float32Array, false],
    ['float32, reverse', Float32Array, true],
    ['float64, forward', Float64Array, false],
  ] as const)('three phases (%s): a segment whose product of coefficients leaves the type keeps x·A, as the loop', async (name, C, reverse) => {
    // Four segments of 1000 steps (one block each; fewer rows than segments). Row 0: x reset to 1e30 (1e300), then a decay to
    // 1e-60 (1e-400) with no input: the product underflows in the type, x·A = 1e-30 (1e-100) does
    // not. Row 1: x reset to 1e-30 (1e-300), then a growth to 1e50 (1e400): A overflows, x·A does
    // not. Row 2: x reset to 0, then that growth: 0 (inf·0 would be NaN). Noise in the a's of the
    // decay and growth, so that the products are not powers of one number.
    const f32 = C === Float32Array;
    const rows = 3;
    const n = 4000;
    const r = fresh();
    const a = new C(rows * n).fill(1);
    const v = new C(rows * (n + 1));
    const setup: [number, number][] = [
      [f32 ? 1e30 : 1e300, f32 ? -60 : -400],
      [f32 ? 1e-30 : 1e-300, f32 ? 50 : 400],
      [0, f32 ? 50 : 400],
    ];
    setup.forEach(([reset, decades], row) => {
      a[row * n + 5] = 0; // step 6: x = the reset
      v[row * (n + 1) + 6] = reset;
      for (let t = 1000; t < 2000; t++) a[row * n + t] = 10 ** (decades / 1000) * (1 + (r.uniform() - 0.5) * 1e-3);
    });
    if (reverse) {
      for (let row = 0; row < rows; row++) {
        a.subarray(row * n, (row + 1) * n).reverse();
        v.subarray(row * (n + 1), (row + 1) * (n + 1)).reverse();
      }
    }
    const ext = f32 ? '.f32' : '.f64';
    const stem = `range${name.replace(/\W+/g, '')}`;
    fs.writeFileSync(path.join(dir, `${stem}-a${ext}`), rawBytes(a));
    fs.writeFileSync(path.join(dir, `${stem}-v${ext}`), rawBytes(v));
    const out = `${stem}-x${ext}`;
    const args = [
      'run',
      '--coeffs',
      `${stem}-a${ext}`,
      '--values',
      `${stem}-v${ext}`,
      '--rows',
      String(rows),
      '--out',
      out,
      '--redis',
      redis.url,
      '--segments',
      '4',
    ];
    const run = await linrec(reverse ? [...args, '--reverse'] : args, dir);
    expect([run.status, run.stderr]).toEqual([0, '']);
    const x = readOut(out, C);
    const loop = sequential(a, v, { rows, reverse });
    const ref = reference(a, v, rows, reverse);
    // Each element within 4x the loop's relative error of the float64 reference (zeros exact).
    let worst = 0;
    let loopWorst = 0;
    for (let i = 0; i < x.length; i++) {
      if (ref[i] === 0) {
        expect([i, x[i]]).toEqual([i, 0]);
        continue;
      }
      worst = Math.max(worst, Math.abs(x[i] - ref[i]) / Math.abs(ref[i]));
      loopWorst = Math.max(loopWorst, Math.abs(loop[i] - ref[i]) / Math.abs(ref[i]));
    }
    expect(loopWorst).toBeLessThan(f32 ? 1e-3 : 1e-12); // the loop keeps x·A: the data is as described
    if (!(worst <= 4 * loopWorst + (f32 ? 1e-6 : 1e-13))) throw new Error(`relative error ${worst} against the loop's ${loopWorst} ${seedNote()}`);
    noTemps();
  });

  /** The one-machine command's output and the cluster's for the same float32 .npy files (1 row). */
  async function localAndCluster(stem: string, a: number[], v: number[], extra: string[], segments: number, C: FC = Float32Array): Promise<[F, F]> {
    fs.writeFileSync(path.join(dir, `${stem}-a.npy`), encodeNpy(C.from(a), [a.length]));
    fs.writeFileSync(path.join(dir, `${stem}-v.npy`), encodeNpy(C.from(v), [v.length]));
    const files = ['--coeffs', `${stem}-a.npy`, '--values', `${stem}-v.npy`, ...extra];
    const local = await linrec(['run', ...files, '--out', `${stem}-local.npy`], dir);
    expect([local.status, local.stderr]).toEqual([0, '']);
    const cluster = await linrec(['run', ...files, '--out', `${stem}-x.npy`, '--redis', redis.url, '--segments', String(segments)], dir);
    expect([cluster.status, cluster.stderr]).toEqual([0, '']);
    return [readOut(`${stem}-x.npy`, C), readOut(`${stem}-local.npy`, C)];
  }
  /** Equal where not finite (the sign of ∞ too), within float32 rounding elsewhere. */
  function expectSameX(x: F, local: F): void {
    const show = (y: F) => Array.from(y, (t) => (Number.isFinite(t) ? Number(t.toPrecision(4)) : String(t)));
    expect(show(x)).toEqual(show(local));
  }
  const rep = (value: number, count: number) => new Array<number>(count).fill(value);
  const mirror = (a: number[], v: number[]): [number[], number[]] => [[...a].reverse(), [...v].reverse()];

  // Carries composed from the parts' maps in float64 could not follow the loop where x leaves the
  // type's range inside a part, nor an infinite x (∞·x + ∞ of opposite signs gave NaN): each part's
  // carry is now checked against the previous part's scanned end, and the part scanned again from
  // it where they differ (runner.ts, carriesAgree).
  test.each([
    // x = 1 grows to 2^200 (∞ in float32) and decays back: the loop stays at ∞; float64 came back to 1.
    ['direct, an overflow that a decay would undo', [...rep(2, 200), ...rep(0.5, 200), ...rep(1, 200)], [1, ...rep(0, 600)], [], 3],
    // x = 1 decays to 2^-200 (0 in float32) and grows back: the loop stays at 0; float64 came back to 1.
    ['direct, an underflow that a growth would undo', [...rep(0.5, 200), ...rep(2, 200), ...rep(1, 200)], [1, ...rep(0, 600)], [], 3],
    // 'log' keeps x beyond float32 (1e240 at step 12, then 1): a carry above 2^-301 times float32's largest was taken for gone.
    ['log, a carry beyond float32 (forward)', [...rep(1e20, 12), ...rep(1e-20, 12)], [1, ...rep(0, 24)], ['--method', 'log'], 4],
    ['log, a carry beyond float32 (reverse)', ...mirror([...rep(1e20, 12), ...rep(1e-20, 12)], [1, ...rep(0, 24)]), ['--method', 'log', '--reverse'], 4],
    // An infinite coefficient in the second part: x = +∞ from step 8 (-∞ with -∞), where A·x + B was -∞ + ∞.
    ['direct, an infinite coefficient', [...rep(0.5, 7), Infinity, ...rep(0.5, 12)], [-100, ...rep(1, 20)], [], 4],
    ['direct, a negative infinite coefficient', [...rep(0.5, 7), -Infinity, ...rep(0.5, 12)], [-100, ...rep(1, 20)], [], 4],
    ['log, an infinite coefficient', [...rep(0.5, 7), Infinity, ...rep(0.5, 12)], [-100, ...rep(1, 20)], ['--method', 'log'], 4],
    ['direct, an infinite coefficient (reverse)', ...mirror([...rep(0.5, 7), Infinity, ...rep(0.5, 12)], [-100, ...rep(1, 20)]), ['--reverse'], 4],
  ] as [string, number[], number[], string[], number][])(
    'three phases, %s: the carries are what the one-machine command gives',
    async (name, a, v, extra, k) => {
      const [x, local] = await localAndCluster(`edge-${name.replace(/\W+/g, '')}`, a, v, extra, k);
      expectSameX(x, local);
      noTemps();
    },
  );

  // 'log' keeps x beyond float64's range too (the Scanner's log state): a carry there travels in log
  // form (jobs' initialLog, scans' lastLog, the carries' log parts), not as ±∞ or 0 in float64.
  test.each([
    // x = 1 grows to 1e360 (segment 2's end) and decays back to 1: in float64 the carry was ∞, and ∞ after it.
    ['float32, forward', Float32Array, [...rep(1e30, 12), ...rep(1e-30, 12)], [1, ...rep(0, 24)], [], 4],
    ['float32, reverse', Float32Array, ...mirror([...rep(1e30, 12), ...rep(1e-30, 12)], [1, ...rep(0, 24)]), ['--reverse'], 4],
    // 1e1200 with signs that alternate, then back to 1.
    ['float64, forward', Float64Array, [...rep(-1e200, 6), ...rep(-1e-200, 6)], [1, ...rep(0, 12)], [], 4],
    ['float64, reverse', Float64Array, ...mirror([...rep(-1e200, 6), ...rep(-1e-200, 6)], [1, ...rep(0, 12)]), ['--reverse'], 4],
    // A segment's own B (x from 0) beyond float64: a reset to 3, then 3e400 at the segment's end, 3e1200, back to 3.
    ['float64, a B beyond float64', Float64Array, [0.5, 0, 1e200, 1e200, ...rep(1e200, 4), ...rep(1e-200, 6), 1, 1], [1, 0, 3, ...rep(0, 14)], [], 4],
    // A decay below float64 (1e-600) and a growth back, three segments.
    ['float64, a decay below float64', Float64Array, [...rep(1e-200, 3), ...rep(1e200, 3)], [1, ...rep(0, 6)], [], 3],
  ] as [string, FC, number[], number[], string[], number][])(
    'three phases, log, a carry beyond float64 (%s): what the one-machine command gives',
    async (name, C, a, v, extra, k) => {
      const [x, local] = await localAndCluster(`far-${name.replace(/\W+/g, '')}`, a, v, ['--method', 'log', ...extra], k, C);
      // The one-machine log method comes back from beyond float64 (the test's premise).
      expect(Number.isFinite(local[extra.length ? 0 : local.length - 1])).toBe(true);
      expectSameX(x, local);
      noTemps();
    },
  );

  test('log carries beyond float64 compose in log form: no part is scanned twice', async () => {
    // Phase 2 composes x (and a segment's B) beyond float64 in logs (maps.ts, applyMapWide): the
    // scans' check finds nothing to scan again (a rescan would add a job).
    for (const [stem, C, a, v] of [
      ['grow', Float32Array, [...rep(1e30, 12), ...rep(1e-30, 12)], [1, ...rep(0, 24)]],
      ['bigB', Float64Array, [0.5, 0, 1e200, 1e200, ...rep(1e200, 4), ...rep(1e-200, 6), 1, 1], [1, 0, 3, ...rep(0, 14)]],
    ] as [string, FC, number[], number[]][]) {
      fs.writeFileSync(path.join(dir, `nore-${stem}-a.npy`), encodeNpy(C.from(a), [a.length]));
      fs.writeFileSync(path.join(dir, `nore-${stem}-v.npy`), encodeNpy(C.from(v), [v.length]));
      const result = await runOnCluster({
        connection: redis.url,
        root: dir,
        coeffs: path.join(dir, `nore-${stem}-a.npy`),
        values: path.join(dir, `nore-${stem}-v.npy`),
        out: path.join(dir, `nore-${stem}-x.npy`),
        method: 'log',
        segments: 4,
      });
      expect([stem, result.jobs]).toEqual([stem, 3 + 1 + 4]); // three aggregates, the carries, four scans
      const want = scan(C.from(a), C.from(v), { method: 'log' });
      const x = readOut(`nore-${stem}-x.npy`, C);
      expect([stem, x[x.length - 1] / want[want.length - 1]]).toEqual([stem, expect.closeTo(1, 9)]);
    }
  });

  test('--chunk above 2^30 works with --redis as on one machine (a job reads a whole part at a time)', async () => {
    const p = writeProblem('bigchunk', Float32Array, 1, 3000, '.npy');
    const r = await linrec(
      ['run', '--coeffs', p.coeffs, '--values', p.values, '--out', 'bigchunk-x.npy', '--redis', redis.url, '--segments', '3', '--chunk', '3000000000'],
      dir,
    );
    expect([r.status, r.stderr]).toEqual([0, '']);
    expectQuality(readOut('bigchunk-x.npy', Float32Array), p.a, p.v, 1, false);
    await runOnCluster({
      connection: redis.url,
      root: dir,
      coeffs: path.join(dir, p.coeffs),
      values: path.join(dir, p.values),
      out: path.join(dir, 'bigchunk-y.npy'),
      segments: 2,
      chunk: 2 ** 31,
    });
    expectQuality(readOut('bigchunk-y.npy', Float32Array), p.a, p.v, 1, false);
  });

  test('sharded rows (raw .f32, --rows): quality, the same bits as the one-machine command', async () => {
    const rows = 37;
    const n = 2000;
    const p = writeProblem('shard', Float32Array, rows, n, '.f32');
    const r = await linrec(
      ['run', '--coeffs', p.coeffs, '--values', p.values, '--rows', String(rows), '--out', 'shard-x.f32', '--redis', redis.url, '--segments', '6'],
      dir,
    );
    expect([r.status, r.stderr]).toEqual([0, '']);
    const x = readOut('shard-x.f32', Float32Array);
    expectQuality(x, p.a, p.v, rows, false);
    const local = await linrec(['run', '--coeffs', p.coeffs, '--values', p.values, '--rows', String(rows), '--out', 'shard-local.f32'], dir);
    expect(local.status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'shard-x.f32')).equals(fs.readFileSync(path.join(dir, 'shard-local.f32')))).toBe(true);
  });

  test('two runs at once on one queue, of different files and plans, do not mix', async () => {
    const long = writeProblem('mixA', Float32Array, 1, 50_000, '.npy');
    const many = writeProblem('mixB', Float64Array, 24, 500, '.npy');
    const [ra, rb] = await Promise.all([
      linrec(['run', '--coeffs', long.coeffs, '--values', long.values, '--out', 'mixA-x.npy', '--redis', redis.url, '--segments', '5', '--reverse'], dir),
      linrec(['run', '--coeffs', many.coeffs, '--values', many.values, '--out', 'mixB-x.npy', '--redis', redis.url, '--segments', '6'], dir),
    ]);
    expect([ra.status, ra.stderr, rb.status, rb.stderr]).toEqual([0, '', 0, '']);
    expectQuality(readOut('mixA-x.npy', Float32Array), long.a, long.v, 1, true);
    expectQuality(readOut('mixB-x.npy', Float64Array), many.a, many.v, 24, false);
  });

  test('the programmatic API reports job progress up to the total', async () => {
    const p = writeProblem('api', Float32Array, 1, 40_000, '.npy');
    const seen: number[] = [];
    const result = await runOnCluster({
      connection: redis.url,
      root: dir,
      coeffs: path.join(dir, p.coeffs),
      values: path.join(dir, p.values),
      out: path.join(dir, 'api-x.npy'),
      segments: 3,
      chunk: 5000,
      onProgress: (q) => seen.push(q.steps / q.total),
    });
    expect(result.plan.kind).toBe('segments');
    expect(result.jobs).toBe(2 + 1 + 3); // two aggregates, the carries, three scans
    expect(seen[seen.length - 1]).toBe(1);
    expectQuality(readOut('api-x.npy', Float32Array), p.a, p.v, 1, false);
  });

  test('a worker SIGKILLed mid-job: another takes the job over; the output is bit for bit the fault-free one', async () => {
    const p = writeProblem('kill', Float32Array, 1, 400_000, '.npy');
    // A worker of its own queue, killed as soon as it reports progress on a job.
    const victim = await startWorker(redis.url, dir, ['--queue', 'kill']);
    let killed = false;
    let rescuer: Promise<WorkerProcess> | undefined;
    const run = runOnCluster({
      connection: redis.url,
      queue: 'kill',
      root: dir,
      coeffs: path.join(dir, p.coeffs),
      values: path.join(dir, p.values),
      out: path.join(dir, 'kill-x.npy'),
      segments: 2,
      chunk: 2000,
      onProgress: (q) => {
        if (killed || q.steps === 0) return;
        killed = true;
        victim.proc.kill('SIGKILL');
        rescuer = startWorker(redis.url, dir, ['--queue', 'kill']);
      },
    });
    await run;
    expect(killed).toBe(true);
    await victim.stop();
    await (await rescuer!).stop();
    const clean = await linrec(
      ['run', '--coeffs', p.coeffs, '--values', p.values, '--out', 'kill-clean.npy', '--redis', redis.url, '--segments', '2', '--chunk', '2000'],
      dir,
    );
    expect(clean.status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'kill-x.npy')).equals(fs.readFileSync(path.join(dir, 'kill-clean.npy')))).toBe(true);
    expectQuality(readOut('kill-x.npy', Float32Array), p.a, p.v, 1, false);
  });

  test('SIGTERM lets a worker finish its current job, then it exits 0', async () => {
    const p = writeProblem('term', Float32Array, 1, 300_000, '.npy');
    const w = await startWorker(redis.url, dir, ['--queue', 'term']);
    let signalled = false;
    // One job and one worker: the run completes only if the worker finishes the job it holds.
    await runOnCluster({
      connection: redis.url,
      queue: 'term',
      root: dir,
      coeffs: path.join(dir, p.coeffs),
      values: path.join(dir, p.values),
      out: path.join(dir, 'term-x.npy'),
      segments: 1,
      chunk: 2000,
      onProgress: (q) => {
        if (signalled || q.steps === 0 || q.steps === q.total) return;
        signalled = true;
        w.proc.kill('SIGTERM');
      },
    });
    expect(signalled).toBe(true);
    expect(await w.stop()).toBe(0);
    expect(w.log()).toMatch(/SIGTERM: stopping after the current jobs[\s\S]*stopped/);
    expectQuality(readOut('term-x.npy', Float32Array), p.a, p.v, 1, false);
  });

  test("a bad input (truncated, or other data of the same shape) fails the whole run with the worker's message, and leaves no output", async () => {
    // The workers of this queue see a different (truncated) values file under the same name.
    const theirs = fs.mkdtempSync(path.join(os.tmpdir(), 'linrec-theirs-'));
    const p = writeProblem('bad', Float32Array, 1, 10_000, '.f32');
    fs.copyFileSync(path.join(dir, p.coeffs), path.join(theirs, p.coeffs));
    fs.writeFileSync(path.join(theirs, p.values), fs.readFileSync(path.join(dir, p.values)).subarray(0, 4 * 5000));
    const w = await startWorker(redis.url, theirs, ['--queue', 'bad']);
    try {
      // Every plan fails the run with the worker's message and leaves nothing.
      const failsWith = async (message: RegExp) => {
        for (const k of ['1', '3']) {
          const r = await linrec(
            ['run', '--coeffs', p.coeffs, '--values', p.values, '--out', 'bad-x.f32', '--redis', redis.url, '--queue', 'bad', '--segments', k],
            dir,
          );
          expect(r.status).toBe(1);
          expect(r.stderr).toMatch(message);
          expect(fs.existsSync(path.join(dir, 'bad-x.f32'))).toBe(false);
          noTemps();
        }
      };
      await failsWith(/^linrec: job (scan|aggregate)-\d+ failed on a worker: bad-v\.f32 holds 5000 float32 elements here but the run planned 10001 float32/);
      // The same shape, other data: the sampled digest tells it (src/distributed/digest.ts).
      const other = signedProblem(Float32Array, 1, 10_000, fresh().uniform);
      fs.writeFileSync(path.join(theirs, p.values), rawBytes(other.v));
      await failsWith(/^linrec: job (scan|aggregate)-\d+ failed on a worker: bad-v\.f32 holds other data here than on the machine that started the run/);
      expect(w.log()).toMatch(/failed|refused/);
    } finally {
      await w.stop();
      fs.rmSync(theirs, { recursive: true, force: true });
    }
  });

  test('a failed run leaves none of its jobs in Redis, not even those that a worker ends after the run has failed', async () => {
    // A worker whose root lacks the files refuses the jobs it takes: its first refusal fails the run
    // while the other worker still runs a long aggregate, which ends after the run (and was kept).
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'linrec-empty-'));
    const serving = await startWorker(redis.url, dir, ['--queue', 'refused']);
    const w = await startWorker(redis.url, empty, ['--queue', 'refused']);
    const { Redis: IORedis } = require('ioredis') as typeof import('ioredis');
    const client = new IORedis(redis.url);
    try {
      const p = writeProblem('refused', Float32Array, 1, 1 << 22, '.npy');
      const r = await linrec(
        [
          'run',
          '--coeffs',
          p.coeffs,
          '--values',
          p.values,
          '--out',
          'refused-x.npy',
          '--redis',
          redis.url,
          '--queue',
          'refused',
          '--segments',
          '3',
          '--chunk',
          '16384',
        ],
        dir,
      );
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/failed on a worker: refused: files\.coeffs/);
      const jobKeys = async () => (await client.keys('bull:refused:*')).filter((k) => /:[0-9a-f]{16}-/.test(k));
      const deadline = Date.now() + 20_000;
      while ((await client.llen('bull:refused:active')) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      await new Promise((resolve) => setTimeout(resolve, 1000)); // the worker's removal after the job's end
      expect(await jobKeys()).toEqual([]);
      expect([await client.zcard('bull:refused:failed'), await client.zcard('bull:refused:completed')]).toEqual([0, 0]);
      noTemps();
    } finally {
      client.disconnect();
      await Promise.all([w.stop(), serving.stop()]);
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  test('an interrupted run leaves none of its jobs in Redis: a job a worker was running is removed when it ends', async () => {
    // One long job (256 reads), interrupted once it runs: the runner cannot remove a job a worker
    // holds, which then completed into Redis for an hour; the worker removes it now.
    const w = await startWorker(redis.url, dir, ['--queue', 'interrupted']);
    const { Redis: IORedis } = require('ioredis') as typeof import('ioredis');
    const client = new IORedis(redis.url);
    try {
      const p = writeProblem('interrupted', Float32Array, 1, 1 << 22, '.npy');
      const controller = new AbortController();
      const run = runOnCluster({
        connection: redis.url,
        queue: 'interrupted',
        root: dir,
        coeffs: path.join(dir, p.coeffs),
        values: path.join(dir, p.values),
        out: path.join(dir, 'interrupted-x.npy'),
        segments: 1,
        chunk: 1 << 14,
        onProgress: () => controller.abort(),
        signal: controller.signal,
      });
      await expect(run).rejects.toMatchObject({ code: 'ERR_LINREC_IO', message: 'the run was interrupted' });
      const jobKeys = async () => (await client.keys('bull:interrupted:*')).filter((k) => /:[0-9a-f]{16}-/.test(k));
      const deadline = Date.now() + 20_000;
      while ((await client.llen('bull:interrupted:active')) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      await new Promise((resolve) => setTimeout(resolve, 1000)); // the worker's removal after its completion
      expect(await jobKeys()).toEqual([]);
      expect([await client.zcard('bull:interrupted:failed'), await client.zcard('bull:interrupted:completed')]).toEqual([0, 0]);
      expect(fs.existsSync(path.join(dir, 'interrupted-x.npy'))).toBe(false);
      noTemps();
    } finally {
      client.disconnect();
      await w.stop();
    }
  });

  test('a run that no worker serves says so once on stderr, and SIGTERM then exits 143 (as the one-machine command), leaving nothing', async () => {
    const p = writeProblem('unserved', Float32Array, 1, 1000, '.npy');
    const args = ['run', '--coeffs', p.coeffs, '--values', p.values, '--out', 'unserved-x.npy', '--redis', redis.url, '--queue', 'nobody-serves-this'];
    const proc = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: { ...process.env, LINREC_WAIT_NOTICE_S: '1' } });
    let stderr = '';
    proc.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
    try {
      for (let t = 0; t < 300 && !/no job has made progress/.test(stderr); t++) await new Promise((r) => setTimeout(r, 50));
      expect(stderr).toMatch(/^linrec: no job has made progress in 1 s; the run waits for workers serving queue 'nobody-serves-this' on this Redis/);
      proc.kill('SIGTERM');
      expect(await exited).toBe(143);
    } finally {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGKILL');
        await exited;
      }
    }
    expect(stderr).toMatch(/interrupted; the temporary output and the run's jobs were removed/);
    expect(fs.existsSync(path.join(dir, 'unserved-x.npy'))).toBe(false);
    noTemps();
  });

  describe('workers of another version', () => {
    const { Worker, UnrecoverableError } = require('bullmq') as typeof import('bullmq');
    type Processor = ConstructorParameters<typeof Worker>[1];
    /** A BullMQ worker in this process under a chosen Redis client name (undefined: none, as before job protocol 2). */
    async function fakeWorker(queue: string, name: string | undefined, processor: Processor = async () => undefined) {
      const w = new Worker(queue, processor, { connection: { host: '127.0.0.1', port: redis.port }, name });
      w.on('error', () => {});
      await w.waitUntilReady();
      return w;
    }
    const run = (p: { coeffs: string; values: string }, queue: string, out: string, extra: string[] = []) =>
      linrec(['run', '--coeffs', p.coeffs, '--values', p.values, '--out', out, '--redis', redis.url, '--queue', queue, '--segments', '3', ...extra], dir);

    test('workers name their version and job protocol to Redis', () => {
      expect(workerMade(`bull:bGlucmVj:w:linrec@${VERSION}/p${PROTOCOL}`)).toEqual({ version: VERSION, protocol: PROTOCOL });
      expect(workerMade('bull:bGlucmVj')).toBeNull();
      expect(workerMade('bull:bGlucmVj:w:someone-else')).toBeNull();
    });

    test('a worker of an older job protocol on the queue fails the run before anything is queued, naming both versions', async () => {
      const p = writeProblem('oldw', Float32Array, 1, 3000, '.npy');
      const { Redis: IORedis } = require('ioredis') as typeof import('ioredis');
      const client = new IORedis(redis.url);
      const current = await startWorker(redis.url, dir, ['--queue', 'old-named']);
      try {
        for (const [queue, name, kind, count] of [
          ['old-unnamed', undefined, /job protocol 1 \(a linrec that names no version\) at 127\.0\.0\.1:\d+/, '1 of the 1'],
          ['old-named', 'linrec@0.0.9/p1', /linrec 0\.0\.9, job protocol 1 at 127\.0\.0\.1:\d+/, '1 of the 2'],
        ] as const) {
          const taken: string[] = [];
          const w = await fakeWorker(queue, name, async (job) => void taken.push(String(job.id)));
          try {
            const r = await run(p, queue, `${queue}-x.npy`);
            expect(r.status).toBe(1);
            expect(r.stderr).toContain(`runner linrec ${VERSION}, job protocol ${PROTOCOL}, but ${count} workers on queue '${queue}' are older (`);
            expect(r.stderr).toMatch(kind);
            expect(r.stderr).toContain(`: upgrade the workers to linrec ${VERSION} and restart them`);
            expect(taken).toEqual([]);
            expect((await client.keys(`bull:${queue}:*`)).filter((k) => /[0-9a-f]{16}/.test(k))).toEqual([]);
            expect(fs.existsSync(path.join(dir, `${queue}-x.npy`))).toBe(false);
            noTemps();
          } finally {
            await w.close();
          }
        }
        // The current worker alone: the run goes on.
        const r = await run(p, 'old-named', 'old-named-x.npy');
        expect([r.status, r.stderr]).toEqual([0, '']);
        expectQuality(readOut('old-named-x.npy', Float32Array), p.a, p.v, 1, false);
      } finally {
        client.disconnect();
        await current.stop();
      }
    });

    test("an older worker's refusal of the job's protocol field (one that joined after the check) fails the run with an upgrade message", async () => {
      const p = writeProblem('oldref', Float32Array, 1, 3000, '.npy');
      // A worker before protocol 2 takes no field it does not know; its message, as its jobs.ts made it.
      const w = await fakeWorker('old-refusal', `linrec@${VERSION}/p${PROTOCOL}`, async (job) => {
        const added = ['protocol', 'version', ...(job.name === 'scan' ? ['initialLog'] : []), ...(job.name === 'carries' ? ['method'] : [])];
        const known = Object.keys(job.data as object).filter((k) => !added.includes(k));
        throw new UnrecoverableError(`malformed job: job: expected only the fields ${known.join(', ')}, received also ${added.join(', ')}`);
      });
      try {
        const r = await run(p, 'old-refusal', 'old-refusal-x.npy');
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(
          new RegExp(
            `job (aggregate-\\d+|carries|scan-\\d+) was refused by a worker of an older linrec \\(job protocol 1\\), while this runner is linrec ${VERSION.replace(/\./g, '\\.')}, job protocol ${PROTOCOL}: upgrade the workers`,
          ),
        );
        expect(r.stderr).toContain('(the worker said: malformed job: job: expected only the fields runId, ');
        noTemps();
      } finally {
        await w.close();
      }
    });

    test('scan results without a last x (a worker before session 22): the run completes, and warns once that its carries went unchecked', async () => {
      const p = writeProblem('nolast', Float32Array, 1, 6000, '.npy');
      const ctx = { root: fs.realpathSync(dir), threads: 1 };
      // Phases 1 and 2 as a current worker; scans answer as workers did before they returned x.
      const w = await fakeWorker('no-last', `linrec@${VERSION}/p${PROTOCOL}`, async (job) => {
        if (job.name === 'aggregate') return aggregatePart(parseAggregateJob(job.data), ctx);
        if (job.name === 'carries') {
          const d = parseCarriesJob(job.data);
          const maps = Object.entries(await job.getChildrenValues()).map(([key, value]) => parseAggregateResult(key, value, d.rows));
          return { carries: composeCarries(maps, d.segments, d.rows, d.reverse).carries };
        }
        const d = parseScanJob(job.data);
        await scanPart(d, ctx);
        return { rows: d.part.rows, steps: d.part.steps };
      });
      try {
        const r = await run(p, 'no-last', 'no-last-x.npy');
        expect(r.status).toBe(0);
        const warnings = r.stderr.split('\n').filter((line) => line !== '');
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toMatch(
          /^linrec: warning: a worker of an older linrec \(its scan results hold no last x\) served this run: its carries were not checked .*; upgrade the workers to linrec /,
        );
        expectQuality(readOut('no-last-x.npy', Float32Array), p.a, p.v, 1, false);
      } finally {
        await w.close();
      }
    });
  });

  test('bullmq is optional: require("linrec") and the one-machine command work without it', () => {
    // A resolver that cannot see bullmq or ioredis, as in an install without them.
    const hide =
      "const M=require('module');const r=M._resolveFilename;M._resolveFilename=function(req,...a){if(/^(bullmq|ioredis)(\\/|$)/.test(req))throw Object.assign(new Error('Cannot find module '+req),{code:'MODULE_NOT_FOUND'});return r.call(this,req,...a)};";
    const root = path.join(__dirname, '..');
    const check = `${hide}
      const l = require(${JSON.stringify(root)});
      const x = l.scan(new Float64Array([0.5]), new Float64Array([1, 1]));
      const d = require(${JSON.stringify(path.join(root, 'dist', 'distributed'))});
      d.startWorker({ connection: 'redis://127.0.0.1:1' }).then(() => console.log('started?'), (e) => console.log(x[1], e.code, e.message));`;
    const r = spawnSync(process.execPath, ['-e', check], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(
      '1.5 ERR_LINREC_LOAD running on a cluster needs bullmq and ioredis, which linrec does not install itself: npm install bullmq ioredis',
    );
  });
});

// No redis needed: the files are checked before anything connects (src/run-files.ts, shared with `linrec run`).
describe('linrec run --redis checks its files as the one-machine command does', () => {
  let own: string;
  beforeAll(() => {
    own = fs.mkdtempSync(path.join(os.tmpdir(), 'linrec-runfiles-'));
    fs.writeFileSync(path.join(own, 'a.npy'), encodeNpy(new Float32Array(0), [0, 4]));
    fs.writeFileSync(path.join(own, 'v.npy'), encodeNpy(new Float32Array(0), [0, 5]));
    fs.writeFileSync(path.join(own, 'a3.npy'), encodeNpy(new Float32Array(6), [3, 2]));
    fs.writeFileSync(path.join(own, 'v3.npy'), encodeNpy(new Float32Array(9), [3, 3]));
  });
  afterAll(() => fs.rmSync(own, { recursive: true, force: true }));

  test('usage mistakes exit 2 with --redis too, with the same message: an --out of another format, a URL that is not a Redis URL', async () => {
    fs.writeFileSync(path.join(own, 'a1.npy'), encodeNpy(new Float32Array(3)));
    fs.writeFileSync(path.join(own, 'v1.npy'), encodeNpy(new Float32Array(4)));
    try {
      const one = await linrec(['run', '--coeffs', 'a1.npy', '--values', 'v1.npy', '--out', 'x.f32'], own);
      const cluster = await linrec(['run', '--coeffs', 'a1.npy', '--values', 'v1.npy', '--out', 'x.f32', '--redis', 'redis://127.0.0.1:1'], own);
      expect(one.stderr).toMatch(/--out x\.f32 names a raw float32 file but the input is \.npy/);
      expect([cluster.status, cluster.stderr]).toEqual([one.status, one.stderr]);
      expect(one.status).toBe(2);
      const http = await linrec(['run', '--coeffs', 'a1.npy', '--values', 'v1.npy', '--out', 'x.npy', '--redis', 'http://127.0.0.1:1'], own);
      expect(http.status).toBe(2);
      expect(http.stderr).toMatch(/--redis: unsupported Redis URL scheme 'http:'/);
    } finally {
      for (const f of ['a1.npy', 'v1.npy']) fs.rmSync(path.join(own, f));
    }
  });

  test("2-D inputs of 0 rows: an empty output of the values' shape, on the cluster (no job, no Redis needed) as from the one-machine command", async () => {
    const out = path.join(own, 'x.npy');
    const run = await runOnCluster({ connection: 'redis://127.0.0.1:1', root: own, coeffs: path.join(own, 'a.npy'), values: path.join(own, 'v.npy'), out });
    expect(run.jobs).toBe(0);
    expect(decodeNpy(fs.readFileSync(out)).shape).toEqual([0, 5]);
    fs.rmSync(out);
    for (const cluster of [[], ['--redis', 'redis://127.0.0.1:1']]) {
      const cli = await linrec(['run', '--coeffs', 'a.npy', '--values', 'v.npy', '--out', 'x.npy', ...cluster], own);
      expect([cli.status, cli.stderr]).toEqual([0, '']);
      expect(decodeNpy(fs.readFileSync(out)).shape).toEqual([0, 5]);
      fs.rmSync(out);
    }
    expect(fs.readdirSync(own).sort()).toEqual(['a.npy', 'a3.npy', 'v.npy', 'v3.npy']);
  });

  test.each([['rows that contradict the 2-D shape', 'a3.npy', 'v3.npy', 2, '{}rows 2 does not match the 3 rows of the 2-D input']])(
    '%s: the same message, ERR_LINREC_FORMAT, nothing queued',
    async (_title, coeffs, values, rows, message) => {
      const run = runOnCluster({
        connection: 'redis://127.0.0.1:1',
        root: own,
        coeffs: path.join(own, coeffs),
        values: path.join(own, values),
        out: path.join(own, 'x.npy'),
        rows,
      });
      await expect(run).rejects.toMatchObject({ code: 'ERR_LINREC_FORMAT', message: message.replace('{}', '').replace(/^a/, path.join(own, 'a')) });
      const cli = await linrec(['run', '--coeffs', coeffs, '--values', values, '--out', 'x.npy', ...(rows ? ['--rows', String(rows)] : [])], own);
      expect(cli.stderr.trim()).toBe(`linrec: ${message.replace('{}', '--')}`);
      expect(cli.status).toBe(1);
      expect(fs.readdirSync(own).sort()).toEqual(['a.npy', 'a3.npy', 'v.npy', 'v3.npy']);
    },
  );
});

describe('runOnCluster checks its options as scan() does, before a file or the queue is touched', () => {
  const base = { connection: 'redis://127.0.0.1:1', coeffs: 'no-such-a.npy', values: 'no-such-v.npy', out: 'x.npy' };
  test.each([
    ['segments NaN', { segments: NaN }, 'ERR_LINREC_INVALID_VALUE', /options\.segments/],
    ['segments 2.5', { segments: 2.5 }, 'ERR_LINREC_INVALID_VALUE', /options\.segments/],
    ['chunk 0', { chunk: 0 }, 'ERR_LINREC_INVALID_VALUE', /options\.chunk/],
    ['rows 1.5', { rows: 1.5 }, 'ERR_LINREC_INVALID_VALUE', /options\.rows/],
    ['attempts "3"', { attempts: '3' }, 'ERR_LINREC_INVALID_TYPE', /options\.attempts/],
    ['an unknown method', { method: 'bogus' }, 'ERR_LINREC_INVALID_VALUE', /options\.method/],
    ['an unknown plan', { plan: 'columns' }, 'ERR_LINREC_INVALID_VALUE', /options\.plan/],
    ['a dtype in capitals', { dtype: 'Float32' }, 'ERR_LINREC_INVALID_VALUE', /options\.dtype/],
    ['reverse "yes"', { reverse: 'yes' }, 'ERR_LINREC_INVALID_TYPE', /options\.reverse/],
    ['device "gpu"', { device: 'gpu' }, 'ERR_LINREC_INVALID_VALUE', /options\.device/],
    ['device "cuda:007" (the API refuses leading zeros)', { device: 'cuda:007' }, 'ERR_LINREC_INVALID_VALUE', /options\.device/],
    ['a misspelled option', { segmnets: 4 }, 'ERR_LINREC_UNKNOWN_OPTION', /"segmnets"/],
    ['no out', { out: undefined }, 'ERR_LINREC_INVALID_TYPE', /options\.out/],
    ['onProgress not a function', { onProgress: 1 }, 'ERR_LINREC_INVALID_TYPE', /options\.onProgress/],
  ])('%s', async (_title, over, code, message) => {
    const run = runOnCluster({ ...base, ...over } as unknown as Parameters<typeof runOnCluster>[0]);
    await expect(run).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
  });
  test('no options at all', async () => {
    await expect((runOnCluster as unknown as () => Promise<unknown>)()).rejects.toMatchObject({ code: 'ERR_LINREC_INVALID_TYPE' });
  });
});

test("a job's device is a name the API takes (a worker would refuse 'cuda:007' on every job)", () => {
  const files = jobFiles();
  const job = (device: string) => ({
    runId: '0123456789abcdef',
    protocol: PROTOCOL,
    version: VERSION,
    files,
    method: 'direct',
    reverse: false,
    device,
    chunk: null,
    part: { rows: [0, 1], steps: [0, 2] },
    initial: null,
    initialLog: null,
  });
  for (const device of ['auto', 'cpu', 'cuda', 'cuda:0', 'cuda:7', 'cuda:999']) expect(parseScanJob(job(device)).device).toBe(device);
  for (const device of ['cuda:007', 'cuda:01', 'cuda:1234', 'gpu'])
    expect(() => parseScanJob(job(device))).toThrow('malformed job: device: expected auto, cpu, cuda or cuda:N');
});

describe('segment maps with A in extended range (src/distributed/maps.ts)', () => {
  test('frexp and ldexp: exact powers of two, subnormals and huge values included', () => {
    const r = fresh();
    const values = [1, -1, 0.5, 3, Number.MAX_VALUE, -Number.MIN_VALUE, 2 ** -1074 * 12345, 2 ** -1022, 1e-310, 1e300];
    for (let i = 0; i < 2000; i++) values.push((r.uniform() - 0.5) * 2 ** Math.round((r.uniform() - 0.5) * 2000));
    for (const v of values) {
      if (v === 0) continue;
      const [m, e] = frexp(v);
      expect(Math.abs(m) >= 0.5 && Math.abs(m) < 1).toBe(true);
      expect(ldexp(m, e)).toBe(v); // exact round trip, normal or subnormal
      expect(ldexp(v, 0)).toBe(v);
    }
    expect(frexp(0)).toEqual([0, 0]);
    expect(frexp(Infinity)).toEqual([Infinity, 0]);
    expect(ldexp(0.75, 2000)).toBe(Infinity);
    expect(ldexp(0.75, -2000)).toBe(0);
    expect(ldexp(0.75, -1074)).toBe(2 ** -1074); // one rounding into the subnormals
    expect(ldexp(0.375, -1074)).toBe(0);
    expect(ldexp(0.5, 1024)).toBe(2 ** 1023);
  });

  test('rangeProduct: the product of a range as m·2^e where the type would leave its range', () => {
    const r = fresh();
    for (const [dtype, C] of [
      ['float32', Float32Array],
      ['float64', Float64Array],
    ] as const) {
      for (const [lo, hi] of [
        [0.5, 1], // decays far below the type's range
        [1, 2.5], // grows far beyond it
        [0.3, 3],
      ]) {
        const a = new C(5000).map(() => (lo + (hi - lo) * r.uniform()) * (r.uniform() < 0.5 ? -1 : 1));
        const p = rangeProduct(a, 100, 4100, dtype)!;
        let log2 = 0;
        let negative = false;
        for (let i = 100; i < 4100; i++) {
          log2 += Math.log2(Math.abs(a[i]));
          negative = negative !== a[i] < 0;
        }
        if (log2 < -(dtype === 'float32' ? 301 : 2151)) {
          expect(p).toEqual([0, 0]); // past the point where the loop has lost x's part
          continue;
        }
        expect(Math.abs(p[0]) >= 0.5 && Math.abs(p[0]) < 1).toBe(true);
        expect(p[0] < 0).toBe(negative);
        expect(Math.abs(Math.log2(Math.abs(p[0])) + p[1] - log2)).toBeLessThan(1e-8 * 4000);
      }
      const a = new C(100).fill(0.5);
      expect(rangeProduct(a, 0, 100, dtype)).toEqual([0.5, -99]);
      for (const special of [0, -0, Infinity, -Infinity, NaN]) {
        a[40] = special;
        expect(rangeProduct(a, 0, 100, dtype)).toBeNull(); // the engine's A stands (a reset, or the loop's own arithmetic)
      }
    }
  });

  test('RowMaps: the float64 composition, bit for bit, while A stays in range; applyMap after it', () => {
    const r = fresh();
    const maps = new RowMaps(4, 'float64');
    let A = 1;
    let B = 0;
    for (let k = 0; k < 50; k++) {
      const Am = 0.5 + r.uniform();
      const Bm = r.uniform() - 0.5;
      maps.then(0, Am, 0, Bm);
      B = Am * B + Bm;
      A = Am * A;
    }
    expect([maps.A[0], maps.E[0], maps.B[0]]).toEqual([A, 0, B]);
    expect(applyMap(maps.A[0], maps.E[0], maps.B[0], 3)).toBe(A * 3 + B);
    // A decay beyond double: kept as 0.75·2^-1500, so x = 2^1000 carries 0.75·2^-500.
    maps.then(1, 0.75, -1500, 0);
    expect([maps.A[1], maps.E[1], maps.exponent(1)]).toEqual([0.75, -1500, -1500]);
    expect(applyMap(maps.A[1], maps.E[1], 0, 2 ** 1000)).toBe(0.75 * 2 ** -500);
    // Past 2^-(1074+1024+53) x's part is gone in the loop: A is 0, and a later growth does not revive it.
    maps.then(1, 0.5, -700, 0.25);
    maps.then(1, 0.5, 3000, 0);
    expect([maps.A[1], maps.E[1], maps.exponents()]).toEqual([0, 0, null]);
    // A subnormal x meets the mantissa before the scaling (3·2^-1074 doubled 500 times: exact).
    maps.then(2, 0.5, 501, 0);
    expect(applyMap(maps.A[2], maps.E[2], maps.B[2], 3 * 2 ** -1074)).toBe(3 * 2 ** -574);
    // 0·inf (a reset, then a product that overflowed in the type) is a reset: A 0, as resetGuard.
    maps.then(3, 0, 0, 1);
    maps.then(3, Infinity, 0, 2);
    expect([maps.A[3], maps.B[3]]).toEqual([0, Infinity]);
    expect(new RowMaps(3, 'float32').exponents()).toBeNull();
  });

  test('applyMapWide: applyMap bit for bit in range; beyond float64 in logs, as the log method keeps x', () => {
    const L = Math.log;
    // In range: applyMap's bits, and log|x|.
    for (const [A, E, B, x] of [
      [0.75, 0, 3, -2],
      [0.5, 700, 1e-300, 3],
      [-1.5, 0, Infinity, 2],
      [0, 0, 1, Infinity],
    ])
      expect(applyMapWide(A, E, B, L(Math.abs(B)), x, L(Math.abs(x)))[0]).toBe(applyMap(A, E, B, x));
    // 1e200·1e200 + 1: beyond float64 (∞ with log 2·log 1e200), then back by 1e-300·1e-100.
    const [y, ly] = applyMapWide(1e200, 0, 1, 0, 1e200, L(1e200));
    expect(y).toBe(Infinity);
    expect(ly).toBeCloseTo(2 * L(1e200), 10);
    const [z, lz] = applyMapWide(1e-300, 0, 0, -Infinity, y, ly);
    expect(z / 1e100).toBeCloseTo(1, 12);
    expect(lz).toBeCloseTo(L(1e100), 10);
    // Signs, and a B beyond float64 that x cancels: -1e400 + (1e400 + 1e390) = 1e390 (beyond), and
    // a product below float64 (0 there) kept in logs.
    const lb = L(1e200) * 2 + Math.log1p(1e-10);
    const [c, lc] = applyMapWide(-1, 0, Infinity, lb, Infinity, 2 * L(1e200));
    expect(c).toBe(Infinity);
    expect(lc - lb).toBeCloseTo(L(1 - 1 / (1 + 1e-10)) - L(1), 3);
    const [d, ld] = applyMapWide(1e-200, 0, 0, -Infinity, 1e-200, L(1e-200));
    expect([d, ld / (2 * L(1e-200))]).toEqual([0, expect.closeTo(1, 12)]);
    // A mantissa and a power of two: 0.5·2^-3000·x from x = 2^3000 (beyond) is 0.5.
    expect(applyMapWide(0.5, -3000, 0, -Infinity, Infinity, 3000 * Math.LN2)[0]).toBeCloseTo(0.5, 12);
    // Non-finite inputs: the loop's arithmetic (an infinite A outweighs x beyond, NaN stays NaN).
    expect(applyMapWide(Infinity, 0, 1, 0, -Infinity, 1000)[0]).toBe(-Infinity);
    expect(applyMapWide(2, 0, NaN, NaN, Infinity, 1000)[0]).toBeNaN();
    expect(applyMapWide(2, 0, Infinity, Infinity, 0, -1000)[0]).toBe(Infinity);
    // Equal and opposite: 0.
    expect(applyMapWide(1, 0, -Infinity, 1000, Infinity, 1000)).toEqual([0, -Infinity]);
  });

  test("RowMaps with the 'log' range: no product from the segment's start is gone, and B beyond float64 composes in logs", () => {
    const m = new RowMaps(1, 'log');
    for (let i = 0; i < 12; i++) m.then(0, 0.5, -1000, 0); // A = 2^-12012: gone in float64's range, not in the log method's
    expect(m.A[0]).not.toBe(0);
    expect(m.E[0] + Math.log2(Math.abs(m.A[0]))).toBeCloseTo(-12012, 9);
    const b = new RowMaps(1, 'log');
    b.then(0, 1, 0, Infinity, 1000); // B = e^1000 (beyond float64), then ·1e-300 twice
    b.then(0, 1e-300, 0, 0);
    b.then(0, 1e-300, 0, 0);
    expect(b.B[0] / Math.exp(1000 - 600 * Math.LN10)).toBeCloseTo(1, 9);
    expect(new RowMaps(1, 'float64').BLog).toBeNull();
  });

  test('rangeProduct counts from the segment start: dead in float32 only where the whole product is', () => {
    const a = new Float32Array(400).fill(0.5); // 2^-400
    expect(rangeProduct(a, 0, 400, 'float32')).toEqual([0, 0]);
    expect(rangeProduct(a, 0, 200, 'float32', -150)).toEqual([0, 0]); // 2^-150 before, then 2^-200
    expect(rangeProduct(a, 0, 200, 'float32', 150)).toEqual([0.5, -199]); // 2^150 before: alive
    expect(rangeProduct(a, 0, 400, 'float64')).toEqual([0.5, -399]);
  });
});

// Review 21: a three-phase run with method 'log', its phases called as a worker calls them (no
// Redis needed). The carry across the parts was taken from the direct loop's B in the data's type
// and handed to a Scanner that rounded it to that type: a growth beyond float32 between the
// parts made every later x ∞ where the one-machine log method comes back.
describe("three phases with method 'log' keep a carry beyond the data's type (parts.ts, called directly)", () => {
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'linrec-parts-'));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  async function threePhases(a: Float32Array, v: Float32Array, cut: number, method: 'direct' | 'log'): Promise<F> {
    const n = a.length;
    fs.writeFileSync(path.join(root, 'a.npy'), encodeNpy(a));
    fs.writeFileSync(path.join(root, 'v.npy'), encodeNpy(v));
    fs.writeFileSync(path.join(root, 'x.npy.partial-1'), encodeNpy(new Float32Array(n + 1)));
    const [coeffsDigest, valuesDigest] = await Promise.all([sampledDigest(path.join(root, 'a.npy')), sampledDigest(path.join(root, 'v.npy'))]);
    const files = jobFiles({ n, coeffsDigest, valuesDigest });
    const ctx = { root: fs.realpathSync(root), threads: 1 };
    const common = { runId: '0123456789abcdef', files, method, reverse: false, device: 'cpu', chunk: null };
    const parts = [
      { rows: [0, 1] as [number, number], steps: [0, cut] as [number, number] },
      { rows: [0, 1] as [number, number], steps: [cut, n] as [number, number] },
    ];
    const aggregated = parseAggregateResult('m', await aggregatePart(parseAggregateJob({ ...common, part: parts[0], segment: 0 }), ctx), 1);
    const { carries } = composeCarries([aggregated], 2, 1, false);
    for (const [k, part] of parts.entries()) await scanPart(parseScanJob({ ...common, part, initial: carries[k] }), ctx);
    return decodeNpy(fs.readFileSync(path.join(root, 'x.npy.partial-1'))).data;
  }

  test('a growth beyond float32 in the first part (B from 0 overflows), a decay in the second', async () => {
    // x from x_0 = 0: 1e30, 1e60, 1e90, then back down by 1e-30 a step.
    const a = new Float32Array([1e30, 1e30, 1e30, 1e-30, 1e-30, 1e-30]);
    const v = new Float32Array([0, 1e30, 0, 0, 0, 0, 0]);
    const want = scan(a, v, { method: 'log' });
    expect(Array.from(want.subarray(5))).toEqual([Math.fround(1e30), 1]);
    const x = await threePhases(a, v, 3, 'log');
    expect(x[0]).toBe(0);
    for (const i of [1, 5, 6]) expect(x[i] / want[i]).toBeCloseTo(1, 5);
    expect(Array.from(x.subarray(2, 5))).toEqual([Infinity, Infinity, Infinity]);
    // The direct method keeps the loop's ∞, as one machine does.
    expect(Array.from((await threePhases(a, v, 3, 'direct')).subarray(2))).toEqual(Array.from(scan(a, v).subarray(2)));
  });

  test("jobs of protocol 1 (no protocol: a runner before protocol 2) are served with protocol 1's results; a newer protocol is refused with both versions", async () => {
    const a = new Float32Array([0.5, 2, 0.25, 4]);
    const v = new Float32Array([1, 1, 1, 1, 1]);
    fs.writeFileSync(path.join(root, 'a.npy'), encodeNpy(a));
    fs.writeFileSync(path.join(root, 'v.npy'), encodeNpy(v));
    fs.writeFileSync(path.join(root, 'x.npy.partial-1'), encodeNpy(new Float32Array(5)));
    const [coeffsDigest, valuesDigest] = await Promise.all([sampledDigest(path.join(root, 'a.npy')), sampledDigest(path.join(root, 'v.npy'))]);
    const files = jobFiles({ coeffsDigest, valuesDigest });
    const ctx = { root: fs.realpathSync(root), threads: 1 };
    const old = { runId: '0123456789abcdef', files, method: 'log', reverse: false, device: 'cpu', chunk: null, part: { rows: [0, 1], steps: [0, 2] } };
    // A protocol-1 runner takes exactly these fields of an aggregate (its parser refuses others).
    expect(Object.keys(await aggregatePart(parseAggregateJob({ ...old, segment: 0 }), ctx)).sort()).toEqual(['A', 'B', 'E', 'segment', 'x']);
    const now = { ...old, protocol: PROTOCOL, version: VERSION };
    expect(Object.keys(await aggregatePart(parseAggregateJob({ ...now, segment: 0 }), ctx)).sort()).toEqual([
      'A',
      'B',
      'BLog',
      'E',
      'protocol',
      'segment',
      'version',
      'x',
    ]);
    // A protocol-1 scan job has no initialLog; one of protocol 2 must have it.
    expect(parseScanJob({ ...old, initial: null }).initialLog).toBeUndefined();
    expect(() => parseScanJob({ ...now, initial: null })).toThrow('malformed job: job.initialLog: expected a value');
    expect(() => parseScanJob({ ...old, initial: null, initialLog: null })).toThrow('malformed job: job: expected only the fields');
    expect(() => parseScanJob({ ...now, initial: null, initialLog: 'AAAAAAAA8D8=' })).toThrow(
      "malformed job: initialLog: expected null (a log part goes with method 'log' and an initial)",
    );
    // A newer runner's job: refused, naming both versions and what to do.
    for (const parse of [parseScanJob, parseAggregateJob, parseCarriesJob])
      expect(() => parse({ ...now, protocol: PROTOCOL + 1, version: '9.9.9', initial: null, initialLog: null, segment: 0 })).toThrow(
        `job protocol ${PROTOCOL + 1} (runner linrec 9.9.9), but this worker is linrec ${VERSION}, protocol ${PROTOCOL}: upgrade the workers to the runner's version`,
      );
    expect(() => parseScanJob({ ...now, protocol: 'two', initial: null, initialLog: null })).toThrow(
      'malformed job: protocol: expected 2 (or none: protocol 1), received "two"',
    );
    expect(() => parseScanJob({ ...now, version: 'a b', initial: null, initialLog: null })).toThrow('malformed job: version: expected a linrec version');
  });

  test('x_0 beyond float32 in float64 (a product carried as a mantissa and a power of two, then the Scanner)', async () => {
    const a = new Float32Array([1e30, 1e30, 1e-30, 1e-30]);
    const v = new Float32Array([1, 0, 0, 0, 0]);
    const want = scan(a, v, { method: 'log' });
    const x = await threePhases(a, v, 2, 'log');
    expect(x[4] / want[4]).toBeCloseTo(1, 5);
    expect(x[3] / want[3]).toBeCloseTo(1, 5);
  });
});
