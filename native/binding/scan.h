#pragma once

#include <napi.h>

namespace linrec {
namespace binding {

Napi::Value Scan(const Napi::CallbackInfo& info);
Napi::Value ScanAsync(const Napi::CallbackInfo& info);
Napi::Value Aggregate(const Napi::CallbackInfo& info);
Napi::Value AggregateAsync(const Napi::CallbackInfo& info);
Napi::Value SequentialNative(const Napi::CallbackInfo& info);
Napi::Value Info(const Napi::CallbackInfo& info);
Napi::Value DeviceMemory(const Napi::CallbackInfo& info);

}  // namespace binding
}  // namespace linrec
