// Streams over a Scanner: object chunks { coeffs, values } (as Scanner.push takes them), an
// async-iterable form, and a binary form for byte streams of interleaved (a_t, b_t) pairs.
// Each chunk's native work runs off the main thread (pushAsync), and the next chunk is taken
// only once it is done, so a slow consumer holds back the producer.
import * as os from 'os';
import { Readable, Transform, type TransformCallback } from 'stream';
import { expected, plainError, typeError } from './errors';
import { allocFloat, itemSize } from './npy';
import { createScanner, pushDroppable, SCANNER_OPTION_NAMES, type Scanner, type ScannerOptions } from './scanner';
import type { Device } from './backends';
import type { DeviceArray } from './device-array';
import type { LogInput, Method, SignedLogArray } from './scan';
import type { DType, FloatArray } from './validate';
import * as v from './validate';

const LITTLE_ENDIAN = os.endianness() === 'LE';

export interface ScanChunk {
  coeffs: Parameters<Scanner['pushAsync']>[0];
  values: Parameters<Scanner['pushAsync']>[1];
}
export type ScanResult = Awaited<ReturnType<Scanner['pushAsync']>>;

/** Options of createScanStream and scanIterable: the Scanner's, and how many chunks may wait. */
export interface ScanStreamOptions extends ScannerOptions {
  /**
   * In chunks. createScanStream: chunks buffered on each side of the stream (default 2; Node's
   * object-mode default of 16 would hold 16 chunks in and 16 results out). scanIterable: results
   * computed ahead of the consumer (default 1: the next chunk is scanned while the consumer
   * handles the current one).
   */
  highWaterMark?: number;
}

// Options known at compile time give exact types; options typed wide (dtype: DType) give unions.
type HostOf<O> = O extends { dtype: 'float64' }
  ? Float64Array
  : O extends { dtype: 'float32' }
    ? Float32Array
    : O extends { dtype: DType }
      ? FloatArray
      : Float32Array;
/** What a stream or iterable with options O yields for host chunks. */
export type ScanResultOf<O> = O extends { log: true }
  ? SignedLogArray<HostOf<O>>
  : O extends { log: false }
    ? HostOf<O>
    : O extends { log: boolean }
      ? HostOf<O> | SignedLogArray<HostOf<O>>
      : HostOf<O>;
/** A chunk of host arrays of the dtype that options O name. */
export interface HostScanChunk<O> {
  coeffs: HostOf<O> | LogInput<HostOf<O>>;
  values: HostOf<O> | LogInput<HostOf<O>>;
}

/** A chunk of DeviceArrays (the results are DeviceArrays on the same device). */
export interface DeviceScanChunk {
  coeffs: DeviceArray | LogInput<DeviceArray>;
  values: DeviceArray | LogInput<DeviceArray>;
}

/**
 * The error of a chunk that failed: which chunk (counted from 0), and the carried state before
 * it (Scanner.state: x per row, or { logAbs, sign }), so that a caller can resume from there.
 */
export interface ChunkError extends Error {
  code?: string;
  chunkIndex: number;
  state: ScanResult;
}

function chunkParts(chunk: unknown): ScanChunk {
  if (chunk === null || typeof chunk !== 'object' || !('coeffs' in chunk) || !('values' in chunk)) {
    throw typeError('ERR_LINREC_INVALID_TYPE', expected('chunk', 'an object { coeffs, values }', chunk));
  }
  return chunk as ScanChunk;
}

/** Names the failed chunk in the error, and attaches the carry before it. */
function chunkError(e: unknown, index: number, scanner: Scanner): ChunkError {
  const err = (e instanceof Error || (e !== null && typeof e === 'object' && 'message' in e) ? e : new Error(String(e))) as ChunkError;
  err.message = `chunk ${index}: ${err.message}`;
  err.chunkIndex = index;
  err.state = scanner.state as ScanResult;
  return err;
}

function splitOptions(options: unknown, fallbackHighWaterMark: number): { scannerOptions: ScannerOptions; highWaterMark: number } {
  const o = v.options<ScanStreamOptions>('options', options, [...SCANNER_OPTION_NAMES, 'highWaterMark']);
  const { highWaterMark, ...scannerOptions } = o;
  return { scannerOptions, highWaterMark: v.positiveInteger('options.highWaterMark', highWaterMark, fallbackHighWaterMark) };
}

