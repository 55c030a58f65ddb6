// What a worker does with a part of a run's files: the aggregate of a segment (phase 1) and
// the scan of a part written at its offset (phase 3, or a row shard). Reads and writes go
// through the npy.ts readers a block at a time, so memory stays bounded however large a part.
// Writes are positional and deterministic: a retried part writes the same bytes again.
import { promises as fsp } from 'fs';
import { aggregateAsync } from '../scan';
import { createScanner, type Scanner } from '../scanner';
import { ArrayFileReader, itemSize } from '../npy';
import type { DType, FloatArray } from '../validate';
import { plainError } from '../errors';
import type { Device } from '../backends';
import { sampledDigest } from './digest';
import { confine, openConfinedForWrite } from './paths';
import { blocking, type Part } from './plan';
import { applyMap, applyMapWide, inRange, rangeProduct, RowMaps, signOf } from './maps';
import {
  beyondF64,
  decodeF64,
  encodeF64,
  encodeLog,
  made,
  PayloadError,
  type AggregateJob,
  type AggregateMaps,
  type AggregateResult,
  type Carry,
  type FilesSpec,
  type ScanJob,
} from './jobs';

export interface PartContext {
  /** The worker's root, symlinks resolved. */
  root: string;
  threads?: number;
  /** Called with the steps done so far in this part (rows × steps). */
  progress?: (steps: number) => void;
}

/** Blocks of [s, e) of at most `steps`, from the end when reversing. */
function* blocks(s: number, e: number, steps: number, reverse: boolean): Generator<[number, number]> {
  if (reverse) for (let hi = e; hi > s; hi -= steps) yield [Math.max(s, hi - steps), hi];
  else for (let lo = s; lo < e; lo += steps) yield [lo, Math.min(e, lo + steps)];
}

/** The run's inputs, confined to the root and checked against the layout the runner planned. */
async function openInputs(root: string, f: FilesSpec): Promise<{ a: ArrayFileReader; b: ArrayFileReader }> {
  const coeffs = await confine(root, 'files.coeffs', f.coeffs);
  const values = await confine(root, 'files.values', f.values);
  const a = await ArrayFileReader.open(coeffs, { format: f.format, dtype: f.format === 'raw' ? f.dtype : undefined });
  let b: ArrayFileReader | undefined;
  try {
    b = await ArrayFileReader.open(values, { format: f.format, dtype: f.format === 'raw' ? f.dtype : undefined });
    const want = (file: string, r: ArrayFileReader, length: number) => {
      if (r.dtype !== f.dtype || r.length !== length) {
        throw plainError(
          'ERR_LINREC_FORMAT',
          `${file} holds ${r.length} ${r.dtype} elements here but the run planned ${length} ${f.dtype} (is it the same file on every machine?)`,
        );
      }
    };
    want(f.coeffs, a, f.rows * f.n);
    want(f.values, b, f.rows * (f.n + 1));
    for (const [file, real, expected] of [
      [f.coeffs, coeffs, f.coeffsDigest],
      [f.values, values, f.valuesDigest],
    ]) {
      if ((await sampledDigest(real)) !== expected)
        throw plainError('ERR_LINREC_FORMAT', `${file} holds other data here than on the machine that started the run (is it the same file on every machine?)`);
    }
    return { a, b };
  } catch (e) {
    await Promise.all([a.close(), b?.close()]);
    throw e;
  }
}

/** The x column at the run's boundary: x_0 (x_n reversed) of rows [g0, g1). */
const boundaryColumn = (b: ArrayFileReader, f: FilesSpec, reverse: boolean, g0: number, g1: number) =>
  b.readBlock(g0, g1, reverse ? f.n : 0, reverse ? f.n + 1 : 1, f.n + 1);

/** Value columns of the b's of steps [s, e): b_{s+1}..b_e forward, b_s..b_{e-1} reversed. */
const valueColumns = (s: number, e: number, reverse: boolean): [number, number] => (reverse ? [s, e] : [s + 1, e + 1]);

/** Phase 1: each row's composed map over the part's steps, composed across blocks in float64
 *  with A in extended range (maps.ts). */
