// What one scan call asks of an engine: plain data, filled by the binding, read by the CPU and
// CUDA engines alike. Pointers are host pointers for the CPU engine, device pointers for CUDA.
#pragma once

#include <cstddef>
#include <cstdint>

namespace linrec {

// The methods, by code. X(name, code, jsName): jsName is the key of src/scan.ts's METHOD_CODE,
// which the addon checks against this list when it loads (exported as contract.methods).
//   Direct:     affine pairs on raw a, b; x out
//   LogFromRaw: signed-log pairs from raw a, b (logs taken in the engine); x out
//   LogFromLog: signed-log pairs from given log|a|, sign, log|b|, sign; log|x|, sign out
#define LINREC_METHODS(X)        \
  X(Direct, 0, "direct")         \
  X(LogFromRaw, 1, "logFromRaw") \
  X(LogFromLog, 2, "logFromLog")

enum class Method : int {
#define LINREC_METHOD_ENUM(name, code, jsName) name = code,
  LINREC_METHODS(LINREC_METHOD_ENUM)
#undef LINREC_METHOD_ENUM
};
constexpr int kMethodCount = 3;

enum class DType : int { Float32 = 0, Float64 = 1 };

// Per row r and step i in [0, n), with j = reverse ? n-1-i : i:
//   coefficient  a[r*aStride + j]   (aSign[...] alongside for LogFromLog, null = all positive)
//   value        b[r*bStride + j]   (bSign likewise)
//   result       x[r*xStride + j]   (xSign for LogFromLog)
// x_0 of row r is x0[r*x0Stride] (x0Sign likewise). When x0Copy is set, x_0 is also written to
// x0Copy[r*x0CopyStride] (the slot x_0 has in `scan`'s result). When last is set, the last x of
// the row (x_0 if n == 0) is written to last[r] (the Scanner's carried state; it may alias x0).
struct ScanJob {
  Method method = Method::Direct;
  DType dtype = DType::Float32;
  size_t rows = 0, n = 0;
  bool reverse = false;
  size_t aStride = 0, bStride = 0, xStride = 0, x0Stride = 0, x0CopyStride = 0;
  const void* a = nullptr;
  const void* b = nullptr;
  void* x = nullptr;
  const void* x0 = nullptr;
  void* x0Copy = nullptr;
  void* last = nullptr;
  const int8_t* aSign = nullptr;
  const int8_t* bSign = nullptr;
  int8_t* xSign = nullptr;
  const int8_t* x0Sign = nullptr;
  int8_t* x0CopySign = nullptr;
  int8_t* lastSign = nullptr;
  unsigned threads = 1;  // CPU engine: worker threads, caller included
  int device = 0;  // CUDA engine: the device's index (every pointer is on it)
};

// The composed map of each row's n steps: x_end = A[r]*x_start + B[r] (same layout as ScanJob,
// without x_0). Direct method only.
struct AggregateJob {
  DType dtype = DType::Float32;
  size_t rows = 0, n = 0;
  bool reverse = false;
  size_t aStride = 0, bStride = 0;
  const void* a = nullptr;
  const void* b = nullptr;
  void* outA = nullptr;
  void* outB = nullptr;
  // Where given (the CUDA engine's staged chunks): each row's AffineReach<T> (monoid.h), so that
  // a caller composing rows' maps knows where the loop from its x may overflow part-way.
  void* outReach = nullptr;
  unsigned threads = 1;
  int device = 0;
};

// An aggregate's inputs seen as a scan job (no x_0, no outputs): what engines read through.
inline ScanJob scanViewOf(const AggregateJob& job) {
  ScanJob view;
  view.dtype = job.dtype;
  view.rows = job.rows;
  view.n = job.n;
  view.reverse = job.reverse;
  view.a = job.a;
  view.b = job.b;
  view.aStride = job.aStride;
  view.bStride = job.bStride;
  view.threads = job.threads;
  view.device = job.device;
  return view;
}

}  // namespace linrec
