// Decoupled look-back between the tiles of one row.
//
// Each tile k has a status word and two payload slots, each written once per launch:
//   kAggregate: aggregate[k] holds the composed map of the tile's own steps; the status word
//               the status word also says whether a coefficient of the tile is exactly 0;
//   kInclusive: inclusive[k] holds x after the tile's last step (the next tile's carry).
// A publisher writes the payload, then stores the status word with release (device scope); a
// reader polls it relaxed and, once it sees what it waits for, issues one acquire fence before
// reading the payload (an acquire load per poll would invalidate the SM's L1 on every poll). The kind (low two bits) only
// grows, 0 -> 1 -> 2, and status words are zeroed before every launch.
//
// Determinism: the carry into tile k is defined as the sequential chain
//   inclusive[k] = composable(inclusive[k-1], aggregate[k], zero[k]) ? apply(inclusive[k-1], aggregate[k])
//                                                                  : x after stepping through tile k
// where zero[k] (a bit of the status word) says whether some coefficient of tile k is exactly 0.
// The tile itself publishes exactly that value; the look-back reproduces the chain from the
// nearest published inclusive value, one apply per skipped tile, oldest first, and where a tile
// does not compose it waits for that tile's own inclusive value instead (the tile is running,
// since tiles are numbered in the order blocks start, and depends only on earlier tiles). Where
// the look-back finds its prefix therefore changes only how long it takes, never a bit of the
// result.
//
// Every wait is bounded (a GPU such as the H100 has no watchdog: an endless spin would hang the
// device): a tile that waits longer than waitBoundUnits for a predecessor traps, which fails the
// launch; the host reports ERR_LINREC_CUDA and resets the device (device_scan.cu).
#pragma once

#include <cuda/atomic>

#include <cstddef>
#include <cstdint>

#include "block_scan.cuh"
#include "composable.cuh"

