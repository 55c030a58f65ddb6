// Device memory owned by a JS object (the native half of DeviceArray). Freed by dispose() or,
// failing that, by the garbage collector's finalizer.
#pragma once

#include <napi.h>

namespace linrec {
namespace binding {

class DeviceBuffer : public Napi::ObjectWrap<DeviceBuffer> {
 public:
  static Napi::Function Init(Napi::Env env);
  static bool IsInstance(const Napi::Value& v);

  explicit DeviceBuffer(const Napi::CallbackInfo& info);
  ~DeviceBuffer() override;

  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }
  size_t elemSize() const { return elemSize_; }
  int device() const { return device_; }  // the CUDA device's index
  unsigned generation() const { return generation_; }  // see cuda::contextGeneration

 private:
  Napi::Value Dispose(const Napi::CallbackInfo& info);
  Napi::Value Upload(const Napi::CallbackInfo& info);
  Napi::Value Download(const Napi::CallbackInfo& info);
  Napi::Value Copy(const Napi::CallbackInfo& info);
  Napi::Value Disposed(const Napi::CallbackInfo& info);
  void release();

  void* data_ = nullptr;
  size_t bytes_ = 0;
  size_t elemSize_ = 4;
  int device_ = 0;
  unsigned generation_ = 0;
  Napi::Env env_;
};

}  // namespace binding
}  // namespace linrec
