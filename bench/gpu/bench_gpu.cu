// Standalone GPU benchmark of the linrec CUDA engine (links the engine sources, not the addon).
// Prints one JSON document on stdout:
//   { device, driver, date, commit, results: [{case, backend, dtype, method, rows, n,
//     median_ms, floor_ms, max_err?}] }
// floor_ms: a device-to-device cudaMemcpy moving the same bytes as the scan (it reads and
// writes half of them each, so read a,b + write x in total), in the same run; for host-f32,
// max(pinned H2D of the inputs, pinned D2H of the output). max_err: the mixed metric
// |x - ref| / (|ref| + mean|ref|) against a float64 host reference over the whole sequence
// (every row for the batched case); where ref is not finite (the cliff cases' infinities), 0 if
// x is the same infinity (or both are NaN), else inf, and mean|ref| is over the finite refs.
// A case whose launch gave up a look-back wait (tile_status.cuh's bound) reports max_err inf.
#include <cuda_runtime.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/iterator/transform_iterator.h>
#include <thrust/iterator/transform_output_iterator.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <cub/device/device_scan.cuh>
#include <exception>
#include <functional>
#include <string>
#include <vector>

#include "cuda/cuda_engine.h"
#include "cuda/device_scan.cuh"
#include "monoid.h"

// No `using namespace linrec`: linrec::cuda would clash with CCCL's ::cuda.
namespace lc = linrec::cuda;
using linrec::AffineMonoid;
using linrec::AffinePair;
using linrec::AggregateJob;
using linrec::DType;
using linrec::Method;
using linrec::ScanJob;

