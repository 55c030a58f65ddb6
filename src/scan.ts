// scan, logScan and aggregate: validate, lay the job out for the engines, run it.
import { addon, aggregateRunsInline, INLINE_WORK, METHOD_CODE, scanRunsInline, type NativeAggregateSpec, type NativeScanSpec } from './addon';
import { chooseDevice, threadsOption, type Device } from './backends';
import { holdingDevices, type DeviceArray } from './device-array';
import { restack, withStack } from './errors';
import {
  aliasNamed,
  allocLike,
  allocSigns,
  checkedOut,
  deviceIndexOf,
  floatData,
  logInput,
  namedLogOperands,
  operand,
  sameResidency,
  type Data,
  type Signs,
  type SignedLogArray,
  type LogInput,
} from './operands';
import { quickScan, readScanOptions, scanOptionValues } from './small-scan';
// A plain require: `import * as` would wrap every export in a getter (esModuleInterop), and
// each call would pay for it (measured: a tenth of a small scan's time).
import v = require('./validate');
import type { FloatArray } from './validate';
import type { OnAnyBuffer } from './dtype';

export type Method = 'direct' | 'log';
export type { SignsOf, SignedLogArray, LogInput } from './operands';

export interface ScanOptions<F> {
  /** Number of sequences stored back to back (row-major). Default 1. */
  rows?: number;
  /** Scan from the end: x_n = values[n], x_t = coeffs[t]·x_{t+1} + values[t]. */
  reverse?: boolean;
  /** 'direct' (default): affine pairs; 'log': through the signed-log scan. */
  method?: Method;
  device?: Device;
  /** Write the result here (length rows·(n+1)); may be `values` itself. */
  out?: F | OnAnyBuffer<F>;
  /** CPU worker threads (default: all cores). */
  threads?: number;
}

/** A DeviceArray of floats (int8 DeviceArrays hold signs only). */
export type FloatDeviceArray = DeviceArray<'float32' | 'float64'>;

export interface LogScanOptions<F> {
  rows?: number;
  reverse?: boolean;
  device?: Device;
  out?: SignedLogArray<F> | SignedLogArray<OnAnyBuffer<F>>;
  threads?: number;
}

export interface AggregateOptions {
  rows?: number;
  reverse?: boolean;
  device?: Device;
  threads?: number;
}

interface Plan<R> {
  spec: NativeScanSpec;
  result: R;
  onDevice: boolean;
  /** Throws the named ERR_LINREC_ALIAS error when the binding refused an overlap (refuseAlias). */
  nameAlias?: () => void;
}

/** Runs the plan's native call; an overlap the binding refused is reported with the names. */
function runSync(plan: Plan<unknown>): void {
  try {
    addon().scan(plan.spec);
  } catch (e) {
    throw aliasNamed(plan, e);
  }
}

/**
 * The (coeffs, values) pair every raw entry point takes: same float type, same residency,
 * `rows` rows of n coefficients each, and `valuesPerRow(n)` values per row.
 */
function rawPair(coeffs: unknown, values: unknown, rowsOption: unknown, valuesPerRow: (n: number) => number, layout: (rows: number, n: number) => string) {
  const a = floatData('coeffs', coeffs);
  const b = floatData('values', values);
  // Each array's type is read once (a tag check is a fair share of a small call).
  const dtype = v.dtypeOf(a);
  if (v.dtypeOf(b) !== dtype) v.sameDType('values', b, a, 'coeffs');
  const onDevice =
    !ArrayBuffer.isView(a) || !ArrayBuffer.isView(b)
      ? sameResidency([
          ['coeffs', a],
          ['values', b],
        ])
      : false;
  const rows = v.positiveInteger('options.rows', rowsOption, 1);
  const n = v.rowLength('coeffs', a.length, rows, 0);
  v.exactLength('values', b.length, rows * valuesPerRow(n), () => layout(rows, n));
  return { a, b, dtype, onDevice, rows, n };
}

const SCAN_OPTIONS = ['rows', 'reverse', 'method', 'device', 'out', 'threads'] as const;
const METHODS = ['direct', 'log'] as const;

