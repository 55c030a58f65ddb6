// The binding's one door to the CUDA backend: CUDA failures become ERR_LINREC_CUDA errors,
// and a build without CUDA answers every call with the same error instead of a link failure.
#pragma once

#include <napi.h>

#include <new>
#include <string>

#include "../job.h"
#ifdef LINREC_WITH_CUDA
#include "../cuda/cuda_engine.h"
#endif
#include "convert.h"

namespace linrec {
namespace binding {

#ifdef LINREC_WITH_CUDA
inline void* cudaAlloc(size_t bytes) { return cuda::deviceAlloc(bytes); }
inline void cudaRelease(void* p, unsigned generation) { cuda::deviceFree(p, generation); }
inline unsigned cudaGeneration() { return cuda::contextGeneration(); }
inline bool cudaLost(unsigned generation) { return cuda::isLost(generation); }
inline void cudaInjectFault() { cuda::injectFault(); }
inline cuda::MemoryInfo cudaMemory() { return cuda::deviceMemory(); }
inline void cudaUpload(void* d, const void* h, size_t n) { cuda::copyToDevice(d, h, n); }
inline void cudaDownload(void* h, const void* d, size_t n) { cuda::copyToHost(h, d, n); }
inline void cudaDeviceCopy(void* d, const void* s, size_t n) { cuda::copyOnDevice(d, s, n); }
inline void cudaScan(const ScanJob& job, bool onDevice) {
  cuda::scan(job, onDevice ? cuda::Residency::Device : cuda::Residency::Host);
}
inline void cudaAggregate(const AggregateJob& job, bool onDevice) {
  cuda::aggregate(job, onDevice ? cuda::Residency::Device : cuda::Residency::Host);
}
#else
struct CudaNotCompiled : std::runtime_error {
  CudaNotCompiled() : std::runtime_error("linrec was built without CUDA (nvcc was not found at build time)") {}
};
inline void* cudaAlloc(size_t) { throw CudaNotCompiled(); }
inline void cudaRelease(void*, unsigned) {}
inline unsigned cudaGeneration() { return 0; }
inline bool cudaLost(unsigned) { return false; }
inline void cudaInjectFault() { throw CudaNotCompiled(); }
struct MemoryInfo {
  size_t freeBytes = 0, totalBytes = 0;
};
inline MemoryInfo cudaMemory() { throw CudaNotCompiled(); }
inline void cudaUpload(void*, const void*, size_t) { throw CudaNotCompiled(); }
inline void cudaDownload(void*, const void*, size_t) { throw CudaNotCompiled(); }
inline void cudaDeviceCopy(void*, const void*, size_t) { throw CudaNotCompiled(); }
inline void cudaScan(const ScanJob&, bool) { throw CudaNotCompiled(); }
inline void cudaAggregate(const AggregateJob&, bool) { throw CudaNotCompiled(); }
#endif

// Runs f; turns what the engines throw into (code, message). Safe off the JS thread.
struct Failure {
  const char* code = nullptr;
  std::string message;
};

template <class F> Failure captureFailure(F&& f) {
  Failure out;
  try {
    f();
#ifdef LINREC_WITH_CUDA
  } catch (const cuda::CudaError& e) {
    out = {"ERR_LINREC_CUDA", e.what()};
#else
  } catch (const CudaNotCompiled& e) {
    out = {"ERR_LINREC_CUDA", e.what()};
#endif
  } catch (const std::bad_alloc&) {
    out = {"ERR_LINREC_MEMORY", "linrec: out of host memory"};
  } catch (const std::exception& e) {
    out = {"ERR_LINREC_INTERNAL", std::string("linrec internal error: ") + e.what()};
  }
  return out;
}

// Memory of a DeviceArray allocated before a device reset (after a CUDA fault) is gone.
inline void refuseLost(Napi::Env env, unsigned generation) {
  if (cudaLost(generation))
    throw makeError(env, "ERR_LINREC_CUDA",
                    "this DeviceArray was lost when a CUDA error forced a device reset; create it again");
}

template <class F> auto guardCuda(Napi::Env env, F&& f) -> decltype(f()) {
  decltype(f()) result{};
  Failure failure = captureFailure([&] { result = f(); });
  if (failure.code) throw makeError(env, failure.code, failure.message);
  return result;
}

}  // namespace binding
}  // namespace linrec
