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
#include "held_items.cuh"
#include "reach.cuh"

namespace linrec {
namespace cuda {

// Whether one of a thread's first `count` steps has a coefficient of exactly 0. Items are a
// lane's held form (held_items.cuh's HeldOf); the extended-range monoids never need the answer.
template <class M, class Item, int Items>
__device__ __forceinline__ bool anyZeroCoefficient(const Item (&e)[Items], int count) {
  bool zero = false;
  if constexpr (std::is_same<Item, typename M::Elem>::value) {
#pragma unroll
    for (int k = 0; k < Items; ++k) zero = zero || (k < count && M::zeroCoefficient(e[k]));
  }
  return zero;
}

// From a ballot over lanes: whether a lane before this one has its bit set.
__device__ __forceinline__ bool anyBefore(unsigned ballot) { return (ballot & ((1u << laneId()) - 1u)) != 0; }

// The sequential loop over a thread's first `count` items from x, without storing: x after them.
template <class M, class Item, int Items>
__device__ __forceinline__ typename M::Value stepItems(typename M::Value x, const Item (&e)[Items], int count) {
#pragma unroll
  for (int k = 0; k < Items; ++k)
    if (k < count) x = M::step(x, elemOf<M>(opaqueItem(e[k])));
  return x;
}

// The slow path of one warp: the sequential loop through the items of lanes firstLane..31 in
// lane order, from x. Returns the value each of those lanes starts from (x before its first
// item); `x` becomes the value after the warp's last item, in every lane. Whole warp, convergent
// (firstLane is warp-uniform).
template <class M, class Item, int Items>
__device__ __forceinline__ typename M::Value warpStepThrough(typename M::Value& x, const Item (&e)[Items], int count,
                                                             int firstLane) {
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

// ---------------------------------------------------------------------------------------------
// The wide composition (the direct method). Where a carry does not compose with an aggregate in
// T, the reason is the range of T: a product of coefficients that underflowed meeting an
// infinite or huge carry (x_0 = inf, |x|/|B| beyond ~1e31 in float32), or a product or B that
// overflowed. The same composition on monoid.h's extended-range numbers (ExtendedAffineMonoid:
// a double mantissa and an int64 exponent) neither over- nor underflows, so it gives each
// thread's start x without stepping through: a block-wide scan of depth log2(threads) instead of
// threads x items dependent steps. It matches the loop wherever the loop stays in range; where
// the loop itself leaves it (an x overflows, so stays infinite in the loop while the exact value
// may come back) or an input is not finite, the tile steps through in order as before. Each
// thread checks that on its own steps, so the choice depends on the data alone (deterministic).
template <class M> struct Wide {
  static constexpr bool kEnabled = false;
};
template <class T> struct Wide<AffineMonoid<T>> {
  static constexpr bool kEnabled = true;
  using Monoid = ExtendedAffineMonoid<T>;
  using Elem = ExtendedPair<T>;
  static __device__ __forceinline__ Elem of(AffinePair<T> e) {
    return {extended::fromValue(e.A), extended::fromValue(e.B)};
  }
  static __device__ __forceinline__ bool finite(Elem e) { return extended::finite(e.A.m) && extended::finite(e.B.m); }
  static __device__ __forceinline__ bool finite(T v) { return v - v == T(0); }
};

// A thread's first `count` items composed on extended-range numbers (start, then extend), and
// whether every one of their inputs is finite.
template <class M, int Items>
__device__ __forceinline__ typename Wide<M>::Elem wideReduceItems(const typename M::Elem (&e)[Items], int count,
                                                                  bool& finite) {
  using W = Wide<M>;
  using WM = typename W::Monoid;
  typename W::Elem total = count > 0 ? WM::start(W::of(e[0])) : WM::identity();
  finite = count <= 0 || (W::finite(e[0].A) && W::finite(e[0].B));
#pragma unroll
  for (int k = 1; k < Items; ++k)
    if (k < count) {
      total = WM::extend(total, W::of(e[k]));
      finite = finite && W::finite(e[k].A) && W::finite(e[k].B);
    }
  return total;
}

template <class M, int Threads, int Items> struct WideTileScan {
  using W = Wide<M>;
  using WM = typename W::Monoid;
  using WElem = typename W::Elem;
  using Value = typename M::Value;
  using Scan = BlockScan<WM, Threads>;
  struct Storage {
    typename Scan::Storage scan;
    Extended warpBegin[Scan::kWarps];
    unsigned warpPrefixFinite[Scan::kWarps];
  };

  // Whole block, after the T scan found that thread `first` (block-uniform) is the first whose
  // start does not compose with `carry` (the tile's). Returns, block-uniform, whether the wide
  // starts hold for the whole tile; then `begin` of threads first.. is replaced by them
  // (threads before `first` keep theirs, as with stepping through).
  // floor: the least start from which the thread's own steps compose (reach.cuh: the loop may
  // underflow inside them; a wide start composes across that as T's does).
  template <class Floor> static __device__ bool begins(Value carry, const typename M::Elem (&e)[Items], int count,
                                                       int first, Value& begin, Floor floor, Storage& s) {
    bool unused;
    const WElem laneExclusive = Scan::scanWarps(wideReduceItems<M>(e, count, unused), s.scan);
    __syncthreads();
    if (warpId() == 0) {
      WElem blockTotal;
      const WElem warpExclusive = Scan::scanWarpTotals(s.scan, blockTotal);
      if (laneId() < Scan::kWarps) {
        s.warpBegin[laneId()] = apply<WM>(extended::fromValue(carry), warpExclusive);
        s.warpPrefixFinite[laneId()] = W::finite(warpExclusive);
      }
    }
    __syncthreads();
    const int me = int(threadIdx.x);
    const Extended wide = apply<WM>(s.warpBegin[warpId()], laneExclusive);
    const Value wideValue = Value(extended::toDouble(wide));
    const Value mine = me >= first ? wideValue : begin;
    // An input that is not finite, or a start past T's range (the loop overflowed before it).
    bool steps = me >= first && (!s.warpPrefixFinite[warpId()] || !W::finite(laneExclusive) ||
                                 (extended::finite(wide.m) && !W::finite(wideValue)));
    // The loop overflows inside this thread's steps (or meets an input that is not finite).
    steps = steps || (W::finite(mine) && !W::finite(stepItems<M>(mine, e, count)));
    // The loop underflows inside this thread's steps (the threads after it would need its x).
    steps = steps || (me >= first && !LoopReach<M>::clearsFloor(mine, floor));
    if (__syncthreads_or(steps)) return false;
    begin = mine;
    return true;
  }
};

}  // namespace cuda
}  // namespace linrec