function planScan<F extends FloatArray>(coeffs: unknown, values: unknown, options: unknown): Plan<F> {
  v.options<ScanOptions<F>>('options', options, SCAN_OPTIONS);
  // Read as the quick path reads them (readScanOptions), copied: nothing below may see another call's.
  let o: ScanOptions<F> = {};
  if (options !== undefined) {
    readScanOptions(options as object);
    o = { ...(scanOptionValues as ScanOptions<F>) };
  }
  const { a, b, dtype, onDevice, rows, n } = rawPair(
    coeffs,
    values,
    o.rows,
    (k) => k + 1,
    (r, k) => `rows·(n+1) = ${r}·${k + 1}: x_0 then b_1..b_n per row`,
  );
  const reverse = v.boolean('options.reverse', o.reverse, false);
  const method = v.oneOf<Method>('options.method', o.method, METHODS, 'direct');
  const threads = threadsOption(o.threads);
  let out: Data;
  let nameAlias: (() => void) | undefined;
  if (o.out !== undefined) {
    ({ x: out, nameAlias } = checkedOut(o.out, {
      log: false,
      checkDType: (name, x) => {
        if (v.dtypeOf(x) !== dtype) v.sameDType(name, x, a, 'coeffs');
      },
      like: ['coeffs', a],
      length: rows * (n + 1),
      lengthOf: 'the length of values',
      onDevice,
      inputs: [
        ['coeffs', a],
        ['values', b],
      ],
      inPlace: { logAbs: b },
    }));
  } else out = allocLike(a, rows * (n + 1), threads);
  const device = chooseDevice(o.device, rows * n, deviceIndexOf(a));
  const stride = n + 1;
  const spec: NativeScanSpec = {
    method: method === 'log' ? METHOD_CODE.logFromRaw : METHOD_CODE.direct,
    rows,
    n,
    reverse,
    threads,
    device,
    a: operand(a, 0, n),
    b: operand(b, reverse ? 0 : 1, stride),
    x: operand(out, reverse ? 0 : 1, stride),
    x0: operand(b, reverse ? n : 0, stride),
    x0Copy: operand(out, reverse ? n : 0, stride),
    refuseAlias: nameAlias !== undefined,
  };
  return { spec, result: out as F, onDevice, nameAlias };
}

/**
 * x_t = a_t·x_{t-1} + b_t for every row. Per row, `coeffs` holds a_1..a_n and `values` holds
 * x_0, b_1..b_n; the result holds x_0..x_n. Computed in the inputs' precision.
 */
export function scan<F extends FloatArray | FloatDeviceArray>(coeffs: F, values: F, options?: ScanOptions<F>): F {
  // Valid host calls on the CPU: a few steps in JS, others through the binding's lean entry
  // (src/small-scan.ts; the engine's bits either way).
  const quick = quickScan(coeffs, values, options);
  if (quick !== undefined) return quick as F;
  return withStack(() => {
    const plan = planScan(coeffs, values, options);
    runSync(plan);
    return plan.result as unknown as F;
  });
}

/** scan() off the main thread (calls of at most INLINE_WORK steps run on it: the hop costs more). */
export async function scanAsync<F extends FloatArray | FloatDeviceArray>(coeffs: F, values: F, options?: ScanOptions<F>): Promise<F> {
  // Work the binding would run on this thread anyway (native/cpu/cpu_engine.h, kInlineWork):
  // the quick paths, as scan.
  const quick = quickScan(coeffs, values, options, INLINE_WORK);
  if (quick !== undefined) return quick as F;
  const plan = planScan(coeffs, values, options);
  // Work the binding runs on this thread: run here, no await (the promise is settled when returned).
  if (scanRunsInline(plan.spec)) return runInline(plan) as F;
  await runAsync(plan, [coeffs, values, plan.result]);
  return plan.result as unknown as F;
}

/**
 * The sync call, for an async call whose work the binding would run on the calling thread anyway
 * (the same engine call, the same bits): called from an async function without an await, so its
 * promise is settled when returned (an error is its rejection).
 */
function runInline<R>(plan: Plan<R>): R {
  try {
    runSync(plan);
  } catch (e) {
    throw restack(e);
  }
  return plan.result;
}

