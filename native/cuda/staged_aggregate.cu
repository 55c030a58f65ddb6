// Residency::Host aggregate: per chunk the device composes each row's steps; the host composes
// chunks in order, where the loop from the row's B so far stays in range through the chunk (its
// reach, AffineReach); elsewhere the row's B is taken in order (defect A, reach.cuh).
#include <algorithm>
#include <cstring>
#include <type_traits>
#include <vector>

#include "../monoid.h"
#include "staging_pipeline.cuh"

namespace linrec {
namespace cuda {

using namespace staging;

void aggregateHostStaged(const AggregateJob& job, DeviceContext& ctx) {
  const size_t rows = job.rows, n = job.n;
  const bool f64 = job.dtype == DType::Float64;
  const size_t elem = f64 ? 8 : 4;
  // Per-row running composition, in the job's type, with the monoid's own combine.
  std::vector<char> total(rows * 2 * elem);
  std::vector<unsigned char> inexact(rows, 0);
  auto initTotals = [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    auto* t = reinterpret_cast<AffinePair<T>*>(total.data());
    for (size_t r = 0; r < rows; ++r) t[r] = AffineMonoid<T>::identity();
  };
  f64 ? initTotals(static_cast<double*>(nullptr)) : initTotals(static_cast<float*>(nullptr));
  auto store = [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    auto* t = reinterpret_cast<const AffinePair<T>*>(total.data());
    for (size_t r = 0; r < rows; ++r) {
      static_cast<T*>(job.outA)[r] = t[r].A;
      static_cast<T*>(job.outB)[r] = t[r].B;
    }
  };
  if (n == 0) {
    f64 ? store(static_cast<double*>(nullptr)) : store(static_cast<float*>(nullptr));
    return;
  }

  const Geometry g = chooseGeometry(rows, n, 2 * elem);
  const std::vector<Chunk> chunks = chunksOf(rows, n, job.reverse, g);
  const size_t cap = g.width * g.blockRows;
  Layout L;
  L.a = 0;
  L.b = align256(cap * elem);
  L.inBytes = L.b + align256(cap * elem);
  L.x = 0;  // outA
  L.xSign = align256(g.blockRows * elem);  // outB
  L.last = L.xSign + align256(g.blockRows * elem);  // outReach
  L.outBytes = L.last + align256(g.blockRows * 2 * elem);

  Staging& st = stagingFor(ctx, L.inBytes, L.outBytes);
  DrainOnUnwind drain(st);
  auto chunkJob = [&](const Chunk& c, const Slot& s) {
    AggregateJob j;
    j.dtype = job.dtype;
    j.rows = c.rows;
    j.n = c.steps;
    j.reverse = job.reverse;
    j.aStride = j.bStride = c.steps;
    j.a = static_cast<char*>(s.deviceIn.ptr) + L.a;
    j.b = static_cast<char*>(s.deviceIn.ptr) + L.b;
    j.outA = static_cast<char*>(s.deviceOut.ptr) + L.x;
    j.outB = static_cast<char*>(s.deviceOut.ptr) + L.xSign;
    j.outReach = static_cast<char*>(s.deviceOut.ptr) + L.last;
    return j;
  };
  ctx.ensureScratch(aggregateScratchBytes(chunkJob(chunks[0], st.slots[0]), ctx));

  CopyPool pool(copyWorkers());
  auto queue = [&](size_t ci, const Chunk& c, Slot& s) {
    stageCoefficients(pool, s, c, L, elem, job.a, job.aStride, job.b, job.bStride, "staged aggregate H2D");
    // Chunks share the scratch: keep their kernels in order.
    if (ci > 0) check(cudaStreamWaitEvent(s.stream, st.carryReady, 0), "cudaStreamWaitEvent (staged aggregate)");
    enqueueAggregate(chunkJob(c, s), s.stream, ctx);
    check(cudaEventRecord(st.carryReady, s.stream), "cudaEventRecord (staged aggregate)");
    check(cudaMemcpyAsync(s.hostOut.ptr, s.deviceOut.ptr, L.outBytes, cudaMemcpyDeviceToHost, s.stream),
          "staged aggregate D2H");
    check(cudaEventRecord(s.done, s.stream), "cudaEventRecord (staged aggregate)");
  };
  auto collect = [&](const Chunk& c, Slot& s) {
    const char* out = static_cast<const char*>(s.hostOut.ptr);
    auto fold = [&](auto* tag) {
      using T = std::remove_pointer_t<decltype(tag)>;
      auto* t = reinterpret_cast<AffinePair<T>*>(total.data());
      const T* A = reinterpret_cast<const T*>(out + L.x);
      const T* B = reinterpret_cast<const T*>(out + L.xSign);
      const auto* reach = reinterpret_cast<const AffineReach<T>*>(out + L.last);
      using Rules = AffineReachRules<T>;
      for (size_t i = 0; i < c.rows; ++i) {
        const AffinePair<T> part{A[i], B[i]};
        const size_t r = c.row0 + i;
        // The loop from the row's B so far may overflow inside the chunk: its B in order.
        if (!Rules::chainWithin(Rules::shifted(t[r], reach[i]))) inexact[r] = 1;
        // The chunk's zero bit, where it matters: whether some coefficient of it is exactly 0.
        auto zero = [&] {
          const T* a = static_cast<const T*>(job.a) + r * job.aStride + c.index0;
          return part.A == T(0) && std::find(a, a + c.steps, T(0)) != a + c.steps;
        };
        if (!AffineMonoid<T>::joinsExactly(t[r], part, false) && !AffineMonoid<T>::joinsExactly(t[r], part, zero()))
          inexact[r] = 1;
        t[r] = AffineMonoid<T>::combine(t[r], part);
      }
    };
    f64 ? fold(static_cast<double*>(nullptr)) : fold(static_cast<float*>(nullptr));
  };
  runSlots(st, chunks, "staged aggregate (waiting for a chunk)", queue, collect);

  // Rows where joining chunks lost a B (a reset, then a product that underflows) or where the loop
  // may overflow inside a chunk: B by its definition, start then extend, in step order, on the
  // host (the device did so within chunks). Rows whose first coefficient is ±inf (one load a row):
  // A and B in order across the chunks (composeFromInfinite; the device did so within chunk 0, but
  // a later chunk's product may underflow to 0, and ±inf·0 joins as a restart).
  auto inOrder = [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    using M = AffineMonoid<T>;
    auto* t = reinterpret_cast<AffinePair<T>*>(total.data());
    for (size_t r = 0; r < rows; ++r) {
      const T* a = static_cast<const T*>(job.a) + r * job.aStride;
      const T* b = static_cast<const T*>(job.b) + r * job.bStride;
      auto at = [&](size_t i) {
        const size_t j = job.reverse ? n - 1 - i : i;
        return AffinePair<T>{a[j], b[j]};
      };
      if (infiniteCoefficient(a[job.reverse ? n - 1 : 0]))
        t[r] = composeFromInfinite<T>(n, at);
      else if (inexact[r])
        t[r].B = composeInOrder<M>(n, at).B;
    }
  };
  f64 ? inOrder(static_cast<double*>(nullptr)) : inOrder(static_cast<float*>(nullptr));

  f64 ? store(static_cast<double*>(nullptr)) : store(static_cast<float*>(nullptr));
}

}  // namespace cuda
}  // namespace linrec
