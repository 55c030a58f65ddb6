// scan / aggregate, sync and async: read the job, run the chosen engine, report failures.
// Entry points are plain Node-API callbacks (see convert.h for why).
#include "scan.h"

#include "../cpu/cpu_engine.h"
#include "cuda_guard.h"

namespace linrec {
namespace binding {

static void runScan(const ScanCall& call) {
  if (call.useCuda || call.onDevice) return cudaScan(call.job, call.onDevice, call.generation);
  cpu::scan(call.job);
}

static void runAggregate(const AggregateCall& call) {
  if (call.useCuda || call.onDevice) return cudaAggregate(call.job, call.onDevice, call.generation);
  cpu::aggregate(call.job);
}

// Whether an async call's work is smaller than the hop to libuv's pool and back: it then runs
// on the calling thread and its promise is settled at once (cpu_engine.h, kInlineWork).
// src/addon.ts copies this rule (scanRunsInline, aggregateRunsInline) and the TS API makes the
// sync call itself where it holds, so this branch is reached only by raw addon calls (or where
// the copies disagree): change both together.
static bool runsInline(const ScanCall& call) { return !call.useCuda && !call.onDevice && cpu::isSmall(call.job); }
static bool runsInline(const AggregateCall& call) {
  return !call.useCuda && !call.onDevice && cpu::isSmall(scanViewOf(call.job));
}

// Runs a job on libuv's pool; the JS objects it points into stay referenced until it settles.
template <class Call, void (*Run)(const Call&)> class JobWorker : public Napi::AsyncWorker {
 public:
  JobWorker(Napi::Env env, const Call& call)
      : Napi::AsyncWorker(env, "linrec"), call_(call), deferred_(Napi::Promise::Deferred::New(env)) {
    for (size_t i = 0; i < call_.holders.count; ++i)
      refs_.push_back(Napi::Persistent(Napi::Object(env, call_.holders.values[i])));
    call_.holders.count = 0;
  }
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    failure_ = captureFailure([this] { Run(call_); });
  }
  void OnOK() override {
    if (failure_.code)
      deferred_.Reject(makeError(Env(), failure_.code, failure_.message).Value());
    else
      deferred_.Resolve(Env().Undefined());
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Call call_;
  Napi::Promise::Deferred deferred_;
  std::vector<Napi::ObjectReference> refs_;
  Failure failure_;
};

template <class Call, void (*Run)(const Call&)> static napi_value runSync(Napi::Env env, const Call& call) {
  Failure failure = captureFailure([&] { Run(call); });
  if (failure.code) throw makeError(env, failure.code, failure.message);
  return env.Undefined();
}

template <class Call, void (*Run)(const Call&)> static napi_value runAsync(Napi::Env env, const Call& call) {
  if (runsInline(call)) {
    auto deferred = Napi::Promise::Deferred::New(env);
    Failure failure = captureFailure([&] { Run(call); });
    if (failure.code)
      deferred.Reject(makeError(env, failure.code, failure.message).Value());
    else
      deferred.Resolve(env.Undefined());
    return deferred.Promise();
  }
  auto* worker = new JobWorker<Call, Run>(env, call);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// C++ exceptions (Napi::Error) become JS exceptions at this boundary.
template <class Body> static napi_value guarded(napi_env env, Body&& body) {
  try {
    return body();
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
    return nullptr;
  }
}

napi_value Scan(napi_env env, napi_callback_info info) {
  return guarded(env, [&] { return runSync<ScanCall, runScan>(Napi::Env(env), readScanCall(env, info)); });
}
napi_value ScanAsync(napi_env env, napi_callback_info info) {
  return guarded(env, [&] { return runAsync<ScanCall, runScan>(Napi::Env(env), readScanCall(env, info)); });
}
napi_value Aggregate(napi_env env, napi_callback_info info) {
  return guarded(env,
                 [&] { return runSync<AggregateCall, runAggregate>(Napi::Env(env), readAggregateCall(env, info)); });
}
napi_value AggregateAsync(napi_env env, napi_callback_info info) {
  return guarded(env,
                 [&] { return runAsync<AggregateCall, runAggregate>(Napi::Env(env), readAggregateCall(env, info)); });
}

template <size_t ElementSize> napi_value ScanHost(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    ScanJob job;
    bool taken = readHostScan<ElementSize>(env, info, job);
    if (taken) {
      Failure failure = captureFailure([&] { cpu::scan(job); });
      if (failure.code) throw makeError(Napi::Env(env), failure.code, failure.message);
    }
    napi_value result;
    napi_get_boolean(env, taken, &result);
    return result;
  });
}
template napi_value ScanHost<4>(napi_env, napi_callback_info);
template napi_value ScanHost<8>(napi_env, napi_callback_info);

// The plain single-threaded C++ loop (direct method, forward), the benchmark's baseline.
napi_value SequentialNative(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    ScanCall call = readScanCall(env, info);
    if (call.onDevice || call.job.method != Method::Direct || call.job.reverse)
      throw makeError(Napi::Env(env), "ERR_LINREC_INTERNAL",
                      "linrec internal error: sequentialNative takes a forward direct host job");
    cpu::sequentialDirect(call.job);
    return Napi::Env(env).Undefined();
  });
}

