// Results that linrec allocates itself (no `out`). A fresh 40 MB result otherwise takes ~10^4
// page faults, more time than the scan (bench/NOTES.md, sessions 5 and 9). What is done about it:
// - on Linux, large results are backed by huge pages when the kernel can give them at once
//   (~20 faults instead of ~10^4). Huge pages are asked only where free 2 MiB blocks abound:
//   with THP `defrag` at `madvise` (a common default) an advised fault that finds none compacts
//   memory first, and a program with other large arrays alive then stalls for tens of ms
//   (session 4 withdrew unguarded advice);
// - where its pages will be huge, the result is faulted in first by as many threads as the scan
//   will use, by pieces of whole huge pages: in the scan's tile order, each huge-page fault (~220
//   us of zeroing) holds up all threads (session 10). A huge page that comes slowly (memory the
//   hypervisor took back, and slower than 4 KiB pages are here) turns the result, and results for
//   a while, to 4 KiB pages.
// - results of 256 KiB or more are not zeroed first (the engine writes every element): memory that
//   the C library hands back from its heap would otherwise be cleared by calloc, ~2 ms for 40 MB;
// - keepFreedMemory(), on request (process-wide), has the C library keep freed memory, so that a
//   result reuses pages that an earlier result had faulted in.
// LINREC_HUGE_PAGES=0 turns the advice off (read at each result).
import { Buffer } from 'buffer';
import { readFileSync } from 'fs';
import { performance } from 'perf_hooks';
import { addon } from './addon';
import { expected, rangeError, typeError } from './errors';

/** Results below this many bytes hold too few whole huge pages to matter. */
export const HUGE_RESULT_BYTES = 4 << 20;
/** Results of this many bytes or more are faulted in before the scan (see freshResultPlan). */
export const FAULT_IN_BYTES = 1 << 20;
const HUGE_PAGE = 2 << 20;
/**
 * slowHugePageMs, smallPageRatio: huge pages that take on average (from the third of a result on)
 * more CPU time than slowHugePageMs to fault in (~0.12-0.3 ms normally) and more than
 * smallPageRatio times what their 512 small pages take on this machine (measured by the binding
 * on the 4 KiB pieces it faults in) came from memory that
 * the hypervisor took back (free page reporting: ~9 ms a huge page against 1.5–4 ms for 512 4 KiB
 * pages on session 10's VM, bench/NOTES.md). The rest of the result, and results for `offMs`,
 * then take 4 KiB pages; 1 s is less than the 2 s after which the kernel reports freed blocks, so
 * a loop of scans gets back the huge pages it freed itself. Where small pages cost more still
 * (session 11's VM, nested with shadow page tables: ~30 us each, ~3.6 ms for a huge page the
 * host faults in), huge pages stay. Twice, not once: a huge page that the host took back costs
 * about what its small pages cost on session 17's VM (2.2-5 ms against ~3.9 ms), but the blocks
 * that a loop frees come back at 0.12 ms (35x less), and a fallback at 1x kept every result of
 * such a loop on small pages (fresh ÷ out 9x instead of 3x, bench/NOTES.md session 17).
 * `offUntil`: the time (ms, performance.now()) until which results are not advised. Settings for
 * tests.
 */
export const freshResults = { slowHugePageMs: 2, smallPageRatio: 2, offMs: 1000, offUntil: 0, poison: undefined as number | undefined };
/**
 * Results of this many bytes or more come unzeroed (Buffer.allocUnsafeSlow: malloc, not calloc;
 * a plain ArrayBuffer of exactly that length). Below it a zeroed typed array costs less than the
 * trip to C++. Tests set `freshResults.poison` to a byte that such results are filled with first,
 * to show that every element is written.
 */
export const UNZEROED_RESULT_BYTES = 256 << 10;
/** Free 2 MiB blocks that must stay after a result's, on every NUMA node: room for the rest of the system. */
export const SPARE_HUGE_BLOCKS = 128;

export type Advice = 'advise' | 'kernel' | 'off';
let mode: Advice | undefined;

/** What the kernel's THP settings ask of us: advise ('madvise'), nothing ('always' does it, 'never' forbids it). */
export function adviceFor(enabled: string): Advice {
  const chosen = /\[(\w+)\]/.exec(enabled)?.[1];
  return chosen === 'madvise' ? 'advise' : chosen === 'always' ? 'kernel' : 'off';
}

/**
 * The free 2 MiB blocks of the poorest NUMA node, from /proc/buddyinfo's text: each line counts a
 * zone's free blocks of order 0, 1, ... (4 KiB << order); orders 9 and up hold huge pages
 * without compaction. The DMA zone is left out (16 MiB, not for user memory).
 */
export function freeHugeBlocks(buddyinfo: string): number {
  const perNode = new Map<string, number>();
  for (const line of buddyinfo.split('\n')) {
    const m = /^Node\s+(\d+),\s*zone\s+(\S+)\s+([\d\s]+)$/.exec(line.trim());
    if (!m || m[2] === 'DMA') continue;
    const counts = m[3].trim().split(/\s+/).map(Number);
    let blocks = 0;
    for (let order = 9; order < counts.length; order++) blocks += counts[order] * 2 ** (order - 9);
    perNode.set(m[1], (perNode.get(m[1]) ?? 0) + blocks);
  }
  return perNode.size === 0 ? 0 : Math.min(...perNode.values());
}

