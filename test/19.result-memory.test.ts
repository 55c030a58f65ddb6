// Results that linrec allocates itself (no `out`): src/result-memory.ts decides from the kernel's
// THP mode and /proc/buddyinfo whether a fresh result is advised huge pages and faulted in first
// on the scan's threads; native/cpu/result_memory.cc does it. The decision is checked on sample
// texts; on Linux, what the kernel then holds is read from /proc/self/smaps_rollup.
import { execFileSync, spawnSync } from 'child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';
import v8 from 'v8';
import vm from 'vm';
import { availableParallelism } from 'os';
import { aggregate, createScanner, logScan, scan } from '../src';
import { addon } from '../src/addon';
import { defaultThreads } from '../src/backends';
import {
  adviceFor,
  freeHugeBlocks,
  freshResultPlan,
  roomForHugePages,
  freshResults,
  FAULT_IN_BYTES,
  HUGE_RESULT_BYTES,
  SPARE_HUGE_BLOCKS,
  UNZEROED_RESULT_BYTES,
  wantsHugePages,
} from '../src/result-memory';
import { buildDriver, hostCxx, rng, SEED } from './helpers';

const MiB = 1 << 20;
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

// /proc/buddyinfo as Linux prints it: free blocks of order 0..10 per zone (4 KiB << order).
const ONE_NODE = `Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3
Node 0, zone    DMA32      1      2      4      2      5      4      3      3      4      2    752
Node 0, zone   Normal   1644   2674   1133   1094    847    414    190    204    448    300   1638
`;
// Node 1's Normal zone is fragmented: 7 blocks of order 9 and 1 of order 10.
const TWO_NODES = `Node 0, zone      DMA      1      1      1      0      2      1      1      0      1      1      3
Node 0, zone    DMA32    100     80     60     40     20     10      5      3      2      2    400
Node 0, zone   Normal   5000   4000   3000   2000   1000    500    250    120     60     30    900
Node 1, zone   Normal  90000  60000  30000  10000   5000   2000    800    200     40      7      1
`;

