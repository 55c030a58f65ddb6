// The addon's exports. Each function converts arguments, calls an engine, converts results.
#include <napi.h>

#include "cuda_guard.h"
#include "device_buffer.h"
#include "scan.h"

namespace linrec {
namespace binding {

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("scan", Napi::Function::New(env, Scan, "scan"));
  exports.Set("scanAsync", Napi::Function::New(env, ScanAsync, "scanAsync"));
  exports.Set("aggregate", Napi::Function::New(env, Aggregate, "aggregate"));
  exports.Set("aggregateAsync", Napi::Function::New(env, AggregateAsync, "aggregateAsync"));
  exports.Set("sequentialNative", Napi::Function::New(env, SequentialNative, "sequentialNative"));
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  exports.Set("deviceMemory", Napi::Function::New(env, DeviceMemory, "deviceMemory"));
  exports.Set("DeviceBuffer", DeviceBuffer::Init(env));
#ifdef LINREC_TEST_HOOKS
  // Test builds only: a kernel that traps, to check that a fault becomes ERR_LINREC_CUDA and
  // the backend recovers.
  exports.Set("_injectCudaFault", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                int device = info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 0;
                guardCuda(info.Env(), [&] { return cudaInjectFault(device), 0; });
                return info.Env().Undefined();
              }));
  // _setLookBackTest(boundNs, silentTile): the look-back's wait bound (0: the default) and a
  // tile that never publishes (-1: none), for the scans that follow.
  exports.Set("_setLookBackTest", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                double bound = info[0].As<Napi::Number>().DoubleValue();
                double silent = info[1].As<Napi::Number>().DoubleValue();
                guardCuda(info.Env(), [&] {
                  return cudaSetLookBackTest((unsigned long long)bound, silent < 0 ? ~size_t(0) : size_t(silent)), 0;
                });
                return info.Env().Undefined();
              }));
#endif
  return exports;
}

NODE_API_MODULE(linrec, Init)

}  // namespace binding
}  // namespace linrec
