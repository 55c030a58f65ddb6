// A CPU emulation of the small part of CUDA the engine uses, so that native/cuda/*.cu compile
// with the host compiler (CMake -DLINREC_CUDA_EMULATION=ON) and the whole GPU test suite runs
// where there is no GPU (CI). It checks the engine's logic, not the hardware: every thread of a
// block is a fiber on one OS thread (run in a random order between synchronizations, so that a
// missing barrier shows), a warp's collectives exchange values through the block,
// several blocks run at once on separate OS threads, started in a random order (so the look-back
// meets tiles in every state, and no kernel can count on blocks starting in blockIdx order),
// streams run their work asynchronously (a queue and a worker thread per stream, with
// CUDA's rules between the legacy default stream, blocking and non-blocking streams and events,
// and copies into pinned host memory visible to the host only once it synchronizes with them),
// and device memory is host
// memory with a budget (LINREC_EMULATED_DEVICE_MEMORY bytes, default 1 GiB) that cudaMalloc
// enforces.
// LINREC_EMULATED_DEVICES (default 1) devices, each with its own memory, faults and resets.
// Every random choice of the schedule follows one seed per process (LINREC_EMULATED_SEED, else
// derived from LINREC_SEED, else random), which every failure message names.
// LINREC_EMULATED_BLOCKS_IN_FLIGHT (default 3) and LINREC_EMULATED_JITTER_PERCENT (default 0: the
// chance that a block stalls up to 2 ms at a barrier) widen the states the look-back meets;
// LINREC_EMULATED_HOLD_FOR_TILES (test builds, with _setLookBackTest's held tile) makes the held
// tile publish once that many tiles after it have published (tile_status.cuh: holdBack).
// Timing, bank or coalescing effects, and memory ordering weaker than the host's are not
// modelled, except for payloads published behind a status word (stampPublication below):
// correctness and speed still count only on a GPU.
//
// Collectives must be called by all 32 lanes of a warp with a full mask, and by every lane
// at the same call (divergent collectives are undefined on a GPU): the emulation aborts with
// a message when they are not. __trap() poisons the context as a real fault does, for the rest
// of the process: as on an H200 (driver 580), cudaDeviceReset then frees every allocation and
// returns success, but every later call on the device fails with cudaErrorDevicesUnavailable.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <tuple>
#include <type_traits>
#include <utility>

#define LINREC_CUDA_EMULATION 1

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
// Per block: a block's threads are fibers of one OS thread, which runs one block at a time.
#define __shared__ static thread_local

struct dim3 {
  unsigned x = 1, y = 1, z = 1;
  constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
struct alignas(16) float4 {
  float x, y, z, w;
};
struct alignas(16) double2 {
  double x, y;
};

enum cudaError_t {
  cudaSuccess = 0,
  cudaErrorInvalidValue = 1,
  cudaErrorMemoryAllocation = 2,
  cudaErrorInvalidConfiguration = 9,
  cudaErrorInsufficientDriver = 35,
  cudaErrorNoDevice = 100,
  cudaErrorInvalidDevice = 101,
  cudaErrorInvalidResourceHandle = 400,
  cudaErrorDevicesUnavailable = 46,
  cudaErrorLaunchFailure = 719,
};
using cudaError = cudaError_t;
enum cudaMemcpyKind {
  cudaMemcpyHostToHost = 0,
  cudaMemcpyHostToDevice = 1,
  cudaMemcpyDeviceToHost = 2,
  cudaMemcpyDeviceToDevice = 3,
  cudaMemcpyDefault = 4
};
enum cudaDeviceAttr { cudaDevAttrMultiProcessorCount = 16 };
struct CUstream_st;
struct CUevent_st;
using cudaStream_t = CUstream_st*;
using cudaEvent_t = CUevent_st*;
constexpr unsigned cudaStreamNonBlocking = 1, cudaEventDisableTiming = 2, cudaHostAllocDefault = 0,
                   cudaHostAllocMapped = 2;

struct cudaDeviceProp {
  char name[256];
  size_t totalGlobalMem;
  int major, minor;
  int multiProcessorCount;
};

// --- runtime API (emulated_device.cc) ----------------------------------------------------------
const char* cudaGetErrorString(cudaError_t err);
cudaError_t cudaGetLastError();
cudaError_t cudaGetDeviceCount(int* count);
cudaError_t cudaGetDevice(int* device);
cudaError_t cudaSetDevice(int device);
cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int device);
cudaError_t cudaDeviceGetAttribute(int* value, cudaDeviceAttr attr, int device);
cudaError_t cudaDeviceSynchronize();
cudaError_t cudaDeviceReset();
cudaError_t cudaMalloc(void** ptr, size_t bytes);
cudaError_t cudaFree(void* ptr);
cudaError_t cudaHostAlloc(void** ptr, size_t bytes, unsigned flags);
cudaError_t cudaFreeHost(void* ptr);
cudaError_t cudaMemGetInfo(size_t* freeBytes, size_t* totalBytes);
cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind);
cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind,
                            cudaStream_t stream = nullptr);
