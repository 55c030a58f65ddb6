// Argument checks shared by every entry point. Each throws a LinrecError naming the argument.
import { addon } from './addon';
import { expected, rangeError, typeError } from './errors';
import { floatDType, isFloatArray, isInt8Array, typedArrayKind, type DType, type FloatArray } from './dtype';

export type { DType, FloatArray } from './dtype';
export { isFloatArray, isInt8Array } from './dtype';

/** The element type of a float typed array or of a DeviceArray (anything with a dtype). */
export function dtypeOf(v: FloatArray | { readonly dtype: string }): DType {
  return floatDType(v) ?? ((v as { dtype: string }).dtype as DType);
}

/** A typed array whose buffer was transferred or detached reads as empty; name it. */
export function checkAttached(name: string, v: ArrayBufferView): void {
  // length first: byteLength and buffer are slow getters in Node 20 (~70-90 ns each, measured),
  // length is not, and a detached typed array has length 0.
  const length = (v as { length?: number }).length;
  if ((length === undefined || length === 0) && v.byteLength === 0) {
    if (v.buffer.byteLength === 0 && isDetached(v.buffer)) {
      throw typeError('ERR_LINREC_DETACHED', `${name} is backed by a detached ArrayBuffer (it was transferred or detached)`);
    }
    if (outOfBounds(v)) {
      throw typeError('ERR_LINREC_DETACHED', `${name} is out of bounds of its resizable ArrayBuffer (the buffer shrank below the view)`);
    }
  }
}

/** A view on a resizable ArrayBuffer that shrank below it (it reads as empty, like a detached one). */
function outOfBounds(v: ArrayBufferView): boolean {
  if ((v.buffer as { resizable?: boolean }).resizable !== true || v instanceof DataView) return false;
  try {
    // A typed array's methods refuse a view out of bounds (ValidateTypedArray); an empty one passes.
    (v as unknown as Uint8Array).entries();
    return false;
  } catch {
    return true;
  }
}

function isDetached(buf: ArrayBufferLike): boolean {
  const d = (buf as { detached?: boolean }).detached;
  if (typeof d === 'boolean') return d;
  if (Object.prototype.toString.call(buf) !== '[object ArrayBuffer]') return false;
  try {
    // Only a detached buffer throws on slice in engines without `detached`.
    (buf as ArrayBuffer).slice(0, 0);
    return false;
  } catch {
    return true;
  }
}

export function floatArray(name: string, v: unknown): FloatArray {
  if (!isFloatArray(v)) throw typeError('ERR_LINREC_INVALID_TYPE', expected(name, 'a Float32Array or Float64Array', v));
  checkAttached(name, v);
  return v;
}

export function int8Array(name: string, v: unknown): Int8Array {
  if (!isInt8Array(v)) throw typeError('ERR_LINREC_INVALID_TYPE', expected(name, 'an Int8Array of signs (+1 or -1)', v));
  checkAttached(name, v);
  return v;
}

/**
 * Signs are +1 or -1. The engines read only a sign's sign bit, so 0, 5 or 127 would silently be
 * +1 and -5 silently -1; refused instead. (Signs in int8 DeviceArrays are not read back to check.)
 */
export function signValues(name: string, s: Int8Array): void {
  const i = firstInvalidSign(s);
  if (i >= 0) throw rangeError('ERR_LINREC_INVALID_VALUE', `Expected ${name} to hold only +1 and -1 but received ${s[i]} at index ${i}`);
}

/** The index of the first sign that is not +1 or -1, or -1. */
export function firstInvalidSign(s: Int8Array): number {
  const n = s.length;
  if (n >= 4096) {
    const native = nativeSignCheck();
    if (native) return native(s);
  }
  // Long arrays four signs at a time: a byte by byte loop took 6 ns a sign (60 ms for 10^7, more
  // than logScan itself; bench/NOTES.md session 7), whole words about 0.6 ns.
  const head = n < 64 ? n : Math.min(n, (4 - (s.byteOffset & 3)) & 3);
  const words = (n - head) >>> 2;
  const w = words > 0 ? new Uint32Array(s.buffer, s.byteOffset + head, words) : undefined;
  let i = 0;
  for (; i < head; i++) if (s[i] !== 1 && s[i] !== -1) return i;
  if (w) {
    for (let k = 0; k < words; k++) {
      const v = w[k];
      // Each byte 0x01 or 0xff: its low 7 bits are 0x01, or 0x7f where its top bit is set.
      if ((v & 0x7f7f7f7f) !== (0x01010101 | (((v >>> 7) & 0x01010101) * 0x7e))) {
        i = head + 4 * k;
        break;
      }
      i = head + 4 * (k + 1);
    }
  }
  for (; i < n; i++) if (s[i] !== 1 && s[i] !== -1) return i;
  return -1;
}

