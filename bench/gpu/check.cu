// Correctness check of the CUDA engine against the CPU engine (the library's reference
// semantics), for every kernel shape, method, dtype and direction, plus run-to-run bitwise
// determinism. Meant to run under compute-sanitizer too (memcheck, racecheck, synccheck):
//   ./check [--quick]     every shape, method, dtype and direction
//   ./check --race        a few small shapes per kernel, float32, for compute-sanitizer's
//                         racecheck (~100x slower than the kernels: --quick does not fit a slot)
//   ./check --huge [n]    one row of n = 2^31 + 4097 steps, filled and checked on the device
// Exit status 0 when every case passes.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "cpu/cpu_engine.h"
#include "cuda/cuda_engine.h"
#include "cuda/launch.cuh"

// No `using namespace linrec`: linrec::cuda would clash with CCCL's ::cuda.
namespace lc = linrec::cuda;
namespace cpu = linrec::cpu;
using linrec::AggregateJob;
using linrec::DType;
using linrec::Method;
using linrec::ScanJob;

static int failures = 0;

struct Case {
  Method method;
  DType dtype;
  size_t rows, n;
  bool reverse;
  size_t pad;  // extra elements per row (misaligned strides when odd)
  bool host;  // Residency::Host
  bool aliasLast;  // last aliases x0
};

template <class T> struct Buffers {
  std::vector<T> a, b, x, x0, x0Copy, last;
  std::vector<int8_t> aSign, bSign, xSign, x0Sign, x0CopySign, lastSign;
};

template <class T> static double mixedError(const std::vector<T>& got, const std::vector<T>& ref) {
  double mean = 0;
  for (T v : ref) mean += std::fabs(double(v));
  mean = ref.empty() ? 1 : mean / ref.size() + 1e-300;
  double worst = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    double r = ref[i], g = got[i];
    if (std::isnan(r) && std::isnan(g)) continue;
    if (std::isinf(r) && r == g) continue;
    double e = std::fabs(g - r) / (std::fabs(r) + mean);
    if (!(e <= worst)) worst = std::isnan(e) ? INFINITY : e;
  }
  return worst;
}

// Outputs start at -7 (signs at 0), so a slot the engine fails to write, or writes outside
// its layout (the padding), shows in the comparison.
template <class T> static void poisonOutputs(Buffers<T>& h, const Case& c, size_t total) {
  h.x.assign(total, T(-7));
  h.xSign.assign(total, 0);
  h.x0Copy.assign(c.rows, T(-7));
  h.x0CopySign.assign(c.rows, 0);
  h.last.assign(c.rows, T(-7));
  h.lastSign.assign(c.rows, 0);
}

// Stores step k's a and b as the case's method reads them: as they are, or as log|v| and sign.
template <class T> static void setStep(Buffers<T>& h, const Case& c, size_t k, double a, double b) {
  if (c.method == Method::LogFromLog) {
    h.aSign[k] = a < 0 ? -1 : 1;
    h.bSign[k] = b < 0 ? -1 : 1;
    a = std::log(std::fabs(a));
    b = std::log(std::fabs(b));
  }
  h.a[k] = T(a);
  h.b[k] = T(b);
}

template <class T> static void fill(Buffers<T>& h, const Case& c, size_t stride, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> mag(0.5, 1.0), val(-1.0, 1.0);
  std::bernoulli_distribution neg(0.3);
  size_t total = c.rows * stride;
  h.a.resize(total);
  h.b.resize(total);
  h.aSign.assign(total, 1);
  h.bSign.assign(total, 1);
  for (size_t i = 0; i < total; ++i) {
    double a = mag(rng), b = val(rng);
    if (c.method != Method::Direct && neg(rng)) a = -a;
    setStep(h, c, i, a, b);
  }
  h.x0.resize(c.rows);
  h.x0Sign.assign(c.rows, 1);
  for (size_t r = 0; r < c.rows; ++r) {
    double v = val(rng);
    h.x0Sign[r] = v < 0 ? -1 : 1;
    h.x0[r] = T(c.method == Method::LogFromLog ? std::log(std::fabs(v)) : v);
  }
  poisonOutputs(h, c, total);
}

