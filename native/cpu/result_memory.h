// Memory for results that linrec allocates itself (a scan without `out`): advice to the OS.
#pragma once

#include <cstddef>

namespace linrec {
namespace cpu {

// Asks the OS to back the whole 2 MiB pages inside [data, data + bytes) with huge pages when
// they are first touched. `data` must be memory that nothing has written yet (a new typed
// array's): a fresh 40 MB result takes ~10^4 page faults of ~2.3 us each on the development VM,
// more than the scan itself, and ~20 huge-page faults take a fifth of that (bench/NOTES.md,
// session 9). Whether the kernel can give huge pages without compacting memory first is the
// caller's decision (src/result-memory.ts); this only advises. Returns the bytes advised (0
// where the OS has no such advice).
size_t adviseHugePages(void* data, size_t bytes);

}  // namespace cpu
}  // namespace linrec