// The addon's vectorized check (about 0.1 ns a sign against 0.6 in JS words), once loaded; none
// where the addon does not load or predates it.
let nativeCheck: ((s: Int8Array) => number) | null | undefined;
function nativeSignCheck(): ((s: Int8Array) => number) | null {
  if (nativeCheck === undefined) {
    try {
      nativeCheck = addon().firstInvalidSign ?? null;
    } catch {
      nativeCheck = null;
    }
  }
  return nativeCheck;
}

export function sameDType(name: string, a: FloatArray | { readonly dtype: string }, b: FloatArray | { readonly dtype: string }, otherName: string): void {
  if (dtypeOf(a) !== dtypeOf(b)) {
    throw typeError('ERR_LINREC_DTYPE_MISMATCH', `Expected ${name} to have the element type of ${otherName} (${dtypeOf(b)}) but received ${dtypeOf(a)}`);
  }
}

// Built-ins whose contents are no properties (a Map's entries, a Date's time, a boxed value): as
// options they would read as {} and what the caller meant would be ignored.
const NOT_OPTIONS = new Set([
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'Date',
  'RegExp',
  'Promise',
  'Error',
  'ArrayBuffer',
  'SharedArrayBuffer',
  'DataView',
  'Number',
  'String',
  'Boolean',
  'Symbol',
  'BigInt',
  'WeakRef',
]);
/**
 * Whether an object that is not plain may hold options, read by name: a class instance, a
 * null-prototype object, a module namespace; not one of the built-ins above (by its internal tag,
 * so from any realm).
 */
export function optionsLike(v: object): boolean {
  return !NOT_OPTIONS.has(Object.prototype.toString.call(v).slice(8, -1));
}

export function options<T extends object>(name: string, v: unknown, allowed: readonly string[]): Partial<T> {
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) {
    throw typeError('ERR_LINREC_INVALID_TYPE', expected(name, 'an options object', v));
  }
  // A plain object is read by its enumerable properties, as scan reads its options
  // (small-scan.ts, readScanOptions): a non-enumerable property is no option there, nor here.
  const plain = Object.getPrototypeOf(v) === Object.prototype;
  // A class instance (getters) is read by name; a Map, Date, ... holds no options as properties,
  // and taking it as {} would ignore what the caller meant (a Map's entries).
  if (!plain && !optionsLike(v)) throw typeError('ERR_LINREC_INVALID_TYPE', expected(name, 'an options object', v));
  const read: Record<string, unknown> | undefined = plain ? {} : undefined;
  // for-in, not Object.keys: no array per call (options objects have no inherited enumerables).
  for (const key in v) {
    if (!Object.prototype.hasOwnProperty.call(v, key)) continue;
    if (!allowed.includes(key)) {
      throw typeError('ERR_LINREC_UNKNOWN_OPTION', `Unknown option ${JSON.stringify(key)} in ${name}; known options: ${allowed.join(', ')}`);
    }
    if (read) read[key] = (v as Record<string, unknown>)[key];
  }
  return (read ?? v) as Partial<T>;
}

export function positiveInteger(name: string, v: unknown, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number') throw typeError('ERR_LINREC_INVALID_TYPE', expected(name, 'a positive integer', v));
  if (!Number.isInteger(v) || v < 1 || v > max) throw rangeError('ERR_LINREC_INVALID_VALUE', expected(name, `an integer from 1 to ${max}`, v));
  return v;
}

/** An index or a count: a safe integer >= 0 (no fallback: the argument is required). */
export function nonNegativeInteger(name: string, v: unknown): number {
  if (typeof v !== 'number') throw typeError('ERR_LINREC_INVALID_TYPE', expected(name, 'an integer >= 0', v));
  if (!Number.isSafeInteger(v) || v < 0) throw rangeError('ERR_LINREC_INVALID_VALUE', expected(name, 'an integer >= 0', v));
  return v;
}

export function boolean(name: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw typeError('ERR_LINREC_INVALID_TYPE', expected(name, 'a boolean', v));
  return v;
}

export function oneOf<T extends string>(name: string, v: unknown, allowed: readonly T[], fallback: T): T {
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw (typeof v === 'string' ? rangeError : typeError)('ERR_LINREC_INVALID_VALUE', expected(name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, v));
  }
  return v as T;
}

