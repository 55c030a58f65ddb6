// Arrays that live in GPU memory, so chained calls skip PCIe. scan, logScan, aggregate and
// Scanner accept them and then return them.
import { addon, type NativeDeviceBuffer } from './addon';
import { expected, plainError, rangeError, typeError } from './errors';
import { checkAttached, isFloatArray, isInt8Array } from './validate';
import { requireCuda } from './backends';

export type DeviceDType = 'float32' | 'float64' | 'int8';
const BYTES: Record<DeviceDType, number> = { float32: 4, float64: 8, int8: 1 };

type HostOf<D extends DeviceDType> = D extends 'float64' ? Float64Array : D extends 'int8' ? Int8Array : Float32Array;

const disposeSymbol: symbol = (Symbol as unknown as { dispose?: symbol }).dispose ?? Symbol.for('nodejs.dispose');

export class DeviceArray<D extends DeviceDType = DeviceDType> {
  readonly length: number;
  readonly dtype: D;
  /** @internal */
  readonly buffer: NativeDeviceBuffer;

  /** @internal use toDevice() or DeviceArray.empty() */
  constructor(length: number, dtype: D) {
    if (!Number.isSafeInteger(length) || length < 0) throw rangeError('ERR_LINREC_INVALID_VALUE', expected('length', 'a non-negative integer', length));
    if (!Object.prototype.hasOwnProperty.call(BYTES, dtype)) throw rangeError('ERR_LINREC_INVALID_VALUE', expected('dtype', "'float32', 'float64' or 'int8'", dtype));
    requireCuda();
    this.length = length;
    this.dtype = dtype;
    this.buffer = new (addon().DeviceBuffer)(length * BYTES[dtype], BYTES[dtype]);
  }

  /** An uninitialized device array. */
  static empty<D extends DeviceDType>(length: number, dtype: D): DeviceArray<D> {
    return new DeviceArray(length, dtype);
  }

  get disposed(): boolean {
    return this.buffer.disposed;
  }

  /** Copies the data back into a new host typed array. */
  toHost(): HostOf<D> {
    this.checkLive('toHost');
    const host = new (this.dtype === 'float64' ? Float64Array : this.dtype === 'int8' ? Int8Array : Float32Array)(this.length);
    this.buffer.download(host);
    return host as HostOf<D>;
  }

  /** Frees the device memory now (the garbage collector would, later). Idempotent. */
  dispose(): void {
    if (this.#inUse > 0) {
      throw plainError('ERR_LINREC_BUSY', 'Cannot dispose a DeviceArray while an async call uses it; await the call first');
    }
    this.buffer.dispose();
  }

  #inUse = 0;

  /** @internal counts the async calls running on this array */
  hold(delta: 1 | -1): void {
    this.#inUse += delta;
  }

  /** @internal */
  checkLive(what: string): void {
    if (this.buffer.disposed) throw plainError('ERR_LINREC_DISPOSED', `Cannot use ${what}: the DeviceArray was disposed`);
  }
}

(DeviceArray.prototype as unknown as Record<symbol, () => void>)[disposeSymbol] = function (this: DeviceArray) {
  this.dispose();
};

export function isDeviceArray(v: unknown): v is DeviceArray {
  return v instanceof DeviceArray;
}

/** Copies a host typed array to the GPU. */
export function toDevice(array: Float32Array): DeviceArray<'float32'>;
export function toDevice(array: Float64Array): DeviceArray<'float64'>;
export function toDevice(array: Int8Array): DeviceArray<'int8'>;
export function toDevice(array: Float32Array | Float64Array | Int8Array): DeviceArray {
  if (!isFloatArray(array) && !isInt8Array(array)) throw typeError('ERR_LINREC_INVALID_TYPE', expected('array', 'a Float32Array, Float64Array or Int8Array', array));
  checkAttached('array', array);
  const dtype: DeviceDType = isInt8Array(array) ? 'int8' : Object.prototype.toString.call(array) === '[object Float64Array]' ? 'float64' : 'float32';
  const d = new DeviceArray(array.length, dtype);
  d.buffer.upload(array);
  return d;
}

/** Free and total memory of the CUDA device, in bytes, measured now (cudaMemGetInfo). */
export function deviceMemory(): { freeBytes: number; totalBytes: number } {
  requireCuda();
  return addon().deviceMemory();
}

/** Runs an async native call, keeping every DeviceArray among `operands` from being disposed. */
export async function holdingDevices<T>(operands: unknown[], run: () => Promise<T>): Promise<T> {
  const held: DeviceArray[] = [];
  const visit = (v: unknown) => {
    if (v instanceof DeviceArray) held.push(v);
    else if (v && typeof v === 'object' && !ArrayBuffer.isView(v)) {
      const o = v as { logAbs?: unknown; sign?: unknown; out?: unknown };
      if ('logAbs' in o) visit(o.logAbs);
      if ('sign' in o) visit(o.sign);
      if ('out' in o) visit(o.out);
    }
  };
  operands.forEach(visit);
  held.forEach((d) => d.hold(1));
  try {
    return await run();
  } finally {
    held.forEach((d) => d.hold(-1));
  }
}
