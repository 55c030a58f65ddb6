// Loads the native addon: tries each place a build can be, and if none loads, throws one
// error that lists every attempt and the commands that fix it.
import * as path from 'path';
import { plainError } from './errors';

export interface NativeOperand {
  data: Float32Array | Float64Array | NativeDeviceBuffer;
  sign?: Int8Array | NativeDeviceBuffer;
  offset: number;
  stride: number;
}

/** What every native call has: the shape, the direction and where it runs. */
interface NativeCallShape {
  rows: number;
  n: number;
  reverse: boolean;
  threads: number;
  /** -1: the CPU engine; else the CUDA device's index. */
  device: number;
  a: NativeOperand;
  b: NativeOperand;
}

export interface NativeScanSpec extends NativeCallShape {
  method: number;
  x: NativeOperand;
  x0: NativeOperand;
  x0Copy?: NativeOperand;
  last?: NativeOperand;
}

export interface NativeAggregateSpec extends NativeCallShape {
  outA: NativeOperand;
  outB: NativeOperand;
}

export interface NativeDeviceBuffer {
  readonly disposed: boolean;
  dispose(): void;
  upload(src: ArrayBufferView): void;
  download(dst: ArrayBufferView): void;
  copyFrom(src: NativeDeviceBuffer): void;
}

export interface NativeInfo {
  hardwareConcurrency: number;
  cuda: {
    compiled: boolean;
    available: boolean;
    reason?: string;
    devices: { index: number; name: string; memoryBytes: number; computeCapability: string }[];
  };
}

export interface NativeAddon {
  scan(spec: NativeScanSpec): void;
  scanAsync(spec: NativeScanSpec): Promise<void>;
  aggregate(spec: NativeAggregateSpec): void;
  aggregateAsync(spec: NativeAggregateSpec): Promise<void>;
  sequentialNative(spec: NativeScanSpec): void;
  info(): NativeInfo;
  deviceMemory(device: number): { freeBytes: number; totalBytes: number };
  DeviceBuffer: new (bytes: number, elemSize: number, device: number) => NativeDeviceBuffer;
}

const root = path.join(__dirname, '..');

function candidates(): string[] {
  // LINREC_ADDON names the one build to load (a sanitizer build, a node-gyp build, ...).
  if (process.env.LINREC_ADDON) return [path.resolve(process.env.LINREC_ADDON)];
  const list: string[] = [];
  list.push(
    path.join(root, 'build-cmake', 'Release', 'linrec.node'),
    path.join(root, 'build', 'Release', 'linrec.node'),
    path.join(root, 'build-cmake', 'Debug', 'linrec.node'),
    path.join(root, 'build', 'Debug', 'linrec.node'),
  );
  return list;
}

/** The module as compiled: positional arguments, numbers packed in one Float64Array. */
interface RawAddon {
  scan(...args: unknown[]): void;
  scanAsync(...args: unknown[]): Promise<void>;
  aggregate(...args: unknown[]): void;
  aggregateAsync(...args: unknown[]): Promise<void>;
  sequentialNative(...args: unknown[]): void;
  info(): NativeInfo;
  deviceMemory(device: number): { freeBytes: number; totalBytes: number };
  DeviceBuffer: NativeAddon['DeviceBuffer'];
}

// Named-property reads cost the binding more than a small scan; it takes flat arguments instead
// (native/binding/convert.cc documents the order).
function scanArgs(s: NativeScanSpec): unknown[] {
  const layout = Float64Array.of(
    s.method, s.rows, s.n, s.reverse ? 1 : 0, s.threads, s.device,
    s.a?.offset ?? 0, s.a?.stride ?? 0, s.b?.offset ?? 0, s.b?.stride ?? 0, s.x?.offset ?? 0, s.x?.stride ?? 0,
    s.x0?.offset ?? 0, s.x0?.stride ?? 0, s.x0Copy?.offset ?? 0, s.x0Copy?.stride ?? 0, s.last?.offset ?? 0,
  );
  return [layout, s.a?.data, s.a?.sign, s.b?.data, s.b?.sign, s.x?.data, s.x?.sign, s.x0?.data, s.x0?.sign,
    s.x0Copy?.data, s.x0Copy?.sign, s.last?.data, s.last?.sign];
}

function aggregateArgs(s: NativeAggregateSpec): unknown[] {
  const layout = Float64Array.of(
    s.rows, s.n, s.reverse ? 1 : 0, s.threads, s.device,
    s.a?.offset ?? 0, s.a?.stride ?? 0, s.b?.offset ?? 0, s.b?.stride ?? 0, s.outA?.offset ?? 0, s.outB?.offset ?? 0,
  );
  return [layout, s.a?.data, s.b?.data, s.outA?.data, s.outB?.data];
}

function wrap(raw: RawAddon): NativeAddon {
  return {
    scan: (spec) => raw.scan(...scanArgs(spec)),
    scanAsync: (spec) => raw.scanAsync(...scanArgs(spec)),
    aggregate: (spec) => raw.aggregate(...aggregateArgs(spec)),
    aggregateAsync: (spec) => raw.aggregateAsync(...aggregateArgs(spec)),
    sequentialNative: (spec) => raw.sequentialNative(...scanArgs(spec)),
    info: () => raw.info(),
    deviceMemory: (device) => raw.deviceMemory(device),
    DeviceBuffer: raw.DeviceBuffer,
  };
}

let loaded: NativeAddon | undefined;

export function addon(): NativeAddon {
  if (loaded) return loaded;
  const failures: string[] = [];
  for (const file of candidates()) {
    try {
      loaded = wrap(require(file) as RawAddon);
      return loaded;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      failures.push(`  ${file}: ${err.code === 'MODULE_NOT_FOUND' ? 'not found' : err.message}`);
    }
  }
  if (!process.env.LINREC_ADDON) {
    // Last, the `bindings` package's search (other build layouts: out/, Debug, compiled/...).
    try {
      const bindings = require('bindings') as (o: { bindings: string; module_root: string }) => RawAddon;
      loaded = wrap(bindings({ bindings: 'linrec.node', module_root: root }));
      return loaded;
    } catch (e) {
      failures.push(`  the bindings package's search paths: ${(e as Error).message.split('\n')[0].replace(/ Tried:$/, '')}`);
    }
  }
  throw plainError(
    'ERR_LINREC_LOAD',
    [
      'linrec: could not load the native addon. Tried:',
      ...failures,
      'Possible fixes:',
      '  - build it: `npm rebuild linrec` (or, in a checkout, `npm run build`); this needs CMake and a C++17 compiler;',
      '  - without CMake: `npm run build:gyp` (node-gyp, CPU only);',
      '  - point LINREC_ADDON at a built linrec.node.',
    ].join('\n'),
  );
}

/** The file the addon was loaded from (for `linrec info`). */
export function addonPath(): string | undefined {
  if (!loaded) return undefined;
  return candidates().find((f) => require.cache[f] !== undefined);
}
