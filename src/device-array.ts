// Arrays that live in GPU memory, so chained calls skip PCIe. scan, logScan, aggregate and
// Scanner accept them and then return them.
import { addon, type NativeDeviceBuffer } from './addon';
import { expected, plainError, rangeError, typeError } from './errors';
// A plain require: `import * as` would wrap every export in a getter (esModuleInterop), and
// each call would pay for it (measured: a tenth of a small scan's time).
import v = require('./validate');
import { checkAttached } from './validate';
import { floatDType, isInt8Array } from './dtype';
import { deviceOption, requireCuda, type CudaDeviceName } from './backends';

export type DeviceDType = 'float32' | 'float64' | 'int8';
const BYTES: Record<DeviceDType, number> = { float32: 4, float64: 8, int8: 1 };

type HostOf<D extends DeviceDType> = D extends 'float64' ? Float64Array : D extends 'int8' ? Int8Array : Float32Array;

/** Symbol.dispose where the runtime has it (Node 20.4+ and 18.18+), else Node's own key for it. */
export const disposeSymbol: symbol = (Symbol as unknown as { dispose?: symbol }).dispose ?? Symbol.for('nodejs.dispose');

/** Where toDevice() and DeviceArray.empty() allocate: 'cuda' (device 0, the default) or 'cuda:N'. */
export interface DeviceOptions {
  device?: CudaDeviceName;
}

export class DeviceArray<D extends DeviceDType = DeviceDType> {
  readonly length: number;
  readonly dtype: D;
  /** The CUDA device that holds the data, as 'cuda:N'. */
  readonly device: `cuda:${number}`;
  /** @internal the device's index */
  readonly deviceIndex: number;
  /** @internal */
  readonly buffer: NativeDeviceBuffer;

  /** @internal use toDevice() or DeviceArray.empty() */
  constructor(length: number, dtype: D, deviceIndex = 0) {
    if (!Number.isSafeInteger(length) || length < 0) throw rangeError('ERR_LINREC_INVALID_VALUE', expected('length', 'a non-negative integer', length));
    if (!Object.prototype.hasOwnProperty.call(BYTES, dtype))
      throw rangeError('ERR_LINREC_INVALID_VALUE', expected('dtype', "'float32', 'float64' or 'int8'", dtype));
    requireCuda();
    this.length = length;
    this.dtype = dtype;
    this.deviceIndex = deviceIndex;
    this.device = `cuda:${deviceIndex}`;
    this.buffer = new (addon().DeviceBuffer)(length * BYTES[dtype], BYTES[dtype], deviceIndex);
  }

  /** An uninitialized device array. */
  static empty<D extends DeviceDType>(length: number, dtype: D, options?: DeviceOptions): DeviceArray<D> {
    return new DeviceArray(length, dtype, deviceIndexOption(options));
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

function deviceIndexOption(options: unknown): number {
  const o = options === undefined ? {} : v.options<DeviceOptions>('options', options, ['device']);
  return deviceOption('options.device', o.device, 'cuda') as number;
}

/** Copies a host typed array to the GPU (device 0, or options.device). */
export function toDevice(array: Float32Array, options?: DeviceOptions): DeviceArray<'float32'>;
export function toDevice(array: Float64Array, options?: DeviceOptions): DeviceArray<'float64'>;
export function toDevice(array: Int8Array, options?: DeviceOptions): DeviceArray<'int8'>;
export function toDevice(array: Float32Array | Float64Array | Int8Array, options?: DeviceOptions): DeviceArray {
  const dtype: DeviceDType | undefined = isInt8Array(array) ? 'int8' : floatDType(array);
  if (!dtype) throw typeError('ERR_LINREC_INVALID_TYPE', expected('array', 'a Float32Array, Float64Array or Int8Array', array));
  checkAttached('array', array);
  const d = new DeviceArray(array.length, dtype, deviceIndexOption(options));
  d.buffer.upload(array);
  return d;
}

/** Free and total memory of a CUDA device ('cuda', i.e. device 0, by default), in bytes, measured now (cudaMemGetInfo). */
export function deviceMemory(device?: CudaDeviceName): { freeBytes: number; totalBytes: number } {
  return addon().deviceMemory(deviceOption('device', device, 'cuda') as number);
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
