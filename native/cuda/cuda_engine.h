// The CUDA backend's entry points, seen from the binding (compiled by the host compiler, so no
// CUDA types here). Every failure throws CudaError carrying CUDA's own message; nothing aborts.
// Compiled in only when CMake finds nvcc (LINREC_WITH_CUDA).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "../job.h"

namespace linrec {
namespace cuda {

class CudaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct DeviceInfo {
  int index = 0;
  std::string name;
  size_t memoryBytes = 0;
  int major = 0, minor = 0;  // compute capability
};

struct Availability {
  bool available = false;
  std::string reason;  // why not, when not available (no driver, no device, ...)
  std::vector<DeviceInfo> devices;
};

// Never throws; cheap after the first call.
Availability probe();

// Device memory for DeviceArray. deviceFree never throws (called from finalizers).
// A CUDA failure that poisons the context (a kernel fault) makes the engine reset the device,
// the only way to make it usable again; that frees every allocation. So each allocation belongs
// to a context generation: memory of an earlier generation is gone, and is neither used nor
// freed (deviceFree skips it; isLost tells the binding to refuse it).
void* deviceAlloc(size_t bytes);
void deviceFree(void* ptr, unsigned generation) noexcept;
unsigned contextGeneration();
inline bool isLost(unsigned generation) { return generation != contextGeneration(); }
void copyToDevice(void* dst, const void* src, size_t bytes);
void copyToHost(void* dst, const void* src, size_t bytes);
void copyOnDevice(void* dst, const void* src, size_t bytes);
size_t deviceFreeBytes();  // for the engine, under its context lock
struct MemoryInfo {
  size_t freeBytes = 0, totalBytes = 0;
};
MemoryInfo deviceMemory();  // of the current device, now

// Where a job's pointers live.
enum class Residency {
  Device,  // every pointer of the job is device memory (DeviceArrays)
  Host,    // every pointer is pageable host memory: staged through pinned buffers on several
           // streams, chunk by chunk with the carry passed along, whatever the free memory
};

// Test builds (LINREC_TEST_HOOKS): queues a kernel that traps, as a faulting kernel would; the
// next synchronizing call reports it and the engine recovers.
void injectFault();

// Runs the scan; returns when the results are in place (synchronous for the caller's thread).
void scan(const ScanJob& job, Residency where);
void aggregate(const AggregateJob& job, Residency where);

}  // namespace cuda
}  // namespace linrec
