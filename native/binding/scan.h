#pragma once

#include <napi.h>

#include <cstddef>

namespace linrec {
namespace binding {

// Plain Node-API callbacks (convert.h says why).
napi_value Scan(napi_env env, napi_callback_info info);
napi_value ScanAsync(napi_env env, napi_callback_info info);
// The element size (4: float32, 8: float64) is the entry's claim (convert.h, readHostScan).
template <size_t ElementSize> napi_value ScanHost(napi_env env, napi_callback_info info);
napi_value Aggregate(napi_env env, napi_callback_info info);
napi_value AggregateAsync(napi_env env, napi_callback_info info);
napi_value SequentialNative(napi_env env, napi_callback_info info);
napi_value DecodeScanCall(napi_env env, napi_callback_info info);
Napi::Value Info(const Napi::CallbackInfo& info);
Napi::Value DeviceMemory(const Napi::CallbackInfo& info);

}  // namespace binding
}  // namespace linrec
