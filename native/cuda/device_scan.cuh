// Internal interface between the engine's translation units (host code only).
#pragma once

#include <mutex>

#include "cuda_check.cuh"

namespace linrec {
namespace cuda {

// Per-device state kept for the life of the process: a stream, the tile-status scratch and
// the staging buffers grow on demand and are reused. Calls on one device are serialized by
// `mutex` (each holds it for its whole synchronous run). Never freed: the driver reclaims it
// at exit, and freeing from static destructors after driver teardown would fail anyway.
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

// The context of the calling thread's current device, initialized on first use.
DeviceContext& currentContext();

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

}  // namespace cuda
}  // namespace linrec
