// Arguments in, results out: turns the calls made by src/addon.ts into engine jobs.
// Validation proper lives in TypeScript; these checks only keep a bad call from touching
// memory it does not own (they throw ERR_LINREC_INTERNAL, which means a bug in src/).
#pragma once

#include <napi.h>

#include <string>
#include <vector>

#include "../job.h"

namespace linrec {
namespace binding {

Napi::Error makeError(Napi::Env env, const char* code, const std::string& message);

// The first byte of a typed array's elements (byte offset applied; SharedArrayBuffer too).
void* typedArrayData(const Napi::TypedArray& ta);

// Where one array of a job lives: a host typed array, or a DeviceArray's buffer.
struct ArrayRef {
  void* data = nullptr;
  size_t length = 0;   // elements
  size_t elemSize = 0;
  bool onDevice = false;
  int device = 0;  // the CUDA device, when onDevice
  unsigned generation = 0;  // its device's context generation, when onDevice (cuda::contextGeneration)
  bool isInt8 = false;
  bool isFloat64 = false;
  Napi::Value holder;  // keeps the JS object alive while an async job runs
};

// A job with the JS objects it points into, so an async call can keep them alive.
struct ScanCall {
  ScanJob job;
  bool useCuda = false;
  bool onDevice = false;
  unsigned generation = 0;  // of its DeviceArrays: the engine refuses the call if a reset lost them
  std::vector<Napi::Value> holders;
};

struct AggregateCall {
  AggregateJob job;
  bool useCuda = false;
  bool onDevice = false;
  unsigned generation = 0;
  std::vector<Napi::Value> holders;
};

// Calls arrive as positional arguments: the numbers in one Float64Array, then the arrays.
ScanCall readScanCall(const Napi::CallbackInfo& info);
AggregateCall readAggregateCall(const Napi::CallbackInfo& info);

}  // namespace binding
}  // namespace linrec
