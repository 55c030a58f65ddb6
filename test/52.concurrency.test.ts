// Concurrency: many overlapping async calls, and the addon used from several worker_threads at
// once (each loads its own copy of the addon in its own environment), then the workers
// terminated mid-flight and the addon used again; and a process that used them ends by itself.
// The workers and the process require the built dist/index.js (`npm run prepare`).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { aggregateAsync, createScanner, logScanAsync, scan, scanAsync, sequential } from '../src';
import { mixedError } from '../src/yardstick';
import { mulberry32, seedFor } from './seed';

const DIST = path.resolve(__dirname, '..', 'dist', 'index.js');
const YARDSTICK = path.resolve(__dirname, '..', 'dist', 'yardstick.js');

// Data and worker streams derive from the run's seed (test/seed.ts).
const rng = (stream: number) => mulberry32(seedFor(`52.concurrency ${stream}`));

function data(n: number, seed: number, f64: boolean) {
  const r = rng(seed);
  const C = f64 ? Float64Array : Float32Array;
  const a = new C(n);
  const b = new C(n + 1);
  for (let i = 0; i < n; i++) a[i] = 2 * r() - 1;
  for (let i = 0; i <= n; i++) b[i] = 2 * r() - 1;
  return { a, b };
}

const bitwise = (x: ArrayBufferView, y: ArrayBufferView) =>
  Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));

const closeTo = (x: ArrayLike<number>, ref: ArrayLike<number>, tol: number): boolean => mixedError(x, ref) <= tol;

test('64 overlapping scanAsync calls of different sizes are all correct', async () => {
  const sizes = Array.from({ length: 64 }, (_, k) => [0, 1, 7, 1041, 8321, 65_537, 150_000, 3000][k % 8] + k);
  const jobs = sizes.map((n, k) => {
    const f64 = k % 3 === 0;
    const { a, b } = data(n, k + 1, f64);
    const method = k % 4 === 1 ? ('log' as const) : ('direct' as const);
    const reverse = k % 5 === 2;
    const threads = 1 + (k % 4);
    return { n, a, b, method, reverse, threads, f64, p: scanAsync(a, b, { method, reverse, threads }) };
  });
  // A sync call and a Scanner in the middle of it all.
  const sc = createScanner({ initial: 1 });
  const pushed = sc.pushAsync(new Float32Array(100_000).fill(1), new Float32Array(100_000).fill(1));
  const agg = aggregateAsync(new Float64Array(100_000).fill(0.5), new Float64Array(100_000).fill(1));
  const logs = logScanAsync(new Float64Array(70_000).fill(0), new Float64Array(70_001).fill(0));
  const mid = data(90_000, 999, false);
  const midX = scan(mid.a, mid.b);
  expect(closeTo(midX, sequential(mid.a, mid.b), 1e-4)).toBe(true);

  const results = await Promise.all(jobs.map((j) => j.p));
  results.forEach((x, k) => {
    const j = jobs[k];
    // Deterministic: the async result is bitwise the sync one; and it is right.
    expect(bitwise(x, scan(j.a, j.b, { method: j.method, reverse: j.reverse, threads: 2 }))).toBe(true);
    expect(closeTo(x, sequential(j.a, j.b, { reverse: j.reverse }), j.f64 ? 1e-11 : 1e-4)).toBe(true);
  });
  expect(((await pushed) as Float32Array)[99_999]).toBe(100_001);
  const g = await agg;
  expect(g.A[0]).toBe(0); // 0.5^100000 underflows
  expect(g.B[0]).toBeCloseTo(2, 12);
  const l = await logs; // all logs 0: x_t = x_{t-1} + 1 from x_0 = 1, so log|x_t| = log(t + 1)
  expect(l.logAbs[70_000]).toBeCloseTo(Math.log(70_001), 9);
});