export async function aggregatePart(job: AggregateJob, ctx: PartContext): Promise<AggregateResult> {
  const { files: f, part, reverse } = job;
  const { a, b } = await openInputs(ctx.root, f);
  try {
    const [r0, r1] = part.rows;
    const [s, e] = part.steps;
    // A 'log' run's carries live in the log method's range, whatever the data's type (maps.ts, DEAD).
    const carryType = job.method === 'log' ? 'log' : f.dtype;
    const maps = new RowMaps(r1 - r0, carryType);
    const atBoundary = reverse ? e === f.n : s === 0;
    const x = atBoundary ? new Float64Array(r1 - r0) : null;
    const { steps, groupRows } = blocking(r1 - r0, e - s, job.chunk ?? undefined);
    let done = 0;
    for (let g0 = r0; g0 < r1; g0 += groupRows) {
      const g1 = Math.min(r1, g0 + groupRows);
      if (x) x.set(await boundaryColumn(b, f, reverse, g0, g1), g0 - r0);
      for (const [bs, be] of blocks(s, e, steps, reverse)) {
        const [c0, c1] = valueColumns(bs, be, reverse);
        const [ca, cb] = await Promise.all([a.readBlock(g0, g1, bs, be, f.n), b.readBlock(g0, g1, c0, c1, f.n + 1)]);
        const m = await aggregateAsync(ca, cb, { rows: g1 - g0, reverse, device: job.device as Device, threads: ctx.threads });
        // The block's map applies after the blocks before it (after it, reversed): T = M∘T.
        const w = be - bs;
        for (let i = 0; i < g1 - g0; i++) {
          const r = g0 - r0 + i;
          let A = m.A[i];
          let e = 0;
          // The product again where it left the type (not needed once the row's A is 0).
          if (!inRange(A, f.dtype) && maps.A[r] !== 0) [A, e] = rangeProduct(ca, i * w, (i + 1) * w, f.dtype, maps.exponent(r), carryType) ?? [A, 0];
          if (job.method === 'log') maps.then(r, A, e, ...(await logB(m.B[i], ca, cb, i, w, f.dtype, reverse, ctx.threads)));
          else maps.then(r, A, e, m.B[i]);
        }
        done += (g1 - g0) * (be - bs);
        ctx.progress?.(done);
      }
    }
    const E = maps.exponents();
    const result: AggregateResult = { segment: job.segment, A: encodeF64(maps.A), E: E && encodeF64(E), B: encodeF64(maps.B), x: x && encodeF64(x) };
    // Protocol 1's runners take these fields only; protocol 2 adds B's log part (method 'log').
    return job.protocol === undefined ? result : { ...made(), ...result, BLog: encodeLog(maps.B, maps.BLog) };
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

/**
 * A block's B in a log run, as [B, log|B|]: the block's x from 0, where the engine's (the direct
 * loop in the data's type) overflowed or underflowed, taken again with the log method for that
 * row (the Scanner's carried value, logState), so a carry keeps what the one-machine log method
 * keeps; beyond float64's range, log|B| holds it (beyondF64).
 */
async function logB(
  B: number,
  ca: FloatArray,
  cb: FloatArray,
  i: number,
  w: number,
  dtype: DType,
  reverse: boolean,
  threads?: number,
): Promise<[number, number]> {
  const plain: [number, number] = [B, Math.log(Math.abs(B))];
  if (Number.isNaN(B) || inRange(B, dtype)) return plain;
  // A zero B is the loop's from 0: exact where the block has no nonzero input.
  if (Math.abs(B) !== Infinity && !cb.subarray(i * w, (i + 1) * w).some((b) => b !== 0)) return plain;
  const s = createScanner({ dtype, method: 'log', reverse, threads, device: 'cpu' });
  try {
    await s.pushAsync(ca.slice(i * w, (i + 1) * w) as Float32Array, cb.slice(i * w, (i + 1) * w) as Float32Array);
    const { logAbs, sign } = s.logState;
    return [sign[0] * Math.exp(logAbs[0]), logAbs[0]];
  } finally {
    s.dispose();
  }
}

/** A Scanner's carried value per row as a Carry: x in float64 (the state itself where it is a
 *  normal number of the dtype), and with method 'log' its log magnitude from logState, which
 *  holds x where x is beyond float64's range. */
function carryOf(scanner: Scanner, dtype: DType): Carry {
  const state = scanner.state as FloatArray;
  if (scanner.method !== 'log') return { x: Float64Array.from(state), log: null };
  const { logAbs, sign } = scanner.logState;
  // logAbs is log|x| for every row: the state's own log where it is in range (the Scanner keeps
  // its log form only for rows beyond the range, whose state is then not a normal number).
  const x = Float64Array.from(state, (v, r) => (inRange(v, dtype) ? v : sign[r] * Math.exp(logAbs[r])));
  return { x, log: logAbs };
}

/** A Scanner's `initial` for rows of a carry: plain numbers, or { logAbs, sign } where some row is
 *  beyond float64 (its log then; the others' log|x|, which the Scanner takes back to x within a
 *  rounding). */
function initialOf(x: Float64Array, log: Float64Array | null): number[] | { logAbs: number[]; sign: number[] } {
  if (!log || !x.some((v, r) => beyondF64(v, log[r]))) return Array.from(x);
  const logAbs = Array.from(x, (v, r) => (beyondF64(v, log[r]) ? log[r] : Math.log(Math.abs(v))));
  const sign = Array.from(x, (v) => signOf(v));
  return { logAbs, sign };
}

/** Positional writes into the run's temporary output, which the runner created and sized. */
class PartWriter {
  private constructor(
    private readonly fh: fsp.FileHandle,
    private readonly dataOffset: number,
    private readonly item: number,
  ) {}

  static async open(root: string, f: FilesSpec): Promise<PartWriter> {
    // The header says where the data starts; its shape must be the run's (a check that this
    // temp file is the run's output and not some other file of that name).
    const real = await confine(root, 'files.out', f.out);
    const header = await ArrayFileReader.open(real, { format: f.format, dtype: f.format === 'raw' ? f.dtype : undefined });
    await header.close();
    if (header.dtype !== f.dtype || header.length !== f.rows * (f.n + 1)) {
      throw plainError(
        'ERR_LINREC_FORMAT',
        `${f.out} holds ${header.length} ${header.dtype} elements but the run's output has ${f.rows * (f.n + 1)} ${f.dtype}`,
      );
    }
    const fh = await openConfinedForWrite(root, 'files.out', f.out);
    return new PartWriter(fh, header.header.dataOffset, itemSize(f.dtype));
  }

  /** Rows [r0, r1) × columns [c0, c1) of rows of `cols`, from `data` packed row-major. */
  async writeBlock(r0: number, r1: number, c0: number, c1: number, data: FloatArray, cols: number): Promise<void> {
    const w = c1 - c0;
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const rowsAtOnce = w === cols ? r1 - r0 : 1; // whole rows are one contiguous write
    for (let r = r0; r < r1; r += rowsAtOnce) {
      const chunk = bytes.subarray((r - r0) * w * this.item, (r - r0 + rowsAtOnce) * w * this.item);
      let written = 0;
      while (written < chunk.length) {
        const { bytesWritten } = await this.fh.write(chunk, written, chunk.length - written, this.dataOffset + (r * cols + c0) * this.item + written);
        written += bytesWritten;
      }
    }
  }

  /** On the storage before the job reports done: the runner renames the file after that. */
  async close(): Promise<void> {
    try {
      await this.fh.datasync();
    } finally {
      await this.fh.close();
    }
  }
}

/** Phase 3 (or a row shard): scans the part from its carries and writes it at its offset.
 *  Returns each row's last x (float64; with method 'log' also its log magnitude, which holds x
 *  beyond float64's range), which the runner checks the next part's carry against. */
export async function scanPart(job: ScanJob, ctx: PartContext): Promise<Carry> {
  const { files: f, part, reverse } = job;
  const [r0, r1] = part.rows;
  const [s, e] = part.steps;
  const carries = job.initial === null ? null : decodeF64('initial', job.initial, r1 - r0);
  const carryLogs = job.initialLog ? decodeF64('initialLog', job.initialLog, r1 - r0) : null;
  const { a, b } = await openInputs(ctx.root, f);
  const last: Carry = { x: new Float64Array(r1 - r0), log: job.method === 'log' ? new Float64Array(r1 - r0) : null };
  let out: PartWriter | undefined;
  try {
    out = await PartWriter.open(ctx.root, f);
    const { steps, groupRows } = blocking(r1 - r0, e - s, job.chunk ?? undefined);
    let done = 0;
    for (let g0 = r0; g0 < r1; g0 += groupRows) {
      const g1 = Math.min(r1, g0 + groupRows);
      let initial: ReturnType<typeof initialOf>;
      if (carries) initial = initialOf(carries.subarray(g0 - r0, g1 - r0), carryLogs && carryLogs.subarray(g0 - r0, g1 - r0));
      else {
        // The part at the boundary starts from the file's x_0 (x_n), which the output holds too.
        const x = await boundaryColumn(b, f, reverse, g0, g1);
        await out.writeBlock(g0, g1, reverse ? f.n : 0, reverse ? f.n + 1 : 1, x, f.n + 1);
        initial = Array.from(x);
      }
      let scanner: Scanner | undefined;
      try {
        scanner = createScanner({
          rows: g1 - g0,
          dtype: f.dtype,
          method: job.method,
          device: job.device as Device,
          reverse,
          threads: ctx.threads,
          initial,
        });
        for (const [bs, be] of blocks(s, e, steps, reverse)) {
          const [c0, c1] = valueColumns(bs, be, reverse);
          const [ca, cb] = await Promise.all([a.readBlock(g0, g1, bs, be, f.n), b.readBlock(g0, g1, c0, c1, f.n + 1)]);
          const x = (await scanner.pushAsync(ca, cb)) as FloatArray;
          await out.writeBlock(g0, g1, c0, c1, x, f.n + 1);
          done += (g1 - g0) * (be - bs);
          ctx.progress?.(done);
        }
        const end = carryOf(scanner, f.dtype);
        last.x.set(end.x, g0 - r0);
        if (last.log) last.log.set(end.log!, g0 - r0);
      } finally {
        scanner?.dispose();
      }
    }
  } finally {
    await Promise.all([a.close(), b.close(), out?.close()]);
  }
  return last;
}

/**
 * Phase 2: each segment's starting x per row from the segments' maps, in float64 (A·2^E); with
 * `wide` (method 'log'), in log form where x or B is beyond float64's range (applyMapWide), the
 * log parts then in `logs` (each null where no row is beyond).
 */
export function composeCarries(
  maps: AggregateMaps[],
  segments: number,
  rows: number,
  reverse: boolean,
  wide = false,
): { carries: (string | null)[]; logs: (string | null)[] | null } {
  const bySegment = new Map(maps.map((m) => [m.segment, m]));
  const order = Array.from({ length: segments }, (_, k) => (reverse ? segments - 1 - k : k));
  const carries: (string | null)[] = new Array<string | null>(segments).fill(null);
  const logs: (string | null)[] = new Array<string | null>(segments).fill(null);
  let x: Float64Array | null = null;
  let xLog: Float64Array | null = null;
  for (const [i, k] of order.entries()) {
    if (i === order.length - 1) break; // the last segment's map leads nowhere
    const m = bySegment.get(k);
    if (!m) throw new PayloadError(`malformed job: the carries need segment ${k}'s aggregate, which is missing`);
    if (i === 0) {
      if (!m.x) throw new PayloadError(`malformed job: segment ${k} is at the boundary but brought no x`);
      x = m.x;
      if (wide) xLog = Float64Array.from(x, (v) => Math.log(Math.abs(v)));
    }
    const next = new Float64Array(rows);
    const nextLog = wide ? new Float64Array(rows) : null;
    for (let r = 0; r < rows; r++) {
      const E = m.E ? m.E[r] : 0;
      if (nextLog) [next[r], nextLog[r]] = applyMapWide(m.A[r], E, m.B[r], m.BLog ? m.BLog[r] : Math.log(Math.abs(m.B[r])), x![r], xLog![r]);
      else next[r] = applyMap(m.A[r], E, m.B[r], x![r]);
    }
    x = next;
    xLog = nextLog;
    carries[order[i + 1]] = encodeF64(x);
    if (wide) logs[order[i + 1]] = encodeLog(x, xLog);
  }
  return { carries, logs: wide ? logs : null };
}

export type { Part };
