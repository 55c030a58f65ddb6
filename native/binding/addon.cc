// The addon's exports. Each function converts arguments, calls an engine, converts results.
#include <napi.h>

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
  exports.Set("DeviceBuffer", DeviceBuffer::Init(env));
  return exports;
}

NODE_API_MODULE(linrec, Init)

}  // namespace binding
}  // namespace linrec
