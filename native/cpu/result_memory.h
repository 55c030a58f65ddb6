// Memory for results that linrec allocates itself (a scan without `out`): advice to the OS.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace linrec {
namespace cpu {

// Prepares [data, data + bytes), memory that nothing has written yet (a new typed array's), for
// a scan's result. Where none of the whole 2 MiB pages inside it is in memory yet and
// `adviseHuge()` says so (asked only then, on the calling thread), asks the OS to back them with
// huge pages: a fresh 40 MB result takes ~10^4 page faults of ~2.5-8 us each on the development
// VMs, more than the scan itself, and 20 huge-page faults of ~0.12-0.22 ms (bench/NOTES.md,
// sessions 9, 10 and 17). Whether the kernel can give huge pages without compacting memory first
// is the caller's decision (src/result-memory.ts). With `threads` > 1, faults its pages in first
// on that many threads, taking pieces in turn (the array's small-page ends, then one whole huge
// page a piece): the scan's tiles, taken in order by all its threads, would fault each huge page
// on one thread while the others wait for that tile. Pages already in memory are left as they
// are. Advised memory is always faulted in here: a huge page that takes more than `slowPieceMs`
// of CPU time to fault in (memory the hypervisor took back), and more than `smallPageRatio` times
// what 512 small pages took here (measured on the pieces of the array's ends; 0: not compared),
// turns the rest of the array to 4 KiB pages. Returns the bytes advised huge (0 where the OS has
// no such advice), negated where huge pages came slowly.
double prepareFreshMemory(void* data, size_t bytes, const std::function<bool()>& adviseHuge, unsigned threads,
                          double slowPieceMs, double smallPageRatio);

// Has the C library keep freed memory in the process for later allocations, up to about `bytes`
// at the heap's end (0: its defaults back, and what it holds free returned to the OS). A fresh
// result then reuses pages that an earlier, garbage-collected result had faulted in: on a VM
// whose first write to a page costs 16-32 us, a 40 MB result takes 15x the scan's time
// fresh and ~1.2x from kept memory (bench/NOTES.md, session 12). Process-wide, so the caller
// asks for it. glibc only (large blocks from the heap instead of their own mappings, a trim
// threshold); returns false where there is no such setting.
bool keepFreedMemory(size_t bytes);

// prepareFreshMemory's two decisions, as pure functions (test/native/fresh_memory_test.cc).
namespace fresh {

constexpr uintptr_t kHugePage = uintptr_t(2) << 20;
// The array's ends are faulted in by pieces of this many bytes (64 pages of 4 KiB), and of at
// least kMinPagesMeasured pages, so that they measure what a small page costs.
constexpr uintptr_t kEndPieceBytes = uintptr_t(256) << 10;
constexpr size_t kMinPagesMeasured = 32;
// Huge pages are judged slow on their mean over an array, from this many of them on.
constexpr size_t kMinHugeJudged = 3;

// The whole 2 MiB pages inside [begin, end), as [lo, hi) (lo == hi: none); the memory around
// them is not the array's to advise.
struct HugeRange {
  uintptr_t lo, hi;
};
HugeRange wholeHugePages(uintptr_t begin, uintptr_t end);

struct Piece {
  uintptr_t from, to;
  bool whole;  // one whole 2 MiB page, 2 MiB aligned
};

// The order in which [begin, end) is faulted in, a piece per turn of a thread: the array's ends
// first (the parts outside its whole 2 MiB pages, which take small pages), in pieces cut at
// multiples of the end piece's size from the array's first page, so that no page belongs to two
// pieces; then its whole 2 MiB pages, one a piece. The pieces tile [begin, end) in that order.
std::vector<Piece> pieces(uintptr_t begin, uintptr_t end, size_t page);

// Whether huge pages came slowly (memory the hypervisor took back): `done` of them, whole pages of
// an array of `wholePages`, took `meanMs` each on average; judged from kMinHugeJudged of them on
// (fewer where the array has fewer), against `slowPieceMs` and `smallPageRatio` times what the
// huge page's small pages take (`smallPageMs` each, < 0: not measured yet, and then not slow;
// ratio 0: not compared).
bool hugePagesSlow(double meanMs, size_t done, size_t wholePages, double slowPieceMs, double smallPageRatio,
                   double smallPageMs, size_t smallPerHuge);

}  // namespace fresh

}  // namespace cpu
}  // namespace linrec
