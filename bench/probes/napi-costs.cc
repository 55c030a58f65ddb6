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

// Reads N arguments and nothing else.
template <size_t N> static napi_value readArgs(napi_env env, napi_callback_info info) {
  napi_value v[N];
  args(env, info, v);
  return nullptr;
}

// Reads 3 typed arrays: with their element type (WithType), without it (NoType), or without it
// and with the ArrayBuffer's length (Bounded, scanHost's reads).
enum class TypedRead { WithType, NoType, Bounded };
template <TypedRead Read> static napi_value readTyped3(napi_env env, napi_callback_info info) {
  napi_value v[3];
  args(env, info, v);
  for (napi_value a : v) {
    napi_typedarray_type type = napi_int8_array;  // 0
    size_t length, offset = 0, bytes = 0;
    void* data;
    napi_value buffer;
    constexpr bool kBounded = Read == TypedRead::Bounded;
    napi_get_typedarray_info(env, a, Read == TypedRead::WithType ? &type : nullptr, &length, &data,
                             kBounded ? &buffer : nullptr, kBounded ? &offset : nullptr);
    if constexpr (kBounded) napi_get_arraybuffer_info(env, buffer, nullptr, &bytes);
    sink +=
        static_cast<double>(length + type + offset + bytes) + static_cast<double>(reinterpret_cast<size_t>(data) & 1);
  }
  return nullptr;
}

#define LINREC_PROBE_FN(name, fn) \
  { name, nullptr, fn, nullptr, nullptr, nullptr, napi_default, nullptr }
NAPI_MODULE_INIT() {
  napi_property_descriptor fns[] = {LINREC_PROBE_FN("empty", empty),
                                    LINREC_PROBE_FN("args3", readArgs<3>),
                                    LINREC_PROBE_FN("args12", readArgs<12>),
                                    LINREC_PROBE_FN("typed3", readTyped3<TypedRead::WithType>),
                                    LINREC_PROBE_FN("typed3NoType", readTyped3<TypedRead::NoType>),
                                    LINREC_PROBE_FN("typed3Bounded", readTyped3<TypedRead::Bounded>)};
  napi_define_properties(env, exports, sizeof fns / sizeof *fns, fns);
  return exports;
}
