// Which backends this build and machine offer, and which one a call uses.
import * as os from 'os';
import { addon } from './addon';
import { expected, plainError, rangeError, typeError } from './errors';
import { oneOf } from './validate';

export type Device = 'auto' | 'cpu' | 'cuda';
export const DEVICES: readonly Device[] = ['auto', 'cpu', 'cuda'];

export interface CudaDevice {
  index: number;
  name: string;
  memoryBytes: number;
  computeCapability: string;
}

export interface Backends {
  cpu: { threads: number };
  cuda: { compiled: boolean; available: boolean; reason?: string; devices: CudaDevice[] };
}

let threadsCache: number | undefined;
export function defaultThreads(): number {
  if (threadsCache === undefined) {
    const n = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    threadsCache = Math.max(1, Math.min(n, 256));
  }
  return threadsCache;
}

let cached: Backends | undefined;

/** The backends this build and machine offer (probed once). */
export function backends(): Backends {
  if (!cached) {
    const info = addon().info();
    cached = {
      cpu: { threads: defaultThreads() },
      cuda: {
        compiled: info.cuda.compiled,
        available: info.cuda.available,
        ...(info.cuda.reason ? { reason: info.cuda.reason } : {}),
        devices: info.cuda.devices,
      },
    };
  }
  return { cpu: { ...cached.cpu }, cuda: { ...cached.cuda, devices: cached.cuda.devices.map((d) => ({ ...d })) } };
}

/**
 * Below this many steps 'auto' stays on the CPU even with a GPU: copying host arrays over PCIe
 * costs more than the CPU scan. LINREC_GPU_MIN_ELEMENTS overrides it (see bench/NOTES.md).
 */
export function gpuThreshold(): number {
  const v = Number(process.env.LINREC_GPU_MIN_ELEMENTS);
  return Number.isFinite(v) && v >= 0 ? v : 1 << 22;
}

export function cudaUsable(): boolean {
  if (!cached) backends();
  return cached!.cuda.available;
}

/** true: run on CUDA; false: run on the CPU. Throws when the request cannot be met. */
export function chooseCuda(option: unknown, elements: number, onDevice: boolean): boolean {
  const device = oneOf<Device>('options.device', option, DEVICES, 'auto');
  if (onDevice) {
    if (device === 'cpu') throw typeError('ERR_LINREC_INVALID_VALUE', expected('options.device', "'cuda' or 'auto' for DeviceArray inputs", 'cpu'));
    requireCuda();
    return true;
  }
  if (device === 'cpu') return false;
  if (device === 'cuda') {
    requireCuda();
    return true;
  }
  return cudaUsable() && elements >= gpuThreshold();
}

export function requireCuda(): void {
  const b = backends();
  if (!b.cuda.available) {
    throw plainError('ERR_LINREC_CUDA_UNAVAILABLE', `linrec: device 'cuda' was requested but CUDA is not usable: ${b.cuda.reason ?? 'unknown reason'}`);
  }
}

export function threadsOption(v: unknown): number {
  if (v === undefined) return defaultThreads();
  if (typeof v !== 'number') throw typeError('ERR_LINREC_INVALID_TYPE', expected('options.threads', 'a positive integer', v));
  if (!Number.isInteger(v) || v < 1 || v > 1024) throw rangeError('ERR_LINREC_INVALID_VALUE', expected('options.threads', 'an integer from 1 to 1024', v));
  return v;
}
