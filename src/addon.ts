// Loads the native addon: tries each place a build can be, and if none loads, throws one
// error that lists every attempt and the commands that fix it.
import * as path from 'path';
import { plainError, typeError } from './errors';

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
  /**
   * x's arrays must not share memory with a's or b's except exactly in place (x spans b): the
   * binding checks on raw pointers and throws ERR_LINREC_ALIAS (contract.h says why there).
   */
  refuseAlias?: boolean;
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
  /**
   * scan(a, b, { out: x, rows, reverse, threads }) on host arrays of the type `float64` says (the
   * binding bounds that claim by each array's buffer, but does not check it), direct method, CPU
   * engine: the binding's lean entry (native/binding/convert.h, readHostScan). False, with nothing
   * done, for any call it does not take as is; the general path then runs and names what is wrong.
   */
  scanHost(float64: boolean, a: unknown, b: unknown, x: unknown, rows: number, reverse: boolean, threads: number): boolean;
  scanAsync(spec: NativeScanSpec): Promise<void>;
  aggregate(spec: NativeAggregateSpec): void;
  aggregateAsync(spec: NativeAggregateSpec): Promise<void>;
  sequentialNative(spec: NativeScanSpec): void;
  /** What the binding decodes from a scan call, without running it (host arrays; tests). */
  decodeScanCall(spec: NativeScanSpec): DecodedScanCall;
  info(): NativeInfo;
  deviceMemory(device: number): { freeBytes: number; totalBytes: number };
  DeviceBuffer: new (bytes: number, elemSize: number, device: number) => NativeDeviceBuffer;
  /** The index of the first sign that is not +1 or -1, or -1 (absent from older builds). */
  firstInvalidSign?: (signs: Int8Array) => number;
  /** Readies a new typed array for a result: huge pages advised, pages faulted in on `threads` threads (absent from older builds). */
  prepareFreshResult?: (array: ArrayBufferView, huge: boolean | (() => boolean), threads: number, slowPieceMs?: number, smallPageRatio?: number) => number;
  /** The C library's setting for freed memory; whether it took (absent from older builds). */
  keepFreedMemory?: (bytes: number) => boolean;
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

/** The call functions, bound to this module's layouts: arrays as positional arguments. */
interface RawCalls {
  scan(...args: unknown[]): void;
  scanHost32(a: unknown, b: unknown, x: unknown): boolean;
  scanHost64(a: unknown, b: unknown, x: unknown): boolean;
  scanAsync(...args: unknown[]): Promise<void>;
  aggregate(...args: unknown[]): void;
  aggregateAsync(...args: unknown[]): Promise<void>;
  sequentialNative(...args: unknown[]): void;
  decodeScanCall(...args: unknown[]): DecodedScanCall;
}

/** The module as compiled. */
interface RawAddon {
  bind(scanLayout: Float64Array, aggregateLayout: Float64Array): RawCalls;
  contract: NativeContract;
  info(): NativeInfo;
  deviceMemory(device: number): { freeBytes: number; totalBytes: number };
  DeviceBuffer: NativeAddon['DeviceBuffer'];
  firstInvalidSign?: (signs: Int8Array) => number;
  prepareFreshResult?: (array: ArrayBufferView, huge: boolean | (() => boolean), threads: number, slowPieceMs?: number, smallPageRatio?: number) => number;
  keepFreedMemory?: (bytes: number) => boolean;
}

// ---------------------------------------------------------------------------------------------
// The call contract, written once on this side (native/binding/contract.h is the other side).
// A call passes its numbers in one Float64Array, slot by slot, then its arrays in order.
// Named-property reads cost the binding more than a small scan, hence flat arguments.

/** The method codes (native/job.h, LINREC_METHODS). */
export const METHOD_CODE = { direct: 0, logFromRaw: 1, logFromLog: 2 } as const;

/**
 * scan: `arrays` has bit i set where array argument i is present; x0, x0Copy and last may share
 * an earlier operand's arrays (`*Shares`: that operand's argument index, else -1); see contract.h.
 */
