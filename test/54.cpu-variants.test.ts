// Every build of the CPU engine this machine can run (native/cpu/isa/: x86-64, -v3, -v4, picked
// once per process; LINREC_CPU_ISA caps the pick), each in a process of its own
// (test/cpu-variant.child.js): the key paths (direct whole and partial tiles, reverse, reverse rows
// bit for bit the forward scan of the rows reversed, short rows,
// float64 streamed and paired at one thread, the log method, logScan, aggregate) against a float64
// loop, and the same bits at 1 and 3 threads. The machine's default variant is all the other test
// files see; the baseline (SSE2) one runs on processors without AVX. The variants' bits differ
// from one another (the -v3/-v4 builds contract multiply-adds to FMAs), so each is checked on its own.
import { execFileSync } from 'child_process';
import * as path from 'path';
import { addon, addonPath } from '../src/addon';
import { SEED } from './helpers';

type Report = { instructionSet: string; cases: Record<string, { error: number; bits1: string; bits3: string }> };
const child = path.join(__dirname, 'cpu-variant.child.js');
const runVariant = (cap: string | undefined, extra: NodeJS.ProcessEnv = {}): Report => {
  const env: NodeJS.ProcessEnv = { ...process.env, LINREC_ADDON: addonPath(), ...extra };
  if (cap === undefined) delete env.LINREC_CPU_ISA;
  else env.LINREC_CPU_ISA = cap;
  return JSON.parse(execFileSync(process.execPath, [child, String(SEED)], { env, encoding: 'utf8', maxBuffer: 1 << 24 }));
};

const ladder = ['x86-64', 'x86-64-v3', 'x86-64-v4'];
const defaultVariant = addon().info().cpuInstructionSet ?? '';
// Builds with run-time dispatch report one of the ladder; the others (-march=native, node-gyp,
// other architectures) hold one build, and the cap changes nothing there.
const dispatched = ladder.includes(defaultVariant);
const variants = dispatched ? ladder.slice(0, ladder.indexOf(defaultVariant) + 1) : [undefined];

describe.each(variants)('CPU engine variant %s', (cap) => {
  let report: Report;
  beforeAll(() => {
    report = runVariant(cap);
  });

  test('runs where asked', () => {
    expect(report.instructionSet).toBe(cap ?? defaultVariant);
  });

  test('every path within a float64 loop of the inputs and thread-count independent', () => {
    const names = Object.keys(report.cases);
    expect(names.length).toBe(17);
    for (const name of names) {
      const c = report.cases[name];
      const bound = name.startsWith('float32') ? 4e-6 : 1e-13;
      expect({ name, error: c.error, within: c.error <= bound }).toEqual({ name, error: c.error, within: true });
      expect({ name, bits: c.bits3 }).toEqual({ name, bits: c.bits1 });
    }
  });
});

test('a late tile composed by the thread waiting for it gives the bits its own thread would (every wait, 3 threads)', () => {
  // LINREC_TEST_CPU_HELP_AT_ONCE: a thread that finds the tile before its own unpublished composes
  // it at once (tile_scan.h, composeLate), as it does under load when that tile's thread was
  // descheduled, instead of waiting for it.
  const plain = runVariant(undefined);
  const helped = runVariant(undefined, { LINREC_TEST_CPU_HELP_AT_ONCE: '1' });
  for (const [name, c] of Object.entries(plain.cases)) {
    expect({ name, bits: helped.cases[name].bits3 }).toEqual({ name, bits: c.bits3 });
    expect({ name, bits: helped.cases[name].bits1 }).toEqual({ name, bits: c.bits1 });
  }
  // And bench/probes/cpu-help-bits.js: resets, decays that underflow after huge x's, the log method
  // and logScan with signs (staged tiles, composed on a stage of the helping thread's own).
  const probe = path.join(__dirname, '..', 'bench', 'probes', 'cpu-help-bits.js');
  const hashOf = (extra: NodeJS.ProcessEnv) =>
    execFileSync(process.execPath, [probe, path.join(__dirname, '..')], {
      env: { ...process.env, LINREC_ADDON: addonPath(), ...extra },
      encoding: 'utf8',
    }).trim();
  expect(hashOf({ LINREC_TEST_CPU_HELP_AT_ONCE: '1' })).toBe(hashOf({}));
}, 120_000);

// test/in-place-help.child.js: in place on several threads ÷ one thread, per case the calls that differed.
const inPlaceCalls = (reps: number, threads: number, env: NodeJS.ProcessEnv, cases = 10) => {
  const child = path.join(__dirname, 'in-place-help.child.js');
  const out = execFileSync(process.execPath, [child, String(SEED), String(reps), String(threads)], {
    env: { ...process.env, LINREC_ADDON: addonPath(), ...env },
    encoding: 'utf8',
    timeout: 100_000,
  });
  const differing = JSON.parse(out) as Record<string, number>;
  expect(Object.keys(differing).length).toBe(cases); // float32 and float64: direct, reverse, log, logScan, Scanner
  for (const [name, calls] of Object.entries(differing)) expect({ name, calls }).toEqual({ name, calls: 0 });
};

test('in place, a late tile is never composed from inputs that its thread overwrites (8 threads, every wait helped)', () => {
  // Before session 25 a helping thread read a late tile's values while that tile's thread, having
  // published, wrote its results over them: 3-26 of 60 calls per case differed from one thread's.
  inPlaceCalls(40, 8, { LINREC_TEST_CPU_HELP_AT_ONCE: '1' });
}, 120_000);

test('in place, a late tile is composed by the thread waiting for it (its own thread held until the next tile is published)', () => {
  // Session 25 made every late tile in place wait for its thread (under load: 3-7x slower than out
  // of place on 2 threads, 14-80x with 4 threads on 2 cores): here that thread waits for the next
  // tile, so that engine hung (the child's timeout). Tiles 3 and 126 of 253 (2^21 steps).
  inPlaceCalls(2, 2, { LINREC_TEST_CPU_HOLD_TILE: '3' });
  inPlaceCalls(1, 3, { LINREC_TEST_CPU_HOLD_TILE: '126', LINREC_TEST_CPU_HELP_AT_ONCE: '1' });
  // A row's first tile: composed from x_0, which its thread copies over x_0 in place (not the
  // Scanner, whose state is x_0 and the last x: that first tile waits).
  inPlaceCalls(1, 2, { LINREC_TEST_CPU_HOLD_TILE: '0' }, 8);
}, 220_000);

test('LINREC_CPU_ISA caps the pick; a value that names no variant changes nothing', () => {
  if (!dispatched) return; // one build only
  expect(runVariant('x86-64').instructionSet).toBe('x86-64');
  expect(runVariant('avx9000').instructionSet).toBe(defaultVariant);
});
