// Where the loop may overflow part-way through composed steps (defect A, monoid.h's AffineReach):
// the rules each level of the kernels checks before a start composes across steps.
//
// A thread knows its items' reach exactly (it folds them in order), a warp and a block the reach
// of their threads shifted by each one's exclusive prefix (AffineReachRules::shifted: the reach
// of a concatenation is the largest of its parts' shifted reaches, so a maximum, exact and in
// any order, joins them). A tile's reach cannot travel with its aggregate through the look-back
// (the float64 word has no bit to spare), so a tile publishes its aggregate composable only where
// its span holds: the loop from any |x| <= kSpan stays in range through it. A start then crosses
// a published tile where it is at most kSpan, and a group's total G where it is at most kGroup
// and the group's span holds: from any |x| <= kGroup, every tile of the group is entered at most
// at kSpan. Elsewhere the look-back waits for the tile's stepped x, the path composable's
// failures take. Monoids on extended-range numbers never overflow: every rule holds for them.
#pragma once

#include <type_traits>

#include "block_scan.cuh"

namespace linrec {
namespace cuda {

template <class M> struct LoopReach {
  static constexpr bool kEnabled = false;
  using Elem = typename M::Elem;
  using Value = typename M::Value;
  struct Reach {};
  static __device__ __forceinline__ Reach of(const Elem&) { return {}; }
  static __device__ __forceinline__ Reach extend(Reach, const Elem&) { return {}; }
  static __device__ __forceinline__ Reach shifted(const Elem&, Reach) { return {}; }
  static __device__ __forceinline__ Reach warpLargest(Reach) { return {}; }
  static __device__ __forceinline__ bool within(const Value&, Reach) { return true; }
  static __device__ __forceinline__ bool spans(Reach) { return true; }
  static __device__ __forceinline__ bool fitsSpan(const Value&, const Value&) { return true; }
  static __device__ __forceinline__ bool fitsGroup(const Value&) { return true; }
  static __device__ __forceinline__ bool carriesGroup(const Elem&) { return true; }
  // The underflow certificate (below): no-ops.
  struct Sum {};
  struct Floor {};
  static __device__ __forceinline__ Sum noSteps() { return {}; }
  static __device__ __forceinline__ Sum grow(Sum, const Elem&) { return {}; }
  static __device__ __forceinline__ bool keepsProduct(const Elem&, const Elem&) { return true; }
  static __device__ __forceinline__ Floor floorOf(const Elem&, Sum, bool) { return {}; }
  static __device__ __forceinline__ bool clearsFloor(const Value&, Floor) { return true; }
  static __device__ __forceinline__ bool clearOfUnderflow(const Value&, const Elem&, Sum, bool) { return true; }
  static __device__ __forceinline__ bool capped(Sum) { return true; }
  static __device__ __forceinline__ bool clearsCap(const Value&, const Elem&, bool) { return true; }
  static __device__ __forceinline__ bool clearsGroupCap(const Value&, const Elem&, bool) { return true; }
  static __device__ __forceinline__ Sum joinSums(Sum, Sum, const Elem&) { return {}; }
  static __device__ __forceinline__ Sum cap() { return {}; }
};

template <class T> struct LoopReach<AffineMonoid<T>> : AffineReachRules<T> {
  using Rules = AffineReachRules<T>;
  using Reach = AffineReach<T>;
  static constexpr bool kEnabled = true;
  // 2^110 and 2^100 (float32), 2^960 and 2^900 (float64): a tile spans where its products grow
  // at most about 2^16 (2^62) on the way, a group where its tile ends' prefix products stay
  // within about 2^10 (2^60). A larger x crosses them by stepping through.
  static __device__ __forceinline__ T span() { return sizeof(T) == 4 ? T(0x1p110f) : T(0x1p960); }
  static __device__ __forceinline__ T group() { return sizeof(T) == 4 ? T(0x1p100f) : T(0x1p900); }

  // The largest of the warp's reaches (every lane gets it): a maximum, so the same in any order.
  static __device__ __forceinline__ Reach warpLargest(Reach r) {
#pragma unroll
    for (int d = kWarp / 2; d > 0; d >>= 1) {
      r.a = Rules::larger(r.a, __shfl_xor_sync(kFullMask, r.a, d));
      r.b = Rules::larger(r.b, __shfl_xor_sync(kFullMask, r.b, d));
    }
    return r;
  }
  // Whether the loop from any |x| <= span() stays in range through steps of reach r.
  static __device__ __forceinline__ bool spans(Reach r) { return Rules::within(span(), r); }
  // Whether `entering`, a start composed from x, may cross a published tile: at most span(), or
  // not finite where x is not (composable then keeps the loop's ∞ or NaN).
  static __device__ __forceinline__ bool fitsSpan(T entering, T x) {
    return entering - entering == T(0) ? Math<T>::abs(entering) <= span() : !(x - x == T(0));
  }
  // Whether x may cross a group's published total (whose span holds: carriesGroup).
  static __device__ __forceinline__ bool fitsGroup(T x) { return !(x - x == T(0)) || Math<T>::abs(x) <= group(); }
  // Whether the loop from any |x| <= group() through a prefix e of a group's tiles ends at most at
  // span() (false for a non-finite e).
  static __device__ __forceinline__ bool carriesGroup(AffinePair<T> e) {
    return group() * Math<T>::abs(e.A) + Math<T>::abs(e.B) <= span();
  }

  // The underflow certificate (monoid.h, AffineReachRules::clearOfUnderflow; session 22): Sum is
  // g, the sum of the suffix products' magnitudes over some steps. A thread's g is exact (its
  // items in order), a tile's joined from its threads' (joinSums: g_l·|A_r| + g_r). A start
  // crosses a thread where it clears that thread's floor (the threads after a failing one step
  // from its end, as after an overflow); a row's first tile composes where its carry clears the
  // tile's g. A tile's g cannot travel with its aggregate through the look-back, so a tile
  // publishes its aggregate composable only where g ≤ cap(), and a start crosses a published tile
  // where max(|x·A|, |B|) ≥ 4·minNormal·cap() (clearsCap); a group's total G where the group's
  // tiles' suffix products sum to at most groupSum() (carriesGroup's scan) and x clears
  // 4·minNormal·cap()·groupSum(). Elsewhere the look-back waits for a stepped x.
  using Sum = T;
  using Floor = T;
  static __device__ __forceinline__ Sum noSteps() { return T(0); }
  static __device__ __forceinline__ Sum grow(Sum g, AffinePair<T> step) { return Rules::grow(g, step.A); }
  static __device__ __forceinline__ Floor floorOf(AffinePair<T> e, Sum g, bool zero) {
    return Rules::underflowFloor(e, g, zero);
  }
  static __device__ __forceinline__ bool clearsFloor(T x, Floor f) { return Rules::clearsFloor(x, f); }
  static __device__ __forceinline__ bool clearOfUnderflow(T x, AffinePair<T> e, Sum g, bool zero) {
    return Rules::clearOfUnderflow(x, e, g, zero);
  }
  // A tile's steps (8192 float32, 4096 float64) of coefficients at most 1 in magnitude sum to at
  // most its length; 2^24 (float32; float64 2^60) leaves room for random walks (a ~ U(0.5, 1.5):
  // past 2^16 in about one tile in 5000). groupSum: 2^10 (2^30), tile products up to about 1.18
  // (float32) over a group. The floors they set: 4·minNormal·cap(): 2^-100 (2^-958) for a tile,
  // times groupSum(): 2^-90 (2^-928) for a group's G.
  static __device__ __forceinline__ T cap() { return sizeof(T) == 4 ? T(0x1p24f) : T(0x1p60); }
  static __device__ __forceinline__ T groupSum() { return sizeof(T) == 4 ? T(0x1p10f) : T(0x1p30); }
  static __device__ __forceinline__ bool capped(Sum g) { return g <= cap(); }
  static __device__ __forceinline__ bool clearsCap(T x, AffinePair<T> e, bool zero) {
    return Rules::clearOfUnderflow(x, e, cap(), zero);
  }
  static __device__ __forceinline__ bool clearsGroupCap(T x, AffinePair<T> e, bool zero) {
    return Rules::clearOfUnderflow(x, e, cap() * groupSum(), zero);
  }
  // g of l's steps then r's (r's aggregate rAgg).
  static __device__ __forceinline__ Sum joinSums(Sum l, Sum r, AffinePair<T> rAgg) {
    return l * Math<T>::abs(rAgg.A) + r;
  }
};

// An aggregate that never composes, not even after a reset: the loop's ∞ meets a zero coefficient
// as NaN, so the NaN B keeps every composition over it refused (uncomposable's A alone would
// compose again after a reset, as it should where a B was lost).
template <class T> __device__ __forceinline__ AffinePair<T> overflowing(AffinePair<T> e) {
  e.A = T(1) / T(0);
  e.B = T(0) / T(0);
  return e;
}
template <class T, class N> __device__ __forceinline__ ExtendedPair<T, N> overflowing(ExtendedPair<T, N> e) {
  return uncomposable(e);  // never asked for: extended numbers do not overflow
}

}  // namespace cuda
}  // namespace linrec