export const SCAN_SLOTS = [
  'method',
  'rows',
  'n',
  'reverse',
  'threads',
  'device',
  'aOffset',
  'aStride',
  'bOffset',
  'bStride',
  'xOffset',
  'xStride',
  'x0Offset',
  'x0Stride',
  'x0CopyOffset',
  'x0CopyStride',
  'lastOffset',
  'arrays',
  'x0Shares',
  'x0CopyShares',
  'lastShares',
  'refuseAlias',
] as const;
export const SCAN_ARRAYS = ['a', 'aSign', 'b', 'bSign', 'x', 'xSign', 'x0', 'x0Sign', 'x0Copy', 'x0CopySign', 'last', 'lastSign'] as const;
export const AGGREGATE_SLOTS = ['rows', 'n', 'reverse', 'threads', 'device', 'aOffset', 'aStride', 'bOffset', 'bStride', 'outAOffset', 'outBOffset'] as const;
export const AGGREGATE_ARRAYS = ['a', 'b', 'outA', 'outB'] as const;

/** What the addon exports of its side of the contract, checked at load. */
export interface NativeContract {
  scanSlots: string[];
  scanArrays: string[];
  aggregateSlots: string[];
  aggregateArrays: string[];
  methods: Record<string, number>;
}

/** What the binding decoded from a scan call (addon().decodeScanCall, for tests). */
export interface DecodedScanCall {
  method: number;
  dtype: 'float32' | 'float64';
  rows: number;
  n: number;
  reverse: boolean;
  threads: number;
  device: number;
  strides: { a: number; b: number; x: number; x0: number; x0Copy: number };
  [pointer: string]: unknown;
}

function indexOf<T extends readonly string[]>(list: T): { readonly [K in T[number]]: number } {
  return Object.fromEntries(list.map((name, i) => [name, i])) as { [K in T[number]]: number };
}
const S = indexOf(SCAN_SLOTS);
const SA = indexOf(SCAN_ARRAYS);
const G = indexOf(AGGREGATE_SLOTS);

/** Differences between this side's lists and the addon's, as sentences (none: the same contract). */
export function contractMismatches(c: NativeContract | undefined): string[] {
  if (!c) return ['it exports no call contract (an older build)'];
  const out: string[] = [];
  const same = (what: string, mine: readonly string[], theirs: readonly string[]) => {
    if (mine.join() !== (theirs ?? []).join()) out.push(`${what} differ: [${(theirs ?? []).join(', ')}] in the addon, [${mine.join(', ')}] in src/addon.ts`);
  };
  same('scan slots', SCAN_SLOTS, c.scanSlots);
  same('scan arrays', SCAN_ARRAYS, c.scanArrays);
  same('aggregate slots', AGGREGATE_SLOTS, c.aggregateSlots);
  same('aggregate arrays', AGGREGATE_ARRAYS, c.aggregateArrays);
  const methods = (m: Record<string, number>) => JSON.stringify(Object.entries(m ?? {}).sort());
  if (methods(METHOD_CODE) !== methods(c.methods)) out.push(`method codes differ: ${methods(c.methods)} in the addon, ${methods(METHOD_CODE)} in src/addon.ts`);
  return out;
}

// One layout per call kind, bound to the call functions once (raw.bind) and refilled by every
// call: the binding reads it before the call returns (async calls too), and JS runs one call at
// a time per thread.
const scanLayout = new Float64Array(SCAN_SLOTS.length);
const aggregateLayout = new Float64Array(AGGREGATE_SLOTS.length);

type Call<R> = (...args: unknown[]) => R;

function callScan<R>(fn: Call<R>, s: NativeScanSpec): R {
  const l = scanLayout;
  const { a, b, x, x0, x0Copy, last } = s;
  l[S.method] = s.method;
  l[S.rows] = s.rows;
  l[S.n] = s.n;
  l[S.reverse] = s.reverse ? 1 : 0;
  l[S.threads] = s.threads;
  l[S.device] = s.device;
  l[S.aOffset] = a.offset;
  l[S.aStride] = a.stride;
  l[S.bOffset] = b.offset;
  l[S.bStride] = b.stride;
  l[S.xOffset] = x.offset;
  l[S.xStride] = x.stride;
  l[S.x0Offset] = x0.offset;
  l[S.x0Stride] = x0.stride;
  l[S.x0CopyOffset] = x0Copy ? x0Copy.offset : 0;
  l[S.x0CopyStride] = x0Copy ? x0Copy.stride : 0;
  l[S.lastOffset] = last ? last.offset : 0;
  l[S.refuseAlias] = s.refuseAlias ? 1 : 0;
  let arrays = (1 << SA.a) | (1 << SA.b) | (1 << SA.x);
  if (a.sign) arrays |= 1 << SA.aSign;
  if (b.sign) arrays |= 1 << SA.bSign;
  if (x.sign) arrays |= 1 << SA.xSign;
  const x0Shares = sharedWith(x0, s, false);
  const x0CopyShares = x0Copy ? sharedWith(x0Copy, s, true) : -1;
  const lastShares = last ? sharedWith(last, s, true) : -1;
  if (x0Shares < 0) arrays |= (1 << SA.x0) | (x0.sign ? 1 << SA.x0Sign : 0);
  if (x0Copy && x0CopyShares < 0) arrays |= (1 << SA.x0Copy) | (x0Copy.sign ? 1 << SA.x0CopySign : 0);
  if (last && lastShares < 0) arrays |= (1 << SA.last) | (last.sign ? 1 << SA.lastSign : 0);
  l[S.arrays] = arrays;
  l[S.x0Shares] = x0Shares;
  l[S.x0CopyShares] = x0CopyShares;
  l[S.lastShares] = lastShares;
  // In SCAN_ARRAYS order; a shared operand's own arguments stay undefined.
  return fn(
    a.data,
    a.sign,
    b.data,
    b.sign,
    x.data,
    x.sign,
    x0Shares < 0 ? x0.data : undefined,
    x0Shares < 0 ? x0.sign : undefined,
    x0CopyShares < 0 ? x0Copy?.data : undefined,
    x0CopyShares < 0 ? x0Copy?.sign : undefined,
    lastShares < 0 ? last?.data : undefined,
    lastShares < 0 ? last?.sign : undefined,
  );
}

