// The operands of a native call: host typed arrays or DeviceArrays, checked (type, residency,
// signs) and packed into the binding's operand shape. Shared by scan.ts and Scanner.
import type { NativeOperand } from './addon';
import { DeviceArray, isDeviceArray } from './device-array';
import { expected, plainError, typeError } from './errors';
import { isFloatArray } from './dtype';
import { freshResult } from './result-memory';
import { defaultThreads } from './backends';
// A plain require, as in scan.ts: `import * as` would wrap every export in a getter.
import v = require('./validate');
import type { FloatArray } from './validate';

/** Signs go with their logs: an Int8Array for host arrays, an int8 DeviceArray on the GPU. */
export type SignsOf<F> = F extends DeviceArray ? DeviceArray<'int8'> : Int8Array;
export interface SignedLogArray<F = FloatArray> {
  logAbs: F;
  sign: SignsOf<F>;
}
export type LogInput<F> = F | { logAbs: F; sign: SignsOf<F> };

export type Data = FloatArray | DeviceArray;
export type Signs = Int8Array | DeviceArray;

// One object shape for every operand (sign undefined when absent), so the packing stays monomorphic.
export const operand = (data: Data, offset: number, stride: number, sign?: Signs): NativeOperand => ({
  data: ArrayBuffer.isView(data) ? data : data.buffer,
  sign: sign === undefined || ArrayBuffer.isView(sign) ? sign : sign.buffer,
  offset,
  stride,
});

/** A Float32Array/Float64Array, or a live DeviceArray of floats. */
export function floatData(name: string, value: unknown): Data {
  if (isFloatArray(value)) {
    // the common case first
    v.checkAttached(name, value);
    return value;
  }
  if (isDeviceArray(value)) {
    value.checkLive(name);
    if (value.dtype === 'int8') throw typeError('ERR_LINREC_INVALID_TYPE', expected(name, 'a float32 or float64 DeviceArray', 'an int8 DeviceArray'));
    return value;
  }
  return v.floatArray(name, value);
}

export function signData(name: string, value: unknown, length: number): Signs {
  let s: Signs;
  if (isDeviceArray(value)) {
    value.checkLive(name);
    if (value.dtype !== 'int8') throw typeError('ERR_LINREC_INVALID_TYPE', expected(name, 'an int8 DeviceArray of signs', `a ${value.dtype} DeviceArray`));
    s = value;
  } else s = v.int8Array(name, value);
  v.exactLength(name, s.length, length, 'one sign per logAbs element');
  return s;
}

export type NamedOperands = [string, Data | Signs | undefined][];

/** A log entry point's two operands and their signs, named for errors: `[[a, …], [a.sign, …], [b, …], [b.sign, …]]`. */
export function namedLogOperands(aName: string, a: { logAbs: Data; sign?: Signs }, bName: string, b: { logAbs: Data; sign?: Signs }): NamedOperands {
  return [
    [aName, a.logAbs],
    [`${aName}.sign`, a.sign],
    [bName, b.logAbs],
    [`${bName}.sign`, b.sign],
  ];
}

/** Whether the arrays are DeviceArrays; they must all be, on one device, or none. */
export function sameResidency(names: NamedOperands): boolean {
  if (!names.some(([, d]) => isDeviceArray(d))) return false; // all host arrays: the common case
  const present = names.filter(([, d]) => d !== undefined) as [string, Data | Signs][];
  const [firstName, first] = present[0];
  const onDevice = isDeviceArray(first);
  for (const [name, d] of present) {
    if (isDeviceArray(d) !== onDevice) {
      throw typeError(
        'ERR_LINREC_INVALID_TYPE',
        `Expected ${name} to be ${onDevice ? 'a DeviceArray' : 'a host typed array'} like ${firstName} but received ${onDevice ? 'a host array' : 'a DeviceArray'}`,
      );
    }
    if (isDeviceArray(d) && d.deviceIndex !== (first as DeviceArray).deviceIndex) {
      throw plainError('ERR_LINREC_DEVICE_MISMATCH', `Expected ${name} to be on ${(first as DeviceArray).device} like ${firstName} but it is on ${d.device}`);
    }
  }
  return onDevice;
}

/** The device index of a DeviceArray, undefined for a host array. */
export const deviceIndexOf = (d: Data | Signs): number | undefined => (isDeviceArray(d) ? d.deviceIndex : undefined);