cudaError_t cudaMemsetAsync(void* dst, int value, size_t bytes, cudaStream_t stream = nullptr);
cudaError_t cudaStreamCreate(cudaStream_t* stream);
cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned flags);
cudaError_t cudaStreamDestroy(cudaStream_t stream);
cudaError_t cudaStreamSynchronize(cudaStream_t stream);
cudaError_t cudaStreamWaitEvent(cudaStream_t stream, cudaEvent_t event, unsigned flags = 0);
cudaError_t cudaEventCreate(cudaEvent_t* event);
cudaError_t cudaEventCreateWithFlags(cudaEvent_t* event, unsigned flags);
cudaError_t cudaEventDestroy(cudaEvent_t event);
cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream = nullptr);
cudaError_t cudaEventSynchronize(cudaEvent_t event);
template <class Kernel>
cudaError_t cudaOccupancyMaxActiveBlocksPerMultiprocessor(int* blocks, Kernel, int threads, size_t) {
  *blocks = threads > 0 && threads <= 1024 ? 2 : 0;
  return cudaSuccess;
}

namespace linrec {
namespace emulation {

// --- the executing thread (set by the block runner) --------------------------------------------
struct ThreadState {
  dim3 threadIdx, blockIdx, blockDim, gridDim;
};
const ThreadState& self();

// Whole-warp exchange: every lane contributes `mine` and gets back all 32 contributions.
// `site` names the collective, so lanes that diverge into different ones are caught. A word
// holds any shuffled scalar (long double too: the host's float64 log compute type).
struct Word {
  uint64_t bits[2];
};
const Word* warpExchange(Word mine, const char* site);
// __syncthreads; returns whether any thread of the block passed a nonzero predicate.
bool syncBlock(bool predicate = false);
void pause();  // a spinning thread lets the others run

template <class T> Word bitsOf(T v) {
  static_assert(sizeof(T) <= sizeof(Word) && std::is_trivially_copyable<T>::value, "shuffled values are scalars");
  Word w{{0, 0}};
  std::memcpy(&w, &v, sizeof(T));
  return w;
}
template <class T> T fromBits(const Word& w) {
  T v;
  std::memcpy(&v, &w, sizeof(T));
  return v;
}
void requireFullMask(unsigned mask, const char* site);

// Queues the grid on the stream: when the stream reaches it, blocks start in a random order
// (seeded: LINREC_EMULATED_SEED, see emulated_device.cc) on a few OS threads, each block's
// threads as fibers. Returns at once (configuration errors
// only); faults show at the next synchronization. The stream must belong to the current
// device, as CUDA requires. `body` is kept until the grid has run (arguments by value).
cudaError_t launchGrid(dim3 grid, dim3 block, cudaStream_t stream, std::function<void()> body);

// __trap(): the running kernel faults, which poisons the context for the rest of the process;
// the calling thread ends and the grid's other threads stop at their next switch.
[[noreturn]] void trap();
// %globaltimer: nanoseconds of a steady clock.
unsigned long long steadyNanoseconds();

// Weak ordering, for payloads published behind a status word (tile_status.cuh): the host's
// memory model would show a payload as soon as it is stored, so a reader that reads it before it
// has seen its status and fenced would go unnoticed. Instead a publication takes a stamp
// (stampPublication, before the payload is stored; the status is released after it), an acquire
// (fence or load) records the publications the thread has seen (noteAcquire), and a payload is
// visible to a thread only if its stamp is of this launch and no later than the thread's last
// acquire (visibleAfterAcquire; a read that is not counts in takeUnfencedReads, and the caller
// returns poison, as a stale L1 line or a payload not yet written would give on a GPU).
unsigned long long stampPublication();
void noteAcquire();
bool visibleAfterAcquire(unsigned long long stamp);
unsigned long long takeUnfencedReads();

// The emulation's own bookkeeping of downloads into pinned host memory, for its tests
// (test/native/emulation_rules_test.cc): writes not yet published to the host, the
// cross-stream orderings kept to publish them, and the bytes of their shadows (now, and the most
// at once since the last call).
struct ShadowStats {
  size_t pendingWrites, crossWaits, shadowBytes, peakShadowBytes;
};
ShadowStats takeShadowStats();

}  // namespace emulation
}  // namespace linrec

