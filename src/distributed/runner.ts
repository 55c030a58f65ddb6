// Runs one scan of files on BullMQ workers: checks the files and plans the parts locally,
// queues the jobs under a run id of its own (two runs on one queue never mix), follows their
// progress, and renames the temporary output into place only when every part is done.
import { randomBytes } from 'crypto';
import * as path from 'path';
import type { FlowProducer, Job, JobsOptions, Queue, QueueEvents } from 'bullmq';
import { ArrayFileReader, ArrayFileWriter } from '../npy';
import { checkOutputIsNoInput, fileLayout, outputFormat, type RunFileErrors } from '../run-files';
import { expected, plainError, typeError } from '../errors';
import * as v from '../validate';
import { isDeviceName, type Device } from '../backends';
import type { Method } from '../scan';
import type { DType } from '../validate';
import { loadBullmq, probe, DEFAULT_QUEUE } from './bullmq';
import { redisConnection, type RedisConnectionOptions } from './connection';
import {
  beyondF64,
  decodeF64,
  encodeF64,
  encodeLog,
  endedKey,
  made,
  MAX_CHUNK,
  parseAggregateResult,
  parseScanJob,
  PROTOCOL,
  VERSION,
  workerMade,
  type AggregateJob,
  type AggregateMaps,
  type Carry,
  type CarriesJob,
  type CarriesResult,
  type FilesSpec,
  type ScanJob,
  type ScanResult,
} from './jobs';
import { sampledDigest } from './digest';
import { relativeToRoot, realRoot } from './paths';
import { defaultParts, planRun, type Plan, type PlanKind } from './plan';
import { scaledProduct, signOf } from './maps';

export interface ClusterRunOptions {
  /** A Redis URL (credentials from LINREC_REDIS_* when absent), or ioredis options. */
  connection?: string | RedisConnectionOptions;
  queue?: string;
  /** The directory every worker serves (their --root), as this machine sees it. Default: the working directory. */
  root?: string;
  coeffs: string;
  values: string;
  out: string;
  /** Rows in 1-D or raw files (2-D .npy files give it). */
  rows?: number;
  /** For raw files without a .f32/.f64 extension. */
  dtype?: DType;
  method?: Method;
  reverse?: boolean;
  device?: Device;
  /** Parts: row ranges when there are at least this many rows, else column segments. */
  segments?: number;
  plan?: PlanKind | 'auto';
  /** Steps per row read at a time within a part. */
  chunk?: number;
  /** Tries per job before it fails the run (default 3). */
  attempts?: number;
  onProgress?: (p: RunProgress) => void;
  /** Called with what the run could not do as it should but did without (a worker of an older version); default: none. */
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
}

export interface RunProgress {
  /** Steps done so far, over every phase (rows × steps; a three-phase run counts its steps twice). */
  steps: number;
  total: number;
  partsDone: number;
  parts: number;
}

export interface ClusterRunResult {
  runId: string;
  plan: Plan;
  jobs: number;
}

const RUN_FILE_ERRORS: RunFileErrors = {
  optionPrefix: '',
  layout: (m) => plainError('ERR_LINREC_FORMAT', m),
  format: (m) => plainError('ERR_LINREC_INVALID_VALUE', m),
};

/** rows and n from the two files' shapes, as the one-machine command checks them; the parts read both files alike. */
function filesLayout(o: ClusterRunOptions, a: ArrayFileReader, b: ArrayFileReader, errors: RunFileErrors): { rows: number; n: number } {
  if (a.format !== b.format) throw errors.layout(`${o.coeffs} and ${o.values} must both be .npy or both raw`);
  return fileLayout(o, a, b, errors, 'empty');
}

/** Files relative to the shared root and their layout, checked before anything is queued. */
async function prepare(o: ClusterRunOptions, root: string, errors: RunFileErrors): Promise<{ files: Omit<FilesSpec, 'out'>; shape: number[]; outRel: string }> {
  checkOutputIsNoInput(o, errors);
  const coeffs = await relativeToRoot(root, 'coeffs', o.coeffs);
  const values = await relativeToRoot(root, 'values', o.values);
  const outRel = await relativeToRoot(root, 'out', o.out);
  const a = await ArrayFileReader.open(o.coeffs, { dtype: o.dtype });
  try {
    const b = await ArrayFileReader.open(o.values, { dtype: o.dtype });
    try {
      const { rows, n } = filesLayout(o, a, b, errors);
      const format = outputFormat(o.out, b, errors);
      const [coeffsDigest, valuesDigest] = await Promise.all([sampledDigest(o.coeffs), sampledDigest(o.values)]);
      return { files: { coeffs, values, format, dtype: b.dtype, rows, n, coeffsDigest, valuesDigest }, shape: b.shape, outRel };
    } finally {
      await b.close();
    }
  } finally {
    await a.close();
  }
}