template <class T> static ScanJob jobOf(const Case& c, size_t stride, Buffers<T>& p) {
  ScanJob j;
  j.method = c.method;
  j.dtype = c.dtype;
  j.rows = c.rows;
  j.n = c.n;
  j.reverse = c.reverse;
  j.aStride = j.bStride = j.xStride = stride;
  j.x0Stride = j.x0CopyStride = 1;
  j.a = p.a.data();
  j.b = p.b.data();
  j.x = p.x.data();
  j.x0 = p.x0.data();
  j.x0Copy = p.x0Copy.data();
  j.last = c.aliasLast ? static_cast<void*>(p.x0.data()) : p.last.data();
  if (c.method == Method::LogFromLog) {
    j.aSign = p.aSign.data();
    j.bSign = p.bSign.data();
    j.xSign = p.xSign.data();
    j.x0Sign = p.x0Sign.data();
    j.x0CopySign = p.x0CopySign.data();
    j.lastSign = c.aliasLast ? p.x0Sign.data() : p.lastSign.data();
  }
  j.threads = 4;
  return j;
}

// Device mirror of host buffers (Residency::Device runs), on device 0.
template <class T> struct DeviceMirror {
  std::vector<std::pair<void*, unsigned>> ptrs;  // with their generations
  template <class V> V* up(const std::vector<V>& v) {
    unsigned generation = 0;
    void* p = lc::deviceAlloc(0, v.size() * sizeof(V), &generation);
    ptrs.push_back({p, generation});
    lc::copyToDevice(0, generation, p, v.data(), v.size() * sizeof(V));
    return static_cast<V*>(p);
  }
  template <class V> void down(std::vector<V>& v, const void* p) {
    lc::copyToHost(0, lc::contextGeneration(0), v.data(), p, v.size() * sizeof(V));
  }
  ~DeviceMirror() {
    for (auto& [p, generation] : ptrs) lc::deviceFree(0, p, generation);
  }
};

template <class T> static void runCuda(const Case& c, size_t stride, Buffers<T>& h) {
  ScanJob j = jobOf(c, stride, h);
  if (c.host) {
    lc::scan(j, lc::Residency::Host, 0);
    return;
  }
  DeviceMirror<T> d;
  ScanJob dj = j;
  T *a = d.up(h.a), *b = d.up(h.b), *x = d.up(h.x), *x0 = d.up(h.x0), *x0c = d.up(h.x0Copy), *last = d.up(h.last);
  int8_t *as = d.up(h.aSign), *bs = d.up(h.bSign), *xs = d.up(h.xSign), *x0s = d.up(h.x0Sign),
         *x0cs = d.up(h.x0CopySign), *ls = d.up(h.lastSign);
  dj.a = a;
  dj.b = b;
  dj.x = x;
  dj.x0 = x0;
  dj.x0Copy = x0c;
  dj.last = c.aliasLast ? static_cast<void*>(x0) : last;
  if (c.method == Method::LogFromLog) {
    dj.aSign = as;
    dj.bSign = bs;
    dj.xSign = xs;
    dj.x0Sign = x0s;
    dj.x0CopySign = x0cs;
    dj.lastSign = c.aliasLast ? x0s : ls;
  }
  lc::scan(dj, lc::Residency::Device, lc::contextGeneration(0));
  d.down(h.x, x);
  d.down(h.x0, x0);
  d.down(h.x0Copy, x0c);
  d.down(h.last, last);
  d.down(h.xSign, xs);
  d.down(h.x0Sign, x0s);
  d.down(h.x0CopySign, x0cs);
  d.down(h.lastSign, ls);
}

// Values as signed numbers for comparison (log outputs: exp of the log, with sign).
template <class T>
static std::vector<double> asValues(const Case& c, const std::vector<T>& v, const std::vector<int8_t>& s) {
  std::vector<double> out(v.size());
  for (size_t i = 0; i < v.size(); ++i)
    out[i] = c.method == Method::LogFromLog ? (s[i] < 0 ? -1.0 : 1.0) * std::exp(double(v[i])) : double(v[i]);
  return out;
}

