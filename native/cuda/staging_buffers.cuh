// The staging state of a device, kept across calls: kSlots slots, each with its own stream,
// pinned and device buffers, plus the device carry between chunks.
#pragma once

#include <exception>

#include "device_scan.cuh"

namespace linrec {
namespace cuda {
namespace staging {

constexpr int kSlots = 3;  // chunks in flight

// Buffers kept across calls (grown on demand; see DeviceContext on why never freed at exit).
// One buffer kind per pair of allocation functions: pinned host memory or device memory.
inline cudaError_t allocPinned(void** ptr, size_t bytes) { return cudaHostAlloc(ptr, bytes, cudaHostAllocDefault); }
inline cudaError_t allocDevice(void** ptr, size_t bytes) { return cudaMalloc(ptr, bytes); }

template <cudaError_t (*Alloc)(void**, size_t), cudaError_t (*Free)(void*)> struct GrowingBuffer {
  void* ptr = nullptr;
  size_t bytes = 0;
  char* ensure(size_t need) {
    if (need > bytes) {
      if (ptr) check(Free(ptr), "freeing a staging buffer");
      ptr = nullptr;
      bytes = 0;
      check(Alloc(&ptr, need), "allocating a staging buffer");
      bytes = need;
    }
    return static_cast<char*>(ptr);
  }
};
using PinnedBuffer = GrowingBuffer<allocPinned, cudaFreeHost>;
using DeviceBuffer = GrowingBuffer<allocDevice, cudaFree>;

struct Slot {
  cudaStream_t stream = nullptr;
  cudaEvent_t done = nullptr;  // this slot's D2H finished
  PinnedBuffer hostIn, hostOut;
  DeviceBuffer deviceIn, deviceOut;
};

struct Staging {
  Slot slots[kSlots];
  cudaEvent_t carryReady = nullptr;  // the latest chunk's kernel (and carry copy) finished
  DeviceBuffer carry;
};

// ctx's staging state (created on first use) with every slot's buffers grown to at least
// inBytes (hostIn, deviceIn) and outBytes (hostOut, deviceOut).
Staging& stagingFor(DeviceContext& ctx, size_t inBytes, size_t outBytes);

// On an error mid-pipeline, chunks already queued on the other slots may still be copying into
// the shared staging buffers: wait for them before anything can reuse the buffers (their own
// errors are dropped; the first error is the one reported).
class DrainOnUnwind {
 public:
  explicit DrainOnUnwind(Staging& s) : staging_(s), exceptions_(std::uncaught_exceptions()) {}
  ~DrainOnUnwind() {
    if (std::uncaught_exceptions() <= exceptions_) return;
    for (Slot& slot : staging_.slots)
      if (slot.stream && cudaStreamSynchronize(slot.stream) != cudaSuccess) cudaGetLastError();
  }

 private:
  Staging& staging_;
  int exceptions_;
};

}  // namespace staging
}  // namespace cuda
}  // namespace linrec