// What the binding read from a scan call, without running it: for test/17, which checks every
// option's way through src/addon.ts's packing and this binding's decoding. Host arrays only.
napi_value DecodeScanCall(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Napi::Env e(env);
    ScanCall call = readScanCall(env, info);
    const ScanJob& j = call.job;
    Napi::Object out = Napi::Object::New(e);
    out.Set("method", static_cast<int>(j.method));
    out.Set("dtype", j.dtype == DType::Float64 ? "float64" : "float32");
    out.Set("rows", static_cast<double>(j.rows));
    out.Set("n", static_cast<double>(j.n));
    out.Set("reverse", j.reverse);
    out.Set("threads", j.threads);
    out.Set("device", call.useCuda ? j.device : -1);
    // Each pointer as (argument index, element offset) into the arrays passed.
    auto locate = [&](const void* p, size_t elemSize) -> Napi::Value {
      if (!p) return e.Null();
      for (size_t i = 0; i < call.holders.count; ++i) {
        napi_typedarray_type t;
        size_t length;
        void* data;
        if (napi_get_typedarray_info(env, call.holders.values[i], &t, &length, &data, nullptr, nullptr) != napi_ok)
          continue;
        size_t size = t == napi_int8_array ? 1 : t == napi_float64_array ? 8 : 4;
        if (size != elemSize) continue;
        auto* base = static_cast<const uint8_t*>(data);
        auto* q = static_cast<const uint8_t*>(p);
        if (q >= base && q < base + length * size) {
          Napi::Object o = Napi::Object::New(e);
          o.Set("array", Napi::Value(e, call.holders.values[i]));
          o.Set("offset", static_cast<double>((q - base) / size));
          return o;
        }
      }
      return e.Undefined();
    };
    size_t es = j.dtype == DType::Float64 ? 8 : 4;
    out.Set("a", locate(j.a, es));
    out.Set("b", locate(j.b, es));
    out.Set("x", locate(j.x, es));
    out.Set("x0", locate(j.x0, es));
    out.Set("x0Copy", locate(j.x0Copy, es));
    out.Set("last", locate(j.last, es));
    out.Set("aSign", locate(j.aSign, 1));
    out.Set("bSign", locate(j.bSign, 1));
    out.Set("xSign", locate(j.xSign, 1));
    out.Set("x0Sign", locate(j.x0Sign, 1));
    out.Set("x0CopySign", locate(j.x0CopySign, 1));
    out.Set("lastSign", locate(j.lastSign, 1));
    Napi::Object strides = Napi::Object::New(e);
    strides.Set("a", static_cast<double>(j.aStride));
    strides.Set("b", static_cast<double>(j.bStride));
    strides.Set("x", static_cast<double>(j.xStride));
    strides.Set("x0", static_cast<double>(j.x0Stride));
    strides.Set("x0Copy", static_cast<double>(j.x0CopyStride));
    out.Set("strides", strides);
    return out;
  });
}

}  // namespace binding
}  // namespace linrec
