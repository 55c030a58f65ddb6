// Chunk geometry of the staged pipelines (see staging_geometry.cuh).
#include <algorithm>

#include "device_scan.cuh"
#include "staging_buffers.cuh"
#include "staging_geometry.cuh"

namespace linrec {
namespace cuda {
namespace staging {

constexpr size_t kChunkElements = size_t(1) << 20;  // steps per chunk (all rows), at most
constexpr size_t kMinChunkElements = size_t(1) << 12;

Geometry chooseGeometry(size_t rows, size_t n, size_t bytesPerStep) {
  size_t budget = kChunkElements;
  size_t freeBytes = deviceFreeBytes();
  // Half of the free memory for the slots (the rest for scratch, carry and other users).
  size_t fit = freeBytes / 2 / (kSlots * std::max<size_t>(bytesPerStep, 1));
  budget = std::max(kMinChunkElements, std::min(budget, fit));
  Geometry g;
  g.width = std::min(n, budget);
  g.blockRows = std::min(rows, std::max<size_t>(1, budget / g.width));
  return g;
}

std::vector<Chunk> chunksOf(size_t rows, size_t n, bool reverse, const Geometry& g) {
  std::vector<Chunk> out;
  for (size_t r = 0; r < rows; r += g.blockRows) {
    for (size_t s = 0; s < n; s += g.width) {
      Chunk c;
      c.row0 = r;
      c.rows = std::min(g.blockRows, rows - r);
      c.step0 = s;
      c.steps = std::min(g.width, n - s);
      c.index0 = reverse ? n - s - c.steps : s;
      c.firstOfRows = s == 0;
      c.lastOfRows = s + c.steps == n;
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace staging
}  // namespace cuda
}  // namespace linrec