/** Settles when every job of `ids` completed (their return values) or one failed for good. */
class RunJobs {
  private readonly pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly progress = new Map<string, number>();
  private partsDone = 0;
  private poll?: NodeJS.Timeout;

  constructor(
    private readonly queue: Queue,
    events: QueueEvents,
    private readonly runId: string,
    private readonly total: number,
    private parts: number,
    private readonly onProgress?: (p: RunProgress) => void,
  ) {
    events.on('completed', ({ jobId, returnvalue }) => this.settle(jobId, 'completed', returnvalue));
    // A 'failed' event is checked against the job's state: only a final failure fails the run.
    events.on('failed', ({ jobId }) => void this.check(jobId));
    events.on('progress', ({ jobId, data }) => {
      if (!jobId.startsWith(this.runId) || typeof data !== 'number') return;
      this.progress.set(jobId, data);
      this.report();
    });
    // Events can be missed across a reconnection: look at the jobs still pending now and then.
    this.poll = setInterval(() => {
      for (const id of this.pending.keys()) void this.check(id);
    }, 2000);
  }

  wait(id: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      void this.check(id);
    });
  }

  private async check(id: string): Promise<void> {
    if (!this.pending.has(id)) return;
    // The state first, then the job: a job read before it finished has no return value yet.
    const state = await this.queue.getJobState(id).catch(() => 'unknown');
    if (state !== 'completed' && state !== 'failed') return;
    const job = await this.queue.getJob(id).catch(() => undefined);
    if (!job) return;
    if (state === 'completed') this.settle(id, 'completed', job.returnvalue);
    else this.settle(id, 'failed', job.failedReason);
  }

  private settle(id: string, how: 'completed' | 'failed', value: unknown): void {
    const waiter = this.pending.get(id);
    if (!waiter) return;
    this.pending.delete(id);
    if (how === 'failed') return waiter.reject(plainError('ERR_LINREC_IO', failure(id.slice(this.runId.length + 1), String(value))));
    if (!id.endsWith('-carries')) this.partsDone++;
    this.report();
    waiter.resolve(value);
  }

  private report(): void {
    let steps = 0;
    for (const s of this.progress.values()) steps += s;
    this.onProgress?.({ steps: Math.min(steps, this.total), total: this.total, partsDone: this.partsDone, parts: this.parts });
  }

  /** Marks a job's steps as done (its last progress event may come before its completion). */
  finished(id: string, steps: number): void {
    this.progress.set(id, steps);
    this.report();
  }

  /** One more part to wait for (a part scanned again from the previous part's end). */
  addPart(): void {
    this.parts++;
  }

  close(): void {
    clearInterval(this.poll);
  }
}

/** A job's failure as the run reports it; a refusal by a worker of an older protocol says what to do. */
function failure(job: string, reason: string): string {
  // Workers before protocol 2 take no field they do not know: "... expected only the fields ..., received also protocol, version".
  if (/expected only the fields .*received also .*\bprotocol\b/.test(reason))
    return `job ${job} was refused by a worker of an older linrec (job protocol 1), while this runner is linrec ${VERSION}, job protocol ${PROTOCOL}: upgrade the workers to linrec ${VERSION} and restart them (the worker said: ${reason})`;
  return `job ${job} failed on a worker: ${reason}`;
}

/**
 * Fails the run before anything is queued where a worker that serves the queue is of an older job
 * protocol than this runner's (it would refuse every job, or drop what it does not know): workers
 * name their version and protocol to Redis (worker.ts), and those before protocol 2 name none.
 * Where Redis does not list its clients (CLIENT LIST refused), the jobs' own check remains.
 */