// From the inputs in `ref`: two CUDA runs into `got` and `again`, then the CPU engine's result
// in `ref`. Returns the CUDA error's message, or "".
template <class T>
static std::string runBoth(const Case& c, size_t stride, Buffers<T>& ref, Buffers<T>& got, Buffers<T>& again) {
  got = ref;
  again = ref;
  ScanJob rj = jobOf(c, stride, ref);
  cpu::scan(rj);
  try {
    runCuda(c, stride, got);
    runCuda(c, stride, again);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

template <class T> static void runCase(const Case& c, unsigned seed) {
  const size_t stride = c.n + c.pad;
  Buffers<T> ref, got, again;
  fill(ref, c, stride, seed);
  const std::string what = runBoth(c, stride, ref, got, again);
  double err = 0;
  bool deterministic = true;
  if (what.empty()) {
    // Compare only the x slots (padding must be untouched: both start at -7).
    std::vector<double> gx = asValues(c, got.x, got.xSign), rx = asValues(c, ref.x, ref.xSign);
    err = mixedError(gx, rx);
    err = std::max(err, mixedError(asValues(c, got.last, got.lastSign), asValues(c, ref.last, ref.lastSign)));
    err = std::max(err, mixedError(asValues(c, got.x0, got.x0Sign), asValues(c, ref.x0, ref.x0Sign)));
    err = std::max(err, mixedError(asValues(c, got.x0Copy, got.x0CopySign), asValues(c, ref.x0Copy, ref.x0CopySign)));
    deterministic =
        std::memcmp(got.x.data(), again.x.data(), got.x.size() * sizeof(T)) == 0 && got.xSign == again.xSign;
  }
  double tol = sizeof(T) == 4 ? (c.method == Method::Direct ? 1e-4 : 2e-3) : 1e-10;
  bool ok = what.empty() && err <= tol && deterministic;
  if (!ok) ++failures;
  const char* methods[] = {"direct", "log-from-raw", "log-from-log"};
  std::printf("%s %-12s %s rows=%-6zu n=%-9zu %s pad=%zu %s%s err=%.3g%s%s\n", ok ? "ok  " : "FAIL",
              methods[int(c.method)], sizeof(T) == 4 ? "f32" : "f64", c.rows, c.n, c.reverse ? "rev" : "fwd", c.pad,
              c.host ? "host" : "device", c.aliasLast ? " last=x0" : "", err, deterministic ? "" : " NONDETERMINISTIC",
              what.empty() ? "" : (" " + what).c_str());
}

template <class T> static void runAggregate(size_t rows, size_t n, bool reverse, bool host) {
  Case c{Method::Direct, sizeof(T) == 4 ? DType::Float32 : DType::Float64, rows, n, reverse, 0, host, false};
  Buffers<T> h;
  fill(h, c, n, 99);
  AggregateJob j;
  j.dtype = c.dtype;
  j.rows = rows;
  j.n = n;
  j.reverse = reverse;
  j.aStride = j.bStride = n;
  j.a = h.a.data();
  j.b = h.b.data();
  std::vector<T> refA(rows), refB(rows), gotA(rows, T(-7)), gotB(rows, T(-7));
  j.outA = refA.data();
  j.outB = refB.data();
  j.threads = 4;
  cpu::aggregate(j);
  std::string what;
  try {
    if (host) {
      j.outA = gotA.data();
      j.outB = gotB.data();
      lc::aggregate(j, lc::Residency::Host, 0);
    } else {
      DeviceMirror<T> d;
      AggregateJob dj = j;
      dj.a = d.up(h.a);
      dj.b = d.up(h.b);
      T* oa = d.up(gotA);
      T* ob = d.up(gotB);
      dj.outA = oa;
      dj.outB = ob;
      lc::aggregate(dj, lc::Residency::Device, lc::contextGeneration(0));
      d.down(gotA, oa);
      d.down(gotB, ob);
    }
  } catch (const std::exception& e) {
    what = e.what();
  }
  double err = std::max(mixedError(gotA, refA), mixedError(gotB, refB));
  double tol = sizeof(T) == 4 ? 1e-4 : 1e-10;
  bool ok = what.empty() && err <= tol;
  if (!ok) ++failures;
  std::printf("%s aggregate    %s rows=%-6zu n=%-9zu %s %s err=%.3g %s\n", ok ? "ok  " : "FAIL",
              sizeof(T) == 4 ? "f32" : "f64", rows, n, reverse ? "rev" : "fwd", host ? "host" : "device", err,
              what.c_str());
}

// ---------------------------------------------------------------------------------------------
// The composable fallback: data where a coefficient product over- or underflows, so composing a
// carry with an aggregate would differ from the sequential loop (monoid.h, composable()).
//   Overflow:      x_0 = 1e-30 (f64: 1e-300), a = 1 for `offset` steps, then 2 for 130 steps
//                  (f64: 1030; the product overflows), then 0.5; b = 0. x stays finite, and
//                  every value is a power of two times x_0: the GPU must match the CPU bitwise
//                  while values are normal. Where they decay into subnormals, composing
//                  (one rounding of A·x) and stepping (a rounding per halving) may differ by a
//                  unit of the subnormal grid: allowed, and reported as "subnormal-ulp".
//   InfiniteStart: x_0 = +inf, a in [0.5, 0.6], b in [-1, 1]: the product underflows, and
//                  0 * inf would give NaN where the loop keeps +inf. Every x must be +inf.
enum class Special { Overflow, InfiniteStart };

template <class T>
static void fillSpecial(Buffers<T>& h, const Case& c, size_t stride, Special kind, size_t offset, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> mag(0.5, 0.6), val(-1.0, 1.0);
  const size_t up = sizeof(T) == 4 ? 130 : 1030;
  const double x0 = kind == Special::InfiniteStart ? INFINITY : (sizeof(T) == 4 ? 1e-30 : 1e-300);
  size_t total = c.rows * stride;
  h.a.assign(total, T(1));
  h.b.assign(total, T(0));
  h.aSign.assign(total, 1);
  h.bSign.assign(total, 1);
  for (size_t r = 0; r < c.rows; ++r)
    for (size_t i = 0; i < c.n; ++i) {
      size_t k = r * stride + (c.reverse ? c.n - 1 - i : i);
      double a, b;
      if (kind == Special::Overflow) {
        a = i < offset ? 1.0 : (i < offset + up ? 2.0 : 0.5);
        b = 0.0;
      } else {
        a = mag(rng);
        b = val(rng);
      }
      setStep(h, c, k, a, b);
    }
  h.x0.assign(c.rows, T(c.method == Method::LogFromLog ? std::log(x0) : x0));
  h.x0Sign.assign(c.rows, 1);
  poisonOutputs(h, c, total);
}

template <class T> static void runSpecial(const Case& c, Special kind, size_t offset, unsigned seed) {
  const size_t stride = c.n + c.pad;
  Buffers<T> ref, got, again;
  fillSpecial(ref, c, stride, kind, offset, seed);
  const std::string what = runBoth(c, stride, ref, got, again);
  double err = 0;
  bool deterministic = true, bitwise = true, expected = true, withinSubnormalUlp = true;
  if (what.empty()) {
    std::vector<double> gx = asValues(c, got.x, got.xSign), rx = asValues(c, ref.x, ref.xSign);
    std::vector<double> gl = asValues(c, got.last, got.lastSign), rl = asValues(c, ref.last, ref.lastSign);
    err = std::max(mixedError(gx, rx), mixedError(gl, rl));
    deterministic =
        std::memcmp(got.x.data(), again.x.data(), got.x.size() * sizeof(T)) == 0 && got.xSign == again.xSign;
    bitwise = std::memcmp(got.x.data(), ref.x.data(), got.x.size() * sizeof(T)) == 0 &&
              std::memcmp(got.last.data(), ref.last.data(), got.last.size() * sizeof(T)) == 0;
    // Otherwise, every difference must be a subnormal-grid unit between values below the
    // smallest normal (direct method: the values are x itself).
    const double grid = double(std::numeric_limits<T>::denorm_min()), normal = double(std::numeric_limits<T>::min());
    auto near = [&](const std::vector<T>& g, const std::vector<T>& r) {
      for (size_t i = 0; i < r.size(); ++i) {
        if (std::memcmp(&g[i], &r[i], sizeof(T)) == 0) continue;
        if (!(std::fabs(double(r[i])) < normal && std::fabs(double(g[i]) - double(r[i])) <= grid)) return false;
      }
      return true;
    };
    withinSubnormalUlp = c.method == Method::Direct && near(got.x, ref.x) && near(got.last, ref.last);
    // What the sequential loop gives, whatever the CPU engine says.
    for (size_t r = 0; r < c.rows; ++r)
      for (size_t i = 0; i < c.n; ++i) {
        double v = gx[r * stride + i];
        if (kind == Special::InfiniteStart ? !(v == INFINITY) : !std::isfinite(v)) expected = false;
      }
  }
  // Direct: exact (powers of two, or +inf throughout). Log methods: within the usual tolerance.
  bool exact = c.method == Method::Direct;
  double tol = sizeof(T) == 4 ? 2e-3 : 1e-10;
  bool ok = what.empty() && deterministic && expected && (exact ? bitwise || withinSubnormalUlp : err <= tol);
  if (!ok) ++failures;
  const char* methods[] = {"direct", "log-from-raw", "log-from-log"};
  std::printf("%s %-12s %s rows=%-6zu n=%-9zu %s %s %s offset=%zu err=%.3g%s%s%s%s\n", ok ? "ok  " : "FAIL",
              methods[int(c.method)], sizeof(T) == 4 ? "f32" : "f64", c.rows, c.n, c.reverse ? "rev" : "fwd",
              c.host ? "host" : "device", kind == Special::Overflow ? "overflow" : "inf-start", offset, err,
              bitwise                       ? " bitwise"
              : withinSubnormalUlp && exact ? " subnormal-ulp"
                                            : "",
              deterministic ? "" : " NONDETERMINISTIC", expected ? "" : " UNEXPECTED",
              what.empty() ? "" : (" " + what).c_str());
}

static void runSpecials(bool quick, unsigned& seed) {
  struct Shape {
    size_t rows, n;
    bool host;
  };
  // Thread rows, warp rows, one tile per row, look-back (the fallback in the first, a middle and
  // a late tile), host staging with the fallback in a later chunk.
  std::vector<Shape> shapes = {{2, 12, false},     {3, 1000, false},  {2, 3000, false},
                               {1, 100003, false}, {3, 40000, false}, {1, 3000001, true}};
  if (!quick) shapes.push_back({1, (size_t(1) << 22) + 3, false});
  const Method methods[] = {Method::Direct, Method::LogFromRaw, Method::LogFromLog};
  for (Method m : methods)
    for (int f64 = 0; f64 < 2; ++f64)
      for (const Shape& s : shapes)
        for (int rev = 0; rev < 2; ++rev) {
          Case c{m, f64 ? DType::Float64 : DType::Float32, s.rows, s.n, rev != 0, 0, s.host, false};
          for (size_t offset : {size_t(0), size_t(5000), size_t(70001), size_t(1500000)}) {
            if (offset && offset >= s.n) continue;
            f64 ? runSpecial<double>(c, Special::Overflow, offset, seed++)
                : runSpecial<float>(c, Special::Overflow, offset, seed++);
          }
          f64 ? runSpecial<double>(c, Special::InfiniteStart, 0, seed++)
              : runSpecial<float>(c, Special::InfiniteStart, 0, seed++);
        }
}

// ---------------------------------------------------------------------------------------------
// One row longer than 2^31 steps (issue 11: n = 2^31 + 4097), filled and checked on the device,
// so that 32-bit index arithmetic anywhere in the engine shows. Every 16th coefficient is 0 (a
// reset), so each x_k has a cheap exact expectation: the loop from the last reset, in double.
// Coefficients and values come from a hash of k, so a value read from or written to the wrong
// index is wrong. x has one slot more than the row: a sentinel there must survive.
//   ./check --huge [n [corrupt]]   corrupt: an index whose result is overwritten after the scan
//                                  (the check must then fail: its self-test)
namespace huge {
constexpr size_t kResetEvery = 16;
__host__ __device__ inline float unit(uint64_t k) {  // splitmix64 -> [0, 1)
  uint64_t z = k + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return float((z ^ (z >> 31)) >> 40) * (1.0f / 16777216.0f);
}
__host__ __device__ inline float coefficient(size_t k) {
  return k % kResetEvery == 0 ? 0.0f : 0.5f + 0.5f * unit(2 * k);
}
__host__ __device__ inline float value(size_t k) { return 2.0f * unit(2 * k + 1) - 1.0f; }
constexpr float kSentinel = 12345.0f;

__global__ void fill(float* a, float* b, float* x, size_t n) {
  const size_t stride = size_t(gridDim.x) * blockDim.x;
  for (size_t k = size_t(blockIdx.x) * blockDim.x + threadIdx.x; k <= n; k += stride) {
    if (k < n) {
      a[k] = coefficient(k);
      b[k] = value(k);
    }
    x[k] = k < n ? NAN : kSentinel;
  }
}

// worst[thread]: the largest |x_k - expected| / (|expected| + 1) a thread saw (NaN counts as
// infinite); bad[0]: elements beyond the tolerance, bad[1]: 1 if the sentinel changed.
__global__ void check(const float* x, size_t n, float* worst, unsigned* bad) {
  const size_t id = size_t(blockIdx.x) * blockDim.x + threadIdx.x, stride = size_t(gridDim.x) * blockDim.x;
  float mine = 0;
  for (size_t k = id; k < n; k += stride) {
    size_t k0 = k - k % kResetEvery;
    double v = value(k0);  // x_{k0} = b_{k0}: a_{k0} is 0
    for (size_t j = k0 + 1; j <= k; ++j) v = double(coefficient(j)) * v + double(value(j));
    float e = float(fabs(double(x[k]) - v) / (fabs(v) + 1.0));
    if (!(e <= 1e-5f)) atomicAdd(&bad[0], 1u);
    if (!(e <= mine)) mine = e == e ? e : INFINITY;
  }
  worst[id] = mine;
  if (id == 0 && !(x[n] == kSentinel)) atomicAdd(&bad[1], 1u);
}

static int run(size_t n, long long corrupt) {
  const dim3 grid(1024), block(256);
  const size_t threads = size_t(grid.x) * block.x;
  unsigned generation = lc::contextGeneration(0);
  auto alloc = [&](size_t bytes) { return lc::deviceAlloc(0, bytes, &generation); };
  float* a = static_cast<float*>(alloc(n * sizeof(float)));
  float* b = static_cast<float*>(alloc(n * sizeof(float)));
  float* x = static_cast<float*>(alloc((n + 1) * sizeof(float)));
  float* x0 = static_cast<float*>(alloc(sizeof(float)));
  float* worst = static_cast<float*>(alloc(threads * sizeof(float)));
  unsigned* bad = static_cast<unsigned*>(alloc(2 * sizeof(unsigned)));
  const float start = 0.25f;
  const unsigned zeros[2] = {0, 0};
  lc::copyToDevice(0, generation, x0, &start, sizeof start);
  lc::copyToDevice(0, generation, bad, zeros, sizeof zeros);
  lc::launch(fill, grid, block, cudaStream_t(0), "huge::fill", a, b, x, n);
  lc::check(cudaDeviceSynchronize(), "huge::fill");
  ScanJob j;
  j.method = Method::Direct;
  j.dtype = DType::Float32;
  j.rows = 1;
  j.n = n;
  j.reverse = false;
  j.aStride = j.bStride = j.xStride = n;
  j.x0Stride = j.x0CopyStride = 1;
  j.a = a;
  j.b = b;
  j.x = x;
  j.x0 = x0;
  j.threads = 1;
  lc::scan(j, lc::Residency::Device, generation);
  if (corrupt >= 0) {
    const float wrong = 3.0f;  // |x| < 2 everywhere (|a| < 1, |b| <= 1, resets every 16)
    lc::copyToDevice(0, generation, x + corrupt, &wrong, sizeof wrong);
  }
  lc::launch(check, grid, block, cudaStream_t(0), "huge::check", static_cast<const float*>(x), n, worst, bad);
  lc::check(cudaDeviceSynchronize(), "huge::check");
  std::vector<float> worstHost(threads);
  unsigned badHost[2];
  lc::copyToHost(0, generation, worstHost.data(), worst, threads * sizeof(float));
  lc::copyToHost(0, generation, badHost, bad, sizeof badHost);
  for (void* p : {static_cast<void*>(a), static_cast<void*>(b), static_cast<void*>(x), static_cast<void*>(x0),
                  static_cast<void*>(worst), static_cast<void*>(bad)})
    lc::deviceFree(0, p, generation);
  float err = 0;
  for (float e : worstHost) err = e > err || e != e ? e : err;
  bool ok = badHost[0] == 0 && badHost[1] == 0;
  std::printf("%s direct       f32 rows=1      n=%zu fwd device huge err=%.3g beyond-tolerance=%u sentinel=%s%s\n",
              ok ? "ok  " : "FAIL", n, err, badHost[0], badHost[1] ? "overwritten" : "kept",
              corrupt >= 0 ? " (corrupted on purpose)" : "");
  return ok ? 0 : 1;
}
}  // namespace huge

int main(int argc, char** argv) {
  const bool race = argc > 1 && std::strcmp(argv[1], "--race") == 0;
  const bool quick = race || (argc > 1 && std::strcmp(argv[1], "--quick") == 0);
  lc::Availability av = lc::probe();
  if (!av.available) {
    std::printf("no CUDA: %s\n", av.reason.c_str());
    return 2;
  }
  std::printf("device: %s\n", av.devices[0].name.c_str());
  if (argc > 1 && std::strcmp(argv[1], "--huge") == 0) {
    size_t n = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : (size_t(1) << 31) + 4097;
    return huge::run(n, argc > 3 ? std::atoll(argv[3]) : -1);
  }
  // Shapes per kernel: thread rows, warp rows (short and many), one tile per row, look-back
  // (shallow and deep), plus odd sizes around tile edges.
  struct Shape {
    size_t rows, n;
  };
  std::vector<Shape> shapes = {{1, 0},    {3, 1},      {5, 16},      {7, 17},     {3, 1000}, {2, 3000},
                               {2, 4097}, {3, 100003}, {1, 1 << 20}, {20000, 40}, {1, 12345}};
  if (!quick) shapes.push_back({1, (size_t(1) << 24) + 5});
  // Each kernel once or twice (thread rows, warp rows, one tile, look-back) at small sizes.
  if (race) shapes = {{5, 16}, {7, 17}, {3, 1000}, {2, 4097}, {1, 40000}};
  const Method methods[] = {Method::Direct, Method::LogFromRaw, Method::LogFromLog};
  unsigned seed = 1;
  for (Method m : methods)
    for (int f64 = 0; f64 < (race ? 1 : 2); ++f64)
      for (const Shape& s : shapes)
        for (int rev = 0; rev < 2; ++rev)
          for (size_t pad : {size_t(0), size_t(1)}) {
            if ((quick && pad && s.n > 5000) || (race && pad)) continue;
            Case c{m, f64 ? DType::Float64 : DType::Float32, s.rows, s.n, rev != 0, pad, false, pad != 0};
            f64 ? runCase<double>(c, seed++) : runCase<float>(c, seed++);
          }
  if (race) {
    runAggregate<float>(3, 1000, false, false);
    runAggregate<float>(2, 100003, true, true);
    std::printf("%d failure(s)\n", failures);
    return failures ? 1 : 0;
  }
  // Host residency: one chunk, many chunks along n, and row blocks.
  for (Method m : methods)
    for (int f64 = 0; f64 < 2; ++f64)
      for (Shape s : std::vector<Shape>{{3, 1000}, {1, 3000001}, {3000, 1001}, {2, 0}})
        for (int rev = 0; rev < 2; ++rev) {
          Case c{m, f64 ? DType::Float64 : DType::Float32, s.rows, s.n, rev != 0, 1, true, rev != 0};
          f64 ? runCase<double>(c, seed++) : runCase<float>(c, seed++);
        }
  runSpecials(quick, seed);
  for (int rev = 0; rev < 2; ++rev)
    for (Shape s : std::vector<Shape>{{4, 0}, {3, 10}, {3, 1000}, {2, 100003}, {20000, 40}, {1, 3000001}}) {
      runAggregate<float>(s.rows, s.n, rev != 0, false);
      runAggregate<double>(s.rows, s.n, rev != 0, false);
      runAggregate<float>(s.rows, s.n, rev != 0, true);
    }
  std::printf("%d failure(s)\n", failures);
  return failures ? 1 : 0;
}