/** A Transform stream with the Scanner it pushes through (for its state). */
export interface ScanStream<R = ScanResult> extends Transform {
  readonly scanner: Scanner<R extends FloatArray | SignedLogArray ? R : FloatArray | SignedLogArray>;
  /**
   * Chunks scanned so far: `scanner.state` is the carry after this many, at any time the scanner
   * is not busy, and at once when the stream is destroyed (a chunk then in flight is dropped).
   * Where the pipeline fails elsewhere, the last ones' results may not have reached the destination.
   */
  readonly chunksScanned: number;
}

/**
 * An object-mode Transform: each { coeffs, values } chunk in, the scanned x for its steps out
 * ({ logAbs, sign } with `log: true`). Options as createScanner, and highWaterMark (in chunks).
 * A failed chunk's error (the stream's 'error' event, and so `pipeline`'s) names its index and
 * carries the state before it (`err.state`, also `stream.scanner.state`).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- `{}`: no options, the defaults ScanResultOf reads
export function createScanStream<O extends ScanStreamOptions = {}>(options?: O): ScanStream<ScanResultOf<O>>;
export function createScanStream(options?: ScanStreamOptions): ScanStream;
export function createScanStream(options?: ScanStreamOptions): ScanStream {
  const { scannerOptions, highWaterMark } = splitOptions(options, 2);
  const scanner = createScanner(scannerOptions);
  let ended = false;
  let index = 0;
  let scanned = 0;
  let inFlight: ReturnType<typeof pushDroppable> | undefined;
  const stream = new Transform({
    objectMode: true,
    highWaterMark,
    transform(chunk: unknown, _enc, callback: TransformCallback) {
      const i = index++;
      let parts: ScanChunk;
      try {
        parts = chunkParts(chunk);
      } catch (e) {
        return callback(chunkError(e, i, scanner));
      }
      const flight = pushDroppable(scanner, parts.coeffs, parts.values);
      inFlight = flight;
      flight.result.then(
        (x) => {
          if (inFlight !== flight) return; // dropped by destroy (counted there if it came too late)
          inFlight = undefined;
          scanned++;
          callback(null, x);
        },
        (e) => {
          if (inFlight !== flight) return;
          inFlight = undefined;
          callback(chunkError(e, i, scanner));
        },
      );
    },
    flush(callback: TransformCallback) {
      ended = true;
      callback();
    },
    destroy(err, callback) {
      // A chunk still in flight is dropped: the scanner is idle at once, with the carry after
      // `chunksScanned` chunks. `pipeline` does not wait for a middle stream's destroy, so waiting
      // for the chunk here left scanner.state busy when pipeline rejected (review 23). A chunk
      // whose result was in the state already (too late to drop) is counted.
      if (inFlight) {
        if (!inFlight.abandon()) scanned++;
        inFlight = undefined;
      }
      // Destroyed early (no error), the scanner refuses further pushes. After a normal end, a
      // failed chunk or a failure elsewhere in the pipeline its state stays readable: the carry
      // to continue from.
      if (!err && !ended) scanner.dispose();
      callback(err);
    },
  });
  // Exposed so that callers can read the carried state between chunks.
  Object.defineProperty(stream, 'chunksScanned', { get: () => scanned, enumerable: true });
  return Object.defineProperty(stream, 'scanner', { value: scanner, enumerable: true }) as ScanStream;
}

/**
 * The same over an (async) iterable of { coeffs, values }: yields each chunk's result in turn,
 * scanning up to highWaterMark chunks ahead of the consumer. A failed chunk's error names its
 * index and carries the state before it (`err.state`).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- `{}`: no options, the defaults ScanResultOf reads
export function scanIterable<O extends ScanStreamOptions = {}>(
  source: Iterable<HostScanChunk<O>> | AsyncIterable<HostScanChunk<O>>,
  options?: O,
): AsyncGenerator<ScanResultOf<O>, void, undefined>;
export function scanIterable(
  source: Iterable<DeviceScanChunk> | AsyncIterable<DeviceScanChunk>,
  options?: ScanStreamOptions,
): AsyncGenerator<DeviceArray | SignedLogArray<DeviceArray>, void, undefined>;
export async function* scanIterable(
  source: Iterable<ScanChunk> | AsyncIterable<ScanChunk>,
  options?: ScanStreamOptions,
): AsyncGenerator<ScanResult, void, undefined> {
  v.iterable('source', source);
  const { scannerOptions, highWaterMark } = splitOptions(options, 1);
  const scanner = createScanner(scannerOptions);
  const it = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : (source as Iterable<ScanChunk>)[Symbol.iterator]();
  let index = 0;
  let failed = false;
  // The consumer left the loop (break, return, throw): nothing more is read or scanned.
  let left = false;
  // The source ended or threw: it is not to be returned.
  let sourceDone = false;
  // A next() on the source has not settled yet.
  let reading = false;
  let last: Promise<unknown> = Promise.resolve();
  const DONE: IteratorResult<ScanResult, undefined> = { done: true, value: undefined };
  // One chunk at a time through the scanner (it is single-flight), each started after the last.
  const scanNext = (): Promise<IteratorResult<ScanResult, undefined>> => {
    const run = last.then(async (): Promise<IteratorResult<ScanResult, undefined>> => {
      if (failed || left || sourceDone) return DONE; // no chunk is taken after a failure
      let next: IteratorResult<ScanChunk>;
      reading = true;
      try {
        next = await it.next();
      } catch (e) {
        sourceDone = true;
        throw e;
      } finally {
        reading = false;
      }
      if (next.done) {
        sourceDone = true;
        return DONE;
      }
      if (left) return DONE; // read after the consumer left: dropped, not scanned
      const i = index++;
      try {
        const { coeffs, values } = chunkParts(next.value);
        return { done: false, value: await scanner.pushAsync(coeffs, values) };
      } catch (e) {
        failed = true;
        throw chunkError(e, i, scanner);
      }
    });
    last = run.catch(() => undefined);
    return run;
  };
  const ahead: Promise<IteratorResult<ScanResult, undefined>>[] = [];
  try {
    for (;;) {
      while (ahead.length < highWaterMark + 1) ahead.push(scanNext());
      const r = await ahead.shift()!;
      if (r.done) return;
      yield r.value;
    }
  } finally {
    // Nothing waits for the read-ahead: its results and errors are nobody's now (a source with
    // no next chunk ready would hold the consumer in its loop for ever, review 23).
    left = true;
    for (const p of ahead) p.catch(() => undefined);
    scanner.dispose(); // a scan in flight finishes; its result is dropped
    if (!sourceDone && typeof it.return === 'function') {
      if (!reading) await it.return();
      else {
        // A read is pending: JavaScript queues an async generator's return() behind its pending
        // next(), so it is not awaited (the source closes when it yields again; that chunk is
        // dropped). A Readable is destroyed now, as a for-await over it would destroy it.
        if (source instanceof Readable) source.destroy();
        Promise.resolve()
          .then(() => it.return!())
          .catch(() => undefined);
      }
    }
  }
}

export interface ByteScanStreamOptions {
  dtype?: DType;
  method?: Method;
  device?: Device;
  threads?: number;
}

/**
 * Bytes in: little-endian x_0, then (a_1, b_1), (a_2, b_2), … interleaved, split anywhere.
 * Bytes out: x_0, x_1, … little-endian. One sequence (one row). A trailing partial element
 * is an ERR_LINREC_FORMAT error at the end, and so is an input without x_0.
 */
