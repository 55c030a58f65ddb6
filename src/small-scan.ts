// The quick paths of valid direct-method calls on host arrays, with the engine's own bits.
//
// scan: a few steps run in JS, others go to the binding's lean entry (scanHost), which skips the
// general call's spec objects and checks and reads each array with two Node-API calls. That entry
// costs ~150 ns more than the JS path's fixed cost (session 6, on the development VM), so scans of
// up to quickCalls.jsMaxSteps steps and Scanner pushes of up to PUSH_JS_MAX_STEPS (which have no
// lean entry) run here: the CPU engine's short-rows path (rows of at most 2048 steps, each row the
// sequential loop, native/cpu/short_rows.h) in JS. Its rounding is the engine's, step for step:
//  - 'fused': the engine's x = a·x + b is one fused multiply-add (GCC contracts it in the
//    x86-64-v3/v4 builds). In float32 that is round32(a·x + b exactly). a·x of two float32 is
//    exact in a double, the double sum s = a·x + b rounds once more, and round32(s) differs from
//    the fused result only where s is exactly halfway between two float32 and the sum was not
//    exact (a double rounding); that case is detected and decided by the sum's error (TwoSum).
//  - 'separate': a multiply then an add, each rounded (the baseline x86-64 build):
//    fround(fround(a·x) + b) in float32 (a float32 sum rounded through a double is exact), and
//    plain JS arithmetic in float64.
// Which one the loaded engine uses is asked once, by a scan whose result tells them apart.
// float64 under 'fused' stays native (an exact double FMA in JS costs more than the call).
import { addon, METHOD_CODE, type NativeOperand, type NativeScanSpec } from './addon';
import { cudaUsable, defaultThreads, gpuThreshold } from './backends';
import { typedArrayKind } from './dtype';
import { optionsLike } from './validate';
import { freshResult } from './result-memory';

/**
 * The longest row computed in JS: the engine's short-rows path (native/cpu/short_rows.h, kShortRow
 * = 2048) takes at least these, so the JS loop's bits are its bits.
 */
const SHORT_ROW = 256;
/**
 * Scanner pushes of at most this many steps in all run in JS: one row of 256 steps took 0.3x the
 * general native call's time, two rows of 256 (or 8 of 64) 1.5x, where the engine steps 8 rows
 * side by side (bench/NOTES.md, session 5).
 */
export const PUSH_JS_MAX_STEPS = 256;

type Rule = 'fused' | 'separate' | 'none';
// Both slots from the start: one object shape, so reading either stays a monomorphic load.
const rules: { float32: Rule | undefined; float64: Rule | undefined } = { float32: undefined, float64: undefined };

/**
 * The quick paths: `enabled` (tests that intercept the binding's general call switch it off);
 * scans of at most `jsMaxSteps` steps in all run in JS, longer ones through the binding's lean
 * entry, which costs ~150 ns more than the JS path's fixed cost and steps ~3x faster: equal at
 * 24-32 steps (bench/NOTES.md, session 6). At most SHORT_ROW.
 */
export const quickCalls = { enabled: true, jsMaxSteps: 32 };

const fround = Math.fround;

/**
 * The fused result where round32(s) may be a double rounding: s = p + q rounded to a double, r =
 * round32(s), m = 2s - r. Called only when s is exactly halfway between r and m.
 */
function fusedTie(p: number, q: number, s: number, r: number, m: number): number {
  const bv = s - p;
  const e = p - (s - bv) + (q - bv); // TwoSum: s + e is p + q exactly
  if (e === 0) return r; // a true tie: round32 already chose the even one
  return e > 0 === m > s ? m : r;
}

// The row loops step i = first, first + dir, ... (n steps) from v and return how many steps
// they stored: they stop before a result that is not finite (inf, NaN), whose bits (NaN
// payloads, an overflow's rounding) are left to the engine, which goes on from there.
//
// Each starts by typing its arguments (v as a number, the indices as int32; all values
// unchanged: v is a float32 value or a double, and these calls have a few hundred steps at
// most). Optimized on its own rather than inlined into its caller (which V8 decides by the
// caller's call history, so a process that made other calls first gets this), a loop over
// untyped parameters keeps v boxed: a heap number allocated per step, 1.8x the time of a call
// of 16 steps (bench/NOTES.md, session 7).