#define CK(call)                                                                                 \
  do {                                                                                           \
    cudaError_t e_ = (call);                                                                     \
    if (e_ != cudaSuccess) {                                                                     \
      std::fprintf(stderr, "%s:%d %s: %s\n", __FILE__, __LINE__, #call, cudaGetErrorString(e_)); \
      std::exit(1);                                                                              \
    }                                                                                            \
  } while (0)

static const int kWarmup = 3, kRuns = 11;

static double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Median of kRuns timed with CUDA events after kWarmup untimed runs; `f` queues its work on
// `stream`, where the events are recorded too (events on another stream would not wait for it).
static double timeDevice(const std::function<void()>& f, cudaStream_t stream = 0) {
  for (int i = 0; i < kWarmup; ++i) f();
  CK(cudaDeviceSynchronize());
  cudaEvent_t start, stop;
  CK(cudaEventCreate(&start));
  CK(cudaEventCreate(&stop));
  std::vector<double> ms;
  for (int i = 0; i < kRuns; ++i) {
    CK(cudaEventRecord(start, stream));
    f();
    CK(cudaEventRecord(stop, stream));
    CK(cudaEventSynchronize(stop));
    float t = 0;
    CK(cudaEventElapsedTime(&t, start, stop));
    ms.push_back(t);
  }
  CK(cudaEventDestroy(start));
  CK(cudaEventDestroy(stop));
  return median(ms);
}

// Host wall clock (for synchronous host-resident calls).
static double timeHost(const std::function<void()>& f) {
  for (int i = 0; i < kWarmup; ++i) f();
  std::vector<double> ms;
  for (int i = 0; i < kRuns; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  return median(ms);
}

// Device copy moving `bytes` in total (bytes/2 read + bytes/2 written).
static double copyFloor(size_t bytes) {
  void *src, *dst;
  size_t half = bytes / 2;
  CK(cudaMalloc(&src, half));
  CK(cudaMalloc(&dst, half));
  CK(cudaMemset(src, 0, half));
  double ms = timeDevice([&] { CK(cudaMemcpyAsync(dst, src, half, cudaMemcpyDeviceToDevice)); });
  CK(cudaFree(src));
  CK(cudaFree(dst));
  return ms;
}

// Deterministic inputs: |a| in [0.5, 1) (negative with probability 0.3 when `signedA`),
// b in [-1, 1), x0 = 0.5.
template <class T> static void makeInputs(size_t count, bool signedA, std::vector<T>& a, std::vector<T>& b) {
  a.resize(count);
  b.resize(count);
  uint64_t s = 0x9e3779b97f4a7c15ull;
  auto next = [&] {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return double(s >> 11) * (1.0 / 9007199254740992.0);
  };
  for (size_t i = 0; i < count; ++i) {
    double av = 0.5 + 0.5 * next();
    if (signedA && next() < 0.3) av = -av;
    a[i] = T(av);
    b[i] = T(2 * next() - 1);
  }
}

// The slow cliff (issue 11 item 7; bench/NOTES.md, "The slow cliff (item 7)" and session 19): x_0 = +inf
// against |a| in [0.5, 1) (signed), whose products underflow float32 within every tile, so that no
// tile's carry (±inf) composes with its aggregates in T and each tile publishes its x only after
// its own results (the look-back chain is serial). Wide: the tile kernel composes every tile again
// in extended range (composable.cuh WideTileScan); InOrder: also a_t = +inf at each tile's first
// step (an input that is not finite), so that the wide composition fails as well and every tile
// steps through in order from its thread 1. The loop's x is ±inf at every step in both.
enum class Cliff { None, Wide, InOrder };
static const size_t kCliffTileSteps = 8192;  // TilePolicy<AffineMonoid<float>>: 256 threads x 32 items

// Mixed error of rows x n results against the float64 sequential loop from x0.
template <class T> static double mixedError(const std::vector<T>& a, const std::vector<T>& b, const std::vector<T>& x,
                                            size_t rows, size_t n, double x0) {
  std::vector<double> ref(n);
  double worst = 0;
  for (size_t r = 0; r < rows; ++r) {
    double v = x0, mean = 0;
    size_t finite = 0;
    for (size_t i = 0; i < n; ++i) {
      v = double(a[r * n + i]) * v + double(b[r * n + i]);
      ref[i] = v;
      if (std::isfinite(v)) mean += std::fabs(v), ++finite;
    }
    mean /= double(std::max<size_t>(finite, 1));
    for (size_t i = 0; i < n; ++i) {
      const double xi = double(x[r * n + i]);
      double e;
      if (!std::isfinite(ref[i]))
        e = xi == ref[i] || (std::isnan(xi) && std::isnan(ref[i])) ? 0.0 : INFINITY;
      else
        e = std::fabs(xi - ref[i]) / (std::fabs(ref[i]) + mean);
      if (!(e <= worst)) worst = std::isnan(e) ? INFINITY : e;
    }
  }
  return worst;
}

struct Result {
  std::string name, backend, dtype, method;
  size_t rows, n;
  double medianMs, floorMs, maxErr;
};
static std::vector<Result> results;

// The layout users pass (src/scan.ts): `values` and `out` hold rows x (n + 1) elements, x_0 then
// b_1..b_n (x_1..x_n) per row, so b and x start at offset +1 of their arrays (4 or 8 bytes past
// a 16-byte boundary) and every row at another alignment; coeffs start at offset 0.
template <class T> static void benchDevice(const char* name, Method method, size_t rows, size_t n, bool signedA,
                                           Cliff cliff = Cliff::None) {
  size_t count = rows * n, stride = n + 1;
  std::vector<T> a, b, x(count);
  makeInputs(count, signedA, a, b);
  const double x0 = cliff == Cliff::None ? 0.5 : INFINITY;
  if (cliff == Cliff::InOrder)
    for (size_t r = 0; r < rows; ++r)
      for (size_t i = 0; i < n; i += kCliffTileSteps) a[r * n + i] = T(INFINITY);
  std::vector<T> values(rows * stride), out(rows * stride);
  for (size_t r = 0; r < rows; ++r) {
    values[r * stride] = T(x0);  // x_0
    std::copy(b.begin() + r * n, b.begin() + (r + 1) * n, values.begin() + r * stride + 1);
  }
  T *da, *dValues, *dOut;
  CK(cudaMalloc(&da, count * sizeof(T)));
  CK(cudaMalloc(&dValues, rows * stride * sizeof(T)));
  CK(cudaMalloc(&dOut, rows * stride * sizeof(T)));
  CK(cudaMemcpy(da, a.data(), count * sizeof(T), cudaMemcpyHostToDevice));
  CK(cudaMemcpy(dValues, values.data(), rows * stride * sizeof(T), cudaMemcpyHostToDevice));
  // The uploads ran on the legacy stream, which the engine's non-blocking stream does not wait for.
  CK(cudaDeviceSynchronize());
  ScanJob j;
  j.method = method;
  j.dtype = sizeof(T) == 8 ? DType::Float64 : DType::Float32;
  j.rows = rows;
  j.n = n;
  j.aStride = n;
  j.bStride = j.xStride = j.x0Stride = stride;
  j.a = da;
  j.b = dValues + 1;
  j.x = dOut + 1;
  j.x0 = dValues;
  // The kernels alone, timed on the engine's work stream (what lc::scan queues there, without its
  // host-side synchronization), under the device lock as every engine call is.
  lc::DeviceContext& ctx = lc::contextOf(0);
  double ms;
  {
    std::lock_guard<std::mutex> lock(ctx.mutex);
    lc::makeCurrent(ctx);
    ctx.ensureScratch(lc::scanScratchBytes(j, ctx));
    ms = timeDevice([&] { lc::enqueueScan(j, ctx.stream, ctx); }, ctx.stream);
  }
  bool gaveUp = false;  // a look-back wait past its bound (the results are not valid then)
  try {
    lc::throwIfGaveUp(ctx);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", name, e.what());
    gaveUp = true;
  }
  double floorMs = copyFloor(3 * count * sizeof(T));
  CK(cudaMemcpy(out.data(), dOut, rows * stride * sizeof(T), cudaMemcpyDeviceToHost));
  for (size_t r = 0; r < rows; ++r)
    std::copy(out.begin() + r * stride + 1, out.begin() + (r + 1) * stride, x.begin() + r * n);
  double err = gaveUp ? INFINITY : mixedError(a, b, x, rows, n, x0);
  results.push_back({name, "linrec-cuda", sizeof(T) == 8 ? "float64" : "float32",
                     method == Method::Direct ? "direct" : "signed-log", rows, n, ms, floorMs, err});
  CK(cudaFree(da));
  CK(cudaFree(dValues));
  CK(cudaFree(dOut));
}

static void benchHost(size_t n) {
  std::vector<float> a, b, x(n);
  makeInputs(n, false, a, b);
  float x0 = 0.5f;
  ScanJob j;
  j.rows = 1;
  j.n = n;
  j.aStride = j.bStride = j.xStride = n;
  j.a = a.data();
  j.b = b.data();
  j.x = x.data();
  j.x0 = &x0;
  double ms = timeHost([&] { lc::scan(j, lc::Residency::Host, 0); });
  // Floor: pinned transfers of the same bytes.
  void *pin, *dev;
  CK(cudaHostAlloc(&pin, 2 * n * sizeof(float), cudaHostAllocDefault));
  CK(cudaMalloc(&dev, 2 * n * sizeof(float)));
  double h2d = timeDevice([&] { CK(cudaMemcpyAsync(dev, pin, 2 * n * sizeof(float), cudaMemcpyHostToDevice)); });
  double d2h = timeDevice([&] { CK(cudaMemcpyAsync(pin, dev, n * sizeof(float), cudaMemcpyDeviceToHost)); });
  CK(cudaFreeHost(pin));
  CK(cudaFree(dev));
  double err = mixedError(a, b, x, 1, n, 0.5);
  results.push_back({"host-f32", "linrec-cuda", "float32", "direct", 1, n, ms, std::max(h2d, d2h), err});
}

struct MakePair {
  const float *a, *b;
  __host__ __device__ AffinePair<float> operator()(size_t i) const { return {a[i], b[i]}; }
};
struct TakeB {
  __host__ __device__ float operator()(AffinePair<float> p) const { return p.B; }
};
struct Compose {
  __host__ __device__ AffinePair<float> operator()(AffinePair<float> l, AffinePair<float> r) const {
    return AffineMonoid<float>::combine(l, r);
  }
};

static void benchCub(size_t n) {
  std::vector<float> a, b, x(n);
  makeInputs(n, false, a, b);
  float *da, *db, *dx;
  CK(cudaMalloc(&da, n * sizeof(float)));
  CK(cudaMalloc(&db, n * sizeof(float)));
  CK(cudaMalloc(&dx, n * sizeof(float)));
  CK(cudaMemcpy(da, a.data(), n * sizeof(float), cudaMemcpyHostToDevice));
  CK(cudaMemcpy(db, b.data(), n * sizeof(float), cudaMemcpyHostToDevice));
  auto in = thrust::make_transform_iterator(thrust::make_counting_iterator<size_t>(0), MakePair{da, db});
  auto out = thrust::make_transform_output_iterator(dx, TakeB{});
  size_t tempBytes = 0;
  CK(cub::DeviceScan::InclusiveScan(nullptr, tempBytes, in, out, Compose{}, (long long)n));
  void* temp;
  CK(cudaMalloc(&temp, tempBytes));
  double ms =
      timeDevice([&] { CK(cub::DeviceScan::InclusiveScan(temp, tempBytes, in, out, Compose{}, (long long)n)); });
  double floorMs = copyFloor(3 * n * sizeof(float));
  CK(cudaMemcpy(x.data(), dx, n * sizeof(float), cudaMemcpyDeviceToHost));
  double err = mixedError(a, b, x, 1, n, 0.0);  // the scan starts from x0 = 0
  results.push_back({"cub-affine-f32", "cub", "float32", "direct", 1, n, ms, floorMs, err});
  CK(cudaFree(temp));
  CK(cudaFree(da));
  CK(cudaFree(db));
  CK(cudaFree(dx));
}

// ./bench_gpu [case ...]: the named cases only (default: all), e.g. `bench_gpu direct-f32-batched`.
int main(int argc, char** argv) {
  lc::Availability av = lc::probe();
  if (!av.available) {
    std::fprintf(stderr, "no CUDA device: %s\n", av.reason.c_str());
    return 2;
  }
  auto wanted = [&](const char* name) {
    if (argc < 2) return true;
    for (int i = 1; i < argc; ++i)
      if (std::strcmp(argv[i], name) == 0) return true;
    return false;
  };
  const size_t big = size_t(1) << 28;
  if (wanted("direct-f32")) benchDevice<float>("direct-f32", Method::Direct, 1, big, false);
  if (wanted("log-f32")) benchDevice<float>("log-f32", Method::LogFromRaw, 1, big, true);
  if (wanted("direct-f32-batched"))
    benchDevice<float>("direct-f32-batched", Method::Direct, size_t(1) << 14, size_t(1) << 14, false);
  if (wanted("direct-f64")) benchDevice<double>("direct-f64", Method::Direct, 1, size_t(1) << 27, false);
  if (wanted("host-f32")) benchHost(10000000);
  if (wanted("cub-affine-f32")) benchCub(big);
  if (wanted("direct-f32-1e7")) benchDevice<float>("direct-f32-1e7", Method::Direct, 1, 10000000, false);
  // The slow cliff (issue 11 item 7): a serial chain of tiles, each composed in extended range
  // (8192 tiles, ~2.9 us each predicted), or each stepped through in order (2048 tiles, ~22 us).
  if (wanted("cliff-wide-f32"))
    benchDevice<float>("cliff-wide-f32", Method::Direct, 1, size_t(1) << 26, true, Cliff::Wide);
  if (wanted("cliff-inorder-f32"))
    benchDevice<float>("cliff-inorder-f32", Method::Direct, 1, size_t(1) << 24, true, Cliff::InOrder);

  int driver = 0;
  cudaDriverGetVersion(&driver);
  char date[64];
  std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  const char* commit = std::getenv("GIT_COMMIT");
  std::printf(
      "{\n  \"device\": \"%s\",\n  \"driver\": %d,\n  \"date\": \"%s\",\n  \"commit\": \"%s\",\n  \"results\": [\n",
      av.devices[0].name.c_str(), driver, date, commit ? commit : "");
  for (size_t i = 0; i < results.size(); ++i) {
    const Result& r = results[i];
    std::printf(
        "    {\"case\": \"%s\", \"backend\": \"%s\", \"dtype\": \"%s\", \"method\": \"%s\", \"rows\": %zu, "
        "\"n\": %zu, \"median_ms\": %.4f, \"floor_ms\": %.4f, \"max_err\": %.3e}%s\n",
        r.name.c_str(), r.backend.c_str(), r.dtype.c_str(), r.method.c_str(), r.rows, r.n, r.medianMs, r.floorMs,
        r.maxErr, i + 1 < results.size() ? "," : "");
  }
  std::printf("  ]\n}\n");
  return 0;
}
