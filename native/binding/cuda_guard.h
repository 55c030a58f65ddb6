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
inline void* cudaAlloc(int device, size_t bytes, unsigned* generation) {
  return cuda::deviceAlloc(device, bytes, generation);
}
inline void cudaRelease(int device, void* p, unsigned generation) { cuda::deviceFree(device, p, generation); }
inline bool cudaLost(int device, unsigned generation) { return cuda::isLost(device, generation); }
inline std::string cudaLostMessage(int device) { return cuda::lostArrayMessage(device); }
inline void cudaInjectFault(int device) { cuda::injectFault(device); }
inline void cudaSetLookBackTest(unsigned long long boundNs, size_t silentTile, size_t holdTile,
                                unsigned long long holdNs, bool fromRowStart) {
  cuda::setLookBackTest(boundNs, silentTile, holdTile, holdNs, fromRowStart);
}
inline cuda::LookBackStats cudaTakeLookBackStats() { return cuda::takeLookBackStats(); }
inline unsigned long long cudaInOrderSteppings(int device) { return cuda::inOrderSteppings(device); }
inline cuda::MemoryInfo cudaMemory(int device) { return cuda::deviceMemory(device); }
// `generation`: the DeviceArrays' (checked again by the engine under its device lock).
inline void cudaUpload(int device, unsigned generation, void* d, const void* h, size_t n) {
  cuda::copyToDevice(device, generation, d, h, n);
}
inline void cudaDownload(int device, unsigned generation, void* h, const void* d, size_t n) {
  cuda::copyToHost(device, generation, h, d, n);
}
inline void cudaDeviceCopy(int device, unsigned generation, void* d, const void* s, size_t n) {
  cuda::copyOnDevice(device, generation, d, s, n);
}
inline void cudaScan(const ScanJob& job, bool onDevice, unsigned generation) {
  cuda::scan(job, onDevice ? cuda::Residency::Device : cuda::Residency::Host, generation);
}
inline void cudaAggregate(const AggregateJob& job, bool onDevice, unsigned generation) {
  cuda::aggregate(job, onDevice ? cuda::Residency::Device : cuda::Residency::Host, generation);
}
#else
// Why this build has no CUDA backend, as the build system says: LINREC_NO_CUDA 0 = nvcc was
// not found (CMake's default), 1 = turned off (-DLINREC_CUDA=OFF: the CPU-only prebuilt package
// is built so), 2 = node-gyp (binding.gyp compiles the CPU backend only).
#ifndef LINREC_NO_CUDA
#define LINREC_NO_CUDA 0
#endif
constexpr const char* kNoCudaReason =
    LINREC_NO_CUDA == 1   ? "linrec was built without CUDA (turned off: -DLINREC_CUDA=OFF)"
    : LINREC_NO_CUDA == 2 ? "linrec was built without CUDA (compiled by node-gyp, which builds the CPU backend only)"
                          : "linrec was built without CUDA (nvcc was not found at build time)";
struct CudaNotCompiled : std::runtime_error {
  CudaNotCompiled() : std::runtime_error(kNoCudaReason) {}
};
inline void* cudaAlloc(int, size_t, unsigned*) { throw CudaNotCompiled(); }
inline void cudaRelease(int, void*, unsigned) {}
inline bool cudaLost(int, unsigned) { return false; }
inline std::string cudaLostMessage(int) { return std::string(); }
inline void cudaInjectFault(int) { throw CudaNotCompiled(); }
inline void cudaSetLookBackTest(unsigned long long, size_t, size_t, unsigned long long, bool) {
  throw CudaNotCompiled();
}
struct LookBackStats {
  unsigned long long lookBacks = 0, deep = 0, deepest = 0, unfenced = 0, rowsStartedBy = 0;
};
inline LookBackStats cudaTakeLookBackStats() { throw CudaNotCompiled(); }
inline unsigned long long cudaInOrderSteppings(int) { throw CudaNotCompiled(); }
struct MemoryInfo {
  size_t freeBytes = 0, totalBytes = 0;
};
inline MemoryInfo cudaMemory(int) { throw CudaNotCompiled(); }
inline void cudaUpload(int, unsigned, void*, const void*, size_t) { throw CudaNotCompiled(); }
inline void cudaDownload(int, unsigned, void*, const void*, size_t) { throw CudaNotCompiled(); }
inline void cudaDeviceCopy(int, unsigned, void*, const void*, size_t) { throw CudaNotCompiled(); }
inline void cudaScan(const ScanJob&, bool, unsigned) { throw CudaNotCompiled(); }
inline void cudaAggregate(const AggregateJob&, bool, unsigned) { throw CudaNotCompiled(); }
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

// Memory of a DeviceArray allocated before its device's reset (after a CUDA fault) is gone.
inline void refuseLost(Napi::Env env, int device, unsigned generation) {
  if (cudaLost(device, generation)) throw makeError(env, "ERR_LINREC_CUDA", cudaLostMessage(device));
}

template <class F> auto guardCuda(Napi::Env env, F&& f) -> decltype(f()) {
  decltype(f()) result{};
  Failure failure = captureFailure([&] { result = f(); });
  if (failure.code) throw makeError(env, failure.code, failure.message);
  return result;
}

}  // namespace binding
}  // namespace linrec
