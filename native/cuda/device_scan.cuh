// Internal interface between the engine's translation units (host code only).
#pragma once

#include <mutex>

#include "cuda_check.cuh"

namespace linrec {
namespace cuda {

// Per-device state kept for the life of the process: a stream, the tile-status scratch and
// the staging buffers grow on demand and are reused. Calls on one device are serialized by
// `mutex` (each holds it for its whole synchronous run); calls on different devices run at
// once. Never freed: the driver reclaims it at exit, and freeing from static destructors after
// driver teardown would fail anyway.
struct DeviceContext {
  std::mutex mutex;
  int device = 0;
  int smCount = 0;
  cudaStream_t stream = nullptr;
  void* scratch = nullptr;
  size_t scratchBytes = 0;
  void* staging = nullptr;  // host_staging.cu's own state

  // Device scratch of at least `bytes`; growing waits for the device first, since work already
  // queued may still use the old buffer.
  void* ensureScratch(size_t bytes);
};

// The context of device `device` (an index into probe().devices), created on first use; an
// index out of range throws CudaError. CUDA's current device is per host thread, and calls
// arrive on any thread (the JS thread, libuv's pool): every call makes its device current
// first (recoveringCall and lockedCall do).
DeviceContext& contextOf(int device);
inline void makeCurrent(const DeviceContext& ctx) { check(cudaSetDevice(ctx.device), "cudaSetDevice"); }

// After a CudaError: when the context is poisoned (the error is sticky, as after a kernel fault),
// resets the device and the context's state, so that later calls work, and returns true; every
// allocation of the old context is gone (contextGeneration(device) moves on). ctx.mutex held,
// ctx's device current.
bool recoverIfPoisoned(DeviceContext& ctx);
// Run f with ctx's device current; a CudaError from it is rethrown after recoverIfPoisoned (under
// ctx.mutex), saying so when the device was reset. lockedCall also holds ctx.mutex while f runs.
template <class F> void recoveringCall(DeviceContext& ctx, F&& f);
template <class F> void lockedCall(DeviceContext& ctx, F&& f);

// host_staging.cu: forgets the staging state after a device reset freed its CUDA objects.
void dropStaging(DeviceContext& ctx);

// Queue the work of a job whose pointers are all device memory on `stream`; no synchronization.
// Uses ctx's scratch: work queued on different streams must be ordered by the caller.
void enqueueScan(const ScanJob& job, cudaStream_t stream, DeviceContext& ctx);
void enqueueAggregate(const AggregateJob& job, cudaStream_t stream, DeviceContext& ctx);
// Scratch that enqueueScan / enqueueAggregate will ask for (to reserve it before a pipeline).
size_t scanScratchBytes(const ScanJob& job, DeviceContext& ctx);
size_t aggregateScratchBytes(const AggregateJob& job, DeviceContext& ctx);

// Residency::Host (host_staging.cu); ctx.mutex held by the caller.
void scanHostStaged(const ScanJob& job, DeviceContext& ctx);
void aggregateHostStaged(const AggregateJob& job, DeviceContext& ctx);

inline CudaError afterReset(const CudaError& e) {
  return CudaError(std::string(e.what()) +
                   " (the device was reset to recover: DeviceArrays created before this error are lost)");
}

template <class F> void recoveringCall(DeviceContext& ctx, F&& f) {
  try {
    makeCurrent(ctx);
    f();
  } catch (const CudaError& e) {
    std::lock_guard<std::mutex> lock(ctx.mutex);
    if (recoverIfPoisoned(ctx)) throw afterReset(e);
    throw;
  }
}

template <class F> void lockedCall(DeviceContext& ctx, F&& f) {
  std::lock_guard<std::mutex> lock(ctx.mutex);
  try {
    makeCurrent(ctx);
    f();
  } catch (const CudaError& e) {
    if (recoverIfPoisoned(ctx)) throw afterReset(e);
    throw;
  }
}

}  // namespace cuda
}  // namespace linrec
