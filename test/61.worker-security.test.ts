// Least privilege for `linrec worker`: jobs put on the queue by hand (bypassing `linrec run`)
// that name '../' paths, absolute paths outside the root, symlinks out of it, or malformed
// payloads are refused with a clear message; nothing outside the root changes; the same
// worker then completes a good run. Redis here needs a password, given only by environment.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Queue } from 'bullmq';
import { decodeNpy, encodeNpy, encodeNpyHeader } from '../src/npy';
import { sequential } from '../src/index';
import { redisConnection } from '../src/distributed';
import { sampledDigest } from '../src/distributed/digest';
import { describeCluster, jobFiles, linrec, startRedis, startWorker, type Redis, type WorkerProcess } from './cluster';
import { fresh, mixedError, reference, signedProblem, type F } from './helpers';

const PASSWORD = 'test-' + Math.random().toString(36).slice(2);
const ENV = { LINREC_REDIS_PASSWORD: PASSWORD };

let base: string;
let root: string;
let outside: string;
let redis: Redis;
let worker: WorkerProcess;
let queue: Queue;
let problem: { a: F; v: F };

/** Every file outside the root, with its bytes' hash and mtime. */
function snapshot(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .sort()
    .map((f) => {
      const p = path.join(dir, f);
      const st = fs.lstatSync(p);
      return `${f} ${st.isFile() ? createHash('sha256').update(fs.readFileSync(p)).digest('hex') : 'dir'} ${st.mtimeMs}`;
    });
}

// The inputs' sampled digests, as a runner sends them (set in beforeAll).
let coeffsDigest = '';
let valuesDigest = '';
const files = (over: Record<string, unknown> = {}) => jobFiles({ n: 100, coeffsDigest, valuesDigest, ...over });
const scanJob = (over: Record<string, unknown> = {}) => ({
  runId: '0123456789abcdef',
  files: files(),
  method: 'direct',
  reverse: false,
  device: 'cpu',
  part: { rows: [0, 1], steps: [0, 100] },
  chunk: null,
  initial: null,
  ...over,
});

/**
 * Adds a job by hand and returns the reason it failed (it must fail, once: no retries). The job's
 * state is polled, as the runner does (src/distributed/runner.ts), not awaited through QueueEvents:
 * a QueueEvents reads its stream from the moment of its first read, so the failure of a job taken
 * at once by a worker could land before it and never arrive (1 run in 6 hung here).
 */
async function refusal(name: string, data: unknown): Promise<string> {
  const job = await queue.add(name, data, { attempts: 3 });
  for (let state = await job.getState(); state !== 'failed' && state !== 'completed'; state = await job.getState()) await new Promise((r) => setTimeout(r, 20));
  const after = await queue.getJob(job.id!);
  expect(after?.attemptsMade).toBe(1);
  return after?.finishedOn && !after.failedReason ? 'completed?!' : (after?.failedReason ?? 'gone?!');
}