function rowF32Fused(a: Float32Array, ai: number, b: Float32Array, bi: number, x: Float32Array, xi: number, n: number, dir: number, v: number): number {
  v = fround(v);
  ai |= 0;
  bi |= 0;
  xi |= 0;
  n |= 0;
  dir |= 0;
  for (let i = 0; i < n; i++) {
    const p = a[ai] * v; // exact
    const q = b[bi];
    const s = p + q;
    let r = fround(s);
    if (r - r !== 0) return i;
    const d = s - r;
    const m = s + d;
    // s exactly halfway between two float32 (r and m): rare, and off the dependency chain.
    if (d !== 0 && fround(m) === m) r = fusedTie(p, q, s, r, m);
    x[xi] = r;
    v = r;
    ai += dir;
    bi += dir;
    xi += dir;
  }
  return n;
}

function rowF32Separate(a: Float32Array, ai: number, b: Float32Array, bi: number, x: Float32Array, xi: number, n: number, dir: number, v: number): number {
  v = fround(v);
  ai |= 0;
  bi |= 0;
  xi |= 0;
  n |= 0;
  dir |= 0;
  for (let i = 0; i < n; i++) {
    v = fround(fround(a[ai] * v) + b[bi]);
    if (v - v !== 0) return i;
    x[xi] = v;
    ai += dir;
    bi += dir;
    xi += dir;
  }
  return n;
}

function rowF64Separate(a: Float64Array, ai: number, b: Float64Array, bi: number, x: Float64Array, xi: number, n: number, dir: number, v: number): number {
  v = +v;
  ai |= 0;
  bi |= 0;
  xi |= 0;
  n |= 0;
  dir |= 0;
  for (let i = 0; i < n; i++) {
    v = a[ai] * v + b[bi];
    if (v - v !== 0) return i;
    x[xi] = v;
    ai += dir;
    bi += dir;
    xi += dir;
  }
  return n;
}

type RowOf<T> = (a: T, ai: number, b: T, bi: number, x: T, xi: number, n: number, dir: number, v: number) => number;
type Row = RowOf<never>;
type HostArray = Float32Array | Float64Array;

const op = (data: Float32Array | Float64Array, offset: number, stride: number): NativeOperand => ({ data, sign: undefined, offset, stride });

/**
 * One row's last `n` steps (forward: from aOffset on; reversed: up to aOffset + n - 1) on the
 * engine, from x0 (the last x stored; x_0 itself, copied to x0CopyOffset, when it is not finite):
 * where the JS loop met a result that is not finite.
 */
function restOnEngine(
  n: number,
  reverse: boolean,
  a: HostArray,
  aOffset: number,
  b: HostArray,
  bOffset: number,
  x: HostArray,
  xOffset: number,
  x0: HostArray,
  x0Offset: number,
  last?: HostArray,
  lastOffset = 0,
  x0CopyOffset?: number,
): void {
  const spec: NativeScanSpec = {
    method: METHOD_CODE.direct,
    rows: 1,
    n,
    reverse,
    threads: 1,
    device: -1,
    a: op(a, aOffset, n),
    b: op(b, bOffset, n),
    x: op(x, xOffset, n),
    x0: op(x0, x0Offset, 1),
    last: last ? op(last, lastOffset, 1) : undefined,
    x0Copy: x0CopyOffset === undefined ? undefined : op(x, x0CopyOffset, 1),
  };
  addon().scan(spec);
}

/**
 * The engine's rounding for `dtype`, asked once: x_1 = a·x_0 + b_1 with a = x_0 = 1 + 2^-k and
 * b_1 = -(1 + 2^(1-k)) is 0 after a rounded multiply and 2^-2k when fused; rows of 1 and of 8
 * steps (9 rows: the engine's batched rows and one more) cover the short-rows loops.
 */
function probeRule(dtype: 'float32' | 'float64'): Rule {
  const k = dtype === 'float32' ? 12 : 27;
  const Ctor = dtype === 'float32' ? Float32Array : Float64Array;
  const c = 1 + 2 ** -k;
  const seen = new Set<number>();
  for (const [rows, n] of [
    [1, 1],
    [9, 8],
  ]) {
    const a = new Ctor(rows * n).fill(1);
    const b = new Ctor(rows * (n + 1));
    for (let r = 0; r < rows; r++) {
      a[r * n] = c;
      b[r * (n + 1)] = c;
      b[r * (n + 1) + 1] = -(1 + 2 ** (1 - k));
    }
    const x = new Ctor(rows * (n + 1));
    const stride = n + 1;
    const spec: NativeScanSpec = {
      method: METHOD_CODE.direct,
      rows,
      n,
      reverse: false,
      threads: 1,
      device: -1,
      a: op(a, 0, n),
      b: op(b, 1, stride),
      x: op(x, 1, stride),
      x0: op(b, 0, stride),
      x0Copy: op(x, 0, stride),
    };
    addon().scan(spec);
    for (let r = 0; r < rows; r++) seen.add(x[r * stride + n]);
  }
  if (seen.size !== 1) return 'none';
  const [v] = seen;
  return v === 0 ? 'separate' : v === 2 ** (-2 * k) ? 'fused' : 'none';
}

