#include "result_memory.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

#include "run_on_threads.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#if defined(__linux__)
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#endif

namespace linrec {
namespace cpu {

namespace {

#if defined(__linux__)
constexpr uintptr_t kHuge = fresh::kHugePage;
using fresh::kMinPagesMeasured;

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14
#endif

// This thread's CPU time in ms: the time a fault takes, without the time that other threads had
// the core (under load, a thread waits for a core far longer than a slow huge page takes).
double threadMs() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

// Faults in the pages of [begin, end) for writing. MADV_POPULATE_WRITE takes the faults without
// the exception round trip and changes no byte (older kernels refuse it: EINVAL). Then one write
// per page, into the array itself (a result not yet written: any byte will do): where the hypervisor
// keeps shadow page tables, a page's first access still traps to it after the guest's fault
// (session 11's VM: ~10 us a 4 KiB page, ~8x the guest's populate), and that cost belongs to the
// page size that is measured here, not to the scan's first store. `resident`, where given, flags
// the pages from begin's on that are in memory already (mincore): those keep their bytes.
void populate(uintptr_t begin, uintptr_t end, size_t page, const unsigned char* resident) {
  if (end <= begin) return;
  const uintptr_t first = begin & ~uintptr_t(page - 1);
  madvise(reinterpret_cast<void*>(first), end - first, MADV_POPULATE_WRITE);
  for (uintptr_t p = begin; p < end; p = (p & ~uintptr_t(page - 1)) + page)
    if (!resident || !(resident[((p & ~uintptr_t(page - 1)) - first) / page] & 1))
      *reinterpret_cast<volatile char*>(p) = 0;
}

// What one small (base) page takes to fault in and first write, in ms of CPU time: a running
// mean over pieces of fresh::kMinPagesMeasured or more of them (the pieces of an array's ends, or
// whole pieces after huge pages came slowly); < 0: none yet. Machines differ by 10x and more
// (~2.5 us on session 10's VM, ~30 us where a nested hypervisor shadows the page tables,
// bench/NOTES.md session 11), so a huge page is judged against this.
std::atomic<double> smallPageMs{-1};
#endif

}  // namespace

double prepareFreshMemory(void* data, size_t bytes, const std::function<bool()>& adviseHuge, unsigned threads,
                          double slowPieceMs, double smallPageRatio) {
#if defined(__linux__)
  if (bytes == 0) return 0;
  const size_t page = size_t(sysconf(_SC_PAGESIZE));
  const uintptr_t begin = reinterpret_cast<uintptr_t>(data), end = begin + bytes;
  const uintptr_t first = begin & ~uintptr_t(page - 1), last = (end + page - 1) & ~uintptr_t(page - 1);
  // Which pages are in memory already: memory that the allocator recycled (its heap) rather than
  // took fresh from the OS.
  std::vector<unsigned char> resident((last - first) / page);
  if (mincore(reinterpret_cast<void*>(first), last - first, resident.data()) != 0) return 0;
  // Whether some (all) of the pages that [lo, hi) touches are in memory.
  auto residentIn = [&](uintptr_t lo, uintptr_t hi, bool all) {
    for (uintptr_t p = lo & ~uintptr_t(page - 1); p < hi; p += page)
      if (bool(resident[(p - first) / page] & 1) != all) return !all;
    return all;
  };
  const fresh::HugeRange huge = fresh::wholeHugePages(begin, end);
  const uintptr_t lo = huge.lo, hi = huge.hi;
  size_t advised = 0;
#if defined(MADV_HUGEPAGE)
  // Only where none of their pages is in memory: the advice outlives the array where the
  // allocator keeps its memory for later allocations, which would then fault huge pages
  // unguarded (src/result-memory.ts); fresh memory is a mapping of the array's own, as a rule.
  // adviseHuge is asked last: it reads /proc/buddyinfo, which memory that a kept heap recycles
  // (keepFreedMemory) never needs.
  if (hi > lo && !residentIn(lo, hi, false) && adviseHuge() &&
      madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE) == 0)
    advised = hi - lo;
#endif
  // More threads than cores would only take turns.
  threads = std::min(threads, std::max(1u, std::thread::hardware_concurrency()));
  if (advised == 0 &&
      (threads <= 1 || std::all_of(resident.begin(), resident.end(), [](unsigned char r) { return r & 1; })))
    return 0;
  // Pieces, taken in turn from a counter by every thread, so that no huge page is faulted by two
  // threads at once and a thread that the system holds back (or refuses) leaves its share to the
  // others, as the engine's tiles do. The array's ends come first, in pieces of 256 KiB: they
  // take small pages (the 2 MiB around them is not the array's), ~550 of them for a 40 MB result,
  // which cost more than all its huge pages where the hypervisor shadows page tables (~8 us each
  // against ~0.12 ms a huge page, session 17), and an end of up to 2 MiB taken last held one
  // thread while the other had nothing left. Then the whole 2 MiB pages (advised, or the kernel's
  // own with THP `always`), one a piece.
  const std::vector<fresh::Piece> order = fresh::pieces(begin, end, page);
  const size_t pieces = order.size();
  std::atomic<size_t> next{0};
  // Huge pages are slow when their mean over this array, from kMinHugeJudged of them on, takes
  // more than slowPieceMs of CPU time (normally ~0.12-0.3 ms) and more than smallPageRatio times
  // what their small pages take here (smallPageMs): memory that the hypervisor had taken back
  // (free page reporting, bench/NOTES.md session 10: ~6 ms a huge page on that VM, 5x its 4 KiB
  // pages). A mean, not one piece: single pages of 2-3x the others' cost are common (session 17),
  // and one of them turned a loop's results to small pages. The pieces not yet faulted then take
  // small pages (and the caller hears of it). Where small pages cost more still (session 11's VM: ~3.6 ms for a
  // huge page that the host faults in, ~5 ms for 512 small pages), huge pages stay. Until small
  // pages have been measured, none is slow (the pieces of the array's ends, taken first, measure them);
  // smallPageRatio 0 leaves slowPieceMs alone to decide (the caller's default is 2: huge blocks
  // that a loop frees come back far cheaper than the first, cold ones, src/result-memory.ts).
  std::atomic<bool> slow{false};
  const size_t smallPerHuge = kHuge / page;
  std::atomic<uint64_t> hugeNs{0};
  std::atomic<size_t> hugeDone{0};
  const size_t wholePages = (hi - lo) / kHuge;
  auto work = [&] {
    for (size_t k; (k = next.fetch_add(1, std::memory_order_relaxed)) < pieces;) {
      const uintptr_t from = order[k].from, to = order[k].to;
      bool huge = advised > 0 && order[k].whole;
#if defined(MADV_NOHUGEPAGE)
      if (huge && slow.load(std::memory_order_relaxed)) {
        madvise(reinterpret_cast<void*>(from), kHuge, MADV_NOHUGEPAGE);
        huge = false;
      }
#endif
      // Pages already in memory (a recycled heap's) need no fault: a piece of them is left alone,
      // and in a piece partly in memory they keep their bytes.
      const bool fresh = huge || !residentIn(from, to, false);
      if (!fresh && residentIn(from, to, true)) continue;
      const double t0 = threadMs();
      populate(from, to, page, fresh ? nullptr : &resident[((from & ~uintptr_t(page - 1)) - first) / page]);
      const double took = threadMs() - t0;
      if (huge) {
        const uint64_t ns = hugeNs.fetch_add(uint64_t(took * 1e6), std::memory_order_relaxed) + uint64_t(took * 1e6);
        const size_t done = hugeDone.fetch_add(1, std::memory_order_relaxed) + 1;
        if (fresh::hugePagesSlow(double(ns) / 1e6 / double(done), done, wholePages, slowPieceMs, smallPageRatio,
                                 smallPageMs.load(std::memory_order_relaxed), smallPerHuge))
          slow.store(true, std::memory_order_relaxed);
      } else if (advised > 0 && fresh) {  // small pages for certain (under THP `always`, maybe not)
        const size_t pages = (((to + page - 1) & ~uintptr_t(page - 1)) - (from & ~uintptr_t(page - 1))) / page;
        if (pages >= kMinPagesMeasured) {
          // A running mean (pieces differ by 2x and more): a racing update loses one sample.
          const double sample = took / double(pages), old = smallPageMs.load(std::memory_order_relaxed);
          smallPageMs.store(old < 0 ? sample : 0.75 * old + 0.25 * sample, std::memory_order_relaxed);
        }
      }
    }
  };
  runOnThreads(std::min<size_t>(threads, pieces), work);
  return slow.load() ? -double(advised) : double(advised);
#else
  (void)data;
  (void)bytes;
  (void)adviseHuge;
  (void)threads;
  (void)slowPieceMs;
  (void)smallPageRatio;
  return 0;
#endif
}

namespace fresh {

HugeRange wholeHugePages(uintptr_t begin, uintptr_t end) {
  const uintptr_t lo = (begin + kHugePage - 1) & ~(kHugePage - 1);
  return {lo, std::max(lo, end & ~(kHugePage - 1))};
}

std::vector<Piece> pieces(uintptr_t begin, uintptr_t end, size_t page) {
  std::vector<Piece> order;
  if (end <= begin) return order;
  const uintptr_t first = begin & ~uintptr_t(page - 1);
  const HugeRange huge = wholeHugePages(begin, end);
  const uintptr_t lo = huge.lo, hi = huge.hi;
  const uintptr_t endPiece = std::max<uintptr_t>(kEndPieceBytes, kMinPagesMeasured * page);
  // [from, to) cut at multiples of `step` from `origin`: ends from the first page, so that no
  // page belongs to two pieces; whole pages from `lo`, so that each is one 2 MiB page (cut from
  // `first`, each huge page spanned two pieces, and so two threads: session 17).
  auto cut = [&](uintptr_t from, uintptr_t to, bool whole) {
    const uintptr_t step = whole ? kHugePage : endPiece, origin = whole ? lo : first;
    for (uintptr_t p = from; p < to;) {
      const uintptr_t next = std::min(to, origin + ((p - origin) / step + 1) * step);
      order.push_back({p, next, whole});
      p = next;
    }
  };
  cut(begin, std::min(lo, end), false);
  cut(std::max(hi, begin), end, false);
  cut(lo, hi, true);
  return order;
}

bool hugePagesSlow(double meanMs, size_t done, size_t wholePages, double slowPieceMs, double smallPageRatio,
                   double smallPageMs, size_t smallPerHuge) {
  const size_t judgeFrom = std::max<size_t>(1, std::min(kMinHugeJudged, wholePages));
  if (done < judgeFrom || !(meanMs > slowPieceMs)) return false;
  if (smallPageRatio == 0) return true;
  return smallPageMs >= 0 && meanMs > smallPageRatio * smallPageMs * double(smallPerHuge);
}

}  // namespace fresh

bool keepFreedMemory(size_t bytes) {
#if defined(__GLIBC__)
  if (bytes == 0) {
    // glibc's defaults (DEFAULT_MMAP_MAX, DEFAULT_TRIM_THRESHOLD), then the free memory returned.
    const bool set = mallopt(M_MMAP_MAX, 65536) == 1 && mallopt(M_TRIM_THRESHOLD, 128 * 1024) == 1;
    malloc_trim(0);
    return set;
  }
  // Blocks above the mmap threshold would get mappings of their own, unmapped when freed.
  const int trim = int(std::min<size_t>(bytes, size_t(INT_MAX)));
  return mallopt(M_MMAP_MAX, 0) == 1 && mallopt(M_TRIM_THRESHOLD, trim) == 1;
#else
  (void)bytes;
  return false;
#endif
}

}  // namespace cpu
}  // namespace linrec
