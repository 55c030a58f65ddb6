// Decoupled look-back between the tiles of one row (CUB's single-pass scan, made deterministic).
//
// Each tile t >= 1 of a row publishes, once per launch, its aggregate (the composed map of its
// steps, with a bit that says whether one of its coefficients is exactly 0), then its inclusive
// value X_t (x after its last step, the next tile's carry). Where a payload fits in 8 bytes, or
// leaves bits of a 16-byte word for the status (the float32 log method's aggregate: WordCodec),
// it is published with its status in one 16-byte word, stored and polled whole (one L2 round trip
// per poll, as CUB does for 8-byte values); larger payloads have a status word released after
// the payload, polled relaxed, and one acquire fence after the statuses a look-back needs are seen,
// before their payloads are read.
//
// Determinism: the row's tiles form groups of 32, group g = tiles 32g+1 .. 32g+32, whose anchor
// is tile 32g (tile 0 for the first group; an anchor is also the last tile of the group before).
// With S_t the inclusive scan of the group's aggregates up to tile t, reduced by the fixed
// Kogge-Stone tree of warpInclusiveScan (lane i = tile 32g+1+i, whatever is published when),
//   X_t = composable(X_anchor, S_t, zero) ? apply(X_anchor, S_t) : x after stepping through tile t
// (the tile itself publishes the stepped value, from its carry X_{t-1}; a reader that finds the
// composition invalid waits for it). So an anchor's X is apply(X of the anchor before, G), G the
// group's total S_{32g+32}, or that anchor's stepped x where this does not compose. Every reader
// computes X_t by this one formula, from published bits only, so where the look-back finds its
// prefix changes how long it takes, never a bit of the result; a published X_t may stand for the
// formula since it is the formula's value.
//
// The group-aggregate chain: a group's last tile publishes G (with a zero bit) as soon as it has
// its group's aggregates, before it waits for any X; G depends on no X, so no chain runs through
// it. The look-back of tile t (one warp), in one round of polls: its own group's aggregates before
// it, and for the own anchor and the 31 before it (lane i: 32i tiles back) their X and the G of
// the group that ends at them. From the nearest anchor that has published X (32 anchors further
// back at a time, to tile 0, if none in reach), one apply per group, in order, reaches the own
// anchor's X: 32 groups (1,024 tiles) per round trip. Each lane then composes it with its own
// prefix of the own group. Where payloads sit behind status words (float64), that round polls
// statuses only; once the own group's are seen, and where it has also seen an anchor's X and the
// G of every group between it and the own anchor, one fence covers them all and every payload is
// read at once (session 10: before, each kind of item had its own fence and payload read). No window cap, no sleep: the
// depth is whatever the pending predecessors need. (Before session 8, a look-back read and reduced each group's 32
// aggregates after the anchor before had published: one group per round trip.)
//
// Every wait is bounded (a GPU such as the H100 has no watchdog: an endless spin would hang the
// device): a tile that waits longer than waitBoundUnits for a predecessor gives up. It raises the
// launch's give-up word (pinned host memory: the host turns it into ERR_LINREC_CUDA after the
// call) and goes on with an identity in place of the missing value; every other wait that has
// lasted a unit (about 1 ms) and sees the word raised ends too, so the launch ends soon, its
// results discarded. Not a trap: on an H200 (driver 580) a process never got a context on the
// device again after one, while a kernel that returns leaves the device usable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <cuda/atomic>

#include "block_scan.cuh"
#include "reach.cuh"