export function createByteScanStream(options: ByteScanStreamOptions = {}): Transform {
  const { dtype = 'float32', method, device, threads } = v.options<ByteScanStreamOptions>('options', options, ['dtype', 'method', 'device', 'threads']);
  // Validates every option before any byte arrives; the real Scanner starts once x_0 is known.
  let scanner: Scanner = createScanner({ dtype, method, device, threads });
  const item = itemSize(dtype);
  const pair = 2 * item;
  let haveX0 = false;
  // The bytes of an incomplete element held over from the previous chunk (fewer than a pair).
  let carry = Buffer.alloc(0);

  return new Transform({
    transform(chunk: Buffer, _enc, callback: TransformCallback) {
      let pos = 0;
      if (!haveX0) {
        if (carry.length + chunk.length < item) {
          carry = Buffer.concat([carry, chunk]);
          return callback();
        }
        pos = item - carry.length;
        const x0Bytes = Buffer.concat([carry, chunk.subarray(0, pos)]);
        carry = Buffer.alloc(0);
        haveX0 = true;
        scanner.dispose();
        scanner = createScanner({ dtype, method, device, threads, initial: readFloat(x0Bytes, 0, dtype) });
        this.push(x0Bytes);
      }
      // Complete the pair split across the previous chunk's end, if any.
      let head: Buffer | undefined;
      if (carry.length > 0) {
        const need = pair - carry.length;
        if (chunk.length - pos < need) {
          carry = Buffer.concat([carry, chunk.subarray(pos)]);
          return callback();
        }
        head = Buffer.concat([carry, chunk.subarray(pos, pos + need)]);
        pos += need;
      }
      const body = Math.floor((chunk.length - pos) / pair);
      // Copied: holding a subarray would keep the whole chunk alive.
      carry = Buffer.from(chunk.subarray(pos + body * pair));
      const steps = (head ? 1 : 0) + body;
      if (steps === 0) return callback();
      const a = allocFloat(dtype, steps);
      const b = allocFloat(dtype, steps);
      if (head) deinterleave(head, 0, 1, a, b, 0);
      deinterleave(chunk, pos, body, a, b, head ? 1 : 0);
      scanner.pushAsync(a, b).then((x) => {
        const xs = x as FloatArray;
        const out = Buffer.from(xs.buffer, xs.byteOffset, xs.byteLength);
        if (!LITTLE_ENDIAN && item === 8) out.swap64();
        else if (!LITTLE_ENDIAN) out.swap32();
        callback(null, out);
      }, callback);
    },
    flush(callback: TransformCallback) {
      if (!haveX0) {
        const what = carry.length ? `truncated: ${carry.length} trailing bytes (x_0 needs ${item})` : 'empty input: expected x_0 first';
        return callback(plainError('ERR_LINREC_FORMAT', what));
      }
      if (carry.length)
        return callback(plainError('ERR_LINREC_FORMAT', `truncated: ${carry.length} trailing bytes (not a whole (a, b) pair of ${pair} bytes)`));
      callback();
    },
    destroy(err, callback) {
      // After a failure the scanner refuses further pushes; after a normal end its state stays
      // readable (the carry to continue from).
      if (err) scanner.dispose();
      callback(err);
    },
  });
}

