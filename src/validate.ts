// Argument checks shared by every entry point. Each throws a LinrecError naming the argument.
import { expected, rangeError, typeError } from './errors';
import type { DeviceArray } from './device-array';

export type FloatArray = Float32Array | Float64Array;
export type DType = 'float32' | 'float64';

const tag = (v: unknown) => Object.prototype.toString.call(v);

export function isFloatArray(v: unknown): v is FloatArray {
  // Checked by tag, not instanceof: arrays from another realm (vm, jest) are just as good.
  const t = tag(v);
  return t === '[object Float32Array]' || t === '[object Float64Array]';
}

export function isInt8Array(v: unknown): v is Int8Array {
  return tag(v) === '[object Int8Array]';
}

export function dtypeOf(v: FloatArray | DeviceArray): DType {
  if (isFloatArray(v)) return tag(v) === '[object Float64Array]' ? 'float64' : 'float32';
  return v.dtype as DType;
}

/** A typed array whose buffer was transferred or detached reads as empty; name it. */
export function checkAttached(name: string, v: ArrayBufferView): void {
  if (v.byteLength === 0 && v.buffer.byteLength === 0 && isDetached(v.buffer)) {
    throw typeError('ERR_LINREC_DETACHED', `${name} is backed by a detached ArrayBuffer (it was transferred or detached)`);
  }
}

function isDetached(buf: ArrayBufferLike): boolean {
  const d = (buf as { detached?: boolean }).detached;
  if (typeof d === 'boolean') return d;
  if (tag(buf) !== '[object ArrayBuffer]') return false;
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
  for (let i = 0; i < s.length; i++) {
    const x = s[i];
    if (x !== 1 && x !== -1) throw rangeError('ERR_LINREC_INVALID_VALUE', `Expected ${name} to hold only +1 and -1 but received ${x} at index ${i}`);
  }
}

export function sameDType(name: string, a: FloatArray | DeviceArray, b: FloatArray | DeviceArray, otherName: string): void {
  if (dtypeOf(a) !== dtypeOf(b)) {
    throw typeError('ERR_LINREC_DTYPE_MISMATCH', `Expected ${name} to have the element type of ${otherName} (${dtypeOf(b)}) but received ${dtypeOf(a)}`);
  }
}

export function options<T extends object>(name: string, v: unknown, allowed: readonly string[]): Partial<T> {
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) {
    throw typeError('ERR_LINREC_INVALID_TYPE', expected(name, 'an options object', v));
  }
  for (const key of Object.keys(v)) {
    if (!allowed.includes(key)) {
      throw typeError('ERR_LINREC_UNKNOWN_OPTION', `Unknown option ${JSON.stringify(key)} in ${name}; known options: ${allowed.join(', ')}`);
    }
  }
  return v as Partial<T>;
}

export function positiveInteger(name: string, v: unknown, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number') throw typeError('ERR_LINREC_INVALID_TYPE', expected(name, 'a positive integer', v));
  if (!Number.isInteger(v) || v < 1 || v > max) throw rangeError('ERR_LINREC_INVALID_VALUE', expected(name, `an integer from 1 to ${max}`, v));
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
    throw (typeof v === 'string' ? rangeError : typeError)(
      'ERR_LINREC_INVALID_VALUE',
      expected(name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, v),
    );
  }
  return v as T;
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

export function exactLength(name: string, actual: number, wanted: number, why: string): void {
  if (actual !== wanted) {
    throw rangeError('ERR_LINREC_LENGTH_MISMATCH', `Expected ${name} to have length ${wanted} (${why}) but received length ${actual}`);
  }
}

function span(v: ArrayBufferView): [ArrayBufferLike, number, number] {
  return [v.buffer, v.byteOffset, v.byteOffset + v.byteLength];
}

export function overlaps(x: ArrayBufferView, y: ArrayBufferView): boolean {
  const [bx, sx, ex] = span(x);
  const [by, sy, ey] = span(y);
  return bx === by && sx < ey && sy < ex && x.byteLength > 0 && y.byteLength > 0;
}

/**
 * An output must not share memory with an input, except that it may be exactly `inPlace`
 * (same buffer, offset and length), which the engines support.
 */
export function checkNoAlias(outName: string, out: ArrayBufferView, inputs: [string, ArrayBufferView | undefined][], inPlace?: ArrayBufferView): void {
  for (const [name, input] of inputs) {
    if (!input || !overlaps(out, input)) continue;
    if (inPlace && input === inPlace && out.buffer === input.buffer && out.byteOffset === input.byteOffset && out.byteLength === input.byteLength) continue;
    throw rangeError('ERR_LINREC_ALIAS', `${outName} shares memory with ${name}${inPlace ? ` (only an exact in-place ${outName} === values is supported)` : ''}`);
  }
}
