// `linrec run --redis URL`: the one-machine command's files and options, scanned by the
// workers that serve the queue. Files are named relative to the shared root (--root).
import { deviceFlag, parse, positive, redisFlag, type UsageErrorOf } from './cli-args';
import { DEFAULT_QUEUE } from './bullmq';
import { redisConnection } from './connection';

const WAIT_NOTICE_S = Number(process.env.LINREC_WAIT_NOTICE_S ?? 10);
import { plainError } from '../errors';
import { runFilesOnCluster, type RunProgress } from './runner';
import { RUN_OPTIONS, type RunFileErrors } from '../run-files';

function choice<T extends string>(name: string, value: string | boolean | undefined, allowed: readonly T[], usage: UsageErrorOf): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value))
    throw usage(`--${name} must be one of ${allowed.join(', ')} (received '${value}')`);
  return value as T;
}

export async function runClusterCommand(args: string[], usage: UsageErrorOf): Promise<number> {
  const o = parse(
    args,
    {
      ...RUN_OPTIONS,
      redis: { type: 'string' },
      segments: { type: 'string' },
      root: { type: 'string' },
      queue: { type: 'string' },
    },
    usage,
  );
  for (const required of ['coeffs', 'values', 'out', 'redis'] as const) if (typeof o[required] !== 'string') throw usage(`run needs --${required}`);
  if (o.threads !== undefined) throw usage('--threads is a worker option with --redis (linrec worker --threads T)');
  const device = deviceFlag(o.device, usage);
  let connection: ReturnType<typeof redisConnection>;
  try {
    connection = redisConnection(redisFlag(o.redis, usage));
  } catch (e) {
    // A URL that is not a Redis URL is a usage mistake (exit 2), as on the command line it is.
    if ((e as { code?: string }).code === 'ERR_LINREC_INVALID_VALUE') throw usage(`--redis: ${(e as Error).message}`);
    throw e;
  }
  // The files' errors as the one-machine command gives them: --names, an --out of another format a usage mistake.
  const errors: RunFileErrors = { optionPrefix: '--', layout: (m) => plainError('ERR_LINREC_FORMAT', m), format: usage };
  const bar = new ProgressBar();
  const controller = new AbortController();
  // The first signal stops the run cleanly (no temp file, no jobs left); a second one at once.
  // Exit codes as the one-machine command's: 130 after SIGINT, 143 after SIGTERM.
  let signalled: NodeJS.Signals | undefined;
  const exitCode = () => (signalled === 'SIGTERM' ? 143 : 130);
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(exitCode());
    signalled = signal;
    controller.abort();
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  // A run that no worker serves waits for one: say so once, rather than waiting in silence.
  const queue = typeof o.queue === 'string' ? o.queue : DEFAULT_QUEUE;
  let progressed = false;
  const waiting = setTimeout(() => {
    if (!progressed)
      process.stderr.write(
        `linrec: no job has made progress in ${WAIT_NOTICE_S} s; the run waits for workers serving queue '${queue}' on this Redis (linrec worker --queue ${queue})\n`,
      );
  }, WAIT_NOTICE_S * 1000);
  try {
    await runFilesOnCluster(
      {
        connection,
        queue,
        root: typeof o.root === 'string' ? o.root : undefined,
        coeffs: o.coeffs as string,
        values: o.values as string,
        out: o.out as string,
        rows: positive('rows', o.rows, usage),
        dtype: choice('dtype', o.dtype, ['float32', 'float64'] as const, usage),
        method: choice('method', o.method, ['direct', 'log'] as const, usage),
        reverse: o.reverse === true,
        device,
        segments: positive('segments', o.segments, usage),
        chunk: positive('chunk', o.chunk, usage),
        onProgress: (p) => {
          progressed = true;
          bar.show(p);
        },
        onWarning: (message) => process.stderr.write(`linrec: warning: ${message}\n`),
        signal: controller.signal,
      },
      errors,
    );
  } catch (e) {
    if (!controller.signal.aborted) throw e;
    process.stderr.write("linrec: interrupted; the temporary output and the run's jobs were removed\n");
    return exitCode();
  } finally {
    clearTimeout(waiting);
    bar.done();
    process.removeListener('SIGINT', onSignal).removeListener('SIGTERM', onSignal);
  }
  return 0;
}

/** A progress bar on stderr from the jobs' progress, only when stderr is a terminal. */
class ProgressBar {
  private last = 0;
  private readonly tty = process.stderr.isTTY === true;
  show(p: RunProgress): void {
    const now = Date.now();
    if (!this.tty || now - this.last < 100) return;
    this.last = now;
    const frac = p.total ? p.steps / p.total : 1;
    const filled = Math.round(frac * 30);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${(frac * 100).toFixed(1)}% · ${p.partsDone}/${p.parts} jobs`);
  }
  done(): void {
    if (this.tty && this.last) process.stderr.write('\r\x1b[K');
  }
}
