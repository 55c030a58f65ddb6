// A matrix of invalid calls across the public API. Every case must throw (sync functions) or
// reject (async ones, never throw synchronously) with a LinrecError: `code` ERR_LINREC_*, the
// right built-in class, and a message naming the argument; and the library must work normally
// after it. Errors and typed arrays from the addon come from another realm inside jest, so the
// checks use `name`, `code` and Object.prototype.toString, never instanceof.
import { MessageChannel } from 'worker_threads';
import {
  aggregate,
  aggregateAsync,
  ArrayFileReader,
  ArrayFileWriter,
  backends,
  createScanner,
  decodeNpy,
  deviceMemory,
  keepFreedMemory,
  logScan,
  logScanAsync,
  scan,
  scanAsync,
  scanIterable,
  sequential,
  toDevice,
  type Scanner,
} from '../src';

const cudaAvailable = backends().cuda.available;
const tag = (v: unknown) => Object.prototype.toString.call(v);

type ErrName = 'TypeError' | 'RangeError' | 'Error';
interface Case {
  title: string;
  /** Returns the call's result (a promise for async functions). */
  run: () => unknown;
  async?: boolean;
  name: ErrName;
  code: string;
  msg: RegExp;
  /** Extra checks after the failure (e.g. the same Scanner still works). */
  after?: () => void | Promise<void>;
  cuda?: boolean;
}

// Small exactly-representable data: sums and products of dyadic numbers, exact in float32, so
// results compare exactly with the sequential loop.
const A = [0.5, 2, -1, 0.25, 1, -0.5, 2, 0, 1, 0.5];
const B = [3, 1, -2, 0.5, 4, -1, 0.25, 2, 8, -3, 1];
const f32 = (xs: number[]) => Float32Array.from(xs);
const f64 = (xs: number[]) => Float64Array.from(xs);
const good = () => ({ a: f32(A), b: f32(B) });
const expectedX = () => Array.from(sequential(f64(A), f64(B)));

// Large enough for an async call to leave the main thread (src/scan.ts, INLINE_WORK).
const BIG = 20_000;
const big = (fill: number, extra = 0) => new Float32Array(BIG + extra).fill(fill);
/** A Float32Array over a resizable ArrayBuffer (Node 20: ArrayBuffer's maxByteLength). */
function resizable(length: number, fill = 0): Float32Array {
  const Ctor = ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer;
  return new Float32Array(new Ctor(4 * length, { maxByteLength: 8 * length })).fill(fill);
}

function detach(buf: ArrayBuffer, how: 'structuredClone' | 'postMessage'): void {
  if (how === 'structuredClone') structuredClone(buf, { transfer: [buf] });
  else {
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(buf, [buf]);
    port1.close();
    port2.close();
  }
  expect(buf.byteLength).toBe(0);
}
function detached(Ctor: Float32ArrayConstructor, n: number, how?: 'structuredClone' | 'postMessage'): Float32Array;
function detached(Ctor: Float64ArrayConstructor, n: number, how?: 'structuredClone' | 'postMessage'): Float64Array;
function detached(
  Ctor: Float32ArrayConstructor | Float64ArrayConstructor,
  n: number,
  how: 'structuredClone' | 'postMessage' = 'structuredClone',
): Float32Array | Float64Array {
  const arr = new Ctor(n).fill(1);
  detach(arr.buffer as ArrayBuffer, how);
  return arr;
}

function checkError(e: unknown, c: Case): void {
  expect(e).toBeTruthy();
  const err = e as { name?: string; code?: string; message?: string };
  expect(tag(e)).toBe('[object Error]');
  expect({ name: err.name, code: err.code }).toEqual({ name: c.name, code: c.code });
  expect(err.code).toMatch(/^ERR_LINREC_/);
  expect(err.message).toMatch(c.msg);
}

/** The next valid calls (sync and async) give the right answer. */
async function validCallsStillWork(): Promise<void> {
  const { a, b } = good();
  expect(Array.from(scan(a, b))).toEqual(expectedX());
  const { a: a2, b: b2 } = good();
  expect(Array.from(await scanAsync(a2, b2, { threads: 2 }))).toEqual(expectedX());
}

// A Scanner used by several cases: after a failed push its state must be unchanged.
let shared: Scanner;
const sharedPushWorks = () => {
  const before = shared.state as Float32Array;
  const x = shared.push(f32([2]), f32([1])) as Float32Array;
  expect(x[0]).toBe(2 * before[0] + 1);
  shared.reset();
};

const opts = (o: Record<string, unknown>) => o as never;
const any = (v: unknown) => v as never;

