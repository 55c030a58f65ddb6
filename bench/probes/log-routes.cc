// Probe for issue 10 item 1: cost of one pass over n steps by each candidate log route, one core.
//   g++ -O3 -march=native -fopenmp-simd bench/probes/log-routes.cc -o /tmp/log-routes && /tmp/log-routes
// (a) log-add-exp across 32 float32 lanes (SIMD across lanes, inline polynomial exp/log1p, positive
//     logs only: a lower bound on the signed form); (b) the extended-range linear form: double
//     mantissa, int exponent, renormalized only when the mantissa leaves [2^-400, 2^400], from raw
//     float32 (4 interleaved lanes); (c) the plain float32 loop for scale.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

// 2^k for k in [-1022, 1023], from bits (no libm call).
static inline double pow2(int32_t k) {
  int64_t bits = int64_t(k + 1023) << 52;
  double d;
  std::memcpy(&d, &bits, 8);
  return d;
}

static double now() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// exp(x) for x <= 0 and log1p(y) for y in [0,1], float, polynomial (about 1e-7 relative).
static inline float expNeg(float x) {
  x = std::max(x, -87.f);
  float t = x * 1.44269504f, k = (t + 12582912.f) - 12582912.f, f = x - k * 0.693145752f - k * 1.42860677e-6f;
  float p =
      1.f +
      f * (1.f + f * (0.5f + f * (0.166666672f + f * (0.0416666418f + f * (0.00833345205f + f * 0.00138873165f)))));
  return p * __builtin_bit_cast(float, (int32_t(k) + 127) << 23);
}
static inline float log1pUnit(float y) {  // log(1+y) = 2 atanh(y/(2+y)), y in [0,1]
  float z = y / (2.f + y), z2 = z * z;
  return 2.f * z * (1.f + z2 * (0.333333343f + z2 * (0.2f + z2 * (0.142857149f + z2 * 0.111111112f))));
}

int main(int argc, char** argv) {
  size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10000000;
  std::mt19937 gen(1);
  std::normal_distribution<float> N(0, 1);
  std::vector<float> a(n), b(n), x(n), la(n), lb(n);
  for (size_t i = 0; i < n; ++i)
    a[i] = N(gen), b[i] = N(gen), la[i] = std::log(std::fabs(a[i])), lb[i] = std::log(std::fabs(b[i]));
  auto best = [](auto f) {
    double m = 1e30;
    for (int r = 0; r < 5; ++r) {
      double t0 = now();
      f();
      m = std::min(m, now() - t0);
    }
    return m;
  };

  double tLoop = best([&] {
    float v = 0;
    for (size_t i = 0; i < n; ++i) x[i] = v = a[i] * v + b[i];
  });

  // GCC vector extensions: 4 vectors of 8 lanes, lanes interleaved (a staged, transposed tile).
  typedef float v8 __attribute__((vector_size(32)));
  typedef int32_t i8 __attribute__((vector_size(32)));
  constexpr size_t L = 32, V = L / 8;
  size_t len = n / L;
  auto expNegV = [](v8 x) {
    x = x < -87.f ? -87.f : x;
    v8 t = x * 1.44269504f, k = (t + 12582912.f) - 12582912.f, f = x - k * 0.693145752f - k * 1.42860677e-6f;
    v8 p =
        1.f +
        f * (1.f + f * (0.5f + f * (0.166666672f + f * (0.0416666418f + f * (0.00833345205f + f * 0.00138873165f)))));
    i8 bits = (__builtin_convertvector(k, i8) + 127) << 23;
    return p * (v8)bits;
  };
  auto log1pV = [](v8 y) {
    v8 z = y / (2.f + y), z2 = z * z;
    return 2.f * z * (1.f + z2 * (0.333333343f + z2 * (0.2f + z2 * (0.142857149f + z2 * 0.111111112f))));
  };
  double tLse = best([&] {
    v8 v[V];
    for (size_t j = 0; j < V; ++j) v[j] = v8{} - 1e30f;
    for (size_t i = 0; i < len; ++i) {
      for (size_t j = 0; j < V; ++j) {
        v8 u, w;
        std::memcpy(&u, &la[i * L + 8 * j], 32);
        std::memcpy(&w, &lb[i * L + 8 * j], 32);
        u += v[j];
        v8 hi = u > w ? u : w, lo = u > w ? w : u;
        v[j] = hi + log1pV(expNegV(lo - hi));
        std::memcpy(&x[i * L + 8 * j], &v[j], 32);
      }
    }
  });

  constexpr size_t K = 4;
  size_t klen = n / K;
  double tExt = best([&] {
    double m[K], scale[K], outScale[K];  // scale = 2^-e, outScale = 2^e: change only when e does
    int32_t e[K];
    for (size_t j = 0; j < K; ++j) m[j] = 0, e[j] = 0, scale[j] = outScale[j] = 1;
    double lo = std::ldexp(1.0, -400), hi = std::ldexp(1.0, 400);
    for (size_t i = 0; i < klen; ++i) {
      for (size_t j = 0; j < K; ++j) {
        size_t s = j * klen + i;
        double v = std::fma(double(a[s]), m[j], double(b[s]) * scale[j]);
        double mag = std::fabs(v);
        if (__builtin_expect(!(mag >= lo && mag <= hi), 0)) {
          int ex;
          v = std::frexp(v, &ex);
          e[j] += ex;
          scale[j] = pow2(std::min(std::max(-e[j], -1022), 1023));
          outScale[j] = pow2(std::min(std::max(e[j], -1022), 1023));
        }
        m[j] = v;
        x[s] = float(v * outScale[j]);
      }
    }
  });
  std::printf(
      "n=%zu one pass, one core, best of 5: loop %.1f ms; (a) log-add-exp 32 lanes %.1f ms (%.1fx); (b) extended-range "
      "4 lanes %.1f ms (%.1fx)\n",
      n, tLoop, tLse, tLse / tLoop, tExt, tExt / tLoop);
  return int(x[n / 2] == 12345.f);
}