/** The argument index of the earlier operand whose arrays `op` shares, or -1. */
function sharedWith(op: NativeOperand, s: NativeScanSpec, afterX0: boolean): number {
  const same = (o: NativeOperand) => o.data === op.data && o.sign === op.sign;
  if (same(s.b)) return SA.b;
  if (same(s.x)) return SA.x;
  if (same(s.a)) return SA.a;
  if (afterX0 && same(s.x0)) return SA.x0;
  return -1;
}

function callAggregate<R>(fn: Call<R>, s: NativeAggregateSpec): R {
  const l = aggregateLayout;
  l[G.rows] = s.rows;
  l[G.n] = s.n;
  l[G.reverse] = s.reverse ? 1 : 0;
  l[G.threads] = s.threads;
  l[G.device] = s.device;
  l[G.aOffset] = s.a.offset;
  l[G.aStride] = s.a.stride;
  l[G.bOffset] = s.b.offset;
  l[G.bStride] = s.b.stride;
  l[G.outAOffset] = s.outA.offset;
  l[G.outBOffset] = s.outB.offset;
  // In AGGREGATE_ARRAYS order.
  return fn(s.a.data, s.b.data, s.outA.data, s.outB.data);
}

/**
 * Refuses a host array on a resizable ArrayBuffer for an async call: the binding can keep the
 * buffer alive but not its length, so a resize() while the work runs would leave it writing (or
 * reading) freed memory. A growable SharedArrayBuffer only grows in place, and is accepted.
 */
function notResizable(name: string, v: unknown): void {
  if (v !== undefined && ArrayBuffer.isView(v) && (v.buffer as { resizable?: boolean }).resizable === true) {
    throw typeError(
      'ERR_LINREC_INVALID_TYPE',
      `${name} is backed by a resizable ArrayBuffer, which an async call cannot pin (a resize while it runs would free its memory): use the sync call, or a copy (${name}.slice())`,
    );
  }
}

// The binding runs an async call's CPU work on the calling thread where it is at most 2^14 steps
// (rows·(n+1), a log step counting 8): native/cpu/cpu_engine.h, kInlineWork and kLogStepWork;
// the rule is cpu::isSmall (native/cpu/isa/dispatch.cc) as native/binding/scan.cc's runsInline
// applies it. This is a copy of that rule, which must stay in step with it: the wrappers decide
// by it alone before every async call (so that an inline call's promise is settled when returned,
// and only a call that leaves the thread has its buffers checked for resizability).
export const INLINE_WORK = 1 << 14;
const LOG_STEP_WORK = 8;
/** Whether an async call's work runs on the calling thread (its promise settled when returned). */
const runsInline = (device: number, rows: number, n: number, stepWork: number) => device < 0 && rows * (n + 1) * stepWork <= INLINE_WORK;

/**
 * Whether the binding would run an async call's work on the calling thread (its promise settled
 * when returned). The wrappers then make the sync call themselves and return a settled promise:
 * awaiting the binding's settled promise would hand theirs back pending (README, Guarantees,
 * *Small async calls*).
 */
export const scanRunsInline = (s: NativeScanSpec): boolean => runsInline(s.device, s.rows, s.n, s.method === METHOD_CODE.direct ? 1 : LOG_STEP_WORK);
export const aggregateRunsInline = (s: NativeAggregateSpec): boolean => runsInline(s.device, s.rows, s.n, 1);

