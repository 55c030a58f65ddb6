// Moving a warp's segment of steps between global memory and registers.
//
// A warp owns the kWarp x Items consecutive steps [s, s + kWarp·Items) of a row; lane l owns
// the Items steps from s + l·Items (a blocked arrangement, what the scans need). In memory the
// segment is one run of consecutive indices (ascending when forward, descending when reversed),
// whatever its alignment: users pass b and x at offset +1 of their arrays (x_0 first), and a
// reversed row starts wherever n puts it. So the warp moves the run through a shared-memory
// stage, CUB's warp-transpose way: 16-byte vectors, warp-striped (lane l takes vectors l,
// l + 32, ...: each instruction moves 512 contiguous bytes), for the aligned middle of the run,
// single elements for its unaligned head and its tail (fewer than a vector each), then each lane
// reads its own steps from the stage. The stage is padded by one element per 128 bytes, so that
// lanes reading Items consecutive elements hit distinct banks. A warp reads and writes only the
// indices of its own segment, so in-place scans (x aliasing a or b) are safe.
//
// Every function here is a warp collective: all 32 lanes call it, with the same segment.
#pragma once

#include <cstdint>
#include <type_traits>

#include "../access.h"
#include "block_scan.cuh"
#include "held_items.cuh"

namespace linrec {
namespace cuda {

template <class T> struct Vector16;
template <> struct Vector16<float> {
  using Type = float4;
  static constexpr int kCount = 4;
};
template <> struct Vector16<double> {
  using Type = double2;
  static constexpr int kCount = 2;
};

// One warp's stage for segments of kWarp x Items elements of T.
template <class T, int Items> struct WarpStage {
  static constexpr int kElements = kWarp * Items;
  static constexpr int kRow = 128 / int(sizeof(T));  // elements per row of the 32 banks
  static constexpr int kPadded = kElements + kElements / kRow;
  static_assert(Items % Vector16<T>::kCount == 0, "items per thread must fill whole 16-byte vectors");
  T slot[kPadded];
  __device__ __forceinline__ T& operator[](int i) { return slot[i + i / kRow]; }
};

// Steps of the segment that starts at step s of a row of n steps (0 past the row's end).
template <int Items> __device__ __forceinline__ int segmentCount(size_t s, size_t n) {
  constexpr size_t kElements = size_t(kWarp) * Items;
  return s >= n ? 0 : (n - s < kElements ? int(n - s) : int(kElements));
}
// Lowest memory index of that segment's steps (0 for an empty segment, whose start may lie past
// the row's end: no pointer is formed outside the row).
template <bool Reverse> __device__ __forceinline__ size_t segmentLow(size_t s, size_t n, int count) {
  return count == 0 ? 0 : Reverse ? n - s - size_t(count) : s;
}
// Stage position of item k of this lane (memory order from the segment's lowest index).
template <bool Reverse, int Items> __device__ __forceinline__ int stagePosition(int count, int k) {
  const int step = laneId() * Items + k;
  return Reverse ? count - 1 - step : step;
}
__device__ __forceinline__ bool laneItemValid(int items, int count, int k) { return laneId() * items + k < count; }

// Elements before p's first 16-byte boundary (fewer than a vector's), at most count. p is
// element-aligned, as typed arrays and device allocations always are (a GPU faults on a
// misaligned scalar access anyway).
template <class T> __device__ __forceinline__ int headElements(const T* p, int count) {
  const int head = int((16 - reinterpret_cast<uintptr_t>(p) % 16) % 16 / sizeof(T));
  return head < count ? head : count;
}

// stage[0, count) = p[0, count).
template <int Items, class T>
__device__ __forceinline__ void stageIn(const T* p, int count, WarpStage<T, Items>& stage) {
  using V = typename Vector16<T>::Type;
  constexpr int kCount = Vector16<T>::kCount;
  const int lane = laneId();
  const int head = headElements(p, count);
  const int vectors = (count - head) / kCount;
  const int tail = head + vectors * kCount;  // first element after the vectors
  __syncwarp();  // the stage's previous readers are done
  const V* pv = reinterpret_cast<const V*>(p + head);
#pragma unroll
  for (int j = 0; j < Items / kCount; ++j) {
    const int v = lane + j * kWarp;
    if (v < vectors) {
      V w = pv[v];
      const T* s = reinterpret_cast<const T*>(&w);
#pragma unroll
      for (int c = 0; c < kCount; ++c) stage[head + v * kCount + c] = s[c];
    }
  }
  if (lane < head) stage[lane] = p[lane];
  if (tail + lane < count) stage[tail + lane] = p[tail + lane];
  __syncwarp();
}

// p[0, count) = stage[0, count). Vectors through __stwb (a plain write-back store): with a plain
// assignment nvcc merged vector stores with nearby scalar ones into scalar stores.
template <int Items, class T> __device__ __forceinline__ void stageOut(T* p, int count, WarpStage<T, Items>& stage) {
  using V = typename Vector16<T>::Type;
  constexpr int kCount = Vector16<T>::kCount;
  const int lane = laneId();
  const int head = headElements(p, count);
  const int vectors = (count - head) / kCount;
  const int tail = head + vectors * kCount;
  __syncwarp();  // every lane has written its items
  V* pv = reinterpret_cast<V*>(p + head);
#pragma unroll
  for (int j = 0; j < Items / kCount; ++j) {
    const int v = lane + j * kWarp;
    if (v < vectors) {
      V w;
      T* d = reinterpret_cast<T*>(&w);
#pragma unroll
      for (int c = 0; c < kCount; ++c) d[c] = stage[head + v * kCount + c];
      __stwb(pv + v, w);
    }
  }
  if (lane < head) p[lane] = stage[lane];
  if (tail + lane < count) p[tail + lane] = stage[tail + lane];
}

// A partial segment's items (a row's last segment only; LINREC_HD_COLD: rare, as monoid.h's general
// paths, which bench/gpu/model.py leaves off the likely path; nvcc laid this out as the
// fall-through): this lane's valid items from the stage into v.
template <bool Reverse, int Items, class T>
LINREC_HD_COLD void readPartialSegment(int count, WarpStage<T, Items>& stage, T (&v)[Items]) {
#pragma unroll
  for (int k = 0; k < Items; ++k)
    if (laneItemValid(Items, count, k)) v[k] = stage[stagePosition<Reverse, Items>(count, k)];
}

// This lane's items of array p (its row's memory index 0), into v; items past the row's end
// are left as they are.
template <bool Reverse, int Items, class T>
__device__ __forceinline__ void loadLaneItems(const T* row, size_t n, size_t s, WarpStage<T, Items>& stage,
                                              T (&v)[Items]) {
  const int count = segmentCount<Items>(s, n);
  stageIn(row + segmentLow<Reverse>(s, n, count), count, stage);
  if (count == WarpStage<T, Items>::kElements) {  // a whole segment: no checks per item
#pragma unroll
    for (int k = 0; k < Items; ++k) v[k] = stage[stagePosition<Reverse, Items>(count, k)];
  } else {
    readPartialSegment<Reverse>(count, stage, v);
  }
}

template <bool Reverse, int Items, class T> __device__ __forceinline__ void storeLaneItems(T* row, size_t n, size_t s,
                                                                                           WarpStage<T, Items>& stage,
                                                                                           const T (&v)[Items]) {
  const int count = segmentCount<Items>(s, n);
  __syncwarp();  // the stage's previous readers are done
#pragma unroll
  for (int k = 0; k < Items; ++k)
    if (laneItemValid(Items, count, k)) stage[stagePosition<Reverse, Items>(count, k)] = v[k];
  stageOut(row + segmentLow<Reverse>(s, n, count), count, stage);
}

// The stage type a kernel declares for an access: its storage scalar, its items per thread.
template <class Access, int Items> using StageOf = WarpStage<typename Access::Monoid::Scalar, Items>;

// ---------------------------------------------------------------------------------------------
// Raw a, b (Direct and LogFromRaw). s: the warp's segment start (lane 0's first step).

template <int Items, class M, bool Reverse>
__device__ __forceinline__ void loadItems(const RawAccess<M, Reverse>& acc, size_t r, size_t n, size_t s,
                                          typename HeldOf<RawAccess<M, Reverse>>::Item (&e)[Items],
                                          WarpStage<typename M::Scalar, Items>& stage) {
  using T = typename M::Scalar;
  using Access = RawAccess<M, Reverse>;
  T av[Items], bv[Items];
  loadLaneItems<Reverse>(acc.a + r * acc.aStride, n, s, stage, av);
  loadLaneItems<Reverse>(acc.b + r * acc.bStride, n, s, stage, bv);
  const int count = segmentCount<Items>(s, n);
#pragma unroll
  for (int k = 0; k < Items; ++k)
    if (laneItemValid(Items, count, k)) e[k] = HeldOf<Access>::hold(av[k], bv[k]);
}

template <int Items, class M, bool Reverse>
__device__ __forceinline__ void storeItems(const RawAccess<M, Reverse>& acc, size_t r, size_t n, size_t s,
                                           const typename HeldOf<RawAccess<M, Reverse>>::Out (&v)[Items],
                                           WarpStage<typename M::Scalar, Items>& stage) {
  using T = typename M::Scalar;
  using Access = RawAccess<M, Reverse>;
  T xv[Items];
#pragma unroll
  for (int k = 0; k < Items; ++k) xv[k] = HeldOf<Access>::raw(v[k]);
  storeLaneItems<Reverse>(acc.x + r * acc.xStride, n, s, stage, xv);
}

// ---------------------------------------------------------------------------------------------
// log|a|, log|b| with int8 signs (LogFromLog). The logs move through the stage; signs byte by
// byte.
template <int Items, class T, bool Reverse, class M>
__device__ __forceinline__ void loadItems(const LogAccess<T, Reverse, M>& acc, size_t r, size_t n, size_t s,
                                          typename M::Elem (&e)[Items], WarpStage<T, Items>& stage) {
  using Access = LogAccess<T, Reverse, M>;
  T av[Items], bv[Items];
  loadLaneItems<Reverse>(acc.a + r * acc.aStride, n, s, stage, av);
  loadLaneItems<Reverse>(acc.b + r * acc.bStride, n, s, stage, bv);
  const int count = segmentCount<Items>(s, n);
  const size_t low = segmentLow<Reverse>(s, n, count);
  const size_t ka = r * acc.aStride + low, kb = r * acc.bStride + low;
#pragma unroll
  for (int k = 0; k < Items; ++k)
    if (laneItemValid(Items, count, k)) {
      const int p = stagePosition<Reverse, Items>(count, k);
      e[k] = Access::make(av[k], bv[k], Access::negative(acc.aSign, ka + p), Access::negative(acc.bSign, kb + p),
                          static_cast<typename M::Elem*>(nullptr));
    }
}

template <int Items, class T, bool Reverse, class M>
__device__ __forceinline__ void storeItems(const LogAccess<T, Reverse, M>& acc, size_t r, size_t n, size_t s,
                                           const typename M::Value (&v)[Items], WarpStage<T, Items>& stage) {
  using Access = LogAccess<T, Reverse, M>;
  const int count = segmentCount<Items>(s, n);
  const size_t kx = r * acc.xStride + segmentLow<Reverse>(s, n, count);
  T xv[Items];
#pragma unroll
  for (int k = 0; k < Items; ++k) {
    xv[k] = Access::logOf(v[k]);
    if (laneItemValid(Items, count, k))
      acc.xSign[kx + stagePosition<Reverse, Items>(count, k)] = Access::signOf(Access::negativeOf(v[k]));
  }
  storeLaneItems<Reverse>(acc.x + r * acc.xStride, n, s, stage, xv);
}

}  // namespace cuda
}  // namespace linrec