describe('the decision (pure functions on sample texts)', () => {
  test('THP mode: the bracketed choice of /sys/kernel/mm/transparent_hugepage/enabled', () => {
    expect(adviceFor('always [madvise] never\n')).toBe('advise');
    expect(adviceFor('[always] madvise never\n')).toBe('kernel');
    expect(adviceFor('always madvise [never]\n')).toBe('off');
    expect(adviceFor('')).toBe('off');
  });

  test('free 2 MiB blocks: orders 9 and up, DMA left out, the poorest node', () => {
    // DMA32 2 + 752·2, Normal 300 + 1638·2 (DMA's 1 + 3·2 left out).
    expect(freeHugeBlocks(ONE_NODE)).toBe(2 + 1504 + 300 + 3276);
    // Node 0: 2 + 800 + 30 + 1800 = 2632; node 1: 7 + 2 = 9.
    expect(freeHugeBlocks(TWO_NODES)).toBe(9);
    expect(freeHugeBlocks(TWO_NODES.split('\n').slice(0, 3).join('\n'))).toBe(2632);
    expect(freeHugeBlocks('')).toBe(0);
    expect(freeHugeBlocks('Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3\n')).toBe(0);
    // A kernel with fewer orders (MAX_ORDER 9): no order 10 column.
    expect(freeHugeBlocks('Node 0, zone   Normal   1 2 3 4 5 6 7 8 9 40\n')).toBe(40);
  });

  test('huge pages only for results of 4 MiB or more, with room to spare on every node', () => {
    const blocks = freeHugeBlocks(ONE_NODE);
    expect(wantsHugePages(HUGE_RESULT_BYTES - 1, ONE_NODE)).toBe(false);
    expect(wantsHugePages(HUGE_RESULT_BYTES, ONE_NODE)).toBe(true);
    // The result's blocks plus SPARE_HUGE_BLOCKS must be free: just enough, then one block short.
    const fits = (blocks - SPARE_HUGE_BLOCKS) * 2 * MiB;
    expect(wantsHugePages(fits, ONE_NODE)).toBe(true);
    expect(wantsHugePages(fits + 1, ONE_NODE)).toBe(false);
    expect(wantsHugePages(64 * MiB, TWO_NODES)).toBe(false); // node 1 is short
  });

  test('the plan: advice under THP madvise, faulting in first from 1 MiB, LINREC_HUGE_PAGES=0', () => {
    expect(freshResultPlan(64 * MiB, 'advise')).toEqual({ mayAdvise: true, populate: true });
    // Without advice, results of 1 MiB and more are still faulted in first, on the scan's threads.
    expect(freshResultPlan(64 * MiB, 'advise', true)).toEqual({ mayAdvise: false, populate: true });
    expect(freshResultPlan(HUGE_RESULT_BYTES - 1, 'advise')).toEqual({ mayAdvise: false, populate: true });
    expect(freshResultPlan(FAULT_IN_BYTES, 'off')).toEqual({ mayAdvise: false, populate: true });
    expect(freshResultPlan(FAULT_IN_BYTES - 1, 'advise')).toEqual({ mayAdvise: false, populate: false });
    // THP always: the kernel gives huge pages unasked.
    expect(freshResultPlan(64 * MiB, 'kernel')).toEqual({ mayAdvise: false, populate: true });
    expect(freshResultPlan(64 * MiB, 'off')).toEqual({ mayAdvise: false, populate: true });
  });

  test('room for huge pages: free blocks to spare, false where buddyinfo cannot be read', () => {
    expect(roomForHugePages(64 * MiB, () => ONE_NODE)).toBe(true);
    expect(roomForHugePages(64 * MiB, () => TWO_NODES)).toBe(false);
    expect(
      roomForHugePages(64 * MiB, () => {
        throw new Error('no /proc/buddyinfo');
      }),
    ).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// What the kernel holds (Linux).

// The native side's two decisions, on made-up addresses and timings that JS cannot set
// (test/native/fresh_memory_test.cc): the order and cut of the pieces faulted in, and the rule
// that turns slow huge pages to small ones. Built with the C++ compiler that builds the addon.
(hostCxx ? describe : describe.skip)(`the native decisions (test/native/fresh_memory_test.cc${hostCxx ? '' : ': skipped, no C++ compiler'})`, () => {
  test('pieces: the ends first, then every whole 2 MiB page once, aligned; slow huge pages judged on their mean', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'linrec-fresh-'));
    try {
      const exe = buildDriver(dir, 'fresh_memory_test', ['test/native/fresh_memory_test.cc', 'native/cpu/result_memory.cc'], ['native']);
      const run = spawnSync(exe, [String(SEED)], { encoding: 'utf8' });
      expect(run.stdout).toMatch(/^ok: 0 failed checks/m);
      expect(run.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

const thpFile = '/sys/kernel/mm/transparent_hugepage/enabled';
const thp = existsSync(thpFile) ? adviceFor(readFileSync(thpFile, 'latin1')) : 'off';
const smaps = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/smaps_rollup', 'latin1'))?.[1]) * 1024;
const hasSmaps = existsSync('/proc/self/smaps_rollup');
const n = 16_000_000; // a 64 MB float32 result
function skipReason(): string | undefined {
  if (!hasSmaps) return 'no /proc/self/smaps_rollup';
  if (thp === 'off') return `THP is not madvise or always (${existsSync(thpFile) ? readFileSync(thpFile, 'latin1').trim() : 'no ' + thpFile})`;
  const free = freeHugeBlocks(readFileSync('/proc/buddyinfo', 'latin1'));
  const needed = Math.ceil((4 * (n + 1)) / (2 * MiB)) + SPARE_HUGE_BLOCKS;
  if (thp === 'advise' && free < needed) return `only ${free} free 2 MiB blocks, ${needed} needed`;
  return undefined;
}
const skip = skipReason();
if (skip) console.log(`test/19: huge-page checks skipped: ${skip}`);
// Minor page faults of this thread: the other threads of the process (V8's compiler and GC
// helpers, libuv's pool) fault too, and a process-wide count once read 1 where this thread took
// none. Read without allocating, so that reading it takes no fault of its own as a rule (about
// 1 read in 400 still does: readSync's own bookkeeping).
const ownFaults = (() => {
  const statPath = '/proc/thread-self/stat';
  if (!existsSync(statPath)) return () => process.resourceUsage().minorPageFault;
  const fd = openSync(statPath, 'r'); // the main thread's: thread-self is resolved when opened
  const text = Buffer.alloc(1024);
  return () => {
    const length = readSync(fd, text, 0, text.length, 0);
    // Field 10 (minflt): the 8th after the command's closing parenthesis, which may hold spaces.
    let i = text.lastIndexOf(0x29, length - 1) + 2;
    for (let field = 0; field < 7; field++) i = text.indexOf(0x20, i) + 1;
    let count = 0;
    for (; text[i] !== 0x20; i++) count = count * 10 + text[i] - 0x30;
    return count;
  };
})();

const onTwoCores = hasSmaps && availableParallelism() >= 2 ? test : test.skip;
const withThp = hasSmaps && existsSync(thpFile) ? test : test.skip;
const withHugePages = skip ? test.skip : test;

describe(`a fresh 64 MB result${skip ? ` (huge-page checks skipped: ${skip})` : ''}`, () => {
  const r = rng();
  const a = new Float32Array(n).map(() => r.uniform());
  const b = new Float32Array(n + 1).map(() => 3 * r.uniform());

  // The first large result of this process (none freed while it is measured). However slowly its
  // huge pages come (memory the hypervisor took back: see the last test).
  withHugePages('is backed by huge pages while it is alive (AnonHugePages)', () => {
    const before = smaps('AnonHugePages');
    freshResults.slowHugePageMs = Infinity;
    freshResults.offUntil = 0;
    let x: Float32Array;
    try {
      x = scan(a, b);
    } finally {
      freshResults.slowHugePageMs = 2;
    }
    const held = smaps('AnonHugePages') - before;
    // All whole 2 MiB pages inside the array: 30 or 31 of them.
    expect(held).toBeGreaterThanOrEqual(x.byteLength - 4 * MiB);
    expect(x[n]).toBeGreaterThan(0);
  });

  withHugePages('LINREC_HUGE_PAGES=0: no advice asked of the binding', () => {
    freshResults.offUntil = 0; // earlier huge pages may have come slowly (memory the hypervisor took back)
    // What the binding is asked (AnonHugePages cannot show it: the collector may free earlier
    // results' huge pages meanwhile).
    const native = addon();
    const real = native.prepareFreshResult!;
    const asked: [boolean, number][] = [];
    native.prepareFreshResult = (array, advise, threads, slowPieceMs, smallPageRatio) => {
      asked.push([advise !== false, threads]);
      return real(array, advise, threads, slowPieceMs, smallPageRatio);
    };
    try {
      expect(scan(a, b)[n]).toBeGreaterThan(0);
      process.env.LINREC_HUGE_PAGES = '0';
      expect(scan(a, b)[n]).toBeGreaterThan(0);
    } finally {
      delete process.env.LINREC_HUGE_PAGES;
      native.prepareFreshResult = real;
    }
    // Faulted in first on the scan's threads either way. THP always: no advice either way.
    const threads = defaultThreads();
    expect(asked).toEqual([
      [thp === 'advise', threads],
      [false, threads],
    ]);
  });

  test('holds the same values with and without the advice, on 1 and 2 threads, as with out', () => {
    const out = new Float32Array(n + 1);
    scan(a, b, { out });
    const bits = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
    for (const threads of [1, 2]) {
      expect(bits(scan(a, b, { threads })).equals(bits(out))).toBe(true);
      process.env.LINREC_HUGE_PAGES = '0';
      try {
        expect(bits(scan(a, b, { threads })).equals(bits(out))).toBe(true);
      } finally {
        delete process.env.LINREC_HUGE_PAGES;
      }
    }
  });

  test("logScan's fresh logs and signs (Int8Array of 4 MiB and more) as with out", () => {
    const m = 4_200_000; // signs of 4 MiB and more
    const la = new Float64Array(m);
    const lb = { logAbs: new Float64Array(m + 1), sign: new Int8Array(m + 1) };
    for (let i = 0; i < m; i++) la[i] = -r.uniform();
    for (let i = 0; i <= m; i++) {
      lb.logAbs[i] = r.uniform() - 0.5;
      lb.sign[i] = r.uniform() < 0.5 ? -1 : 1;
    }
    const out = { logAbs: new Float64Array(m + 1), sign: new Int8Array(m + 1) };
    logScan(la, lb, { out });
    const fresh = logScan(la, lb);
    expect(Buffer.from(fresh.logAbs.buffer).equals(Buffer.from(out.logAbs.buffer))).toBe(true);
    expect(Buffer.from(fresh.sign.buffer).equals(Buffer.from(out.sign.buffer))).toBe(true);
  });

  onTwoCores('faulted in on 2 threads before the scan: all zero, and writing it takes no more faults', () => {
    const faults = ownFaults;
    const y = new Float32Array(n);
    addon().prepareFreshResult!(y, false, 2);
    expect(y.every((v) => v === 0)).toBe(true);
    let f0 = faults();
    y.fill(1);
    expect(faults() - f0).toBeLessThan(500);
    // Without: one fault per 4 KiB page.
    const z = new Float32Array(n);
    f0 = faults();
    z.fill(1);
    expect(faults() - f0).toBeGreaterThan(10000);
  });

  onTwoCores('partly written: the pages not yet in memory are faulted in, and no byte written moves', () => {
    const faults = ownFaults;
    const y = new Float32Array(n);
    // Past the half: the 2 MiB piece around it is partly in memory. The value's low byte is not 0,
    // so a write of 0 at a page's start (the fault-in's) would show.
    const written = (n >> 1) + 100_000;
    const value = Math.fround(1 + 2 ** -23);
    y.fill(value, 0, written);
    addon().prepareFreshResult!(y, false, 2);
    const f0 = faults();
    y.fill(1, written);
    expect(faults() - f0).toBeLessThan(500);
    let moved = 0;
    for (let i = 0; i < written; i++) if (y[i] !== value) moved++;
    expect(moved).toBe(0);
  });

  onTwoCores('every page of arrays of many lengths and places is faulted in', () => {
    // Views of one fresh array: lengths below, at and past 2 MiB and its multiples, each starting
    // where the last ended plus an odd gap, so that they start and end at many places against
    // the 2 MiB grid (whose place the test cannot see).
    const faults = ownFaults;
    // The calls below, once first: their first run takes faults of its own (compiling, allocating).
    const warm = new Uint8Array(8192);
    for (let i = 0; i < 3; i++) {
      addon().prepareFreshResult!(warm.subarray(16), false, 2);
      warm.subarray(16).fill(1);
      faults();
    }
    const lengths = [4096, 100_000, 2 * MiB - 4096, 2 * MiB, 2 * MiB + 4096, 3 * MiB + 12_345, 4 * MiB, 6 * MiB + 777, 1 * MiB + 3];
    // [length, faults] of each view that took any: none where every page was faulted in.
    const sweep = (): number[][] => {
      const big = new Uint8Array(96 * MiB);
      const faulted: number[][] = [];
      let at = 4096 + 16;
      for (const gap of [0, 4096 * 3 + 8, 1 * MiB + 64, 0]) {
        for (const length of lengths) {
          at += gap;
          const view = big.subarray(at, at + length);
          at += length;
          addon().prepareFreshResult!(view, false, 2);
          const f0 = faults();
          view.fill(1);
          // The page before it may be shared with the previous view (in memory); none else faults.
          const taken = faults() - f0;
          if (taken !== 0) faulted.push([length, taken]);
        }
      }
      expect(at).toBeLessThan(big.length);
      return faulted;
    };
    // A page left out faults in every sweep; a stray fault (a GC page, the counter's own read,
    // about 1 in 400) does not come back in the next sweep over fresh memory.
    const sweeps = [sweep()];
    while (sweeps.length < 3 && sweeps[sweeps.length - 1].length > 0) sweeps.push(sweep());
    expect(sweeps[sweeps.length - 1]).toEqual([]);
  });

  withThp('the free blocks are asked for only where the memory is fresh', () => {
    let asked = 0;
    const room = () => {
      asked++;
      return false;
    };
    const y = new Float32Array(n);
    y[n >> 1] = 1; // a page inside the whole huge pages: a recycled heap's memory
    expect(addon().prepareFreshResult!(y, room, 1, Infinity)).toBe(0);
    expect(asked).toBe(0);
    expect(addon().prepareFreshResult!(new Float32Array(n), room, 1, Infinity)).toBe(0);
    expect(asked).toBe(1);
  });

  withThp('memory already written is not advised', () => {
    const y = new Float32Array(n);
    y[n >> 1] = 1; // a page inside the whole huge pages
    expect(addon().prepareFreshResult!(y, true, 1, Infinity)).toBe(0);
    expect(addon().prepareFreshResult!(new Float32Array(n), true, 1, Infinity)).toBeGreaterThanOrEqual(y.byteLength - 4 * MiB);
  });

  withHugePages('huge pages that come slowly: the rest of the array and the next results take 4 KiB pages', () => {
    const before = smaps('AnonHugePages');
    const y = new Float32Array(n);
    // Every huge page counts as slow (0 ms, and 0 times its small pages): only those faulted
    // before that was seen stay huge (their mean is judged from the third on; two threads).
    expect(addon().prepareFreshResult!(y, true, 2, 0, 0)).toBeLessThanOrEqual(-(y.byteLength - 4 * MiB));
    expect(smaps('AnonHugePages') - before).toBeLessThanOrEqual(4 * 2 * MiB);
    expect(y.every((v) => v === 0)).toBe(true);
    // Then results are not advised for a while, however fast pages come.
    const native = addon();
    const real = native.prepareFreshResult!;
    const asked: boolean[] = [];
    native.prepareFreshResult = (array, advise, threads, slowPieceMs, smallPageRatio) => {
      asked.push(advise !== false);
      return real(array, advise, threads, slowPieceMs, smallPageRatio);
    };
    const saved = { ...freshResults };
    try {
      freshResults.offUntil = 0;
      freshResults.slowHugePageMs = 0;
      // A window that outlasts the scans: the first one's rest falls back to 4 KiB pages, which
      // took over 1 s (offMs) under load on a VM where each costs ~30 us (bench/NOTES.md, session 11).
      freshResults.offMs = 10 * 60_000;
      freshResults.smallPageRatio = 0;
      expect(scan(a, b)[n]).toBeGreaterThan(0); // advised, every page slow
      freshResults.slowHugePageMs = Infinity;
      expect(scan(a, b)[n]).toBeGreaterThan(0); // not advised: within offMs
      freshResults.offUntil = 0;
      expect(scan(a, b)[n]).toBeGreaterThan(0); // advised again
    } finally {
      Object.assign(freshResults, saved);
      native.prepareFreshResult = real;
    }
    expect(asked).toEqual([true, false, true]);
  });

  withHugePages('huge pages slower than slowPieceMs but faster than small pages here stay huge', () => {
    // Small pages measured first: every huge page slow (0 ms, not compared), so the rest of this
    // array takes pieces of 512 small pages. Then every huge page exceeds 0 ms, none exceeds
    // infinitely many small pages.
    expect(addon().prepareFreshResult!(new Float32Array(n), true, 2, 0, 0)).toBeLessThan(0);
    // Earlier tests' 64 MB results, collected while this one runs, would take their huge pages
    // out of the count.
    collectGarbage();
    const before = smaps('AnonHugePages');
    const y = new Float32Array(n);
    expect(addon().prepareFreshResult!(y, true, 2, 0, Infinity)).toBeGreaterThanOrEqual(y.byteLength - 4 * MiB);
    // The process's count, not this array's: huge pages of arrays freed meanwhile (the first
    // array's, earlier tests' that the collector finds late) come off it. 52 of 64 MiB came
    // through under load (session 25); a fallback to small pages would leave at most 8 MiB.
    expect(smaps('AnonHugePages') - before).toBeGreaterThanOrEqual(y.byteLength / 2);
    expect(y.every((v) => v === 0)).toBe(true);
  });
});

// Results of UNZEROED_RESULT_BYTES or more come from malloc without zeroing: linrec must write
// every element, or a caller would read whatever the process had freed there. With
// freshResults.poison set, such results are filled with that byte first: every path that
// allocates a result must give the same bytes as without.
describe('unzeroed results: every element written', () => {
  const r = rng();
  const uniform = (m: number, lo: number, hi: number, C: Float32ArrayConstructor | Float64ArrayConstructor) => {
    const x = new C(m);
    for (let i = 0; i < m; i++) x[i] = lo + (hi - lo) * r.uniform();
    return x;
  };
  const uniform32 = (m: number, lo: number, hi: number) => uniform(m, lo, hi, Float32Array) as Float32Array;
  const signs = (m: number) => Int8Array.from({ length: m }, () => (r.uniform() < 0.3 ? -1 : 1));
  const bytes = (x: ArrayBufferView) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  // The bytes of every array a call returns (a result, or { logAbs, sign }).
  const resultBytes = (x: unknown): Buffer[] =>
    ArrayBuffer.isView(x) ? [Buffer.from(bytes(x))] : Object.values(x as Record<string, ArrayBufferView>).map((y) => Buffer.from(bytes(y)));
  const sameWithPoison = (call: () => unknown) => {
    const plain = resultBytes(call());
    for (const poison of [0x55, 0xff]) {
      freshResults.poison = poison;
      try {
        const poisoned = resultBytes(call());
        expect(poisoned.length).toBe(plain.length);
        poisoned.forEach((p, i) => expect(p.equals(plain[i])).toBe(true));
      } finally {
        freshResults.poison = undefined;
      }
    }
    return plain;
  };
  // Rows whose results (n + 1 float32 or float64 values, and signs) pass the threshold.
  const n = 150_001;

  test('the threshold is what the tests below pass', () => {
    expect((n + 1) * Int8Array.BYTES_PER_ELEMENT).toBeLessThan(UNZEROED_RESULT_BYTES); // signs of one row: zeroed
    expect(3 * (n + 1)).toBeGreaterThan(UNZEROED_RESULT_BYTES); // signs of 3 rows: not
    expect((n + 1) * Float32Array.BYTES_PER_ELEMENT).toBeGreaterThan(UNZEROED_RESULT_BYTES);
  });

  test('scan: direct and log, float32 and float64, rows, reverse, 1 and 2 threads', () => {
    for (const C of [Float32Array, Float64Array]) {
      for (const rows of [1, 3]) {
        const a = uniform(rows * n, -1, 1, C);
        const b = uniform(rows * (n + 1), -1, 1, C);
        for (const method of ['direct', 'log'] as const)
          for (const reverse of [false, true])
            for (const threads of [1, 2]) {
              const x = sameWithPoison(() => scan(a, b, { rows, method, reverse, threads }))[0];
              expect(x.length).toBe(rows * (n + 1) * C.BYTES_PER_ELEMENT);
            }
      }
    }
  });

  test('logScan: real and signed logs, zeros among them, its logs and signs', () => {
    for (const C of [Float32Array, Float64Array]) {
      const rows = 3;
      const la = uniform(rows * n, -2, 0, C);
      const lb = uniform(rows * (n + 1), -3, 3, C);
      for (let i = 0; i < lb.length; i += 97) lb[i] = -Infinity; // b = 0
      const sa = signs(rows * n);
      const sb = signs(rows * (n + 1));
      for (const threads of [1, 2]) {
        sameWithPoison(() => logScan(la, lb, { rows, threads }));
        sameWithPoison(() => logScan({ logAbs: la, sign: sa }, { logAbs: lb, sign: sb }, { rows, threads }));
        sameWithPoison(() => logScan(la, lb, { rows, threads, reverse: true }));
      }
    }
  });

  test('Scanner pushes: direct and log', () => {
    const rows = 3;
    const m = n + 1;
    const a = uniform32(rows * m, -1, 1);
    const b = uniform32(rows * m, -1, 1);
    const la = uniform32(rows * m, -2, 0);
    const lb = { logAbs: uniform32(rows * m, -3, 3), sign: signs(rows * m) };
    sameWithPoison(() => createScanner({ rows }).push(a, b));
    sameWithPoison(() => createScanner({ rows, method: 'log' }).push(a, b));
    sameWithPoison(() => createScanner({ rows, log: true }).push(la, lb));
  });

  test('many short rows: scan, logScan, one-step pushes on 10^5 keys, aggregate', () => {
    const rows = 100_000;
    for (const steps of [1, 2, 7]) {
      const a = uniform32(rows * steps, -1, 1);
      const b = uniform32(rows * (steps + 1), -1, 1);
      sameWithPoison(() => scan(a, b, { rows }));
      sameWithPoison(() => scan(a, b, { rows, method: 'log', reverse: true }));
      const sa = signs(a.length);
      const sb = signs(b.length);
      sameWithPoison(() => logScan({ logAbs: a, sign: sa }, { logAbs: b, sign: sb }, { rows }));
      const segmentValues = uniform32(rows * steps, -1, 1);
      sameWithPoison(() => aggregate(a, segmentValues, { rows }));
    }
    const a = uniform32(rows, -1, 1);
    const b = uniform32(rows, -1, 1);
    sameWithPoison(() => createScanner({ rows }).push(a, b));
    const [sa, sb] = [signs(rows), signs(rows)];
    sameWithPoison(() => createScanner({ rows, log: true }).push({ logAbs: a, sign: sa }, { logAbs: b, sign: sb }));
  });
});

// keepFreedMemory changes the C library's setting for the whole process: checked in processes of
// its own (test/kept-memory.child.js), by the page faults a fresh 64 MB result takes after an
// earlier one was garbage collected.
describe('keepFreedMemory', () => {
  const child = path.join(__dirname, 'kept-memory.child.js');
  const run = (mode: string) =>
    JSON.parse(execFileSync(process.execPath, [child, mode], { env: { ...process.env, LINREC_HUGE_PAGES: '0' }, encoding: 'utf8' }));
  const glibc =
    process.platform === 'linux' &&
    Boolean((process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime);

  (glibc ? test : test.skip)("a fresh result reuses a collected one's pages; false gives them back", () => {
    const pages = (64 << 20) / 4096;
    const kept = run('keep');
    expect(kept.took).toBe(true);
    expect(kept.same).toBe(true);
    // Without: a fresh mapping, a fault per 4 KiB page (LINREC_HUGE_PAGES=0: no huge pages).
    expect(run('default').faults).toBeGreaterThan(pages / 2);
    expect(kept.faults).toBeLessThan(pages / 20);
    // Given back (malloc_trim): the next results fault again.
    expect(run('keep-then-default').faults).toBeGreaterThan(pages / 2);
  });
});
