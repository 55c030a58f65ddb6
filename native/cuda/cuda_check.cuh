// CUDA error translation: every failing runtime call becomes a CudaError carrying CUDA's own
// message, so nothing in the engine aborts the host process.
#pragma once

#include <cuda_runtime.h>

#include <string>

#include "cuda_engine.h"

namespace linrec {
namespace cuda {

inline void check(cudaError_t err, const char* what) {
  if (err == cudaSuccess) return;
  cudaGetLastError();  // clear a non-sticky error so the next call starts clean
  throw CudaError(std::string("CUDA error in ") + what + ": " + cudaGetErrorString(err));
}

// After a kernel launch: launch-configuration errors surface here, execution errors at the
// stream synchronization that follows.
inline void checkLaunch(const char* what) { check(cudaGetLastError(), what); }

}  // namespace cuda
}  // namespace linrec
