// The addon's exports. Each function converts arguments, calls an engine, converts results.
#include <napi.h>

#include <string>

#include "convert.h"
#include "cuda_guard.h"
#include "device_buffer.h"
#include "scan.h"

namespace linrec {
namespace binding {

static Napi::Function plain(Napi::Env env, const char* name, napi_callback cb, Layouts* layouts) {
  napi_value f;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, layouts, &f) != napi_ok)
    throw Napi::Error::New(env, std::string("cannot create ") + name);
  useLayouts(env, f, layouts);
  return Napi::Function(env, f);
}

// bind(scanLayout, aggregateLayout): the call functions, reading their numbers from these
// arrays (convert.h, Layouts).
static Napi::Value Bind(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Layouts* layouts = bindLayouts(env, info[0], info[1]);
  Napi::Object calls = Napi::Object::New(env);
  calls.Set("scan", plain(env, "scan", Scan, layouts));
  calls.Set("scanAsync", plain(env, "scanAsync", ScanAsync, layouts));
  calls.Set("aggregate", plain(env, "aggregate", Aggregate, layouts));
  calls.Set("aggregateAsync", plain(env, "aggregateAsync", AggregateAsync, layouts));
  calls.Set("sequentialNative", plain(env, "sequentialNative", SequentialNative, layouts));
  calls.Set("decodeScanCall", plain(env, "decodeScanCall", DecodeScanCall, layouts));
  return calls;
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("bind", Napi::Function::New(env, Bind, "bind"));
  exports.Set("contract", contract(env));
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
  // _cudaInOrderSteppings(device): tiles and warp segments that stepped through in order since
  // the last call (the composable fallback's slow path).
  exports.Set("_cudaInOrderSteppings", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                int device = info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 0;
                unsigned long long count = guardCuda(info.Env(), [&] { return cudaInOrderSteppings(device); });
                return Napi::Number::New(info.Env(), double(count));
              }));
#endif
  return exports;
}

NODE_API_MODULE(linrec, Init)

}  // namespace binding
}  // namespace linrec
