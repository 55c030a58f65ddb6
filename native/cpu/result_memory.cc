#include "result_memory.h"

#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace linrec {
namespace cpu {

size_t adviseHugePages(void* data, size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr uintptr_t kHuge = uintptr_t(2) << 20;
  // Only whole huge pages inside the array: the memory around it is not ours to advise.
  const uintptr_t begin = reinterpret_cast<uintptr_t>(data);
  const uintptr_t lo = (begin + kHuge - 1) & ~(kHuge - 1), hi = (begin + bytes) & ~(kHuge - 1);
  if (hi <= lo) return 0;
  // Advice only: where the kernel refuses it (no THP), the pages stay small, as before.
  return madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE) == 0 ? size_t(hi - lo) : 0;
#else
  (void)data;
  (void)bytes;
  return 0;
#endif
}

}  // namespace cpu
}  // namespace linrec
