// scan / aggregate, sync and async: read the job, run the chosen engine, report failures.
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

// Runs a job on libuv's pool; the JS objects it points into stay referenced until it settles.
template <class Call, void (*Run)(const Call&)> class JobWorker : public Napi::AsyncWorker {
 public:
  JobWorker(Napi::Env env, Call call)
      : Napi::AsyncWorker(env, "linrec"), call_(std::move(call)), deferred_(Napi::Promise::Deferred::New(env)) {
    for (auto& h : call_.holders) refs_.push_back(Napi::Persistent(h.template As<Napi::Object>()));
    call_.holders.clear();
  }
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void Execute() override { failure_ = captureFailure([this] { Run(call_); }); }
  void OnOK() override {
    if (failure_.code) deferred_.Reject(makeError(Env(), failure_.code, failure_.message).Value());
    else deferred_.Resolve(Env().Undefined());
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Call call_;
  Napi::Promise::Deferred deferred_;
  std::vector<Napi::ObjectReference> refs_;
  Failure failure_;
};

template <class Call, void (*Run)(const Call&)> static Napi::Value runSync(Napi::Env env, const Call& call) {
  Failure failure = captureFailure([&] { Run(call); });
  if (failure.code) throw makeError(env, failure.code, failure.message);
  return env.Undefined();
}

template <class Call, void (*Run)(const Call&)> static Napi::Value runAsync(Napi::Env env, Call call) {
  auto* worker = new JobWorker<Call, Run>(env, std::move(call));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value Scan(const Napi::CallbackInfo& info) {
  return runSync<ScanCall, runScan>(info.Env(), readScanCall(info));
}
Napi::Value ScanAsync(const Napi::CallbackInfo& info) {
  return runAsync<ScanCall, runScan>(info.Env(), readScanCall(info));
}
Napi::Value Aggregate(const Napi::CallbackInfo& info) {
  return runSync<AggregateCall, runAggregate>(info.Env(), readAggregateCall(info));
}
Napi::Value AggregateAsync(const Napi::CallbackInfo& info) {
  return runAsync<AggregateCall, runAggregate>(info.Env(), readAggregateCall(info));
}

// The plain single-threaded C++ loop (direct method, forward), the benchmark's baseline.
Napi::Value SequentialNative(const Napi::CallbackInfo& info) {
  ScanCall call = readScanCall(info);
  if (call.onDevice || call.job.method != Method::Direct || call.job.reverse)
    throw makeError(info.Env(), "ERR_LINREC_INTERNAL", "linrec internal error: sequentialNative takes a forward direct host job");
  cpu::sequentialDirect(call.job);
  return info.Env().Undefined();
}

}  // namespace binding
}  // namespace linrec
