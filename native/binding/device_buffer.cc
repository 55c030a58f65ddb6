#include "device_buffer.h"

#include "convert.h"
#include "cuda_guard.h"

namespace linrec {
namespace binding {

static Napi::FunctionReference* constructorOf(Napi::Env env) { return env.GetInstanceData<Napi::FunctionReference>(); }

Napi::Function DeviceBuffer::Init(Napi::Env env) {
  Napi::Function cls =
      DefineClass(env, "DeviceBuffer",
                  {InstanceMethod("dispose", &DeviceBuffer::Dispose), InstanceMethod("upload", &DeviceBuffer::Upload),
                   InstanceMethod("download", &DeviceBuffer::Download), InstanceMethod("copyFrom", &DeviceBuffer::Copy),
                   InstanceAccessor("disposed", &DeviceBuffer::Disposed, nullptr)});
  // Per environment (worker threads each load their own copy of the class).
  env.SetInstanceData<Napi::FunctionReference>(new Napi::FunctionReference(Napi::Persistent(cls)));
  return cls;
}

bool DeviceBuffer::IsInstance(const Napi::Value& v) {
  Napi::FunctionReference* ctor = constructorOf(v.Env());
  return ctor && v.IsObject() && v.As<Napi::Object>().InstanceOf(ctor->Value());
}

// new DeviceBuffer(bytes, elemSize, device)
DeviceBuffer::DeviceBuffer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<DeviceBuffer>(info), env_(info.Env()) {
  bytes_ = static_cast<size_t>(info[0].As<Napi::Number>().DoubleValue());
  elemSize_ = static_cast<size_t>(info[1].As<Napi::Number>().DoubleValue());
  device_ = info[2].IsNumber() ? info[2].As<Napi::Number>().Int32Value() : 0;
  // Zero bytes still get an allocation (the runtime gives 1 byte), so "no pointer" always
  // means disposed.
  data_ = guardCuda(info.Env(), [&] { return cudaAlloc(device_, bytes_, &generation_); });
  Napi::MemoryManagement::AdjustExternalMemory(info.Env(), static_cast<int64_t>(bytes_));
}

DeviceBuffer::~DeviceBuffer() { release(); }

void DeviceBuffer::release() {
  if (!data_) return;
  cudaRelease(device_, data_, generation_);
  data_ = nullptr;
  Napi::MemoryManagement::AdjustExternalMemory(env_, -static_cast<int64_t>(bytes_));
}

Napi::Value DeviceBuffer::Dispose(const Napi::CallbackInfo& info) {
  release();
  return info.Env().Undefined();
}

Napi::Value DeviceBuffer::Disposed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), data_ == nullptr);
}

static Napi::TypedArray hostArray(const Napi::CallbackInfo& info, size_t bytes) {
  Napi::TypedArray ta = info[0].As<Napi::TypedArray>();
  if (ta.ByteLength() != bytes)
    throw makeError(info.Env(), "ERR_LINREC_INTERNAL", "linrec internal error: size mismatch in a device copy");
  return ta;
}

static void* hostData(Napi::TypedArray ta) { return typedArrayData(ta); }

Napi::Value DeviceBuffer::Upload(const Napi::CallbackInfo& info) {
  refuseLost(info.Env(), device_, generation_);
  Napi::TypedArray ta = hostArray(info, bytes_);
  if (bytes_)
    guardCuda(info.Env(), [&] {
      cudaUpload(device_, generation_, data_, hostData(ta), bytes_);
      return 0;
    });
  return info.Env().Undefined();
}

Napi::Value DeviceBuffer::Download(const Napi::CallbackInfo& info) {
  refuseLost(info.Env(), device_, generation_);
  Napi::TypedArray ta = hostArray(info, bytes_);
  if (bytes_)
    guardCuda(info.Env(), [&] {
      cudaDownload(device_, generation_, hostData(ta), data_, bytes_);
      return 0;
    });
  return info.Env().Undefined();
}

Napi::Value DeviceBuffer::Copy(const Napi::CallbackInfo& info) {
  if (!IsInstance(info[0]))
    throw makeError(info.Env(), "ERR_LINREC_INTERNAL", "linrec internal error: copyFrom needs a DeviceBuffer");
  DeviceBuffer* src = Unwrap(info[0].As<Napi::Object>());
  refuseLost(info.Env(), device_, generation_);
  refuseLost(info.Env(), src->device_, src->generation_);
  if (src->device_ != device_)
    throw makeError(info.Env(), "ERR_LINREC_INTERNAL", "linrec internal error: a device copy across devices");
  if (src->bytes_ != bytes_)
    throw makeError(info.Env(), "ERR_LINREC_INTERNAL", "linrec internal error: size mismatch in a device copy");
  if (bytes_)
    guardCuda(info.Env(), [&] {
      cudaDeviceCopy(device_, generation_, data_, src->data_, bytes_);
      return 0;
    });
  return info.Env().Undefined();
}

}  // namespace binding
}  // namespace linrec