#define threadIdx (::linrec::emulation::self().threadIdx)
#define blockIdx (::linrec::emulation::self().blockIdx)
#define blockDim (::linrec::emulation::self().blockDim)
#define gridDim (::linrec::emulation::self().gridDim)

inline void __syncthreads() { ::linrec::emulation::syncBlock(); }
inline int __syncthreads_or(int predicate) { return ::linrec::emulation::syncBlock(predicate != 0); }
inline void __syncwarp(unsigned mask = 0xffffffffu) {
  ::linrec::emulation::requireFullMask(mask, "__syncwarp");
  ::linrec::emulation::warpExchange({{0, 0}}, "__syncwarp");
}
inline void __nanosleep(unsigned) { ::linrec::emulation::pause(); }
[[noreturn]] inline void __trap() { ::linrec::emulation::trap(); }
template <class T> inline void __stwb(T* p, T v) { *p = v; }
inline int __ffs(unsigned v) { return __builtin_ffs(int(v)); }
inline int __popc(unsigned v) { return __builtin_popcount(v); }

inline unsigned __ballot_sync(unsigned mask, int predicate) {
  ::linrec::emulation::requireFullMask(mask, "__ballot_sync");
  const ::linrec::emulation::Word* all =
      ::linrec::emulation::warpExchange(::linrec::emulation::bitsOf(predicate != 0), "__ballot_sync");
  unsigned bits = 0;
  for (int l = 0; l < 32; ++l) bits |= unsigned(all[l].bits[0] != 0) << l;
  return bits;
}
inline int __any_sync(unsigned mask, int predicate) { return __ballot_sync(mask, predicate) != 0; }
inline int __all_sync(unsigned mask, int predicate) { return __ballot_sync(mask, predicate) == 0xffffffffu; }

template <class T> T __shfl_sync(unsigned mask, T v, int src, int width = 32) {
  ::linrec::emulation::requireFullMask(mask, "__shfl_sync");
  const ::linrec::emulation::Word* all =
      ::linrec::emulation::warpExchange(::linrec::emulation::bitsOf(v), "__shfl_sync");
  int lane = int(threadIdx.x) & 31, base = lane & ~(width - 1);
  return ::linrec::emulation::fromBits<T>(all[base + (src & (width - 1))]);
}
template <class T> T __shfl_up_sync(unsigned mask, T v, unsigned delta, int width = 32) {
  ::linrec::emulation::requireFullMask(mask, "__shfl_up_sync");
  const ::linrec::emulation::Word* all =
      ::linrec::emulation::warpExchange(::linrec::emulation::bitsOf(v), "__shfl_up_sync");
  int lane = int(threadIdx.x) & 31, inSegment = lane & (width - 1);
  return inSegment >= int(delta) ? ::linrec::emulation::fromBits<T>(all[lane - int(delta)]) : v;
}
template <class T> T __shfl_down_sync(unsigned mask, T v, unsigned delta, int width = 32) {
  ::linrec::emulation::requireFullMask(mask, "__shfl_down_sync");
  const ::linrec::emulation::Word* all =
      ::linrec::emulation::warpExchange(::linrec::emulation::bitsOf(v), "__shfl_down_sync");
  int lane = int(threadIdx.x) & 31, inSegment = lane & (width - 1);
  return inSegment + int(delta) < width ? ::linrec::emulation::fromBits<T>(all[lane + int(delta)]) : v;
}

template <class T> T __shfl_xor_sync(unsigned mask, T v, int laneMask, int width = 32) {
  ::linrec::emulation::requireFullMask(mask, "__shfl_xor_sync");
  const ::linrec::emulation::Word* all =
      ::linrec::emulation::warpExchange(::linrec::emulation::bitsOf(v), "__shfl_xor_sync");
  int lane = int(threadIdx.x) & 31, other = lane ^ laneMask;
  return (other & ~(width - 1)) == (lane & ~(width - 1)) ? ::linrec::emulation::fromBits<T>(all[other]) : v;
}

inline unsigned long long atomicAdd(unsigned long long* p, unsigned long long v) {
  return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST);
}
inline unsigned atomicAdd(unsigned* p, unsigned v) { return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); }
inline int atomicMin(int* p, int v) {
  int old = __atomic_load_n(p, __ATOMIC_SEQ_CST);
  while (v < old && !__atomic_compare_exchange_n(p, &old, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
  }
  return old;
}
