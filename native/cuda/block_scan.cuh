// Warp and block scans of monoid elements, shuffles first, shared memory only between warps.
// Every association is fixed by lane and warp position, so results are identical run to run.
#pragma once

#include "../monoid.h"

namespace linrec {
namespace cuda {

constexpr unsigned kFullMask = 0xffffffffu;
constexpr int kWarp = 32;

// Shuffles a monoid element member by member (bools packed into one int), so the struct never
// goes through local memory. `f` shuffles one 32- or 64-bit scalar.
template <class T, class F> __device__ __forceinline__ AffinePair<T> shuffle(AffinePair<T> v, F f) {
  return {f(v.A), f(v.B)};
}
template <class M, class E, class F>
__device__ __forceinline__ ExtendedNumber<M, E> shuffle(ExtendedNumber<M, E> v, F f) {
  return {f(v.m), f(v.e)};
}
template <class T, class N, class F> __device__ __forceinline__ ExtendedPair<T, N> shuffle(ExtendedPair<T, N> v, F f) {
  return {shuffle(v.A, f), shuffle(v.B, f)};
}
template <class F> __device__ __forceinline__ float shuffle(float v, F f) { return f(v); }
template <class F> __device__ __forceinline__ double shuffle(double v, F f) { return f(v); }

template <class V> __device__ __forceinline__ V shflUp(V v, unsigned delta) {
  return shuffle(v, [delta](auto s) { return __shfl_up_sync(kFullMask, s, delta); });
}
template <class V> __device__ __forceinline__ V shflDown(V v, unsigned delta) {
  return shuffle(v, [delta](auto s) { return __shfl_down_sync(kFullMask, s, delta); });
}
template <class V> __device__ __forceinline__ V shflIdx(V v, int lane) {
  return shuffle(v, [lane](auto s) { return __shfl_sync(kFullMask, s, lane); });
}

__device__ __forceinline__ int laneId() { return int(threadIdx.x) & (kWarp - 1); }
__device__ __forceinline__ int warpId() { return int(threadIdx.x) / kWarp; }

// x after running the map e from x (x ∘ e with x as a constant map): the one way a value meets
// an aggregate, shared by every kernel so the association never varies.
template <class M> __device__ __forceinline__ typename M::Value apply(typename M::Value x, typename M::Elem e) {
  return M::value(M::combine(M::constant(x), e));
}

// Inclusive scan across the first Width lanes (a power of two), lane order = sequence order.
template <class M, int Width = kWarp>
__device__ __forceinline__ typename M::Elem warpInclusiveScan(typename M::Elem v) {
  const int lane = laneId();
#pragma unroll
  for (int d = 1; d < Width; d <<= 1) {
    typename M::Elem up = shflUp(v, d);
    if (lane >= d) v = M::combine(up, v);
  }
  return v;
}

// Exclusive prefix from an inclusive scan (lane 0 gets the identity).
template <class M> __device__ __forceinline__ typename M::Elem exclusiveFromInclusive(typename M::Elem inclusive) {
  typename M::Elem up = shflUp(inclusive, 1);
  return laneId() == 0 ? M::identity() : up;
}

// Block-wide scan in two steps, so a caller can slot its look-back in between:
//   1. scanWarps: each warp scans its lanes; warp totals go to shared memory;
//   2. (after __syncthreads) warp 0 calls scanWarpTotals for each warp's exclusive prefix and
//      the block total.
template <class M, int Threads> struct BlockScan {
  using Elem = typename M::Elem;
  static constexpr int kWarps = Threads / kWarp;
  static_assert(Threads % kWarp == 0 && kWarps <= kWarp && (kWarps & (kWarps - 1)) == 0,
                "block must be a power-of-two number of warps, at most 32");

  struct Storage {
    Elem warpTotal[kWarps];
  };

  // Returns the lane's exclusive prefix within its warp.
  static __device__ __forceinline__ Elem scanWarps(Elem threadAggregate, Storage& s) {
    Elem inclusive = warpInclusiveScan<M>(threadAggregate);
    if (laneId() == kWarp - 1) s.warpTotal[warpId()] = inclusive;
    return exclusiveFromInclusive<M>(inclusive);
  }

  // Warp 0 only, after a barrier: lane w < kWarps gets warp w's exclusive prefix; every lane
  // gets the block total.
  static __device__ __forceinline__ Elem scanWarpTotals(const Storage& s, Elem& blockTotal) {
    const int lane = laneId();
    Elem v = lane < kWarps ? s.warpTotal[lane] : M::identity();
    Elem inclusive = warpInclusiveScan<M, kWarps>(v);
    blockTotal = shflIdx(inclusive, kWarps - 1);
    return exclusiveFromInclusive<M>(inclusive);
  }
};

}  // namespace cuda
}  // namespace linrec