const cases: Case[] = [
  // ---- scan: argument types -----------------------------------------------------------------
  {
    title: 'scan: coeffs a plain array',
    run: () => scan(any([0.5, 2]), f32([1, 2, 3])),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /coeffs.*Array\(2\)/,
  },
  {
    title: 'scan: values a plain array',
    run: () => scan(f32([0.5, 2]), any([1, 2, 3])),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /values.*Array\(3\)/,
  },
  {
    title: 'scan: coeffs an Int32Array',
    run: () => scan(any(new Int32Array(2)), f32([1, 2, 3])),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /coeffs.*Int32Array/,
  },
  {
    title: 'scan: coeffs a Buffer',
    run: () => scan(any(Buffer.alloc(8)), f32([1, 2, 3])),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /coeffs.*Uint8Array/,
  },
  {
    title: 'scan: coeffs a DataView',
    run: () => scan(any(new DataView(new ArrayBuffer(8))), f32([1, 2, 3])),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /coeffs.*DataView/,
  },
  {
    title: 'scan: values a BigInt64Array',
    run: () => scan(f32([1]), any(new BigInt64Array(2))),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /values.*BigInt64Array/,
  },
  { title: 'scan: coeffs a string', run: () => scan(any('0.5,2'), f32([1, 2, 3])), name: 'TypeError', code: 'ERR_LINREC_INVALID_TYPE', msg: /coeffs.*string/ },
  { title: 'scan: coeffs null', run: () => scan(any(null), f32([1, 2, 3])), name: 'TypeError', code: 'ERR_LINREC_INVALID_TYPE', msg: /coeffs.*null/ },
  {
    title: 'scan: coeffs undefined',
    run: () => scan(any(undefined), f32([1, 2, 3])),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /coeffs.*undefined/,
  },
  {
    title: 'scan: values undefined',
    run: () => scan(f32([1, 2]), any(undefined)),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /values.*undefined/,
  },
  {
    title: 'scan: Float32 coeffs with Float64 values',
    run: () => scan(f32([1, 2]), any(f64([1, 2, 3]))),
    name: 'TypeError',
    code: 'ERR_LINREC_DTYPE_MISMATCH',
    msg: /values.*float32.*float64/,
  },
  {
    title: 'scan: Float64 coeffs with Float32 values',
    run: () => scan(f64([1, 2]), any(f32([1, 2, 3]))),
    name: 'TypeError',
    code: 'ERR_LINREC_DTYPE_MISMATCH',
    msg: /values.*coeffs/,
  },
  // ---- scan: lengths and rows ---------------------------------------------------------------
  {
    title: 'scan: values as long as coeffs (x_0 missing)',
    run: () => scan(f32([1, 2]), f32([1, 2])),
    name: 'RangeError',
    code: 'ERR_LINREC_LENGTH_MISMATCH',
    msg: /values.*length 3.*received length 2/,
  },
  {
    title: 'scan: values one too long',
    run: () => scan(f32([1, 2]), f32([1, 2, 3, 4])),
    name: 'RangeError',
    code: 'ERR_LINREC_LENGTH_MISMATCH',
    msg: /values/,
  },
  {
    title: 'scan: coeffs length not a multiple of rows',
    run: () => scan(f32([1, 2, 3]), f32([1, 2, 3, 4, 5]), { rows: 2 }),
    name: 'RangeError',
    code: 'ERR_LINREC_LENGTH_MISMATCH',
    msg: /coeffs.*\(3\).*rows \(2\)/,
  },
  {
    title: 'scan: values length for rows·n, not rows·(n+1)',
    run: () => scan(f32([1, 2, 3, 4]), f32([1, 2, 3, 4]), { rows: 2 }),
    name: 'RangeError',
    code: 'ERR_LINREC_LENGTH_MISMATCH',
    msg: /values.*length 6/,
  },
  {
    title: 'scan: rows 0',
    run: () => scan(f32([1, 2]), f32([1, 2, 3]), { rows: 0 }),
    name: 'RangeError',
    code: 'ERR_LINREC_INVALID_VALUE',
    msg: /options\.rows.*0/,
  },
  {
    title: 'scan: rows -1',
    run: () => scan(f32([1, 2]), f32([1, 2, 3]), { rows: -1 }),
    name: 'RangeError',
    code: 'ERR_LINREC_INVALID_VALUE',
    msg: /options\.rows.*-1/,
  },
  {
    title: 'scan: rows 2^60 (huge)',
    run: () => scan(f32([]), f32([1]), { rows: 2 ** 60 }),
    name: 'RangeError',
    code: 'ERR_LINREC_INVALID_VALUE',
    msg: /options\.rows/,
  },
  {
    title: 'scan: rows 1e6 with too little data',
    run: () => scan(f32([1, 2]), f32([1, 2, 3]), { rows: 1e6 }),
    name: 'RangeError',
    code: 'ERR_LINREC_LENGTH_MISMATCH',
    msg: /coeffs.*rows \(1000000\)/,
  },
  {
    title: "scan: rows '2' (a string)",
    run: () => scan(f32([1, 2]), f32([1, 2, 3]), opts({ rows: '2' })),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /options\.rows.*string "2"/,
  },
  {
    title: 'scan: rows 1.5 (fractional)',
    run: () => scan(f32([1, 2]), f32([1, 2, 3]), { rows: 1.5 }),
    name: 'RangeError',
    code: 'ERR_LINREC_INVALID_VALUE',
    msg: /options\.rows.*1\.5/,
  },
  {
    title: 'scan: rows NaN',
    run: () => scan(f32([1, 2]), f32([1, 2, 3]), { rows: NaN }),
    name: 'RangeError',
    code: 'ERR_LINREC_INVALID_VALUE',
    msg: /options\.rows.*NaN/,
  },
  {
    title: 'scan: rows Infinity',
    run: () => scan(f32([1, 2]), f32([1, 2, 3]), { rows: Infinity }),
    name: 'RangeError',
    code: 'ERR_LINREC_INVALID_VALUE',
    msg: /options\.rows.*Infinity/,
  },
  // ---- scan: out ----------------------------------------------------------------------------
  {
    title: 'scan: out one element short',
    run: () => scan(f32([1, 2]), f32([1, 2, 3]), { out: new Float32Array(2) }),
    name: 'RangeError',
    code: 'ERR_LINREC_LENGTH_MISMATCH',
    msg: /options\.out.*length 3/,
  },
  {
    title: 'scan: out Float64Array for float32 inputs',
    run: () => scan(f32([1, 2]), f32([1, 2, 3]), { out: any(new Float64Array(3)) }),
    name: 'TypeError',
    code: 'ERR_LINREC_DTYPE_MISMATCH',
    msg: /options\.out/,
  },
  {
    title: 'scan: out an Int32Array',
    run: () => scan(f32([1, 2]), f32([1, 2, 3]), { out: any(new Int32Array(3)) }),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /options\.out.*Int32Array/,
  },
  {
    title: 'scan: out a plain array',
    run: () => scan(f32([1, 2]), f32([1, 2, 3]), { out: any([0, 0, 0]) }),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /options\.out/,
  },
  {
    title: 'scan: out a partially overlapping subarray of values',
    run: () => {
      const buf = new Float32Array(4);
      buf.set([1, 2, 3]);
      return scan(f32([1, 2]), buf.subarray(0, 3), { out: buf.subarray(1, 4) });
    },
    name: 'RangeError',
    code: 'ERR_LINREC_ALIAS',
    msg: /options\.out.*values/,
  },
  {
    title: 'scan: out overlapping coeffs',
    run: () => {
      const buf = new Float32Array(6);
      return scan(buf.subarray(0, 2), f32([1, 2, 3]), { out: buf.subarray(1, 4) });
    },
    name: 'RangeError',
    code: 'ERR_LINREC_ALIAS',
    msg: /options\.out.*coeffs/,
  },
  {
    title: 'scan: out === coeffs storage (same buffer, same offset, other length)',
    run: () => {
      const buf = new Float32Array(3);
      return scan(buf.subarray(0, 2), f32([1, 2, 3]), { out: buf });
    },
    name: 'RangeError',
    code: 'ERR_LINREC_ALIAS',
    msg: /options\.out.*coeffs/,
  },
  // ---- detached buffers ---------------------------------------------------------------------
  {
    title: 'scan: coeffs detached (structuredClone transfer)',
    run: () => scan(detached(Float32Array, 2), f32([1, 2, 3])),
    name: 'TypeError',
    code: 'ERR_LINREC_DETACHED',
    msg: /coeffs.*detached/,
  },
  {
    title: 'scan: values detached (postMessage transfer)',
    run: () => scan(f32([1, 2]), detached(Float32Array, 3, 'postMessage')),
    name: 'TypeError',
    code: 'ERR_LINREC_DETACHED',
    msg: /values.*detached/,
  },
  {
    title: 'scan: out detached',
    run: () => scan(f32([1, 2]), f32([1, 2, 3]), { out: detached(Float32Array, 3) }),
    name: 'TypeError',
    code: 'ERR_LINREC_DETACHED',
    msg: /options\.out.*detached/,
  },
  {
    title: 'scanAsync: coeffs detached',
    async: true,
    run: () => scanAsync(detached(Float64Array, 2), f64([1, 2, 3])),
    name: 'TypeError',
    code: 'ERR_LINREC_DETACHED',
    msg: /coeffs.*detached/,
  },
  {
    title: 'logScan: logValues.sign detached',
    run: () => {
      const sign = new Int8Array(3);
      detach(sign.buffer as ArrayBuffer, 'structuredClone');
      return logScan(f32([0, 0]), { logAbs: f32([0, 0, 0]), sign });
    },
    name: 'TypeError',
    code: 'ERR_LINREC_DETACHED',
    msg: /logValues\.sign.*detached/,
  },
  // ---- options ------------------------------------------------------------------------------
  {
    title: 'scan: unknown option',
    run: () => scan(f32([1, 2]), f32([1, 2, 3]), opts({ rowz: 1 })),
    name: 'TypeError',
    code: 'ERR_LINREC_UNKNOWN_OPTION',
    msg: /"rowz".*options/,
  },
  {
    title: 'scan: options a string',
    run: () => scan(f32([1, 2]), f32([1, 2, 3]), any('reverse')),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /options.*string/,
  },
  {
    title: 'scan: options a Map (its entries are no options; it was read as {} and the call ran forward)',
    run: () => scan(f32([2, 3]), f32([1, 1, 1]), any(new Map([['reverse', true]]))),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /Expected an options object for options but received Map object/,
  },
  {
    title: 'scan: options a Date',
    run: () => scan(f32([2, 3]), f32([1, 1, 1]), any(new Date())),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /options.*Date object/,
  },
  {
    title: 'Scanner.push: options a Map',
    run: () => createScanner().push(f32([2]), f32([1]), any(new Map([['out', f32([0])]]))),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /options.*Map object/,
  },
  {
    title: 'scan: options null',
    run: () => scan(f32([1, 2]), f32([1, 2, 3]), any(null)),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /options.*null/,
  },
  {
    title: "scan: method 'fast'",
    run: () => scan(f32([1, 2]), f32([1, 2, 3]), opts({ method: 'fast' })),
    name: 'RangeError',
    code: 'ERR_LINREC_INVALID_VALUE',
    msg: /'direct', 'log' for options\.method.*"fast"/,
  },
  {
    title: 'scan: method 1',
    run: () => scan(f32([1, 2]), f32([1, 2, 3]), opts({ method: 1 })),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_VALUE',
    msg: /options\.method.*number 1/,
  },
  {
    title: "scan: device 'gpu'",
    run: () => scan(f32([1, 2]), f32([1, 2, 3]), opts({ device: 'gpu' })),
    name: 'RangeError',
    code: 'ERR_LINREC_INVALID_VALUE',
    msg: /'auto', 'cpu', 'cuda' or 'cuda:N' for options\.device.*"gpu"/,
  },
  {
    title: "scan: device 'cuda:01' (not a device name)",
    run: () => scan(f32([1, 2]), f32([1, 2, 3]), opts({ device: 'cuda:01' })),
    name: 'RangeError',
    code: 'ERR_LINREC_INVALID_VALUE',
    msg: /'cuda:N' for options\.device.*"cuda:01"/,
  },
  {
    title: "scan: device 'cuda:-1'",
    run: () => scan(f32([1, 2]), f32([1, 2, 3]), opts({ device: 'cuda:-1' })),
    name: 'RangeError',
    code: 'ERR_LINREC_INVALID_VALUE',
    msg: /options\.device.*"cuda:-1"/,
  },
  {
    title: 'scan: device 1 (a number)',
    run: () => scan(f32([1, 2]), f32([1, 2, 3]), opts({ device: 1 })),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_VALUE',
    msg: /'cuda:N' for options\.device/,
  },
  {
    title: 'scan: threads 0',
    run: () => scan(f32([1, 2]), f32([1, 2, 3]), { threads: 0 }),
    name: 'RangeError',
    code: 'ERR_LINREC_INVALID_VALUE',
    msg: /options\.threads.*0/,
  },
  {
    title: 'scan: threads 100000',
    run: () => scan(f32([1, 2]), f32([1, 2, 3]), { threads: 100000 }),
    name: 'RangeError',
    code: 'ERR_LINREC_INVALID_VALUE',
    msg: /from 1 to 1024 for options\.threads.*100000/,
  },
  {
    title: "scan: threads '4'",
    run: () => scan(f32([1, 2]), f32([1, 2, 3]), opts({ threads: '4' })),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /options\.threads.*string "4"/,
  },
  {
    title: 'scan: threads 1.5',
    run: () => scan(f32([1, 2]), f32([1, 2, 3]), { threads: 1.5 }),
    name: 'RangeError',
    code: 'ERR_LINREC_INVALID_VALUE',
    msg: /options\.threads.*1\.5/,
  },
  {
    title: "scan: reverse 'yes'",
    run: () => scan(f32([1, 2]), f32([1, 2, 3]), opts({ reverse: 'yes' })),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /boolean for options\.reverse.*string "yes"/,
  },
  {
    title: 'scan: reverse 1',
    run: () => scan(f32([1, 2]), f32([1, 2, 3]), opts({ reverse: 1 })),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /options\.reverse.*number 1/,
  },
  {
    title: "scan: device 'cuda' without CUDA",
    cuda: true,
    run: () => scan(f32([1, 2]), f32([1, 2, 3]), { device: 'cuda' }),
    name: 'Error',
    code: 'ERR_LINREC_CUDA_UNAVAILABLE',
    msg: /'cuda'.*not usable/,
  },
  // ---- scanAsync: rejects, never throws synchronously ----------------------------------------
  {
    title: 'scanAsync: coeffs a plain array',
    async: true,
    run: () => scanAsync(any([1, 2]), f32([1, 2, 3])),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /coeffs/,
  },
  {
    title: 'scanAsync: values too short',
    async: true,
    run: () => scanAsync(f32([1, 2]), f32([1])),
    name: 'RangeError',
    code: 'ERR_LINREC_LENGTH_MISMATCH',
    msg: /values/,
  },
  {
    title: 'scanAsync: unknown option',
    async: true,
    run: () => scanAsync(f32([1, 2]), f32([1, 2, 3]), opts({ inPlace: true })),
    name: 'TypeError',
    code: 'ERR_LINREC_UNKNOWN_OPTION',
    msg: /"inPlace"/,
  },
  {
    title: "scan: device 'cuda:0' without CUDA",
    cuda: true,
    run: () => scan(f32([1, 2]), f32([1, 2, 3]), { device: 'cuda:0' }),
    name: 'Error',
    code: 'ERR_LINREC_CUDA_UNAVAILABLE',
    msg: /'cuda:0'.*not usable/,
  },
  {
    title: "scanAsync: device 'cuda' without CUDA",
    async: true,
    cuda: true,
    run: () => scanAsync(f32([1, 2]), f32([1, 2, 3]), { device: 'cuda' }),
    name: 'Error',
    code: 'ERR_LINREC_CUDA_UNAVAILABLE',
    msg: /cuda/,
  },
  // ---- logScan ------------------------------------------------------------------------------
  {
    title: 'logScan: sign shorter than logAbs',
    run: () => logScan({ logAbs: f32([0, 0, 0]), sign: new Int8Array(2) }, f32([0, 0, 0, 0])),
    name: 'RangeError',
    code: 'ERR_LINREC_LENGTH_MISMATCH',
    msg: /logCoeffs\.sign.*length 3.*received length 2/,
  },
  {
    title: 'logScan: a misspelled logAbs (the message shows the keys given)',
    run: () => logScan(any({ logabs: f32([0]), sign: Int8Array.of(1) }), f32([0, 0])),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /\{ logAbs, sign \} for logCoeffs but received object \{ logabs, sign \}$/,
  },
  {
    title: 'logScan: sign a Float32Array',
    run: () => logScan({ logAbs: f32([0, 0]), sign: any(f32([1, 1])) }, f32([0, 0, 0])),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /Int8Array.*for logCoeffs\.sign.*Float32Array/,
  },
  {
    title: 'logScan: sign a Uint8Array',
    run: () => logScan(f32([0, 0]), { logAbs: f32([0, 0, 0]), sign: any(new Uint8Array(3)) }),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /logValues\.sign.*Uint8Array/,
  },
  {
    title: 'logScan: a sign of 0 (only +1 and -1 are signs)',
    run: () => logScan({ logAbs: f32([0, 0, 0]), sign: Int8Array.of(1, 0, -1) }, f32([0, 0, 0, 0])),
    name: 'RangeError',
    code: 'ERR_LINREC_INVALID_VALUE',
    msg: /logCoeffs\.sign.*only \+1 and -1.*received 0 at index 1/,
  },
  {
    title: 'logScan: a sign of 5 (only +1 and -1 are signs)',
    run: () => logScan({ logAbs: f32([0, 0, 0]), sign: Int8Array.of(1, 5, -1) }, f32([0, 0, 0, 0])),
    name: 'RangeError',
    code: 'ERR_LINREC_INVALID_VALUE',
    msg: /logCoeffs\.sign.*only \+1 and -1.*received 5 at index 1/,
  },
  {
    title: 'logScan: a sign of 127 (only +1 and -1 are signs)',
    run: () => logScan({ logAbs: f32([0, 0, 0]), sign: Int8Array.of(1, 127, -1) }, f32([0, 0, 0, 0])),
    name: 'RangeError',
    code: 'ERR_LINREC_INVALID_VALUE',
    msg: /logCoeffs\.sign.*only \+1 and -1.*received 127 at index 1/,
  },
  {
    title: 'logScan: a sign of -5 (only +1 and -1 are signs)',
    run: () => logScan({ logAbs: f32([0, 0, 0]), sign: Int8Array.of(1, -5, -1) }, f32([0, 0, 0, 0])),
    name: 'RangeError',
    code: 'ERR_LINREC_INVALID_VALUE',
    msg: /logCoeffs\.sign.*only \+1 and -1.*received -5 at index 1/,
  },
  // Long sign arrays are checked four signs a word in JS (from 64 signs) and in native code (from
  // 4096): the first wrong sign is still the one named, at any place in a word or a block.
  ...[
    [100, 63],
    [100, 64],
    [101, 99],
    [5000, 4095],
    [5000, 4096],
    [9000, 8999],
  ].flatMap(([n, at]) =>
    [0, 2, 127, -128, -3].map((value): Case => ({
      title: `logScan: a sign of ${value} at index ${at} of ${n} signs`,
      run: () => {
        const sign = new Int8Array(n + 1).fill(-1);
        sign[at] = value;
        sign[n] = 7; // a later wrong sign is not the one named
        return logScan(new Float32Array(n), { logAbs: new Float32Array(n + 1), sign });
      },
      name: 'RangeError',
      code: 'ERR_LINREC_INVALID_VALUE',
      msg: new RegExp(`logValues\\.sign.*received ${value} at index ${at}$`),
    })),
  ),
  {
    title: 'Scanner (log) push: a sign of 0 in values.sign',
    run: () => createScanner({ log: true }).push(f32([0]), { logAbs: f32([0]), sign: Int8Array.of(0) }),
    name: 'RangeError',
    code: 'ERR_LINREC_INVALID_VALUE',
    msg: /values\.sign.*received 0 at index 0/,
  },
  {
    title: 'logScan: sign missing from { logAbs }',
    run: () => logScan({ logAbs: f32([0, 0]) } as never, f32([0, 0, 0])),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /logCoeffs\.sign.*undefined/,
  },
  {
    title: 'logScan: logCoeffs an object without logAbs',
    run: () => logScan(any({ log: f32([0]) }), f32([0, 0])),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /\{ logAbs, sign \} for logCoeffs/,
  },
  {
    title: 'logScan: out without sign',
    run: () => logScan(f32([0, 0]), f32([0, 0, 0]), { out: any(f32([0, 0, 0])) }),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /\{ logAbs, sign \} for options\.out.*Float32Array/,
  },
  {
    title: 'logScan: out.sign of the wrong length',
    run: () => logScan(f32([0, 0]), f32([0, 0, 0]), { out: { logAbs: f32([0, 0, 0]), sign: new Int8Array(2) } }),
    name: 'RangeError',
    code: 'ERR_LINREC_LENGTH_MISMATCH',
    msg: /options\.out\.sign/,
  },
  {
    title: 'logScan: out.logAbs partly overlapping logValues (only exactly in place is supported)',
    run: () => {
      const buf = f32([0, 0, 0, 0]);
      return logScan(f32([0, 0]), buf.subarray(0, 3), { out: { logAbs: buf.subarray(1, 4), sign: new Int8Array(3) } });
    },
    name: 'RangeError',
    code: 'ERR_LINREC_ALIAS',
    msg: /options\.out\.logAbs.*logValues/,
  },
  {
    title: "logScan: unknown option 'method'",
    run: () => logScan(f32([0, 0]), f32([0, 0, 0]), opts({ method: 'log' })),
    name: 'TypeError',
    code: 'ERR_LINREC_UNKNOWN_OPTION',
    msg: /"method"/,
  },
  {
    title: 'logScanAsync: mixed dtypes',
    async: true,
    run: () => logScanAsync(f32([0, 0]), any(f64([0, 0, 0]))),
    name: 'TypeError',
    code: 'ERR_LINREC_DTYPE_MISMATCH',
    msg: /logValues.*logCoeffs/,
  },
  {
    title: 'logScanAsync: sign of the wrong length',
    async: true,
    run: () => logScanAsync(f32([0, 0]), { logAbs: f32([0, 0, 0]), sign: new Int8Array(4) }),
    name: 'RangeError',
    code: 'ERR_LINREC_LENGTH_MISMATCH',
    msg: /logValues\.sign/,
  },
  // ---- aggregate ----------------------------------------------------------------------------
  {
    title: 'aggregate: values in scan layout (with x_0)',
    run: () => aggregate(f32([1, 2]), f32([1, 2, 3])),
    name: 'RangeError',
    code: 'ERR_LINREC_LENGTH_MISMATCH',
    msg: /values.*length 2.*no x_0/,
  },
  {
    title: "aggregate: unknown option 'out'",
    run: () => aggregate(f32([1, 2]), f32([1, 2]), opts({ out: f32([0]) })),
    name: 'TypeError',
    code: 'ERR_LINREC_UNKNOWN_OPTION',
    msg: /"out"/,
  },
  {
    title: 'aggregate: length not a multiple of rows',
    run: () => aggregate(f32([1, 2, 3, 4]), f32([1, 2, 3, 4]), { rows: 3 }),
    name: 'RangeError',
    code: 'ERR_LINREC_LENGTH_MISMATCH',
    msg: /coeffs.*rows \(3\)/,
  },
  {
    title: 'aggregate: Int8Array coeffs',
    run: () => aggregate(any(new Int8Array(2)), f32([1, 2])),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /coeffs.*Int8Array/,
  },
  {
    title: 'aggregateAsync: coeffs a string',
    async: true,
    run: () => aggregateAsync(any('1,2'), f32([1, 2])),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /coeffs.*string/,
  },
  {
    title: 'aggregateAsync: rows 0',
    async: true,
    run: () => aggregateAsync(f32([1, 2]), f32([1, 2]), { rows: 0 }),
    name: 'RangeError',
    code: 'ERR_LINREC_INVALID_VALUE',
    msg: /options\.rows/,
  },
  // ---- createScanner ------------------------------------------------------------------------
  {
    title: 'createScanner: unknown option',
    run: () => createScanner(opts({ chunk: 10 })),
    name: 'TypeError',
    code: 'ERR_LINREC_UNKNOWN_OPTION',
    msg: /"chunk"/,
  },
  {
    title: "createScanner: dtype 'int8'",
    run: () => createScanner(opts({ dtype: 'int8' })),
    name: 'RangeError',
    code: 'ERR_LINREC_INVALID_VALUE',
    msg: /'float32', 'float64' for options\.dtype.*"int8"/,
  },
  { title: 'createScanner: rows 0', run: () => createScanner({ rows: 0 }), name: 'RangeError', code: 'ERR_LINREC_INVALID_VALUE', msg: /options\.rows/ },
  {
    title: 'createScanner: initial of the wrong length',
    run: () => createScanner({ rows: 3, initial: [1, 2] }),
    name: 'RangeError',
    code: 'ERR_LINREC_LENGTH_MISMATCH',
    msg: /options\.initial.*length 3/,
  },
  {
    title: 'createScanner: initial a string',
    run: () => createScanner(opts({ initial: '1' })),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /options\.initial.*string/,
  },
  {
    title: 'createScanner: initial with a non-number entry',
    run: () => createScanner({ rows: 2, initial: [1, 'x' as never] }),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /options\.initial\[1\]/,
  },
  {
    title: 'createScanner: { logAbs } initial without log: true',
    run: () => createScanner({ initial: { logAbs: 0 } }),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /options\.initial.*options\.log/,
  },
  {
    title: 'createScanner: log: true with method direct',
    run: () => createScanner({ log: true, method: 'direct' }),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_VALUE',
    msg: /options\.log.*'log'/,
  },
  {
    title: "createScanner: log 'yes'",
    run: () => createScanner(opts({ log: 'yes' })),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /options\.log/,
  },
  {
    title: "createScanner: device 'cuda' without CUDA",
    cuda: true,
    run: () => createScanner({ device: 'cuda' }),
    name: 'Error',
    code: 'ERR_LINREC_CUDA_UNAVAILABLE',
    msg: /cuda/,
  },
  // ---- Scanner.push / pushAsync -------------------------------------------------------------
  {
    title: 'Scanner.push: float64 chunk on a float32 Scanner',
    run: () => shared.push(any(f64([1])), any(f64([1]))),
    name: 'TypeError',
    code: 'ERR_LINREC_DTYPE_MISMATCH',
    msg: /coeffs.*float32.*float64/,
    after: sharedPushWorks,
  },
  {
    title: 'Scanner.push: float32 values with float64 coeffs',
    run: () => createScanner({ dtype: 'float64' }).push(f64([1]), any(f32([1]))),
    name: 'TypeError',
    code: 'ERR_LINREC_DTYPE_MISMATCH',
    msg: /values.*float64.*float32/,
  },
  {
    title: 'Scanner.push: plain arrays',
    run: () => shared.push(any([1]), any([1])),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /coeffs.*Array\(1\)/,
    after: sharedPushWorks,
  },
  {
    title: 'Scanner.push: values with x_0 (scan layout)',
    run: () => shared.push(f32([1, 2]), f32([1, 2, 3])),
    name: 'RangeError',
    code: 'ERR_LINREC_LENGTH_MISMATCH',
    msg: /values.*length 2/,
    after: sharedPushWorks,
  },
  {
    title: 'Scanner.push: length not a multiple of rows',
    run: () => createScanner({ rows: 2 }).push(f32([1, 2, 3]), f32([1, 2, 3])),
    name: 'RangeError',
    code: 'ERR_LINREC_LENGTH_MISMATCH',
    msg: /coeffs.*rows \(2\)/,
  },
  {
    title: 'Scanner.push (log state): raw array for log input is fine, sign of the wrong length is not',
    run: () => createScanner({ log: true }).push({ logAbs: f32([0, 0]), sign: new Int8Array(1) }, f32([0, 0])),
    name: 'RangeError',
    code: 'ERR_LINREC_LENGTH_MISMATCH',
    msg: /coeffs\.sign/,
  },
  {
    title: 'Scanner.pushAsync: float64 chunk on a float32 Scanner',
    async: true,
    run: () => shared.pushAsync(any(f64([1])), any(f64([1]))),
    name: 'TypeError',
    code: 'ERR_LINREC_DTYPE_MISMATCH',
    msg: /coeffs/,
    after: sharedPushWorks,
  },
  {
    title: 'Scanner.pushAsync: detached values',
    async: true,
    run: () => shared.pushAsync(f32([1]), detached(Float32Array, 1)),
    name: 'TypeError',
    code: 'ERR_LINREC_DETACHED',
    msg: /values.*detached/,
    after: sharedPushWorks,
  },
  // ---- disposed and busy Scanners -----------------------------------------------------------
  {
    title: 'Scanner.push on a disposed Scanner',
    run: () => disposedScanner().push(f32([1]), f32([1])),
    name: 'Error',
    code: 'ERR_LINREC_DISPOSED',
    msg: /push.*disposed/,
  },
  {
    title: 'Scanner.pushAsync on a disposed Scanner',
    async: true,
    run: () => disposedScanner().pushAsync(f32([1]), f32([1])),
    name: 'Error',
    code: 'ERR_LINREC_DISPOSED',
    msg: /push.*disposed/,
  },
  { title: 'Scanner.reset on a disposed Scanner', run: () => disposedScanner().reset(), name: 'Error', code: 'ERR_LINREC_DISPOSED', msg: /reset.*disposed/ },
  {
    title: 'Scanner.state on a disposed Scanner',
    run: () => disposedScanner().state,
    name: 'Error',
    code: 'ERR_LINREC_DISPOSED',
    msg: /state.*disposed/,
  },
  // ---- sequential, toDevice -----------------------------------------------------------------
  {
    title: 'sequential: plain arrays',
    run: () => sequential(any([1]), any([1, 2])),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /coeffs.*Array\(1\)/,
  },
  {
    title: 'sequential: out of the wrong length',
    run: () => sequential(f32([1]), f32([1, 2]), { out: f32([0]) }),
    name: 'RangeError',
    code: 'ERR_LINREC_LENGTH_MISMATCH',
    msg: /options\.out/,
  },
  {
    title: 'sequential: unknown option',
    run: () => sequential(f32([1]), f32([1, 2]), opts({ method: 'log' })),
    name: 'TypeError',
    code: 'ERR_LINREC_UNKNOWN_OPTION',
    msg: /"method"/,
  },
  {
    title: 'toDevice: a plain array',
    run: () => toDevice(any([1, 2])),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /Float32Array, Float64Array or Int8Array for array.*Array\(2\)/,
  },
  {
    title: 'toDevice: a detached array',
    run: () => toDevice(detached(Float32Array, 4) as Float32Array),
    name: 'TypeError',
    code: 'ERR_LINREC_DETACHED',
    msg: /array.*detached/,
  },
  {
    title: "toDevice: device 'cpu'",
    run: () => toDevice(f32([1, 2]), opts({ device: 'cpu' })),
    name: 'RangeError',
    code: 'ERR_LINREC_INVALID_VALUE',
    msg: /'cuda' or 'cuda:N' for options\.device.*"cpu"/,
  },
  {
    title: 'toDevice: an unknown option',
    run: () => toDevice(f32([1, 2]), opts({ devcie: 'cuda' })),
    name: 'TypeError',
    code: 'ERR_LINREC_UNKNOWN_OPTION',
    msg: /devcie/,
  },
  {
    title: "deviceMemory: 'gpu'",
    run: () => deviceMemory(any('gpu')),
    name: 'RangeError',
    code: 'ERR_LINREC_INVALID_VALUE',
    msg: /'cuda' or 'cuda:N' for device.*"gpu"/,
  },
  // ---- review 21: resizable buffers, signs of a log Scanner's initial -----------------------
  // An async call cannot pin a resizable ArrayBuffer's length: a resize() while it ran freed the
  // memory under the work (SIGSEGV). Refused, by the argument's name (the work is large enough to
  // leave the main thread: small async calls run on it, where nothing can resize the buffer).
  {
    title: 'scanAsync: out on a resizable ArrayBuffer',
    run: () => scanAsync(big(0.5), big(1, 1), { out: resizable(BIG + 1) }),
    async: true,
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /options\.out is backed by a resizable ArrayBuffer/,
  },
  {
    title: 'scanAsync: coeffs on a resizable ArrayBuffer',
    run: () => scanAsync(resizable(BIG, 0.5), big(1, 1)),
    async: true,
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /coeffs is backed by a resizable ArrayBuffer/,
  },
  {
    title: 'logScanAsync: values on a resizable ArrayBuffer',
    run: () => logScanAsync(big(0), resizable(BIG + 1)),
    async: true,
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /values is backed by a resizable ArrayBuffer/,
  },
  {
    title: 'aggregateAsync: coeffs on a resizable ArrayBuffer',
    run: () => aggregateAsync(resizable(BIG, 0.5), big(1)),
    async: true,
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /coeffs is backed by a resizable ArrayBuffer/,
  },
  {
    title: 'Scanner pushAsync: values on a resizable ArrayBuffer (method log too)',
    run: () => createScanner({ method: 'log' }).pushAsync(big(0.5), resizable(BIG, 1)),
    async: true,
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /values is backed by a resizable ArrayBuffer/,
    // The sync calls take it (nothing can resize it while they run), and so do the async ones on a copy.
    after: async () => {
      expect(scan(resizable(BIG, 0.5), big(1, 1))[BIG]).toBe(2);
      expect((await scanAsync(resizable(BIG, 0.5).slice(), big(1, 1)))[BIG]).toBe(2);
      // An async call whose work runs on the calling thread (README, Small async calls) takes it too.
      expect((await scanAsync(resizable(8, 0.5), f32([1, 1, 1, 1, 1, 1, 1, 1, 1])))[8]).toBe(2 - 2 ** -8);
      expect((await aggregateAsync(resizable(8, 1), resizable(8, 1))).B[0]).toBe(8);
    },
  },
  {
    title: 'scan: coeffs out of bounds of a resizable ArrayBuffer that shrank (not a length mismatch of values)',
    run: () => {
      const all = resizable(4, 0.5);
      const a = new Float32Array(all.buffer, 0, 4); // a fixed length: out of bounds once the buffer shrinks
      (all.buffer as unknown as { resize(n: number): void }).resize(8);
      return scan(a, f32([1, 1, 1, 1, 1]));
    },
    name: 'TypeError',
    code: 'ERR_LINREC_DETACHED',
    msg: /coeffs is out of bounds of its resizable ArrayBuffer/,
  },
  {
    title: 'createScanner: log initial sign 0',
    run: () => createScanner({ log: true, initial: { logAbs: 0, sign: 0 } }),
    name: 'RangeError',
    code: 'ERR_LINREC_INVALID_VALUE',
    msg: /\+1 or -1 for options\.initial\.sign\[0\].*number 0/,
  },
  {
    title: 'createScanner: log initial sign 5 (one per row)',
    run: () => createScanner({ log: true, rows: 2, initial: { logAbs: [0, 0], sign: [1, 5] } }),
    name: 'RangeError',
    code: 'ERR_LINREC_INVALID_VALUE',
    msg: /\+1 or -1 for options\.initial\.sign\[1\].*number 5/,
  },
  { title: 'keepFreedMemory: a negative size', run: () => keepFreedMemory(-1), name: 'RangeError', code: 'ERR_LINREC_INVALID_VALUE', msg: /bytes.*number -1/ },
  { title: 'keepFreedMemory: NaN', run: () => keepFreedMemory(NaN), name: 'RangeError', code: 'ERR_LINREC_INVALID_VALUE', msg: /bytes.*NaN/ },
  { title: 'keepFreedMemory: a string', run: () => keepFreedMemory(any('1')), name: 'TypeError', code: 'ERR_LINREC_INVALID_TYPE', msg: /bytes.*string "1"/ },
  // ---- files and iterables: arguments Node itself would have refused without an ERR_LINREC_ code
  {
    title: 'ArrayFileReader.open: a number for the file',
    run: () => ArrayFileReader.open(any(123)),
    async: true,
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /file path .* for ArrayFileReader\.open: file but received number 123/,
  },
  {
    title: "ArrayFileReader.open: dtype 'float16'",
    run: () => ArrayFileReader.open('x.f32', opts({ dtype: 'float16' })),
    async: true,
    name: 'RangeError',
    code: 'ERR_LINREC_INVALID_VALUE',
    msg: /'float32', 'float64' for ArrayFileReader\.open options: dtype but received string "float16"/,
  },
  {
    title: 'ArrayFileWriter.create: null for the file',
    run: () => ArrayFileWriter.create(any(null), { dtype: 'float32', shape: [1] }),
    async: true,
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /ArrayFileWriter\.create: file but received null/,
  },
  {
    title: 'scanIterable: a number for the source',
    run: () => scanIterable(any(42)).next(),
    async: true,
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /iterable or async iterable .* for source but received number 42/,
  },
  {
    title: 'scanIterable: a string for the source',
    run: () => scanIterable(any('chunks')).next(),
    async: true,
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /for source but received string "chunks"/,
  },
  {
    title: 'decodeNpy: a string',
    run: () => decodeNpy(any('x.npy')),
    name: 'TypeError',
    code: 'ERR_LINREC_INVALID_TYPE',
    msg: /Buffer, Uint8Array or ArrayBuffer for decodeNpy: buffer but received string "x\.npy"/,
  },
  { title: 'deviceMemory without CUDA', cuda: true, run: () => deviceMemory(), name: 'Error', code: 'ERR_LINREC_CUDA_UNAVAILABLE', msg: /cuda/ },
  { title: 'toDevice without CUDA', cuda: true, run: () => toDevice(f32([1, 2])), name: 'Error', code: 'ERR_LINREC_CUDA_UNAVAILABLE', msg: /cuda/ },
];