namespace linrec {
namespace cuda {

enum TileFlag : unsigned { kTileEmpty = 0, kTileAggregate = 1, kTileInclusive = 2 };
constexpr unsigned kTileKindMask = 3u, kTileHasZero = 4u;

__device__ __forceinline__ unsigned tileKind(unsigned word) { return word & kTileKindMask; }

// Nanoseconds of the device's global timer (a steady clock in the emulation).
__device__ __forceinline__ unsigned long long globalTimerNs() {
#if defined(LINREC_CUDA_EMULATION)
  return ::linrec::emulation::steadyNanoseconds();
#else
  unsigned long long t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
#endif
}

// Wait bounds count in units of 2^20 ns (about 1 ms) in 32 bits: one register per spinning
// lane (64-bit times made the tile kernels spill on sm_90), wrapping only after 52 days.
constexpr int kWaitUnitShift = 20;
__device__ __forceinline__ unsigned waitClock() { return unsigned(globalTimerNs() >> kWaitUnitShift); }

// Ends a spin that began at `start` once it has lasted more than `units`.
__device__ __forceinline__ void trapAfter(unsigned start, unsigned units) {
  if (waitClock() - start > units) __trap();
}

// Whether tile k composes with the carry c (and so publishes apply(c, aggregate[k])).
template <class M>
__device__ __forceinline__ bool tileComposes(typename M::Value c, typename M::Elem aggregate, unsigned word) {
  return M::composable(c, aggregate, (word & kTileHasZero) != 0);
}

template <class M> struct TileStatus {
  using Elem = typename M::Elem;
  using Value = typename M::Value;

  unsigned* flags;
  Elem* aggregates;
  Value* inclusives;
  unsigned waitBoundUnits;  // the longest a tile waits for a predecessor (2^20 ns units)
#if defined(LINREC_TEST_HOOKS)
  size_t silentTile;  // test builds: this tile never publishes (to check the bound)
  __device__ __forceinline__ bool silent(size_t k) const { return k == silentTile; }
#else
  __device__ __forceinline__ bool silent(size_t) const { return false; }
#endif

  static size_t alignUp(size_t v) { return (v + 255) & ~size_t(255); }
  // Scratch layout: [flags | aggregates | inclusives]; only the flags need zeroing per launch.
  static size_t flagBytes(size_t tiles) { return alignUp(tiles * sizeof(unsigned)); }
  static size_t bytes(size_t tiles) {
    return flagBytes(tiles) + alignUp(tiles * sizeof(Elem)) + alignUp(tiles * sizeof(Value));
  }
  static TileStatus carve(void* base, size_t tiles, unsigned long long waitBoundNs) {
    char* p = static_cast<char*>(base);
    TileStatus s{};
    s.waitBoundUnits = unsigned(waitBoundNs >> kWaitUnitShift) + 1;
    s.flags = reinterpret_cast<unsigned*>(p);
    s.aggregates = reinterpret_cast<Elem*>(p + flagBytes(tiles));
    s.inclusives = reinterpret_cast<Value*>(p + flagBytes(tiles) + alignUp(tiles * sizeof(Elem)));
    return s;
  }

  __device__ __forceinline__ void publishAggregate(size_t k, Elem e, bool hasZero) const {
    if (silent(k)) return;
    aggregates[k] = e;
    ::cuda::atomic_ref<unsigned, ::cuda::thread_scope_device>(flags[k]).store(
        kTileAggregate | (hasZero ? kTileHasZero : 0u), ::cuda::memory_order_release);
  }
  __device__ __forceinline__ void publishInclusive(size_t k, Value v) const {
    if (silent(k)) return;
    inclusives[k] = v;
    ::cuda::atomic_ref<unsigned, ::cuda::thread_scope_device>(flags[k]).store(kTileInclusive,
                                                                          ::cuda::memory_order_release);
  }
  // Spins until tile k has published something; the fence orders the payload reads after it.
  __device__ __forceinline__ unsigned wait(size_t k) const {
    ::cuda::atomic_ref<unsigned, ::cuda::thread_scope_device> flag(flags[k]);
    unsigned f = flag.load(::cuda::memory_order_relaxed);
    if (f == kTileEmpty) {
      const unsigned start = waitClock();
      for (unsigned sleep = 32; f == kTileEmpty; sleep = sleep < 512 ? sleep * 2 : sleep) {
        trapAfter(start, waitBoundUnits);
        __nanosleep(sleep);
        f = flag.load(::cuda::memory_order_relaxed);
      }
    }
    ::cuda::atomic_thread_fence(::cuda::memory_order_acquire, ::cuda::thread_scope_device);
    return f;
  }
  // Spins until tile k has published its inclusive value, and returns it.
  __device__ __forceinline__ Value waitInclusive(size_t k) const {
    ::cuda::atomic_ref<unsigned, ::cuda::thread_scope_device> flag(flags[k]);
    unsigned f = flag.load(::cuda::memory_order_relaxed);
    if (tileKind(f) != kTileInclusive) {
      const unsigned start = waitClock();
      for (unsigned sleep = 32; tileKind(f) != kTileInclusive; sleep = sleep < 512 ? sleep * 2 : sleep) {
        trapAfter(start, waitBoundUnits);
        __nanosleep(sleep);
        f = flag.load(::cuda::memory_order_relaxed);
      }
    }
    ::cuda::atomic_thread_fence(::cuda::memory_order_acquire, ::cuda::thread_scope_device);
    return inclusives[k];
  }
};

// Run by one whole warp. Windows of 32 predecessors are read lane-parallel (lane l: tile
// k-1-l-32w), up to kWindows windows deep; their aggregates (and status words) wait in shared
// memory until the nearest inclusive value is found, and are then applied oldest first by lane
// 0, which waits for a tile's own inclusive value wherever that tile does not compose.
template <class M, int kWindows = 4> struct LookBack {
  using Elem = typename M::Elem;
  using Value = typename M::Value;

  struct Storage {
    Elem window[kWindows][kWarp];
    unsigned word[kWindows][kWarp];
  };

  // k: the tile's global index; t >= 1: its index within its row (the look-back stops at the
  // row's first tile, which always publishes an inclusive value). Returns the carry in every lane.
  static __device__ Value carryInto(const TileStatus<M>& status, size_t k, size_t t, Storage& s) {
    const int lane = laneId();
    unsigned start = 0;  // of the passes that found nothing inclusive in reach
    // No inclusive value within reach yet: look again from the nearest tile, after a pause
    // (every status in reach was already published, so the reads alone would not wait).
    for (unsigned sleep = 0;; sleep = sleep ? (sleep < 1024 ? sleep * 2 : sleep) : 64) {
      if (sleep == 64) start = waitClock();
      else if (sleep && lane == 0) trapAfter(start, status.waitBoundUnits);
      if (sleep) __nanosleep(sleep);
      for (int w = 0; w < kWindows; ++w) {
        size_t back = 1 + size_t(lane) + size_t(w) * kWarp;
        bool inRow = back <= t;
        unsigned word = inRow ? status.wait(k - back) : unsigned(kTileEmpty);
        unsigned kind = tileKind(word);
        unsigned inclusiveLanes = __ballot_sync(kFullMask, kind == kTileInclusive);
        s.window[w][lane] = kind == kTileAggregate ? status.aggregates[k - back] : M::identity();
        s.word[w][lane] = word;
        if (inclusiveLanes) {
          const int nearest = __ffs(inclusiveLanes) - 1;
          Value carry = M::value(M::identity());
          if (lane == nearest) carry = status.inclusives[k - back];
          carry = shflIdx(carry, nearest);
          __syncwarp();
          if (lane == 0) {
            // Tiles between the nearest inclusive value and k all published aggregates.
            for (int ww = w, i = nearest - 1; ww >= 0; --ww, i = kWarp - 1)
              for (; i >= 0; --i) {
                Elem e = s.window[ww][i];
                if (tileComposes<M>(carry, e, s.word[ww][i])) carry = apply<M>(carry, e);
                else carry = status.waitInclusive(k - (1 + size_t(i) + size_t(ww) * kWarp));
              }
          }
          return shflIdx(carry, 0);
        }
        if (size_t(w + 1) * kWarp >= t) break;  // reached the row's start (not yet published)
      }
      __syncwarp();  // the next pass rewrites the windows
    }
  }
};

}  // namespace cuda
}  // namespace linrec