namespace linrec {
namespace cuda {

// Status word of a published item: 0 until published; kPublished | (an aggregate's) kHasZero.
constexpr unsigned kPublished = 1u, kHasZero = 2u;
constexpr size_t kGroupTiles = kWarp;  // tiles per look-back group (one per lane)

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

// Whether a spin that began at `start` should end without its value: it has lasted more than
// `units` (then it raises *gaveUp), or at least a unit while another wait gave up. A wait shorter
// than a unit, as every wait of a healthy launch is, reads nothing more than its own polls.
__device__ __forceinline__ bool givesUp(unsigned start, unsigned units, unsigned* gaveUp) {
  const unsigned waited = waitClock() - start;
  if (waited == 0) return false;
  volatile unsigned* word = gaveUp;
  if (*word != 0) return true;
  if (waited <= units) return false;
  *word = 1;
  return true;
}

// Between two polls: nothing on a GPU (a poll is an L2 round trip already); the emulation lets
// the other threads and blocks run.
__device__ __forceinline__ void spinPause() {
#if defined(LINREC_CUDA_EMULATION)
  ::linrec::emulation::pause();
#endif
}

#if defined(LINREC_CUDA_EMULATION) && defined(LINREC_TEST_HOOKS)
// Emulated test builds: counts each look-back and the predecessors it reduced (device_scan.cu).
void recordLookBack(size_t reduced);
#endif

// What one poll of a tile's item saw: `word` (0: not yet published) and, for packed items, the
// payload read with it.
template <class T> struct Polled {
  unsigned word;
  T value;
};

// How an item and its status share one 16-byte word {first, second}, `first` carrying the
// status (0 while unpublished: the words are zeroed per launch). A payload of at most 8 bytes:
// {status, payload bits}.
template <class T, class Enable = void> struct WordCodec {
  static constexpr bool kPacked = sizeof(T) <= 8;
  union Bits {
    T value;
    unsigned long long bits;
  };
  static __device__ __forceinline__ void encode(T v, unsigned status, unsigned long long& first,
                                                unsigned long long& second) {
    Bits b;
    b.bits = 0;
    b.value = v;
    first = status;
    second = b.bits;
  }
  static __device__ __forceinline__ unsigned decode(unsigned long long first, unsigned long long second, T& v) {
    Bits b;
    b.bits = second;
    v = b.value;
    return unsigned(first);
  }
};
// The float32 log method's aggregate, 16 bytes: its int32 exponents lie within ±2^30
// (extended32::kMaxExponent), so each has a bit to spare for a status bit: first = {A.m,
// 2·A.e + published}, second = {B.m, 2·B.e + hasZero}.
template <> struct WordCodec<ExtendedFloatPair> {
  static constexpr bool kPacked = true;
  static __device__ __forceinline__ unsigned long long half(ExtendedFloat x, bool bit) {
    return (unsigned long long)extended32::bitsOf(x.m) | (unsigned long long)((uint32_t(x.e) << 1) | uint32_t(bit))
                                                             << 32;
  }
  static __device__ __forceinline__ ExtendedFloat whole(unsigned long long w) {
    return {extended32::fromBits(uint32_t(w)), int32_t(uint32_t(w >> 32)) >> 1};
  }
  static __device__ __forceinline__ void encode(ExtendedFloatPair v, unsigned status, unsigned long long& first,
                                                unsigned long long& second) {
    first = half(v.A, (status & kPublished) != 0);
    second = half(v.B, (status & kHasZero) != 0);
  }
  static __device__ __forceinline__ unsigned decode(unsigned long long first, unsigned long long second,
                                                    ExtendedFloatPair& v) {
    v = {whole(first), whole(second)};
    return ((first >> 32) & 1u ? kPublished : 0u) | ((second >> 32) & 1u ? kHasZero : 0u);
  }
};

// The float64 affine aggregate (the direct method), 16 bytes with no bit to spare: first = ~bits(A),
// second = bits(B). Published words are never 0 in first (A's bits are never all ones: a NaN A is
// stored as the canonical NaN), so a zeroed word reads as unpublished. The zero bit (kHasZero: some
// coefficient of the tile is 0, so A is +0 or -0 after resetGuard) takes two NaN patterns of A that
// no publication holds otherwise. So a poll reads the payload with its status, as for float32
// (one L2 round trip a look-back pass, where a status word, a fence and the payload took three).
template <> struct WordCodec<AffinePair<double>> {
  static constexpr bool kPacked = true;
  static constexpr unsigned long long kSign = 0x8000000000000000ull;
  static constexpr unsigned long long kCanonicalNaN = 0x7ff8000000000000ull;
  static constexpr unsigned long long kZero = 0x7ff4000000000001ull;  // | kSign: A = -0
  static __device__ __forceinline__ void encode(AffinePair<double> v, unsigned status, unsigned long long& first,
                                                unsigned long long& second) {
    unsigned long long a = extended::bitsOf(v.A);
    a = (status & kHasZero) ? (a & kSign) | kZero : v.A != v.A ? kCanonicalNaN : a;
    first = ~a;
    second = extended::bitsOf(v.B);
  }
  static __device__ __forceinline__ unsigned decode(unsigned long long first, unsigned long long second,
                                                    AffinePair<double>& v) {
    const unsigned long long a = ~first;
    const bool zero = (a & ~kSign) == kZero;
    v = {extended::fromBits(zero ? a & kSign : a), extended::fromBits(second)};
    return first == 0 ? 0u : kPublished | (zero ? kHasZero : 0u);
  }
};

// One item per tile (its aggregate, or its inclusive value), written once per launch.
template <class T, bool kPacked = WordCodec<T>::kPacked> struct PublishedItems;

// Status and payload in one 16-byte word (WordCodec), stored and loaded whole (an aligned
// 16-byte access is served by one L2 sector: CUB relies on the same).
template <class T> struct PublishedItems<T, true> {
  struct alignas(16) Word {
    unsigned long long first, second;  // first: the status (WordCodec)
  };
  Word* words;

  static size_t statusBytes(size_t tiles) { return tiles * sizeof(Word); }  // zeroed per launch
  static size_t payloadBytes(size_t) { return 0; }
  void carve(char* status, char*) { words = reinterpret_cast<Word*>(status); }

  __device__ __forceinline__ void publish(size_t k, T v, unsigned status) const {
    unsigned long long first, second;
    WordCodec<T>::encode(v, status, first, second);
#if defined(LINREC_CUDA_EMULATION)
    // The emulation's 16-byte word: the second half first, the status half released after it
    // (the host compiler has no single 16-byte store); a reader acquires the status half first.
    __atomic_store_n(&words[k].second, second, __ATOMIC_RELAXED);
    __atomic_store_n(&words[k].first, first, __ATOMIC_RELEASE);
#else
    asm volatile("st.relaxed.gpu.global.v2.u64 [%0], {%1, %2};" ::"l"(&words[k]), "l"(first), "l"(second) : "memory");
#endif
  }
  __device__ __forceinline__ Polled<T> poll(size_t k) const {
    unsigned long long first, second;
#if defined(LINREC_CUDA_EMULATION)
    first = __atomic_load_n(&words[k].first, __ATOMIC_ACQUIRE);
    second = __atomic_load_n(&words[k].second, __ATOMIC_RELAXED);
#else
    asm volatile("ld.relaxed.gpu.global.v2.u64 {%0, %1}, [%2];"
                 : "=l"(first), "=l"(second)
                 : "l"(&words[k])
                 : "memory");
#endif
    Polled<T> p;
    p.word = WordCodec<T>::decode(first, second, p.value);
    return p;
  }
  static constexpr bool kFenced = false;  // the payload comes with its poll
  __device__ __forceinline__ T read(size_t, const Polled<T>& p) const { return p.value; }
  __device__ __forceinline__ T value(size_t, const Polled<T>& p) const { return p.value; }
};

// The acquire after statuses seen by relaxed polls, before their payloads are read (one for all
// the items a look-back has seen: a fence waits for the SM's outstanding accesses and costs about
// an L2 round trip).
__device__ __forceinline__ void acquireSeen() {
  ::cuda::atomic_thread_fence(::cuda::memory_order_acquire, ::cuda::thread_scope_device);
}

// Larger payloads: the payload, then the status word with release; a poll reads the status
// relaxed, and the payloads of the items seen are read after one fence (acquireSeen; an acquire
// load per poll would invalidate the SM's L1 on every poll). Payloads move in 16-byte words (one vector
// access each, not one access per member: AffinePair<double> and Extended are one word,
// ExtendedPair<double> two).
struct alignas(16) PayloadWord {
  unsigned long long first, second;
};
template <class T> struct PublishedItems<T, false> {
  static_assert(sizeof(T) % sizeof(PayloadWord) == 0, "unpacked payloads are whole 16-byte words");
  static constexpr int kWords = int(sizeof(T) / sizeof(PayloadWord));
#if defined(LINREC_CUDA_EMULATION)
  static constexpr int kSlotWords = kWords + 1;  // and the publication's stamp (emulated weak ordering)
#else
  static constexpr int kSlotWords = kWords;
#endif
  unsigned* statuses;
  PayloadWord* payloads;

  static size_t statusBytes(size_t tiles) { return tiles * sizeof(unsigned); }
  static size_t payloadBytes(size_t tiles) { return tiles * kSlotWords * sizeof(PayloadWord); }
  void carve(char* status, char* payload) {
    statuses = reinterpret_cast<unsigned*>(status);
    payloads = reinterpret_cast<PayloadWord*>(payload);
  }

  __device__ __forceinline__ void publish(size_t k, T v, unsigned status) const {
    PayloadWord words[kWords];
    memcpy(words, &v, sizeof(T));
#if defined(LINREC_CUDA_EMULATION)
    __atomic_store_n(&payloads[k * kSlotWords + kWords].first, ::linrec::emulation::stampPublication(),
                     __ATOMIC_RELAXED);
#endif
#pragma unroll
    for (int i = 0; i < kWords; ++i) payloads[k * kSlotWords + i] = words[i];
    ::cuda::atomic_ref<unsigned, ::cuda::thread_scope_device>(statuses[k]).store(status, ::cuda::memory_order_release);
  }
  __device__ __forceinline__ Polled<T> poll(size_t k) const {
    Polled<T> p;
    p.word = ::cuda::atomic_ref<unsigned, ::cuda::thread_scope_device>(statuses[k]).load(::cuda::memory_order_relaxed);
    return p;
  }
  static constexpr bool kFenced = true;
  // The payload of an item whose status this thread has seen, after acquireSeen.
  __device__ __forceinline__ T read(size_t k, const Polled<T>&) const {
    PayloadWord words[kWords];
#pragma unroll
    for (int i = 0; i < kWords; ++i) words[i] = payloads[k * kSlotWords + i];
#if defined(LINREC_CUDA_EMULATION)
    if (!::linrec::emulation::visibleAfterAcquire(
            __atomic_load_n(&payloads[k * kSlotWords + kWords].first, __ATOMIC_RELAXED)))
      memset(words, 0xff, sizeof words);  // poison (NaN): what a stale or unwritten payload may hold
#endif
    T v;
    memcpy(&v, words, sizeof(T));
    return v;
  }
  // The payload of one item just seen: its own fence, then the read.
  __device__ __forceinline__ T value(size_t k, const Polled<T>& p) const {
    acquireSeen();
    return read(k, p);
  }
};

template <class M> struct TileStatus {
  using Elem = typename M::Elem;
  using Value = typename M::Value;
  using Aggregates = PublishedItems<Elem>;
  using Inclusives = PublishedItems<Value>;

  Aggregates aggregates;  // status kPublished | kHasZero (some coefficient of the tile is 0)
  Inclusives inclusives;  // status kPublished
  Aggregates groups;  // G of each group of kGroupTiles tiles, at groupSlot(its last tile); as aggregates
  unsigned waitBoundUnits;  // the longest a tile waits for a predecessor (2^20 ns units)
  unsigned* gaveUp;  // raised by a wait past the bound (pinned host memory, DeviceContext::gaveUp)
#if defined(LINREC_TEST_HOOKS)
  size_t silentTile;  // test builds: this tile never publishes (to check the bound)
  // Test builds: tile holdTile publishes its aggregate late (deep look-backs, late G's): after
  // holdNs, or, where holdForTiles > 0 (the emulation's LINREC_EMULATED_HOLD_FOR_TILES), once the
  // holdForTiles tiles after it have published theirs: an event, so that the windows behind it
  // are as deep on a loaded machine as on a quiet one. holdNs then bounds that wait, and a hold
  // that reaches the bound raises the give-up word: the call fails (ERR_LINREC_CUDA) rather than
  // pass without the windows it was meant to make.
  size_t holdTile;
  unsigned long long holdNs;
  size_t holdForTiles;
  size_t tiles;  // of the launch: tiles past its last never publish
  bool fromRowStart;  // test builds: look-backs see no anchor's X but tile 0's (the longest chains)
  __device__ __forceinline__ bool silent(size_t k) const { return k == silentTile; }
  __device__ __forceinline__ bool skipsAnchor(unsigned back, unsigned t) const { return fromRowStart && back != t; }
  __device__ __forceinline__ void holdBack(size_t k) const {
    if (k != holdTile) return;
    const unsigned long long start = globalTimerNs();
    if (holdForTiles == 0) {
      while (globalTimerNs() - start < holdNs) spinPause();
      return;
    }
    for (size_t j = k + 1; j <= k + holdForTiles; ++j) {
      while (j >= tiles || aggregates.poll(j).word == 0) {
        if (globalTimerNs() - start >= holdNs) {
#if defined(LINREC_CUDA_EMULATION)
          std::fprintf(stderr,
                       "linrec CUDA emulation: tile %zu's hold reached its bound (%.1f s) with %zu of the %zu tiles "
                       "after it published\n",
                       k, double(holdNs) * 1e-9, j - k - 1, holdForTiles);
#endif
          *static_cast<volatile unsigned*>(gaveUp) = 1;
          return;
        }
        spinPause();
      }
    }
  }
#else
  __device__ __forceinline__ bool silent(size_t) const { return false; }
  __device__ __forceinline__ void holdBack(size_t) const {}
  __device__ __forceinline__ bool skipsAnchor(unsigned, unsigned) const { return false; }
#endif

  // Group slots: a group's last tile over kGroupTiles. Unique: within a row, groups end 32 tiles
  // apart, and a row's first group ends 32 tiles after its first tile, more than 32 after the
  // end of any group of the row before.
  static __host__ __device__ __forceinline__ size_t groupSlot(size_t lastTile) { return lastTile / kGroupTiles; }
  static size_t groupSlots(size_t tiles) { return tiles / kGroupTiles + 1; }

  static size_t alignUp(size_t v) { return (v + 255) & ~size_t(255); }
  // Scratch layout: [aggregate statuses | inclusive statuses | group statuses | aggregate
  // payloads | inclusive payloads | group payloads]; only the statuses need zeroing per launch
  // (flagBytes).
  static size_t flagBytes(size_t tiles) {
    return alignUp(Aggregates::statusBytes(tiles)) + alignUp(Inclusives::statusBytes(tiles)) +
           alignUp(Aggregates::statusBytes(groupSlots(tiles)));
  }
  static size_t bytes(size_t tiles) {
    return flagBytes(tiles) + alignUp(Aggregates::payloadBytes(tiles)) + alignUp(Inclusives::payloadBytes(tiles)) +
           alignUp(Aggregates::payloadBytes(groupSlots(tiles)));
  }
  static TileStatus carve(void* base, size_t tiles, unsigned long long waitBoundNs, unsigned* gaveUp) {
    char* p = static_cast<char*>(base);
    TileStatus s{};
    s.waitBoundUnits = unsigned(waitBoundNs >> kWaitUnitShift) + 1;
    s.gaveUp = gaveUp;
    char* payloads = p + flagBytes(tiles);
    s.aggregates.carve(p, payloads);
    p += alignUp(Aggregates::statusBytes(tiles));
    payloads += alignUp(Aggregates::payloadBytes(tiles));
    s.inclusives.carve(p, payloads);
    p += alignUp(Inclusives::statusBytes(tiles));
    payloads += alignUp(Inclusives::payloadBytes(tiles));
    s.groups.carve(p, payloads);
    return s;
  }

  __device__ __forceinline__ void publishAggregate(size_t k, Elem e, bool hasZero) const {
    if (silent(k)) return;
    holdBack(k);
    aggregates.publish(k, e, kPublished | (hasZero ? kHasZero : 0u));
  }
  // G of the group whose last tile is k (published by that tile).
  __device__ __forceinline__ void publishGroup(size_t k, Elem g, bool hasZero) const {
    if (silent(k)) return;
    groups.publish(groupSlot(k), g, kPublished | (hasZero ? kHasZero : 0u));
  }
  __device__ __forceinline__ void publishInclusive(size_t k, Value v) const {
    if (silent(k)) return;
    inclusives.publish(k, v, kPublished);
  }
  // Spins until tile k has published its inclusive value, and returns it (all lanes, same k);
  // an identity's value once the wait gives up.
  __device__ __forceinline__ Value waitInclusive(size_t k) const {
    Polled<Value> p = inclusives.poll(k);
    if (p.word == 0) {
      const unsigned start = waitClock();
      do {
        if (givesUp(start, waitBoundUnits, gaveUp)) return M::value(M::identity());
        spinPause();
        p = inclusives.poll(k);
      } while (p.word == 0);
    }
    return inclusives.value(k, p);
  }
};

// Run by one whole warp of tile t >= 1 of a row (global index k).
template <class M> struct LookBack {
  using Elem = typename M::Elem;
  using Value = typename M::Value;
  using LR = LoopReach<M>;

  // The tile's own aggregate waits here during the look-back (registers are scarce).
  struct Storage {
    Elem own;
    bool ownZero;
  };

  struct Result {
    Value carry;  // X_{t-1}
    Value inclusive;  // apply(X_anchor, S_t): X_t where `composes`
    bool composes;  // else the tile publishes its stepped last x itself
  };

  // Spins until lanes where `mine` have seen item `index` of `items` published (relaxed polls;
  // `p`: the lane's first poll, already issued). Their payloads are read after acquireSeen.
  static __device__ __forceinline__ void waitSeen(const TileStatus<M>& status,
                                                  const typename TileStatus<M>::Aggregates& items, size_t index,
                                                  bool mine, Polled<Elem>& p) {
    if (__any_sync(kFullMask, mine && p.word == 0)) {
      const unsigned start = waitClock();
      do {
        if (mine && p.word == 0) {
          if (givesUp(start, status.waitBoundUnits, status.gaveUp)) {
            p.word = kPublished;  // its value: whatever is read (the launch's results are discarded)
          } else {
            spinPause();
            p = items.poll(index);
          }
        }
      } while (__any_sync(kFullMask, mine && p.word == 0));
    }
  }

  // Lanes where `mine`: the payload of item `index` (seen, and fenced since) and its zero bit;
  // other lanes: the identity.
  static __device__ __forceinline__ Elem readElem(const typename TileStatus<M>::Aggregates& items, size_t index,
                                                  bool mine, const Polled<Elem>& p, bool& zero) {
    zero = mine && (p.word & kHasZero) != 0;
    return mine ? items.read(index, p) : M::identity();
  }

  static __device__ __forceinline__ Polled<Elem> pollIf(const typename TileStatus<M>::Aggregates& items, size_t index,
                                                        bool mine) {
    Polled<Elem> p;
    p.word = 0;
    if (mine) p = items.poll(index);
    return p;
  }

  // own, ownZero: the tile's aggregate and zero bit (the values it published). Other tiles are
  // addressed as k minus a 32-bit distance (a launch has fewer than 2^31 tiles): registers are
  // scarce here, since the block's items stay live across the look-back.
  static __device__ Result carryInto(const TileStatus<M>& status, size_t k, size_t t, Elem own, bool ownZero,
                                     Storage& storage) {
    using Aggregates = typename TileStatus<M>::Aggregates;
    using Inclusives = typename TileStatus<M>::Inclusives;
    const int lane = laneId();
    if (lane == 0) storage.own = own, storage.ownZero = ownZero;
    const unsigned t32 = unsigned(t);
    const unsigned ownAnchor = ((t32 - 1u) & unsigned(kGroupTiles - 1)) + 1u;  // k minus the own anchor's index
    const int position = int(ownAnchor) - 1;  // the tile's lane in its group

    // 1. One round of polls (statuses only, where payloads are fenced): the own group's
    // aggregates before the tile (lane i: tile k - position + i); the X of the own anchor and of
    // the 31 before it (lane i: 32i tiles before the own one), and the aggregate G of the group
    // that ends at each of them.
    const size_t memberIndex = k - (unsigned(position) - unsigned(lane));
    Polled<Elem> member = pollIf(status.aggregates, memberIndex, lane < position);
    unsigned anchorBack = ownAnchor + unsigned(lane) * unsigned(kGroupTiles);  // k minus the lane's anchor
    Polled<Value> anchor;
    anchor.word = 0;
    if (anchorBack <= t32 && !status.skipsAnchor(anchorBack, t32)) anchor = status.inclusives.poll(k - anchorBack);
    const size_t ownSlot = TileStatus<M>::groupSlot(k - ownAnchor) - unsigned(lane);
    Polled<Elem> group = pollIf(status.groups, ownSlot, anchorBack < t32);

    // 2. Once the own group's statuses are seen: where this round has also seen an anchor's X and
    // the G of every group between it and the own anchor (a healthy launch's usual case), one
    // fence for all of them, then every payload at once; otherwise the own group's payloads, and
    // the search of steps 3 and 4 with a fence per window.
    waitSeen(status, status.aggregates, memberIndex, lane < position, member);
    int nearest = __ffs(__ballot_sync(kFullMask, anchor.word != 0)) - 1;  // -1: none seen
    const bool seen = nearest >= 0 && __all_sync(kFullMask, lane >= nearest || group.word != 0);
    if (Aggregates::kFenced || (seen && Inclusives::kFenced)) acquireSeen();
    bool zero, groupZero = false;
    Elem e = readElem(status.aggregates, memberIndex, lane < position, member, zero);
    Elem g = M::identity();
    Value v = M::value(M::identity());
    if (seen) {
      if (lane == nearest) v = status.inclusives.read(k - anchorBack, anchor);
      g = readElem(status.groups, ownSlot, lane < nearest, group, groupZero);
    }

    // The own group: its aggregates up to the tile, scanned by the fixed tree (S_t in lane
    // `position`). They depend on no X, so the group's last tile publishes the group's total G
    // now, before it waits for anything: later tiles then cross its group in one apply.
    __syncwarp();
    if (lane == position) e = storage.own, zero = storage.ownZero;
    const bool tileZero = zero;  // the lane's tile's (the scan makes it its prefix's)
    bool prefixExact = true;
    const Elem scanned = warpInclusiveScanExact<M>(e, zero, prefixExact);
    // A G that lost a B (prefixExact false), or whose span fails (reach.cuh: from some |x| up to
    // LR::group(), a tile of the group is entered beyond LR::span()), or whose tiles' suffix
    // products sum past LR::groupSum() (reach.cuh: underflow), never composes: later tiles wait
    // for an X instead. The group's last tile decides its own X by the same rule (step 5).
    bool groupCarries = !LR::kEnabled || __all_sync(kFullMask, lane == kWarp - 1 || LR::carriesGroup(scanned));
    if constexpr (LR::kEnabled) {
      if (position == kWarp - 1) {  // warp-uniform: the group's last tile
        using T = typename M::Scalar;
        const AffinePair<T> sums = warpInclusiveScan<AffineMonoid<T>>(AffinePair<T>{Math<T>::abs(e.A), T(1)});
        groupCarries = groupCarries && shflIdx(sums.B, kWarp - 1) <= LR::groupSum();
      }
    }
    if (position == kWarp - 1 && lane == kWarp - 1)
      status.publishGroup(k, prefixExact && groupCarries ? scanned : uncomposable(scanned),
                          zero && prefixExact && groupCarries);

    // 3. The nearest anchor that has published X: the one seen above, or window 0 from the polls
    // above, then 32 anchors further back at a time, to tile 0 (which always publishes); from the
    // top again while none has, or give up as if the own anchor had published an identity's value.
    Value x;
    unsigned d = ownAnchor;  // k minus the anchor of lane 0 of the window where X was found
    if (seen) {
      x = shflIdx(v, nearest);
    } else {
      for (const unsigned start = waitClock();;) {
        const unsigned hits = __ballot_sync(kFullMask, anchor.word != 0);
        if (hits) {
          nearest = __ffs(hits) - 1;
          if (lane == nearest) v = status.inclusives.value(k - anchorBack, anchor);
          x = shflIdx(v, nearest);
          break;
        }
        if (d + unsigned(kGroupTiles * kWarp) <= t32) {
          d += unsigned(kGroupTiles * kWarp);  // 32 anchors further back
        } else if (__any_sync(kFullMask, givesUp(start, status.waitBoundUnits, status.gaveUp))) {
          x = M::value(M::identity());
          d = ownAnchor;
          nearest = 0;
          break;
        } else {
          spinPause();
          d = ownAnchor;
        }
        anchorBack = d + unsigned(lane) * unsigned(kGroupTiles);
        anchor.word = 0;
        if (anchorBack <= t32 && !status.skipsAnchor(anchorBack, t32)) anchor = status.inclusives.poll(k - anchorBack);
      }
    }
    const unsigned reduced = d + unsigned(nearest) * unsigned(kGroupTiles) - 1u;  // tiles between it and this one

    // 4. From that X to the own anchor's: X of each later anchor is apply(X before, G) of the
    // group between (or, where that does not compose, the anchor's own stepped x), groups in
    // order, window after window; lane i holds the G that ends at the lane's anchor (read in
    // step 2 where seen there).
    for (int top = nearest;; top = kWarp) {
      if (top > 0) {
        if (!seen) {
          const size_t slot = TileStatus<M>::groupSlot(k - d) - unsigned(lane);
          if (d != ownAnchor || top == kWarp) group = pollIf(status.groups, slot, lane < top);
          waitSeen(status, status.groups, slot, lane < top, group);
          if (Aggregates::kFenced) acquireSeen();
          g = readElem(status.groups, slot, lane < top, group, groupZero);
        }
        const unsigned groupZeros = __ballot_sync(kFullMask, groupZero);
#pragma unroll 1
        for (int j = top - 1; j >= 0; --j) {
          const Elem gj = shflIdx(g, j);
          const bool gZero = (groupZeros >> j) & 1u;
          if (M::composable(x, gj, gZero) && LR::fitsGroup(x) && LR::clearsGroupCap(x, gj, gZero))
            x = apply<M>(x, gj);
          else
            x = status.waitInclusive(k - (d + unsigned(j) * unsigned(kGroupTiles)));
        }
      }
      if (d == ownAnchor) break;
      d -= unsigned(kGroupTiles * kWarp);
    }

    // 5. The own group: lane i composes the own anchor's X with its prefix (only values are
    // exchanged afterwards). Each tile of the prefix must be entered within its span (reach.cuh:
    // lane i's tile from lane i - 1's composition); the group's last tile, whose X later groups
    // reach through G, decides as they do (step 4).
    const Value composed = apply<M>(x, scanned);
    const Value before = shflUp(composed, 1);  // whole warp
    const Value entering = lane == 0 ? x : before;
    // And each tile from its entering value clear of an underflow (reach.cuh: its g is at most
    // the cap, or it was published uncomposable).
    const unsigned fitting =
        LR::kEnabled ? __ballot_sync(kFullMask, LR::fitsSpan(entering, x) && LR::clearsCap(entering, e, tileZero))
                     : kFullMask;
    const bool fits = lane == kWarp - 1 ? groupCarries && LR::fitsGroup(x) && LR::clearsGroupCap(x, scanned, zero)
                                        : (~fitting & ((2u << lane) - 1u)) == 0;
    const bool valid = prefixExact && M::composable(x, scanned, zero) && fits;
    const unsigned validLanes = __ballot_sync(kFullMask, valid);
#if defined(LINREC_CUDA_EMULATION) && defined(LINREC_TEST_HOOKS)
    if (lane == 0) recordLookBack(reduced);
#endif
    (void)reduced;
    Result r;
    r.composes = (validLanes >> position) & 1u;
    r.inclusive = shflIdx(composed, position);
    if (position == 0)
      r.carry = x;
    else if ((validLanes >> (position - 1)) & 1u)
      r.carry = shflIdx(composed, position - 1);
    else
      r.carry = status.waitInclusive(k - 1);
    return r;
  }
};

}  // namespace cuda
}  // namespace linrec