/** An async scan's host arrays on resizable ArrayBuffers, refused by the names the API gives them. */
function refuseResizable(s: NativeScanSpec): void {
  if (scanRunsInline(s)) return;
  notResizable('coeffs', s.a.data);
  notResizable('coeffs.sign', s.a.sign);
  notResizable('values', s.b.data);
  notResizable('values.sign', s.b.sign);
  notResizable('options.out', s.x.data);
  notResizable('options.out.sign', s.x.sign);
}

function wrap(raw: RawAddon): NativeAddon {
  const mismatches = contractMismatches(raw.contract);
  if (mismatches.length) throw new Error(`it was built from other sources than src/addon.ts: ${mismatches.join('; ')}`);
  const { scan, scanHost32, scanHost64, scanAsync, aggregate, aggregateAsync, sequentialNative, decodeScanCall } = raw.bind(scanLayout, aggregateLayout);
  return {
    scan: (spec) => callScan(scan, spec),
    scanHost: (float64, a, b, x, rows, reverse, threads) => {
      // Only these slots are read by scanHost.
      const l = scanLayout;
      l[S.rows] = rows;
      l[S.reverse] = reverse ? 1 : 0;
      l[S.threads] = threads;
      return float64 ? scanHost64(a, b, x) : scanHost32(a, b, x);
    },
    scanAsync: (spec) => {
      refuseResizable(spec);
      return callScan(scanAsync, spec);
    },
    aggregate: (spec) => callAggregate(aggregate, spec),
    aggregateAsync: (spec) => {
      if (!aggregateRunsInline(spec)) {
        notResizable('coeffs', spec.a.data);
        notResizable('values', spec.b.data);
      }
      return callAggregate(aggregateAsync, spec);
    },
    sequentialNative: (spec) => callScan(sequentialNative, spec),
    decodeScanCall: (spec) => callScan(decodeScanCall, spec),
    info: () => raw.info(),
    deviceMemory: (device) => raw.deviceMemory(device),
    DeviceBuffer: raw.DeviceBuffer,
    firstInvalidSign: raw.firstInvalidSign,
    prepareFreshResult: raw.prepareFreshResult,
    keepFreedMemory: raw.keepFreedMemory,
  };
}

let loaded: NativeAddon | undefined;
let loadedFrom: AddonCandidate | undefined;

/** LINREC_CPU_ISA values the CPU engine's dispatch knows (native/cpu/isa/dispatch.cc); others are ignored there. */
const CPU_ISA_CAPS = ['x86-64', 'x86-64-v3', 'x86-64-v4'];

export function addon(): NativeAddon {
  if (loaded) return loaded;
  const cap = process.env.LINREC_CPU_ISA;
  if (cap !== undefined && !CPU_ISA_CAPS.includes(cap))
    process.emitWarning(
      `LINREC_CPU_ISA=${JSON.stringify(cap)} is not one of ${CPU_ISA_CAPS.join(', ')}: ignored, the best variant the processor runs is used`,
      {
        code: 'LINREC_ENV',
      },
    );
  const failures: string[] = [];
  // The prebuilt packages that are not installed are candidates too: say so first.
  if (!process.env.LINREC_ADDON && process.env.LINREC_PREBUILT !== '0')
    for (const name of platformPackages()) if (!resolvePackageFile(name)) failures.push(`  ${name} (the prebuilt addon for this platform): not installed`);
  for (const candidate of addonCandidates()) {
    try {
      loaded = wrap(require(candidate.file) as RawAddon);
      loadedFrom = candidate;
      return loaded;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const what = candidate.package
        ? `${candidate.package} (${candidate.file})`
        : candidate.kind === 'env'
          ? `LINREC_ADDON=${candidate.file}`
          : candidate.file;
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
  if (process.env.LINREC_ADDON) {
    // LINREC_ADDON is the only place tried: reinstalling cannot help while it is set.
    const installed = platformPackages().filter((name) => resolvePackageFile(name));
    throw plainError(
      'ERR_LINREC_LOAD',
      [
        'linrec: could not load the native addon that LINREC_ADDON names (no other place is tried while it is set):',
        ...failures,
        'Possible fixes:',
        `  - unset LINREC_ADDON to load ${installed.length ? `the installed ${installed[0]}` : "the package's own addon"};`,
        '  - point LINREC_ADDON at a built linrec.node (a path from the working directory, or absolute).',
      ].join('\n'),
    );
  }
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
