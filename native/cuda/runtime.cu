// Device discovery and plain memory functions for DeviceArray.
#include <mutex>

#include "device_scan.cuh"

namespace linrec {
namespace cuda {

static Availability probeOnce() noexcept {
  Availability out;
  try {
    int count = 0;
    cudaError_t err = cudaGetDeviceCount(&count);
    if (err != cudaSuccess) {
      cudaGetLastError();
      // Without any NVIDIA driver the runtime reports an "insufficient" driver: say what it means.
      const char* hint = err == cudaErrorInsufficientDriver
                             ? "no NVIDIA driver, or one older than this CUDA build needs ("
                         : err == cudaErrorNoDevice ? "no CUDA device found ("
                                                    : "cudaGetDeviceCount failed (";
      out.reason = std::string(hint) + cudaGetErrorString(err) + ")";
      return out;
    }
    if (count == 0) {
      out.reason = "no CUDA device found";
      return out;
    }
    for (int i = 0; i < count; ++i) {
      cudaDeviceProp prop;
      err = cudaGetDeviceProperties(&prop, i);
      if (err != cudaSuccess) {
        cudaGetLastError();
        if (out.reason.empty()) out.reason = std::string("cudaGetDeviceProperties failed: ") + cudaGetErrorString(err);
        continue;
      }
      DeviceInfo info;
      info.index = i;
      info.name = prop.name;
      info.memoryBytes = prop.totalGlobalMem;
      info.major = prop.major;
      info.minor = prop.minor;
      out.devices.push_back(info);
    }
    out.available = !out.devices.empty();
    if (out.available) out.reason.clear();
  } catch (...) {  // allocation failure while building strings: report, never throw
    out.available = false;
    out.devices.clear();
    out.reason = "probe failed";
  }
  return out;
}

Availability probe() {
  static std::once_flag once;
  static Availability cached;
  try {
    std::call_once(once, [] { cached = probeOnce(); });
    return cached;
  } catch (...) {
    Availability none;
    return none;
  }
}

// Memory calls share the scan's lock and recovery: a poisoned context is reset before the error
// goes up, and never under another call.
void* deviceAlloc(int device, size_t bytes, unsigned* generation) {
  void* ptr = nullptr;
  DeviceContext& ctx = contextOf(device);
  lockedCall(ctx, [&] {
    *generation = contextGeneration(device);
    // A zero-byte array still gets a distinct, freeable pointer.
    check(cudaMalloc(&ptr, bytes ? bytes : 1), "cudaMalloc");
    ctx.arrays[ptr] = bytes;
    ctx.arrayBytes += bytes;
  });
  return ptr;
}

void deviceFree(int device, void* ptr, unsigned generationOfPtr) noexcept {
  if (!ptr || isLost(device, generationOfPtr)) return;  // lost memory was freed by the reset
  try {
    DeviceContext& ctx = contextOf(device);
    // Finalizers cannot report, nor wait for a long scan: a busy device frees it later.
    std::unique_lock<std::mutex> lock(ctx.mutex, std::try_to_lock);
    if (!lock.owns_lock()) {
      std::lock_guard<std::mutex> pendingLock(ctx.pendingMutex);
      ctx.pendingFrees.emplace_back(ptr, generationOfPtr);
      return;
    }
    if (isLost(device, generationOfPtr)) return;
    auto it = ctx.arrays.find(ptr);
    if (it != ctx.arrays.end()) {
      ctx.arrayBytes -= it->second;
      ctx.arrays.erase(it);
    }
    // Every engine call sets its own device, so switching is harmless.
    if (cudaSetDevice(device) != cudaSuccess || cudaFree(ptr) != cudaSuccess) cudaGetLastError();
  } catch (...) {  // contextOf's allocation or lookup: the memory stays until the process ends
  }
}

// Copies run on the device's work stream, where every scan and aggregate of the engine runs,
// so that a copy and the kernels before and after it are ordered (a cudaMemcpy would go on the
// legacy default stream, which the non-blocking work stream does not wait for: from pageable
// memory it may return before the data lands). Each waits for its stream before returning:
// the caller's pageable array is read, or written, only until then.
static void copyOnWorkStream(int device, unsigned generation, void* dst, const void* src, size_t bytes,
                             cudaMemcpyKind kind, const char* what) {
  if (!bytes) return;
  DeviceContext& ctx = contextOf(device);
  lockedCall(ctx, [&] {
    refuseLost(ctx, generation);
    check(cudaMemcpyAsync(dst, src, bytes, kind, ctx.stream), what);
    check(cudaStreamSynchronize(ctx.stream), what);
  });
}

void copyToDevice(int device, unsigned generation, void* dst, const void* src, size_t bytes) {
  copyOnWorkStream(device, generation, dst, src, bytes, cudaMemcpyHostToDevice, "copying host to device");
}

void copyToHost(int device, unsigned generation, void* dst, const void* src, size_t bytes) {
  copyOnWorkStream(device, generation, dst, src, bytes, cudaMemcpyDeviceToHost, "copying device to host");
}

void copyOnDevice(int device, unsigned generation, void* dst, const void* src, size_t bytes) {
  copyOnWorkStream(device, generation, dst, src, bytes, cudaMemcpyDeviceToDevice, "copying device to device");
}

// Called by the engine with ctx.mutex held and its device current: no recovery here (the
// caller's lockedCall does it).
size_t deviceFreeBytes() {
  size_t freeBytes = 0, total = 0;
  check(cudaMemGetInfo(&freeBytes, &total), "cudaMemGetInfo");
  return freeBytes;
}

MemoryInfo deviceMemory(int device) {
  MemoryInfo m;
  lockedCall(contextOf(device), [&] { check(cudaMemGetInfo(&m.freeBytes, &m.totalBytes), "cudaMemGetInfo"); });
  return m;
}

}  // namespace cuda
}  // namespace linrec
