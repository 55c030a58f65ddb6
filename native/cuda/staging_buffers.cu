// Creating, growing and dropping the staging state (see staging_buffers.cuh).
#include "staging_buffers.cuh"

namespace linrec {
namespace cuda {
namespace staging {

static Staging& stagingOf(DeviceContext& ctx) {
  if (!ctx.staging) {
    Staging* s = new Staging;
    ctx.staging = s;
    for (Slot& slot : s->slots) {
      check(cudaStreamCreateWithFlags(&slot.stream, cudaStreamNonBlocking), "cudaStreamCreate (staging)");
      check(cudaEventCreateWithFlags(&slot.done, cudaEventDisableTiming), "cudaEventCreate (staging)");
    }
    check(cudaEventCreateWithFlags(&s->carryReady, cudaEventDisableTiming), "cudaEventCreate (staging)");
  }
  return *static_cast<Staging*>(ctx.staging);
}

Staging& stagingFor(DeviceContext& ctx, size_t inBytes, size_t outBytes) {
  Staging& st = stagingOf(ctx);
  for (Slot& s : st.slots) {
    s.hostIn.ensure(inBytes);
    s.hostOut.ensure(outBytes);
    s.deviceIn.ensure(inBytes);
    s.deviceOut.ensure(outBytes);
  }
  return st;
}

}  // namespace staging

}  // namespace cuda
}  // namespace linrec
