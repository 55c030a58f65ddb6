// Results that linrec allocates itself (no `out`): on Linux, large ones are backed by huge pages
// when the kernel can give them at once. A fresh 40 MB result otherwise takes ~10^4 page faults,
// more time than the scan; ~20 huge-page faults cost a fifth of that (bench/NOTES.md, session 9).
// Huge pages are asked only where free 2 MiB blocks abound: with THP `defrag` at `madvise` (a
// common default) an advised fault that finds none compacts memory first, and a program with
// other large arrays alive then stalls for tens of ms (session 4 withdrew unguarded advice).
import { readFileSync } from 'fs';
import { addon } from './addon';

/** Results below this many bytes hold too few whole huge pages to matter. */
export const HUGE_RESULT_BYTES = 4 << 20;
const HUGE_PAGE = 2 << 20;
/** Free 2 MiB blocks that must stay after a result's, on every NUMA node: room for the rest of the system. */
export const SPARE_HUGE_BLOCKS = 128;

type Advice = 'advise' | 'kernel' | 'off';
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

function kernelAdvice(): Advice {
  if (mode !== undefined) return mode;
  mode = 'off';
  if (process.platform === 'linux') {
    try {
      mode = adviceFor(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'latin1'));
      if (mode === 'advise' && typeof addon().adviseHugePages !== 'function') mode = 'off'; // an older build
    } catch {
      mode = 'off';
    }
  }
  return mode;
}

/**
 * Prepares a typed array that linrec just allocated and nothing has written: advises its pages
 * huge where that pays and cannot stall. Returns the bytes advised (0 for none). Costs a read of
 * /proc/buddyinfo (~20 us) per result of 4 MiB or more.
 */
export function prepareFreshResult(array: ArrayBufferView): number {
  if (array.byteLength < HUGE_RESULT_BYTES || kernelAdvice() !== 'advise') return 0;
  try {
    if (!wantsHugePages(array.byteLength, readFileSync('/proc/buddyinfo', 'latin1'))) return 0;
    return addon().adviseHugePages!(array);
  } catch {
    return 0; // advice only: the result is right either way
  }
}
