// Shared test helpers: fresh random inputs (the run's seed, test/seed.ts), and the yardstick
// (src/yardstick.ts: float64 references and the mixed relative error used throughout,
// |x - ref| / (|ref| + mean|ref|)).
import { execFileSync, spawnSync } from 'child_process';
import * as path from 'path';
import { addonPath } from '../src/addon';
import { mulberry32, hashLabel, SEED, seedNote } from './seed';
export { mulberry32, SEED, seedNote };
import { sequential } from '../src/sequential';
import { mixedError, worstOverReach } from '../src/yardstick';
export { reference, referenceDD, mixedError, worstOverReach } from '../src/yardstick';
export type F = Float32Array | Float64Array;

// Math functions as locals: global lookups inside jest's sandbox are slow in hot loops.
const { sqrt, log, cos, PI } = Math;

/** Rows of n steps in scan()'s layout (coeffs rows·n in ±0.95, values rows·(n+1) in ±1). */
export function signedProblem(C: { new (n: number): F }, rows: number, n: number, rand: () => number): { a: F; v: F } {
  const a = new C(rows * n);
  const v = new C(rows * (n + 1));
  for (let i = 0; i < a.length; i++) a[i] = (rand() * 2 - 1) * 0.95;
  for (let i = 0; i < v.length; i++) v[i] = rand() * 2 - 1;
  return { a, v };
}

export function rng(seed: number = SEED) {
  const uniform = mulberry32(seed);
  const normal = () => {
    const u = 1 - uniform();
    return sqrt(-2 * log(u)) * cos(2 * PI * uniform());
  };
  return { uniform, normal };
}

// Streams derive from SEED, the current test's name and a count within that test, so that
// LINREC_SEED=… with -t "<name>" replays a failure exactly.
const callsPerTest = new Map<string, number>();
/** A new generator with a distinct stream for each call. */
export function fresh() {
  const name = (typeof expect !== 'undefined' && expect.getState().currentTestName) || '';
  const k = (callsPerTest.get(name) ?? 0) + 1;
  callsPerTest.set(name, k);
  return rng((SEED ^ hashLabel(name)) + 0x9e3779b9 * k);
}

export function fill<T extends F>(arr: T, f: () => number): T {
  for (let i = 0; i < arr.length; i++) arr[i] = f();
  return arr;
}

export type Dist = 'normal' | 'uniform';
/** The seed paper's two examples: a, b ~ N(0,1); or a ~ U(0,1), b ~ U(0,3). */
export function seedInputs(Ctor: { new (n: number): F }, rows: number, n: number, dist: Dist) {
  const r = fresh();
  const coeffs = fill(new Ctor(rows * n), dist === 'normal' ? r.normal : r.uniform);
  const values = fill(new Ctor(rows * (n + 1)), dist === 'normal' ? r.normal : () => 3 * r.uniform());
  return { coeffs, values };
}

export const tagOf = (v: unknown) => Object.prototype.toString.call(v);

/** Asserts that fn throws an error with an ERR_LINREC_ code (and optionally name/message); returns it. */
export function expectLinrecError(fn: () => unknown, code: string, name?: string, message?: RegExp): { code?: string; name?: string; message?: string } {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeDefined();
  const e = caught as { code?: string; name?: string; message?: string };
  expect(e.code).toBe(code);
  if (name) expect(e.name).toBe(name);
  if (message) expect(e.message).toMatch(message);
  return e;
}

export async function expectLinrecRejection(p: Promise<unknown>, code: string, name?: string) {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeDefined();
  const e = caught as { code?: string; name?: string };
  expect(e.code).toBe(code);
  if (name) expect(e.name).toBe(name);
}

type DT = 'float32' | 'float64';
export const floorOf = (dtype: DT) => (dtype === 'float32' ? 1e-6 : 1e-14);

/** Error bound: 4x the sequential loop's own error in this dtype, or a small floor. */
export function loopBound(coeffs: F, values: F, rows: number, reverse: boolean, ref: Float64Array, dtype: DT) {
  const loop = sequential(coeffs, values, { rows, reverse });
  return Math.max(4 * mixedError(loop, ref), floorOf(dtype));
}

/**
 * At most 1 where x is as accurate as the loop: within 4x the loop's own max error, or else
 * (the loop's error is one sample of rounding luck, and in a stretch of |a| > 1 one different
 * rounding grows like any other: CI's LINREC_SEED=918158101) within R times the loop's forward
 * error bound at every element. A wrong carry fails both. `bound` replaces loopBound's (4x the
 * loop's max error, or a floor).
 */
export function overLoopAccuracy(x: F, coeffs: F, values: F, rows: number, reverse: boolean, ref: Float64Array, dtype: DT, bound?: number) {
  const byLoop = mixedError(x, ref) / (bound ?? loopBound(coeffs, values, rows, reverse, ref, dtype));
  return byLoop <= 1 ? byLoop : Math.min(byLoop, worstOverReach(x, ref, coeffs, rows, dtype, reverse));
}

/**
 * Runs test/cuda-fault.child.js `scenario` in a process of its own (a fault poisons the device
 * for the rest of its process) against the addon this process loaded, with 'auto' sending even
 * small scans to the GPU; returns the JSON object it printed.
 */
export function faultChild(scenario: string): Record<string, unknown> {
  const run = spawnSync(process.execPath, [path.join(__dirname, 'cuda-fault.child.js'), scenario], {
    env: { ...process.env, LINREC_ADDON: addonPath(), LINREC_GPU_MIN_ELEMENTS: '1', LINREC_SEED: String(SEED) },
    encoding: 'utf8',
    timeout: 300_000,
  });
  const last = run.stdout.trim().split('\n').pop() ?? '';
  let seen: Record<string, unknown>;
  try {
    seen = JSON.parse(last) as Record<string, unknown>;
  } catch {
    throw new Error(`cuda-fault.child.js ${scenario}: exit ${run.status} ${run.signal ?? ''}\n${run.stdout}\n${run.stderr}`);
  }
  if (run.status !== 0) throw new Error(`cuda-fault.child.js ${scenario}: exit ${run.status}: ${JSON.stringify(seen)}\n${run.stderr}`);
  return seen;
}

// The C++ test drivers (test/native/*.cc): built with the host's C++ compiler, the kind that
// builds the addon (undefined where there is none: their tests skip), into `dir`. Paths are from
// the repository root; each driver prints "ok: 0 failed checks" when every CHECK held.
export const hostCxx = ['c++', 'g++', 'clang++'].find((c) => spawnSync(c, ['--version']).status === 0);
export function buildDriver(dir: string, name: string, sources: string[], includes: string[]): string {
  const root = path.join(__dirname, '..');
  const exe = path.join(dir, name);
  const flags = ['-std=c++17', '-O1', '-Wall', '-Werror', ...includes.flatMap((i) => ['-I', path.join(root, i)])];
  execFileSync(hostCxx!, [...flags, ...sources.map((s) => path.join(root, s)), '-o', exe, '-lpthread']);
  return exe;
}
