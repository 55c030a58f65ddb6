// Internal interface between the engine's translation units (host code only).
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cuda_check.cuh"

namespace linrec {
namespace cuda {

// Per-device state kept for the life of the process: a stream, the tile-status scratch and
// the staging buffers grow on demand and are reused. Every CUDA call on one device is
// serialized by `mutex` (each holds it for its whole synchronous run); calls on different
// devices run at once. Never freed: the driver reclaims it at exit, and freeing from static
// destructors after driver teardown would fail anyway.
struct DeviceContext {
  std::mutex mutex;
  int device = 0;
  int smCount = 0;
  cudaStream_t stream = nullptr;
  // Pinned, device-mapped word that a look-back wait past its bound raises (tile_status.cuh);
  // cleared before each call and read after it (under mutex).
  unsigned* gaveUp = nullptr;
  // Set once a fault poisoned the context: no more work on the device in this process (see
  // noteFault). Under mutex.
  std::string fault;
  void* scratch = nullptr;
  size_t scratchBytes = 0;
  void* staging = nullptr;  // the staged pipelines' state (staging_buffers.cuh)
  // DeviceArray allocations alive on the device (under mutex): what a fault loses.
  std::unordered_map<void*, size_t> arrays;
  size_t arrayBytes = 0;
  // Frees that found `mutex` busy (under pendingMutex), done by the next call on the device.
  std::mutex pendingMutex;
  std::vector<std::pair<void*, unsigned>> pendingFrees;

  // Device scratch of at least `bytes`; growing waits for the device first, since work already
  // queued may still use the old buffer.
  void* ensureScratch(size_t bytes);
};

// The context of device `device` (an index into probe().devices), created on first use; an
// index out of range throws CudaError. CUDA's current device is per host thread, and calls
// arrive on any thread (the JS thread, libuv's pool): every call makes its device current
// first (lockedCall does).
DeviceContext& contextOf(int device);
inline void makeCurrent(const DeviceContext& ctx) { check(cudaSetDevice(ctx.device), "cudaSetDevice"); }

// After a CudaError: when the context is poisoned (the error is sticky, as after a kernel
// fault), marks the device unusable for the rest of the process and returns what that lost, for
// the error message (empty when the error was not sticky). No reset: on an H200 (driver 580) a
// process could not create a context again after cudaDeviceReset following a trap ("CUDA-capable
// device(s) is/are busy or unavailable" for as long as it tried), while other processes used the
// GPU normally; so the only recovery is a new process. ctx.mutex held, ctx's device current.
std::string noteFault(DeviceContext& ctx);
// Runs f holding ctx.mutex with ctx's device current, after the frees deviceFree left pending;
// refuses at once on a device that faulted earlier; a CudaError from f is rethrown after
// noteFault, saying what the fault lost; a look-back that gave up (tile_status.cuh) is a
// CudaError too, on a device that stays usable.
template <class F> void lockedCall(DeviceContext& ctx, F&& f);
// Throws CudaError(lostArrayMessage) when memory of `generation` was lost to a fault. ctx.mutex held.
void refuseLost(const DeviceContext& ctx, unsigned generation);
void freePending(DeviceContext& ctx);  // ctx.mutex held

// Queue the work of a job whose pointers are all device memory on `stream`; no synchronization.
// Uses ctx's scratch: work queued on different streams must be ordered by the caller.
void enqueueScan(const ScanJob& job, cudaStream_t stream, DeviceContext& ctx);
void enqueueAggregate(const AggregateJob& job, cudaStream_t stream, DeviceContext& ctx);
// Scratch that enqueueScan / enqueueAggregate will ask for (to reserve it before a pipeline).
size_t scanScratchBytes(const ScanJob& job, DeviceContext& ctx);
size_t aggregateScratchBytes(const AggregateJob& job, DeviceContext& ctx);

// Residency::Host (staged_scan.cu, staged_aggregate.cu); ctx.mutex held by the caller.
void scanHostStaged(const ScanJob& job, DeviceContext& ctx);
void aggregateHostStaged(const AggregateJob& job, DeviceContext& ctx);

std::string faultedMessage(const DeviceContext& ctx);  // why a faulted device refuses a call
void throwIfGaveUp(DeviceContext& ctx);  // after a call's work: a look-back past its bound throws

template <class F> void lockedCall(DeviceContext& ctx, F&& f) {
  std::lock_guard<std::mutex> lock(ctx.mutex);
  if (!ctx.fault.empty()) throw CudaError(faultedMessage(ctx));
  try {
    makeCurrent(ctx);
    freePending(ctx);
    *static_cast<volatile unsigned*>(ctx.gaveUp) = 0;
    f();
    throwIfGaveUp(ctx);
  } catch (const CudaError& e) {
    std::string lost = noteFault(ctx);
    if (!lost.empty()) throw CudaError(std::string(e.what()) + lost);
    throw;
  }
}

}  // namespace cuda
}  // namespace linrec
