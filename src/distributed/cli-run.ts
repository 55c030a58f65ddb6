// `linrec run --redis URL`: the one-machine command's files and options, scanned by the
// workers that serve the queue. Files are named relative to the shared root (--root).
import { parse, positive, redisFlag, type UsageErrorOf } from './cli-args';
import { redisConnection } from './connection';
import { runOnCluster, type RunProgress } from './runner';
import type { Device } from '../backends';
import { RUN_OPTIONS } from '../run-files';

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
  const device =
    typeof o.device === 'string' && /^cuda:\d+$/.test(o.device) ? (o.device as Device) : choice('device', o.device, ['auto', 'cpu', 'cuda'] as const, usage);
  const bar = new ProgressBar();
  const controller = new AbortController();
  // The first signal stops the run cleanly (no temp file, no jobs left); a second one at once.
  const onSignal = () => (controller.signal.aborted ? process.exit(130) : controller.abort());
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  try {
    await runOnCluster({
      connection: redisConnection(redisFlag(o.redis, usage)),
      queue: typeof o.queue === 'string' ? o.queue : undefined,
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
      onProgress: (p) => bar.show(p),
      signal: controller.signal,
    });
  } catch (e) {
    if (!controller.signal.aborted) throw e;
    process.stderr.write("linrec: interrupted; the temporary output and the run's jobs were removed\n");
    return 130; // as the one-machine command
  } finally {
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