describe('worker_threads', () => {
  let dir: string;
  let script: string;
  beforeAll(() => {
    if (!fs.existsSync(DIST)) throw new Error(`${DIST} is missing: run \`npm run prepare\` first`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linrec-workers-'));
    script = path.join(dir, 'worker.js');
    fs.writeFileSync(
      script,
      `'use strict';
const { parentPort, workerData } = require('worker_threads');
const linrec = require(${JSON.stringify(DIST)});
const { mixedError } = require(${JSON.stringify(YARDSTICK)});
const { seed, rounds, forever, asyncOnly } = workerData;
let s = seed >>> 0;
const r = () => { s = (s + 0x6d2b79f5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
async function main() {
  let ok = 0, bad = 0;
  for (let k = 0; forever || k < rounds; k++) {
    const n = asyncOnly ? 200000 : [10, 1041, 70000, 200000, 5000][k % 5];
    const C = k % 2 ? Float64Array : Float32Array;
    const a = new C(n), b = new C(n + 1);
    for (let i = 0; i < n; i++) a[i] = 2 * r() - 1;
    for (let i = 0; i <= n; i++) b[i] = 2 * r() - 1;
    const x = k % 3 && !asyncOnly ? linrec.scan(a, b, { threads: 1 + (k % 3) }) : await linrec.scanAsync(a, b);
    const ref = linrec.sequential(a, b);
    const good = mixedError(x, ref) <= (C === Float32Array ? 1e-4 : 1e-11);
    good ? ok++ : bad++;
    if (!forever) continue;
    parentPort.postMessage({ progress: k });
  }
  parentPort.postMessage({ ok, bad });
}
main().catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));
`,
    );
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('several workers scan at once, each checking its results', async () => {
    const workers = Array.from(
      { length: 4 },
      (_, i) => new Worker(script, { workerData: { seed: seedFor(`52.worker ${i + 1}`), rounds: 12, forever: false } }),
    );
    const results = await Promise.all(
      workers.map(
        (w) =>
          new Promise<{ ok: number; bad: number }>((resolve, reject) => {
            w.on('message', (m) => (m.error ? reject(new Error(m.error)) : resolve(m)));
            w.on('error', reject);
            w.on('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
          }),
      ),
    );
    expect(results).toEqual(Array(4).fill({ ok: 12, bad: 0 }));
    await Promise.all(workers.map((w) => w.terminate()));
  });

  // Runs in a child process: a crash there (abort) shows up as an exit status instead of taking
  // the jest worker down.
  const terminateMidFlight = () => {
    const parent = path.join(dir, 'terminate.js');
    fs.writeFileSync(
      parent,
      `'use strict';
const { Worker } = require('worker_threads');
const linrec = require(${JSON.stringify(DIST)});
const script = ${JSON.stringify(script)};
(async () => {
  for (let round = 0; round < 5; round++) {
    const workers = Array.from({ length: 4 }, (_, i) => new Worker(script, { workerData: { seed: ${seedFor('52.terminate')} + 10 * round + i, rounds: 0, forever: true, asyncOnly: true } }));
    // Wait until each has done some work, so async jobs are in flight at termination.
    await Promise.all(workers.map((w) => new Promise((resolve, reject) => {
      w.on('message', (m) => (m.error ? reject(new Error(m.error)) : m.progress >= 3 && resolve()));
      w.on('error', reject);
    })));
    await Promise.all(workers.map((w) => w.terminate()));
  }
  // The main thread's addon is unaffected.
  const n = 150000;
  const a = new Float32Array(n).map((_, i) => Math.cos(i)), b = new Float32Array(n + 1).map((_, i) => Math.sin(i));
  const x = await linrec.scanAsync(a, b);
  const y = linrec.scan(a, b, { threads: 3 });
  if (!Buffer.from(x.buffer).equals(Buffer.from(y.buffer))) throw new Error('async and sync results differ');
  const ref = linrec.sequential(a, b);
  for (let i = 0; i <= n; i++) if (Math.abs(x[i] - ref[i]) > 1e-4 * (Math.abs(ref[i]) + 1)) throw new Error('wrong x[' + i + ']');
  // And a fresh worker can load and use it again.
  const again = new Worker(script, { workerData: { seed: ${seedFor('52.worker 7')}, rounds: 5, forever: false } });
  const res = await new Promise((resolve, reject) => { again.on('message', resolve); again.on('error', reject); });
  await again.terminate();
  if (res.ok !== 5 || res.bad !== 0) throw new Error('fresh worker: ' + JSON.stringify(res));
  console.log('OK');
})().catch((e) => { console.error(e); process.exit(1); });
`,
    );
    const res = spawnSync(process.execPath, [parent], { encoding: 'utf8', timeout: 100_000 });
    expect({ status: res.status, signal: res.signal, stderr: res.stderr.trim(), stdout: res.stdout.trim() }).toEqual({
      status: 0,
      signal: null,
      stderr: '',
      stdout: 'OK',
    });
  };
  const title = 'workers terminated mid-flight (async jobs running), then the addon still works';
  test(title, terminateMidFlight, 120_000);
});

// A script that used the async API has nothing left to do and ends, promptly: nothing that linrec
// keeps (the engine's pooled threads, libuv's pool, the promises' references, a stream's scanner,
// the addon loaded in a worker thread) holds its event loop open, whether its calls succeeded or
// failed. jest's "A worker process has failed to exit gracefully" was not that (jest.config.js,
// workerGracefulExitTimeout).
test('a script that used the async API, a scan stream and a worker thread ends by itself once its work is done', () => {
  const script = `'use strict';
const { Readable, Writable } = require('stream');
const { pipeline } = require('stream/promises');
const { Worker } = require('worker_threads');
const dist = ${JSON.stringify(DIST)};
const linrec = require(dist);
const n = 300000; // past the inline bound: the calls run on libuv's pool and the engine's threads
const a = new Float32Array(n).fill(0.999), b = new Float32Array(n + 1).fill(1);
(async () => {
  await Promise.all([
    linrec.scanAsync(a, b, { threads: 4 }),
    linrec.scanAsync(Float64Array.from(a), Float64Array.from(b), { method: 'log', threads: 2 }),
    linrec.aggregateAsync(a, b.subarray(1)),
    linrec.logScanAsync(new Float64Array(n), new Float64Array(n + 1)),
  ]);
  await linrec.scanAsync(a, b.subarray(1)).catch(() => {}); // a rejected call (b one short)
  linrec.scan(a, b, { threads: 3 });
  const scanner = linrec.createScanner();
  await scanner.pushAsync(a, b.subarray(1));
  const chunk = () => ({ coeffs: a.subarray(0, 1000), values: b.subarray(0, 1000) });
  await pipeline(Readable.from([chunk(), chunk()]), linrec.createScanStream(), new Writable({ objectMode: true, write: (_x, _e, cb) => cb() }));
  for await (const x of linrec.scanIterable([chunk()])) void x;
  // What keeps this process's event loop open now (Node's handles, requests and timers).
  await new Promise(setImmediate);
  console.log(JSON.stringify({ active: process.getActiveResourcesInfo() }));
  // The addon in a worker thread, which ends by itself too; then when the process exits.
  await new Promise((resolve, reject) => {
    const w = new Worker('require(' + JSON.stringify(dist) + ').scanAsync(new Float64Array(3e5).fill(0.5), new Float64Array(3e5 + 1).fill(1))', { eval: true });
    w.on('exit', resolve).on('error', reject);
  });
  process.on('exit', () => console.log(JSON.stringify({ exiting: Date.now() })));
})().catch((e) => { console.error(e); process.exitCode = 1; });
`;
  // Its output to a file: pipes would be handles of its own (process.stdout, process.stderr).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linrec-exit-'));
  const output = path.join(dir, 'output.txt');
  const fd = fs.openSync(output, 'w');
  try {
    const res = spawnSync(process.execPath, ['-e', script], { stdio: ['ignore', fd, fd], timeout: 30_000 });
    const ended = Date.now();
    const lines = fs.readFileSync(output, 'utf8').split('\n').filter(Boolean);
    const report: { active?: string[]; exiting?: number } = Object.assign({}, ...lines.filter((l) => l.startsWith('{"')).map((l) => JSON.parse(l)));
    expect({ status: res.status, signal: res.signal, output: lines.filter((l) => !l.startsWith('{"')), active: report.active }).toEqual({
      status: 0,
      signal: null,
      output: [],
      active: [],
    });
    // From its 'exit' event to its end: ~30 ms here; a handle kept open would hold it to the timeout.
    expect(ended - report.exiting!).toBeLessThan(5_000);
  } finally {
    fs.closeSync(fd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
