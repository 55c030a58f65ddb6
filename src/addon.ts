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
  /** The CPU engine's instruction set as dispatched: "x86-64-v3", "native", "baseline", ... */
  cpuInstructionSet?: string;
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

/** A place the addon may be loaded from, in the loader's order of preference. */
export interface AddonCandidate {
  /** 'env' (LINREC_ADDON), 'prebuilt' (a platform package) or 'local' (a build in this package). */
  kind: 'env' | 'prebuilt' | 'local';
  /** The platform package's name, for prebuilt candidates. */
  package?: string;
  file: string;
}

// The platform packages' names (shared with the install and pack scripts, which run before any
// TypeScript is compiled).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const platformNaming = require(path.join(root, 'scripts', 'platform-packages.js')) as {
  platformPackages(platform?: string, arch?: string): string[];
  ADDON_FILE: string;
};

/** The platform packages that fit this process, best first (CUDA variant, then CPU-only). */
export const platformPackages = platformNaming.platformPackages;

function resolvePackageFile(name: string): string | undefined {
  try {
    // Resolved from this package, so that a platform package installed next to it is found.
    return path.join(path.dirname(require.resolve(`${name}/package.json`, { paths: [root] })), platformNaming.ADDON_FILE);
  } catch {
    return undefined;
  }
}

/** Every place the loader tries, in order (the first that loads wins). */
export function addonCandidates(): AddonCandidate[] {
  // LINREC_ADDON names the one build to load (a sanitizer build, a node-gyp build, ...).
  if (process.env.LINREC_ADDON) return [{ kind: 'env', file: path.resolve(process.env.LINREC_ADDON) }];
  const list: AddonCandidate[] = [];
  // LINREC_PREBUILT=0 skips the platform packages (to test a local build where both exist).
  if (process.env.LINREC_PREBUILT !== '0') {
    for (const name of platformPackages()) {
      const file = resolvePackageFile(name);
      if (file) list.push({ kind: 'prebuilt', package: name, file });
    }
  }
  for (const dir of ['build-cmake/Release', 'build/Release', 'build-cmake/Debug', 'build/Debug']) {
    list.push({ kind: 'local', file: path.join(root, dir, 'linrec.node') });
  }
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
let loadedFrom: AddonCandidate | undefined;

export function addon(): NativeAddon {
  if (loaded) return loaded;
  const failures: string[] = [];
  for (const candidate of addonCandidates()) {
    try {
      loaded = wrap(require(candidate.file) as RawAddon);
      loadedFrom = candidate;
      return loaded;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const what = candidate.package ? `${candidate.package} (${candidate.file})` : candidate.file;
      failures.push(`  ${what}: ${err.code === 'MODULE_NOT_FOUND' ? 'not found' : err.message}`);
    }
  }
  if (!process.env.LINREC_ADDON) {
    // Last, the `bindings` package's search (other build layouts: out/, Debug, compiled/...).
    try {
      const bindings = require('bindings') as (o: { bindings: string; module_root: string }) => RawAddon;
      loaded = wrap(bindings({ bindings: 'linrec.node', module_root: root }));
      loadedFrom = { kind: 'local', file: Object.keys(require.cache).find((f) => f.endsWith('linrec.node')) ?? 'linrec.node' };
      return loaded;
    } catch (e) {
      failures.push(`  the bindings package's search paths: ${(e as Error).message.split('\n')[0].replace(/ Tried:$/, '')}`);
    }
  }
  const prebuilt = platformPackages().join(' or ');
  throw plainError(
    'ERR_LINREC_LOAD',
    [
      'linrec: could not load the native addon. Tried:',
      ...failures,
      'Possible fixes:',
      `  - reinstall with optional dependencies, which brings the prebuilt ${prebuilt} where one exists: \`npm install linrec --include=optional\`;`,
      '  - build it: `npm rebuild linrec` (or, in a checkout, `npm run build`); this needs a C++17 compiler, and CMake or node-gyp;',
      '  - point LINREC_ADDON at a built linrec.node.',
    ].join('\n'),
  );
}

/** Where the addon was loaded from (for `linrec info`); undefined before the first load. */
export function addonSource(): AddonCandidate | undefined {
  return loadedFrom;
}

/** The file the addon was loaded from (for `linrec info`). */
export function addonPath(): string | undefined {
  return loadedFrom?.file;
}
