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
// Why device `device` is unusable for the rest of the process (an earlier fault), or "".
std::string deviceFault(int device);

// Device memory for DeviceArray, on device `device` (an index into probe().devices).
// deviceFree never throws (called from finalizers).
// A CUDA failure that poisons a device's context (a kernel fault) makes that device unusable for
// the rest of the process (no process recovers a poisoned context: device_scan.cuh, noteFault);
// every later call on it is refused with a CudaError that says so, and deviceFault(device) tells
// info() why. Each allocation belongs to a context generation of its device, which a fault moves
// on: memory of an earlier generation is neither used nor freed (deviceFree skips it; isLost tells
// the binding to refuse it). deviceAlloc tags its allocation with the generation read before
// cudaMalloc. Every call on a device holds that device's lock; deviceFree, when the lock is busy,
// leaves the pointer to the next call on the device (a finalizer must not wait for a running scan).
void* deviceAlloc(int device, size_t bytes, unsigned* generation);
void deviceFree(int device, void* ptr, unsigned generation) noexcept;
unsigned contextGeneration(int device);
inline bool isLost(int device, unsigned generation) { return generation != contextGeneration(device); }
std::string lostArrayMessage(int device);
void copyToDevice(int device, unsigned generation, void* dst, const void* src, size_t bytes);
void copyToHost(int device, unsigned generation, void* dst, const void* src, size_t bytes);
void copyOnDevice(int device, unsigned generation, void* dst, const void* src, size_t bytes);
size_t deviceFreeBytes();  // of the current device, for the engine under its context lock
struct MemoryInfo {
  size_t freeBytes = 0, totalBytes = 0;
};
MemoryInfo deviceMemory(int device);  // measured now

// Where a job's pointers live.
enum class Residency {
  Device,  // every pointer of the job is device memory (DeviceArrays)
  Host,  // every pointer is pageable host memory: staged through pinned buffers on several
         // streams, chunk by chunk with the carry passed along, whatever the free memory
};

// Test builds (LINREC_TEST_HOOKS): queues a kernel that traps on `device`, as a faulting kernel
// would; the next synchronizing call on that device reports it and the engine recovers.
void injectFault(int device);
// Test builds: the look-back's wait bound (0: the default), a tile index that never publishes
// its status (~0: none), one that publishes only after holdNs (~0: none), and whether look-backs
// see no anchor's X but tile 0's (fromRowStart: every tile chains the group aggregates from the
// row's start), for the scans that follow.
void setLookBackTest(unsigned long long boundNs, size_t silentTile, size_t holdTile, unsigned long long holdNs,
                     bool fromRowStart);
// Emulated test builds: look-backs run since the last call, how many reduced more than 128
// predecessors, the most one reduced, fenced payloads read without an acquire after their
// publication (the emulation's weak ordering), and the tickets by which every row of a multi-tile
// launch had started its first tile (the most over launches; zeros elsewhere).
struct LookBackStats {
  unsigned long long lookBacks = 0, deep = 0, deepest = 0, unfenced = 0, rowsStartedBy = 0;
};
LookBackStats takeLookBackStats();
// Test builds: tiles and warp segments of scans on `device` that stepped through in order
// since the last call (the composable fallback's slow path; scan_kernel.cuh).
unsigned long long inOrderSteppings(int device);

// Runs the scan on job.device; returns when the results are in place (synchronous for the caller's
// thread). Residency::Device: `generation` is that of the job's DeviceArrays.
void scan(const ScanJob& job, Residency where, unsigned generation);
void aggregate(const AggregateJob& job, Residency where, unsigned generation);

}  // namespace cuda
}  // namespace linrec