function readFloat(buf: Buffer, offset: number, dtype: DType): number {
  return dtype === 'float64' ? buf.readDoubleLE(offset) : buf.readFloatLE(offset);
}

/** `count` pairs from `buf` at byte `offset` into a[at..], b[at..]. */
function deinterleave(buf: Buffer, offset: number, count: number, a: FloatArray, b: FloatArray, at: number): void {
  const item = a.BYTES_PER_ELEMENT;
  const start = buf.byteOffset + offset;
  if (LITTLE_ENDIAN && start % item === 0) {
    // Aligned (the usual case for file and most socket chunks): read through a typed view.
    const src = item === 8 ? new Float64Array(buf.buffer, start, 2 * count) : new Float32Array(buf.buffer, start, 2 * count);
    for (let i = 0; i < count; i++) {
      a[at + i] = src[2 * i];
      b[at + i] = src[2 * i + 1];
    }
    return;
  }
  const dv = new DataView(buf.buffer, start, 2 * count * item);
  for (let i = 0; i < count; i++) {
    a[at + i] = item === 8 ? dv.getFloat64(2 * i * 8, true) : dv.getFloat32(2 * i * 4, true);
    b[at + i] = item === 8 ? dv.getFloat64((2 * i + 1) * 8, true) : dv.getFloat32((2 * i + 1) * 4, true);
  }
}
