// The jobs on the queue: their payloads, their results, and a validation of every field that a
// worker runs before it touches anything (anyone with access to Redis can add a job).
import type { DType } from '../validate';
import type { Method } from '../scan';
import type { FileFormat } from '../npy';
import type { Part } from './plan';
import { DIGEST } from './digest';
import { checkJobPath } from './paths';

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
export interface AggregateJob {
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
export interface CarriesJob {
  runId: string;
  reverse: boolean;
  rows: number;
  segments: number;
}

/** Phase 3, or the only phase of a row shard: scan a part and write it at its offset. */
export interface ScanJob {
  runId: string;
  files: FilesSpec;
  method: Method;
  reverse: boolean;
  device: string;
  part: Part;
  chunk: number | null;
  /** x at the part's start per row, base64 float64; null: x_0 (x_n reversed) from the values file. */
  initial: string | null;
}

/** A scan job's result: each row's last x (base64 float64), which the next part's carry is checked against. */
export interface ScanResult {
  rows: [number, number];
  steps: [number, number];
  last: string;
}

/** The key a runner sets when it ends without success: a worker removes that run's jobs as they end. */
export const endedKey = (prefix: string, queue: string, runId: string): string => `${prefix}:${queue}:ended:${runId}`;

/** The largest --chunk a job carries (steps per read, within what one read may hold). */
export const MAX_CHUNK = 2 ** 30;

export interface AggregateResult {
  segment: number;
  /** Each row's map x_end = A·2^E·x_start + B; E null where every exponent is 0. */
  A: string;
  E: string | null;
  B: string;
  /** The segment at the run's boundary also brings x_0 (x_n reversed) from the values file. */
  x: string | null;
}
export interface CarriesResult {
  /** Per segment: the base64 float64 carries, or null where x comes from the values file. */
  carries: (string | null)[];
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
export const DEVICE_NAME = /^(auto|cpu|cuda|cuda:\d{1,3})$/;
function device(v: unknown): string {
  if (typeof v !== 'string' || !DEVICE_NAME.test(v)) throw bad('device', 'auto, cpu, cuda or cuda:N', v);
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
  const d = record('job', data, ['runId', 'files', 'method', 'reverse', 'device', 'part', 'chunk', 'segment']);
  const f = files(d.files);
  return {
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
  const d = record('job', data, ['runId', 'reverse', 'rows', 'segments']);
  return { runId: runId(d.runId), reverse: bool('reverse', d.reverse), rows: int('rows', d.rows, 1, 1e6), segments: int('segments', d.segments, 1, 1e6) };
}

export function parseScanJob(data: unknown): ScanJob {
  const d = record('job', data, ['runId', 'files', 'method', 'reverse', 'device', 'part', 'chunk', 'initial']);
  const f = files(d.files);
  const p = part(d.part, f);
  if (d.initial !== null) decodeF64('initial', d.initial, p.rows[1] - p.rows[0]);
  return {
    runId: runId(d.runId),
    files: f,
    method: oneOf('method', d.method, ['direct', 'log'] as const),
    reverse: bool('reverse', d.reverse),
    device: device(d.device),
    part: p,
    chunk: chunk(d.chunk),
    initial: d.initial as string | null,
  };
}

export function parseAggregateResult(
  field: string,
  v: unknown,
  rows: number,
): { segment: number; A: Float64Array; E: Float64Array | null; B: Float64Array; x: Float64Array | null } {
  const r = record(field, v, ['segment', 'A', 'E', 'B', 'x']);
  const E = r.E === null ? null : decodeF64(`${field}.E`, r.E, rows);
  if (E?.some((e) => !Number.isSafeInteger(e))) throw bad(`${field}.E`, 'integer exponents', 'others');
  return {
    segment: int(`${field}.segment`, r.segment, 0, 1e6),
    A: decodeF64(`${field}.A`, r.A, rows),
    E,
    B: decodeF64(`${field}.B`, r.B, rows),
    x: r.x === null ? null : decodeF64(`${field}.x`, r.x, rows),
  };
}
