// A BullMQ worker that serves linrec jobs. Every payload is validated and every path confined
// to the root before any file is touched; a refused or malformed job fails for good (no
// retries) with a message that the run that sent it reports, and the worker keeps serving.
import type { Job as BullJob, Worker } from 'bullmq';
import { loadBullmq, probe, DEFAULT_QUEUE } from './bullmq';
import { redisConnection, type RedisConnectionOptions } from './connection';
import {
  encodeF64,
  encodeLog,
  endedKey,
  made,
  parseAggregateJob,
  parseAggregateResult,
  parseCarriesJob,
  parseScanJob,
  PayloadError,
  workerName,
  type CarriesResult,
  type ScanResult,
} from './jobs';
import { aggregatePart, composeCarries, scanPart, type PartContext } from './parts';
import { realRoot } from './paths';
import { performance } from 'perf_hooks';

export interface WorkerOptions {
  /** A Redis URL (credentials from LINREC_REDIS_* when absent), or ioredis options. */
  connection?: string | RedisConnectionOptions;
  queue?: string;
  /** Files outside this directory (symlinks followed) are refused. Default: the working directory. */
  root?: string;
  /** Jobs at once (default 1). */
  concurrency?: number;
  /** CPU threads per job (default: all cores). */
  threads?: number;
  /** How long a job's lock lasts without renewal: a worker dead this long loses its job (ms, default 30000). */
  lockDuration?: number;
  /** How often stalled jobs are looked for (ms, default 30000). */
  stalledInterval?: number;
  /** One line per event worth logging (refused jobs, failures); default: none. */
  log?: (line: string) => void;
  /** Also log every job done, with its time on this worker. */
  verbose?: boolean;
}

// Errors that retrying cannot fix: the job fails at once and fails its run.
const PERMANENT = new Set([
  'ERR_LINREC_INVALID_VALUE',
  'ERR_LINREC_FORMAT',
  'ERR_LINREC_INVALID_TYPE',
  'ERR_LINREC_LENGTH_MISMATCH',
  'ERR_LINREC_DTYPE_MISMATCH',
]);

/** Starts serving; close() (what SIGTERM should call) lets the jobs in progress finish. */
export async function startWorker(options: WorkerOptions = {}): Promise<Worker> {
  const { Worker: BullWorker, UnrecoverableError, Job } = loadBullmq();
  const root = await realRoot(options.root ?? process.cwd());
  const log = options.log ?? (() => {});
  const connection = typeof options.connection === 'object' ? options.connection : redisConnection(options.connection);

  const processor = async (job: BullJob): Promise<unknown> => {
    let lastReport = 0;
    const ctx: PartContext = {
      root,
      threads: options.threads,
      progress: (steps) => {
        const now = Date.now();
        if (now - lastReport < 200) return;
        lastReport = now;
        job.updateProgress(steps).catch(() => {});
      },
    };
    const t0 = performance.now();
    try {
      const result = await serve(job, ctx);
      if (options.verbose) log(`job ${job.id} (${job.name}) done in ${(performance.now() - t0).toFixed(1)} ms`);
      return result;
    } catch (e) {
      const err = e as Error & { code?: string };
      const permanent = err instanceof PayloadError || (err.code !== undefined && PERMANENT.has(err.code));
      log(`job ${job.id} (${job.name}) ${permanent ? 'refused' : 'failed'}: ${err.message}`);
      throw permanent ? new UnrecoverableError(err.message) : err;
    }
  };

  async function serve(job: BullJob, ctx: PartContext): Promise<unknown> {
    switch (job.name) {
      case 'aggregate':
        return aggregatePart(parseAggregateJob(job.data), ctx);
      case 'scan': {
        const data = parseScanJob(job.data);
        const last = await scanPart(data, ctx);
        const result: ScanResult = { rows: data.part.rows, steps: data.part.steps, last: encodeF64(last.x) };
        // A protocol-1 runner's job: its result as it was (the log part is protocol 2's).
        return data.protocol === undefined ? result : { ...made(), ...result, lastLog: encodeLog(last.x, last.log) };
      }
      case 'carries': {
        const data = parseCarriesJob(job.data);
        const children = Object.entries(await job.getChildrenValues()).map(([key, v]) => parseAggregateResult(`child ${key}`, v, data.rows));
        const { carries, logs } = composeCarries(children, data.segments, data.rows, data.reverse, data.method === 'log');
        const result: CarriesResult = data.protocol === undefined ? { carries } : { ...made(), carries, carriesLog: logs ?? carries.map(() => null) };
        return result;
      }
      default:
        throw new PayloadError(`malformed job: unknown job name ${JSON.stringify(String(job.name).slice(0, 40))} (expected aggregate, carries or scan)`);
    }
  }

  await probe(connection);
  const worker = new BullWorker(options.queue ?? DEFAULT_QUEUE, processor, {
    connection,
    concurrency: options.concurrency ?? 1,
    lockDuration: options.lockDuration ?? 30_000,
    stalledInterval: options.stalledInterval ?? 30_000,
    maxStalledCount: 2,
    // Its Redis client name: runners see the workers' versions and protocols before queueing.
    name: workerName(),
    autorun: true,
  });
  // Once serving, connection errors are retried by ioredis: log them and carry on.
  worker.on('error', (e) => log(`redis: ${e.message}`));
  // A job that ends after its run has ended (failed, or interrupted while the job ran: the runner
  // could not remove a job a worker held) is removed here, so that no run leaves jobs behind.
  const removeIfRunEnded = (job: BullJob | undefined) => {
    const runId = (job?.data as { runId?: unknown } | undefined)?.runId;
    if (!job || typeof runId !== 'string' || !/^[0-9a-f]{16}$/.test(runId)) return;
    void (async () => {
      const client = await worker.getBackend().client;
      if ((await client.get(endedKey(worker.opts.prefix ?? 'bull', worker.name, runId))) === null) return;
      await job.remove();
      // The run's carries job (the aggregates' parent) could not be removed while this child ran.
      if (job.name === 'aggregate') await (await Job.fromId(worker, `${runId}-carries`))?.remove();
    })().catch(() => {});
  };
  worker.on('completed', removeIfRunEnded);
  worker.on('failed', removeIfRunEnded);
  await worker.waitUntilReady();
  return worker;
}