/** The native async call; DeviceArrays among `operands` are held (not disposable) meanwhile. */
async function runAsync(plan: Plan<unknown>, operands: unknown[]): Promise<void> {
  const run = () => addon().scanAsync(plan.spec);
  try {
    await (plan.onDevice ? holdingDevices(operands, run) : run());
  } catch (e) {
    throw restack(aliasNamed(plan, e));
  }
}

// ---------------------------------------------------------------------------------------------

const LOG_SCAN_OPTIONS = ['rows', 'reverse', 'device', 'out', 'threads'] as const;

function planLogScan<F extends FloatArray>(logCoeffs: unknown, logValues: unknown, options: unknown): Plan<SignedLogArray<F>> {
  const o = v.options<LogScanOptions<F>>('options', options, LOG_SCAN_OPTIONS);
  const a = logInput('logCoeffs', logCoeffs);
  const b = logInput('logValues', logValues);
  v.sameDType('logValues', b.logAbs, a.logAbs, 'logCoeffs');
  const named = namedLogOperands('logCoeffs', a, 'logValues', b);
  const onDevice = sameResidency(named);
  const rows = v.positiveInteger('options.rows', o.rows, 1);
  const n = v.rowLength('logCoeffs', a.logAbs.length, rows, 0);
  v.exactLength('logValues', b.logAbs.length, rows * (n + 1), `rows·(n+1) = ${rows}·${n + 1}: log x_0 then log b_1..b_n per row`);
  const reverse = v.boolean('options.reverse', o.reverse, false);
  const threads = threadsOption(o.threads);
  let out: { logAbs: Data; sign: Signs };
  let nameAlias: (() => void) | undefined;
  if (o.out !== undefined) {
    const given = checkedOut(o.out, {
      log: true,
      checkDType: (name, x) => v.sameDType(name, x, a.logAbs, 'logCoeffs'),
      like: ['logCoeffs', a.logAbs],
      length: rows * (n + 1),
      lengthOf: 'the length of logValues',
      onDevice,
      inputs: named,
      inPlace: b,
    });
    out = { logAbs: given.x, sign: given.xSign as Signs };
    nameAlias = given.nameAlias;
  } else {
    out = { logAbs: allocLike(a.logAbs, rows * (n + 1), threads), sign: allocSigns(a.logAbs, rows * (n + 1), threads) };
  }
  const device = chooseDevice(o.device, rows * n, deviceIndexOf(a.logAbs));
  const stride = n + 1;
  const spec: NativeScanSpec = {
    method: METHOD_CODE.logFromLog,
    rows,
    n,
    reverse,
    threads,
    device,
    a: operand(a.logAbs, 0, n, a.sign),
    b: operand(b.logAbs, reverse ? 0 : 1, stride, b.sign),
    x: operand(out.logAbs, reverse ? 0 : 1, stride, out.sign),
    x0: operand(b.logAbs, reverse ? n : 0, stride, b.sign),
    x0Copy: operand(out.logAbs, reverse ? n : 0, stride, out.sign),
    refuseAlias: nameAlias !== undefined,
  };
  // The caller's own out object comes back, as with scan's out.
  return { spec, result: (o.out ?? out) as SignedLogArray<F>, onDevice, nameAlias };
}

/**
 * The scan in log space: inputs are log|a_t| and log|x_0|, log|b_t| (with signs when any is
 * negative); the result is log|x_t| and its sign. Never overflows where x would.
 */
export function logScan<F extends FloatArray | FloatDeviceArray>(
  logCoeffs: LogInput<F>,
  logValues: LogInput<F>,
  options?: LogScanOptions<F>,
): SignedLogArray<F> {
  return withStack(() => {
    const plan = planLogScan(logCoeffs, logValues, options);
    runSync(plan);
    return plan.result as unknown as SignedLogArray<F>;
  });
}

export async function logScanAsync<F extends FloatArray | FloatDeviceArray>(
  logCoeffs: LogInput<F>,
  logValues: LogInput<F>,
  options?: LogScanOptions<F>,
): Promise<SignedLogArray<F>> {
  const plan = planLogScan(logCoeffs, logValues, options);
  if (scanRunsInline(plan.spec)) return runInline(plan) as unknown as SignedLogArray<F>;
  await runAsync(plan, [logCoeffs, logValues, plan.result]);
  return plan.result as unknown as SignedLogArray<F>;
}

