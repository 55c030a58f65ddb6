// Chunked computation: push a long sequence piece by piece; the carried state is the last x
// (or log|x| and its sign with `log: true`, as the seed advises), so any chunking gives the
// one-shot result.
import { addon, METHOD_CODE, scanRunsInline, type NativeScanSpec } from './addon';
import { chooseDevice, deviceOption, threadsOption, type Device } from './backends';
import { DeviceArray, disposeSymbol, holdingDevices } from './device-array';
import { expected, plainError, rangeError, restack, typeError, withStack } from './errors';
import { smallPush } from './small-scan';
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
  type LogInput,
  type NamedOperands,
  type SignedLogArray,
} from './operands';
import type { Method } from './scan';
// A plain require: `import * as` would wrap every export in a getter (esModuleInterop), and
// each call would pay for it (measured: a tenth of a small scan's time).
import v = require('./validate');
import type { DType, FloatArray } from './validate';

export type InitialValue = number | ArrayLike<number> | { logAbs: number | ArrayLike<number>; sign?: number | ArrayLike<number> };

export interface ScannerOptions {
  rows?: number;
  method?: Method;
  device?: Device;
  dtype?: DType;
  /** x_0 per row: a number for all rows or one per row (default 0); with log, also { logAbs, sign }. */
  initial?: InitialValue;
  /** Push and return log|x| and sign; the carried state is log|x| and its sign. */
  log?: boolean;
  /** Chunks arrive from the end of the sequence: each push is the segment before the last one. */
  reverse?: boolean;
  threads?: number;
}

const SCANNER_OPTIONS = ['rows', 'method', 'device', 'dtype', 'initial', 'log', 'reverse', 'threads'] as const;

/** Options of push and pushAsync. */
export interface PushOptions<O> {
  /** Where the results go (rows·m, as values; values itself for in place): no allocation. */
  out?: O;
}
const PUSH_OPTIONS = ['out'] as const;
export const SCANNER_OPTION_NAMES: readonly string[] = SCANNER_OPTIONS;

type Data = FloatArray | DeviceArray;
/** x_0 per row as a Scanner keeps it: the value, log|x| and sign, and (method 'log') whether it is beyond the dtype. */
interface InitialState {
  raw: Float64Array;
  log: Float64Array;
  sign: Int8Array;
  outside: Uint8Array;
}
const nothing = () => {};

function perRow(name: string, value: unknown, rows: number): number[] {
  if (typeof value === 'number') return new Array(rows).fill(value);
  if (value !== null && typeof value === 'object' && typeof (value as ArrayLike<number>).length === 'number') {
    const arr = value as ArrayLike<unknown>;
    v.exactLength(name, arr.length, rows, 'one per row');
    return Array.from(arr, (x, i) => {
      if (typeof x !== 'number') throw typeError('ERR_LINREC_INVALID_TYPE', expected(`${name}[${i}]`, 'a number', x));
      return x;
    });
  }
  throw typeError('ERR_LINREC_INVALID_TYPE', expected(name, 'a number or an array of numbers (one per row)', value));
}

const MIN_NORMAL: Record<DType, number> = { float32: 2 ** -126, float64: 2 ** -1022 };

/**
 * Whether x (with log|x| = logAbs, which says whether the value itself is finite and nonzero) is
 * beyond the dtype's normal range: its value in the dtype is ±Infinity, 0 or a subnormal.
 */
function beyond(x: number, logAbs: number, dtype: DType): boolean {
  if (!Number.isFinite(logAbs)) return false; // 0, ±Infinity or NaN: the dtype has them
  const d = Math.abs(dtype === 'float32' ? Math.fround(x) : x);
  return !(d >= MIN_NORMAL[dtype] && d !== Infinity);
}

/** A host array of a push's data (a DeviceArray's copy). */
const onHost = (d: Data): FloatArray => (ArrayBuffer.isView(d) ? d : (d.toHost() as FloatArray));

/** log|v| and sign of d[from..from+count) into to's arrays at `at`, in float64 (as logScan takes them). */
function toLogs(d: FloatArray, from: number, count: number, to: { logAbs: Float64Array; sign: Int8Array }, at: number): void {
  for (let i = 0; i < count; i++) {
    const x = d[from + i];
    to.logAbs[at + i] = Math.log(Math.abs(x));
    to.sign[at + i] = x < 0 ? -1 : 1;
  }
}