/** The JS row loop that gives the engine's bits for this array kind, or undefined. */
function rowFor(kind: string | undefined): Row | undefined {
  if (kind === 'Float32Array') {
    const rule = (rules.float32 ??= probeRule('float32'));
    return (rule === 'fused' ? rowF32Fused : rule === 'separate' ? rowF32Separate : undefined) as Row | undefined;
  }
  if (kind === 'Float64Array') {
    const rule = (rules.float64 ??= probeRule('float64'));
    return (rule === 'separate' ? rowF64Separate : undefined) as Row | undefined;
  }
  return undefined;
}

/** Whether a call of `steps` host steps with this device option runs on the CPU engine. */
function onCpu(device: unknown, steps: number): boolean {
  if (device === 'cpu') return true;
  if (device !== undefined && device !== 'auto') return false;
  return !cudaUsable() || steps < gpuThreshold();
}

// Each typed array's buffer, remembered: `buffer` is a slow getter (about as long as a 16-step
// call), and a typed array never changes its buffer. Weak keys: nothing is kept alive.
const buffers = new WeakMap<HostArray, ArrayBufferLike>();
function bufferOf(t: HostArray): ArrayBufferLike {
  let buffer = buffers.get(t);
  if (buffer === undefined) buffers.set(t, (buffer = t.buffer));
  return buffer;
}

/**
 * Whether out's memory is apart from a's, and from b's unless out is b itself (in place); else
 * the native path checks and names the overlap.
 */
function outApart(out: HostArray, a: HostArray, b: HostArray): boolean {
  const buffer = bufferOf(out);
  return buffer !== bufferOf(a) && (out === b || buffer !== bufferOf(b));
}

/** scan's options as last read by readScanOptions (undefined where absent), unchecked. */
export const scanOptionValues: { rows: unknown; reverse: unknown; method: unknown; device: unknown; out: unknown; threads: unknown } = {
  rows: undefined,
  reverse: undefined,
  method: undefined,
  device: undefined,
  out: undefined,
  threads: undefined,
};

const objectPrototype = Object.prototype;

/**
 * Reads scan's options from an object into scanOptionValues, each once; false if it has an
 * enumerable property that is none of them (the others are read all the same).
 *
 * A plain object (prototype Object.prototype, which holds none of the names) is read by for-in
 * over its enumerable properties: in a process whose calls pass options of many shapes, a
 * property read by name (o.out) is a megamorphic lookup, and the six of them cost a call of 16
 * steps 1.5x (bench/NOTES.md, session 7), where for-in reads each property through its shape's
 * enum cache, whatever the shape. So a non-enumerable property of a plain object is not an
 * option (scan's general path reads its options here too: both paths agree). Other objects
 * (class instances with getters, null prototypes) are read by name. The values are stored after
 * the last read, so a getter that calls scan cannot leave its own options here.
 */
export function readScanOptions(options: object): boolean {
  let rows: unknown, reverse: unknown, method: unknown, device: unknown, out: unknown, threads: unknown;
  let known = true;
  if (
    Object.getPrototypeOf(options) === objectPrototype &&
    !('rows' in objectPrototype || 'reverse' in objectPrototype || 'method' in objectPrototype) &&
    !('device' in objectPrototype || 'out' in objectPrototype || 'threads' in objectPrototype)
  ) {
    for (const key in options) {
      const value = (options as Record<string, unknown>)[key];
      if (key === 'out') out = value;
      else if (key === 'rows') rows = value;
      else if (key === 'reverse') reverse = value;
      else if (key === 'threads') threads = value;
      else if (key === 'method') method = value;
      else if (key === 'device') device = value;
      else known = false;
    }
  } else {
    if (!optionsLike(options)) return false; // a Map, Date, ...: the general path refuses it
    for (const key in options) {
      if (key !== 'out' && key !== 'rows' && key !== 'reverse' && key !== 'method' && key !== 'threads' && key !== 'device') known = false;
    }
    const o = options as { rows?: unknown; reverse?: unknown; method?: unknown; device?: unknown; out?: unknown; threads?: unknown };
    rows = o.rows;
    reverse = o.reverse;
    method = o.method;
    device = o.device;
    out = o.out;
    threads = o.threads;
  }
  const values = scanOptionValues;
  values.rows = rows;
  values.reverse = reverse;
  values.method = method;
  values.device = device;
  values.out = out;
  values.threads = threads;
  return known;
}

