// Which backends this build and machine offer, and which one a call uses.
import * as os from 'os';
import { addon, addonSource, platformPackages } from './addon';
import { expected, plainError, rangeError, typeError, whenCudaFails } from './errors';

/** Where a call runs: 'cuda' is device 0, 'cuda:N' the N-th of backends().cuda.devices. */
export type Device = 'auto' | 'cpu' | 'cuda' | `cuda:${number}`;
/** A CUDA device by name: 'cuda' (device 0) or 'cuda:N'. */
export type CudaDeviceName = 'cuda' | `cuda:${number}`;

export interface CudaDevice {
  index: number;
  name: string;
  memoryBytes: number;
  computeCapability: string;
  /**
   * Set once a fault (a kernel that crashed) made this device unusable for the rest of the
   * process: CUDA lets no process recover a poisoned context. Calls on it throw ERR_LINREC_CUDA,
   * 'auto' uses the CPU instead; a new process can use the device again.
   */
  fault?: string;
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
// A CUDA error may have been a fault that made a device unusable (CudaDevice.fault): probe again.
whenCudaFails(() => {
  cached = undefined;
});

/**
 * Why CUDA is not compiled in, for the user: the CPU-only prebuilt package is built without it on
 * purpose, and its fix is the CUDA package for this platform, not a compiler.
 */
function noCudaReason(reason: string): string {
  const from = addonSource();
  const best = platformPackages()[0];
  if (from?.kind !== 'prebuilt' || from.package === best || !best.endsWith('-cuda')) return reason;
  return `this is ${from.package}, the prebuilt addon without CUDA; the CUDA backend comes with ${best}: \`npm install ${best}\` (it runs on the CPU too where there is no GPU)`;
}

/** The backends this build and machine offer (probed once). */
export function backends(): Backends {
  if (!cached) {
    const info = addon().info();
    cached = {
      cpu: { threads: defaultThreads() },
      cuda: {
        compiled: info.cuda.compiled,
        available: info.cuda.available,
        ...(info.cuda.reason ? { reason: info.cuda.compiled ? info.cuda.reason : noCudaReason(info.cuda.reason) } : {}),
        devices: info.cuda.devices,
      },
    };
  }
  return { cpu: { ...cached.cpu }, cuda: { ...cached.cuda, devices: cached.cuda.devices.map((d) => ({ ...d })) } };
}

let gpuThresholdCache: number | undefined;
/**
 * Below this many steps 'auto' stays on the CPU even with a GPU: copying host arrays over PCIe
 * costs more than the CPU scan. LINREC_GPU_MIN_ELEMENTS overrides it (see bench/NOTES.md), read
 * once, at the first call that asks: a process.env read costs ~0.6 µs, more than a small scan.
 */
export function gpuThreshold(): number {
  if (gpuThresholdCache === undefined) {
    const given = process.env.LINREC_GPU_MIN_ELEMENTS;
    const v = Number(given);
    const valid = given !== undefined && given.trim() !== '' && Number.isFinite(v) && v >= 0;
    if (given !== undefined && !valid)
      process.emitWarning(`LINREC_GPU_MIN_ELEMENTS=${JSON.stringify(given)} is not a number >= 0: ignored (default 2^22)`, { code: 'LINREC_ENV' });
    gpuThresholdCache = valid ? v : 1 << 22;
  }
  return gpuThresholdCache;
}

/** Whether 'auto' may use the GPU (device 0, unless a fault made it unusable). */
export function cudaUsable(): boolean {
  if (!cached) backends();
  return cached!.cuda.available && !cached!.cuda.devices[0]?.fault;
}

/** 'cuda' or 'cuda:N', N from 0 to 999 without leading zeros. */
export const CUDA_NAME = /^cuda(?::(0|[1-9][0-9]{0,2}))?$/;
/**
 * A device's name as the API takes it: 'auto', 'cpu' or a CUDA_NAME. The one rule for the
 * command lines' --device (with and without --redis) and the cluster's options and jobs.
 */
export const isDeviceName = (v: unknown): v is Device => v === 'auto' || v === 'cpu' || (typeof v === 'string' && CUDA_NAME.test(v));

/** The CUDA device index a name ('cuda' or 'cuda:N') stands for, checked against this machine. */
function cudaIndex(name: string, value: string): number {
  const index = Number(CUDA_NAME.exec(value)![1] ?? 0);
  requireCuda(value);
  const count = backends().cuda.devices.length;
  if (index >= count) {
    throw rangeError(
      'ERR_LINREC_INVALID_VALUE',
      `${name} '${value}' names no device: this machine has ${count} CUDA device${count === 1 ? '' : 's'} (${Array.from({ length: count }, (_, i) => `cuda:${i}`).join(', ')})`,
    );
  }
  return index;
}

/** A device option: 'auto', 'cpu', or a CUDA device (index, checked). */
export function deviceOption(name: string, option: unknown, allowed: 'any' | 'cuda' = 'any'): 'auto' | 'cpu' | number {
  if (option === undefined) return allowed === 'any' ? 'auto' : cudaIndex(name, 'cuda');
  if (typeof option === 'string') {
    if (CUDA_NAME.test(option)) return cudaIndex(name, option);
    if (allowed === 'any' && (option === 'auto' || option === 'cpu')) return option;
  }
  const want = allowed === 'any' ? "'auto', 'cpu', 'cuda' or 'cuda:N'" : "'cuda' or 'cuda:N'";
  throw (typeof option === 'string' ? rangeError : typeError)('ERR_LINREC_INVALID_VALUE', expected(name, `one of ${want}`, option));
}

/**
 * The engine a call runs on: -1 for the CPU, else the CUDA device's index. `arraysOn` is the
 * device of the call's DeviceArrays (undefined for host arrays): they decide, and a device
 * option must agree. Throws when the request cannot be met.
 */
export function chooseDevice(option: unknown, elements: number, arraysOn: number | undefined): number {
  const device = deviceOption('options.device', option);
  if (arraysOn !== undefined) {
    if (device === 'cpu') throw typeError('ERR_LINREC_INVALID_VALUE', expected('options.device', "'cuda' or 'auto' for DeviceArray inputs", 'cpu'));
    if (typeof device === 'number' && device !== arraysOn) {
      throw plainError('ERR_LINREC_DEVICE_MISMATCH', `options.device is 'cuda:${device}' but the DeviceArrays are on 'cuda:${arraysOn}'`);
    }
    return arraysOn;
  }
  if (device === 'cpu') return -1;
  if (typeof device === 'number') return device;
  return cudaUsable() && elements >= gpuThreshold() ? 0 : -1;
}

export function requireCuda(requested = 'cuda'): void {
  const b = backends();
  if (!b.cuda.available) {
    throw plainError('ERR_LINREC_CUDA_UNAVAILABLE', `Device '${requested}' was requested but CUDA is not usable: ${b.cuda.reason ?? 'unknown reason'}`);
  }
}

/** The most CPU worker threads a call takes (options.threads, the command line's --threads). */
export const MAX_THREADS = 1024;

export function threadsOption(v: unknown): number {
  if (v === undefined) return defaultThreads();
  if (typeof v !== 'number') throw typeError('ERR_LINREC_INVALID_TYPE', expected('options.threads', 'a positive integer', v));
  if (!Number.isInteger(v) || v < 1 || v > MAX_THREADS)
    throw rangeError('ERR_LINREC_INVALID_VALUE', expected('options.threads', `an integer from 1 to ${MAX_THREADS}`, v));
  return v;
}