async function checkWorkers(queue: Queue, queueName: string): Promise<void> {
  let clients: { rawname?: string; addr?: string }[];
  try {
    clients = (await queue.getWorkers()) as { rawname?: string; addr?: string }[];
  } catch {
    return;
  }
  const workers = clients.filter((c) => typeof c.rawname === 'string');
  const older = workers
    .map((c) => ({ addr: c.addr ?? 'an unknown address', made: workerMade(c.rawname!) }))
    .filter((w) => w.made === null || w.made.protocol < PROTOCOL);
  if (!older.length) return;
  const kinds = new Map<string, string[]>();
  for (const w of older) {
    const kind = w.made ? `linrec ${w.made.version}, job protocol ${w.made.protocol}` : 'job protocol 1 (a linrec that names no version)';
    kinds.set(kind, [...(kinds.get(kind) ?? []), w.addr]);
  }
  const list = [...kinds]
    .map(([kind, addrs]) => `${kind} at ${addrs.slice(0, 4).join(', ')}${addrs.length > 4 ? ` and ${addrs.length - 4} more` : ''}`)
    .join('; ');
  throw plainError(
    'ERR_LINREC_IO',
    `runner linrec ${VERSION}, job protocol ${PROTOCOL}, but ${older.length} of the ${workers.length} workers on queue '${queueName}' are older (${list}): ` +
      `upgrade the workers to linrec ${VERSION} and restart them`,
  );
}

/**
 * Whether the carry a part was scanned from is the previous part's last x, as its scan gave it.
 * The carries are composed from the parts' maps in float64, which cannot follow the loop where x
 * leaves the type's range inside a part (an overflow to ±∞ that a later decay would bring back in
 * float64, an underflow to 0 that a growth would), nor ∞·x + ∞ of opposite signs (NaN where the
 * loop keeps ±∞). The scans can: a part whose carry differs from the previous part's end (beyond
 * the two roundings' difference; non-finite values must be equal) is scanned again from that end.
 */
export function carriesAgree(used: Carry, end: Carry, dtype: DType, scale?: Float64Array): boolean {
  // Relative to the larger of the two and of the terms the carry was composed of (|A·x| + |B|:
  // near a sign change x is small, and both roundings' errors are the terms').
  const tol = dtype === 'float32' ? 2 ** -10 : 2 ** -30;
  for (let r = 0; r < used.x.length; r++) {
    const u = used.x[r];
    const e = end.x[r];
    const ul = used.log ? used.log[r] : NaN;
    const el = end.log ? end.log[r] : NaN;
    if (beyondF64(u, ul) || beyondF64(e, el)) {
      // A log run's value beyond float64's range (finite in logs): the same test on the logs.
      if (!logsAgree(u, ul, e, el, tol, scale?.[r])) return false;
      continue;
    }
    if (Number.isNaN(u) && Number.isNaN(e)) continue;
    if (!Number.isFinite(u) || !Number.isFinite(e)) {
      if (u !== e) return false;
    } else if (!(Math.abs(u - e) <= tol * Math.max(Math.abs(u), Math.abs(e), Number.isFinite(scale?.[r]) ? scale![r] : 0))) return false;
  }
  return true;
}

/** carriesAgree's test for one row where u or e is beyond float64 (its log magnitude holds it). */
function logsAgree(u: number, ul: number, e: number, el: number, tol: number, scale?: number): boolean {
  if (Number.isNaN(u) || Number.isNaN(e)) return false; // one of them is beyond, hence a number
  const lu = beyondF64(u, ul) ? ul : Math.log(Math.abs(u));
  const le = beyondF64(e, el) ? el : Math.log(Math.abs(e));
  if (lu === Infinity || le === Infinity) return false; // ±∞ against a number
  const m = Math.max(lu, le, scale !== undefined && Number.isFinite(scale) ? Math.log(scale) : -Infinity);
  return Math.abs(signOf(u) * Math.exp(lu - m) - signOf(e) * Math.exp(le - m)) <= tol;
}

/** Each row's |A·x_start| + |B| for a part's map (the scale of carriesAgree). */
function termScale(m: AggregateMaps, x: Float64Array): Float64Array {
  return Float64Array.from(x, (v, r) => Math.abs(scaledProduct(m.A[r], m.E ? m.E[r] : 0, v)) + Math.abs(m.B[r]));
}

const RUN_OPTIONS = [
  'connection',
  'queue',
  'root',
  'coeffs',
  'values',
  'out',
  'rows',
  'dtype',
  'method',
  'reverse',
  'device',
  'segments',
  'plan',
  'chunk',
  'attempts',
  'onProgress',
  'onWarning',
  'signal',
] as const;