// ---------------------------------------------------------------------------------------------

const AGGREGATE_OPTIONS = ['rows', 'reverse', 'device', 'threads'] as const;

function planAggregate<F extends FloatArray>(coeffs: unknown, values: unknown, options: unknown): { spec: NativeAggregateSpec; result: { A: F; B: F } } {
  const o = v.options<AggregateOptions>('options', options, AGGREGATE_OPTIONS);
  const {
    a,
    b,
    rows,
    n: m,
  } = rawPair(
    coeffs,
    values,
    o.rows,
    (k) => k,
    (r, k) => `rows·m = ${r}·${k}: b only, no x_0`,
  );
  const reverse = v.boolean('options.reverse', o.reverse, false);
  const threads = threadsOption(o.threads);
  const device = chooseDevice(o.device, rows * m, deviceIndexOf(a));
  const A = allocLike(a, rows);
  const B = allocLike(a, rows);
  const spec: NativeAggregateSpec = {
    rows,
    n: m,
    reverse,
    threads,
    device,
    a: operand(a, 0, m),
    b: operand(b, 0, m),
    outA: operand(A, 0, 1),
    outB: operand(B, 0, 1),
  };
  return { spec, result: { A: A as F, B: B as F } };
}

/**
 * A is the product of the coefficients: NaN where one is NaN. The engines take a NaN product as
 * 0·∞ (a reset meeting an infinite coefficient, after which x_start no longer counts: A = 0),
 * which a NaN coefficient also gives them; such a row's B is NaN, so only rows with a NaN B
 * are looked at (a DeviceArray's coefficients are downloaded for those alone).
 */
function nanCoefficients(a: unknown, plan: { spec: NativeAggregateSpec; result: { A: unknown; B: unknown } }): void {
  const { rows, n } = plan.spec;
  const { A, B } = plan.result as { A: FloatArray | DeviceArray; B: FloatArray | DeviceArray };
  const hostB = ArrayBuffer.isView(B) ? B : (B.toHost() as FloatArray);
  let hostA: FloatArray | undefined;
  let coeffs: FloatArray | undefined;
  for (let r = 0; r < rows; r++) {
    if (!Number.isNaN(hostB[r])) continue;
    hostA ??= ArrayBuffer.isView(A) ? A : (A.toHost() as FloatArray);
    if (Number.isNaN(hostA[r])) continue;
    coeffs ??= ArrayBuffer.isView(a) ? (a as FloatArray) : ((a as DeviceArray).toHost() as FloatArray);
    for (let i = r * n; i < (r + 1) * n; i++) {
      if (Number.isNaN(coeffs[i])) {
        hostA[r] = NaN;
        break;
      }
    }
  }
  if (hostA && !ArrayBuffer.isView(A)) A.buffer.upload(hostA);
}

/**
 * The composed affine map of each row's steps, x_end = A·x_start + B, for segments laid out as
 * Scanner.push takes them (values without x_0). Lets a caller split one scan across machines.
 */
export function aggregate<F extends FloatArray | FloatDeviceArray>(coeffs: F, values: F, options?: AggregateOptions): { A: F; B: F } {
  return withStack(() => {
    const plan = planAggregate(coeffs, values, options);
    addon().aggregate(plan.spec);
    nanCoefficients(coeffs, plan);
    return plan.result as unknown as { A: F; B: F };
  });
}

export async function aggregateAsync<F extends FloatArray | FloatDeviceArray>(coeffs: F, values: F, options?: AggregateOptions): Promise<{ A: F; B: F }> {
  const plan = planAggregate(coeffs, values, options);
  if (aggregateRunsInline(plan.spec)) {
    // As scanAsync: run here, no await (the promise is settled when returned).
    try {
      addon().aggregate(plan.spec);
    } catch (e) {
      throw restack(e);
    }
  } else {
    await holdingDevices([coeffs, values, plan.result.A, plan.result.B], () => addon().aggregateAsync(plan.spec)).catch((e) => Promise.reject(restack(e)));
  }
  nanCoefficients(coeffs, plan);
  return plan.result as unknown as { A: F; B: F };
}
