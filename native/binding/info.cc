// What this build can do: CUDA compiled or not, usable or not (and why), the devices.
#include <thread>

#include "../cpu/cpu_engine.h"
#include "cuda_guard.h"
#include "scan.h"

namespace linrec {
namespace binding {

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("hardwareConcurrency", Napi::Number::New(env, std::thread::hardware_concurrency()));
  out.Set("cpuInstructionSet", cpu::instructionSet());
  Napi::Object cuda = Napi::Object::New(env);
  Napi::Array devices = Napi::Array::New(env);
#ifdef LINREC_WITH_CUDA
  cuda::Availability a = cuda::probe();
  cuda.Set("compiled", true);
  cuda.Set("available", a.available);
  if (!a.available) cuda.Set("reason", a.reason);
  for (size_t i = 0; i < a.devices.size(); ++i) {
    const cuda::DeviceInfo& d = a.devices[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("index", d.index);
    o.Set("name", d.name);
    o.Set("memoryBytes", static_cast<double>(d.memoryBytes));
    o.Set("computeCapability", std::to_string(d.major) + "." + std::to_string(d.minor));
    const std::string fault = cuda::deviceFault(d.index);
    if (!fault.empty()) o.Set("fault", fault);
    devices.Set(static_cast<uint32_t>(i), o);
  }
#else
  cuda.Set("compiled", false);
  cuda.Set("available", false);
  cuda.Set("reason", kNoCudaReason);
#endif
  cuda.Set("devices", devices);
  out.Set("cuda", cuda);
  return out;
}

// deviceMemory(device): { freeBytes, totalBytes } of that CUDA device, measured now.
Napi::Value DeviceMemory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int device = info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 0;
  auto m = guardCuda(env, [&] { return cudaMemory(device); });
  Napi::Object out = Napi::Object::New(env);
  out.Set("freeBytes", static_cast<double>(m.freeBytes));
  out.Set("totalBytes", static_cast<double>(m.totalBytes));
  return out;
}

}  // namespace binding
}  // namespace linrec