interface LogsPlan {
  spec: NativeScanSpec;
  x: Float64Array;
  xSign: Int8Array;
  last: Float64Array;
  lastSign: Int8Array;
}

/** Whether push's options are exactly { out: values } (the quick path's one case of a given out). */
function inPlaceOnly(options: unknown, values: unknown): boolean {
  if (options === null || typeof options !== 'object' || Object.getPrototypeOf(options) !== Object.prototype) return false;
  const keys = Object.keys(options);
  return keys.length === 1 && keys[0] === 'out' && (options as { out?: unknown }).out === values;
}

/**
 * A push that its caller may drop while it runs (the streams, when destroyed with a chunk in
 * flight): `committed` once its result is in the carried state; `abandoned` once dropped.
 */
export interface Flight {
  committed: boolean;
  abandoned: boolean;
  restore?: () => void;
}

// Set by Scanner's static block (it reaches the private #pushAsync).
let pushInFlight: (scanner: Scanner, coeffs: unknown, values: unknown, flight: Flight) => Promise<unknown>;

const abandoned = () => plainError('ERR_LINREC_INTERNAL', 'the push was dropped while it ran (its stream was destroyed)');
const isThenable = (r: unknown): r is PromiseLike<unknown> => typeof (r as { then?: unknown } | undefined)?.then === 'function';

/** What #plan returns: the native spec, the result, and what to do after and at the end. */
interface PushPlan {
  spec: NativeScanSpec;
  result: Data | SignedLogArray<Data>;
  onDevice: boolean;
  after: () => void;
  release: () => void;
  nameAlias?: () => void;
  a: Data;
  b: Data;
  x: Data;
}

/** The host array type a Scanner whose pushes return R takes: its dtype's array. */
export type HostArrayOf<R> = R extends SignedLogArray<infer F> ? F : R;
/** What push takes: host arrays of the Scanner's dtype, or DeviceArrays (plain or in log form). */
export type ScannerInput<R> = HostArrayOf<R> | DeviceArray | LogInput<HostArrayOf<R>> | LogInput<DeviceArray>;

/**
 * R is what push returns for host arrays: Float32Array or Float64Array (the dtype), or
 * { logAbs, sign } with `log: true`. DeviceArray pushes return DeviceArrays.
 */
export class Scanner<R extends FloatArray | SignedLogArray = FloatArray | SignedLogArray> {
  readonly rows: number;
  readonly dtype: DType;
  readonly method: Method;
  readonly log: boolean;
  readonly reverse: boolean;
  #device: unknown;
  #threads: number;
  #initial: InitialState;
  #state: FloatArray;
  #stateSign: Int8Array;
  // Method 'log' without `log`: the carried state in extended range. Where a row's x left the
  // dtype's normal range (#outside), #state holds x in the dtype (±Infinity, 0 or a subnormal) and
  // the value itself is log|x| (#extLog, float64) and its sign (#extSign); pushes from such a state
  // run in float64 logs (#pushFromLogs), so any chunking gives the one-shot result up to rounding.
  readonly #wide: boolean;
  #extLog: Float64Array;
  #extSign: Int8Array;
  #outside: Uint8Array;
  #busy = false;
  #disposed = false;

  constructor(options?: ScannerOptions) {
    const o = v.options<ScannerOptions>('options', options, SCANNER_OPTIONS);
    this.rows = v.positiveInteger('options.rows', o.rows, 1);
    this.dtype = v.oneOf<DType>('options.dtype', o.dtype, ['float32', 'float64'], 'float32');
    this.log = v.boolean('options.log', o.log, false);
    this.method = v.oneOf<Method>('options.method', o.method, ['direct', 'log'], this.log ? 'log' : 'direct');
    if (this.log && this.method !== 'log') throw typeError('ERR_LINREC_INVALID_VALUE', "options.log needs method 'log' (or no method)");
    this.reverse = v.boolean('options.reverse', o.reverse, false);
    this.#threads = threadsOption(o.threads);
    deviceOption('options.device', o.device); // checked now: a CUDA device must exist
    this.#device = o.device;
    this.#wide = this.method === 'log' && !this.log;
    this.#initial = this.#initialState(o.initial ?? 0, 'options.initial');
    this.#state = this.dtype === 'float64' ? new Float64Array(this.rows) : new Float32Array(this.rows);
    this.#stateSign = new Int8Array(this.rows);
    this.#extLog = new Float64Array(this.rows);
    this.#extSign = new Int8Array(this.rows);
    this.#outside = new Uint8Array(this.rows);
    this.reset();
  }

