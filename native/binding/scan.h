#pragma once

#include <napi.h>

namespace linrec {
namespace binding {

// Plain Node-API callbacks (convert.h says why).
napi_value Scan(napi_env env, napi_callback_info info);
napi_value ScanAsync(napi_env env, napi_callback_info info);
napi_value ScanHost(napi_env env, napi_callback_info info);
napi_value Aggregate(napi_env env, napi_callback_info info);
napi_value AggregateAsync(napi_env env, napi_callback_info info);
napi_value SequentialNative(napi_env env, napi_callback_info info);
napi_value DecodeScanCall(napi_env env, napi_callback_info info);
Napi::Value Info(const Napi::CallbackInfo& info);
Napi::Value DeviceMemory(const Napi::CallbackInfo& info);

}  // namespace binding
}  // namespace linrec
