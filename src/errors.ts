// One error shape for the whole library: a built-in Error subclass (TypeError, RangeError or
// Error) with a stable `code` starting ERR_LINREC_. Messages name the argument, what was
// expected and what was received.

export type LinrecErrorCode =
  | 'ERR_LINREC_INVALID_TYPE'
  | 'ERR_LINREC_INVALID_VALUE'
  | 'ERR_LINREC_LENGTH_MISMATCH'
  | 'ERR_LINREC_DTYPE_MISMATCH'
  | 'ERR_LINREC_DEVICE_MISMATCH'
  | 'ERR_LINREC_UNKNOWN_OPTION'
  | 'ERR_LINREC_DETACHED'
  | 'ERR_LINREC_ALIAS'
  | 'ERR_LINREC_BUSY'
  | 'ERR_LINREC_DISPOSED'
  | 'ERR_LINREC_CUDA_UNAVAILABLE'
  | 'ERR_LINREC_CUDA'
  | 'ERR_LINREC_MEMORY'
  | 'ERR_LINREC_FORMAT'
  | 'ERR_LINREC_IO'
  | 'ERR_LINREC_INTERNAL'
  | 'ERR_LINREC_LOAD';

export interface LinrecError extends Error {
  code: LinrecErrorCode;
}

type ErrorClass = ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor;

function make(Ctor: ErrorClass, code: LinrecErrorCode, message: string): LinrecError {
  const e = new Ctor(message) as LinrecError;
  Object.defineProperty(e, 'code', { value: code, enumerable: true, writable: true, configurable: true });
  return e;
}

export const typeError = (code: LinrecErrorCode, message: string) => make(TypeError, code, message);
export const rangeError = (code: LinrecErrorCode, message: string) => make(RangeError, code, message);
export const plainError = (code: LinrecErrorCode, message: string) => make(Error, code, message);

/** A short description of what a caller passed, for messages. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (ArrayBuffer.isView(v)) {
    const name = Object.prototype.toString.call(v).slice(8, -1);
    return `${name}(${(v as unknown as { length?: number }).length ?? v.byteLength})`;
  }
  if (Array.isArray(v)) return `Array(${v.length})`;
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `${typeof v} ${String(v)}`;
  if (typeof v === 'function') return 'function';
  const ctor = (v as { constructor?: { name?: string } }).constructor?.name;
  if (ctor && ctor !== 'Object') return `${ctor} object`;
  // A plain object's keys show a misspelled or missing one ({ coeffs, value }).
  const keys = Object.keys(v as object);
  return keys.length === 0 ? 'object {}' : `object { ${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', …' : ''} }`;
}

/** Expected ${expected} for ${name} but received ${actual}. */
export function expected(name: string, what: string, actual: unknown): string {
  return `Expected ${what} for ${name} but received ${describe(actual)}`;
}

/** Errors thrown by the addon carry `code` already; give them this call's stack. */
export function withStack<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw restack(e);
  }
}

let cudaFailed: (() => void) | undefined;
/** Called back whenever an ERR_LINREC_CUDA passes through restack (backends.ts re-probes). */
export function whenCudaFails(f: () => void): void {
  cudaFailed = f;
}

export function restack(e: unknown): unknown {
  if (e && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string') {
    if ((e as { code: string }).code === 'ERR_LINREC_CUDA') cudaFailed?.();
    const err = e as Error;
    const here = new Error(err.message);
    const frames = here.stack?.split('\n').slice(2).join('\n');
    if (frames) err.stack = `${err.name}: ${err.message}\n${frames}`;
  }
  return e;
}
