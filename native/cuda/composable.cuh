// The "composable" fallback of the CUDA engine (the CPU engine's rescanInOrder, native/cpu).
//
// M::composable(x, e) says whether apply(x, e) = value(combine(constant(x), e)) matches stepping
// through e's inputs one by one from x. Every kernel checks it wherever a carry meets an
// aggregate, and where it fails steps through instead. The choice depends on the data alone, so
// results stay deterministic.
//
// For both monoids, composable(x, e) depends on x only through whether x is infinite
// (isInfiniteValue below): AffineMonoid asks |x| == inf, SignedLogMonoid does not look at x.
// So a set of elements can be summarized, before any carry is known, by two bits:
//   kFragileFinite:   some element is not composable with a finite (or NaN) x;
//   kFragileInfinite: some element is not composable with an infinite x;
// and innerComposable(x, bits) is then exactly "every element of the set is composable with x".
// The tile kernel publishes these bits of its inner aggregates next to its own aggregate, so the
// look-back of a later tile makes exactly the decision the tile itself makes.
#pragma once

#include "block_scan.cuh"

namespace linrec {
namespace cuda {

enum FragileBits : unsigned { kFragileFinite = 1u, kFragileInfinite = 2u };

template <class T> __device__ __forceinline__ bool isInfiniteValue(T v) { return Math<T>::abs(v) == Math<T>::inf(); }
template <class T> __device__ __forceinline__ bool isInfiniteValue(SignedLog<T> v) { return v.log == Math<T>::inf(); }

template <class T> __device__ __forceinline__ T infiniteValueOf(T*) { return Math<T>::inf(); }
template <class T> __device__ __forceinline__ SignedLog<T> infiniteValueOf(SignedLog<T>*) {
  return {Math<T>::inf(), false};
}

// Which classes of x the element e is not composable with.
template <class M> __device__ __forceinline__ unsigned fragility(typename M::Elem e) {
  using Value = typename M::Value;
  const Value finite = M::value(M::identity());  // zero
  const Value infinite = infiniteValueOf(static_cast<Value*>(nullptr));
  return (M::composable(finite, e) ? 0u : unsigned(kFragileFinite)) |
         (M::composable(infinite, e) ? 0u : unsigned(kFragileInfinite));
}

// Whether every element summarized by `bits` is composable with x.
template <class V> __device__ __forceinline__ bool innerComposable(V x, unsigned bits) {
  return (bits & (isInfiniteValue(x) ? unsigned(kFragileInfinite) : unsigned(kFragileFinite))) == 0;
}

// OR of the fragility bits over the warp (two ballots; no sm_80-only intrinsics needed).
__device__ __forceinline__ unsigned warpOrFragility(unsigned bits) {
  unsigned finite = __ballot_sync(kFullMask, (bits & kFragileFinite) != 0);
  unsigned infinite = __ballot_sync(kFullMask, (bits & kFragileInfinite) != 0);
  return (finite ? unsigned(kFragileFinite) : 0u) | (infinite ? unsigned(kFragileInfinite) : 0u);
}

// The sequential loop over a thread's first `count` items from x, without storing: x after them.
template <class M, int Items>
__device__ __forceinline__ typename M::Value stepItems(typename M::Value x, const typename M::Elem (&e)[Items],
                                                       int count) {
#pragma unroll
  for (int k = 0; k < Items; ++k)
    if (k < count) x = M::step(x, e[k]);
  return x;
}

// The slow path of one warp: the sequential loop through the warp's items in lane order, from x.
// Returns the value each lane starts from (x before its first item); `x` becomes the value
// after the warp's last item, in every lane. Whole warp, convergent.
template <class M, int Items>
__device__ __forceinline__ typename M::Value warpStepThrough(typename M::Value& x, const typename M::Elem (&e)[Items],
                                                          int count) {
  typename M::Value start = x;
  const int lane = laneId();
#pragma unroll 1
  for (int l = 0; l < kWarp; ++l) {
    if (lane == l) {
      start = x;
      x = stepItems<M>(x, e, count);
    }
    x = shflIdx(x, l);
  }
  return start;
}

}  // namespace cuda
}  // namespace linrec
