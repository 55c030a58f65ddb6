// Arguments in, results out: turns the calls made by src/addon.ts into engine jobs.
// Validation proper lives in TypeScript; these checks only keep a bad call from touching
// memory it does not own (they throw ERR_LINREC_INTERNAL, which means a bug in src/).
// Calls come through the plain Node-API (napi_callback_info): a small call's cost is mostly
// the binding's, and the C++ wrapper allocates for calls of more than 6 arguments.
#pragma once

#include <napi.h>

#include <string>

#include "../job.h"
#include "contract.h"

namespace linrec {
namespace binding {

Napi::Error makeError(Napi::Env env, const char* code, const std::string& message);

// The first byte of a typed array's elements (byte offset applied; SharedArrayBuffer too).
void* typedArrayData(const Napi::TypedArray& ta);

// The JS objects a job points into, so an async call can keep them alive (no allocation).
template <size_t N> struct Holders {
  napi_value values[N];
  size_t count = 0;
  void add(napi_value v) { values[count++] = v; }
};

// A job with the JS objects it points into.
struct ScanCall {
  ScanJob job;
  bool useCuda = false;
  bool onDevice = false;
  unsigned generation = 0;  // of its DeviceArrays: the engine refuses the call if a reset lost them
  Holders<ScanArray::count> holders;
};

struct AggregateCall {
  AggregateJob job;
  bool useCuda = false;
  bool onDevice = false;
  unsigned generation = 0;
  Holders<AggregateArray::count> holders;
};

// Calls arrive as positional arguments: the numbers in one Float64Array, then the arrays
// (native/binding/contract.h).
ScanCall readScanCall(napi_env env, napi_callback_info info);
AggregateCall readAggregateCall(napi_env env, napi_callback_info info);

// scanHost32(a, b, x) / scanHost64: scan(coeffs, values, { out }) on host Float32Arrays /
// Float64Arrays, direct method, CPU engine, with the options rows, reverse and threads in the scan
// layout's slots of those names; x_0 comes from b and is copied to x, as the general call lays it
// out. Two Node-API calls per array and nothing else: the general call's spec, operands and
// checks cost a small call more than its work. The element type is the entry's claim, bounded by
// each array's buffer (convert.cc, readHostArray). Fills `job` and returns true for a call it
// takes as is; returns false, having touched nothing, for any other (not three typed arrays in
// ArrayBuffers, lengths that do not fit rows, options out of range, x overlapping a or b other
// than exactly in place), and src/ then takes the general path, which names what is wrong.
template <size_t ElementSize> bool readHostScan(napi_env env, napi_callback_info info, ScanJob& job);

// The two Float64Arrays a copy of src/addon.ts fills before each call (contract.h). The call
// functions are bound to them (napi_create_function's data), so each loaded copy of the module
// (jest loads several) has its own, and a call reads its numbers without a Node-API call.
// Freed when the last function using it is collected (useLayouts).
struct Layouts {
  napi_ref scanRef = nullptr, aggregateRef = nullptr;  // keep the arrays (and their memory) alive
  const double* scan = nullptr;
  const double* aggregate = nullptr;
  unsigned users = 0;
};
Layouts* bindLayouts(napi_env env, napi_value scanLayout, napi_value aggregateLayout);
void useLayouts(napi_env env, napi_value function, Layouts* layouts);

// The slot and array names and the method codes, as src/addon.ts checks them at load.
Napi::Object contract(Napi::Env env);

}  // namespace binding
}  // namespace linrec