  /**
   * Back to the initial state (options.initial), or to `initial` where given (the same forms as
   * options.initial: numbers are values of x, also with `log`; log|x| goes as { logAbs, sign }).
   */
  reset(initial?: InitialValue): void {
    this.#check('reset');
    const from = initial === undefined ? this.#initial : this.#initialState(initial, 'initial');
    for (let r = 0; r < this.rows; r++) {
      this.#state[r] = this.log ? from.log[r] : from.raw[r];
      this.#stateSign[r] = from.sign[r];
      this.#extLog[r] = from.log[r];
      this.#extSign[r] = from.sign[r];
      this.#outside[r] = from.outside[r];
    }
  }

  /** x_0 per row as given (`name` in errors): raw numbers, or (with log) log|x| and sign. */
  #initialState(init: unknown, name: string): InitialState {
    const st: InitialState = {
      raw: new Float64Array(this.rows),
      log: new Float64Array(this.rows),
      sign: new Int8Array(this.rows).fill(1),
      outside: new Uint8Array(this.rows),
    };
    if (init !== null && typeof init === 'object' && 'logAbs' in init) {
      if (this.method !== 'log') throw typeError('ERR_LINREC_INVALID_TYPE', `${name} as { logAbs, sign } needs method 'log' (or options.log: true)`);
      const { logAbs, sign } = init as { logAbs: unknown; sign?: unknown };
      const logs = perRow(`${name}.logAbs`, logAbs, this.rows);
      const signs = sign === undefined ? new Array(this.rows).fill(1) : perRow(`${name}.sign`, sign, this.rows);
      signs.forEach((s, r) => {
        // As logScan's signs: +1 or -1, nothing else.
        if (s !== 1 && s !== -1) throw rangeError('ERR_LINREC_INVALID_VALUE', expected(`${name}.sign[${r}]`, '+1 or -1', s));
      });
      logs.forEach((l, r) => {
        st.log[r] = l;
        st.sign[r] = signs[r];
        // Method 'log' without log: x_0 in the dtype, and the log form where it is beyond it.
        st.raw[r] = signs[r] * Math.exp(l);
        st.outside[r] = this.#wide && beyond(st.raw[r], l, this.dtype) ? 1 : 0;
      });
    } else {
      perRow(name, init, this.rows).forEach((x, r) => {
        st.raw[r] = x;
        st.log[r] = Math.log(Math.abs(x));
        st.sign[r] = x < 0 ? -1 : 1;
        if (Number.isNaN(x)) st.log[r] = NaN;
        // Method 'log' keeps a number beyond the dtype's range as it is (a float64 carry).
        st.outside[r] = this.#wide && beyond(x, st.log[r], this.dtype) ? 1 : 0;
      });
    }
    return st;
  }

  /**
   * The carried value per row: x of the last step pushed (log|x| and sign with `log`). With
   * method 'log' without `log`, x in the dtype: ±Infinity or 0 (or a subnormal) where x has left
   * its range, while the Scanner carries the value itself (see logState).
   */
  get state(): R {
    this.#check('read state');
    const copy = this.#state.slice();
    return (this.log ? { logAbs: copy, sign: this.#stateSign.slice() } : copy) as R;
  }

  /**
   * The carried value per row in log form, { logAbs, sign } as Float64Array and Int8Array,
   * in the range the log method keeps (method 'log'; a Scanner created with
   * `initial: scanner.logState` continues from it). With `log: true`, state's values as float64.
   */
  get logState(): SignedLogArray<Float64Array> {
    this.#check('read logState');
    if (this.method !== 'log') throw plainError('ERR_LINREC_INVALID_VALUE', "logState needs method 'log'");
    return this.#logStateOf();
  }

  #logStateOf(): SignedLogArray<Float64Array> {
    if (this.log) return { logAbs: Float64Array.from(this.#state), sign: this.#stateSign.slice() };
    const logAbs = new Float64Array(this.rows);
    const sign = new Int8Array(this.rows);
    for (let r = 0; r < this.rows; r++) {
      if (this.#outside[r]) {
        logAbs[r] = this.#extLog[r];
        sign[r] = this.#extSign[r];
      } else {
        const x = this.#state[r];
        logAbs[r] = Number.isNaN(x) ? NaN : Math.log(Math.abs(x));
        sign[r] = x < 0 || Object.is(x, -0) ? -1 : 1;
      }
    }
    return { logAbs, sign };
  }

  /** Scans m more steps per row (coeffs and values both rows·m long, values without x_0). */
  push(
    coeffs: DeviceArray | LogInput<DeviceArray>,
    values: DeviceArray | LogInput<DeviceArray>,
    options?: PushOptions<DeviceArray | SignedLogArray<DeviceArray>>,
  ): DeviceArray | SignedLogArray<DeviceArray>;
  push(coeffs: HostArrayOf<R> | LogInput<HostArrayOf<R>>, values: HostArrayOf<R> | LogInput<HostArrayOf<R>>, options?: PushOptions<R>): R;
  push(
    coeffs: ScannerInput<R>,
    values: ScannerInput<R>,
    options?: PushOptions<R | DeviceArray | SignedLogArray<DeviceArray>>,
  ): R | DeviceArray | SignedLogArray<DeviceArray>;
  push(coeffs: Data | LogInput<Data>, values: Data | LogInput<Data>, options?: PushOptions<unknown>): Data | SignedLogArray<Data> {
    // A few steps cost less in JS than the native call (src/small-scan.ts; same bits). A given
    // out takes it only in place (out === values: no overlap to check).
    if (!this.log && this.method === 'direct' && !this.#busy && !this.#disposed && (options === undefined || inPlaceOnly(options, values))) {
      const small = smallPush(coeffs, values, this.#state, this.rows, this.reverse, this.#device, options === undefined ? undefined : values);
      if (small !== undefined) return small;
    }
    if (this.#wide) return withStack(() => this.#widePush(coeffs, values, options, (spec) => addon().scan(spec)) as Data);
    return withStack(() => this.#runSync(this.#plan(coeffs, values, options)));
  }

  #runSync(plan: PushPlan): Data | SignedLogArray<Data> {
    this.#busy = true;
    try {
      try {
        addon().scan(plan.spec);
      } catch (e) {
        throw aliasNamed(plan, e);
      }
      plan.after();
    } finally {
      plan.release();
      this.#busy = false;
    }
    return plan.result;
  }

  /** push() off the main thread. One at a time: await each before the next. */
  pushAsync(
    coeffs: DeviceArray | LogInput<DeviceArray>,
    values: DeviceArray | LogInput<DeviceArray>,
    options?: PushOptions<DeviceArray | SignedLogArray<DeviceArray>>,
  ): Promise<DeviceArray | SignedLogArray<DeviceArray>>;
  pushAsync(coeffs: HostArrayOf<R> | LogInput<HostArrayOf<R>>, values: HostArrayOf<R> | LogInput<HostArrayOf<R>>, options?: PushOptions<R>): Promise<R>;
  pushAsync(
    coeffs: ScannerInput<R>,
    values: ScannerInput<R>,
    options?: PushOptions<R | DeviceArray | SignedLogArray<DeviceArray>>,
  ): Promise<R | DeviceArray | SignedLogArray<DeviceArray>>;
  pushAsync(coeffs: Data | LogInput<Data>, values: Data | LogInput<Data>, options?: PushOptions<unknown>): Promise<Data | SignedLogArray<Data>> {
    return this.#pushAsync(coeffs, values, options, undefined);
  }

  /**
   * pushAsync; `flight`, where given (the streams' pushes), lets the caller drop the push while it
   * runs (pushDroppable). Work the binding runs on the calling thread anyway is run here by the
   * sync call, without an await: the promise is settled when returned, and the Scanner is not
   * busy after it (README, Guarantees, *Small async calls*).
   */
  async #pushAsync(coeffs: unknown, values: unknown, options: unknown, flight: Flight | undefined): Promise<Data | SignedLogArray<Data>> {
    if (this.#wide) {
      try {
        // DeviceArrays are held (not disposable) while the engine uses them, as below.
        const r = this.#widePush(
          coeffs,
          values,
          options,
          (spec, hold) => {
            if (scanRunsInline(spec)) return addon().scan(spec);
            return hold ? holdingDevices(hold, () => addon().scanAsync(spec)) : addon().scanAsync(spec);
          },
          flight,
        );
        // Not awaited where it ran here: the promise stays settled when returned.
        if (!isThenable(r)) return this.#committed(r, flight);
        return await r;
      } catch (e) {
        throw restack(e);
      }
    }
    const plan = this.#plan(coeffs, values, options);
    if (scanRunsInline(plan.spec)) {
      try {
        return this.#committed(this.#runSync(plan), flight);
      } catch (e) {
        throw restack(e);
      }
    }
    this.#busy = true;
    if (flight) this.#takeOff(flight);
    try {
      const run = () => addon().scanAsync(plan.spec);
      try {
        // The binding refuses an overlap synchronously, before any promise: caught here too.
        await (plan.onDevice ? holdingDevices([coeffs, values, plan.result], run) : run());
      } catch (e) {
        if (flight?.abandoned) throw abandoned();
        throw restack(aliasNamed(plan, e));
      }
      if (flight?.abandoned) throw abandoned();
      plan.after();
      if (flight) flight.committed = true;
    } finally {
      plan.release();
      if (!flight?.abandoned) this.#busy = false;
    }
    return plan.result;
  }

  /** A push that ran on this thread is in the state at once: its flight cannot be dropped. */
  #committed<T>(result: T, flight: Flight | undefined): T {
    if (flight) flight.committed = true;
    return result;
  }

  /**
   * The carried state before a push that may be dropped (its abandon() puts it back). `state` and
   * `outside`: copies of #state and #outside taken for the push already (#widePush's, which only
   * reads them), kept instead of copying again.
   */
  #takeOff(flight: Flight, state = this.#state.slice(), outside = this.#outside.slice()): void {
    const saved = {
      state,
      stateSign: this.#stateSign.slice(),
      extLog: this.#extLog.slice(),
      extSign: this.#extSign.slice(),
      outside,
    };
    flight.restore = () => {
      // New arrays: the engine may still be writing into the ones it was given.
      this.#state = saved.state;
      this.#stateSign = saved.stateSign;
      this.#extLog = saved.extLog;
      this.#extSign = saved.extSign;
      this.#outside = saved.outside;
      this.#busy = false;
    };
  }

  /**
   * A push with method 'log' without `log` (sync where `run` returns nothing, else a promise).
   * The engine's log method runs every row from its x, as before. Rows whose state was beyond the
   * dtype's range (their x there is ±Infinity, 0 or a subnormal), and rows whose last x left it,
   * are then run again in float64 logs (logScan's engine) from their state in log form: the
   * former for their x (converted to the dtype) and last x, the latter for their last x alone.
   */
  #widePush(
    coeffs: unknown,
    values: unknown,
    options: unknown,
    run: (spec: NativeScanSpec, hold?: unknown[]) => void | Promise<void>,
    flight?: Flight,
  ): Data | Promise<Data> {
    const plan = this.#plan(coeffs, values, options);
    const rows = this.rows;
    const m = plan.a.length / rows;
    const start = this.#state.slice();
    const startOutside = this.#outside.slice();
    // In place (out === values), the engine writes over b: a rerun reads it as it was.
    const bBefore = plan.x === plan.b ? onHost(plan.b).slice() : undefined;
    this.#busy = true;
    let settled = true;
    const finish = () => {
      plan.release();
      if (!flight?.abandoned) this.#busy = false;
    };
    try {
      const named = (e: unknown) => aliasNamed(plan, e);
      // After the engine: which rows to run again in logs, and their run (undefined: none).
      const again = (): { picked: number[]; logs: LogsPlan; r: void | Promise<void> } | undefined => {
        plan.after();
        const picked = this.#rerunRows(start, startOutside, bBefore ?? plan.b, m);
        if (picked.length === 0) return undefined;
        const logs = this.#logsPlan(picked, plan.a, bBefore ?? plan.b, m, start, startOutside);
        let r: void | Promise<void>;
        try {
          r = run(logs.spec);
        } catch (e) {
          throw named(e);
        }
        return { picked, logs, r };
      };
      const take = (second: { picked: number[]; logs: LogsPlan } | undefined) => {
        if (second) this.#takeLogs(second.picked, second.logs, startOutside, plan.x, m);
        return plan.result as Data;
      };
      // A push that may be dropped keeps the state before it (taken before the engine writes).
      if (flight && !scanRunsInline(plan.spec)) this.#takeOff(flight, start, startOutside);
      let r: void | Promise<void>;
      try {
        r = run(plan.spec, plan.onDevice ? [coeffs, values, plan.result] : undefined);
      } catch (e) {
        throw named(e);
      }
      if (r === undefined) return take(again());
      settled = false;
      // A dropped flight (pushDroppable) touches the state no more: it is the one before the push.
      const live = () => {
        if (flight?.abandoned) throw abandoned();
      };
      return Promise.resolve(r)
        .then(
          () => {
            live();
            const second = again();
            if (!second) return undefined;
            return Promise.resolve(second.r).then(() => second);
          },
          (e) => Promise.reject(flight?.abandoned ? abandoned() : named(e)),
        )
        .then((second) => {
          live();
          const result = take(second);
          if (flight) flight.committed = true;
          return result;
        })
        .finally(finish);
    } finally {
      if (settled) finish();
    }
  }

  /**
   * The rows a push runs again in logs: those whose state was beyond the range, and those whose
   * last x (the engine's, now in #state) is not a normal number of the dtype, unless it is an
   * exact 0 (a start of 0 and no nonzero value: the row's x stays 0).
   */
  #rerunRows(start: FloatArray, startOutside: Uint8Array, b: Data, m: number): number[] {
    const min = MIN_NORMAL[this.dtype];
    const picked: number[] = [];
    let hostB: FloatArray | undefined;
    for (let r = 0; r < this.rows; r++) {
      if (startOutside[r]) {
        picked.push(r);
        continue;
      }
      const x = Math.abs(this.#state[r]);
      if (!(x < min || x === Infinity)) continue; // in range, or NaN
      if (x === 0 && start[r] === 0) {
        hostB ??= onHost(b);
        let zero = true;
        for (let i = r * m; i < (r + 1) * m && zero; i++) zero = hostB[i] === 0;
        if (zero) continue;
      }
      picked.push(r);
    }
    return picked;
  }

  /** The picked rows of a push in float64 logs, from their state in log form, with result arrays. */
  #logsPlan(picked: number[], a: Data, b: Data, m: number, start: FloatArray, startOutside: Uint8Array): LogsPlan {
    const k = picked.length;
    const hostA = onHost(a);
    const hostB = onHost(b);
    const la = { logAbs: new Float64Array(k * m), sign: new Int8Array(k * m) };
    const lb = { logAbs: new Float64Array(k * m), sign: new Int8Array(k * m) };
    const x0 = new Float64Array(k);
    const x0Sign = new Int8Array(k);
    picked.forEach((r, j) => {
      toLogs(hostA, r * m, m, la, j * m);
      toLogs(hostB, r * m, m, lb, j * m);
      if (startOutside[r]) {
        x0[j] = this.#extLog[r];
        x0Sign[j] = this.#extSign[r];
      } else {
        const x = start[r];
        x0[j] = Math.log(Math.abs(x));
        x0Sign[j] = x < 0 ? -1 : 1;
      }
    });
    const x = new Float64Array(k * m);
    const xSign = new Int8Array(k * m);
    const last = new Float64Array(k);
    const lastSign = new Int8Array(k);
    const spec: NativeScanSpec = {
      method: METHOD_CODE.logFromLog,
      rows: k,
      n: m,
      reverse: this.reverse,
      threads: this.#threads,
      device: -1,
      a: operand(la.logAbs, 0, m, la.sign),
      b: operand(lb.logAbs, 0, m, lb.sign),
      x: operand(x, 0, m, xSign),
      x0: operand(x0, 0, 1, x0Sign),
      last: operand(last, 0, 1, lastSign),
      refuseAlias: false,
    };
    return { spec, x, xSign, last, lastSign };
  }

  /**
   * Takes the logs' results: x (as the dtype) of the rows that started beyond the range, and the
   * last x of every picked row where it is beyond the range (else the engine's stays).
   */
  #takeLogs(picked: number[], logs: LogsPlan, startOutside: Uint8Array, out: Data, m: number): void {
    let hostX: FloatArray | undefined;
    picked.forEach((r, j) => {
      if (startOutside[r]) {
        hostX ??= ArrayBuffer.isView(out) ? out : (out.toHost() as FloatArray);
        for (let i = 0; i < m; i++) hostX[r * m + i] = logs.xSign[j * m + i] * Math.exp(logs.x[j * m + i]);
      }
      const l = logs.last[j];
      const x = logs.lastSign[j] * Math.exp(l);
      const beyondRange = beyond(x, l, this.dtype);
      if (beyondRange || startOutside[r]) this.#state[r] = x;
      this.#extLog[r] = l;
      this.#extSign[r] = logs.lastSign[j];
      this.#outside[r] = beyondRange ? 1 : 0;
    });
    if (hostX && !ArrayBuffer.isView(out)) out.buffer.upload(hostX);
  }

  static {
    pushInFlight = (scanner, coeffs, values, flight) => scanner.#pushAsync(coeffs, values, undefined, flight);
  }

  /** Releases the scanner; later calls throw ERR_LINREC_DISPOSED. Also [Symbol.dispose] (`using` in JavaScript). */
  dispose(): void {
    this.#disposed = true;
  }

  #check(what: string): void {
    if (this.#disposed) throw plainError('ERR_LINREC_DISPOSED', `Cannot ${what}: the Scanner was disposed`);
    if (this.#busy) throw plainError('ERR_LINREC_BUSY', `Cannot ${what} while a pushAsync() on this Scanner is running; await it first`);
  }

  #checkDType(name: string, d: Data): void {
    const dtype = v.dtypeOf(d);
    if (dtype !== this.dtype) throw typeError('ERR_LINREC_DTYPE_MISMATCH', `Expected ${name} to be ${this.dtype} like the Scanner but received ${dtype}`);
  }

  #plan(coeffs: unknown, values: unknown, options: unknown): PushPlan {
    this.#check('push');
    const o = v.options<PushOptions<unknown>>('options', options, PUSH_OPTIONS);
    let a: { logAbs: Data; sign?: Int8Array | DeviceArray };
    let b: { logAbs: Data; sign?: Int8Array | DeviceArray };
    if (this.log) {
      a = logInput('coeffs', coeffs);
      b = logInput('values', values);
    } else {
      a = { logAbs: floatData('coeffs', coeffs) };
      b = { logAbs: floatData('values', values) };
    }
    this.#checkDType('coeffs', a.logAbs);
    this.#checkDType('values', b.logAbs);
    const host =
      ArrayBuffer.isView(a.logAbs) &&
      ArrayBuffer.isView(b.logAbs) &&
      (a.sign === undefined || ArrayBuffer.isView(a.sign)) &&
      (b.sign === undefined || ArrayBuffer.isView(b.sign));
    // The named operands, built at most once and only where needed (device inputs, or out).
    let named: NamedOperands | undefined;
    const namedOperands = (): NamedOperands => (named ??= namedLogOperands('coeffs', a, 'values', b));
    const onDevice = host ? false : sameResidency(namedOperands());
    const m = v.rowLength('coeffs', a.logAbs.length, this.rows, 0);
    v.exactLength('values', b.logAbs.length, this.rows * m, () => `rows·m = ${this.rows}·${m}: b only, x_0 is the Scanner's state`);
    const device = chooseDevice(this.#device, this.rows * m, deviceIndexOf(a.logAbs));
    let x: Data;
    let xSign: Int8Array | DeviceArray | undefined;
    let nameAlias: (() => void) | undefined;
    if (o.out !== undefined) {
      // Checked as scan's out; in place on values is supported, as scan's out === values.
      ({ x, xSign, nameAlias } = checkedOut(o.out, {
        log: this.log,
        checkDType: (name, d) => this.#checkDType(name, d),
        like: ['coeffs', a.logAbs],
        length: this.rows * m,
        lengthOf: 'the length of values',
        onDevice,
        inputs: namedOperands(),
        inPlace: b,
      }));
    } else {
      x = allocLike(a.logAbs, this.rows * m, this.#threads);
      xSign = this.log ? allocSigns(a.logAbs, this.rows * m, this.#threads) : undefined;
    }
    const state = onDevice ? this.#deviceState(device) : undefined;
    const st = state ? state.logAbs : this.#state;
    const stSign = this.log ? (state ? state.sign : this.#stateSign) : undefined;
    const spec: NativeScanSpec = {
      method: this.log ? METHOD_CODE.logFromLog : this.method === 'log' ? METHOD_CODE.logFromRaw : METHOD_CODE.direct,
      rows: this.rows,
      n: m,
      reverse: this.reverse,
      threads: this.#threads,
      device,
      a: operand(a.logAbs, 0, m, a.sign),
      b: operand(b.logAbs, 0, m, b.sign),
      x: operand(x, 0, m, xSign),
      x0: operand(st, 0, 1, stSign),
      last: operand(st, 0, 1, stSign),
      refuseAlias: nameAlias !== undefined,
    };
    // A given out comes back as given (the caller's object), as with scan's out.
    const result = (o.out as Data | SignedLogArray<Data> | undefined) ?? (this.log ? { logAbs: x, sign: xSign as Int8Array } : x);
    const data = { a: a.logAbs, b: b.logAbs, x };
    if (!state) return { spec, result, onDevice, after: nothing, release: nothing, nameAlias, ...data };
    // DeviceArray pushes carry the state on the device for the call and bring it back after
    // (rows values), so the host copy stays the one source of truth.
    const after = () => {
      this.#state.set(state.logAbs.toHost() as FloatArray);
      if (state.sign) this.#stateSign.set(state.sign.toHost() as Int8Array);
    };
    const release = () => {
      state.logAbs.dispose();
      state.sign?.dispose();
    };
    return { spec, result, onDevice, after, release, ...data };
  }

  #deviceState(deviceIndex: number): { logAbs: DeviceArray; sign?: DeviceArray } {
    const logAbs = new DeviceArray(this.rows, this.dtype, deviceIndex);
    logAbs.buffer.upload(this.#state);
    if (!this.log) return { logAbs };
    const sign = new DeviceArray(this.rows, 'int8', deviceIndex);
    sign.buffer.upload(this.#stateSign);
    return { logAbs, sign };
  }
}

/**
 * For the streams: a pushAsync that `abandon()` may drop while it runs. Dropped, the Scanner is
 * idle at once, with the state before the push (the engine finishes into arrays it no longer
 * reads), and the promise rejects. abandon() returns false where it came too late: the push's
 * result is in the state already (it ran on this thread, or completed before the call).
 */
export function pushDroppable(scanner: Scanner, coeffs: unknown, values: unknown): { result: Promise<unknown>; abandon: () => boolean } {
  const flight: Flight = { committed: false, abandoned: false };
  const result = pushInFlight(scanner, coeffs, values, flight);
  return {
    result,
    abandon: () => {
      if (flight.committed || flight.abandoned) return !flight.committed;
      flight.abandoned = true;
      flight.restore?.();
      return true;
    },
  };
}

// `using s = createScanner()` disposes it at the end of the block, as DeviceArray.
(Scanner.prototype as unknown as Record<symbol, () => void>)[disposeSymbol] = function (this: Scanner) {
  this.dispose();
};

export function createScanner(options: ScannerOptions & { log: true; dtype: 'float64' }): Scanner<SignedLogArray<Float64Array>>;
export function createScanner(options: ScannerOptions & { log: true }): Scanner<SignedLogArray<Float32Array>>;
export function createScanner(options: ScannerOptions & { dtype: 'float64'; log?: false }): Scanner<Float64Array>;
export function createScanner(options?: ScannerOptions & { dtype?: 'float32'; log?: false }): Scanner<Float32Array>;
export function createScanner(options?: ScannerOptions): Scanner;
export function createScanner(options?: ScannerOptions): Scanner {
  return withStack(() => new Scanner(options));
}
