// How a staged job is cut into chunks of rows x steps, and where a chunk's pieces lie in a
// slot's buffers. Shared by the scan and aggregate pipelines.
#pragma once

#include <cstddef>
#include <vector>

namespace linrec {
namespace cuda {
namespace staging {

struct Chunk {
  size_t row0 = 0, rows = 0;  // row block
  size_t step0 = 0, steps = 0;  // steps [step0, step0 + steps) of each row
  size_t index0 = 0;  // lowest memory index of those steps (reverse maps them to the row's end)
  bool firstOfRows = false, lastOfRows = false;
};

struct Geometry {
  size_t width = 0, blockRows = 0;
};

// The chunk size for a job of rows x n: at most 2^20 steps (all rows), less when free device
// memory is short. `bytesPerStep`: staging bytes per step, inputs and outputs, on each side.
Geometry chooseGeometry(size_t rows, size_t n, size_t bytesPerStep);

// The chunks in pipeline order: row blocks, each in step order (from the row's end when reverse).
std::vector<Chunk> chunksOf(size_t rows, size_t n, bool reverse, const Geometry& g);

// Offsets inside a slot's buffers for a chunk of up to `cap` steps and `capRows` rows.
struct Layout {
  size_t a = 0, b = 0, aSign = 0, bSign = 0, x0 = 0, x0Sign = 0, inBytes = 0;  // hostIn/deviceIn
  size_t x = 0, xSign = 0, last = 0, lastSign = 0, outBytes = 0;  // hostOut/deviceOut
  size_t carry = 0, carrySign = 0, carryBytes = 0;  // device carry
};

inline size_t align256(size_t v) { return (v + 255) & ~size_t(255); }

}  // namespace staging
}  // namespace cuda
}  // namespace linrec