/** runOnCluster's options, checked as scan() checks its own, before any file or queue is touched. */
function checkRunOptions(options: unknown): ClusterRunOptions {
  if (options === undefined) throw typeError('ERR_LINREC_INVALID_TYPE', expected('options', 'an options object', options));
  const o = v.options<ClusterRunOptions>('options', options, RUN_OPTIONS);
  const text = (name: string, x: unknown, required: boolean) => {
    if (x === undefined && !required) return;
    if (typeof x !== 'string' || x === '') throw typeError('ERR_LINREC_INVALID_TYPE', expected(`options.${name}`, 'a non-empty string', x));
  };
  for (const name of ['coeffs', 'values', 'out'] as const) text(name, o[name], true);
  for (const name of ['queue', 'root'] as const) text(name, o[name], false);
  if (o.connection !== undefined && typeof o.connection !== 'string' && (o.connection === null || typeof o.connection !== 'object'))
    throw typeError('ERR_LINREC_INVALID_TYPE', expected('options.connection', 'a Redis URL or ioredis options', o.connection));
  // chunk: any safe integer, as scan() takes it (the jobs carry at most MAX_CHUNK, a whole part per read).
  for (const name of ['rows', 'segments', 'chunk', 'attempts'] as const) v.positiveInteger(`options.${name}`, o[name], 1);
  v.oneOf('options.dtype', o.dtype, ['float32', 'float64'], 'float32');
  v.oneOf('options.method', o.method, ['direct', 'log'], 'direct');
  v.oneOf('options.plan', o.plan, ['auto', 'rows', 'segments'], 'auto');
  v.boolean('options.reverse', o.reverse, false);
  if (o.device !== undefined && !isDeviceName(o.device))
    throw typeError('ERR_LINREC_INVALID_VALUE', expected('options.device', "one of 'auto', 'cpu', 'cuda' or 'cuda:N'", o.device));
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function')
    throw typeError('ERR_LINREC_INVALID_TYPE', expected('options.onProgress', 'a function', o.onProgress));
  if (o.onWarning !== undefined && typeof o.onWarning !== 'function')
    throw typeError('ERR_LINREC_INVALID_TYPE', expected('options.onWarning', 'a function', o.onWarning));
  if (o.signal !== undefined && (o.signal === null || typeof (o.signal as AbortSignal).addEventListener !== 'function'))
    throw typeError('ERR_LINREC_INVALID_TYPE', expected('options.signal', 'an AbortSignal', o.signal));
  return o as ClusterRunOptions;
}

/**
 * Scans the files on the workers that serve the queue. The output appears, renamed from its
 * temporary, only when every part is done; on failure, nothing is left and the run's jobs are
 * removed from the queue.
 */
export function runOnCluster(options: ClusterRunOptions): Promise<ClusterRunResult> {
  try {
    return runFilesOnCluster(checkRunOptions(options), RUN_FILE_ERRORS);
  } catch (e) {
    return Promise.reject(e);
  }
}