/** An optional element type: undefined, or 'float32' or 'float64' (the files' and Scanner's dtypes). */
export function optionalDType(name: string, v: unknown): DType | undefined {
  return v === undefined ? undefined : oneOf<DType>(name, v, ['float32', 'float64'], 'float32');
}

/** An optional array file format: undefined, or 'npy' or 'raw'. */
export function optionalFileFormat(name: string, v: unknown): 'npy' | 'raw' | undefined {
  return v === undefined ? undefined : oneOf(name, v, ['npy', 'raw'] as const, 'raw');
}

/** A file path: a non-empty string without NUL bytes (Node's own errors for these carry no ERR_LINREC_ code). */
export function filePath(name: string, v: unknown): string {
  if (typeof v !== 'string') throw typeError('ERR_LINREC_INVALID_TYPE', expected(name, 'a file path (a string)', v));
  if (v === '' || v.includes('\0')) throw rangeError('ERR_LINREC_INVALID_VALUE', expected(name, 'a non-empty file path without NUL bytes', v));
  return v;
}

/**
 * Bytes in memory: a Uint8Array (a Buffer is one) or an ArrayBuffer (or SharedArrayBuffer), as
 * a Buffer over the same memory (no copy).
 */
export function bytes(name: string, v: unknown): Buffer {
  if (typedArrayKind(v) === 'Uint8Array') {
    const u8 = v as Uint8Array;
    checkAttached(name, u8);
    return Buffer.isBuffer(u8) ? u8 : Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
  }
  const tag = Object.prototype.toString.call(v);
  if (tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]') {
    if (isDetached(v as ArrayBuffer)) throw typeError('ERR_LINREC_DETACHED', `${name} is a detached ArrayBuffer (it was transferred or detached)`);
    return Buffer.from(v as ArrayBuffer);
  }
  throw typeError('ERR_LINREC_INVALID_TYPE', expected(name, 'a Buffer, Uint8Array or ArrayBuffer', v));
}

/** A sync or async iterable (what scanIterable reads its chunks from); a string is refused. */
export function iterable(name: string, v: unknown): void {
  const ok =
    ((typeof v === 'object' && v !== null) || typeof v === 'function') &&
    (typeof (v as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function' ||
      typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function');
  if (!ok) throw typeError('ERR_LINREC_INVALID_TYPE', expected(name, 'an iterable or async iterable of { coeffs, values } chunks', v));
}

/** Splits `total` elements into `rows` rows of `perRow + extra` elements; returns perRow. */
export function rowLength(name: string, total: number, rows: number, extra: number): number {
  const perRow = total / rows - extra;
  if (!Number.isInteger(perRow) || perRow < 0) {
    throw rangeError(
      'ERR_LINREC_LENGTH_MISMATCH',
      `Expected the length of ${name} (${total}) to be a multiple of rows (${rows})${extra ? ` with ${extra} extra element per row` : ''}`,
    );
  }
  return perRow;
}

/** `why` may be a function: messages are built only when they are thrown. */
export function exactLength(name: string, actual: number, wanted: number, why: string | (() => string)): void {
  if (actual !== wanted) {
    throw rangeError(
      'ERR_LINREC_LENGTH_MISMATCH',
      `Expected ${name} to have length ${wanted} (${typeof why === 'function' ? why() : why}) but received length ${actual}`,
    );
  }
}

export function overlaps(x: ArrayBufferView, y: ArrayBufferView): boolean {
  if (x.buffer !== y.buffer) return false;
  const sx = x.byteOffset,
    sy = y.byteOffset;
  return sx < sy + y.byteLength && sy < sx + x.byteLength && x.byteLength > 0 && y.byteLength > 0;
}

/**
 * An output must not share memory with an input, except that it may be exactly `inPlace`
 * (same buffer, offset and length), which the engines support.
 */
export function checkNoAlias(outName: string, out: ArrayBufferView, inputs: [string, ArrayBufferView | undefined][], inPlace?: ArrayBufferView): void {
  for (const [name, input] of inputs) {
    if (!input || !overlaps(out, input)) continue;
    if (inPlace && input === inPlace && out.buffer === input.buffer && out.byteOffset === input.byteOffset && out.byteLength === input.byteLength) continue;
    throw rangeError(
      'ERR_LINREC_ALIAS',
      `${outName} shares memory with ${name}${inPlace ? ` (in place, it must cover exactly the memory of values: the same buffer, offset and length)` : ''}`,
    );
  }
}
