// Test fixtures for the cluster suites: a real redis-server on a free loopback port with a
// temporary directory, and `linrec worker` / `linrec run` processes from dist/.
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export const CLI = path.join(__dirname, '..', 'dist', 'cli.js');

/** Whether redis-server is installed (the suites skip, saying so, when it is not). */
export const HAVE_REDIS = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).status === 0;
if (!HAVE_REDIS) console.warn('redis-server is not installed: the cluster tests are skipped (apt-get install redis-server)');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A job's `files` as a runner sends them: a.npy and v.npy in, x.npy.partial-1 out, one float32 row
 * of 4 steps; `over` replaces any field (a suite with real inputs passes their sampled digests).
 */
export function jobFiles<T extends Record<string, unknown>>(over: T = {} as T) {
  const digest = '0'.repeat(32);
  return {
    coeffs: 'a.npy',
    values: 'v.npy',
    out: 'x.npy.partial-1',
    format: 'npy' as const,
    dtype: 'float32' as const,
    rows: 1,
    n: 4,
    coeffsDigest: digest,
    valuesDigest: digest,
    ...over,
  };
}

export interface Redis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** redis-server on 127.0.0.1 only, no persistence, optionally with a password. */
export async function startRedis(password?: string): Promise<Redis> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linrec-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  if (password) args.push('--requirepass', password);
  const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout!.on('data', (d) => (log += d));
  proc.stderr!.on('data', (d) => (log += d));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!/Ready to accept connections/.test(log)) {
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`redis-server did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      proc.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface WorkerProcess {
  proc: ChildProcess;
  log: () => string;
  stop(): Promise<number | null>;
}

/** `linrec worker` with short lock times, so that a killed worker's job moves on quickly. */
export async function startWorker(url: string, root: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<WorkerProcess> {
  const args = [CLI, 'worker', '--redis', url, '--root', root, '--threads', '1', '--lock-duration', '1500', '--stalled-interval', '1000', ...extra];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let log = '';
  proc.stderr!.on('data', (d) => (log += d));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 20_000;
  while (!/serving queue/.test(log)) {
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`linrec worker did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    proc,
    log: () => log,
    async stop() {
      // Once signalled, the worker is on its way out: a second SIGTERM could land while Node tears
      // down its signal handlers and kill it by signal (exit code null) instead of its own exit.
      if (proc.exitCode === null && proc.signalCode === null && !proc.killed) proc.kill('SIGTERM');
      return exited;
    },
  };
}

/** `linrec <args>` as a child process. */
export function linrec(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => (stdout += d));
    proc.stderr.on('data', (d) => (stderr += d));
    proc.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Describe or skip (visibly) when redis-server is missing. */
export const describeCluster = HAVE_REDIS ? describe : describe.skip;
