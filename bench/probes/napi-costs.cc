// What a Node-API call costs per typed array it reads (bench/probes/napi-costs.js runs it):
// an empty function, reading 3 or 12 arguments, and reading 3 typed arrays with the element type
// (a chain of up to nine type tests), without it, and without it plus the ArrayBuffer's length
// (what the binding's scanHost entry does, native/binding/convert.cc).
// Build: g++ -O2 -shared -fPIC -I/usr/include/node -o /tmp/napi-costs.node bench/probes/napi-costs.cc
#include <node_api.h>

#include <cstddef>

static double sink;

static napi_value empty(napi_env, napi_callback_info) { return nullptr; }

template <size_t N> static size_t args(napi_env env, napi_callback_info info, napi_value (&v)[N]) {
  size_t count = N;
  void* data;
  napi_get_cb_info(env, info, &count, v, nullptr, &data);
  return count;
}

static napi_value args3(napi_env env, napi_callback_info info) {
  napi_value v[3];
  args(env, info, v);
  return nullptr;
}

static napi_value args12(napi_env env, napi_callback_info info) {
  napi_value v[12];
  args(env, info, v);
  return nullptr;
}

static napi_value typed3(napi_env env, napi_callback_info info) {
  napi_value v[3];
  args(env, info, v);
  for (napi_value a : v) {
    napi_typedarray_type type;
    size_t length;
    void* data;
    napi_get_typedarray_info(env, a, &type, &length, &data, nullptr, nullptr);
    sink += static_cast<double>(length + type) + static_cast<double>(reinterpret_cast<size_t>(data) & 1);
  }
  return nullptr;
}

static napi_value typed3NoType(napi_env env, napi_callback_info info) {
  napi_value v[3];
  args(env, info, v);
  for (napi_value a : v) {
    size_t length;
    void* data;
    napi_get_typedarray_info(env, a, nullptr, &length, &data, nullptr, nullptr);
    sink += static_cast<double>(length) + static_cast<double>(reinterpret_cast<size_t>(data) & 1);
  }
  return nullptr;
}

static napi_value typed3Bounded(napi_env env, napi_callback_info info) {
  napi_value v[3];
  args(env, info, v);
  for (napi_value a : v) {
    size_t length, offset, bytes;
    void* data;
    napi_value buffer;
    napi_get_typedarray_info(env, a, nullptr, &length, &data, &buffer, &offset);
    napi_get_arraybuffer_info(env, buffer, nullptr, &bytes);
    sink += static_cast<double>(length + offset + bytes) + static_cast<double>(reinterpret_cast<size_t>(data) & 1);
  }
  return nullptr;
}

#define LINREC_PROBE_FN(name)                                              \
  {                                                                        \
#name, nullptr, name, nullptr, nullptr, nullptr, napi_default, nullptr \
  }
NAPI_MODULE_INIT() {
  napi_property_descriptor fns[] = {LINREC_PROBE_FN(empty),        LINREC_PROBE_FN(args3),
                                    LINREC_PROBE_FN(args12),       LINREC_PROBE_FN(typed3),
                                    LINREC_PROBE_FN(typed3NoType), LINREC_PROBE_FN(typed3Bounded)};
  napi_define_properties(env, exports, sizeof fns / sizeof *fns, fns);
  return exports;
}
