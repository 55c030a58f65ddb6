// The "composable" fallback of the CUDA engine (the CPU engine's rescanInOrder, native/cpu).
//
// M::composable(x, e, exactReset) says whether apply(x, e) = value(combine(constant(x), e))
// matches stepping through e's inputs one by one from x (monoid.h: a product that overflowed,
// a B that overflowed, or a product that underflowed while x's contribution still counts).
// Every kernel checks it wherever a carry meets an aggregate, and where it fails steps through
// instead. exactReset says that some step of e has a coefficient of exactly 0, so A == 0 is a
// reset rather than an underflow: the kernels track it with ballots over zeroCoefficient. The
// choice depends on the data alone, so results stay deterministic.
#pragma once

#include "block_scan.cuh"

namespace linrec {
namespace cuda {

// Whether one of a thread's first `count` steps has a coefficient of exactly 0.
template <class M, int Items>
__device__ __forceinline__ bool anyZeroCoefficient(const typename M::Elem (&e)[Items], int count) {
  bool zero = false;
#pragma unroll
  for (int k = 0; k < Items; ++k) zero = zero || (k < count && M::zeroCoefficient(e[k]));
  return zero;
}

// From a ballot over lanes: whether a lane before this one has its bit set.
__device__ __forceinline__ bool anyBefore(unsigned ballot) { return (ballot & ((1u << laneId()) - 1u)) != 0; }

// The sequential loop over a thread's first `count` items from x, without storing: x after them.
template <class M, int Items>
__device__ __forceinline__ typename M::Value stepItems(typename M::Value x, const typename M::Elem (&e)[Items],
                                                       int count) {
#pragma unroll
  for (int k = 0; k < Items; ++k)
    if (k < count) x = M::step(x, e[k]);
  return x;
}

// The slow path of one warp: the sequential loop through the items of lanes firstLane..31 in
// lane order, from x. Returns the value each of those lanes starts from (x before its first
// item); `x` becomes the value after the warp's last item, in every lane. Whole warp, convergent
// (firstLane is warp-uniform).
template <class M, int Items>
__device__ __forceinline__ typename M::Value warpStepThrough(typename M::Value& x, const typename M::Elem (&e)[Items],
                                                          int count, int firstLane) {
  typename M::Value start = x;
  const int lane = laneId();
#pragma unroll 1
  for (int l = firstLane; l < kWarp; ++l) {
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
