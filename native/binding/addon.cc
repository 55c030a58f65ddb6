// The addon's exports. Each function converts arguments, calls an engine, converts results.
#include <napi.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <string>

#include "../cpu/result_memory.h"
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
  calls.Set("scanHost32", plain(env, "scanHost32", ScanHost<4>, layouts));
  calls.Set("scanHost64", plain(env, "scanHost64", ScanHost<8>, layouts));
  calls.Set("aggregate", plain(env, "aggregate", Aggregate, layouts));
  calls.Set("aggregateAsync", plain(env, "aggregateAsync", AggregateAsync, layouts));
  calls.Set("sequentialNative", plain(env, "sequentialNative", SequentialNative, layouts));
  calls.Set("decodeScanCall", plain(env, "decodeScanCall", DecodeScanCall, layouts));
  return calls;
}

// firstInvalidSign(signs: Int8Array): the index of the first sign that is not +1 or -1, else -1
// (validate.ts: logScan's sign arrays, checked in native code from 4096 signs on).
static Napi::Value FirstInvalidSign(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_int8_array)
    throw Napi::TypeError::New(env, "firstInvalidSign takes an Int8Array");
  Napi::Int8Array signs = info[0].As<Napi::Int8Array>();
  const int8_t* p = signs.Data();
  const size_t n = signs.ElementLength();
  constexpr size_t kBlock = 4096;
  for (size_t first = 0; first < n; first += kBlock) {
    const size_t end = first + kBlock < n ? first + kBlock : n;
    unsigned bad = 0;  // s + 1 is 2 or 0 for a sign: any other bit but bit 1 marks a wrong one
    for (size_t i = first; i < end; ++i) bad |= uint8_t(p[i] + 1) & 0xfdu;
    if (!bad) continue;
    for (size_t i = first; i < end; ++i)
      if (p[i] != 1 && p[i] != -1) return Napi::Number::New(env, double(i));
  }
  return Napi::Number::New(env, -1);
}

// prepareFreshResult(array, adviseHuge, threads, slowPieceMs, smallPageRatio): readies a typed array that nothing has
// written yet for a result (src/result-memory.ts decides how); the bytes advised huge. adviseHuge: a
// boolean, or a function called only where the advice could apply (cpu::prepareFreshMemory).
static Napi::Value PrepareFreshResult(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray()) throw Napi::TypeError::New(env, "prepareFreshResult takes a typed array");
  Napi::TypedArray array = info[0].As<Napi::TypedArray>();
  uint8_t* data = static_cast<uint8_t*>(array.ArrayBuffer().Data()) + array.ByteOffset();
  std::function<bool()> adviseHuge;
  if (info[1].IsFunction()) {
    Napi::Function ask = info[1].As<Napi::Function>();
    adviseHuge = [ask] { return ask.Call({}).ToBoolean().Value(); };
  } else {
    const bool advise = info[1].ToBoolean().Value();
    adviseHuge = [advise] { return advise; };
  }
  const unsigned threads = info[2].IsNumber() ? info[2].As<Napi::Number>().Uint32Value() : 1;
  auto number = [&](size_t i, double otherwise) {
    return info[i].IsNumber() ? info[i].As<Napi::Number>().DoubleValue() : otherwise;
  };
  return Napi::Number::New(
      env, cpu::prepareFreshMemory(data, array.ByteLength(), adviseHuge, threads, number(3, 2.0), number(4, 2.0)));
}

// keepFreedMemory(bytes): the C library's setting for freed memory (cpu::keepFreedMemory); whether it took.
static Napi::Value KeepFreedMemory(const Napi::CallbackInfo& info) {
  const double bytes = info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : 0;
  return Napi::Boolean::New(info.Env(), cpu::keepFreedMemory(bytes > 0 ? size_t(std::min(bytes, 9e15)) : 0));
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("bind", Napi::Function::New(env, Bind, "bind"));
  exports.Set("contract", contract(env));
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  exports.Set("deviceMemory", Napi::Function::New(env, DeviceMemory, "deviceMemory"));
  exports.Set("firstInvalidSign", Napi::Function::New(env, FirstInvalidSign, "firstInvalidSign"));
  exports.Set("prepareFreshResult", Napi::Function::New(env, PrepareFreshResult, "prepareFreshResult"));
  exports.Set("keepFreedMemory", Napi::Function::New(env, KeepFreedMemory, "keepFreedMemory"));
  exports.Set("DeviceBuffer", DeviceBuffer::Init(env));
#ifdef LINREC_TEST_HOOKS
  // Test builds only: a kernel that traps, to check that a fault becomes ERR_LINREC_CUDA and
  // the backend recovers.
  exports.Set("_injectCudaFault", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                int device = info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 0;
                guardCuda(info.Env(), [&] { return cudaInjectFault(device), 0; });
                return info.Env().Undefined();
              }));
  // _setLookBackTest(boundNs, silentTile, holdTile = -1, holdNs = 0, fromRowStart = false): the
  // look-back's wait bound (0: the default), a tile that never publishes (-1: none), one that
  // publishes only after holdNs (-1: none), and whether look-backs see no anchor's X but tile 0's
  // (chains of every group from the row's start), for the scans that follow.
  exports.Set("_setLookBackTest", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                double bound = info[0].As<Napi::Number>().DoubleValue();
                double silent = info[1].As<Napi::Number>().DoubleValue();
                double hold = info[2].IsNumber() ? info[2].As<Napi::Number>().DoubleValue() : -1;
                double holdNs = info[3].IsNumber() ? info[3].As<Napi::Number>().DoubleValue() : 0;
                bool fromRowStart = info[4].IsBoolean() && info[4].As<Napi::Boolean>().Value();
                auto tile = [](double v) { return v < 0 ? ~size_t(0) : size_t(v); };
                guardCuda(info.Env(), [&] {
                  return cudaSetLookBackTest((unsigned long long)bound, tile(silent), tile(hold),
                                             (unsigned long long)holdNs, fromRowStart),
                         0;
                });
                return info.Env().Undefined();
              }));
  // _setEmulatedEnv(name, value | undefined): sets the process's environment (read by the CUDA
  // emulation at each launch); jest gives a test file a copy of process.env, which native code
  // never sees.
  exports.Set("_setEmulatedEnv", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                std::string name = info[0].As<Napi::String>().Utf8Value();
#ifdef _WIN32
                _putenv_s(name.c_str(), info[1].IsString() ? info[1].As<Napi::String>().Utf8Value().c_str() : "");
#else
                if (info[1].IsString()) setenv(name.c_str(), info[1].As<Napi::String>().Utf8Value().c_str(), 1);
                else unsetenv(name.c_str());
#endif
                return info.Env().Undefined();
              }));
  // _lookBackStats(): {lookBacks, deep, deepest, unfenced, rowsStartedBy} since the last call (the
  // emulation counts them: look-backs, those that reduced more than 128 predecessors, the most one
  // reduced, payloads read before an acquire that followed their publication, the tickets by which
  // every row had started).
  exports.Set("_lookBackStats", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                Napi::Object o = Napi::Object::New(info.Env());
                guardCuda(info.Env(), [&] {
                  auto s = cudaTakeLookBackStats();
                  o.Set("lookBacks", double(s.lookBacks));
                  o.Set("deep", double(s.deep));
                  o.Set("deepest", double(s.deepest));
                  o.Set("unfenced", double(s.unfenced));
                  o.Set("rowsStartedBy", double(s.rowsStartedBy));
                  return 0;
                });
                return o;
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
