// Probe (session 8): does a Node-API finalizer run inside a synchronous loop when the module
// declares the experimental API version? It does (Node 20.20): the finalizer runs from the
// garbage collector, so a block can be reused by the next call without the event loop turning.
// Not used by linrec: see bench/NOTES.md, "Session 8: result memory reused from GC finalizers".
// Build, from this folder (without the first -D the same code never gets a block back in the loop):
//   g++ -O2 -shared -fPIC -DNAPI_VERSION=2147483647
//       -I../../../node_modules/node-api-headers/include pool.cc -o pool.node
#include <node_api.h>

#include <cstdlib>
#include <vector>

static std::vector<void*> unused;
static size_t blockBytes = 0;
static double reused = 0, created = 0, returned = 0;

// Runs inside the collector: no call that touches JavaScript state.
static void onCollected(napi_env, void* data, void*) {
  unused.push_back(data);
  returned++;
}

static napi_value Allocate(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  double requested;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  napi_get_value_double(env, argv[0], &requested);
  const size_t bytes = size_t(requested);
  void* block;
  if (!unused.empty() && bytes == blockBytes) {
    block = unused.back();
    unused.pop_back();
    reused++;
  } else {
    block = std::malloc(bytes);
    blockBytes = bytes;
    created++;
  }
  napi_value buffer;
  if (napi_create_external_arraybuffer(env, block, bytes, nullptr, nullptr, &buffer) != napi_ok) return nullptr;
  if (napi_add_finalizer(env, buffer, block, onCollected, nullptr, nullptr) != napi_ok) return nullptr;
  return buffer;
}

static napi_value Stats(napi_env env, napi_callback_info) {
  napi_value o, v;
  napi_create_object(env, &o);
  napi_create_double(env, reused, &v);
  napi_set_named_property(env, o, "reused", v);
  napi_create_double(env, created, &v);
  napi_set_named_property(env, o, "created", v);
  napi_create_double(env, returned, &v);
  napi_set_named_property(env, o, "returned", v);
  return o;
}

NAPI_MODULE_INIT() {
  napi_value f;
  napi_create_function(env, "allocate", NAPI_AUTO_LENGTH, Allocate, nullptr, &f);
  napi_set_named_property(env, exports, "allocate", f);
  napi_create_function(env, "stats", NAPI_AUTO_LENGTH, Stats, nullptr, &f);
  napi_set_named_property(env, exports, "stats", f);
  return exports;
}
