// The jobs on the queue: their payloads, their results, and a validation of every field that a
// worker runs before it touches anything (anyone with access to Redis can add a job).
import type { DType } from '../validate';
import type { Method } from '../scan';
import type { FileFormat } from '../npy';
import type { Part } from './plan';
import * as fs from 'fs';
import * as path from 'path';
import { DIGEST } from './digest';
import { checkJobPath } from './paths';
import { isDeviceName } from '../backends';

/**
 * The jobs' protocol: what jobs and their results hold. 1: linrec before protocol numbers (jobs
 * and results without `protocol`; a log carry as float64 only). 2: every job and result names its
 * protocol and linrec version; a log run's carries beyond float64's range travel in log form
 * (`initialLog`, `lastLog`, `BLog`, `carriesLog`); workers name themselves to Redis
 * (`linrec@<version>/p<protocol>`, which runners check before queueing). A worker serves the jobs
 * of its protocol and of older ones; a runner needs workers of its protocol or newer.
 */
export const PROTOCOL = 2;
/** linrec's version, as the jobs and results name it. */
export const VERSION: string = (() => {
  try {
    // src/distributed or dist/distributed: the package's root is two levels up.
    return (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();
/** What a job or a result says of the linrec that made it (absent before protocol 2). */
export interface Made {
  protocol: number;
  version: string;
}
export const made = (): Made => ({ protocol: PROTOCOL, version: VERSION });
/** The BullMQ worker name a worker registers (its Redis client name ends with `:w:<name>`). */
export const workerName = (): string => `linrec@${VERSION}/p${PROTOCOL}`;
/** A worker's protocol and version from its Redis client name; null where it names none (linrec before protocol 2). */
export function workerMade(clientName: string): Made | null {
  const m = /:w:linrec@([^/\s]{1,40})\/p(\d{1,6})$/.exec(clientName);
  return m ? { version: m[1], protocol: Number(m[2]) } : null;
}

export const JOB_NAMES = ['aggregate', 'carries', 'scan'] as const;
export type JobName = (typeof JOB_NAMES)[number];

/** The run's files, relative to the shared root, and their layout as the runner planned it. */
export interface FilesSpec {
  coeffs: string;
  values: string;
  /** The run's temporary output (`<out>.partial-<pid>`), created and sized by the runner. */
  out: string;
  format: FileFormat;
  dtype: DType;
  rows: number;
  n: number;
  /** The inputs' sampled digests on the runner's machine (digest.ts): a worker refuses other files. */
  coeffsDigest: string;
  valuesDigest: string;
}

/** Phase 1: the composed map x_end = A·x_start + B of each row over a segment. */
export interface AggregateJob extends Partial<Made> {
  runId: string;
  files: FilesSpec;
  /** The run's method: with 'log', a block's B (its x from 0) is kept beyond the data's type. */
  method: Method;
  reverse: boolean;
  device: string;
  part: Part;
  chunk: number | null;
  segment: number;
}

/** Phase 2 (the parent of the aggregate jobs): each segment's starting x per row. */
export interface CarriesJob extends Partial<Made> {
  runId: string;
  /** Protocol 2: the run's method ('log' composes carries beyond float64 in log form). */
  method?: Method;
  reverse: boolean;
  rows: number;
  segments: number;
}

/** Phase 3, or the only phase of a row shard: scan a part and write it at its offset. */
export interface ScanJob extends Partial<Made> {
  runId: string;
  files: FilesSpec;
  method: Method;
  reverse: boolean;
  device: string;
  part: Part;
  chunk: number | null;
  /** x at the part's start per row, base64 float64; null: x_0 (x_n reversed) from the values file. */
  initial: string | null;
  /** Protocol 2, method 'log': log|x| per row (base64 float64) where some row's x is beyond float64's
   *  normal range (`initial` holds ±∞, 0 or a subnormal there: see beyondF64); else null. */
  initialLog?: string | null;
}

/** A scan job's result: each row's last x (base64 float64), which the next part's carry is checked
 *  against, and (method 'log') log|x| where some row's x is beyond float64's range. Workers before
 *  protocol 2 sent neither protocol nor lastLog, and before that no `last`. */
export interface ScanResult extends Partial<Made> {
  rows: [number, number];
  steps: [number, number];
  last: string;
  lastLog?: string | null;
}

/**
 * Whether a value x whose log magnitude is l lies beyond float64's normal range (0, ±∞ or a
 * subnormal as float64 while log|x| is finite): l then holds it (with x's sign), as the log method
 * keeps it. Elsewhere x itself is the value (l is log|x|, or ±∞ / NaN).
 */
export function beyondF64(x: number, l: number): boolean {
  if (!Number.isFinite(l) || Number.isNaN(x)) return false;
  const d = Math.abs(x);
  return !(d >= 2 ** -1022 && d !== Infinity);
}

/** A carry per row: x in float64, and log|x| where some row is beyond float64 (else null). */
export interface Carry {
  x: Float64Array;
  log: Float64Array | null;
}
/** The log part of a carry on the wire: null where no row is beyond float64 (a plain float64 carry). */
export function encodeLog(x: ArrayLike<number>, log: ArrayLike<number> | null): string | null {
  if (!log) return null;
  for (let r = 0; r < x.length; r++) if (beyondF64(x[r], log[r])) return encodeF64(log);
  return null;
}

/** The key a runner sets when it ends without success: a worker removes that run's jobs as they end. */
export const endedKey = (prefix: string, queue: string, runId: string): string => `${prefix}:${queue}:ended:${runId}`;

/** The largest --chunk a job carries (steps per read, within what one read may hold). */
export const MAX_CHUNK = 2 ** 30;

export interface AggregateResult extends Partial<Made> {
  segment: number;
  /** Each row's map x_end = A·2^E·x_start + B; E null where every exponent is 0. */
  A: string;
  E: string | null;
  B: string;
  /** Protocol 2, method 'log': log|B| where some row's B is beyond float64 (as initialLog), else null. */
  BLog?: string | null;
  /** The segment at the run's boundary also brings x_0 (x_n reversed) from the values file. */
  x: string | null;
}
export interface CarriesResult extends Partial<Made> {
  /** Per segment: the base64 float64 carries, or null where x comes from the values file. */
  carries: (string | null)[];
  /** Protocol 2: per segment, the carries' log part (as initialLog), or null. */
  carriesLog?: (string | null)[];
}

// ---------------------------------------------------------------------------------------------
// Float64 vectors travel as base64 of their bytes: exact bits, and NaN/Infinity survive (JSON
// would turn them into null).

export function encodeF64(x: ArrayLike<number>): string {
  const f = Float64Array.from(x);
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64');
}

export function decodeF64(field: string, text: unknown, length: number): Float64Array {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw bad(field, 'base64 float64 data', text);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== length * 8) throw bad(field, `${length} float64 values (${length * 8} bytes)`, `${bytes.length} bytes`);
  const out = new Float64Array(length);
  Buffer.from(out.buffer).set(bytes);
  return out;
}

// ---------------------------------------------------------------------------------------------

/** A malformed payload: never retried, it fails the run that sent it. */
export class PayloadError extends Error {
  readonly code = 'ERR_LINREC_INVALID_VALUE';
}

function show(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : typeof v === 'object' ? (Array.isArray(v) ? 'an array' : v === null ? 'null' : 'an object') : String(v);
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}
const bad = (field: string, want: string, got: unknown) =>
  new PayloadError(`malformed job: ${field}: expected ${want}, received ${typeof got === 'string' && /bytes$/.test(got) ? got : show(got)}`);

/**
 * A job's protocol: 1 where it names none (a runner before protocol 2), 2; a newer one is refused
 * with a message that names both linrec versions.
 */
function protocolOf(d: unknown): number {
  if (d === null || typeof d !== 'object' || Array.isArray(d) || !('protocol' in d)) return 1;
  const { protocol, version } = d as { protocol: unknown; version?: unknown };
  if (protocol === PROTOCOL) return PROTOCOL;
  const from = typeof version === 'string' ? `linrec ${version.slice(0, 40)}` : 'a runner';
  if (typeof protocol === 'number' && Number.isSafeInteger(protocol) && protocol > PROTOCOL)
    throw new PayloadError(
      `job protocol ${protocol} (runner ${from}), but this worker is linrec ${VERSION}, protocol ${PROTOCOL}: upgrade the workers to the runner's version`,
    );
  throw bad('protocol', `${PROTOCOL} (or none: protocol 1)`, protocol);
}
function version(v: unknown): string {
  if (typeof v !== 'string' || !/^[\w.+-]{1,40}$/.test(v)) throw bad('version', 'a linrec version', v);
  return v;
}
/** A job's keys in its protocol: protocol 2 adds protocol and version (and `extra`). */
const keysOf = (protocol: number, keys: readonly string[], extra: readonly string[] = []): string[] =>
  protocol === 1 ? [...keys] : [...keys, 'protocol', 'version', ...extra];
const madeOf = (protocol: number, d: Record<string, unknown>): Partial<Made> => (protocol === 1 ? {} : { protocol, version: version(d.version) });

function record(field: string, v: unknown, keys: readonly string[]): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw bad(field, 'an object', v);
  const extra = Object.keys(v).filter((k) => !keys.includes(k));
  if (extra.length) throw bad(field, `only the fields ${keys.join(', ')}`, `also ${extra.join(', ')}`);
  for (const k of keys) if (!(k in v)) throw bad(`${field}.${k}`, 'a value', undefined);
  return v as Record<string, unknown>;
}

function int(field: string, v: unknown, lo: number, hi = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < lo || v > hi) throw bad(field, `an integer in [${lo}, ${hi}]`, v);
  return v;
}
function bool(field: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw bad(field, 'true or false', v);
  return v;
}
function oneOf<T extends string>(field: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw bad(field, `one of ${allowed.join(', ')}`, v);
  return v as T;
}
function jobPath(field: string, v: unknown): string {
  if (typeof v !== 'string') throw bad(field, 'a path relative to the root', v);
  checkJobPath(field, v);
  return v;
}
function digest(field: string, v: unknown): string {
  if (typeof v !== 'string' || !DIGEST.test(v)) throw bad(field, '32 hex digits', v);
  return v;
}
function runId(v: unknown): string {
  if (typeof v !== 'string' || !/^[0-9a-f]{16}$/.test(v)) throw bad('runId', '16 hex digits', v);
  return v;
}
/** A device as a job names it (the runner checks it too: this machine need not have the workers' devices). */
function device(v: unknown): string {
  if (!isDeviceName(v)) throw bad('device', 'auto, cpu, cuda or cuda:N', v);
  return v;
}
function chunk(v: unknown): number | null {
  return v === null ? null : int('chunk', v, 1, MAX_CHUNK);
}

// The temp output's name as ArrayFileWriter makes it: a worker writes into nothing else, so a
// job cannot overwrite a finished file even under the root.
const TEMP_OUTPUT = /\.partial-\d+$/;

function files(v: unknown): FilesSpec {
  const f = record('files', v, ['coeffs', 'values', 'out', 'format', 'dtype', 'rows', 'n', 'coeffsDigest', 'valuesDigest']);
  const out = jobPath('files.out', f.out);
  if (!TEMP_OUTPUT.test(out)) throw bad('files.out', "a run's temporary output (<name>.partial-<pid>)", out);
  return {
    coeffs: jobPath('files.coeffs', f.coeffs),
    values: jobPath('files.values', f.values),
    out,
    format: oneOf('files.format', f.format, ['npy', 'raw'] as const),
    dtype: oneOf('files.dtype', f.dtype, ['float32', 'float64'] as const),
    rows: int('files.rows', f.rows, 1),
    n: int('files.n', f.n, 0),
    coeffsDigest: digest('files.coeffsDigest', f.coeffsDigest),
    valuesDigest: digest('files.valuesDigest', f.valuesDigest),
  };
}

function part(v: unknown, fs: FilesSpec): Part {
  const p = record('part', v, ['rows', 'steps']);
  const pair = (field: string, x: unknown, max: number): [number, number] => {
    if (!Array.isArray(x) || x.length !== 2) throw bad(field, 'a pair [start, end)', x);
    const s = int(`${field}[0]`, x[0], 0, max);
    const e = int(`${field}[1]`, x[1], s, max);
    return [s, e];
  };
  const rows = pair('part.rows', p.rows, fs.rows);
  if (rows[0] === rows[1]) throw bad('part.rows', 'at least one row', p.rows);
  return { rows, steps: pair('part.steps', p.steps, fs.n) };
}

export function parseAggregateJob(data: unknown): AggregateJob {
  const p = protocolOf(data);
  const d = record('job', data, keysOf(p, ['runId', 'files', 'method', 'reverse', 'device', 'part', 'chunk', 'segment']));
  const f = files(d.files);
  return {
    ...madeOf(p, d),
    runId: runId(d.runId),
    files: f,
    method: oneOf('method', d.method, ['direct', 'log'] as const),
    reverse: bool('reverse', d.reverse),
    device: device(d.device),
    part: part(d.part, f),
    chunk: chunk(d.chunk),
    segment: int('segment', d.segment, 0, 1e6),
  };
}

export function parseCarriesJob(data: unknown): CarriesJob {
  const p = protocolOf(data);
  const d = record('job', data, keysOf(p, ['runId', 'reverse', 'rows', 'segments'], ['method']));
  return {
    ...madeOf(p, d),
    ...(p === 1 ? {} : { method: oneOf('method', d.method, ['direct', 'log'] as const) }),
    runId: runId(d.runId),
    reverse: bool('reverse', d.reverse),
    rows: int('rows', d.rows, 1, 1e6),
    segments: int('segments', d.segments, 1, 1e6),
  };
}

export function parseScanJob(data: unknown): ScanJob {
  const protocol = protocolOf(data);
  const d = record('job', data, keysOf(protocol, ['runId', 'files', 'method', 'reverse', 'device', 'part', 'chunk', 'initial'], ['initialLog']));
  const f = files(d.files);
  const p = part(d.part, f);
  const method = oneOf('method', d.method, ['direct', 'log'] as const);
  if (d.initial !== null) decodeF64('initial', d.initial, p.rows[1] - p.rows[0]);
  const initialLog = protocol === 1 ? null : d.initialLog;
  if (initialLog !== null) {
    if (method !== 'log' || d.initial === null) throw bad('initialLog', "null (a log part goes with method 'log' and an initial)", initialLog);
    decodeF64('initialLog', initialLog, p.rows[1] - p.rows[0]);
  }
  return {
    ...madeOf(protocol, d),
    runId: runId(d.runId),
    files: f,
    method,
    reverse: bool('reverse', d.reverse),
    device: device(d.device),
    part: p,
    chunk: chunk(d.chunk),
    initial: d.initial as string | null,
    ...(protocol === 1 ? {} : { initialLog: initialLog as string | null }),
  };
}

/** An aggregate's map as the carries need it (BLog: log|B| where some row's B is beyond float64). */
export interface AggregateMaps {
  segment: number;
  A: Float64Array;
  E: Float64Array | null;
  B: Float64Array;
  BLog: Float64Array | null;
  x: Float64Array | null;
}

/** An aggregate job's result, of protocol 1 (no protocol, no BLog) or 2. Its protocol is read here,
 *  not by protocolOf, whose refusal of a newer protocol speaks of a job and its runner. */
export function parseAggregateResult(field: string, v: unknown, rows: number): AggregateMaps {
  const p = v !== null && typeof v === 'object' && 'protocol' in v ? (v as { protocol: unknown }).protocol : 1;
  if (p !== 1 && p !== PROTOCOL) throw bad(`${field}.protocol`, `${PROTOCOL}`, p);
  const r = record(field, v, keysOf(p, ['segment', 'A', 'E', 'B', 'x'], ['BLog']));
  const E = r.E === null ? null : decodeF64(`${field}.E`, r.E, rows);
  if (E?.some((e) => !Number.isSafeInteger(e))) throw bad(`${field}.E`, 'integer exponents', 'others');
  return {
    segment: int(`${field}.segment`, r.segment, 0, 1e6),
    A: decodeF64(`${field}.A`, r.A, rows),
    E,
    B: decodeF64(`${field}.B`, r.B, rows),
    BLog: r.BLog === null || r.BLog === undefined ? null : decodeF64(`${field}.BLog`, r.BLog, rows),
    x: r.x === null ? null : decodeF64(`${field}.x`, r.x, rows),
  };
}
