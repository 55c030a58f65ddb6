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

// Monoids whose combine can lose a left B: products that underflow (AffineMonoid; extended
// numbers do not underflow).
template <class M> struct LosesB {
  static constexpr bool value = false;
};
template <class T> struct LosesB<AffineMonoid<T>> {
  static constexpr bool value = true;
};

// warpInclusiveScan of aggregates whose zero bits (some coefficient is 0: A an exact 0) are
// known: `zero` becomes each prefix's, and `exact` (in: whether the lane's own element is the
// loop's) whether the prefix is the loop's. A combine
// whose right part's product underflowed without a zero coefficient, after a left B that still
// counts (not M::composable), loses that B, and so does every prefix over it (x reset to 1e300 in
// one tile, a tile product of 1e-333 later in the same group: session 14). Scans ask composable,
// which also calls a non-finite part inexact; aggregates (AggregateRules) ask joinsExactly, which
// leaves it to combine's rules, as extend does.
template <class M, int Width = kWarp, bool AggregateRules = false>
__device__ __forceinline__ typename M::Elem warpInclusiveScanExact(typename M::Elem v, bool& zero, bool& exact) {
  const int lane = laneId();
  const unsigned zeros = __ballot_sync(kFullMask, zero);
  zero = (zeros & ((2u << lane) - 1u)) != 0;
  if constexpr (!LosesB<M>::value) return warpInclusiveScan<M, Width>(v);
#pragma unroll
  for (int d = 1; d < Width; d <<= 1) {
    const typename M::Elem up = shflUp(v, d);
    const unsigned exacts = __ballot_sync(kFullMask, exact);
    if (lane >= d) {
      // the right part: lanes (lane - d, lane]; its zero bit from the lanes' own
      const bool rightZero = ((zeros >> (lane - d + 1)) & ((1u << d) - 1u)) != 0;
      bool joins;
      if constexpr (AggregateRules)
        joins = M::joinsExactly(up, v, rightZero);
      else
        joins = M::composable(M::value(up), v, rightZero);
      // the left part: lanes [max(0, lane - 2d + 1), lane - d]; a product that lost its bits below
      // the normal range and grows (AffineReachRules::keepsProduct) is not the steps' product
      if constexpr (LosesB<M>::value) {
        const int leftFirst = lane - 2 * d + 1 > 0 ? lane - 2 * d + 1 : 0;
        const bool leftZero = ((zeros >> leftFirst) & ((1u << (lane - d - leftFirst + 1)) - 1u)) != 0;
        joins = joins && AffineReachRules<typename M::Scalar>::keepsProduct(up.A, v.A, leftZero || rightZero);
      }
      exact = exact && ((exacts >> (lane - d)) & 1u) && joins;
      v = M::combine(up, v);
    }
  }
  return v;
}

// An aggregate that must never compose (M::composable is false for it): its A made infinite.
template <class T> __device__ __forceinline__ AffinePair<T> uncomposable(AffinePair<T> e) {
  e.A = T(1) / T(0);
  return e;
}
template <class T, class N> __device__ __forceinline__ ExtendedPair<T, N> uncomposable(ExtendedPair<T, N> e) {
  e.A.m = decltype(e.A.m)(1) / decltype(e.A.m)(0);
  return e;
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
    bool warpTotalExact[kWarps];  // scanWarpsExact: whether the warp's total is the loop's
  };

  // Returns the lane's exclusive prefix within its warp.
  static __device__ __forceinline__ Elem scanWarps(Elem threadAggregate, Storage& s) {
    Elem inclusive = warpInclusiveScan<M>(threadAggregate);
    if (laneId() == kWarp - 1) s.warpTotal[warpId()] = inclusive;
    return exclusiveFromInclusive<M>(inclusive);
  }

  // scanWarps of aggregates with their zero bits (warpInclusiveScanExact): exclusiveExact tells
  // whether the lane's exclusive prefix is the loop's.
  // ownExact: whether the thread's aggregate is the loop's (its product kept, reduceItemsReach).
  template <bool AggregateRules = false>
  static __device__ __forceinline__ Elem scanWarpsExact(Elem threadAggregate, bool zero, Storage& s,
                                                        bool& exclusiveExact, bool ownExact = true) {
    bool exact = ownExact;
    Elem inclusive = warpInclusiveScanExact<M, kWarp, AggregateRules>(threadAggregate, zero, exact);
    const unsigned exacts = __ballot_sync(kFullMask, exact);
    if (laneId() == kWarp - 1) s.warpTotal[warpId()] = inclusive, s.warpTotalExact[warpId()] = exact;
    exclusiveExact = laneId() == 0 || ((exacts >> (laneId() - 1)) & 1u) != 0;
    return exclusiveFromInclusive<M>(inclusive);
  }

  // scanWarpTotals after scanWarpsExact, with each warp's zero bit (lanes w < kWarps): whether the
  // block total and the lane's exclusive prefix are the loop's.
  template <bool AggregateRules = false>
  static __device__ __forceinline__ Elem scanWarpTotalsExact(const Storage& s, bool warpZero, Elem& blockTotal,
                                                             bool& blockExact, bool& exclusiveExact) {
    const int lane = laneId();
    Elem v = lane < kWarps ? s.warpTotal[lane] : M::identity();
    bool exact = lane < kWarps ? s.warpTotalExact[lane] : true;
    Elem inclusive = warpInclusiveScanExact<M, kWarps, AggregateRules>(v, warpZero, exact);
    blockTotal = shflIdx(inclusive, kWarps - 1);
    const unsigned exacts = __ballot_sync(kFullMask, exact);
    blockExact = ((exacts >> (kWarps - 1)) & 1u) != 0;
    exclusiveExact = lane == 0 || ((exacts >> (lane - 1)) & 1u) != 0;
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