/** runOnCluster with checked options; `linrec run --redis` passes the command line's errors (--names, usage). */
export async function runFilesOnCluster(o: ClusterRunOptions, errors: RunFileErrors): Promise<ClusterRunResult> {
  const { Queue: BullQueue, FlowProducer: BullFlow, QueueEvents: BullEvents } = loadBullmq();
  const root = await realRoot(o.root ?? process.cwd());
  const { files, shape, outRel } = await prepare(o, root, errors);
  const { rows, n } = files;
  if (rows === 0) {
    // 2-D inputs of 0 rows: an empty output of the values' shape, as `linrec run` writes; no job.
    const empty = await ArrayFileWriter.create(path.resolve(o.out), { dtype: files.dtype, shape, format: files.format });
    await empty.commit();
    return { runId: randomBytes(8).toString('hex'), plan: { kind: 'rows', parts: [] }, jobs: 0 };
  }
  const reverse = o.reverse ?? false;
  const plan = planRun(rows, n, o.segments ?? defaultParts(rows, n), o.plan ?? 'auto');
  const runId = randomBytes(8).toString('hex');
  const queueName = o.queue ?? DEFAULT_QUEUE;
  const connection = typeof o.connection === 'object' ? o.connection : redisConnection(o.connection);

  await probe(connection);
  const queue: Queue = new BullQueue(queueName, { connection });
  const flows: FlowProducer = new BullFlow({ connection });
  const events: QueueEvents = new BullEvents(queueName, { connection });
  // Errors once connected are retried by ioredis; a listener keeps them from being thrown.
  queue.on('error', () => {});
  flows.on('error', () => {});
  events.on('error', () => {});
  const closeAll = () => Promise.allSettled([events.close(), flows.close(), queue.close()]);
  let writer: ArrayFileWriter;
  try {
    await checkWorkers(queue, queueName);
    writer = await ArrayFileWriter.create(path.resolve(o.out), { dtype: files.dtype, shape, format: files.format });
  } catch (e) {
    await closeAll();
    throw e;
  }
  const spec: FilesSpec = { ...files, out: path.join(path.dirname(outRel), path.basename(writer.tempFile)) };
  const ids: string[] = [];
  const jobOptions: JobsOptions = {
    attempts: o.attempts ?? 3,
    backoff: { type: 'fixed', delay: 500 },
    // Kept a while for inspection; the runner removes its jobs when it ends.
    removeOnComplete: { age: 3600 },
    removeOnFail: { age: 24 * 3600 },
  };
  const aggregated = plan.kind === 'segments' ? plan.parts.length - 1 : 0;
  // The segment at the far end from the boundary needs no aggregate.
  const last = plan.parts[reverse ? 0 : plan.parts.length - 1];
  const total = rows * n + (aggregated ? rows * (n - (last.steps[1] - last.steps[0])) : 0);
  let tracker: RunJobs | undefined;
  let aborted: Error | undefined;
  const onAbort = () => {
    aborted = plainError('ERR_LINREC_IO', 'the run was interrupted');
  };
  o.signal?.addEventListener('abort', onAbort);
  try {
    await events.waitUntilReady();
    tracker = new RunJobs(queue, events, runId, total, plan.parts.length + aggregated, o.onProgress);
    const interrupted = new Promise<never>((_, reject) => {
      if (o.signal?.aborted) return reject(plainError('ERR_LINREC_IO', 'the run was interrupted'));
      o.signal?.addEventListener('abort', () => reject(aborted));
    });
    interrupted.catch(() => {});
    // A chunk beyond what a job carries reads a whole part at a time, as it would on one machine.
    const common = { ...made(), runId, files: spec, reverse, device: o.device ?? 'auto', chunk: o.chunk === undefined ? null : Math.min(o.chunk, MAX_CHUNK) };
    const method = o.method ?? 'direct';
    // The direct method's scans start from the carry in the data's type (the loop's value there:
    // ±∞ beyond float32's range, 0 or a subnormal below); 'log' keeps it as float64, and in log
    // form beyond float64's range (carriesLog).
    const inType = (c: string | null): string | null =>
      c === null || method === 'log' || files.dtype === 'float64' ? c : encodeF64(Float32Array.from(decodeF64('carry', c, rows)));
    const warned = new Set<string>();
    const warn = (message: string) => {
      if (!warned.has(message)) o.onWarning?.(message);
      warned.add(message);
    };

    let carries: (string | null)[] = plan.parts.map(() => null);
    let carriesLog: (string | null)[] = plan.parts.map(() => null);
    const maps: (AggregateMaps | undefined)[] = plan.parts.map(() => undefined);
    if (aggregated) {
      // Phases 1 and 2: a flow whose parent composes the carries once every aggregate is done.
      const segments = plan.parts.length;
      const children = plan.parts
        .map((part, k) => ({ part, k }))
        .filter(({ k }) => (reverse ? k > 0 : k < segments - 1))
        .map(({ part, k }) => {
          const data: AggregateJob = {
            ...made(),
            runId,
            files: spec,
            method,
            reverse,
            device: common.device,
            part,
            chunk: common.chunk,
            segment: k,
          };
          const jobId = `${runId}-aggregate-${k}`;
          ids.push(jobId);
          return { name: 'aggregate', queueName, data, opts: { ...jobOptions, jobId, failParentOnFailure: true } };
        });
      const parentData: CarriesJob = { ...made(), runId, method, reverse, rows, segments };
      const parentId = `${runId}-carries`;
      ids.push(parentId);
      const childWaits = children.map((c) =>
        tracker!.wait(c.opts.jobId).then((value) => {
          tracker!.finished(c.opts.jobId, rows * (c.data.part.steps[1] - c.data.part.steps[0]));
          maps[c.data.segment] = parseAggregateResult(`aggregate ${c.data.segment}`, value, rows);
        }),
      );
      await flows.add({ name: 'carries', queueName, data: parentData, opts: { ...jobOptions, jobId: parentId }, children });
      // A failed child fails the run with its own message, not the parent's.
      await Promise.race([Promise.all(childWaits), interrupted]);
      const result = (await Promise.race([tracker.wait(parentId), interrupted])) as CarriesResult;
      carries = result.carries;
      if (!Array.isArray(carries) || carries.length !== segments) throw plainError('ERR_LINREC_INTERNAL', 'the carries job returned no carries');
      if (Array.isArray(result.carriesLog) && result.carriesLog.length === segments) carriesLog = result.carriesLog;
    }

    // Phase 3, or the only phase of a row shard.
    const scanJob = (k: number, initial: string | null, initialLog: string | null, jobId: string) => {
      const data: ScanJob = { ...common, method, part: plan.parts[k], initial, initialLog };
      parseScanJob(data); // what the workers will check, checked here first
      ids.push(jobId);
      return { name: 'scan', data, opts: { ...jobOptions, jobId } };
    };
    // A scan's last x (and its log part), or null from a worker before protocol 2 that sent none.
    const waitScan = async (s: ReturnType<typeof scanJob>): Promise<Carry | null> => {
      const result = (await tracker!.wait(s.opts.jobId)) as Partial<ScanResult> | null;
      tracker!.finished(s.opts.jobId, (s.data.part.rows[1] - s.data.part.rows[0]) * (s.data.part.steps[1] - s.data.part.steps[0]));
      const length = s.data.part.rows[1] - s.data.part.rows[0];
      if (result?.last === undefined && result?.protocol === undefined) return null;
      const x = decodeF64("the scan job's last x", result.last, length);
      return { x, log: typeof result.lastLog === 'string' ? decodeF64("the scan job's last x's log", result.lastLog, length) : null };
    };
    const scans = plan.parts.map((_, k) => scanJob(k, inType(carries[k]), method === 'log' ? carriesLog[k] : null, `${runId}-scan-${k}`));
    await queue.addBulk(scans);
    const ends = await Promise.race([Promise.all(scans.map(waitScan)), interrupted]);
    if (aggregated) {
      // Each part's carry checked, in the run's order, against the previous part's end (final by
      // then); where they differ, the part is scanned again from that end (carriesAgree).
      const order = plan.parts.map((_, i) => (reverse ? plan.parts.length - 1 - i : i));
      for (let i = 1; i < order.length; i++) {
        const [prev, k] = [order[i - 1], order[i]];
        const m = maps[prev]!;
        const end = ends[prev];
        if (end === null) {
          // A worker before protocol 2 sends no last x: nothing to check this carry against.
          warn(
            `a worker of an older linrec (its scan results hold no last x) served this run: its carries were not checked against the scans (an x that leaves the data's type inside a segment may be wrong after it); upgrade the workers to linrec ${VERSION}`,
          );
          continue;
        }
        const start = i === 1 ? m.x! : decodeF64('carry', scans[prev].data.initial, rows);
        const initialLog = scans[k].data.initialLog;
        const used: Carry = { x: decodeF64('carry', scans[k].data.initial, rows), log: initialLog ? decodeF64('carry', initialLog, rows) : null };
        if (carriesAgree(used, end, files.dtype, termScale(m, start))) continue;
        const again = scanJob(k, encodeF64(end.x), encodeLog(end.x, end.log), `${runId}-rescan-${k}`);
        scans[k] = again;
        tracker.addPart();
        await queue.add(again.name, again.data, again.opts);
        ends[k] = await Promise.race([waitScan(again), interrupted]);
      }
    }
    await writer.commit();
    return { runId, plan, jobs: ids.length };
  } catch (e) {
    await writer.abort();
    throw aborted ?? e;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    tracker?.close();
    // First the mark, then the removal: a job that a worker holds now (it cannot be removed) is
    // removed by that worker when it ends (worker.ts), whether it completes or fails.
    await markEnded(queue, queueName, runId);
    await removeJobs(queue, ids);
    await closeAll();
  }
}

/** Marks the run as ended for the workers (kept a day: as long as a failed job would be kept). */
async function markEnded(queue: Queue, queueName: string, runId: string): Promise<void> {
  try {
    const client = await queue.getBackend().client;
    await client.runCommand('set', [endedKey(queue.opts.prefix ?? 'bull', queueName, runId), '1', 'EX', 24 * 3600]);
  } catch {
    // Redis gone: the jobs age out as before.
  }
}

/** Removes a run's jobs; one that a worker still holds is removed by that worker when it ends. */
async function removeJobs(queue: Queue, ids: string[]): Promise<void> {
  for (const id of ids) {
    const job: Job | undefined = await queue.getJob(id).catch(() => undefined);
    await job?.remove().catch(() => {});
  }
}
