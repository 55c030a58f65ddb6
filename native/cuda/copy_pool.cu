// Row copies between pageable and pinned host memory, on the copy pool (see copy_pool.h).
#include <cstring>

#include "copy_pool.h"

namespace linrec {
namespace cuda {
namespace staging {

constexpr size_t kParallelCopyBytes = size_t(1) << 18;

void copy2D(CopyPool& pool, void* dst, size_t dpitch, const void* src, size_t spitch, size_t width, size_t height) {
  if (!width || !height) return;
  auto rowsRange = [&](size_t lo, size_t hi) {
    for (size_t r = lo; r < hi; ++r)
      std::memcpy(static_cast<char*>(dst) + r * dpitch, static_cast<const char*>(src) + r * spitch, width);
  };
  size_t total = width * height, k = pool.width();
  if (total < kParallelCopyBytes || k == 1) return rowsRange(0, height);
  if (height >= k) {
    pool.run(k, [&](size_t p) { rowsRange(height * p / k, height * (p + 1) / k); });
    return;
  }
  size_t splits = (k + height - 1) / height;  // pieces per row, cut on 64-byte boundaries
  size_t piece = ((width + splits - 1) / splits + 63) & ~size_t(63);
  pool.run(height * splits, [&](size_t p) {
    size_t r = p / splits, lo = (p % splits) * piece;
    if (lo >= width) return;
    size_t len = std::min(piece, width - lo);
    std::memcpy(static_cast<char*>(dst) + r * dpitch + lo, static_cast<const char*>(src) + r * spitch + lo, len);
  });
}

unsigned copyWorkers() {
  unsigned hw = std::thread::hardware_concurrency();
  return std::min(7u, hw > 2 ? hw / 2 - 1 : 0u);
}

}  // namespace staging
}  // namespace cuda
}  // namespace linrec