/** Whether a fresh result of `bytes` should be advised huge pages, given the kernel's free blocks. */
export function wantsHugePages(bytes: number, buddyinfo: string): boolean {
  if (bytes < HUGE_RESULT_BYTES) return false;
  return freeHugeBlocks(buddyinfo) >= Math.ceil(bytes / HUGE_PAGE) + SPARE_HUGE_BLOCKS;
}

/** The kernel's THP mode for linrec's results: read once; LINREC_HUGE_PAGES=0 asks for no advice. */
function kernelAdvice(): Advice {
  if (mode !== undefined) return mode;
  mode = 'off';
  if (process.platform === 'linux') {
    try {
      mode = adviceFor(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'latin1'));
    } catch {
      mode = 'off';
    }
  }
  return mode;
}

/**
 * What to do with a fresh result of `bytes`: whether huge pages may be advised (THP `madvise`, 4
 * MiB or more, not turned off; whether free blocks abound is asked later, roomForHugePages), and
 * whether it is to be faulted in first on the scan's threads (1 MiB or more).
 */
export function freshResultPlan(bytes: number, advice: Advice, adviceOff = false): { mayAdvise: boolean; populate: boolean } {
  if (bytes < FAULT_IN_BYTES) return { mayAdvise: false, populate: false };
  return { mayAdvise: bytes >= HUGE_RESULT_BYTES && advice === 'advise' && !adviceOff, populate: true };
}

/**
 * Whether the kernel has the free 2 MiB blocks for a result of `bytes` (wantsHugePages); false
 * where `buddyinfo` cannot be read (advice only: the result is right either way).
 */
export function roomForHugePages(bytes: number, buddyinfo: () => string): boolean {
  try {
    return wantsHugePages(bytes, buddyinfo());
  } catch {
    return false;
  }
}

const readBuddyinfo = () => readFileSync('/proc/buddyinfo', 'latin1');

/**
 * Readies a typed array that linrec just allocated and nothing has written, for a result that
 * `threads` threads will write (freshResultPlan). Returns the bytes advised huge (0 for none).
 * Costs a read of /proc/buddyinfo (0.08 ms alone, up to 1.5 ms in a loop of results) per result of 4
 * MiB or more, fresh from the OS, where THP is `madvise`.
 */
export function prepareFreshResult(array: ArrayBufferView, threads: number): number {
  if (array.byteLength < FAULT_IN_BYTES) return 0;
  const plan = freshResultPlan(array.byteLength, kernelAdvice(), process.env.LINREC_HUGE_PAGES === '0');
  // From FAULT_IN_BYTES on, every plan faults the result in first (plan.populate).
  const mayAdvise = plan.mayAdvise && performance.now() >= freshResults.offUntil;
  const prepare = addon().prepareFreshResult;
  if (typeof prepare !== 'function') return 0; // an older build
  // The binding asks for the free blocks only where the result's memory is fresh from the OS:
  // a heap that recycles results (keepFreedMemory) skips /proc/buddyinfo (up to 1.5 ms a call).
  const room = mayAdvise ? () => roomForHugePages(array.byteLength, readBuddyinfo) : false;
  const advised = prepare(array, room, threads, freshResults.slowHugePageMs, freshResults.smallPageRatio);
  if (advised >= 0) return advised;
  freshResults.offUntil = performance.now() + freshResults.offMs;
  return -advised;
}

type HostArrayCtor = Float32ArrayConstructor | Float64ArrayConstructor | Int8ArrayConstructor;

/** A new host array of `length` elements for a result that linrec writes whole, readied for `threads` threads. */
export function freshResult<C extends HostArrayCtor>(Ctor: C, length: number, threads: number): InstanceType<C> {
  const bytes = length * Ctor.BYTES_PER_ELEMENT;
  let array: InstanceType<C>;
  if (bytes < UNZEROED_RESULT_BYTES) array = new Ctor(length) as InstanceType<C>;
  else {
    const memory = Buffer.allocUnsafeSlow(bytes);
    if (freshResults.poison !== undefined) memory.fill(freshResults.poison);
    array = new Ctor(memory.buffer, memory.byteOffset, length) as InstanceType<C>;
  }
  prepareFreshResult(array, threads);
  return array;
}

/**
 * Has the process keep freed memory for later allocations, up to about `bytes` at the C library
 * heap's end; `0` or `false` restores the defaults and returns what is held free to the OS.
 * Fresh results (calls without `out`) then reuse the pages of earlier results that were garbage
 * collected instead of faulting new ones in: on VMs where a page's first write is slow, a 40 MB
 * result went from 15x the scan's time to ~1.2x (bench/NOTES.md, session 12). It applies to every
 * allocation of the process (large blocks come from the heap and stay there when freed), which is
 * why it is asked for, not done. Linux with glibc; returns false where it has no effect.
 */
export function keepFreedMemory(bytes: number | false): boolean {
  if (bytes !== false && (typeof bytes !== 'number' || !(bytes >= 0) || !Number.isFinite(bytes)))
    throw typeof bytes === 'number'
      ? rangeError('ERR_LINREC_INVALID_VALUE', expected('bytes', 'a number of bytes (>= 0) or false', bytes))
      : typeError('ERR_LINREC_INVALID_TYPE', expected('bytes', 'a number of bytes (>= 0) or false', bytes));
  const keep = addon().keepFreedMemory;
  return typeof keep === 'function' && process.platform === 'linux' ? keep(bytes === false ? 0 : Math.floor(bytes)) : false;
}