const isThreads = (t: unknown) => t === undefined || (typeof t === 'number' && Number.isInteger(t) && t >= 1 && t <= 1024);

/**
 * scan(coeffs, values, options) done here when it is a valid direct-method call on host arrays
 * on the CPU: in JS when it is small (at most quickCalls.jsMaxSteps steps),
 * else through the binding's lean entry (addon().scanHost); calls of more than `maxWork` steps
 * (rows·(n+1), as native/cpu's isSmall counts) are left to the caller. Undefined otherwise: the caller then
 * takes the general path, which also reports every invalid call (nothing is thrown here).
 */
export function quickScan(coeffs: unknown, values: unknown, options: unknown, maxWork = Infinity): Float32Array | Float64Array | undefined {
  if (!quickCalls.enabled) return undefined;
  const kind = typedArrayKind(coeffs);
  // Float arrays only: the binding's lean entry takes the type it is told (bounded by memory).
  if ((kind !== 'Float32Array' && kind !== 'Float64Array') || typedArrayKind(values) !== kind) return undefined;
  let rows = 1;
  let reverse = false;
  let out: unknown;
  let threads: unknown;
  let device: unknown;
  if (options !== undefined) {
    if (options === null || typeof options !== 'object' || Array.isArray(options) || ArrayBuffer.isView(options)) return undefined;
    if (!readScanOptions(options)) return undefined;
    const o = scanOptionValues;
    const r = o.rows;
    if (r !== undefined) {
      if (typeof r !== 'number' || !Number.isInteger(r) || r < 1) return undefined;
      rows = r;
    }
    const rev = o.reverse;
    if (rev !== undefined) {
      if (typeof rev !== 'boolean') return undefined;
      reverse = rev;
    }
    if (o.method !== undefined && o.method !== 'direct') return undefined;
    threads = o.threads;
    if (!isThreads(threads)) return undefined;
    out = o.out;
    device = o.device;
  }
  const a = coeffs as Float32Array;
  const b = values as Float32Array;
  const steps = a.length; // 0 for a detached array: never taken here
  if (b.length !== steps + rows || b.length > maxWork || !onCpu(device, steps)) return undefined;
  const n = steps / rows;
  const row = steps <= quickCalls.jsMaxSteps && n <= SHORT_ROW ? rowFor(kind) : undefined;
  return row === undefined
    ? hostScan(kind === 'Float64Array', a, b, out, rows, reverse, threads)
    : jsScan(row as RowOf<Float32Array>, kind, a, b, out, rows, n, reverse);
}

// quickScan's two routes are functions of their own: each keeps its own call counts, so V8
// inlines a route's hot calls (the row loop into jsScan) whatever mix of calls the process made
// (inlined into quickScan, the row loop lost to the other route's calls after a varied warm-up).

/** Through the binding's lean entry, which checks the rest (lengths, overlaps) and declines what it does not take. */
function hostScan(float64: boolean, a: HostArray, b: HostArray, out: unknown, rows: number, reverse: boolean, threads: unknown): HostArray | undefined {
  const nThreads = threads === undefined ? defaultThreads() : (threads as number);
  let x = out;
  if (x === undefined) x = freshResult(float64 ? Float64Array : Float32Array, b.length, nThreads);
  // out's type is checked here: the binding takes the entry's type as given (bounded by memory).
  if (out !== undefined && typedArrayKind(out) !== (float64 ? 'Float64Array' : 'Float32Array')) return undefined;
  return addon().scanHost(float64, a, b, x, rows, reverse, nThreads) ? (x as HostArray) : undefined;
}

