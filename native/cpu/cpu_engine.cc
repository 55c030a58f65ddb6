#include "cpu_engine.h"

#include <cstdint>

#include "short_rows.h"
#include "tile_scan.h"

namespace linrec {
namespace cpu {

void scan(const ScanJob& job) {
  // The log method on extended-range numbers (monoid.h): the direct method's cost, no overflow.
  dispatchScan<ExtendedLogMethod>(job, [&](const auto& access) {
    // Empty rows go to TileScan, which copies x_0 to the state bit for bit in every form; so do
    // staged rows (logScan), which it converts a tile at a time, in vector loops, instead of a
    // step at a time (about 57 ns a step at n = 1000, bench/NOTES.md session 7).
    using Access = std::decay_t<decltype(access)>;
    if (!Access::kStaged && job.n > 0 && job.n <= kShortRow) return scanShortRows(access, job.rows, job.n, job.threads);
    TileScan<std::decay_t<decltype(access)>>(access, job.rows, job.n).run(job.threads);
  });
}

template <class T, bool Reverse> static void aggregateAs(const AggregateJob& job) {
  RawAccess<AffineMonoid<T>, Reverse> access(scanViewOf(job));
  std::vector<AffinePair<T>> maps(job.rows);
  aggregateRows(access, job.rows, job.n, job.threads, maps.data());
  T* outA = static_cast<T*>(job.outA);
  T* outB = static_cast<T*>(job.outB);
  for (size_t r = 0; r < job.rows; ++r) {
    outA[r] = maps[r].A;
    outB[r] = maps[r].B;
  }
}

void aggregate(const AggregateJob& job) {
  if (job.dtype == DType::Float64)
    job.reverse ? aggregateAs<double, true>(job) : aggregateAs<double, false>(job);
  else
    job.reverse ? aggregateAs<float, true>(job) : aggregateAs<float, false>(job);
}

template <class T> static void sequentialAs(const ScanJob& job) {
  const T* a = static_cast<const T*>(job.a);
  const T* b = static_cast<const T*>(job.b);
  const T* x0 = static_cast<const T*>(job.x0);
  T* out = static_cast<T*>(job.x);
  for (size_t r = 0; r < job.rows; ++r) {
    T v = x0[r * job.x0Stride];
    const T* ar = a + r * job.aStride;
    const T* br = b + r * job.bStride;
    T* xr = out + r * job.xStride;
    for (size_t i = 0; i < job.n; ++i) xr[i] = v = ar[i] * v + br[i];
  }
}

void sequentialDirect(const ScanJob& job) {
  if (job.dtype == DType::Float64)
    sequentialAs<double>(job);
  else
    sequentialAs<float>(job);
}

}  // namespace cpu
}  // namespace linrec