/** A result beside `like`; a host one readied for a scan on `threads` threads (src/result-memory.ts). */
export function allocLike(like: Data, length: number, threads = defaultThreads()): Data {
  if (isDeviceArray(like)) return new DeviceArray(length, like.dtype as 'float32' | 'float64', like.deviceIndex);
  return freshResult(v.dtypeOf(like) === 'float64' ? Float64Array : Float32Array, length, threads);
}
/** Signs beside `like`: an Int8Array, or an int8 DeviceArray on like's device. */
export function allocSigns(like: Data, length: number, threads = defaultThreads()): Signs {
  if (isDeviceArray(like)) return new DeviceArray(length, 'int8', like.deviceIndex);
  return freshResult(Int8Array, length, threads);
}

/** A log input: plain real logs (all positive) or { logAbs, sign }. */
export function logInput(name: string, value: unknown): { logAbs: Data; sign?: Signs } {
  if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value) && !isDeviceArray(value) && 'logAbs' in value) {
    const { logAbs, sign } = value as { logAbs: unknown; sign: unknown };
    const data = floatData(`${name}.logAbs`, logAbs);
    const signs = signData(`${name}.sign`, sign, data.length);
    // An input's signs must be ±1; an output's (options.out) are written, not read.
    if (!isDeviceArray(signs) && name !== 'options.out') v.signValues(`${name}.sign`, signs);
    return { logAbs: data, sign: signs };
  }
  if (isDeviceArray(value) || isFloatArray(value)) return { logAbs: floatData(name, value) };
  throw typeError('ERR_LINREC_INVALID_TYPE', expected(name, 'a Float32Array/Float64Array of logs or { logAbs, sign }', value));
}

/** What a given options.out is checked against: the entry point's own inputs and length. */
export interface OutCheck {
  /** The log form: out must be { logAbs, sign }. */
  log: boolean;
  /** Throws the entry point's own error when x's dtype is not the call's. */
  checkDType: (name: string, x: Data) => void;
  /** The input out must share residency with, named. */
  like: [string, Data];
  length: number;
  /** Says what out's length must equal, for the error. */
  lengthOf: string;
  onDevice: boolean;
  /** Every input out must not overlap, named. */
  inputs: NamedOperands;
  /** The values, which out may be exactly (in place). */
  inPlace: { logAbs: Data; sign?: Signs };
}

/**
 * options.out checked as scan, logScan and Scanner.push check it: type, dtype, residency, length.
 * On the host, `nameAlias` names the overlaps the binding refused on raw pointers (refuseAlias).
 */
export function checkedOut(out: unknown, c: OutCheck): { x: Data; xSign: Signs | undefined; nameAlias: (() => void) | undefined } {
  let x: Data;
  let xSign: Signs | undefined;
  if (c.log) {
    const given = logInput('options.out', out);
    if (!given.sign) throw typeError('ERR_LINREC_INVALID_TYPE', expected('options.out', '{ logAbs, sign }', out));
    x = given.logAbs;
    xSign = given.sign;
  } else x = floatData('options.out', out);
  const name = c.log ? 'options.out.logAbs' : 'options.out';
  c.checkDType(name, x);
  if (c.onDevice || !ArrayBuffer.isView(x) || (xSign !== undefined && !ArrayBuffer.isView(xSign)))
    sameResidency([c.like, [name, x], ['options.out.sign', xSign]]);
  v.exactLength(name, x.length, c.length, c.lengthOf);
  if (c.onDevice) return { x, xSign, nameAlias: undefined };
  const hostX = x as FloatArray;
  const hostSign = xSign as Int8Array | undefined;
  const inputs = c.inputs as [string, ArrayBufferView | undefined][];
  const nameAlias = () => {
    v.checkNoAlias(name, hostX, hostSign ? [...inputs, ['options.out.sign', hostSign]] : inputs, c.inPlace.logAbs as FloatArray);
    if (hostSign) v.checkNoAlias('options.out.sign', hostSign, inputs, c.inPlace.sign as Int8Array | undefined);
  };
  return { x, xSign, nameAlias };
}

/** e itself, after naming the overlap when the binding refused one (ERR_LINREC_ALIAS). */
export function aliasNamed(plan: { nameAlias?: () => void }, e: unknown): unknown {
  if (plan.nameAlias && (e as { code?: unknown } | null)?.code === 'ERR_LINREC_ALIAS') plan.nameAlias();
  return e;
}
