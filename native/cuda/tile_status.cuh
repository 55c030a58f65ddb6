// Decoupled look-back between the tiles of one row.
//
// Each tile k has a status word and two payload slots, each written once per launch:
//   kAggregate: aggregate[k] holds the composed map of the tile's own steps;
//   kInclusive: inclusive[k] holds x after the tile's last step (the next tile's carry).
// A publisher writes the payload, then stores the flag with release (device scope); a reader
// loads the flag with acquire, and only then reads the payload. Flags only grow (0 -> 1 -> 2),
// and flags are zeroed before every launch.
//
// Determinism: the carry into tile k is defined as the sequential chain
//   inclusive[k] = apply(inclusive[k-1], aggregate[k]),
// and the look-back reproduces exactly that chain from the nearest published inclusive value,
// one apply per skipped tile, oldest first. Where the look-back finds its prefix therefore
// changes only how long it takes, never a bit of the result.
#pragma once

#include <cuda/atomic>

#include <cstddef>
#include <cstdint>

#include "block_scan.cuh"

namespace linrec {
namespace cuda {

enum TileFlag : unsigned { kTileEmpty = 0, kTileAggregate = 1, kTileInclusive = 2 };

template <class M> struct TileStatus {
  using Elem = typename M::Elem;
  using Value = typename M::Value;

  unsigned* flags;
  Elem* aggregates;
  Value* inclusives;

  static size_t alignUp(size_t v) { return (v + 255) & ~size_t(255); }
  // Scratch layout: [flags | aggregates | inclusives]; only the flags need zeroing per launch.
  static size_t flagBytes(size_t tiles) { return alignUp(tiles * sizeof(unsigned)); }
  static size_t bytes(size_t tiles) {
    return flagBytes(tiles) + alignUp(tiles * sizeof(Elem)) + alignUp(tiles * sizeof(Value));
  }
  static TileStatus carve(void* base, size_t tiles) {
    char* p = static_cast<char*>(base);
    TileStatus s;
    s.flags = reinterpret_cast<unsigned*>(p);
    s.aggregates = reinterpret_cast<Elem*>(p + flagBytes(tiles));
    s.inclusives = reinterpret_cast<Value*>(p + flagBytes(tiles) + alignUp(tiles * sizeof(Elem)));
    return s;
  }

  __device__ __forceinline__ void publishAggregate(size_t k, Elem e) const {
    aggregates[k] = e;
    ::cuda::atomic_ref<unsigned, ::cuda::thread_scope_device>(flags[k]).store(kTileAggregate,
                                                                          ::cuda::memory_order_release);
  }
  __device__ __forceinline__ void publishInclusive(size_t k, Value v) const {
    inclusives[k] = v;
    ::cuda::atomic_ref<unsigned, ::cuda::thread_scope_device>(flags[k]).store(kTileInclusive,
                                                                          ::cuda::memory_order_release);
  }
  // Spins until tile k has published something; the acquire orders the payload reads after it.
  __device__ __forceinline__ unsigned wait(size_t k) const {
    ::cuda::atomic_ref<unsigned, ::cuda::thread_scope_device> flag(flags[k]);
    unsigned f = flag.load(::cuda::memory_order_acquire);
    for (unsigned sleep = 32; f == kTileEmpty; sleep = sleep < 512 ? sleep * 2 : sleep) {
      __nanosleep(sleep);
      f = flag.load(::cuda::memory_order_acquire);
    }
    return f;
  }
};

// Run by one whole warp. Windows of 32 predecessors are read lane-parallel (lane l: tile
// k-1-l-32w), up to kWindows windows deep; their aggregates wait in shared memory until the
// nearest inclusive value is found, and are then applied oldest first by lane 0.
template <class M, int kWindows = 4> struct LookBack {
  using Elem = typename M::Elem;
  using Value = typename M::Value;

  struct Storage {
    Elem window[kWindows][kWarp];
  };

  // k: the tile's global index; t >= 1: its index within its row (the look-back stops at the
  // row's first tile, which always publishes an inclusive value). Returns the carry in every lane.
  static __device__ Value carryInto(const TileStatus<M>& status, size_t k, size_t t, Storage& s) {
    const int lane = laneId();
    for (;;) {  // no inclusive value within reach yet: look again from the nearest tile
      for (int w = 0; w < kWindows; ++w) {
        size_t back = 1 + size_t(lane) + size_t(w) * kWarp;
        bool inRow = back <= t;
        unsigned flag = inRow ? status.wait(k - back) : unsigned(kTileEmpty);
        unsigned inclusiveLanes = __ballot_sync(kFullMask, flag == kTileInclusive);
        s.window[w][lane] = flag == kTileAggregate ? status.aggregates[k - back] : M::identity();
        if (inclusiveLanes) {
          const int nearest = __ffs(inclusiveLanes) - 1;
          Value carry = M::value(M::identity());
          if (lane == nearest) carry = status.inclusives[k - back];
          carry = shflIdx(carry, nearest);
          __syncwarp();
          if (lane == 0) {
            for (int i = nearest - 1; i >= 0; --i) carry = apply<M>(carry, s.window[w][i]);
            for (int ww = w - 1; ww >= 0; --ww)
              for (int i = kWarp - 1; i >= 0; --i) carry = apply<M>(carry, s.window[ww][i]);
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