function disposedScanner(): Scanner {
  const s = createScanner();
  s.dispose();
  return s;
}

beforeAll(() => {
  shared = createScanner({ initial: 3 });
});

describe('invalid calls', () => {
  test('the matrix is large and its titles are distinct', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((c) => c.title)).size).toBe(cases.length);
  });

  for (const c of cases) {
    const skip = c.cuda && cudaAvailable;
    const body = async () => {
      if (c.async) {
        let result: unknown;
        expect(() => {
          result = c.run();
        }).not.toThrow();
        expect(tag(result)).toBe('[object Promise]');
        const e = await (result as Promise<unknown>).then(
          () => new Error('expected a rejection but the promise resolved'),
          (err: unknown) => err,
        );
        checkError(e, c);
      } else {
        let e: unknown = new Error('expected a throw but the call returned');
        try {
          c.run();
        } catch (err) {
          e = err;
        }
        checkError(e, c);
      }
      await c.after?.();
      await validCallsStillWork();
    };
    if (skip) test.skip(`${c.title} [skipped: CUDA is available on this machine]`, body);
    else test(c.title, body);
  }
});

describe('valid edge cases next to the invalid ones', () => {
  test('options that are not plain objects but hold options are read by name (a class with getters and a toStringTag, a null prototype)', () => {
    class Tagged {
      get [Symbol.toStringTag]() {
        return 'ScanOptions';
      }
      get reverse() {
        return true;
      }
    }
    const bare = Object.assign(Object.create(null) as object, { reverse: true });
    for (const options of [new Tagged(), bare]) expect(Array.from(scan(f32([2, 3]), f32([1, 1, 1]), any(options)))).toEqual([9, 4, 1]);
  });
  test.each([false, true])('out === values (in place) gives the one-shot answer, reverse %s', (reverse) => {
    for (const method of ['direct', 'log'] as const) {
      const rows = 2;
      const a = f32([...A, ...A.map((v) => -v)]);
      const b = f32([...B, ...B.map((v) => v / 2)]);
      const want = scan(a, b, { rows, reverse, method });
      const io = b.slice();
      const got = scan(a, io, { rows, reverse, method, out: io });
      expect(got).toBe(io);
      expect(Array.from(io)).toEqual(Array.from(want));
      // Exactly the values' span through another view is in place too.
      const io2 = b.slice();
      scan(a, io2, { rows, reverse, method, out: io2.subarray(0) });
      expect(Array.from(io2)).toEqual(Array.from(want));
    }
  });

  test('in place on a large multi-tile, multi-thread input', () => {
    const n = 200_000;
    const a = new Float64Array(n).map((_, i) => Math.cos(i));
    const b = new Float64Array(n + 1).map((_, i) => Math.sin(i));
    const want = scan(a, b);
    scan(a, b, { out: b, threads: 3 });
    expect(Buffer.from(b.buffer).equals(Buffer.from(want.buffer))).toBe(true);
  });

  test('in-place scanAsync', async () => {
    const b = f32(B);
    await scanAsync(f32(A), b, { out: b });
    expect(Array.from(b)).toEqual(expectedX());
  });

  const sabCase = async () => {
    // SharedArrayBuffer-backed typed arrays are typed arrays: inputs and out must work.
    const sa = new Float32Array(new SharedArrayBuffer(4 * A.length));
    sa.set(A);
    const sb = new Float32Array(new SharedArrayBuffer(4 * (B.length + 2)), 4, B.length);
    sb.set(B);
    expect(Array.from(scan(sa, sb))).toEqual(expectedX());
    expect(Array.from(await scanAsync(sa, sb))).toEqual(expectedX());
    const out = new Float32Array(new SharedArrayBuffer(4 * B.length));
    scan<Float32Array>(f32(A), f32(B), { out });
    expect(Array.from(out)).toEqual(expectedX());
    const agg = aggregate(sa, sb.subarray(1));
    expect(agg.A[0] * B[0] + agg.B[0]).toBe(expectedX()[A.length]);
    const sc = createScanner({ initial: B[0] });
    expect(Array.from(sc.push(sa, sb.subarray(1)) as Float32Array)).toEqual(expectedX().slice(1));
  };
  test('SharedArrayBuffer-backed Float32Arrays give the right result', sabCase);
  test('concurrent push on one Scanner: pushAsync, then push before awaiting -> ERR_LINREC_BUSY', async () => {
    const s = createScanner({ initial: 1 });
    const n = 300_000; // long enough that the async job is still running
    const a = new Float32Array(n).fill(1);
    const b = new Float32Array(n).fill(1);
    const pending = s.pushAsync(a, b);
    for (const call of [() => s.push(f32([1]), f32([1])), () => s.reset()]) {
      let e: unknown;
      try {
        call();
      } catch (err) {
        e = err;
      }
      checkError(e, { title: '', run: () => 0, name: 'Error', code: 'ERR_LINREC_BUSY', msg: /while a pushAsync\(\) on this Scanner is running/ });
    }
    const second = s.pushAsync(f32([1]), f32([1]));
    checkError(
      await second.then(
        () => undefined,
        (err: unknown) => err,
      ),
      { title: '', run: () => 0, name: 'Error', code: 'ERR_LINREC_BUSY', msg: /pushAsync/ },
    );
    const x = (await pending) as Float32Array;
    expect(x[n - 1]).toBe(Math.fround(1 + n)); // x_t = x_{t-1} + 1 from x_0 = 1: exact up to 2^24
    expect(Array.from(s.state as Float32Array)).toEqual([x[n - 1]]);
    // And the Scanner works normally afterwards.
    expect(Array.from(s.push(f32([0.5]), f32([1])) as Float32Array)).toEqual([Math.fround(x[n - 1] * 0.5 + 1)]);
  });

  const busyState = async () => {
    // The native side writes the carried state while pushAsync runs: reading it then is a data race.
    const s = createScanner({ initial: 1 });
    const pending = s.pushAsync(new Float32Array(300_000).fill(1), new Float32Array(300_000).fill(1));
    let e: unknown;
    try {
      void s.state;
    } catch (err) {
      e = err;
    }
    await pending;
    checkError(e, { title: '', run: () => 0, name: 'Error', code: 'ERR_LINREC_BUSY', msg: /state/ });
  };
  test('Scanner.state while a pushAsync runs -> ERR_LINREC_BUSY', busyState);

  test('a Scanner disposed during pushAsync finishes that push, then refuses', async () => {
    const s = createScanner();
    const pending = s.pushAsync(f32([2, 2]), f32([1, 1]));
    s.dispose();
    expect(Array.from((await pending) as Float32Array)).toEqual([1, 3]);
    expect(() => s.push(f32([1]), f32([1]))).toThrow(expect.objectContaining({ code: 'ERR_LINREC_DISPOSED' }));
  });

  test('empty inputs are valid', () => {
    expect(Array.from(scan(f32([]), f32([7])))).toEqual([7]);
    expect(Array.from(scan(f32([]), f32([7, 8]), { rows: 2 }))).toEqual([7, 8]);
    const agg = aggregate(f32([]), f32([]), { rows: 3 });
    expect([Array.from(agg.A), Array.from(agg.B)]).toEqual([
      [1, 1, 1],
      [0, 0, 0],
    ]);
  });
});