/** In JS: `rows` rows of n steps by the row loop f (the engine's bits). */
function jsScan(
  f: RowOf<Float32Array>,
  kind: string,
  a: Float32Array,
  b: Float32Array,
  out: unknown,
  rows: number,
  n: number,
  reverse: boolean,
): HostArray | undefined {
  if (!(n >= 1) || !Number.isInteger(n)) return undefined;
  let x: Float32Array;
  if (out === undefined) {
    x = kind === 'Float32Array' ? new Float32Array(b.length) : (new Float64Array(b.length) as unknown as Float32Array);
  } else {
    // In place on values, or memory of its own; coeffs apart (the native path names any overlap).
    if (typedArrayKind(out) !== kind) return undefined;
    x = out as Float32Array;
    if (x.length !== b.length) return undefined;
    if (!outApart(x, a, b)) return undefined;
  }
  const stride = n + 1;
  for (let r = 0, ai = 0, bi = 0; r < rows; r++, ai += n, bi += stride) {
    if (b[bi + (reverse ? n : 0)] - b[bi + (reverse ? n : 0)] !== 0) {
      // x_0 not finite: the engine copies it bit for bit (a JS copy would quiet a signalling NaN).
      if (reverse) restOnEngine(n, true, a, ai, b, bi, x, bi, b, bi + n, undefined, 0, bi + n);
      else restOnEngine(n, false, a, ai, b, bi + 1, x, bi + 1, b, bi, undefined, 0, bi);
    } else if (reverse) {
      const v = b[bi + n];
      x[bi + n] = v;
      const done = f(a, ai + n - 1, b, bi + n - 1, x, bi + n - 1, n, -1, v);
      if (done < n) restOnEngine(n - done, true, a, ai, b, bi, x, bi, x, bi + n - done);
    } else {
      const v = b[bi];
      x[bi] = v;
      const done = f(a, ai, b, bi + 1, x, bi + 1, n, 1, v);
      if (done < n) restOnEngine(n - done, false, a, ai + done, b, bi + 1 + done, x, bi + 1 + done, x, bi + done);
    }
  }
  return x;
}

/**
 * A Scanner push of m steps per row (direct method, host arrays of the state's type) computed
 * here, the state updated; undefined where the native path must run (nothing is thrown here).
 */
export function smallPush(
  coeffs: unknown,
  values: unknown,
  state: Float32Array | Float64Array,
  rows: number,
  reverse: boolean,
  device: unknown,
  out?: unknown,
): Float32Array | Float64Array | undefined {
  if (!quickCalls.enabled) return undefined;
  const kind = typedArrayKind(coeffs);
  if (kind === undefined || (coeffs as Float32Array).length > PUSH_JS_MAX_STEPS || typedArrayKind(values) !== kind || typedArrayKind(state) !== kind)
    return undefined;
  const a = coeffs as Float32Array;
  const b = values as Float32Array;
  const steps = a.length;
  const m = steps / rows;
  if (!(m >= 1 && m <= SHORT_ROW && steps <= PUSH_JS_MAX_STEPS) || !Number.isInteger(m) || b.length !== steps) return undefined;
  const row = rowFor(kind);
  if (row === undefined || !onCpu(device, steps)) return undefined;
  // A given out is values itself (the caller checked that), each step reading b before writing x
  // there; coeffs must be apart from it (else the engine's call refuses it, naming them).
  if (out !== undefined && !outApart(out as HostArray, a, b)) return undefined;
  const x =
    out !== undefined ? (out as Float32Array) : kind === 'Float32Array' ? new Float32Array(steps) : (new Float64Array(steps) as unknown as Float32Array);
  const st = state as Float32Array;
  const f = row as RowOf<Float32Array>;
  for (let r = 0, i = 0; r < rows; r++, i += m) {
    if (reverse) {
      const done = f(a, i + m - 1, b, i + m - 1, x, i + m - 1, m, -1, st[r]);
      if (done === m) st[r] = x[i];
      else if (done > 0) restOnEngine(m - done, true, a, i, b, i, x, i, x, i + m - done, st, r);
      else restOnEngine(m, true, a, i, b, i, x, i, st, r, st, r);
    } else {
      const done = f(a, i, b, i, x, i, m, 1, st[r]);
      if (done === m) st[r] = x[i + m - 1];
      else if (done > 0) restOnEngine(m - done, false, a, i + done, b, i + done, x, i + done, x, i + done - 1, st, r);
      else restOnEngine(m, false, a, i, b, i, x, i, st, r, st, r);
    }
  }
  return x;
}