describeCluster('linrec worker --root: least privilege', () => {
  beforeAll(async () => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'linrec-sec-'));
    root = path.join(base, 'root');
    outside = path.join(base, 'outside');
    fs.mkdirSync(root);
    fs.mkdirSync(outside);
    problem = signedProblem(Float32Array, 1, 100, fresh().uniform);
    const { a, v } = problem;
    for (const dir of [root, outside]) {
      fs.writeFileSync(path.join(dir, 'a.npy'), encodeNpy(a));
      fs.writeFileSync(path.join(dir, 'v.npy'), encodeNpy(v));
    }
    [coeffsDigest, valuesDigest] = await Promise.all(['a.npy', 'v.npy'].map((f) => sampledDigest(path.join(root, f))));
    // Outside the root: a file shaped like a run's temp output, which a job must not write.
    const victim = Buffer.concat([encodeNpyHeader('float32', [101]), Buffer.alloc(404, 7)]);
    fs.writeFileSync(path.join(outside, 'x.npy.partial-1'), victim);
    fs.symlinkSync(path.join(outside, 'x.npy.partial-1'), path.join(root, 'link.npy.partial-1'));
    fs.symlinkSync(path.join(outside, 'a.npy'), path.join(root, 'a-link.npy'));
    fs.symlinkSync(outside, path.join(root, 'dir-link'));
    fs.linkSync(path.join(outside, 'x.npy.partial-1'), path.join(root, 'hard.npy.partial-1'));
    redis = await startRedis(PASSWORD);
    worker = await startWorker(redis.url, root, ['--queue', 'sec'], ENV);
    const connection = redisConnection(redis.url, ENV);
    queue = new Queue('sec', { connection });
  });
  afterAll(async () => {
    await queue?.close();
    await worker?.stop();
    await redis?.stop();
    fs.rmSync(base, { recursive: true, force: true });
  });

  test('jobs naming paths out of the root are refused; nothing outside changes; the worker then serves a good run', async () => {
    const before = snapshot(outside);
    const cases: [string, unknown, RegExp][] = [
      ['../ output', scanJob({ files: files({ out: '../outside/x.npy.partial-1' }) }), /refused: files\.out .* holds '\.\.'/],
      ['../ input', scanJob({ files: files({ coeffs: 'sub/../../outside/a.npy' }) }), /refused: files\.coeffs .* holds '\.\.'/],
      ['absolute output', scanJob({ files: files({ out: path.join(outside, 'x.npy.partial-1') }) }), /refused: files\.out .* is an absolute path/],
      ['absolute input', scanJob({ files: files({ values: path.join(outside, 'v.npy') }) }), /refused: files\.values .* is an absolute path/],
      [
        'symlinked output',
        scanJob({ files: files({ out: 'link.npy.partial-1' }) }),
        /refused: files\.out "link\.npy\.partial-1" resolves to .*, outside the worker's root/,
      ],
      ['symlinked input', scanJob({ files: files({ coeffs: 'a-link.npy' }) }), /refused: files\.coeffs "a-link\.npy" resolves to .*outside/],
      ['symlinked directory', scanJob({ files: files({ out: 'dir-link/x.npy.partial-1' }) }), /refused: files\.out .* outside the worker's root/],
      ['hard-linked output', scanJob({ files: files({ out: 'hard.npy.partial-1' }) }), /refused: files\.out "hard\.npy\.partial-1" has 2 names/],
      ['a finished file as output', scanJob({ files: files({ out: 'a.npy' }) }), /malformed job: files\.out: expected a run's temporary output/],
      ['an unknown field', scanJob({ shell: 'rm -rf /' }), /malformed job: job: expected only the fields/],
      ['a bad type', scanJob({ part: { rows: [0, 1], steps: [0, '100'] } }), /malformed job: part\.steps\[1\]: expected an integer/],
      ['rows out of range', scanJob({ part: { rows: [0, 2], steps: [0, 100] } }), /malformed job: part\.rows\[1\]: expected an integer in \[0, 1\]/],
      ['a bad run id', scanJob({ runId: '../../etc' }), /malformed job: runId/],
      ['a bad digest', scanJob({ files: files({ valuesDigest: 'xyz' }) }), /malformed job: files\.valuesDigest: expected 32 hex digits/],
      ['bad carries', scanJob({ initial: 'AAAA' }), /malformed job: initial: expected 1 float64 values/],
      ['an unknown job', { cmd: 'x' }, /malformed job: unknown job name "exec"/],
      [
        'carries without children',
        { runId: '0123456789abcdef', reverse: false, rows: 1, segments: 2 },
        /malformed job: the carries need segment 0's aggregate/,
      ],
    ];
    for (const [what, data, message] of cases) {
      const reason = await refusal(what === 'an unknown job' ? 'exec' : what.startsWith('carries') ? 'carries' : 'scan', data);
      if (!message.test(reason)) throw new Error(`${what}: ${reason}`);
    }
    expect(snapshot(outside)).toEqual(before);
    expect(worker.proc.exitCode).toBeNull();
    expect(worker.log()).toMatch(/refused: files\.out "\.\.\/outside/);

    // The same worker completes a good run.
    const r = await linrec(
      ['run', '--coeffs', 'a.npy', '--values', 'v.npy', '--out', 'x.npy', '--redis', redis.url, '--queue', 'sec', '--segments', '2'],
      root,
      ENV,
    );
    expect([r.status, r.stderr]).toEqual([0, '']);
    const x = decodeNpy(fs.readFileSync(path.join(root, 'x.npy'))).data;
    const ref = reference(problem.a, problem.v);
    expect(mixedError(x, ref)).toBeLessThanOrEqual(4 * mixedError(sequential(problem.a, problem.v), ref) + 1e-6);
    expect(snapshot(outside)).toEqual(before);
  });

  test('run --redis refuses files that the workers could not reach, before queueing anything', async () => {
    const counts = async () => Object.values(await queue.getJobCounts()).reduce((s, c) => s + c, 0);
    const before = await counts();
    for (const args of [
      ['--coeffs', '../outside/a.npy', '--values', 'v.npy', '--out', 'z.npy'],
      ['--coeffs', 'a.npy', '--values', 'v.npy', '--out', path.join(outside, 'z.npy')],
      ['--coeffs', 'a-link.npy', '--values', 'v.npy', '--out', 'z.npy'],
    ]) {
      const r = await linrec(['run', ...args, '--redis', redis.url, '--queue', 'sec'], root, ENV);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^linrec: (--)?(coeffs|out) .* is outside the shared root .*: workers could not reach it/);
    }
    expect(await counts()).toBe(before);
    expect(fs.existsSync(path.join(outside, 'z.npy'))).toBe(false);
  });

  test('credentials: never on the command line; from the environment or the URL; a wrong one fails at once', async () => {
    const withPassword = redis.url.replace('redis://', `redis://default:${PASSWORD}@`);
    const r = await linrec(['run', '--coeffs', 'a.npy', '--values', 'v.npy', '--out', 'p.npy', '--redis', withPassword], root);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--redis must not hold a password (other users can read command lines with ps): set LINREC_REDIS_PASSWORD');
    expect(r.stderr).not.toContain(PASSWORD);
    // A wrong password fails the run at once, before any file is made, and stops a worker.
    const wrong = await linrec(['run', '--coeffs', 'a.npy', '--values', 'v.npy', '--out', 'p.npy', '--redis', redis.url], root, {
      LINREC_REDIS_PASSWORD: 'wrong',
    });
    expect([wrong.status, wrong.stderr]).toEqual([
      1,
      `linrec: Redis at 127.0.0.1:${redis.port} refused the credentials: WRONGPASS invalid username-password pair or user is disabled.\n`,
    ]);
    expect(fs.readdirSync(root).filter((f) => f.startsWith('p.npy'))).toEqual([]);
    const wrongWorker = await linrec(['worker', '--redis', redis.url], root, { LINREC_REDIS_PASSWORD: 'wrong' });
    expect(wrongWorker.status).toBe(1);
    expect(wrongWorker.stderr).toContain('refused the credentials');
    // The whole URL from LINREC_REDIS_URL (a worker needs no --redis then).
    const viaUrl = await startWorker('', root, ['--queue', 'sec-url'], { LINREC_REDIS_URL: withPassword }).catch((e) => e as Error);
    // startWorker passes '--redis ""': an empty flag falls back to LINREC_REDIS_URL.
    if (viaUrl instanceof Error) throw viaUrl;
    await viaUrl.stop();
    expect(redisConnection('rediss://u:p%40ss@example.org:7000/2', {})).toEqual({
      host: 'example.org',
      port: 7000,
      db: 2,
      username: 'u',
      password: 'p@ss',
      tls: { servername: 'example.org' },
      maxRetriesPerRequest: null,
    });
    expect(redisConnection(undefined, { LINREC_REDIS_URL: 'redis://h', LINREC_REDIS_USERNAME: 'me', LINREC_REDIS_PASSWORD: 'pw' })).toMatchObject({
      host: 'h',
      port: 6379,
      username: 'me',
      password: 'pw',
    });
    expect(() => redisConnection('http://h', {})).toThrow(/unsupported Redis URL scheme 'http:'/);
  });
});
