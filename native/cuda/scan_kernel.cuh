// The scan and aggregate kernels. Three shapes, picked by device_scan.cu:
//   * scanTilesKernel: one block scans one tile of kThreads x kTileItems steps of a row; tiles of a
//     row are chained by the decoupled look-back (tile_status.cuh). For few long rows.
//   * scanWarpRowsKernel: one warp walks one row in segments of 32 x kItems steps, carrying
//     the value in registers; no inter-block traffic at all. For many rows or short rows.
//   * scanThreadRowsKernel: one thread per row, plain loop. For tiny n (and n == 0).
// Inside a thread, its kItems consecutive steps are reduced with `extend` and rescanned with
// `step` (exactly the CPU engine's split); `combine` joins threads, warps and tiles.
// Wherever a carry meets an aggregate, M::composable is checked; where it fails, the direct
// method composes again in extended range (composable.cuh's Wide), and only where that does not
// match the loop either does the kernel step through in order, like the CPU engine's rescanInOrder.
// Loads and stores go through a per-warp shared-memory stage (tile_io.cuh).
#pragma once

#include "block_scan.cuh"
#include "composable.cuh"
#include "reach.cuh"
#include "tile_io.cuh"
#include "tile_status.cuh"

namespace linrec {
namespace cuda {

// Tile shapes: 16-byte loads per array, 2-4 of them in flight per thread and array for the
// bandwidth-bound direct method; fewer items where registers or transcendentals dominate.
// kItems: a thread's steps in the warp-per-row kernels; kTileItems: in the tile kernels (scan
// with look-back, aggregate), whose tiles are kThreads x kTileItems steps. kMinBlocks bounds
// registers for every kernel of the policy; kTileMinBlocks for the tile scan alone,
// kReverseTileMinBlocks for the reversed one. Loads go through the warp's shared-memory stage
// (tile_io.cuh), which keeps 2 x 16 bytes x items/4 per thread in flight.
// The affine tiles are large because the look-back chain, not memory, set the speed on an H200
// (2026-11-30: 41 tiles/µs for float32, 25 for float64, where the copy floor needs 86): the same
// kernels with 8192-step float32 tiles (32 items) and 4096-step float64 tiles (16 items) at 2
// blocks/SM took 1.18 ms instead of 1.60 (2^28 float32: 1.55x the copy floor instead of 2.10x)
// and 1.61 ms instead of 2.63 (2^27 float64: 2.12x instead of 3.47x). At 2 blocks/SM (128
// registers) they do not spill; the warp-per-row kernels keep 16 and 8 items, which spill at 32
// and 16.
// Probes of other shapes define these (bench/gpu/probe2.sh).
#ifndef LINREC_AFFINE_TILE_MIN_BLOCKS
#define LINREC_AFFINE_TILE_MIN_BLOCKS 2
#endif
#ifndef LINREC_AFFINE_F32_ITEMS
#define LINREC_AFFINE_F32_ITEMS 16
#endif
#ifndef LINREC_AFFINE_F64_ITEMS
#define LINREC_AFFINE_F64_ITEMS 8
#endif
#ifndef LINREC_AFFINE_F32_TILE_ITEMS
#define LINREC_AFFINE_F32_TILE_ITEMS 32
#endif
#ifndef LINREC_AFFINE_F64_TILE_ITEMS
#define LINREC_AFFINE_F64_TILE_ITEMS 16
#endif
template <class M> struct TilePolicy;
template <> struct TilePolicy<AffineMonoid<float>> {
  static constexpr int kThreads = 256, kItems = LINREC_AFFINE_F32_ITEMS, kTileItems = LINREC_AFFINE_F32_TILE_ITEMS,
                       kMinBlocks = 2, kTileMinBlocks = LINREC_AFFINE_TILE_MIN_BLOCKS,
                       kReverseTileMinBlocks = LINREC_AFFINE_TILE_MIN_BLOCKS;
};
template <> struct TilePolicy<AffineMonoid<double>> {
  static constexpr int kThreads = 256, kItems = LINREC_AFFINE_F64_ITEMS, kTileItems = LINREC_AFFINE_F64_TILE_ITEMS,
                       kMinBlocks = 2, kTileMinBlocks = LINREC_AFFINE_TILE_MIN_BLOCKS,
                       kReverseTileMinBlocks = LINREC_AFFINE_TILE_MIN_BLOCKS;
};
// The float32 log method on raw inputs: items wait as the raw a, b (held_items.cuh's HeldOf), the
// affine float32 shapes' registers, so the same shapes (and the same probe macros). With 2048-step
// tiles (items held as four-word elements) the look-back chain, not memory, set the speed
// (bench/NOTES.md, session 13: the model's 3.62x the copy floor at 2^28 on an H200).
template <> struct TilePolicy<ExtendedFloatAffineMonoid> {
  static constexpr int kThreads = 256, kItems = LINREC_AFFINE_F32_ITEMS, kTileItems = LINREC_AFFINE_F32_TILE_ITEMS,
                       kMinBlocks = 2, kTileMinBlocks = 2, kReverseTileMinBlocks = 2;
};
// The float32 log method on logs (logScan): items are elements, twice the affine one's registers
// (mantissas and exponents), so fewer items: 8 in tiles and warp rows.
struct LogInputF32TilePolicy {
  static constexpr int kThreads = 256, kItems = 8, kTileItems = 8, kMinBlocks = 2, kTileMinBlocks = 2,
                       kReverseTileMinBlocks = 2;
};
template <> struct TilePolicy<ExtendedAffineMonoid<double>> {
  static constexpr int kThreads = 256, kItems = 4, kTileItems = 4, kMinBlocks = 2, kTileMinBlocks = 2,
                       kReverseTileMinBlocks = 2;
};
// The policy of an access: its monoid's, but for float32 logs.
template <class Access> struct TilePolicyOf {
  using Type = TilePolicy<typename Access::Monoid>;
};
template <bool Reverse> struct TilePolicyOf<LogAccess<float, Reverse, ExtendedFloatAffineMonoid>> {
  using Type = LogInputF32TilePolicy;
};
template <class Access> using TilePolicyFor = typename TilePolicyOf<Access>::Type;

// The float32 log method's plain case: where a thread's items all have exponent 0 and every
// mantissa that its reduction (or rescan) computes lies in the band, ExtendedArithmetic takes its
// hot path at every step (a multiply, a multiply-add, the band checks), so the result is those
// operations' alone. PlainSteps computes them in one pass with one check for the thread (nvcc
// lays each step's check out as a branch around the general path: 40-odd instructions an
// extend); where the check fails, the step-by-step code runs from the start. Same operations in
// the same order on the same operands: the bits are the step-by-step code's either way.
template <class M> struct PlainSteps {
  static constexpr bool kEnabled = false;
};
template <> struct PlainSteps<ExtendedFloatAffineMonoid> {
  static constexpr bool kEnabled = true;
  using Elem = ExtendedFloatAffineMonoid::Elem;
  using Value = ExtendedFloatAffineMonoid::Value;
  // An item's mantissas, and whether its exponents are 0: an element's own; a raw pair
  // (held_items.cuh's HeldOf) is its values where extended32::fromValue keeps them as they are.
  static __device__ __forceinline__ bool parts(const Elem& e, float& a, float& b) {
    a = e.A.m, b = e.B.m;
    return (e.A.e | e.B.e) == 0;
  }
  static __device__ __forceinline__ bool parts(RawPair32 p, float& a, float& b) {
    a = p.a, b = p.b;
    return extended32::keepsValue(a) & extended32::keepsValue(b);
  }
  static __device__ __forceinline__ void put(Value& o, float m) { o = {m, 0}; }
  static __device__ __forceinline__ void put(float& o, float m) { o = m; }  // toFloat({m, 0})
  // extend(extend(start(e[0]), e[1]), ...): product l.A.m * e.A.m, affine e.A.m * l.B.m + e.B.m.
  // A NaN e[0].A (start's case) makes every product NaN, out of the band.
  template <class Item, int Items> static __device__ __forceinline__ bool reduce(const Item (&e)[Items], Elem& total) {
    static_assert(Items >= 2, "start(e[0]) is checked through the products");
    float a, b;
    bool plain = parts(e[0], a, b), band = true;
#pragma unroll
    for (int k = 1; k < Items; ++k) {
      float ak, bk;
      plain &= parts(e[k], ak, bk);
      a = a * ak;
      b = ak * b + bk;
      band &= extended32::inBand(a) & extended32::inBand(b);
    }
    total = {{a, 0}, {b, 0}};
    return band & plain;
  }
  // step(x, e[k]) for every k: e.A.m * x.m + e.B.m.
  template <class Item, class Out, int Items>
  static __device__ __forceinline__ bool rescan(Value x, const Item (&e)[Items], Out (&out)[Items], Value& last) {
    float m = x.m;
    bool plain = x.e == 0, band = true;
#pragma unroll
    for (int k = 0; k < Items; ++k) {
      float ak, bk;
      plain &= parts(e[k], ak, bk);
      m = ak * m + bk;
      band &= extended32::inBand(m);
      put(out[k], m);
    }
    last = {m, 0};
    return band & plain;
  }
};

// Items are a lane's held form (held_items.cuh's HeldOf: elements, or raw pairs converted by
// elemOf where used); results go out in its Out form (outOf).
// Aggregate of a thread's first `count` items (identity when none).
template <class M, class Item, int Items>
__device__ __forceinline__ typename M::Elem reduceItemsStepwise(const Item (&e)[Items], int count) {
  typename M::Elem total = count > 0 ? M::start(elemOf<M>(e[0])) : M::identity();
#pragma unroll
  for (int k = 1; k < Items; ++k)
    if (k < count) total = M::extend(total, elemOf<M>(e[k]));
  return total;
}
// Runs the sequential loop over a thread's items from x; returns x after its last item.
template <class M, class Item, class Out, int Items>
__device__ __forceinline__ typename M::Value rescanItemsStepwise(typename M::Value x, const Item (&e)[Items], int count,
                                                                 Out (&out)[Items]) {
#pragma unroll
  for (int k = 0; k < Items; ++k) {
    if (k < count) x = M::step(x, elemOf<M>(e[k]));
    out[k] = outOf<Out>(x);
  }
  return x;
}
// Where PlainSteps' check fails (LINREC_HD_COLD: rare, as monoid.h's general paths).
template <class M, class Item, int Items>
LINREC_HD_COLD typename M::Elem reduceItemsRarely(const Item (&e)[Items], int count) {
  return reduceItemsStepwise<M>(e, count);
}
template <class M, class Item, class Out, int Items>
LINREC_HD_COLD typename M::Value rescanItemsRarely(typename M::Value x, const Item (&e)[Items], int count,
                                                   Out (&out)[Items]) {
  return rescanItemsStepwise<M>(x, e, count, out);
}

template <class M, class Item, int Items>
__device__ __forceinline__ typename M::Elem reduceItems(const Item (&e)[Items], int count) {
  if constexpr (PlainSteps<M>::kEnabled) {
    typename M::Elem total;
    if (__builtin_expect(count == Items && PlainSteps<M>::reduce(e, total), 1)) return total;
    return reduceItemsRarely<M>(e, count);
  } else {
    return reduceItemsStepwise<M>(e, count);
  }
}
template <class M, class Item, class Out, int Items>
__device__ __forceinline__ typename M::Value rescanItems(typename M::Value x, const Item (&e)[Items], int count,
                                                         Out (&out)[Items]) {
  if constexpr (PlainSteps<M>::kEnabled) {
    typename M::Value last;
    if (__builtin_expect(count == Items && PlainSteps<M>::rescan(x, e, out, last), 1)) return last;
    return rescanItemsRarely<M>(x, e, count, out);
  } else {
    return rescanItemsStepwise<M>(x, e, count, out);
  }
}

// reduceItems and the items' reach (LoopReach: where the loop from a start may overflow part-way),
// in one pass: each extend's product and B are the prefix products and the chain in order.
// With them, the underflow certificate's sum g of the items (reach.cuh) and whether their product,
// computed in order, is theirs (kept: AffineReachRules::keepsProduct at each step; where it is
// not, the thread's aggregate is not the loop's, and prefixes over it compose in extended range).
template <class M, class Item, int Items>
__device__ __forceinline__ typename M::Elem reduceItemsReach(const Item (&e)[Items], int count,
                                                             typename LoopReach<M>::Reach& reach,
                                                             typename LoopReach<M>::Sum& g, bool& kept) {
  using LR = LoopReach<M>;
  if constexpr (LR::kEnabled) {
    using T = typename M::Scalar;
    typename M::Elem total = count > 0 ? M::start(elemOf<M>(e[0])) : M::identity();
    reach = count > 0 ? LR::of(total) : typename LR::Reach{0, 0};
    g = count > 0 ? LR::grow(LR::noSteps(), total) : LR::noSteps();
    kept = true;
#pragma unroll
    for (int k = 1; k < Items; ++k)
      if (k < count) {
        const typename M::Elem step = elemOf<M>(e[k]);
        // keepsProduct without its zero case: a zero coefficient is an exact reset (anyZeroCoefficient)
        kept = kept && AffineReachRules<T>::keepsProduct(total.A, step.A, false);
        total = M::extend(total, step);
        reach = LR::extend(reach, total);
        g = LR::grow(g, step);
      }
    return total;
  } else {
    reach = {};
    g = {};
    kept = true;
    return reduceItems<M>(e, count);
  }
}

__device__ __forceinline__ int itemsFrom(size_t i0, size_t n, int items) {
  return i0 >= n ? 0 : (n - i0 < size_t(items) ? int(n - i0) : items);
}

template <class M, class Item, int Items> __device__ __forceinline__ void fillIdentity(Item (&e)[Items]) {
#pragma unroll
  for (int k = 0; k < Items; ++k) e[k] = identityItem<M>(static_cast<Item*>(nullptr));
}

// Value of lane 0 broadcast to the warp (used for a row's x_0).
template <class Access> __device__ __forceinline__ typename Access::Value initialInWarp(const Access& acc, size_t r) {
  using M = typename Access::Monoid;
  typename M::Value v = M::value(M::identity());
  if (laneId() == 0) v = acc.initial(r);
  return shflIdx(v, 0);
}

#if defined(LINREC_TEST_HOOKS)
// Test builds: how many tiles and warp segments stepped through in order (read and cleared by
// device_scan.cu's inOrderSteppings()), so that tests can show the wide composition bounds them.
static __device__ unsigned long long inOrderCount;
__device__ __forceinline__ void countInOrder() { atomicAdd(&inOrderCount, 1ull); }
#else
__device__ __forceinline__ void countInOrder() {}
#endif
#if defined(LINREC_CUDA_EMULATION) && defined(LINREC_TEST_HOOKS)
// Emulated test builds: which tile of its row a ticket got (device_scan.cu), so that tests can
// show that every row starts within the launch's first `rows` tickets.
void recordTicket(size_t ticket, size_t tileInRow);
#endif

// ---------------------------------------------------------------------------------------------
// One tile per block. Tiles are numbered by an atomic ticket in the order blocks start, so
// every tile a block waits on belongs to a block that is already running (no deadlock, whatever
// the scheduler does). With one tile per row no status is used and blockIdx is the tile.
//
// The composable fallback: the tile composes when its inclusive value composes from its group's
// anchor (tile_status.cuh; for a row's first tile: composable(carry, blockTotal, zero)), zero (a
// ballot over exact-zero coefficients) being published with the aggregate so that the look-back
// decides the same way; it then publishes that composition at once. Each thread's start,
// apply(apply(carry, warp prefix), lane prefix), is checked the same way. From the first thread
// whose start is not composable, the direct method takes the starts composed in extended range
// (WideTileScan: a second block scan, no dependent chain) where they match the loop; otherwise
// the block steps through in order, like the loop, from the x its predecessor ended with.
// Threads before it keep exactly the values they would have without it (so a NaN or an overflow
// never changes an earlier x, as on the CPU). A tile that does not compose publishes its true
// last x when it has it (the next tile's look-back waits for it).
template <class Access, class P>
__global__ void __launch_bounds__(P::kThreads, Access::kReverse ? P::kReverseTileMinBlocks : P::kTileMinBlocks)
    scanTilesKernel(Access acc, size_t n, size_t tilesPerRow, TileStatus<typename Access::Monoid> status,
                    unsigned long long* ticket) {
  using M = typename Access::Monoid;
  using Elem = typename M::Elem;
  using Value = typename M::Value;
  using Scan = BlockScan<M, P::kThreads>;
  using Back = LookBack<M>;
  using LR = LoopReach<M>;
  using Item = typename HeldOf<Access>::Item;
  using Out = typename HeldOf<Access>::Out;
  constexpr int kItems = P::kTileItems;
  constexpr size_t kTile = size_t(P::kThreads) * kItems;

  __shared__ typename Scan::Storage scanStorage;
  __shared__ typename Back::Storage backStorage;
  __shared__ Value warpStart[Scan::kWarps];
  __shared__ unsigned warpHasZero[Scan::kWarps];  // some coefficient of the warp's steps is 0
  __shared__ unsigned warpComposes[Scan::kWarps];  // the warp's start is a valid composition
  __shared__ typename LR::Reach warpReach[Scan::kWarps];  // the warp's steps' reach (reach.cuh)
  __shared__ typename LR::Sum warpSum[Scan::kWarps];  // the warp's steps' g (reach.cuh)
  // 2·(first thread whose start is not composable), or 2·(the thread after the first whose loop
  // overflows inside its items from a valid start) - 1, whichever is less
  __shared__ int firstFailure;
  __shared__ Value stepCarry;  // slow path: x passed from warp to warp
  __shared__ int tileComposesShared;
  __shared__ size_t tileIndex, tileRow, tileStart;
  __shared__ StageOf<Access, kItems> stage[Scan::kWarps];

  if (threadIdx.x == 0) {
    size_t tile = blockIdx.x;
    if (tilesPerRow > 1) {
      // Tickets go round the rows, tile 0 of every row, then tile 1 of every row, and so on:
      // every row's chain advances at once (row after row, only a few rows would have tiles in
      // flight). A row's tiles still take tickets in order, which is all the look-back needs.
      const size_t q = size_t(atomicAdd(ticket, 1ull)), rows = size_t(gridDim.x) / tilesPerRow;
      tile = (q % rows) * tilesPerRow + q / rows;
#if defined(LINREC_CUDA_EMULATION) && defined(LINREC_TEST_HOOKS)
      recordTicket(q, tile % tilesPerRow);
#endif
    }
    tileIndex = tile;
    tileRow = tile / tilesPerRow;
    tileStart = tile % tilesPerRow * kTile;
    firstFailure = 2 * P::kThreads;
  }
  __syncthreads();
  const int me = int(threadIdx.x), warp = warpId();
  // The tile's indices, read again from shared memory where needed rather than held across the
  // look-back (registers: the items stay live across it).
  auto indices = [&](size_t& k, size_t& r, size_t& t, size_t& segment, size_t& i0) {
    k = tileIndex, r = tileRow, t = tileStart / kTile;
    segment = tileStart + size_t(warp) * kWarp * kItems;  // the warp's first step
    i0 = segment + size_t(laneId()) * kItems;
  };
  size_t k, r, t, segment, i0;
  indices(k, r, t, segment, i0);
  int count = itemsFrom(i0, n, kItems);
  const bool hasNext = t + 1 < tilesPerRow;

  // A thread's held items stay in registers through the tile (64 of them at most: more spill).
  static_assert(sizeof(Item) * kItems <= 256, "a policy's items in their held form (HeldOf) must fit 64 registers");
  Item items[kItems];
  fillIdentity<M>(items);
  loadItems<kItems>(acc, r, n, segment, items, stage[warp]);
  // Prefixes that are not the loop's (a reset's B lost to a product that underflowed,
  // warpInclusiveScanExact) never compose: their threads take the slow paths below.
  const bool threadZero = anyZeroCoefficient<M>(items, count);
  bool laneExclusiveExact;
  typename LR::Reach laneReach;  // its items' (a start composes only within it)
  typename LR::Floor laneFloor;  // the least start that crosses its items (reach.cuh: underflow)
  typename LR::Sum laneSum;
  bool laneKept;
  Elem laneExclusive;
  {
    const Elem own = reduceItemsReach<M>(items, count, laneReach, laneSum, laneKept);
    laneFloor = LR::floorOf(own, laneSum, threadZero);
    laneExclusive = Scan::scanWarpsExact(own, threadZero, scanStorage, laneExclusiveExact, laneKept || threadZero);
    if constexpr (LR::kEnabled) {  // the warp's g (reach.cuh): the steps' sums joined in lane order
      using T = typename M::Scalar;
      const AffinePair<T> sum = warpInclusiveScan<AffineMonoid<T>>(AffinePair<T>{Math<T>::abs(own.A), laneSum});
      if (laneId() == kWarp - 1) warpSum[warp] = sum.B;
    }
  }
  const unsigned laneZeros = __ballot_sync(kFullMask, threadZero);
  const bool laneExclusiveZero = anyBefore(laneZeros);
  if (laneId() == 0) warpHasZero[warp] = laneZeros != 0;
  {
    const typename LR::Reach reach = LR::warpLargest(LR::shifted(laneExclusive, laneReach));
    if (laneId() == 0) warpReach[warp] = reach;
  }
  // Warp 0 runs the look-back; its items wait in shared memory meanwhile (lane-striped:
  // conflict-free), so that their registers are free for it.
  __shared__ Item heldItems[kItems][kWarp];
  if (warp == 0) {
#pragma unroll
    for (int j = 0; j < kItems; ++j) heldItems[j][laneId()] = items[j];
  }
  __syncthreads();

  if (warp == 0) {
    const int lane = laneId();
    Elem blockTotal;
    bool blockExact, warpExclusiveExact;
    // warpExclusive is taken again after the look-back rather than held across it (registers).
    // Each warp's reach from the tile's start (its exclusive prefix's shift): whether the loop from
    // x stays in range through the tile is whether it does through each warp's part.
    typename LR::Reach fromTileStart;
    {
      const Elem warpExclusive = Scan::scanWarpTotalsExact(scanStorage, lane < Scan::kWarps && warpHasZero[lane] != 0,
                                                           blockTotal, blockExact, warpExclusiveExact);
      fromTileStart = LR::shifted(warpExclusive, warpReach[lane < Scan::kWarps ? lane : 0]);
    }
    // The tile's g: the warps' joined in order (as their threads' were).
    typename LR::Sum tileSum = LR::noSteps();
    if constexpr (LR::kEnabled) {
      using T = typename M::Scalar;
      const bool in = lane < Scan::kWarps;
      const AffinePair<T> part{in ? Math<T>::abs(scanStorage.warpTotal[lane].A) : T(1), in ? warpSum[lane] : T(0)};
      tileSum = shflIdx(warpInclusiveScan<AffineMonoid<T>, Scan::kWarps>(part), Scan::kWarps - 1).B;
    }
    // Which warps have a zero coefficient: a ballot over shared memory, taken again after the
    // look-back rather than held in a register across it (register pressure).
    auto warpZerosOf = [&] { return __ballot_sync(kFullMask, lane < Scan::kWarps && warpHasZero[lane] != 0); };
    // The tile's inclusive value where it composes (tile_status.cuh: from the group's anchor).
    Value carry, inclusive;
    bool composes;  // warp-uniform
    if (t == 0) {
      carry = initialInWarp(acc, r);
      const bool within = __all_sync(kFullMask, lane >= Scan::kWarps || LR::within(carry, fromTileStart));
      const bool blockZero = warpZerosOf() != 0;
      composes = within && blockExact && M::composable(carry, blockTotal, blockZero) &&
                 LR::clearOfUnderflow(carry, blockTotal, tileSum, blockZero);
      inclusive = apply<M>(carry, blockTotal);
    } else {
      // A total that is not the loop's, or whose g passes the cap (reach.cuh: the look-back
      // composes across it only from starts that clear the cap's floor), is published uncomposable
      // (it then never composes), and one whose span fails overflowing (not even after a reset).
      const bool spans = __all_sync(kFullMask, lane >= Scan::kWarps || LR::spans(fromTileStart));
      const bool exact = blockExact && LR::capped(tileSum);
      const bool blockZero = exact && spans && warpZerosOf() != 0;
      const Elem published = !exact ? uncomposable(blockTotal) : spans ? blockTotal : overflowing(blockTotal);
      if (hasNext && lane == 0) status.publishAggregate(k, published, blockZero);
      const typename Back::Result back = Back::carryInto(status, k, t, published, blockZero, backStorage);
      carry = back.carry;
      inclusive = back.inclusive;
      composes = back.composes;
    }
    // The same combines as the exact scan above, whose exactness bits are kept (one register).
    const Elem warpExclusive = Scan::scanWarpTotals(scanStorage, blockTotal);
    const unsigned warpZeros = warpZerosOf();
    if (lane == 0 && hasNext && composes) status.publishInclusive(k, inclusive);
    if (lane < Scan::kWarps) {
      warpStart[lane] = apply<M>(carry, warpExclusive);
      warpComposes[lane] = warpExclusiveExact && M::composable(carry, warpExclusive, anyBefore(warpZeros));
    }
    if (lane == 0) {
      tileComposesShared = composes;
      stepCarry = carry;  // where stepping starts if the very first thread fails
    }
    __syncwarp();
#pragma unroll
    for (int j = 0; j < kItems; ++j) items[j] = heldItems[j][lane];
  }
  __syncthreads();

  indices(k, r, t, segment, i0);
  count = itemsFrom(i0, n, kItems);
  const Value warpBegin = warpStart[warp];
  Value begin = apply<M>(warpBegin, laneExclusive);
  // A start that composes, but from which the loop overflows inside the thread's items (reach.cuh),
  // is the loop's own start, so the thread keeps it (its x before the overflow as without it, as on
  // the CPU); the threads after it step through from its end (not wide: that composes across it).
  if (!warpComposes[warp] || !laneExclusiveExact || !M::composable(warpBegin, laneExclusive, laneExclusiveZero))
    atomicMin(&firstFailure, 2 * me);
  else if (!LR::within(begin, laneReach) || !LR::clearsFloor(begin, laneFloor))
    atomicMin(&firstFailure, 2 * me + 1);
  __syncthreads();
  const int failure = firstFailure, first = (failure + 1) / 2;

  if (first < P::kThreads) {  // block-uniform: the slow paths
    bool inOrder = true;
    if constexpr (Wide<M>::kEnabled) {
      using WideScan = WideTileScan<M, P::kThreads, kItems>;
      __shared__ typename WideScan::Storage wideStorage;
      if (!(failure & 1)) inOrder = !WideScan::begins(stepCarry, items, count, first, begin, laneFloor, wideStorage);
    }
    if (inOrder) {  // step through from thread `first` on
      if (me == 0) countInOrder();
      if (me == first - 1) stepCarry = stepItems<M>(begin, items, count);
      __syncthreads();
      for (int w = first / kWarp; w < Scan::kWarps; ++w) {
        if (warp == w) {
          Value carried = stepCarry;
          Value stepped = warpStepThrough<M>(carried, items, count, w == first / kWarp ? first % kWarp : 0);
          if (me >= first) begin = stepped;
          __syncwarp();
          if (laneId() == 0) stepCarry = carried;
        }
        __syncthreads();
      }
    }
    indices(k, r, t, segment, i0);  // read again rather than held across the slow paths (registers)
  }
  Out out[kItems];
  const Value x = rescanItems<M>(begin, items, count, out);
  // A tile that does not compose publishes its true last x (a full tile: the last thread's),
  // before its stores: later tiles wait for it.
  if (hasNext && !tileComposesShared && me == P::kThreads - 1) status.publishInclusive(k, x);
  storeItems<kItems>(acc, r, n, segment, out, stage[warp]);
  if (count > 0 && i0 + count == n) acc.finish(r, x);  // the row's last step
}

// ---------------------------------------------------------------------------------------------
// One warp per row (grid-stride over rows), segment after segment. The carry between segments
// is the last lane's x itself; within a segment, lanes start from apply(carry, lane prefix)
// unless some lane's prefix is not composable with the carry.
template <class Access, class P> __global__ void __launch_bounds__(P::kThreads, P::kMinBlocks)
    scanWarpRowsKernel(Access acc, size_t rows, size_t n) {
  using M = typename Access::Monoid;
  using Elem = typename M::Elem;
  using Value = typename M::Value;
  constexpr int kItems = P::kItems, kWarps = P::kThreads / kWarp;
  constexpr size_t kSegment = size_t(kWarp) * kItems;
  const size_t warpsInGrid = size_t(gridDim.x) * kWarps;
  __shared__ StageOf<Access, kItems> stage[kWarps];

  for (size_t r = size_t(blockIdx.x) * kWarps + warpId(); r < rows; r += warpsInGrid) {
    Value carry = initialInWarp(acc, r);
    for (size_t segment = 0; segment < n; segment += kSegment) {
      const int count = itemsFrom(segment + size_t(laneId()) * kItems, n, kItems);
      const bool holdsLast = count > 0 && segment + size_t(laneId()) * kItems + count == n;  // the row's last step
      typename HeldOf<Access>::Item items[kItems];
      fillIdentity<M>(items);
      loadItems<kItems>(acc, r, n, segment, items, stage[warpId()]);
      const bool threadZero = anyZeroCoefficient<M>(items, count);
      bool prefixZero = threadZero, exact;
      typename LoopReach<M>::Reach laneReach;
      typename LoopReach<M>::Sum laneSum;
      typename LoopReach<M>::Floor laneFloor;
      Elem inclusive;
      {
        const Elem own = reduceItemsReach<M>(items, count, laneReach, laneSum, exact);
        exact = exact || threadZero;
        laneFloor = LoopReach<M>::floorOf(own, laneSum, threadZero);
        inclusive = warpInclusiveScanExact<M>(own, prefixZero, exact);
      }
      Elem exclusive = exclusiveFromInclusive<M>(inclusive);
      const bool exclusiveZero = anyBefore(__ballot_sync(kFullMask, threadZero));
      const unsigned exacts = __ballot_sync(kFullMask, exact);
      const bool exclusiveExact = laneId() == 0 || ((exacts >> (laneId() - 1)) & 1u) != 0;
      Value begin = apply<M>(carry, exclusive);
      // Composable fallback (warp-uniform): from the first lane whose start is not composable (or
      // not the loop's), step through in lane order from the x its predecessor ended with.
      // A lane whose loop overflows or underflows inside its items from its valid start keeps that
      // start: the lanes after it step from its end.
      const bool composes = exclusiveExact && M::composable(carry, exclusive, exclusiveZero);
      const unsigned failing = __ballot_sync(kFullMask, !composes) |
                               (__ballot_sync(kFullMask, composes && !(LoopReach<M>::within(begin, laneReach) &&
                                                                       LoopReach<M>::clearsFloor(begin, laneFloor)))
                                << 1);
      if (failing) {
        const int first = __ffs(failing) - 1;
        if (laneId() == 0) countInOrder();
        const Value before = shflIdx(stepItems<M>(begin, items, count), first > 0 ? first - 1 : 0);
        Value carried = first > 0 ? before : carry;
        const Value stepped = warpStepThrough<M>(carried, items, count, first);
        if (laneId() >= first) begin = stepped;
      }
      typename HeldOf<Access>::Out out[kItems];
      const Value x = rescanItems<M>(begin, items, count, out);
      storeItems<kItems>(acc, r, n, segment, out, stage[warpId()]);
      if (holdsLast) acc.finish(r, x);
      carry = shflIdx(x, kWarp - 1);  // only used when this segment was full (x, never a composition)
    }
  }
}

// ---------------------------------------------------------------------------------------------
// One thread per row: the sequential loop (tiny n; n == 0 copies x_0 to x0Copy and last).
template <class Access> __global__ void scanThreadRowsKernel(Access acc, size_t rows, size_t n) {
  using M = typename Access::Monoid;
  for (size_t r = size_t(blockIdx.x) * blockDim.x + threadIdx.x; r < rows; r += size_t(gridDim.x) * blockDim.x) {
    typename M::Value x = acc.initial(r);
    for (size_t i = 0; i < n; ++i) {
      x = M::step(x, acc.load(r, i));
      acc.store(r, i, x);
    }
    acc.finish(r, x);
  }
}

// ---------------------------------------------------------------------------------------------
// Aggregates (composed map per row). Same tiles, no look-back: tile totals, then a fold per row.
// Every join is checked as the CPU's aggregate checks it (AffineMonoid::joinsExactly): a row where
// one loses a B (a reset, then a product that underflows) is composed again in extended range.
// And B is the loop from 0 only where that loop stays in range (defect A, reach.cuh): the row's
// reach is folded beside its total, and a row whose chain may overflow part-way (the composed B
// finite again after a decay where the loop's is ∞) takes its B in order.

// Per tile total: some coefficient is 0, and its joins were exact.
// kTotalInOrder: its B chain may lose bits below the normal range inside it (reach.cuh: a thread
// whose start does not clear its floor, or g past the cap), so the row's B is taken in order.
enum TileTotalFlags : unsigned char { kTotalZero = 1, kTotalExact = 2, kTotalInOrder = 4 };
// Per row, where its B is computed again: composed in extended range, or in order.
enum AgainFlags : unsigned char { kAgainWide = 1, kAgainInOrder = 2 };

// Appends 32 parts, lane order, to `total`, which every lane of the warp holds. `exact` stays
// true while every join kept the loop's B: each part's own (its lane's `zero`: some coefficient
// is 0; `partExact`: its joins were exact), the scan's, and the join onto `total`. `reach`, the
// reach of the steps in `total`, takes each part's from the row's start (partReach shifted by the
// row's prefix before it).
// `clear` stays true while each part's B chain, entered at the row's B before it, clears the
// part's floor (reach.cuh: the underflow certificate).
template <class M> __device__ __forceinline__ void foldWarpExact(typename M::Elem& total, bool& exact,
                                                                 typename LoopReach<M>::Reach& reach, bool& clear,
                                                                 typename M::Elem part, bool zero, bool partExact,
                                                                 typename LoopReach<M>::Reach partReach,
                                                                 typename LoopReach<M>::Floor partFloor) {
  using LR = LoopReach<M>;
  const typename M::Elem inclusive = warpInclusiveScanExact<M, kWarp, true>(part, zero, partExact);
  const typename M::Elem warpPart = shflIdx(inclusive, kWarp - 1);
  const typename M::Elem before = M::combine(total, exclusiveFromInclusive<M>(inclusive));
  clear = __all_sync(kFullMask, clear && LR::clearsFloor(M::value(before), partFloor));
  reach = LR::warpLargest(LR::join(reach, before, partReach));
  const bool warpZero = __shfl_sync(kFullMask, zero, kWarp - 1) != 0;
  const bool warpExact = __shfl_sync(kFullMask, partExact, kWarp - 1) != 0;
  exact = exact && warpExact && M::joinsExactly(total, warpPart, warpZero);
  total = M::combine(total, warpPart);
}

// A row's B by its definition (start, then extend), in order on lane 0; whole warp, every lane
// gets it. For rows with an input that is not finite, where Wide does not match the loop.
template <class Access> __device__ typename Access::T aggregateBInOrder(const Access& acc, size_t r, size_t n) {
  using M = typename Access::Monoid;
  typename Access::T b = 0;
  if (laneId() == 0) b = composeInOrder<M>(n, [&](size_t i) { return acc.load(r, i); }).B;
  return shflIdx(b, 0);
}

// The aggregate of a row whose first coefficient is ±inf (rare; infiniteCoefficient, one load a
// row), in order on the calling thread, by the loop's rules (monoid.h, composeFromInfinite: a later
// zero makes B NaN; A stays ±inf where lane and tile products underflow to 0).
template <class Access>
__device__ AffinePair<typename Access::T> aggregateFromInfinite(const Access& acc, size_t r, size_t n) {
  return composeFromInfinite<typename Access::T>(n, [&](size_t i) { return acc.load(r, i); });
}

// The B of a row whose joins lost one, whole warp (warp-uniform result). Composed again on
// extended-range numbers (Wide: no product underflows), which is the loop's B wherever the loop
// stays in range; else in order. For warp rows (short); tiles take the two kernels below the fold.
template <class Access> __device__ typename Access::T aggregateBAgain(const Access& acc, size_t r, size_t n) {
  using M = typename Access::Monoid;
  using T = typename Access::T;
  using W = Wide<M>;
  using WM = typename W::Monoid;
  using WElem = typename W::Elem;
  constexpr int kItems = 8;
  WElem total = WM::identity();
  bool finite = true;
  for (size_t segment = 0; segment < n; segment += size_t(kWarp) * kItems) {
    const size_t i0 = segment + size_t(laneId()) * kItems;
    const int count = itemsFrom(i0, n, kItems);
    typename M::Elem items[kItems];
    fillIdentity<M>(items);
#pragma unroll
    for (int k = 0; k < kItems; ++k)
      if (k < count) items[k] = acc.load(r, i0 + k);
    bool partFinite;
    const WElem part = wideReduceItems<M>(items, count, partFinite);
    finite = finite && partFinite;
    total = WM::combine(total, shflIdx(warpInclusiveScan<WM>(part), kWarp - 1));
  }
  return __all_sync(kFullMask, finite) ? T(extended::toDouble(total.B)) : aggregateBInOrder(acc, r, n);
}

template <class Access, class P> __global__ void __launch_bounds__(P::kThreads, P::kMinBlocks)
    aggregateTilesKernel(Access acc, size_t n, size_t tilesPerRow, typename Access::Elem* tileTotals,
                         unsigned char* tileFlags, typename LoopReach<typename Access::Monoid>::Reach* tileReaches) {
  using M = typename Access::Monoid;
  using Elem = typename M::Elem;
  using Scan = BlockScan<M, P::kThreads>;
  using LR = LoopReach<M>;
  constexpr int kItems = P::kTileItems;
  constexpr size_t kTile = size_t(P::kThreads) * kItems;
  __shared__ typename Scan::Storage scanStorage;
  __shared__ StageOf<Access, kItems> stage[Scan::kWarps];
  __shared__ unsigned warpHasZero[Scan::kWarps];
  __shared__ typename LR::Reach warpReach[Scan::kWarps];  // from the warp's start
  __shared__ typename LR::Sum warpSum[Scan::kWarps];  // the warp's g (reach.cuh)
  __shared__ typename M::Value warpEntering[Scan::kWarps];  // B of the tile's steps before the warp

  const size_t k = blockIdx.x, t = k % tilesPerRow;
  const size_t segment = t * kTile + size_t(warpId()) * kWarp * kItems;
  const size_t i0 = segment + size_t(laneId()) * kItems;
  Elem items[kItems];
  fillIdentity<M>(items);
  loadItems<kItems>(acc, k / tilesPerRow, n, segment, items, stage[warpId()]);
  const int count = itemsFrom(i0, n, kItems);
  const bool threadZero = anyZeroCoefficient<M>(items, count);
  bool unused;
  typename LR::Reach laneReach;
  typename LR::Sum laneSum;
  bool laneKept;
  const Elem own = reduceItemsReach<M>(items, count, laneReach, laneSum, laneKept);
  const Elem laneExclusive =
      Scan::template scanWarpsExact<true>(own, threadZero, scanStorage, unused, laneKept || threadZero);
  const typename LR::Floor laneFloor = LR::floorOf(own, laneSum, threadZero);
  if constexpr (LR::kEnabled) {  // the warp's g: its threads' joined in lane order
    using T = typename M::Scalar;
    const AffinePair<T> sum = warpInclusiveScan<AffineMonoid<T>>(AffinePair<T>{Math<T>::abs(own.A), laneSum});
    if (laneId() == kWarp - 1) warpSum[warpId()] = sum.B;
  }
  const unsigned laneZeros = __ballot_sync(kFullMask, threadZero);
  if (laneId() == 0) warpHasZero[warpId()] = laneZeros != 0;
  {
    const typename LR::Reach reach = LR::warpLargest(LR::shifted(laneExclusive, laneReach));
    if (laneId() == 0) warpReach[warpId()] = reach;
  }
  __syncthreads();
  bool tileClear = true;  // warp 0: the tile's g within the cap
  if (warpId() == 0) {
    const int lane = laneId();
    const bool warpZero = lane < Scan::kWarps && warpHasZero[lane] != 0;
    Elem blockTotal;
    bool blockExact;
    const Elem warpExclusive =
        Scan::template scanWarpTotalsExact<true>(scanStorage, warpZero, blockTotal, blockExact, unused);
    const bool blockZero = __ballot_sync(kFullMask, warpZero) != 0;
    const typename LR::Reach reach =
        LR::warpLargest(lane < Scan::kWarps ? LR::shifted(warpExclusive, warpReach[lane]) : typename LR::Reach{0, 0});
    if constexpr (LR::kEnabled) {
      using T = typename M::Scalar;
      const bool in = lane < Scan::kWarps;
      const AffinePair<T> part{in ? Math<T>::abs(scanStorage.warpTotal[lane].A) : T(1), in ? warpSum[lane] : T(0)};
      tileClear = LR::capped(shflIdx(warpInclusiveScan<AffineMonoid<T>, Scan::kWarps>(part), Scan::kWarps - 1).B);
      if (in) warpEntering[lane] = M::value(warpExclusive);
    }
    if (lane == 0) {
      tileTotals[k] = blockTotal;
      tileFlags[k] = (blockZero ? kTotalZero : 0) | (blockExact ? kTotalExact : 0);
      tileReaches[k] = reach;
    }
  }
  if constexpr (LR::kEnabled) {
    // Each thread's chain entered at the tile's B before it (the loop from 0 at the tile's start).
    __syncthreads();
    const bool fails = !LR::clearsFloor(apply<M>(warpEntering[warpId()], laneExclusive), laneFloor);
    if (__syncthreads_or(fails || !tileClear) && threadIdx.x == 0) tileFlags[k] |= kTotalInOrder;
  }
}

// One warp per row folds its tile totals in order (tilesPerRow == 0 gives the identity). A row
// whose joins lost a B, or whose chain may overflow part-way, is marked in `again` (written for
// every row) for the two kernels below. outReach (where given): each row's reach.
template <class Access>
__global__ void foldTileTotalsKernel(const typename Access::Elem* tileTotals, const unsigned char* tileFlags,
                                     const typename LoopReach<typename Access::Monoid>::Reach* tileReaches, size_t rows,
                                     size_t tilesPerRow, typename Access::T* outA, typename Access::T* outB,
                                     unsigned char* again,
                                     typename LoopReach<typename Access::Monoid>::Reach* outReach) {
  using M = typename Access::Monoid;
  using Elem = typename M::Elem;
  using LR = LoopReach<M>;
  constexpr int kWarps = 8;  // launched with 256 threads
  for (size_t r = size_t(blockIdx.x) * kWarps + warpId(); r < rows; r += size_t(gridDim.x) * kWarps) {
    Elem total = M::identity();
    bool exact = true, clear = true;
    typename LR::Reach reach{0, 0};
    for (size_t base = 0; base < tilesPerRow; base += kWarp) {
      const size_t t = base + laneId();
      const bool in = t < tilesPerRow;
      const Elem v = in ? tileTotals[r * tilesPerRow + t] : M::identity();
      const unsigned flags = in ? tileFlags[r * tilesPerRow + t] : unsigned(kTotalExact);
      const typename LR::Reach partReach = in ? tileReaches[r * tilesPerRow + t] : typename LR::Reach{0, 0};
      const bool zero = (flags & kTotalZero) != 0;
      // a tile's g is within the cap where it is not kTotalInOrder (then the row's B is in order)
      clear = clear && !__any_sync(kFullMask, (flags & kTotalInOrder) != 0);
      const typename LR::Floor floor = in ? LR::floorOf(v, LR::cap(), zero) : LR::floorOf(v, LR::noSteps(), true);
      foldWarpExact<M>(total, exact, reach, clear, v, zero, (flags & kTotalExact) != 0, partReach, floor);
    }
    if (laneId() == 0) {
      outA[r] = total.A;
      outB[r] = total.B;
      if (again) again[r] = (exact ? 0 : kAgainWide) | (LR::chainWithin(reach) && clear ? 0 : kAgainInOrder);
      if (outReach) outReach[r] = reach;
    }
  }
}

// Rows marked again: each tile's total on extended-range numbers (Wide: no product underflows),
// and whether all its inputs are finite. Other rows' tiles are skipped.
// One block an SM may hold (all registers): the items wait in T while the thread composes them in
// extended range; a rare path, so no occupancy is spent on it.
template <class Access, class P> __global__ void __launch_bounds__(P::kThreads, 1)
    aggregateTilesAgainKernel(Access acc, size_t rows, size_t n, size_t tilesPerRow, const unsigned char* again,
                              typename Wide<typename Access::Monoid>::Elem* wideTotals, unsigned char* wideFinite) {
  using M = typename Access::Monoid;
  using W = Wide<M>;
  using WM = typename W::Monoid;
  using WElem = typename W::Elem;
  using Scan = BlockScan<WM, P::kThreads>;
  constexpr int kItems = P::kTileItems;
  constexpr size_t kTile = size_t(P::kThreads) * kItems;
  __shared__ typename Scan::Storage scanStorage;
  __shared__ StageOf<Access, kItems> stage[Scan::kWarps];

  // A grid of a few blocks a tile stride: launched on every tile aggregate, it costs next to
  // nothing where no row is marked.
  for (size_t k = blockIdx.x; k < rows * tilesPerRow; k += gridDim.x) {
    const size_t r = k / tilesPerRow, t = k % tilesPerRow;
    if (again[r] != kAgainWide) continue;  // block-uniform; rows taken in order need no wide totals
    const size_t segment = t * kTile + size_t(warpId()) * kWarp * kItems;
    const size_t i0 = segment + size_t(laneId()) * kItems;
    typename M::Elem items[kItems];
    fillIdentity<M>(items);
    loadItems<kItems>(acc, r, n, segment, items, stage[warpId()]);
    bool finite;
    Scan::scanWarps(wideReduceItems<M>(items, itemsFrom(i0, n, kItems), finite), scanStorage);
    const bool allFinite = !__syncthreads_or(!finite);
    if (warpId() == 0) {
      WElem blockTotal;
      Scan::scanWarpTotals(scanStorage, blockTotal);
      if (laneId() == 0) {
        wideTotals[k] = blockTotal;
        wideFinite[k] = allFinite;
      }
    }
    __syncthreads();  // the shared memory is the next tile's
  }
}

// Rows marked again: B from the Wide tile totals, the loop's B wherever the loop stays in range;
// with an input that is not finite, or where the loop may overflow part-way (kAgainInOrder), by its
// definition (start, then extend) on one lane, in order. And every row whose first coefficient is
// ±inf (one load a row; monoid.h, composeFromInfinite): A and B in order, on one lane.
template <class Access>
__global__ void foldTileTotalsAgainKernel(Access acc, size_t rows, size_t n, size_t tilesPerRow,
                                          const unsigned char* again,
                                          const typename Wide<typename Access::Monoid>::Elem* wideTotals,
                                          const unsigned char* wideFinite, typename Access::T* outA,
                                          typename Access::T* outB) {
  using M = typename Access::Monoid;
  using T = typename Access::T;
  using WM = typename Wide<M>::Monoid;
  using WElem = typename Wide<M>::Elem;
  constexpr int kWarps = 8;  // launched with 256 threads
  for (size_t r = size_t(blockIdx.x) * kWarps + warpId(); r < rows; r += size_t(gridDim.x) * kWarps) {
    if (infiniteCoefficient(acc.load(r, 0).A)) {  // warp-uniform (one address): A and B in order
      if (laneId() == 0) {
        const AffinePair<T> total = aggregateFromInfinite(acc, r, n);
        outA[r] = total.A;
        outB[r] = total.B;
      }
      continue;
    }
    if (!again[r]) continue;  // warp-uniform
    if (again[r] & kAgainInOrder) {
      const T B = aggregateBInOrder(acc, r, n);
      if (laneId() == 0) outB[r] = B;
      continue;
    }
    WElem total = WM::identity();
    bool finite = true;
    for (size_t base = 0; base < tilesPerRow; base += kWarp) {
      const size_t t = base + laneId();
      const bool in = t < tilesPerRow;
      const WElem v = in ? wideTotals[r * tilesPerRow + t] : WM::identity();
      finite = __all_sync(kFullMask, finite && (!in || wideFinite[r * tilesPerRow + t] != 0));
      total = WM::combine(total, shflIdx(warpInclusiveScan<WM>(v), kWarp - 1));
    }
    const T B = finite ? T(extended::toDouble(total.B)) : aggregateBInOrder(acc, r, n);
    if (laneId() == 0) outB[r] = B;
  }
}

// One warp per row, segment after segment.
template <class Access, class P> __global__ void __launch_bounds__(P::kThreads, P::kMinBlocks)
    aggregateWarpRowsKernel(Access acc, size_t rows, size_t n, typename Access::T* outA, typename Access::T* outB,
                            typename LoopReach<typename Access::Monoid>::Reach* outReach) {
  using M = typename Access::Monoid;
  using Elem = typename M::Elem;
  using LR = LoopReach<M>;
  constexpr int kItems = P::kItems, kWarps = P::kThreads / kWarp;
  constexpr size_t kSegment = size_t(kWarp) * kItems;
  __shared__ StageOf<Access, kItems> stage[kWarps];
  for (size_t r = size_t(blockIdx.x) * kWarps + warpId(); r < rows; r += size_t(gridDim.x) * kWarps) {
    Elem total = M::identity();
    bool exact = true, clear = true;
    typename LR::Reach reach{0, 0};
    for (size_t segment = 0; segment < n; segment += kSegment) {
      const size_t i0 = segment + size_t(laneId()) * kItems;
      Elem items[kItems];
      fillIdentity<M>(items);
      loadItems<kItems>(acc, r, n, segment, items, stage[warpId()]);
      const int count = itemsFrom(i0, n, kItems);
      typename LR::Reach laneReach;
      typename LR::Sum laneSum;
      bool laneKept;
      const Elem part = reduceItemsReach<M>(items, count, laneReach, laneSum, laneKept);
      const bool zero = anyZeroCoefficient<M>(items, count);
      foldWarpExact<M>(total, exact, reach, clear, part, zero, laneKept || zero, laneReach,
                       LR::floorOf(part, laneSum, zero));
    }
    // exact, clear and reach: warp-uniform
    const typename Access::T B = !LR::chainWithin(reach) || !clear ? aggregateBInOrder(acc, r, n)
                                 : exact                           ? total.B
                                                                   : aggregateBAgain(acc, r, n);
    if (laneId() == 0) {
      AffinePair<typename Access::T> out{total.A, B};
      if (infiniteCoefficient(acc.load(r, 0).A)) out = aggregateFromInfinite(acc, r, n);  // rare
      outA[r] = out.A;
      outB[r] = out.B;
      if (outReach) outReach[r] = reach;
    }
  }
}

}  // namespace cuda
}  // namespace linrec
