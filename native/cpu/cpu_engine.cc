#include "cpu_engine.h"

#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "short_rows.h"
#include "tile_scan.h"

namespace linrec {
namespace cpu {

void scan(const ScanJob& job) {
  // The log method on extended-range numbers (monoid.h): the direct method's cost, no overflow.
  dispatchScan<ExtendedLogMethod>(job, [&](const auto& access) {
    if (job.n <= kShortRow) return scanShortRows(access, job.rows, job.n, job.threads);
    TileScan<std::decay_t<decltype(access)>>(access, job.rows, job.n).run(job.threads);
  });
}

bool isSmall(const ScanJob& job) {
  size_t steps = job.rows * (job.n + 1);
  return steps * (job.method == Method::Direct ? 1 : kLogStepWork) <= kInlineWork;
}

void adviseResult(const ScanJob& job) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr uintptr_t kHuge = uintptr_t(2) << 20;
  size_t elem = job.dtype == DType::Float64 ? 8 : 4;
  if (!job.x || job.rows == 0 || job.n == 0) return;
  size_t bytes = ((job.rows - 1) * job.xStride + job.n) * elem;  // what x's rows span
  if (bytes < 4 * kHuge) return;
  // Only whole huge pages inside the result: the memory around it is not ours to advise.
  uintptr_t begin = reinterpret_cast<uintptr_t>(job.x);
  uintptr_t lo = (begin + kHuge - 1) & ~(kHuge - 1), hi = (begin + bytes) & ~(kHuge - 1);
  if (hi > lo) madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE);  // advice only: failure is harmless
#else
  (void)job;
#endif
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
  if (job.dtype == DType::Float64) job.reverse ? aggregateAs<double, true>(job) : aggregateAs<double, false>(job);
  else job.reverse ? aggregateAs<float, true>(job) : aggregateAs<float, false>(job);
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
  if (job.dtype == DType::Float64) sequentialAs<double>(job);
  else sequentialAs<float>(job);
}

}  // namespace cpu
}  // namespace linrec
