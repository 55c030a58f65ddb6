// Memory for results that linrec allocates itself (a scan without `out`): advice to the OS.
#pragma once

#include <cstddef>
#include <functional>

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

}  // namespace cpu
}  // namespace linrec
