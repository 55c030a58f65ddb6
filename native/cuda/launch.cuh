// Kernel launches go through launch(), the one place that spells <<<...>>>, so the engine also
// compiles with a host compiler against the CPU emulation (emulation/cuda_runtime.h), where a
// launch runs the grid's blocks as fibers instead.
#pragma once

#include <utility>

#include "cuda_check.cuh"

namespace linrec {
namespace cuda {

template <class... Params, class... Args>
void launch(void (*kernel)(Params...), dim3 grid, dim3 block, cudaStream_t stream, const char* what, Args&&... args) {
#if defined(LINREC_CUDA_EMULATION)
  // The launch is asynchronous: the arguments are copied, as <<<>>> copies them.
  check(::linrec::emulation::launchGrid(grid, block, stream, [kernel, args...] { kernel(args...); }), what);
#else
  // clang-format 15 would split >>> into > > >.
  // clang-format off
  kernel<<<grid, block, 0, stream>>>(std::forward<Args>(args)...);
  // clang-format on
  checkLaunch(what);
#endif
}

}  // namespace cuda
}  // namespace linrec
