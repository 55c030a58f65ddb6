// The CPU scan engine: one pass over memory, in tiles, with a look-back between tiles.
//
// Each tile (kTile steps of one row) runs three phases while its inputs sit in cache:
//   1. aggregate: kLanes contiguous lanes reduced side by side (independent chains, so the
//      core overlaps them instead of waiting on one multiply-add chain);
//   2. carry: wait for the previous tile's inclusive value (published with release), compose
//      with this tile's aggregate and publish ours at once, so the next tile can start;
//   3. rescan: each lane re-runs the sequential loop from its own carry, lanes side by side.
// Tiles are taken in order from a shared counter by every thread, so a row's carry chain never
// waits on a tile that no thread has picked. Tile and lane sizes are fixed, so the result does
// not depend on the thread count: it is identical run to run and for any `threads`.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>
#if defined(__AVX__)
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "../access.h"
#include "run_on_threads.h"

// Rare paths kept out of the common path's code (LINREC_RARE), and a loop given a frame of its own
// (LINREC_OWN_FRAME): inlined, they changed the register allocation of the hot loops beside them.
#if defined(__GNUC__)
#define LINREC_RARE __attribute__((noinline, cold))
#define LINREC_OWN_FRAME __attribute__((noinline))
#else
#define LINREC_RARE
#define LINREC_OWN_FRAME
#endif

namespace linrec {
namespace cpu {

// 4 lanes of 2080 steps: 4 independent chains cover a multiply-add's latency, and 8 input
// streams (a and b per lane) suit the prefetchers better than 16 (measured: 15-20% faster
// than 8 x 1040 at n = 10^7). Lanes are 8320 bytes apart in float32 (16640 in float64): never
// a multiple of 4096, so loads and stores of different lanes do not 4K-alias (512-step lanes,
// 2048 bytes apart, ran 3x slower).
#ifndef LINREC_LANES
#define LINREC_LANES 4
#endif
#ifndef LINREC_LANE_LENGTH
#define LINREC_LANE_LENGTH 2080
#endif
constexpr size_t kLanes = LINREC_LANES;
constexpr size_t kLaneLength = LINREC_LANE_LENGTH;
constexpr size_t kTile = kLanes * kLaneLength;
// Below this many steps in all, one thread does everything: spawning threads costs more
// (measured: 2 threads slower than 1 at n = 10^5, faster at 10^6; bench/results/cpu.md).
constexpr size_t kParallelThreshold = size_t(1) << 18;

inline void spinPause() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Staged tiles' memory kept between calls, any thread's: a fresh stage's pages were faulted in
// again on every call (glibc returns the freed top of its heap to the system), which was about
// a fifth of a 10^5-step logScan call on one thread (bench/NOTES.md, session 11). At most
// kKept stages of kTile steps are kept (ExtendedTile: 48 bytes a step, 400 KB each).
template <class Stage> class StagePool {
 public:
  static std::unique_ptr<Stage> take() {
    StagePool& pool = instance();
    {
      std::lock_guard<std::mutex> lock(pool.mutex_);
      if (!pool.kept_.empty()) {
        std::unique_ptr<Stage> stage = std::move(pool.kept_.back());
        pool.kept_.pop_back();
        return stage;
      }
    }
    return std::unique_ptr<Stage>(new Stage(kTile));
  }
  static void give(std::unique_ptr<Stage> stage) {
    if (!stage) return;
    StagePool& pool = instance();
    std::lock_guard<std::mutex> lock(pool.mutex_);
    if (pool.kept_.size() < kKept) pool.kept_.push_back(std::move(stage));
  }

 private:
  static constexpr size_t kKept = 8;
  static StagePool& instance() {
    static StagePool pool;
    return pool;
  }
  std::mutex mutex_;
  std::vector<std::unique_ptr<Stage>> kept_;
};

template <class M> struct IsAffine : std::false_type {};
template <class T> struct IsAffine<AffineMonoid<T>> : std::true_type {};

// Rows whose steps the log method's plain path can read (Row::kPlain, see PlainExtended).
template <class Row, class = void> struct HasPlainPath : std::false_type {};
template <class Row> struct HasPlainPath<Row, std::enable_if_t<Row::kPlain>> : std::true_type {};
// Rows whose plain inputs are all normal, nonzero and finite doubles within 2^±390 (Row::kNormalPlain).
// Rows that take each plain result's rounding error (Row::kCompensated, Row::storeLow).
template <class Row, class = void> struct HasCompensated : std::false_type {};
template <class Row> struct HasCompensated<Row, std::enable_if_t<Row::kCompensated>> : std::true_type {};
template <class Row, class = void> struct HasNormalPlain : std::false_type {};
// Rows that may bound a plain tile's values ahead (Row::bandBound, see PlainExtended::bounded).
template <class Row, class = void> struct HasBandBound : std::false_type {};
template <class Row> struct HasBandBound<Row, std::enable_if_t<Row::kBandBound>> : std::true_type {};
template <class Row> struct HasNormalPlain<Row, std::enable_if_t<Row::kNormalPlain>> : std::true_type {};

// Rows that may take their results' logs in the rescan (Row::logOut, ExtendedTile::Steps).
// Rows whose stores may overwrite their inputs (Row::storesOverInputs, see PlainExtended::rescan).
template <class Row, class = void> struct HasStoresOverInputs : std::false_type {};
template <class Row>
struct HasStoresOverInputs<Row, std::void_t<decltype(std::declval<const Row&>().storesOverInputs())>> : std::true_type {
};
template <class Row, class = void> struct HasLogOut : std::false_type {};
template <class Row> struct HasLogOut<Row, std::void_t<decltype(Row::logOut)>> : std::true_type {};
// Rows of raw arrays a, b and x and nothing else stored (RawAccess::Row; not LogAccess::Row, which
// stores signs too), and staged tiles' steps (ExtendedTile::Steps): TileScan::afterNaN's vector paths.
template <class Row, class = void> struct HasSignsOut : std::false_type {};
template <class Row> struct HasSignsOut<Row, std::void_t<decltype(std::declval<Row>().xSign)>> : std::true_type {};
template <class Row, class = void> struct HasRawArrays : std::false_type {};
template <class Row>
struct HasRawArrays<Row, std::void_t<decltype(std::declval<Row>().a), decltype(std::declval<Row>().x)>>
    : std::bool_constant<!HasSignsOut<Row>::value> {};
template <class Row, class = void> struct HasStagedArrays : std::false_type {};
template <class Row>
struct HasStagedArrays<Row, std::void_t<decltype(std::declval<Row>().am), decltype(std::declval<Row>().xm),
                                        decltype(std::declval<Row>().xl), decltype(std::declval<Row>().begin)>>
    : std::true_type {};
// float32 logs of a bounded plain tile's four lanes, taken in the rescan (defined below).
template <bool Reverse> void rescanToLogs(const double* a, const double* b, size_t len, float* out, double* x);
// l[0] + ... + l[len-1] (the log of a lane's coefficient product): in double, 16 partial sums in a fixed order (so the
// same for any thread count and vector width), len % 16 == 0. For |l| <= 270 and len <= 2^12 the
// sum's rounding is below 2^-33·len absolute (partial sums below 2^20), far below the product of
// len converted coefficients' errors (each expPlain<6>'s up to 3e-9); one exp per lane instead
// of len multiplies and renormalizations (bench/NOTES.md, session 9).
inline double sumOfLogs(const float* l, size_t len) {
#if defined(__GNUC__)
  typedef double V __attribute__((vector_size(32)));
  V s[4] = {};
  for (size_t i = 0; i < len; i += 16) {
    for (size_t k = 0; k < 4; ++k) {
#if defined(__AVX__)
      // one vcvtps2pd of 4 floats from memory: the generic form below became two 2-float
      // conversions and a vmovlps each (GCC 12; session 10)
      s[k] += (V)_mm256_cvtps_pd(_mm_loadu_ps(l + i + 4 * k));
#else
      typedef float F __attribute__((vector_size(16)));
      F f;
      __builtin_memcpy(&f, l + i + 4 * k, sizeof f);
      s[k] += __builtin_convertvector(f, V);
#endif
    }
  }
  V t = (s[0] + s[1]) + (s[2] + s[3]);
  return (t[0] + t[1]) + (t[2] + t[3]);
#else
  double p[16] = {};
  for (size_t i = 0; i < len; i += 16)
    for (size_t k = 0; k < 16; ++k) p[k] += double(l[i + k]);
  double q[4];
  for (size_t k = 0; k < 4; ++k) q[k] = (p[k] + p[4 + k]) + (p[8 + k] + p[12 + k]);
  return (q[0] + q[1]) + (q[2] + q[3]);
#endif
}
#if defined(__GNUC__)
// PlainExtended::product's partials as one vector of doubles (of any width: each element is a
// partial of its own): the product as mantissa and exponent, the least magnitude (a zero factor),
// the least nonzero magnitude (a subnormal one) and a sum of v·0 (NaN once a factor is infinite
// or NaN).
template <class Vd> struct PlainProducts {
  typedef int64_t Vi __attribute__((vector_size(sizeof(Vd))));
  typedef uint64_t Vu __attribute__((vector_size(sizeof(Vd))));
  static constexpr double kInf = __builtin_huge_val();
  Vd p = Vd{} + 1.0, least = Vd{} + kInf, leastNonzero = Vd{} + kInf, poison = Vd{};
  Vi e = Vi{};
  LINREC_HD_HOT void multiply(Vd v) {
    const Vd magnitude = (Vd)((Vu)v & (~0ull >> 1));
    least = magnitude < least ? magnitude : least;
    const Vd nonzero = v == 0.0 ? kInf + Vd{} : magnitude;
    leastNonzero = nonzero < leastNonzero ? nonzero : leastNonzero;
    poison += v * 0.0;
    const Vu bits = (Vu)(p * v);
    e += (Vi)((bits >> 52) & 0x7ff) - 1023;
    p = (Vd)((bits & 0x800fffffffffffffull) | 0x3ff0000000000000ull);
  }
};
#endif

// The B chains of four bounded plain lanes (defined below).
inline void reduceHalves4(const double* a, const double* b, size_t len, double* first, double* second);
inline void reduceHalves1(const double* a, const double* b, size_t len, double& first, double& second);
LINREC_HD_HOT void reduceChain4(const double* a, const double* b, size_t len, double* x);

// The log method's common case (ExtendedAffineMonoid): every number of a tile within the band
// with exponent 0, so each lane is the direct method's loop in double. These loops try that,
// accumulating whether every result stayed in the band instead of branching on each; a tile
// where one did not is computed again by the general loops (same values where both apply, so
// the result depends on the data alone). Coefficient products go by exponent and mantissa.
struct PlainExtended {
  static constexpr double kMinNormal = 2.2250738585072014e-308;

  // The band check of a chain, as the least and greatest magnitude seen (two instructions a step
  // instead of two compares and branches). inf and NaN persist to a lane's end, where the last
  // value is checked. low and high start at the magnitude of the chain's first value, never at
  // the value itself: from a negative start, low stayed that negative number (below every
  // magnitude), so no later value was checked against the band's bottom, and a lane that dipped
  // below 2^-400 (into subnormals or to 0) and came back kept its plain, wrong, values
  // (bench/NOTES.md, session 24).
  static void track(double v, double& low, double& high) {
    double magnitude = ::fabs(v);
    low = lesser(magnitude, low);
    high = greater(magnitude, high);
  }
  // a < b ? a : b and a > b ? a : b (b where either is NaN), as one minsd / maxsd: written as
  // conditionals, GCC moved each lane's doubles to integer registers for cmov (the reduce loop of
  // logScan tiles was a third vmovq and cmova, bench/NOTES.md session 5). With AVX as inline
  // assembly: the intrinsics' _mm_set_sd added a vmovq (zeroing the upper half) before each.
  static double lesser(double a, double b) {
#if defined(__AVX__) && defined(__GNUC__)
    double r;
    asm("vminsd %2, %1, %0" : "=x"(r) : "x"(a), "x"(b));
    return r;
#elif defined(__SSE2__)
    return _mm_cvtsd_f64(_mm_min_sd(_mm_set_sd(a), _mm_set_sd(b)));
#else
    return a < b ? a : b;
#endif
  }
  static double greater(double a, double b) {
#if defined(__AVX__) && defined(__GNUC__)
    double r;
    asm("vmaxsd %2, %1, %0" : "=x"(r) : "x"(a), "x"(b));
    return r;
#elif defined(__SSE2__)
    return _mm_cvtsd_f64(_mm_max_sd(_mm_set_sd(a), _mm_set_sd(b)));
#else
    return a > b ? a : b;
#endif
  }
  // Keeps a lane's value in its own register: without the band tracking, GCC's SLP vectorizer
  // packed the four lanes' chains into one vector, gathering each step's inputs from four lanes and
  // passing the vector through the stack (1.2x the tracked loops' time).
  static void ownRegister(double& v) {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    asm("" : "+x"(v));
#elif defined(__GNUC__) && defined(__aarch64__)
    asm("" : "+w"(v));
#else
    (void)v;
#endif
  }
  // What a lane loop checks of the band: nothing (its bounds guarantee it), the least magnitude only
  // (bounded magnitudes, signs allowed), or both ends.
  enum Track { kUnchecked = 0, kLeast = 1, kBoth = 2 };
  // v by reference: ownRegister must hold the caller's value, not a copy
  template <int Mode> static void track(double& v, double& low, double& high) {
    if constexpr (Mode == kBoth)
      track(v, low, high);
    else if constexpr (Mode == kLeast)
      low = lesser(::fabs(v), low);
    else
      ownRegister(v);  // on a local: on the array element, GCC kept the array on the stack
  }
  // low and high: magnitudes (track's)
  static bool inBand(size_t lanes, const double* last, const double* low, const double* high) {
    bool ok = true;
    for (size_t j = 0; j < lanes; ++j)
      ok &= extended::inBand(last[j]) & (low[j] >= extended::kBandLow) & (high[j] <= extended::kBandHigh);
    return ok;
  }

  // Lane j's aggregate from plain inputs: false if not plain (then out is unspecified).
  template <class Row, class Elem>
  static bool reduce(const Row& row, size_t begin, size_t len, size_t lanes, Elem* out) {
    if (!row.plainInputs(begin, len * lanes)) return false;
    double b[16];
    // The band check is skipped where a lane's bounds already guarantee it (bounded): the same
    // values, in half the operations a step.
    bool all = true, any = false;  // lanes bounded
    for (size_t j = 0; j < lanes; ++j) {
      bool sure = bounded(row, begin + j * len, len, row.plainB(begin + j * len));
      all &= sure, any |= sure;
    }
    // Lanes of both kinds: each lane on its own, so that its path (the half chains below give
    // other bits) depends on its own data alone.
    if (any && !all) return reduceEach(row, begin, len, lanes, out);
    double largest = 0;  // the greatest lane start's magnitude
    for (size_t j = 0; j < lanes; ++j) largest = greater(::fabs(row.plainB(begin + j * len)), largest);
    if (all) {
      if constexpr (HasLogOut<Row>::value) {
        // float32 logs: each lane as two half chains side by side (8 independent chains, twice the
        // four's throughput: the chain is latency-bound), joined by the second half's coefficient
        // product from its logs; the lane products from the logs too (sumOfLogs).
        if (row.logA && len % 32 == 0 && lanes <= 16) {
          const size_t half = len / 2;
          const double *am = row.am + (begin - row.begin), *bm = row.bm + (begin - row.begin);
          const float* la = row.logA + (begin - row.begin);
          double first[16], second[16];
          if (lanes == 4) {
            reduceHalves4(am, bm, len, first, second);
          } else {
            for (size_t j = 0; j < lanes; ++j) reduceHalves1(am + j * len, bm + j * len, len, first[j], second[j]);
          }
          for (size_t j = 0; j < lanes; ++j) {
            double sumFirst = sumOfLogs(la + j * len, half), sumSecond = sumOfLogs(la + j * len + half, half);
            constexpr int kDegree = ExtendedAffineMonoid<float>::kExpDegree;
            double secondProduct = extended::toDouble(extended::fromLog<kDegree>(sumSecond, false));
            out[j] = {extended::fromLog<kDegree>(sumFirst + sumSecond, false),
                      {secondProduct * first[j] + second[j], 0}};
          }
          return true;
        }
        if (lanes == 4 && len % 4 == 0) {  // staged tiles: the lanes as one vector chain
          reduceChain4(row.am + (begin - row.begin), row.bm + (begin - row.begin), len, b);
        } else {
          reduceChains<kUnchecked>(row, begin, len, lanes, b);
        }
      } else {
        reduceChains<kUnchecked>(row, begin, len, lanes, b);
      }
    } else if (magnitudeBounded(row, len, largest) ? !reduceChains<kLeast>(row, begin, len, lanes, b)
                                                   : !reduceChains<kBoth>(row, begin, len, lanes, b))
      return false;
    Extended a[16];
    if constexpr (HasNormalPlain<Row>::value) {
      if (len % 8 == 0 && lanes == 4) {
        normalProducts4(row, begin, len, a);
        for (size_t j = 0; j < lanes; ++j) out[j] = {a[j], {b[j], 0}};
        return true;
      }
    }
    for (size_t j = 0; j < lanes; ++j) {
      if (!product(row, begin + j * len, len, a[j])) return false;
      out[j] = {a[j], {b[j], 0}};
    }
    return true;
  }
  // reduce() of each lane on its own (rare: kept out of the common path's code).
  template <class Row, class Elem>
  static LINREC_RARE bool reduceEach(const Row& row, size_t begin, size_t len, size_t lanes, Elem* out) {
    for (size_t j = 0; j < lanes; ++j)
      if (!reduce(row, begin + j * len, len, 1, out + j)) return false;
    return true;
  }
  // The lanes' B chains (the sequential loop from each lane's first b) into out; with Track,
  // false if a value left the band.
  template <int Track, class Row>
  static bool reduceChains(const Row row, size_t begin, size_t len, size_t lanes, double* out) {
    double b[16], low[16], high[16];
    for (size_t j = 0; j < lanes; ++j) {
      b[j] = row.plainB(begin + j * len);
      low[j] = high[j] = ::fabs(b[j]);  // magnitudes (see track)
      // A lane that starts at an addend of exactly 0 (sparse data): its first step gives a·0 + b =
      // b exactly, as the general step does, so the 0 is no value out of the band. It failed the
      // least magnitude's check, and the whole tile took the general loops (2.5-8x slower at zero
      // rates 1e-2-0.1, bench/NOTES.md session 23). The lane's aggregate is now the plain one (its
      // product as product() takes it): decided by the lane's data, as before.
      if (b[j] == 0) low[j] = __builtin_huge_val();
    }
    laneSteps<Track, false>(row, begin, len, lanes, 1, b, low, high);
    uint32_t failed = 0;  // lanes out of the band (b, low and high stay out of memory: no address of theirs escapes)
    for (size_t j = 0; j < lanes; ++j) {
      if constexpr (Track != kUnchecked) failed |= uint32_t(!inBand(1, &b[j], &low[j], &high[j])) << j;
      out[j] = b[j];
    }
    return !failed || retryFailed<Track>(row, begin, len, lanes, failed, out);
  }
  // fromFirstAddend for each lane in failed: whether every one passes (out[j] its B then).
  template <int Track, class Row> static LINREC_RARE bool retryFailed(const Row& row, size_t begin, size_t len,
                                                                      size_t lanes, uint32_t failed, double* out) {
    bool ok = true;
    for (size_t j = 0; j < lanes; ++j)
      if ((failed >> j) & 1) ok &= fromFirstAddend<Track>(row, begin + j * len, len, out[j]);
    return ok;
  }
  // A lane that starts with a run of zero addends (sparse data): its chain is ±0 up to the first
  // nonzero b (a·0 + 0 with finite coefficients), where a·0 + b = b exactly; those zeros failed the
  // least magnitude's check. Its B as the chain from that b (the same steps from there, so the
  // same value), if that stays in the band. A lane of zeros only, or an infinite or NaN
  // coefficient among them, stays with the general loops.
  template <int Track, class Row>
  static LINREC_RARE bool fromFirstAddend(const Row& row, size_t first, size_t len, double& out) {
    if (row.plainB(first) != 0) return false;
    size_t k = 1;
    for (; k < len; ++k) {
      if (!extended::finite(row.plainA(first + k))) return false;  // a·0 is NaN
      if (row.plainB(first + k) != 0) break;
    }
    return k < len && reduceChains<Track>(row, first + k, len - k, 1, &out);
  }
  // Steps [from, len) of each lane, x_j = a·x_j + b side by side (independent chains): the band
  // tracked with Track, each value stored with Store. The reduce's and the rescan's loop.
  template <int Track, bool Store, class Row>
  LINREC_HD_HOT static void laneSteps(const Row& row, size_t begin, size_t len, size_t lanes, size_t from, double* x,
                                      double* low, double* high) {
    for (size_t i = from; i < len; ++i) {
#pragma GCC unroll 16
      for (size_t j = 0; j < lanes; ++j) {
        size_t s = begin + j * len + i;
        double v = row.plainA(s) * x[j] + row.plainB(s);
        track<Track>(v, low[j], high[j]);
        x[j] = v;
        if constexpr (Store) row.storePlain(s, v);
      }
    }
  }

  // Whether a lane of len plain steps from start (> 0) certainly stays in the band: every input
  // positive, coefficients at most 1 + 2^-20 and addends at most bound (Row::bandBound, >= 0
  // only then). Then x_i >= b_i >= e^-270 (a·x + b rounds to at least b), and
  // x_i <= (start + i·bound)·(1 + 2^-20)^len·(1 + 2^-53)^len, a factor below 1.01.
  // Whether no magnitude of a lane of len plain steps from start can pass the band's top, signs
  // allowed: |a·x + b| <= |a|·|x| + |b| bounds it as above, with coefficients' magnitudes at most
  // 1 + 2^-20 and addends' at most row.magnitudeBound. Values may still cancel towards zero: the
  // least magnitude is still checked.
  template <class Row> static bool magnitudeBounded(const Row& row, size_t len, double start) {
    if constexpr (HasBandBound<Row>::value) {
      double bound = row.magnitudeBound;
      return bound >= 0 && (start + double(len) * bound) * 1.01 <= extended::kBandHigh;
    } else {
      (void)row, (void)len, (void)start;
      return false;
    }
  }
  template <class Row> static bool bounded(const Row& row, size_t first, size_t len, double start) {
    if constexpr (HasBandBound<Row>::value) {
      double bound = row.bandBound[(first - row.begin) / row.laneLength];
      return bound >= 0 && start > 0 && (start + double(len) * bound) * 1.01 <= extended::kBandHigh;
    } else {
      (void)row, (void)first, (void)len, (void)start;
      return false;
    }
  }

  // The product of count coefficients from first: mantissas in [1, 2) and an exponent, four
  // partial products side by side (vectorized). False where a factor is subnormal, infinite or
  // NaN (the general loops handle those); a zero factor makes it an exact 0.
  template <class Row> static bool product(const Row& row, size_t first, size_t count, Extended& out) {
    if constexpr (HasNormalPlain<Row>::value) {
      if (count % 8 == 0) {
        out = normalProduct(row, first, count);
        return true;
      }
    }
    // Four of everything, updated by four isomorphic statements: one vector of doubles.
    // The checks as doubles, not flags (flags kept the loop scalar): the least magnitude (a zero
    // factor), the least nonzero magnitude (a subnormal one) and a sum of v·0, NaN once a factor
    // is infinite or NaN.
    double p[4] = {1, 1, 1, 1};
    int64_t e[4] = {0, 0, 0, 0};
    constexpr double kInf = __builtin_huge_val();
    double least[4] = {kInf, kInf, kInf, kInf}, leastNonzero[4] = {kInf, kInf, kInf, kInf}, poison[4] = {0, 0, 0, 0};
    auto multiply = [&](size_t k, double v) {
      double magnitude = ::fabs(v);
      least[k] = lesser(magnitude, least[k]);
      leastNonzero[k] = lesser(v == 0 ? kInf : magnitude, leastNonzero[k]);
      poison[k] += v * 0.0;
      uint64_t bits = extended::bitsOf(p[k] * v);
      e[k] += int64_t((bits >> 52) & 0x7ff) - 1023;
      p[k] = extended::fromBits((bits & 0x800fffffffffffffull) | 0x3ff0000000000000ull);
    };
    const size_t whole = count / 4 * 4;
#if defined(__GNUC__)
    // The same four statements as one vector each (GCC left the scalar form unvectorized: the
    // bit casts of p·v stop its SLP vectorizer). Values are those of the scalar form, bit for bit.
    // As one vector of four with AVX; with registers of 16 bytes (the baseline SSE2 build, other
    // architectures) as two vectors of two, partials 0-1 and 2-3: as 32-byte vectors there GCC
    // took the selects apart into scalar minsd and rebuilt the halves through the stack, a stalled
    // store-to-load forward each (the log method 2-2.5x slower; bench/NOTES.md, session 10).
#if defined(__AVX__)
    constexpr size_t kWidth = 4;
#else
    constexpr size_t kWidth = 2;
#endif
    {
      typedef double Vd __attribute__((vector_size(8 * kWidth)));
      PlainProducts<Vd> part[4 / kWidth];
      for (size_t i = 0; i < whole; i += 4) {
#pragma GCC unroll 2
        for (size_t h = 0; h < 4 / kWidth; ++h) {
          Vd v = {};
          for (size_t k = 0; k < kWidth; ++k) v[k] = row.plainA(first + i + h * kWidth + k);
          part[h].multiply(v);
        }
      }
      for (size_t k = 0; k < 4; ++k) {
        const PlainProducts<Vd>& q = part[k / kWidth];
        p[k] = q.p[k % kWidth];
        e[k] = q.e[k % kWidth];
        least[k] = q.least[k % kWidth];
        leastNonzero[k] = q.leastNonzero[k % kWidth];
        poison[k] = q.poison[k % kWidth];
      }
    }
#else
    for (size_t i = 0; i < whole; i += 4) {
      for (size_t k = 0; k < 4; ++k) multiply(k, row.plainA(first + i + k));
    }
#endif
    for (size_t i = 0; i < count - whole; ++i) multiply(i, row.plainA(first + whole + i));
    bool bad = false, zero = false;
    for (size_t k = 0; k < 4; ++k) {
      bad |= poison[k] != poison[k] || leastNonzero[k] < kMinNormal;
      zero |= least[k] == 0;
    }
    if (bad) return false;
    if (zero) {
      out = {0.0, 0};
      return true;
    }
    out =
        extended::product(extended::product({p[0], e[0]}, {p[1], e[1]}), extended::product({p[2], e[2]}, {p[3], e[3]}));
    return true;
  }

  // product() where every factor is normal, nonzero, finite and within 2^±390 (staged logs):
  // no checks, and two factors between renormalizations (p·v·w stays within 2^±782, normal, and
  // scaling by powers of 2 is exact, so the values are product()'s bit for bit). count % 8 == 0.
  template <class Row> static Extended normalProduct(const Row& row, size_t first, size_t count) {
#if defined(__GNUC__)
    typedef double V4d __attribute__((vector_size(32)));
    typedef int64_t V4i __attribute__((vector_size(32)));
    typedef uint64_t V4u __attribute__((vector_size(32)));
    V4d vp = {1, 1, 1, 1};
    V4i ve = {0, 0, 0, 0};
    for (size_t i = 0; i < count; i += 8) {
      const V4d v = {row.plainA(first + i), row.plainA(first + i + 1), row.plainA(first + i + 2),
                     row.plainA(first + i + 3)};
      const V4d w = {row.plainA(first + i + 4), row.plainA(first + i + 5), row.plainA(first + i + 6),
                     row.plainA(first + i + 7)};
      // Same factors in the same order per partial product as product(): k, k + 4, then k + 8...
      const V4u bits = (V4u)((vp * v) * w);
      ve += (V4i)((bits >> 52) & 0x7ff) - 1023;
      vp = (V4d)((bits & 0x800fffffffffffffull) | 0x3ff0000000000000ull);
    }
    Extended p[4];
    for (size_t k = 0; k < 4; ++k) p[k] = {vp[k], ve[k]};
#else
    Extended p[4] = {{1, 0}, {1, 0}, {1, 0}, {1, 0}};
    for (size_t i = 0; i < count; i += 8) {
      for (size_t k = 0; k < 4; ++k) {
        uint64_t bits = extended::bitsOf((p[k].m * row.plainA(first + i + k)) * row.plainA(first + i + 4 + k));
        p[k].e += int64_t((bits >> 52) & 0x7ff) - 1023;
        p[k].m = extended::fromBits((bits & 0x800fffffffffffffull) | 0x3ff0000000000000ull);
      }
    }
#endif
    return extended::product(extended::product(p[0], p[1]), extended::product(p[2], p[3]));
  }

  // normalProduct() of four lanes of count steps from begin, side by side in one loop: each lane's
  // partial products are a chain of dependent multiplies, so one lane alone waits on their
  // latency. Per lane the same operations in the same order: normalProduct()'s values bit for bit.
  // A frame of its own: inlined into reduce, its exponent sums went to the stack (session 14).
  template <class Row>
  static LINREC_OWN_FRAME void normalProducts4(const Row& row, size_t begin, size_t count, Extended* out) {
#if defined(__GNUC__)
    typedef double V4d __attribute__((vector_size(32)));
    typedef int64_t V4i __attribute__((vector_size(32)));
    typedef uint64_t V4u __attribute__((vector_size(32)));
    V4d vp[4] = {{1, 1, 1, 1}, {1, 1, 1, 1}, {1, 1, 1, 1}, {1, 1, 1, 1}};
    V4i ve[4] = {};
    for (size_t i = 0; i < count; i += 8) {
#pragma GCC unroll 4
      for (size_t j = 0; j < 4; ++j) {
        const size_t first = begin + j * count + i;
        const V4d v = {row.plainA(first), row.plainA(first + 1), row.plainA(first + 2), row.plainA(first + 3)};
        const V4d w = {row.plainA(first + 4), row.plainA(first + 5), row.plainA(first + 6), row.plainA(first + 7)};
        const V4u bits = (V4u)((vp[j] * v) * w);
        ve[j] += (V4i)((bits >> 52) & 0x7ff) - 1023;
        vp[j] = (V4d)((bits & 0x800fffffffffffffull) | 0x3ff0000000000000ull);
      }
    }
    for (size_t j = 0; j < 4; ++j) {
      Extended p[4];
      for (size_t k = 0; k < 4; ++k) p[k] = {vp[j][k], ve[j][k]};
      out[j] = extended::product(extended::product(p[0], p[1]), extended::product(p[2], p[3]));
    }
#else
    for (size_t j = 0; j < 4; ++j) out[j] = normalProduct(row, begin + j * count, count);
#endif
  }

  // Rescans lanes from x (every exponent 0); false if a result left the band (then the general
  // loop must redo the tile's stores).
  template <class Row> static bool rescan(const Row& row, size_t begin, size_t len, size_t lanes, Extended* io) {
    if (!row.plainInputs(begin, len * lanes)) return false;
    double x[16];
    bool sure = true;  // every lane certainly stays in the band (bounded)
    bool belowTop = true;  // no lane can pass the band's top (magnitudeBounded)
    for (size_t j = 0; j < lanes; ++j) {
      if (io[j].e != 0 || !extended::inBand(io[j].m)) return false;
      x[j] = io[j].m;
      sure &= bounded(row, begin + j * len, len, x[j]);
      belowTop &= magnitudeBounded(row, len, ::fabs(x[j]));
    }
    if (sure) {
      if constexpr (HasLogOut<Row>::value) {
        if (row.logOut && lanes == 4 && len % 4 == 0) {
          const double *am = row.am + (begin - row.begin), *bm = row.bm + (begin - row.begin);
          if (row.logReverse)
            rescanToLogs<true>(am, bm, len, row.logOut - (begin - row.begin), x);
          else
            rescanToLogs<false>(am, bm, len, row.logOut + (begin - row.begin), x);
          row.markLogged();
        } else {
          rescanChains<kUnchecked>(row, begin, len, lanes, x);
        }
      } else {
        rescanChains<kUnchecked>(row, begin, len, lanes, x);
      }
      if constexpr (HasBandBound<Row>::value) row.markPositive();  // positive starts and inputs
    } else if (overwritesInputs(row)) {
      // In place, a chain that leaves the band is redone by the general loops from its start,
      // which read b again: so the band is checked before any store (the same steps twice).
      if (belowTop ? !chainsInBand<kLeast>(row, begin, len, lanes, x) : !chainsInBand<kBoth>(row, begin, len, lanes, x))
        return false;
      rescanChains<kUnchecked>(row, begin, len, lanes, x);
    } else if (belowTop ? !rescanChains<kLeast>(row, begin, len, lanes, x)
                        : !rescanChains<kBoth>(row, begin, len, lanes, x)) {
      return false;
    }
    for (size_t j = 0; j < lanes; ++j) io[j] = {x[j], 0};
    return true;
  }
  template <class Row> static bool overwritesInputs(const Row& row) {
    if constexpr (HasStoresOverInputs<Row>::value) {
      static_assert(!HasCompensated<Row>::value, "chainsInBand steps as laneSteps does");
      return row.storesOverInputs();
    } else {
      (void)row;
      return false;
    }
  }
  // Whether rescanChains<Track> from start would keep every lane in the band: its steps, without
  // the stores.
  template <int Track, class Row>
  static bool chainsInBand(const Row row, size_t begin, size_t len, size_t lanes, const double* start) {
    double x[16], low[16], high[16];
    for (size_t j = 0; j < lanes; ++j) x[j] = start[j], low[j] = high[j] = ::fabs(start[j]);  // see track
    laneSteps<Track, false>(row, begin, len, lanes, 0, x, low, high);
    return inBand(lanes, x, low, high);
  }
  // a·x + b, and the error of x carried into error: see rescanChains. One function for the lanes'
  // loop and rescanPrefix's, so that both round alike.
  static LINREC_HD_HOT double compensatedStep(double a, double b, double x, double& error) {
    double p = a * x;
    // p stays the rounded product: not contracted into the sum below (GCC contracts across
    // statements where FMA exists; Clang only within one expression)
    ownRegister(p);
    double productLow = extended::productError(a, x, p);
    double sum = p + b;
    double bb = sum - p;
    double sumLow = (p - (sum - bb)) + (b - bb);
    error = a * error + (productLow + sumLow);
    return sum;
  }
  // The plain chain from io over [begin, begin + count) as rescanChains steps it (values, stores and
  // low parts bit for bit), one step at a time, up to the first step whose inputs are not plain or
  // whose result leaves the band: returns that step (begin + count if none), io the last value.
  template <class Row>
  static LINREC_RARE size_t rescanPrefix(const Row& row, size_t begin, size_t count, Extended& io) {
    if (io.e != 0 || !extended::inBand(io.m)) return begin;
    double x = io.m, error = 0;
    size_t s = begin;
    for (; s < begin + count && row.plainInputs(s, 1); ++s) {
      double v, nextError = error;
      if constexpr (HasCompensated<Row>::value)
        v = compensatedStep(row.plainA(s), row.plainB(s), x, nextError);
      else
        v = row.plainA(s) * x + row.plainB(s);  // laneSteps' step
      if (!extended::inBand(v)) break;
      x = v, error = nextError;
      row.storePlain(s, x);
      row.markPlain(s);
      if constexpr (HasCompensated<Row>::value) row.storeLow(s, error);
    }
    io = {x, 0};
    return s;
  }
  // The general steps of a chain above the band (growth past 2^400, the range the log method is
  // for), from io = m·2^E canonical with E > 400, as the plain loop on x' = x·2^-E: x' = a·x' +
  // b·2^-E, the product rounded on its own (the general step's a.m·x.m is not contracted), then
  // the sum. Each is the general step's value (affineGeneral) scaled by a power of 2: the same
  // reals rounded alike while x' and a·x' are normal (x' within the band, a plain) and b·2^-E is
  // exact (or, below 2^-1022, far under half an ulp of a·x', so that both sums round to it); so
  // results and stores are the general loop's bit for bit, at a multiply-add a step instead of
  // affineGeneral's alignment and renormalization (the log method was 4-11x slower once x passed
  // 2^450, bench/NOTES.md session 23). Stops at the first step whose input is not plain or whose
  // value would leave that region (|x| below 2^400, where the general step's canonical form has
  // exponent 0 and its next step is the contracted multiply-add; a·x' out of the band; 0, inf,
  // NaN): returns it, io the canonical value before it (the general loop's form of it).
  template <bool Store, class Row>
  static LINREC_RARE size_t rescanScaledPrefix(const Row& row, size_t begin, size_t count, Extended& io) {
    if (io.e <= 400 || !(::fabs(io.m) >= 0.5 && ::fabs(io.m) < 1)) return begin;
    const int64_t e = io.e;
    const double scale = extended::pow2(-e);  // 2^-1022 for e > 1022: then b·scale is negligible too
    const double low = greater(extended::pow2(400 - e), extended::kBandLow);
    double x = io.m;
    size_t s = begin;
    for (; s < begin + count && row.plainInputs(s, 1); ++s) {
      double p = row.plainA(s) * x;
      ownRegister(p);  // not contracted with the sum: the general step rounds the product alone
      double v = p + row.plainB(s) * scale;
      double magnitude = ::fabs(v);
      if (!((magnitude >= low) & (magnitude <= extended::kBandHigh))) break;
      x = v;
      if constexpr (Store) row.store(s, Extended{x, e});
    }
    if (s != begin) io = extended::canonical(x, e);
    return s;
  }
  // An input or value of exponent 0 in the general loop's form (extended::fromValue): 0, or in the band.
  static LINREC_HD_HOT bool zeroOrInBand(double v) { return (v == 0) | extended::inBand(v); }
  // Whether the general step's value of a·x + b (ExtendedArithmetic::affine from {a, 0}, {x, 0},
  // {b, 0}) is v = a·x + b in double, bit for bit, where the band check refuses it: for inputs and x
  // of exponent 0 the general step is this multiply-add (contracted alike) while v is in the band,
  // and v = ±0 for a·0 + 0 or 0·x + 0 (the product an exact ±0, the sum of two zeros: IEEE's
  // sign either way). Not a 0 from cancellation (b ≠ 0) nor an underflowed product (a, x ≠ 0): the
  // general step keeps those exact (separate rounding, exponents).
  static LINREC_HD_HOT bool generalIsPlain(double a, double b, double x, double v) {
    return zeroOrInBand(a) & zeroOrInBand(b) & (extended::inBand(v) | ((v == 0) & (b == 0) & ((x == 0) | (a == 0))));
  }
  // The general steps of a chain from io of exponent 0 (in the band, or ±0: sparse data whose x is
  // exactly 0 for stretches, which the plain rescan refuses), as the plain multiply-add while
  // generalIsPlain, each stored as the general loop stores it (Row::store: a staged float64 result
  // with low part 0): values and stores are the general loop's bit for bit (bench/NOTES.md,
  // session 25). Returns the first step it did not take, io the value before it.
  template <bool Store, class Row>
  static LINREC_RARE size_t rescanGeneralPrefix(const Row& row, size_t begin, size_t count, Extended& io) {
    if (io.e != 0 || !zeroOrInBand(io.m)) return begin;
    double x = io.m;
    size_t s = begin;
    for (; s < begin + count && row.plainInputs(s, 1); ++s) {
      const double a = row.plainA(s), b = row.plainB(s);
      double v = a * x + b;  // affine's multiply-add
      if (!generalIsPlain(a, b, x, v)) break;
      x = v;
      if constexpr (Store) row.store(s, Extended{x, 0});
    }
    io = {x, 0};
    return s;
  }
  // The general steps of a chain below the band (x decaying between sparse events), from io =
  // m·2^E canonical with E <= -400, over addends of 0: a·x + 0 is the product a.m·m rounded alone,
  // renormalized (canonical); as x' = a·x' on the mantissa scaled by 2^-E, the same reals rounded
  // alike while x' and a·x' are normal. Each stored in canonical form (its exponent from the bits),
  // as the general step stores it. Stops at the first step whose input is not plain, whose addend
  // is not 0 (the general step aligns it), whose coefficient is 0 or not in the band, or whose value
  // would reach the band (where the canonical form has exponent 0) or leave [2^-900, 2^-400)
  // relative to 2^E: returns it, io the canonical value before it.
  template <bool Store, class Row>
  static LINREC_RARE size_t rescanBelowBandPrefix(const Row& row, size_t begin, size_t count, Extended& io) {
    if (io.e > -400 || !(::fabs(io.m) >= 0.5 && ::fabs(io.m) < 1)) return begin;
    const int64_t e = io.e;
    // |x'·2^E| < 2^-400: x' below 2^(-400 - E) (at least 2^0); x' at least 2^-900, normal
    const double high = -400 - e >= 1023 ? __builtin_huge_val() : extended::pow2(-400 - e);
    double x = io.m;
    size_t s = begin;
    for (; s < begin + count && row.plainInputs(s, 1); ++s) {
      const double a = row.plainA(s);
      double v = a * x;  // affineGeneral's product (the addend is 0)
      double magnitude = ::fabs(v);
      if (!((row.plainB(s) == 0) & extended::inBand(a) & (magnitude >= 0x1p-900) & (magnitude < high))) break;
      x = v;
      if constexpr (Store) storeBelowBand(row, s, canonicalNormal(x, e));
    }
    if (s != begin) io = canonicalNormal(x, e);
    return s;
  }
  // row.store(s, v) of a value below the band: raw rows (scan 'log') take RawAccess::raw's
  // T(extended::toDouble(v)) without toDoubleScaled's call (13% of scan 'log' on addends sparse
  // at 1e-3): ±0 below 2^-1076 (under half the least subnormal: toDouble rounds it to 0), one
  // rounding from 2^-1022 up (toDoubleScaled's first case), toDoubleScaled between.
  template <class Row> static void storeBelowBand(const Row& row, size_t s, Extended v) {
    if constexpr (HasRawArrays<Row>::value) {
      using T = std::remove_reference_t<decltype(row.x[0])>;
      const double d = v.e < -1076    ? ::copysign(0.0, v.m)
                       : v.e >= -1022 ? v.m * extended::pow2(v.e)
                                      : extended::toDoubleScaled(v);
      row.x[Row::at(s)] = T(d);
    } else {
      row.store(s, v);
    }
  }
  // extended::canonical(m, e) of a normal m whose value is below the band (m·2^e < 2^-400): frexp
  // by the bits (a libm call a step otherwise).
  static LINREC_HD_HOT Extended canonicalNormal(double m, int64_t e) {
    const uint64_t bits = extended::bitsOf(m);
    const int64_t k = int64_t((bits >> 52) & 0x7ff) - 1022;  // m = f·2^k, f in [0.5, 1)
    return {extended::fromBits((bits & 0x800fffffffffffffull) | 0x3fe0000000000000ull), e + k};
  }
  // The lanes' loops from io, their last values back into io; with Track, false if a value left
  // the band.
  template <int Track, class Row>
  static bool rescanChains(const Row row, size_t begin, size_t len, size_t lanes, double* io) {
    double x[16], low[16], high[16];
    for (size_t j = 0; j < lanes; ++j) x[j] = io[j], low[j] = high[j] = ::fabs(io[j]);  // see track
    if constexpr (HasCompensated<Row>::value) {
      // float64 logs: each lane also carries the error of its x (x + error is the lane's value to
      // about 2^-100 of the inputs as converted), stored for the output's log: logScan's results
      // are then about the correctly rounded log of the exact recurrence, not one more rounding of
      // x away (which had them tied with the loop's, bench/NOTES.md session 6). x's own chain is
      // a product and a sum, so that both rounding errors are exact (TwoProduct, TwoSum).
      double error[16];
      for (size_t j = 0; j < lanes; ++j) error[j] = 0;
      for (size_t i = 0; i < len; ++i) {
#pragma GCC unroll 16
        for (size_t j = 0; j < lanes; ++j) {
          size_t s = begin + j * len + i;
          double sum = compensatedStep(row.plainA(s), row.plainB(s), x[j], error[j]);
          track<Track>(sum, low[j], high[j]);
          x[j] = sum;
          row.storePlain(s, x[j]);
          row.storeLow(s, error[j]);
        }
      }
    } else {
      laneSteps<Track, true>(row, begin, len, lanes, 0, x, low, high);
    }
    for (size_t j = 0; j < lanes; ++j) io[j] = x[j];
    return !Track || inBand(lanes, x, low, high);
  }
};

// The direct method's four lanes as one vector chain (lane j in element j), kBlock = 4 steps at a
// time: each lane's 4 consecutive a and b are loaded as one vector and transposed in registers, and
// results are transposed back and stored as one vector per lane. Per lane these are the scalar
// loops' operations in the same order (x = a·x + b, contracted to an FMA or not by the same flags),
// so the values are theirs bit for bit; but a step of four lanes is 2 loads and 1 store instead of
// 8 and 4, and the scalar loops were bound by those (3 memory operations a lane-step at 3 a cycle
// on Zen 3, next to the FMA's latency: 1.5-1.8 cycles a lane-step measured, against 1 for the
// vector chain; bench/NOTES.md, session 8). Generic vectors (GCC 12+, Clang): 16 bytes of float32,
// 32 of float64 (one AVX register on -v3 and -v4; two SSE2 registers, VectorPair, on the baseline build).
#if defined(__GNUC__) && defined(__has_builtin)
#if __has_builtin(__builtin_shufflevector)
#define LINREC_LANE_VECTORS 1
#endif
#endif
#ifndef LINREC_LANE_VECTORS
#define LINREC_LANE_VECTORS 0
#endif
// The type coefficient products are accumulated in: double for float32 (LaneVectors::P).
template <class T> using ProductOf = std::conditional_t<sizeof(T) < sizeof(double), double, T>;
// 2^e as a double for |e| ≤ 1100 (0 below 2^-1074, ∞ above 2^1023), without a libm call (these run a
// few times a tile: ldexp and ilogb calls cost 1-2% of a float32 tile).
inline double powerOf2(int e) {
  if (e > 1023) return __builtin_huge_val();
  if (e < -1074) return 0;
  const uint64_t bits = e >= -1022 ? uint64_t(e + 1023) << 52 : uint64_t(1) << (e + 1074);
  double d;
  __builtin_memcpy(&d, &bits, sizeof d);
  return d;
}
// v·2^e, rounded once or twice but never to 0 where the exact value is above 2^-1022 (two factors).
inline double scaleBy2(double v, int e) {
  if (v == 0) return v;
  e = e < -2100 ? -2100 : e > 2100 ? 2100 : e;  // each half within 2^±1050
  return v * powerOf2(e / 2) * powerOf2(e - e / 2);
}
// The exponent of a normal double: v in [2^k, 2^(k+1)) gives k.
inline int exponentOf(double v) {
  uint64_t bits;
  __builtin_memcpy(&bits, &v, sizeof bits);
  return int((bits >> 52) & 0x7ff) - 1023;
}
// A lane's phase-1 statistics beyond its aggregate (TileScan::Reach, which describes them): a, b
// (bounds on the prefix products' and B chain's magnitudes), g (the sum of the suffix products'
// magnitudes), aExp (|A| < 2^aExp for the exact product A) and lossy (the product as computed is
// not A to within rounding, or is below T's normal range).
template <class T> struct LaneReach {
  T a, b, g;
  int aExp;
  bool lossy;
};
#if LINREC_LANE_VECTORS
// The width of the vectors GCC's `omp simd` reductions use in this build (coefficientProduct), and
// of a vector register.
#if defined(__AVX__)
constexpr size_t kProductBytes = 32, kRegisterBytes = 32;
#else
constexpr size_t kProductBytes = 16, kRegisterBytes = 16;
#endif
// Four float64 lanes where registers hold 16 bytes (the baseline SSE2 build, and other
// architectures): two 16-byte halves, lanes 0-1 and 2-3, each operation applied to both. As one
// 32-byte generic vector there, GCC kept the vectors on the stack and built the transposes' halves
// element by element through memory (8-byte stores reloaded as 16: store-forwarding stalls on the
// chain): 4x slower than the plain loop (bench/NOTES.md, session 10). Elementwise, so the values
// are the 32-byte vector's bit for bit.
template <class H> struct VectorPair {
  typedef std::remove_reference_t<decltype(H{}[0])> E;
  H lo, hi;
  VectorPair() = default;  // trivial: V{} is zeros, and loads are memcpy
  LINREC_HD_HOT VectorPair(H lo, H hi) : lo(lo), hi(hi) {}
  LINREC_HD_HOT VectorPair(E e0, E e1, E e2, E e3) : lo{e0, e1}, hi{e2, e3} {}
  LINREC_HD_HOT E operator[](size_t k) const { return k < 2 ? lo[k] : hi[k - 2]; }
#define LINREC_PAIR_OPERATOR(op)                                                                                   \
  LINREC_HD_HOT friend VectorPair operator op(VectorPair x, VectorPair y) { return {x.lo op y.lo, x.hi op y.hi}; } \
  LINREC_HD_HOT friend VectorPair operator op(VectorPair x, E y) { return {x.lo op y, x.hi op y}; }                \
  LINREC_HD_HOT friend VectorPair operator op(E x, VectorPair y) { return {x op y.lo, x op y.hi}; }                \
  LINREC_HD_HOT VectorPair& operator op##=(VectorPair y) { return *this = *this op y; }
  LINREC_PAIR_OPERATOR(+)
  LINREC_PAIR_OPERATOR(-)
  LINREC_PAIR_OPERATOR(*)
  LINREC_PAIR_OPERATOR(/)
  LINREC_PAIR_OPERATOR(|)
#undef LINREC_PAIR_OPERATOR
  typedef VectorPair<decltype(H{} == H{})> Mask;
  LINREC_HD_HOT friend Mask operator==(VectorPair x, VectorPair y) { return {x.lo == y.lo, x.hi == y.hi}; }
  LINREC_HD_HOT friend Mask operator==(VectorPair x, E y) { return {x.lo == y, x.hi == y}; }
};
// The helpers that take or return a vector are always inlined: no 32-byte vector crosses a call on
// the baseline build (GCC warns there all the same that such calls' ABI differs with and without
// AVX: -Wno-psabi in CMakeLists.txt).
template <class T> struct LaneVectorType {
  typedef T type __attribute__((vector_size(4 * sizeof(T))));
};
#if !defined(__AVX__)
template <> struct LaneVectorType<double> {
  typedef double Half __attribute__((vector_size(16)));
  typedef VectorPair<Half> type;
};
#endif
// Reverse: the tile's steps run backwards in memory (reverse rows: step s of a tile based at p lies
// at p − s), so a block of 4 steps is one vector in reverse order. The transposes then give the
// steps last first, and results are transposed last first before their stores: the same vector
// operations on the same values as forward, no extra shuffles (bench/NOTES.md, session 11).
template <class T, bool Reverse = false> struct LaneVectors {  // for kLanes == 4 only (TileScan::kLaneVectors)
  typedef typename LaneVectorType<T>::type V;
  static constexpr bool kPair = sizeof(V) > kRegisterBytes;  // V is a VectorPair
  static constexpr size_t kBlock = 4;
  // Where lane j's steps i..i+3 begin in memory, lane j's step 0 at p + offset (p − offset reversed).
  template <class P> LINREC_HD_HOT static P* blockAt(P* p, size_t offset, size_t i) {  // P: T or const T
    return Reverse ? p - offset - i - (kBlock - 1) : p + offset + i;
  }
  // After a transpose of blocks loaded at blockAt, r0..r3 are steps i..i+3 (reversed blocks come
  // out last first); before a transpose of results to store, the same reordering.
  LINREC_HD_HOT static void stepOrder(V& r0, V& r1, V& r2, V& r3) {
    if constexpr (Reverse) {
      std::swap(r0, r3);
      std::swap(r1, r2);
    } else {
      (void)r0, (void)r1, (void)r2, (void)r3;
    }
  }
  // Lane j's step i of a tile based at p.
  LINREC_HD_HOT static ptrdiff_t stepAt(size_t j, size_t len, size_t i) {
    return Reverse ? -ptrdiff_t(j * len + i) : ptrdiff_t(j * len + i);
  }

  LINREC_HD_HOT static V load(const T* p) {
    if constexpr (kPair) {  // each half into its register (a copy of the whole pair went through the stack)
      decltype(V{}.lo) lo, hi;
      __builtin_memcpy(&lo, p, sizeof lo);
      __builtin_memcpy(&hi, p + 2, sizeof hi);
      return {lo, hi};
    } else {
      V v;
      __builtin_memcpy(&v, p, sizeof v);
      return v;
    }
  }
  // r[k] holds lane k's steps i..i+3; afterwards r[k] holds step i + k of lanes 0..3 (and back).
  // The same 4x4 transpose in two orders, each of its width's native shuffles: float32 (16 bytes)
  // as unpcklps/unpckhps then movlhps/movhlps, float64 (32 bytes) as unpcklpd/unpckhpd within
  // each 128-bit half then a swap of halves (vperm2f128).
  LINREC_HD_HOT static void transpose(V& r0, V& r1, V& r2, V& r3) {
    if constexpr (sizeof(T) == 4) {
      V t0 = __builtin_shufflevector(r0, r1, 0, 4, 1, 5), t1 = __builtin_shufflevector(r0, r1, 2, 6, 3, 7);
      V t2 = __builtin_shufflevector(r2, r3, 0, 4, 1, 5), t3 = __builtin_shufflevector(r2, r3, 2, 6, 3, 7);
      r0 = __builtin_shufflevector(t0, t2, 0, 1, 4, 5);
      r1 = __builtin_shufflevector(t0, t2, 2, 3, 6, 7);
      r2 = __builtin_shufflevector(t1, t3, 0, 1, 4, 5);
      r3 = __builtin_shufflevector(t1, t3, 2, 3, 6, 7);
    } else if constexpr (kPair) {  // lane k's steps i, i+1 in r_k.lo, i+2, i+3 in r_k.hi
      V s0{__builtin_shufflevector(r0.lo, r1.lo, 0, 2), __builtin_shufflevector(r2.lo, r3.lo, 0, 2)};
      V s1{__builtin_shufflevector(r0.lo, r1.lo, 1, 3), __builtin_shufflevector(r2.lo, r3.lo, 1, 3)};
      V s2{__builtin_shufflevector(r0.hi, r1.hi, 0, 2), __builtin_shufflevector(r2.hi, r3.hi, 0, 2)};
      V s3{__builtin_shufflevector(r0.hi, r1.hi, 1, 3), __builtin_shufflevector(r2.hi, r3.hi, 1, 3)};
      r0 = s0, r1 = s1, r2 = s2, r3 = s3;
    } else {
      V t0 = __builtin_shufflevector(r0, r1, 0, 4, 2, 6), t1 = __builtin_shufflevector(r0, r1, 1, 5, 3, 7);
      V t2 = __builtin_shufflevector(r2, r3, 0, 4, 2, 6), t3 = __builtin_shufflevector(r2, r3, 1, 5, 3, 7);
      r0 = __builtin_shufflevector(t0, t2, 0, 1, 4, 5);
      r1 = __builtin_shufflevector(t1, t3, 0, 1, 4, 5);
      r2 = __builtin_shufflevector(t0, t2, 2, 3, 6, 7);
      r3 = __builtin_shufflevector(t1, t3, 2, 3, 6, 7);
    }
  }
  // Step i of the four lanes, lane j at p + j·len + i (p − j·len − i reversed), and back.
  LINREC_HD_HOT static V gather(const T* p, size_t len, size_t i) {
    return V{p[stepAt(0, len, i)], p[stepAt(1, len, i)], p[stepAt(2, len, i)], p[stepAt(3, len, i)]};
  }
  // Holds the chain's vector in a register: where these loops were inlined into a caller that keeps
  // the lanes in an array (PlainExtended's reduce, session 8), GCC kept the vector in that array on
  // the stack, a store and a reload on the chain in every block.
  LINREC_HD_HOT static void inRegister(V& v) {
#if defined(__x86_64__) || defined(__i386__)
    if constexpr (kPair)
      asm("" : "+x"(v.lo), "+x"(v.hi));
    else
      asm("" : "+x"(v));
#endif
  }
  LINREC_HD_HOT static void scatter(V v, T* p, size_t len, size_t i) {
    p[stepAt(0, len, i)] = v[0];
    p[stepAt(1, len, i)] = v[1];
    p[stepAt(2, len, i)] = v[2];
    p[stepAt(3, len, i)] = v[3];
  }
  LINREC_HD_HOT static void toArray(V v, T* out) {  // element j to out[j]
    out[0] = v[0];
    out[1] = v[1];
    out[2] = v[2];
    out[3] = v[3];
  }

  // The lanes' B chains from x (each lane's first step already taken) over steps [1, len), and
  // their coefficient products with whether a factor is exactly 0 (the products ride along under
  // the chain's latency instead of a separate, latency-bound pass), in order: the prefix products
  // from S (Reducer::p), whose last value over S is the lane's A. (Until session 20 they kept
  // coefficientProduct's association, kProductWidth partials; rareProducts still does.)
  // float32 products in double (ProductOf), rounded once at the end: a float32 product of factors
  // just below 1 rounds the same way at every step (for a = 1 − k ulps and p near 1, the exact
  // product's excess over the float below it, about k·(1 − p) ulps, stays under half an ulp), and
  // over a lane of a = 1 − 1e-5·U lost 8.8e-6 of A (a random walk: 1.6e-6): the composed starts
  // then had 4-50x the loop's error (bench/NOTES.md, session 19).
  using P = typename LaneVectorType<ProductOf<T>>::type;
  typedef ProductOf<T> PT;
  // The partials of the rare path's products (rareProducts): how GCC's `omp simd` reduction in
  // coefficientProduct associates them, factor i into partial i mod kProductWidth.
  static constexpr size_t kProductWidth = kProductBytes / sizeof(PT);
  // The prefix products' start S (Reducer::p): 2^512 for float64, and for float32 (products in
  // double) 2^1004, so that S·A_t overflows double exactly where |A_t| passes about 2^20. Once
  // infinite, a product stays ∞ (or NaN after a zero factor): a finite last value certifies that
  // every |A_t| is at most kReachA (a persistence certificate, no maximum a step: session 20).
  // within() then holds for |x| up to about 2^510 (float64) or 2^106 (float32: growth past 2^20
  // in a lane is rarer in float32 data than such magnitudes); beyond, TileScan::refineReach.
  static constexpr int kStartExponent = sizeof(T) == 8 ? 512 : 1004;
  static constexpr PT powerOf2(int e) {
    PT r = 1;
    for (int i = 0; i < e; ++i) r *= 2;
    return r;
  }
  static constexpr PT kStart = powerOf2(kStartExponent);
  static constexpr PT kInverseStart = PT(1) / kStart;  // a power of 2: exact
  // The bound on |A_t| that a finite last product certifies: the largest value over S (≥ 2^20 in
  // float32, where it rounds up).
  static constexpr T kReachA = T(std::numeric_limits<PT>::max() * kInverseStart);
  static_assert(kLaneLength % kBlock == 0, "whole blocks");
  // reduce()'s state and steps, also run block by block beside a rescan (rescanThenReduce).
  struct Reducer {
    const T* a;
    const T* b;
    size_t len;
    V v;
    // The lanes' prefix products in order from S (kStart; in double for float32, ProductOf): the
    // lane's coefficient product A = p/S, and its reach's certificate (kReachA). One multiply a
    // step beside the chain's latency, where there were partial products (coefficientProduct's
    // association) and a peak of the prefix products (session 19).
    P p;
    // The largest magnitude of the B chain so far (TileScan::Reach::b). Beside the chain's
    // latency, not on it.
    V peakB;
    // Whether a factor is exactly 0 (a reset, not an underflow; p alone cannot tell: S·A_t
    // underflows too, e.g. for a ~ U(0, 1), where a search of the lane after the loop, hasZeroAt,
    // took 1.9x the time): the least magnitude of the factors, 0 exactly where one is. By vrangeps/pd
    // on -v4 (four operations a block); elsewhere four minima of the magnitudes the G chain takes
    // anyway (session 22: before, the block products (a0·a1)·(a2·a3) compared with 0, or four
    // compares and ors, and low at every step).
    typedef decltype(V{} == V{}) Mask;
    V least;
    Mask zero;
    // The underflow certificate (TileScan::Reach::g, lossy; session 21). low: the least magnitude of
    // the prefix products p (with S), at block ends only (least, the least |a|, bounds the steps
    // between: p_{i+k} ≥ p_i·min(1, least)^k). grow: G_t =
    // G_{t-1}·|a_t| + 1 from 0, the sum over the lane's steps s of |A_n/A_s|: what a loss of the
    // loop at step s (an x below the normal range) is multiplied by up to the lane's end.
    P low;
    V grow;
    template <class H> LINREC_HD_HOT static H magnitudeOf(H h) {  // H: a GCC vector
      using I = decltype(h == h);
      using E = std::remove_cv_t<std::remove_reference_t<decltype(I{}[0])>>;
      I bits;
      __builtin_memcpy(&bits, &h, sizeof h);
      bits &= I{} + std::numeric_limits<E>::max();  // the sign bit cleared
      __builtin_memcpy(&h, &bits, sizeof h);
      return h;
    }
    // The largest magnitude among h0..h3, element by element (vrangeps/pd where AVX-512 has it).
    template <class H> LINREC_HD_HOT static H largestMagnitudeOf(H h0, H h1, H h2, H h3) {
#if defined(__AVX512DQ__) && defined(__AVX512VL__)
      if constexpr (sizeof(H) == 16 && sizeof(T) == 4) {
        auto range = [](H l, H r) { return (H)_mm_range_ps((__m128)l, (__m128)r, 0xB); };  // max |.|, sign cleared
        return range(range(h0, h1), range(h2, h3));
      } else if constexpr (sizeof(H) == 32 && sizeof(T) == 8) {
        auto range = [](H l, H r) { return (H)_mm256_range_pd((__m256d)l, (__m256d)r, 0xB); };
        return range(range(h0, h1), range(h2, h3));
      }
#endif
      h0 = magnitudeOf(h0), h1 = magnitudeOf(h1), h2 = magnitudeOf(h2), h3 = magnitudeOf(h3);
      h0 = h0 > h1 ? h0 : h1;
      h2 = h2 > h3 ? h2 : h3;
      return h0 > h2 ? h0 : h2;
    }
    LINREC_HD_HOT static V largestMagnitude(V h0, V h1, V h2, V h3) {
      if constexpr (kPair)
        return {largestMagnitudeOf(h0.lo, h1.lo, h2.lo, h3.lo), largestMagnitudeOf(h0.hi, h1.hi, h2.hi, h3.hi)};
      else
        return largestMagnitudeOf(h0, h1, h2, h3);
    }
    // The lesser of two, element by element (least off -v4: magnitudes, never NaN once least is not).
    LINREC_HD_HOT static V lesserV(V l, V r) {
      if constexpr (kPair)
        return {l.lo < r.lo ? l.lo : r.lo, l.hi < r.hi ? l.hi : r.hi};
      else
        return l < r ? l : r;
    }
    // -v3 float32: least's minima and peakB's maxima as those of the magnitudes' bit patterns,
    // unsigned integers in the same order (NaN above ∞: least is never NaN, and a NaN in B's chain
    // makes peakB NaN). vpminud/vpmaxud run beside the floating-point pipes, which the G chain's
    // FMAs had filled: 1.25x the time of the code before the certificate, 1.04x with these (session 22).
#if defined(__AVX2__) && !(defined(__AVX512DQ__) && defined(__AVX512VL__))
    static constexpr bool kBitOrder = sizeof(T) == 4;
#else
    static constexpr bool kBitOrder = false;
#endif
    // The lesser (Least) or greater of two magnitudes, element by element, by their bit patterns.
    template <bool Least> LINREC_HD_HOT static V bitsPick(V l, V r) {
      typedef uint32_t U __attribute__((vector_size(sizeof(V))));
      U x, y;
      __builtin_memcpy(&x, &l, sizeof l);
      __builtin_memcpy(&y, &r, sizeof r);
      x = Least ? (x < y ? x : y) : (x > y ? x : y);
      __builtin_memcpy(&l, &x, sizeof l);
      return l;
    }
    LINREC_HD_HOT static V greater(V l, V r) {
      if constexpr (kPair)
        return {l.lo > r.lo ? l.lo : r.lo, l.hi > r.hi ? l.hi : r.hi};
      else
        return l > r ? l : r;
    }
    // The first block, gathered: each lane's first step is taken already (x).
    LINREC_HD_HOT Reducer(const T* a, const T* b, size_t len, const T* x) : a(a), b(b), len(len) {
      v = V{x[0], x[1], x[2], x[3]};
      p = P{} + kStart;
      least = V{} + std::numeric_limits<T>::infinity();
      zero = Mask{};
      low = p;
      grow = V{};
      V vs[kBlock];
      for (size_t k = 0; k < kBlock; ++k) {
        V ak = gather(a, len, k);
        p *= widen(ak);
        low = lesserMagnitude(low, p);
        grow = grow * magnitude(ak) + T(1);
        zero |= ak == T(0);
        if (k) v = ak * v + gather(b, len, k);
        vs[k] = v;
      }
      peakB = largestMagnitude(vs[0], vs[1], vs[2], vs[3]);
    }
    // One block: steps i..i+3 of the four lanes.
    LINREC_HD_HOT void block(size_t i) {
      V a0 = load(blockAt(a, 0, i)), a1 = load(blockAt(a, len, i)), a2 = load(blockAt(a, 2 * len, i)),
        a3 = load(blockAt(a, 3 * len, i));
      V b0 = load(blockAt(b, 0, i)), b1 = load(blockAt(b, len, i)), b2 = load(blockAt(b, 2 * len, i)),
        b3 = load(blockAt(b, 3 * len, i));
      inRegister(v);
#if !(defined(__AVX512DQ__) && defined(__AVX512VL__))
      // the G chain too (16 registers: the baseline float32 build kept it on the stack, a store and a
      // reload on its latency chain in every block, 1.14x the time of the code before it; 1.02x now)
      inRegister(grow);
#endif
      transpose(a0, a1, a2, a3);
      transpose(b0, b1, b2, b3);
      stepOrder(a0, a1, a2, a3);
      stepOrder(b0, b1, b2, b3);
      const V y0 = v = a0 * v + b0;
      const V y1 = v = a1 * v + b1;
      const V y2 = v = a2 * v + b2;
      const V y3 = v = a3 * v + b3;
      p = widen(a3) * (widen(a2) * (widen(a1) * (widen(a0) * p)));
      low = lesserMagnitude(low, p);  // at block ends (see low)
#if defined(__AVX512DQ__) && defined(__AVX512VL__)
      grow = (((grow * magnitude(a0) + T(1)) * magnitude(a1) + T(1)) * magnitude(a2) + T(1)) * magnitude(a3) + T(1);
      peakB = greater(peakB, largestMagnitude(y0, y1, y2, y3));
      least = leastMagnitude(leastMagnitude(a0, a1), leastMagnitude(leastMagnitude(a2, a3), least));
#else
      const V m0 = magnitude(a0), m1 = magnitude(a1), m2 = magnitude(a2), m3 = magnitude(a3);
      grow = (((grow * m0 + T(1)) * m1 + T(1)) * m2 + T(1)) * m3 + T(1);
      if constexpr (kBitOrder) {
        const V n0 = magnitude(y0), n1 = magnitude(y1), n2 = magnitude(y2), n3 = magnitude(y3);
        peakB = bitsPick<false>(peakB, bitsPick<false>(bitsPick<false>(n0, n1), bitsPick<false>(n2, n3)));
        least = bitsPick<true>(bitsPick<true>(m0, m1), bitsPick<true>(bitsPick<true>(m2, m3), least));
      } else {
        peakB = greater(peakB, largestMagnitude(y0, y1, y2, y3));
        least = lesserV(lesserV(m0, m1), lesserV(lesserV(m2, m3), least));
      }
#endif
    }
    // |v| element by element.
    LINREC_HD_HOT static V magnitude(V v) {
      if constexpr (kPair)
        return {magnitudeOf(v.lo), magnitudeOf(v.hi)};
      else
        return magnitudeOf(v);
    }
    // min(l, |r|) element by element, of products (P), for l ≥ 0 (low, never negative: an and of l
    // was one more operation a block); NaN where r is.
    template <class H> LINREC_HD_HOT static H lesserMagnitudeOf(H l, H r) {
#if defined(__AVX512DQ__) && defined(__AVX512VL__)
      if constexpr (sizeof(H) == 32 && sizeof(H{}[0]) == 8) return (H)_mm256_range_pd((__m256d)l, (__m256d)r, 0xA);
#endif
      r = magnitudeOf(r);
      return l < r ? l : r;
    }
    LINREC_HD_HOT static P lesserMagnitude(P l, P r) {
      if constexpr (sizeof(P) > kRegisterBytes)
        return {lesserMagnitudeOf(l.lo, r.lo), lesserMagnitudeOf(l.hi, r.hi)};
      else
        return lesserMagnitudeOf(l, r);
    }
    // The lesser magnitude of l and r, element by element (-v4 only: vrangeps/pd).
    LINREC_HD_HOT static V leastMagnitude(V l, V r) {
#if defined(__AVX512DQ__) && defined(__AVX512VL__)
      if constexpr (sizeof(V) == 16 && sizeof(T) == 4)
        return (V)_mm_range_ps((__m128)l, (__m128)r, 0xA);  // min |.|, sign cleared
      else if constexpr (sizeof(V) == 32 && sizeof(T) == 8)
        return (V)_mm256_range_pd((__m256d)l, (__m256d)r, 0xA);
#endif
      (void)r;
      return l;  // not used
    }
    // Whether each lane had a factor exactly 0 (the first block's compares, and the blocks'
    // tracking), by constant indices (see finish).
    LINREC_HD_HOT void zeros(bool* out) const {
      out[0] = zero[0] != 0, out[1] = zero[1] != 0, out[2] = zero[2] != 0, out[3] = zero[3] != 0;
      out[0] |= least[0] == T(0), out[1] |= least[1] == T(0), out[2] |= least[2] == T(0);
      out[3] |= least[3] == T(0);
    }
    LINREC_HD_HOT void finish(T* x, T* product, bool* hasZero, LaneReach<T>* reach) const {
      toArray(v, x);
      T peaks[kLanes], grown[kLanes];
      toArray(peakB, peaks);
      toArray(grow, grown);
      // by constant indices: p[j] in a loop kept p, and the whole Reducer, on the stack in every block
      const PT last[kLanes] = {p[0], p[1], p[2], p[3]};
      PT lows[kLanes] = {low[0], low[1], low[2], low[3]};
      {  // low at block ends: the steps between, by the least |a|
        const T leasts[kLanes] = {least[0], least[1], least[2], least[3]};
        for (size_t j = 0; j < kLanes; ++j) {
          const PT l = leasts[j] < T(1) ? PT(leasts[j]) : PT(1);
          lows[j] *= l * l * l;
        }
      }
      bool zeroSeen[kLanes];
      zeros(zeroSeen);
      T rare[kLanes];
      bool overflowed[kLanes];
      for (size_t j = 0; j < kLanes; ++j) overflowed[j] = !(last[j] - last[j] == PT(0));
      if (overflowed[0] || overflowed[1] || overflowed[2] || overflowed[3]) rareProducts(a, len, overflowed, rare);
      for (size_t j = 0; j < kLanes; ++j) {
        const PT pj = last[j];
        LaneReach<T>& r = reach[j];
        r.b = peaks[j];
        r.g = grown[j] == grown[j] ? grown[j] : std::numeric_limits<T>::infinity();
        if (pj - pj == PT(0)) {
          product[j] = T(pj * kInverseStart);
          r.a = kReachA;
          hasZero[j] = pj == PT(0) && zeroSeen[j];
          underflow(pj, lows[j], product[j], hasZero[j], r);
        } else {  // some |A_t| passed kReachA (or a factor is not finite)
          product[j] = rare[j];
          r.a = std::numeric_limits<T>::infinity();
          hasZero[j] = zeroSeen[j];
          r.aExp = kUnknownExponent;  // refined where it matters (TileScan::refineReach)
          r.lossy = !hasZero[j];
        }
      }
    }
  };
  // The least exponent and an unknown one (TileScan::Reach::aExp).
  static constexpr int kNoProduct = -(1 << 20), kUnknownExponent = 1 << 20;
  // aExp and lossy of a lane whose prefix products from S ended at a finite pn (A = product), their
  // least magnitude at least low (TileScan::Reach). lossy where A is below T's normal range or
  // where some p went below PT's (p lost bits there, and a product back in the normal range is not
  // A to within rounding: session 21, defect 1). low is a bound (-v4).
  // A product that dipped still bounds S·A: each step below PT's normal range lost at most half a
  // subnormal ulp, multiplied by the later factors (|A_n/A_s|, summed over the steps: g), and the
  // steps above it a relative 2^-53 each, so |S·A| ≤ |pn|·(1 + 2^-30) + 2·g·denorm_min (2x for g's
  // own rounding). Without that bound (aExp unknown until refineReach) a lane whose S·A ends just
  // above PT's range was refined: a ~ N(0, 1) in float32 lands there (about 2^-1905 over 2080
  // steps, S = 2^1004), and 16% of its lanes were, 2.3x the scan's time (bench/NOTES.md, session 23).
  static void underflow(PT pn, PT low, T product, bool zero, LaneReach<T>& r) {
    const PT minNormal = std::numeric_limits<PT>::min();
    const PT magnitude = pn < PT(0) ? -pn : pn;
    if (zero) {
      r.aExp = kNoProduct, r.lossy = false;
      return;
    }
    // a product that stays below the normal range is taken as below it (A < 2^aExp)
    const bool dipped = !(low >= minNormal) && magnitude >= minNormal,
               normal = (product < T(0) ? -product : product) >= std::numeric_limits<T>::min();
    const double bound =
        dipped ? double(magnitude) * (1 + 0x1p-30) + 2 * double(r.g) * double(std::numeric_limits<PT>::denorm_min())
               : double(magnitude);
    r.aExp = !(bound <= std::numeric_limits<double>::max()) ? kUnknownExponent  // g or pn·(1 + 2^-30) overflowed
             : magnitude >= minNormal                       ? exponentOf(bound) + 1 - kStartExponent
                                                            : -1021 - kStartExponent;
    r.lossy = !normal || dipped;
  }
  // The coefficient products of lanes whose prefix products from S overflowed (growth past
  // kReachA, then perhaps a decay: A may be finite again), as coefficientProduct computes them.
  // A lane with a NaN coefficient: its product is NaN however it is associated, and both callers
  // take a NaN product as resetGuard's 0, so its bits do not matter (session 24: a vector check
  // for NaN factors instead of the scalar partials' chains; the chains below give a NaN there too).
  // The partials as one vector (partial k in element k), the lanes' chains side by side: the same
  // products, each rounded as the scalar q[i % kProductWidth] *= a_i rounds it, but a vector
  // multiply for kProductWidth factors and four lanes' latencies overlapped. Scalar, one lane at a
  // time, this was 25-55% of the time of data whose x overflows partway (every lane's products
  // overflow there: a ~ N(0, 10), 1e30·U(0, 1), float32 a = 1.01; bench/NOTES.md, session 25).
  // Lanes j with need[j] to out[j].
  static LINREC_RARE void rareProducts(const T* a, size_t len, const bool* need, T* out) {
    typedef PT Q __attribute__((vector_size(kProductWidth * sizeof(PT))));
    typedef T F __attribute__((vector_size(kProductWidth * sizeof(T))));  // kProductWidth factors as loaded
    Q q[kLanes];
    for (auto& partials : q) partials = Q{} + PT(1);
    size_t i = 0;
    for (; i + kProductWidth <= len; i += kProductWidth) {
#pragma GCC unroll 4
      for (size_t j = 0; j < kLanes; ++j) {
        F f;  // factors i..i + kProductWidth − 1 (reversed rows: loaded last first, then swapped)
        __builtin_memcpy(&f, a + stepAt(j, len, Reverse ? i + kProductWidth - 1 : i), sizeof f);
        if constexpr (Reverse) {
          static_assert(kProductWidth == 2 || kProductWidth == 4, "a width the swaps below take");
          if constexpr (kProductWidth == 4)
            f = __builtin_shufflevector(f, f, 3, 2, 1, 0);
          else
            f = __builtin_shufflevector(f, f, 1, 0);
        }
        q[j] *= __builtin_convertvector(f, Q);
      }
    }
    for (size_t j = 0; j < kLanes; ++j) {
      if (!need[j]) continue;
      PT partial[kProductWidth];
      for (size_t k = 0; k < kProductWidth; ++k) partial[k] = q[j][k];
      for (size_t s = i; s < len; ++s) partial[s % kProductWidth] *= PT(a[stepAt(j, len, s)]);
      PT product = partial[0];
      for (size_t r = 1; r < kProductWidth; ++r) product *= partial[r];
      out[j] = T(product);
    }
  }
  // A block of coefficients as the products' type.
  LINREC_HD_HOT static P widen(V v) {
    if constexpr (std::is_same_v<P, V>) {
      return v;
    } else if constexpr (sizeof(P) > kRegisterBytes) {  // VectorPair of two doubles each (baseline)
      typedef double D2 __attribute__((vector_size(16)));
#if defined(__SSE2__)
      // cvtps2pd of the low pair and of the high pair moved down: GCC's generic conversions went
      // element by element through integer registers (session 20)
      return P{(D2)_mm_cvtps_pd((__m128)v), (D2)_mm_cvtps_pd(_mm_movehl_ps((__m128)v, (__m128)v))};
#else
      return P{__builtin_convertvector(__builtin_shufflevector(v, v, 0, 1), D2),
               __builtin_convertvector(__builtin_shufflevector(v, v, 2, 3), D2)};
#endif
    } else {
#if defined(__AVX__)
      if constexpr (sizeof(T) == 4 && sizeof(P) == 32)
        return (P)_mm256_cvtps_pd((__m128)v);  // one vcvtps2pd: GCC's generic conversion was four operations
#endif
      return __builtin_convertvector(v, P);
    }
  }
  LINREC_HD_HOT static void reduce(const T* a, const T* b, size_t len, T* x, T* product, bool* hasZero,
                                   LaneReach<T>* reach) {
    Reducer reducer(a, b, len, x);
    for (size_t i = kBlock; i < len; i += kBlock) reducer.block(i);
    reducer.finish(x, product, hasZero, reach);
  }

  // The lanes' rescan from x over steps [0, len), results to out (lane j at out + j·len). Whole
  // blocks start where out is aligned to a vector (lanes are a multiple of 32 bytes apart, so one
  // head serves all four); Stream: those blocks' stores bypass the caches.
  template <bool Stream> static void rescan(const T* a, const T* b, size_t len, T* out, T* x) {
    V v = {x[0], x[1], x[2], x[3]};
    auto single = [&](size_t i) {
      v = gather(a, len, i) * v + gather(b, len, i);
      scatter(v, out, len, i);
    };
    uintptr_t address = reinterpret_cast<uintptr_t>(out);
    // forward: out + head aligned; reversed, the first block's vector out − head − 3
    const size_t misaligned = address % sizeof(V) / sizeof(T);
    size_t head = address % sizeof(T) ? len
                  : Reverse           ? (misaligned + 1) % kBlock
                                      : (sizeof(V) / sizeof(T) - misaligned) % (sizeof(V) / sizeof(T));
    head = std::min(head, len);
    size_t i = 0;
    for (; i < head; ++i) single(i);
    for (; i + kBlock <= len; i += kBlock) rescanBlock<Stream>(a, b, len, out, i, v);
    for (; i < len; ++i) single(i);
    toArray(v, x);
  }
  // Steps i..i+3 of the four lanes from v: y_s is step i + s of every lane (lane j in element j).
  LINREC_HD_HOT static void chainBlock(const T* a, const T* b, size_t len, size_t i, V& v, V& y0, V& y1, V& y2, V& y3) {
    V a0 = load(blockAt(a, 0, i)), a1 = load(blockAt(a, len, i)), a2 = load(blockAt(a, 2 * len, i)),
      a3 = load(blockAt(a, 3 * len, i));
    V b0 = load(blockAt(b, 0, i)), b1 = load(blockAt(b, len, i)), b2 = load(blockAt(b, 2 * len, i)),
      b3 = load(blockAt(b, 3 * len, i));
    inRegister(v);
    transpose(a0, a1, a2, a3);
    transpose(b0, b1, b2, b3);
    stepOrder(a0, a1, a2, a3);
    stepOrder(b0, b1, b2, b3);
    y0 = v = a0 * v + b0;
    y1 = v = a1 * v + b1;
    y2 = v = a2 * v + b2;
    y3 = v = a3 * v + b3;
  }
  // rescan()'s steps i..i+3 of the four lanes from v (out + i aligned to a vector).
  template <bool Stream>
  LINREC_HD_HOT static void rescanBlock(const T* a, const T* b, size_t len, T* out, size_t i, V& v) {
    V y0, y1, y2, y3;
    chainBlock(a, b, len, i, v, y0, y1, y2, y3);
    stepOrder(y0, y1, y2, y3);
    transpose(y0, y1, y2, y3);
    store<Stream>(blockAt(out, 0, i), y0);
    store<Stream>(blockAt(out, len, i), y1);
    store<Stream>(blockAt(out, 2 * len, i), y2);
    store<Stream>(blockAt(out, 3 * len, i), y3);
  }
  // Two blocks, each lane's 8 results stored together: a whole line of float64 where out + i is
  // aligned to 64 bytes, so streamed lines are written whole, one after another (measured: 1.10-1.17x
  // the speed of block by block in the paired loop, bench/NOTES.md session 9).
  template <bool Stream>
  LINREC_HD_HOT static void rescanLines(const T* a, const T* b, size_t len, T* out, size_t i, V& v) {
    static_assert(!Reverse, "forward rows only (streamed results)");
    const size_t k = i + kBlock;
    V y0, y1, y2, y3, z0, z1, z2, z3;
    chainBlock(a, b, len, i, v, y0, y1, y2, y3);
    chainBlock(a, b, len, k, v, z0, z1, z2, z3);
    transpose(y0, y1, y2, y3);
    transpose(z0, z1, z2, z3);
    store<Stream>(out + i, y0);
    store<Stream>(out + k, z0);
    store<Stream>(out + len + i, y1);
    store<Stream>(out + len + k, z1);
    store<Stream>(out + 2 * len + i, y2);
    store<Stream>(out + 2 * len + k, z2);
    store<Stream>(out + 3 * len + i, y3);
    store<Stream>(out + 3 * len + k, z3);
  }
  // One thread: rescan() of a tile (a, b, out, x) and reduce() of the row's next tile (nextA,
  // nextB, nextX, product, hasZero) in one loop, two blocks of each an iteration. The next tile's inputs
  // come from memory while this tile's are in cache: side by side, its loads and this tile's stores
  // overlap instead of taking turns, and the two chains hide each other's latency. Each is the
  // same operations in the same order as alone: the same values, bit for bit.
  template <bool Stream> static void rescanThenReduce(const T* a, const T* b, size_t len, T* out, T* x, const T* nextA,
                                                      const T* nextB, T* nextX, T* product, bool* hasZero,
                                                      LaneReach<T>* reach) {
    static_assert(!Reverse, "forward rows only (streamed results)");
    V v = {x[0], x[1], x[2], x[3]};
    auto single = [&](size_t i) {
      v = gather(a, len, i) * v + gather(b, len, i);
      scatter(v, out, len, i);
    };
    uintptr_t address = reinterpret_cast<uintptr_t>(out);
    constexpr size_t kAlign = 64;  // whole lines of float64 results (rescanLines)
    size_t head = address % sizeof(T) ? len : (kAlign - address % kAlign) % kAlign / sizeof(T);
    head = std::min(head, len);
    size_t i = 0;
    for (; i < head; ++i) single(i);
    Reducer reducer(nextA, nextB, len, nextX);
    // the reducer's blocks in reduce()'s order: kBlock, 2·kBlock, ...
    size_t j = kBlock;
    for (; i + 2 * kBlock <= len && j + kBlock < len; i += 2 * kBlock, j += 2 * kBlock) {
      rescanLines<Stream>(a, b, len, out, i, v);
      reducer.block(j);
      reducer.block(j + kBlock);
    }
    for (; i + kBlock <= len && j < len; i += kBlock, j += kBlock) {
      rescanBlock<Stream>(a, b, len, out, i, v);
      reducer.block(j);
    }
    for (; i + kBlock <= len; i += kBlock) rescanBlock<Stream>(a, b, len, out, i, v);
    for (; i < len; ++i) single(i);
    for (; j < len; j += kBlock) reducer.block(j);
    toArray(v, x);
    reducer.finish(nextX, product, hasZero, reach);
  }
  template <bool Stream> LINREC_HD_HOT static void store(T* p, V v) {  // p aligned to sizeof(V)
#if defined(__SSE2__)
    if constexpr (Stream) {
      if constexpr (sizeof(T) == 4) {
        _mm_stream_ps(reinterpret_cast<float*>(p), (__m128)v);
      } else if constexpr (kPair) {
        _mm_stream_pd(reinterpret_cast<double*>(p), (__m128d)v.lo);
        _mm_stream_pd(reinterpret_cast<double*>(p) + 2, (__m128d)v.hi);
      } else {
        _mm_stream_pd(reinterpret_cast<double*>(p), __m128d{v[0], v[1]});
        _mm_stream_pd(reinterpret_cast<double*>(p) + 2, __m128d{v[2], v[3]});
      }
      return;
    }
#endif
    if constexpr (kPair) {
      *reinterpret_cast<decltype(v.lo)*>(p) = v.lo;
      *reinterpret_cast<decltype(v.hi)*>(p + 2) = v.hi;
    } else {
      *reinterpret_cast<V*>(p) = v;
    }
  }
};
#endif

#if LINREC_LANE_VECTORS
// extended::logOfNormal<4>(a, 0) of positive normal doubles, the same values bit for bit as the
// storeRange loop's (which GCC vectorizes alike) in fewer operations: the reduction to f in
// (√2/2, √2] and its exponent from one integer subtraction (its borrow says whether the mantissa
// is above √2), and 2·s·p as s·(2p) with twice the coefficients (exact scalings): 16 instead of 21
// vector operations (bench/NOTES.md, session 10). V: a generic vector of doubles of any width
// (the values are elementwise).
template <class V> LINREC_HD_HOT V logsOfNormal(V a) {
  typedef uint64_t U __attribute__((vector_size(sizeof(V))));
  constexpr double kLn2Hi = 0x1.62e42feep-1, kLn2Lo = 0x1.a39ef35793c76p-33;
  constexpr double kTwiceFitted[4] = {2.0, 2 * 0x1.555587adb65fbp-2, 2 * 0x1.995466ec045e5p-3,
                                      2 * 0x1.32cdaf06a5cd9p-3};
  // The bits of √2/2 and 1 more, with the exponent field lowered by 1000: bits − kBelow stays
  // positive for every a >= 2^-1000 (a is in the band), its low 52 bits are the mantissa's minus
  // √2's, borrowing exactly where the mantissa is at most √2 (logOfNormal: f > √2 is halved).
  constexpr uint64_t kHalfRoot2 = 0x3fe6a09e667f3bcdull + 1, kBelow = kHalfRoot2 - (uint64_t(1000) << 52);
  constexpr uint64_t kMantissa = 0x000fffffffffffffull;
  U bits = (U)a;
  U t = bits - kBelow;
  V f = (V)((t & kMantissa) + kHalfRoot2);  // the mantissa in (√2/2, √2]: field 1022 plus the borrow
  // t's exponent field is a's exponent (plus 1 where halved) + 1000: as a double by the shifter
  constexpr double kShifter = 0x1.8p52;
  V exponent = (V)((U)(kShifter + V{}) + (t >> 52)) - (kShifter + 1000);
  V s = (f - 1) / (f + 1), s2 = s * s;
  V p = kTwiceFitted[3] + V{};
  for (int i = 2; i >= 0; --i) p = p * s2 + kTwiceFitted[i];
  V twiceSP = s * p;
#if defined(__x86_64__) || defined(__i386__)
  asm("" : "+x"(twiceSP));  // rounded as logOfNormal's 2·s·p, not contracted below
#endif
  return exponent * kLn2Hi + (exponent * kLn2Lo + twiceSP);
}
template <class V> LINREC_HD_HOT V logsOfNormal4(V a) {  // V: LaneVectors<double>::V
  if constexpr (sizeof(V) > kRegisterBytes)
    return {logsOfNormal(a.lo), logsOfNormal(a.hi)};
  else
    return logsOfNormal(a);
}
#if defined(__AVX512F__) && !defined(__clang__)
// The float32 logs of four steps' results of four lanes (y_s holds step s of lane j in element j),
// stored lane by lane (lane j's four at out + j·len; Reverse: last step first, ending at
// out − j·len), on the -v4 variant: logsOfNormal on two 8-double vectors and one 16-float
// permutation, instead of four 4-double logs and a 4x4 transpose. Elementwise, so the same values
// in fewer vector operations (bench/NOTES.md, session 12).
template <bool Reverse, class V> LINREC_HD_HOT void storeLogs16(V y0, V y1, V y2, V y3, float* out, size_t len) {
  typedef double V8 __attribute__((vector_size(64)));
  typedef float F8 __attribute__((vector_size(32)));
  typedef float F16 __attribute__((vector_size(64)));
  typedef float F __attribute__((vector_size(16)));
  F8 f01 = __builtin_convertvector(logsOfNormal((V8)__builtin_shufflevector(y0, y1, 0, 1, 2, 3, 4, 5, 6, 7)), F8);
  F8 f23 = __builtin_convertvector(logsOfNormal((V8)__builtin_shufflevector(y2, y3, 0, 1, 2, 3, 4, 5, 6, 7)), F8);
  F16 lanes;
  if constexpr (Reverse)
    lanes = __builtin_shufflevector(f01, f23, 12, 8, 4, 0, 13, 9, 5, 1, 14, 10, 6, 2, 15, 11, 7, 3);
  else
    lanes = __builtin_shufflevector(f01, f23, 0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  F l0 = __builtin_shufflevector(lanes, lanes, 0, 1, 2, 3), l1 = __builtin_shufflevector(lanes, lanes, 4, 5, 6, 7);
  F l2 = __builtin_shufflevector(lanes, lanes, 8, 9, 10, 11),
    l3 = __builtin_shufflevector(lanes, lanes, 12, 13, 14, 15);
  const ptrdiff_t step = Reverse ? -ptrdiff_t(len) : ptrdiff_t(len);
  float* first = Reverse ? out - 3 : out;
  __builtin_memcpy(first, &l0, sizeof l0);
  __builtin_memcpy(first + step, &l1, sizeof l1);
  __builtin_memcpy(first + 2 * step, &l2, sizeof l2);
  __builtin_memcpy(first + 3 * step, &l3, sizeof l3);
}
#endif
// The four doubles of v rounded to float32.
template <class V> LINREC_HD_HOT auto floats4(V v) {
  typedef float F __attribute__((vector_size(16)));
  if constexpr (sizeof(V) > kRegisterBytes) {
#if defined(__SSE2__)
    return (F)_mm_movelh_ps(_mm_cvtpd_ps((__m128d)v.lo), _mm_cvtpd_ps((__m128d)v.hi));
#else
    return F{float(v.lo[0]), float(v.lo[1]), float(v.hi[0]), float(v.hi[1])};
#endif
  } else {
    return __builtin_convertvector(v, F);
  }
}
#endif

// reduceHalves4 of one lane: the same operations in the same order, so the same values.
inline void reduceHalves1(const double* a, const double* b, size_t len, double& first, double& second) {
  const size_t half = len / 2;
  double v = b[0], w = b[half];
  for (size_t i = 1; i < half; ++i) {
    v = a[i] * v + b[i];
    w = a[half + i] * w + b[half + i];
  }
  first = v, second = w;
}

// The B chains of each of four lanes' two halves, [0, len/2) into first and [len/2, len) into
// second, each from its first b: two independent vector chains. len % 8 == 0.
inline void reduceHalves4(const double* a, const double* b, size_t len, double* first, double* second) {
#if LINREC_LANE_VECTORS
  using L = LaneVectors<double>;
  using V = L::V;
  const size_t half = len / 2;
  V v = L::gather(b, len, 0), w = L::gather(b, len, half);
  for (size_t i = 1; i < 4; ++i) {
    v = L::gather(a, len, i) * v + L::gather(b, len, i);
    w = L::gather(a, len, half + i) * w + L::gather(b, len, half + i);
  }
  for (size_t i = 4; i < half; i += 4) {
    V a0 = L::load(a + i), a1 = L::load(a + len + i), a2 = L::load(a + 2 * len + i), a3 = L::load(a + 3 * len + i);
    V b0 = L::load(b + i), b1 = L::load(b + len + i), b2 = L::load(b + 2 * len + i), b3 = L::load(b + 3 * len + i);
    const size_t k = half + i;
    V c0 = L::load(a + k), c1 = L::load(a + len + k), c2 = L::load(a + 2 * len + k), c3 = L::load(a + 3 * len + k);
    V d0 = L::load(b + k), d1 = L::load(b + len + k), d2 = L::load(b + 2 * len + k), d3 = L::load(b + 3 * len + k);
    L::inRegister(v);
    L::inRegister(w);
    L::transpose(a0, a1, a2, a3);
    L::transpose(b0, b1, b2, b3);
    L::transpose(c0, c1, c2, c3);
    L::transpose(d0, d1, d2, d3);
    v = a0 * v + b0;
    w = c0 * w + d0;
    v = a1 * v + b1;
    w = c1 * w + d1;
    v = a2 * v + b2;
    w = c2 * w + d2;
    v = a3 * v + b3;
    w = c3 * w + d3;
  }
  L::scatter(v, first, 1, 0);
  L::scatter(w, second, 1, 0);
#else
  const size_t half = len / 2;
  for (size_t j = 0; j < 4; ++j) {
    double v = b[j * len], w = b[j * len + half];
    for (size_t i = 1; i < half; ++i) {
      v = a[j * len + i] * v + b[j * len + i];
      w = a[j * len + half + i] * w + b[j * len + half + i];
    }
    first[j] = v, second[j] = w;
  }
#endif
}

// reduceChains<kUnchecked>'s four B chains (each lane from its first b over steps [1, len), the same
// operations in the same order, so the same values bit for bit) as one vector chain: a step of the
// four lanes is one multiply-add on the chain, against four plus their loads (bench/NOTES.md,
// session 9). len % 4 == 0.
LINREC_HD_HOT void reduceChain4(const double* a, const double* b, size_t len, double* x) {
#if LINREC_LANE_VECTORS
  using L = LaneVectors<double>;
  using V = L::V;
  V v = L::gather(b, len, 0);
  for (size_t i = 1; i < 4; ++i) v = L::gather(a, len, i) * v + L::gather(b, len, i);
  for (size_t i = 4; i < len; i += 4) {
    V a0 = L::load(a + i), a1 = L::load(a + len + i), a2 = L::load(a + 2 * len + i), a3 = L::load(a + 3 * len + i);
    V b0 = L::load(b + i), b1 = L::load(b + len + i), b2 = L::load(b + 2 * len + i), b3 = L::load(b + 3 * len + i);
    L::inRegister(v);
    L::transpose(a0, a1, a2, a3);
    L::transpose(b0, b1, b2, b3);
    v = a0 * v + b0;
    v = a1 * v + b1;
    v = a2 * v + b2;
    v = a3 * v + b3;
  }
  L::scatter(v, x, 1, 0);
#else
  for (size_t j = 0; j < 4; ++j) {
    double v = b[j * len];
    for (size_t i = 1; i < len; ++i) v = a[j * len + i] * v + b[j * len + i];
    x[j] = v;
  }
#endif
}

// The bounded plain rescan of four lanes (rescanChains<kUnchecked>'s values bit for bit: x = a·x + b
// per lane, in the same order), with each result's log stored as float32 at out (lane j at
// out + j·len) instead of the result in the tile: the lanes as one vector chain (LaneVectors), and
// the logs of each step's four results taken beside it, in the floating-point pipes the chain
// leaves idle (one multiply-add every 4 cycles), and no second pass over the results
// (bench/NOTES.md, session 9). len % 4 == 0. Reverse: the logs of reverse rows, out at lane 0's first
// step and every lane stepping backwards (lane j's step i at out − j·len − i).
template <bool Reverse> void rescanToLogs(const double* a, const double* b, size_t len, float* out, double* x) {
#if LINREC_LANE_VECTORS
  using L = LaneVectors<double>;
  using V = L::V;
  V v = {x[0], x[1], x[2], x[3]};
  for (size_t i = 0; i < len; i += 4) {
    V a0 = L::load(a + i), a1 = L::load(a + len + i), a2 = L::load(a + 2 * len + i), a3 = L::load(a + 3 * len + i);
    V b0 = L::load(b + i), b1 = L::load(b + len + i), b2 = L::load(b + 2 * len + i), b3 = L::load(b + 3 * len + i);
    L::inRegister(v);
    L::transpose(a0, a1, a2, a3);
    L::transpose(b0, b1, b2, b3);
    V y0 = v = a0 * v + b0;
    V y1 = v = a1 * v + b1;
    V y2 = v = a2 * v + b2;
    V y3 = v = a3 * v + b3;
#if defined(__AVX512F__) && !defined(__clang__)
    storeLogs16<Reverse>(y0, y1, y2, y3, Reverse ? out - i : out + i, len);
#else
    // rounded to float32 first, then transposed as 16-byte vectors (in-lane shuffles)
    typedef float F __attribute__((vector_size(16)));
    F f0 = floats4(logsOfNormal4(y0)), f1 = floats4(logsOfNormal4(y1));
    F f2 = floats4(logsOfNormal4(y2)), f3 = floats4(logsOfNormal4(y3));
    LaneVectors<float>::transpose(f0, f1, f2, f3);
    if constexpr (Reverse) {  // each lane's four last step first
      f0 = __builtin_shufflevector(f0, f0, 3, 2, 1, 0), f1 = __builtin_shufflevector(f1, f1, 3, 2, 1, 0);
      f2 = __builtin_shufflevector(f2, f2, 3, 2, 1, 0), f3 = __builtin_shufflevector(f3, f3, 3, 2, 1, 0);
      __builtin_memcpy(out - i - 3, &f0, sizeof f0);
      __builtin_memcpy(out - len - i - 3, &f1, sizeof f1);
      __builtin_memcpy(out - 2 * len - i - 3, &f2, sizeof f2);
      __builtin_memcpy(out - 3 * len - i - 3, &f3, sizeof f3);
    } else {
      __builtin_memcpy(out + i, &f0, sizeof f0);
      __builtin_memcpy(out + len + i, &f1, sizeof f1);
      __builtin_memcpy(out + 2 * len + i, &f2, sizeof f2);
      __builtin_memcpy(out + 3 * len + i, &f3, sizeof f3);
    }
#endif
  }
  L::scatter(v, x, 1, 0);
#else
  for (size_t i = 0; i < len; ++i) {
    for (size_t j = 0; j < 4; ++j) {
      x[j] = a[j * len + i] * x[j] + b[j * len + i];
      out[Reverse ? -ptrdiff_t(j * len + i) : ptrdiff_t(j * len + i)] = float(extended::logOfNormal<4>(x[j], 0));
    }
  }
#endif
}

template <class Access> class TileScan {
 public:
  using M = typename Access::Monoid;
  using Elem = typename M::Elem;
  using Value = typename M::Value;

  TileScan(const Access& acc, size_t rows, size_t n)
      : acc_(acc), rows_(rows), n_(n), tilesPerRow_((n + kTile - 1) / kTile) {}

  // A lane's (or a tile's) reach: bounds on the magnitudes of its prefix products A_t (in order,
  // unlike its A) and of its B chain B_t (the loop from 0) over all its steps. The loop from x then
  // stays within |x|·a + b, up to rounding. Where that could pass T's largest value, the loop may
  // overflow inside, and ∞ stays ∞ there, while the composed A·x + B, after a decay, is finite
  // again (x_0 = 1, a = 2 for 200 float32 steps then 0.5: the loop is ∞ to the end, the composed
  // value 1 from the next lane). Such a lane is stepped through first (early) and such a tile
  // publishes its stepped last x, as where composable refuses. Phase 1 tracks it beside B's chain
  // (LaneVectors::Reducer, reduceLanesGeneral); other monoids (extended numbers) do not overflow.
  // LaneVectors' phase 1 gives a as a bound only (bound: its persistence certificate, kReachA,
  // or ∞ where it failed), not the peak: where within() refuses with it, the lane's peak is
  // computed (refineReach; rare: |x| past about 2^106 in float32 or 2^510 in float64, or products
  // that grew past the bound), so that a decision is the peak's, as before session 20 (results
  // stay bit for bit the same under scaling b by 2^k, test/51).
  using ReachValue = std::conditional_t<IsAffine<M>::value, Value, double>;
  //
  // Its underflow certificate (session 21, review defects 1 and 2): where the loop's x leaves the
  // normal range at step s (|x_s| < minNormal), it keeps x_s to minNormal·eps/2 only (absolute, not
  // relative), and that loss is multiplied by |A_n/A_s| up to the end (x = 1, a = 0.5 for 200
  // float32 steps then 2: the loop is 0 from the underflow on, A·x + B is 1). The same holds for
  // B's chain and for the coefficient product A itself: a product that passes below the normal
  // range and back (1e-17 28 times, then 1e17 28 times: S·A_t at 6e-324) has lost its bits. So:
  //  - g bounds the sum over the steps s of |A_n/A_s| (LaneVectors' G chain, exact up to
  //    rounding; ∞ where it overflowed): all the loop's and B's losses below the normal range
  //    together are below 2·eps·minNormal·g (two roundings a step at most: a·x and the sum);
  //  - aExp: the exact product's magnitude is below 2^aExp (an exponent: below T's range too);
  //  - lossy: the computed A is not the product to within rounding (it went below the normal
  //    range somewhere, in T, or in the products' type on the way) or is below T's normal range.
  // clearOfUnderflow then composes only where those losses are below a quarter ulp of the larger of
  // |x·A| and |B| (4·minNormal·g ≤ max(|x·A|, |B|): the loop and A·x + B then agree to rounding,
  // as without underflow), and a lossy A only where x·A is negligible next to B, as composable
  // argues for an underflowed A. Typical data pass (decaying lanes: g ≈ 1/(1 − mean a), B of the
  // data's size), so their decisions, and bits, are those before.
  struct Reach {
    ReachValue a = 0, b = 0;
    bool bound = false;
    ReachValue g = 0;
    int aExp = 0;
    bool lossy = false;
  };
  static constexpr int kNoProduct = -(1 << 20), kUnknownExponent = 1 << 20;  // aExp: an exact 0; unknown
  template <class L> static Reach reachOf(const L& l) {  // LaneVectors' (bounds)
    Reach r{l.a, l.b, true};
    r.g = l.g, r.aExp = l.aExp, r.lossy = l.lossy;
    return r;
  }
  static int joinExponents(int l, int r) {
    if (l == kNoProduct || r == kNoProduct) return kNoProduct;
    if (l == kUnknownExponent || r == kUnknownExponent) return kUnknownExponent;
    return std::max(kNoProduct, std::min(kUnknownExponent, l + r));
  }
  // Whether composing x with e (reach r, exactReset as for composable) keeps what the loop keeps
  // below the normal range (see Reach). x = 0 composes exactly (B is the loop from 0); a reset
  // in e makes the loop B's chain from there; an infinite or NaN x is composable's.
  static bool clearOfUnderflow(Value x, const Elem& e, bool exactReset, const Reach& r) {
    if constexpr (IsAffine<M>::value) {
      if (x == Value(0) || !(x - x == Value(0)) || exactReset) return true;
      const Value ax = Math<Value>::abs(x), ea = Math<Value>::abs(e.A), eb = Math<Value>::abs(e.B);
      if (r.lossy &&
          !(scaleBy2(double(ax), r.aExp) + double(ax) * double(ea) <= double(Math<Value>::epsilon() / 8 * eb)))
        return false;
      return 4 * Math<Value>::minNormal() * r.g <= larger(ax * ea, eb);
    } else {
      (void)x, (void)e, (void)exactReset, (void)r;
      return true;
    }
  }
  // The rules are monoid.h's (AffineReachRules), shared with the CUDA engine; other monoids
  // (extended numbers) do not overflow, so every x is within.
  using Rules = AffineReachRules<ReachValue>;
  // Whether the loop from x through steps of reach r stays finite. An infinite or NaN x is left to
  // composable (which keeps ∞ where the loop does). A NaN reach (only beside a non-finite B, which
  // composable refuses) is not within.
  static bool within(Value x, const Reach& r) {
    if constexpr (IsAffine<M>::value) {
      return Rules::within(x, {r.a, r.b});
    } else {
      (void)x, (void)r;
      return true;
    }
  }
  // The larger, NaN if either is.
  static ReachValue larger(ReachValue u, ReachValue v) { return Rules::larger(u, v); }
  // The reach of l's steps then r's, l's aggregate lAgg (Rules::join: r's steps from l's first
  // have products lAgg.A·A_t and B chain A_t·lAgg.B + B_t).
  // Their underflow certificate (see Reach): r's steps multiply l's losses by r's product.
  static Reach joinReach(const Reach& l, const Elem& lAgg, const Reach& r, const Elem& rAgg) {
    if constexpr (IsAffine<M>::value) {
      const AffineReach<Value> j = Rules::join({l.a, l.b}, lAgg, {r.a, r.b});
      Reach o{j.a, j.b, l.bound || r.bound};
      o.g = Value(scaleBy2(double(l.g), r.aExp)) + r.g;
      o.aExp = joinExponents(l.aExp, r.aExp);
      o.lossy = l.lossy || r.lossy || !(Math<Value>::abs(M::resetGuard(lAgg.A * rAgg.A)) >= Math<Value>::minNormal());
      return o;
    } else {
      (void)lAgg, (void)r, (void)rAgg;
      return l;
    }
  }
  // r.a as the largest magnitude of the lane's prefix products, in order in Value (rare, see Reach).
  // With it, the underflow certificate exactly (g, aExp, and lossy as LaneVectors' products were
  // computed: in order from S, or where those overflowed, rareProducts' partials).
  // m·2^e with m in [1/2, 1) (0 and non-finite m left as they are: refineReach's product)
  template <class F> static void normalize(F& m, int& e) {
    if (m != F(0) && m - m == F(0)) {
      int k;
      m = std::frexp(m, &k);
      e += k;
    }
  }
  template <class Row> static LINREC_RARE void refineReach(const Row& row, size_t first, size_t count, Reach& r) {
    if constexpr (IsAffine<M>::value) {
      using PT = ProductOf<Value>;
      const PT minPT = std::numeric_limits<PT>::min();
      Value p = row.load(first).A, peak = Math<Value>::abs(p);
      PT grow = 0, mantissa = 1;
      int exponent = 0;
      bool zero = false;
#if LINREC_LANE_VECTORS
      using Lanes = LaneVectors<Value>;
      PT s = Lanes::kStart, q[Lanes::kProductWidth];
      for (auto& partial : q) partial = PT(1);
      bool dipS = false, dipQ = false;
#endif
      for (size_t i = 0; i < count; ++i) {
        const Value ai = row.load(first + i).A;
        if (i) {
          p *= ai;
          peak = larger(peak, Math<Value>::abs(p));
        }
        const PT w = PT(ai), aw = w < PT(0) ? -w : w;
        grow = grow * aw + PT(1);
        zero = zero || ai == Value(0);
        // The product as mantissa and exponent: frexp (a libm call) only where the mantissa leaves
        // [2^-64, 2^64], not at every step (session 23: a refined lane cost ~10x its phase 1). Each
        // product then rounds as the normalized one (the same value times a power of 2, normal
        // both ways), and before an extreme factor the mantissa is normalized (in [1/2, 1) after
        // the first step, as it was at every step): the same exponent, bit for bit.
        if (i && !(aw >= PT(0x1p-900) && aw <= PT(0x1p900))) normalize(mantissa, exponent);
        mantissa *= w;
        if (!(std::fabs(mantissa) >= PT(0x1p-64) && std::fabs(mantissa) <= PT(0x1p64))) normalize(mantissa, exponent);
#if LINREC_LANE_VECTORS
        s *= w;
        dipS = dipS || !(std::fabs(s) >= minPT);
        PT& qi = q[i % Lanes::kProductWidth];
        qi *= w;
        dipQ = dipQ || !(std::fabs(qi) >= minPT);
#endif
      }
      r.a = peak;
      r.g = grow == grow ? Value(grow) : Math<Value>::inf();
      if (zero) {
        r.aExp = kNoProduct, r.lossy = false;
      } else {
        normalize(mantissa, exponent);
        r.aExp = mantissa != PT(0) && mantissa - mantissa == PT(0) ? exponent + 1 : kUnknownExponent;  // |mantissa| < 1
#if LINREC_LANE_VECTORS
        bool dipped;
        PT product;
        if (s - s == PT(0)) {
          product = s * Lanes::kInverseStart;
          dipped = dipS && std::fabs(s) >= minPT;
        } else {
          product = q[0];
          for (size_t k = 1; k < Lanes::kProductWidth; ++k) {
            product *= q[k];
            dipQ = dipQ || !(std::fabs(product) >= minPT);
          }
          dipped = dipQ && std::fabs(product) >= minPT;
        }
        r.lossy = dipped || !(Math<Value>::abs(Value(product)) >= Math<Value>::minNormal());
#endif
      }
    }
    r.bound = false;
  }
  // within and clearOfUnderflow for x and lane [first, first + count) (aggregate e), refining first
  // where a bound refuses.
  template <class Row>
  static bool laneFits(Value x, const Elem& e, bool exactReset, Reach& r, const Row& row, size_t first, size_t count) {
    if (within(x, r) && clearOfUnderflow(x, e, exactReset, r)) return true;
    // x is finite here (within and clearOfUnderflow pass any other), so a NaN bound on B's chain (a
    // NaN input in the lane) refuses whatever refineReach gives: it does not change r.b
    if (!r.bound || !(r.b == r.b)) return false;
    refineReach(row, first, count, r);
    return within(x, r) && clearOfUnderflow(x, e, exactReset, r);
  }
  // within(x, total) for a tile's total reach (joined from its lanes' reach and aggregates, as
  // tileTotal joins them), refining its lanes' bounds first where it refuses.
  // With clearOfUnderflow for the tile's total e (tileFits).
  template <class Row> static bool tileFits(Value x, const Elem& e, bool exactReset, Reach& total, Reach* reach,
                                            const Elem* agg, const Row& row, size_t begin, size_t len, size_t m) {
    if (within(x, total) && clearOfUnderflow(x, e, exactReset, total)) return true;
    if (!total.bound) return false;
    for (size_t j = 0; j < kLanes; ++j)
      if (reach[j].bound) refineReach(row, begin + j * len, laneSize(j, len, m), reach[j]);
    total = reach[0];
    Elem joined = agg[0];
    for (size_t j = 1; j < kLanes; ++j) {
      total = joinReach(total, joined, reach[j], agg[j]);
      joined = M::combine(joined, agg[j]);
    }
    return within(x, total) && clearOfUnderflow(x, e, exactReset, total);
  }

  void run(unsigned threads) {
    if (n_ == 0) {
      for (size_t r = 0; r < rows_; ++r) acc_.finishUnchanged(r);  // bit for bit, in any form
      return;
    }
    size_t tiles = rows_ * tilesPerRow_;
    if (tilesPerRow_ > 1) status_.reset(new Status[tiles]);
    size_t useful = rows_ * n_ < kParallelThreshold ? 1 : std::min<size_t>(threads, tiles);
    stream_ = kCanStream && rows_ * n_ * sizeof(Value) >= kStreamBytes;
    // One thread where results stream (float64 past the caches): each rescan runs beside the next
    // tile's phase 1 (LaneVectors::rescanThenReduce), so that one's loads from memory overlap this
    // one's stores. Measured (bench/NOTES.md, session 9): float64 10^7 1.20-1.23x faster than the
    // rescans' prefetch of the next tile it replaces; float32, and float64 below 32 MB, 5-20%
    // slower than the phases one after another (except 4-5% faster at 10^5), so not there.
    paired_ = kLaneVectors && useful == 1 && stream_;
    several_ = useful > 1;
    runOnThreads(useful, [this] {
      work();
#if defined(__SSE2__)
      if (stream_) _mm_sfence();  // streaming stores are weakly ordered: complete them before the join
#endif
    });
  }

 private:
  struct alignas(64) Status {
    std::atomic<uint32_t> ready{0};
    std::atomic<uint32_t> inputs{0};  // in place: threads reading the tile's inputs, | kStoring (InputsRead)
    Value inclusive;
  };

  // float64 direct-method results at least this large (forward rows) are stored past the caches
  // (streaming stores of whole vectors, LaneVectors::store): they would not stay in cache anyway,
  // and such stores skip reading each line first. Measured at n = 10^7 (bench/NOTES.md, session
  // 7): float64 7-10% faster at 1 and 2 threads, float32 0-12% slower (not streamed; session 8,
  // from the vector lanes: 25-31% slower). Smaller results stay in cache for the caller.
  static constexpr size_t kStreamBytes = size_t(32) << 20;
  // The direct method's rows: whole tiles' lanes as one vector chain (LaneVectors; four lanes of a
  // multiple of 8 steps, so not under other LINREC_LANES / LINREC_LANE_LENGTH). Reverse rows too:
  // as scalar lanes they ran 0.56-0.68x the loop on the baseline variant, 0.81-0.94x on v3 at 10^6
  // and 10^7 in float64 (bench/NOTES.md, session 11).
  static constexpr bool kLaneVectors =
      LINREC_LANE_VECTORS && IsAffine<M>::value && !Access::kStaged && kLanes == 4 && kLaneLength % 8 == 0;
#if defined(__SSE2__)
  static constexpr bool kCanStream = IsAffine<M>::value && !Access::kStaged && !Access::kReverse && sizeof(Value) == 8;
#else
  static constexpr bool kCanStream = false;
#endif

  void work() {
    size_t tiles = rows_ * tilesPerRow_;
    if constexpr (Access::kStaged) {
      // One stage per thread, kept between calls (StagePool).
      std::unique_ptr<typename Access::Stage> stage = StagePool<typename Access::Stage>::take();
      for (size_t k; (k = next_.fetch_add(1, std::memory_order_relaxed)) < tiles;) scanStagedTile(k, *stage);
      StagePool<typename Access::Stage>::give(std::move(stage));
    } else if (paired_) {
      Reduced reduced[2];  // this tile's phase 1, and the next one's, done beside this rescan
      for (size_t k; (k = next_.fetch_add(1, std::memory_order_relaxed)) < tiles;) {
        reduced[(k + 1) % 2].done = false;
        scanTile(k, &reduced[k % 2], &reduced[(k + 1) % 2]);
      }
    } else {
      for (size_t k; (k = next_.fetch_add(1, std::memory_order_relaxed)) < tiles;) scanTile(k);
    }
  }
  struct Reduced {  // a tile's phase 1
    Elem agg[kLanes];
    bool reset[kLanes];
    Reach reach[kLanes];
    bool done = false;
  };

  // Tile k's inclusive value, for tile k + 1 of the same row. Where it is late, the thread on tile
  // k has usually been descheduled (another process has the core), and every tile after it would
  // wait a time slice: then this thread composes it from the nearest published tile before it,
  // as that tile's thread does (composeLate: the same bits), and does not wait.
  Value waitFor(size_t k) {
    Status& s = status_[k];
    for (unsigned spins = 0, limit = spinsBeforeHelp(); spins < limit; ++spins) {
      if (s.ready.load(std::memory_order_acquire)) return s.inclusive;
      spinPause();
    }
    Value x;
    if (composeLate(k, x)) return x;
    while (!s.ready.load(std::memory_order_acquire)) std::this_thread::yield();
    return s.inclusive;
  }

  // About 20-80 us of pauses (as long as a few tiles' phase 1): a tile's own thread publishes
  // within one tile's phase 1 unless it was descheduled. LINREC_TEST_CPU_HELP_AT_ONCE (tests:
  // every late tile composed by the waiting thread, to show the same bits) makes it 0.
  static unsigned spinsBeforeHelp() {
    static const unsigned spins = std::getenv("LINREC_TEST_CPU_HELP_AT_ONCE") ? 0 : 2048;
    return spins;
  }

  // LINREC_TEST_CPU_HOLD_TILE=k (tests): tile k's thread, before its stores, waits until tile k + 1
  // is published (on several threads), which then needs another thread to compose tile k
  // (test/54: without it, a hang).
  static size_t heldTile() {
    static const size_t k = [] {
      const char* v = std::getenv("LINREC_TEST_CPU_HOLD_TILE");
      return v ? size_t(std::strtoull(v, nullptr, 10)) : ~size_t(0);
    }();
    return k;
  }

  // Whether a row's results go over its inputs (`out: values`; in log form also its signs alone).
  template <class Row> static bool resultsOverInputs(const Row& row) {
    if (static_cast<const void*>(row.x) == static_cast<const void*>(row.b)) return true;
    if constexpr (HasSignsOut<Row>::value) return row.xSign != nullptr && row.xSign == row.bSign;
    return false;
  }

  // In place, a late tile's inputs are read by a thread composing it (composeLate) only while the
  // tile's own thread has not begun to store its results over them: readers count up in the
  // tile's `inputs`; its thread sets kStoring, then waits for them to leave before its first
  // store (beginStores). A reader that finds kStoring set reads nothing and waits for the tile's
  // publication, which comes soon: its thread is past its last wait. (Only read-modify-writes
  // change `inputs` during a call: a plain store would break the release sequence that orders a
  // reader's reads before the stores.) (Session 25 waited for every late tile
  // in place, not knowing whether its thread stored yet: 2 threads under load ran 3-7x, 4 threads
  // on 2 cores 14-80x slower in place than out of place; session 26.)
  static constexpr uint32_t kStoring = 1u << 31;
  class InputsRead {
   public:
    explicit InputsRead(std::atomic<uint32_t>* inputs) : inputs_(inputs) {
      if (inputs_ && (inputs_->fetch_add(1, std::memory_order_acquire) & kStoring)) {
        inputs_->fetch_sub(1, std::memory_order_relaxed);
        inputs_ = nullptr;
        held_ = false;
      }
    }
    ~InputsRead() {
      if (inputs_) inputs_->fetch_sub(1, std::memory_order_release);  // the reads before the stores
    }
    InputsRead(const InputsRead&) = delete;
    InputsRead& operator=(const InputsRead&) = delete;
    explicit operator bool() const { return held_; }

   private:
    std::atomic<uint32_t>* inputs_;
    bool held_ = true;
  };
  // Before tile k's first store over its inputs (in place): no thread reads them from here on. A
  // row's last tile is never composed by another thread (nothing waits for it). Also where the
  // test hook holds a tile (heldTile).
  void beginStores(size_t k, size_t r, size_t t) {
    if (k == heldTile() && several_ && t + 2 < tilesPerRow_)
      while (!status_[k + 1].ready.load(std::memory_order_acquire)) std::this_thread::yield();
    if (t + 1 == tilesPerRow_ || !resultsOverInputs(acc_.row(r))) return;
    std::atomic<uint32_t>& inputs = status_[k].inputs;
    inputs.fetch_or(kStoring, std::memory_order_relaxed);
    spinUntil([&] { return (inputs.load(std::memory_order_acquire) & ~kStoring) == 0; });
  }
  // Tile k's inclusive value once its thread, which has begun its stores, publishes it.
  Value waitForStoring(size_t k) {
    Status& s = status_[k];
    spinUntil([&] { return s.ready.load(std::memory_order_acquire) != 0; });
    return s.inclusive;
  }
  // Waits that end within a tile's phase 1 unless a thread was descheduled: then give the core up.
  template <class Done> static void spinUntil(Done done) {
    for (unsigned spins = 0; !done(); ++spins)
      if (spins < 2048)
        spinPause();
      else
        std::this_thread::yield();
  }

  // Tile k's inclusive value composed here from the tiles before it that are not published yet:
  // each one's total by reduceLanes and tileTotal, as scanTileOn computes it (full tiles: every
  // tile before a row's last is), joined with the value before it where it composes, which is
  // exactly what its thread publishes then. False where one does not compose (its thread
  // publishes a stepped x then): wait for it.
  bool composeLate(size_t k, Value& out) {
    const size_t r = k / tilesPerRow_, first = r * tilesPerRow_;
    size_t j = k + 1;  // tiles j..k are not published yet; j - 1 is (or j is the row's first)
    while (j > first && !status_[j - 1].ready.load(std::memory_order_acquire)) --j;
    if (j == k + 1) {
      out = status_[k].inclusive;
      return true;
    }
    const auto row = acc_.row(r);
    // In place, a late tile's thread stores its results over the inputs read here as soon as it
    // publishes (or, where it does not compose, before): a tile read then composed a wrong carry
    // for every tile after it (8 threads, LINREC_TEST_CPU_HELP_AT_ONCE: 7 of 120 calls differed
    // from 1 thread's, session 25). Each tile's inputs are read only before its stores begin
    // (InputsRead), else this thread waits for that tile.
    const bool overInputs = resultsOverInputs(row);
    // The row's first tile late where the call writes over x_0 outside that tile's stores (the
    // last x in a Scanner's state; out of place, any write): wait for it. In place, its copy is
    // one of the first tile's stores (scanTileOn).
    if (j == first && (overInputs ? acc_.lastOverInitial(r) : acc_.initialWritten(r))) return false;
    Value x = j > first ? status_[j - 1].inclusive : Value{};
    for (size_t i = j; i <= k; ++i) {
      if (status_[i].ready.load(std::memory_order_acquire)) {
        x = status_[i].inclusive;
        continue;
      }
      const InputsRead reading(overInputs ? &status_[i].inputs : nullptr);
      if (!reading) {
        // Its thread stores already: past its last wait, it publishes soon (and a thread that held
        // this one waiting for tile i + 1 could wait for this thread forever: test/54's hold).
        x = waitForStoring(i);
        continue;
      }
      if (i == first) x = acc_.initialValue(r);  // x_0 as acc_.initial gives it, not copied
      if constexpr (kInfiniteCarries<std::decay_t<decltype(row)>>) {
        // an infinite x where its thread takes it through the tile (scanTileOn), the same value (a
        // total that composes gives it too): without this the waiting thread yielded until that
        // thread ran again, and x overflowing partway ran 3-4x slower on 2 threads than on 1 under
        // load (bench/NOTES.md, session 25)
        bool flip;
        if (isInfinite(x) && infiniteThrough(row, (i - first) * kTile, kTile, flip)) {
          x = flipped(x, flip);
          continue;
        }
      }
      Elem agg[kLanes];
      bool reset[kLanes], totalReset, totalExact;
      Reach reach[kLanes], totalReach;
      reduceFullTile(row, (i - first) * kTile, agg, reset, reach);
      const Elem total = tileTotal(agg, reset, reach, totalReset, totalExact, totalReach);
      if (!(totalExact && M::composable(x, total, totalReset) &&
            tileFits(x, total, totalReset, totalReach, reach, agg, row, (i - first) * kTile, kLaneLength, kTile)))
        return false;
      x = M::value(M::combine(M::constant(x), total));
    }
    out = x;
    return true;
  }

  // Phase 1 of a full tile as scanTileOn does it: on the row, or (staged rows) on a stage of the
  // helping thread's own, converted as scanStagedTile converts it (its own stage holds its tile).
  template <class Row> static void reduceFullTile(const Row& row, size_t begin, Elem* agg, bool* reset, Reach* reach) {
    if constexpr (Access::kStaged) {
      using Stage = typename Access::Stage;
      std::unique_ptr<Stage> stage = StagePool<Stage>::take();
      if (row.loadRange(begin, kTile, kLaneLength, *stage))
        reduceLanes<true>(stage->template steps<Elem, true>(begin), begin, kLaneLength, kTile, agg, reset, reach);
      else
        reduceLanes<true>(stage->template steps<Elem, false>(begin), begin, kLaneLength, kTile, agg, reset, reach);
      StagePool<Stage>::give(std::move(stage));
    } else {
      reduceLanes<true>(row, begin, kLaneLength, kTile, agg, reset, reach);
    }
  }

  // A tile's total from its lanes' aggregates. It composes only where every lane joins the ones
  // before it as the loop would (exact): a lane whose product underflowed (no zero coefficient)
  // after a B that still counts loses that B (x reset to 1e300, then 2080 steps of a = 0.6: the
  // loop's x ends at 3.6e-162, the total's B at 0). Then the tile publishes its stepped last x.
  // Its reach too (joinReach): where the loop from x may overflow inside the tile (within).
  static Elem tileTotal(const Elem (&agg)[kLanes], const bool (&reset)[kLanes], const Reach (&reach)[kLanes],
                        bool& totalReset, bool& totalExact, Reach& totalReach) {
    Elem total = agg[0];
    totalReset = reset[0];
    totalExact = true;
    totalReach = reach[0];
    for (size_t j = 1; j < kLanes; ++j) {
      totalExact = totalExact && M::composable(M::value(total), agg[j], reset[j]) &&
                   clearOfUnderflow(M::value(total), agg[j], reset[j], reach[j]);
      totalReach = joinReach(totalReach, total, reach[j], agg[j]);
      total = M::combine(total, agg[j]);
      totalReset = totalReset || reset[j];
    }
    return total;
  }

  void scanTile(size_t k, Reduced* mine = nullptr, Reduced* following = nullptr) {
    size_t r = k / tilesPerRow_, t = k % tilesPerRow_;
    size_t begin = t * kTile, m = std::min(kTile, n_ - begin);
    if (!(t + 1 < tilesPerRow_ && begin + 2 * kTile <= n_)) following = nullptr;  // no full next tile in this row
    scanTileOn(acc_.row(r), k, r, t, begin, m, mine, following);
  }

  template <class Stage> void scanStagedTile(size_t k, Stage& stage) {
    size_t r = k / tilesPerRow_, t = k % tilesPerRow_;
    size_t begin = t * kTile, m = std::min(kTile, n_ - begin);
    const auto row = acc_.row(r);
    // Both passes over the tile read the staged elements: converted from the row first, results
    // converted back last (Access::kStaged).
    if (row.loadRange(begin, m, m == kTile ? kLaneLength : m, stage))
      scanTileOn(stage.template steps<Elem, true>(begin), k, r, t, begin, m);
    else
      scanTileOn(stage.template steps<Elem, false>(begin), k, r, t, begin, m);
    row.storeRange(begin, m, stage);
    if (t + 1 == tilesPerRow_) acc_.finishFromStored(r);  // the row's last x as its results hold it
  }

  // mine: this tile's phase 1 if done already; following: the next tile's, to be done here if it can.
  template <class Row> void scanTileOn(const Row& row, size_t k, size_t r, size_t t, size_t begin, size_t m,
                                       Reduced* mine = nullptr, Reduced* following = nullptr) {
    if constexpr (HasPlainPath<Row>::value) {
      // A row's last tile when shorter than a tile (all of a row of fewer steps): nothing waits on
      // its aggregate, so it is stepped through from its carry as one chain, the sequential loop
      // in double, instead of reduced and rescanned in lanes by the general loops (which ran about
      // 20-50 ns a step: bench/NOTES.md, session 7). The split depends on n alone.
      if (m < kTile) {
        Value carry = t == 0 ? acc_.initial(r) : waitFor(k - 1), x = carry;
        // Where a value leaves the band or an input is not plain, the same chain again, plain up
        // to that step and general from there (rescanInOrder).
        if (!PlainExtended::rescan(row, begin, m, 1, &x)) x = rescanInOrder(row, begin, m, carry);
        acc_.finish(r, x);
        return;
      }
    }
    Elem agg[kLanes];
    bool reset[kLanes];
    Reach reach[kLanes];
    Value x[kLanes];
    size_t len;
    if (mine && mine->done) {
      len = kLaneLength;
      for (size_t j = 0; j < kLanes; ++j) agg[j] = mine->agg[j], reset[j] = mine->reset[j], reach[j] = mine->reach[j];
    } else if (m == kTile) {
      len = kLaneLength;
      reduceLanes<true>(row, begin, len, m, agg, reset, reach);
    } else {
      len = (m + kLanes - 1) / kLanes;
      reduceLanes<false>(row, begin, len, m, agg, reset, reach);
    }
    bool totalReset, totalExact;
    Reach totalReach;
    const Elem total = tileTotal(agg, reset, reach, totalReset, totalExact, totalReach);

    Value carry = t == 0 ? Value{} : waitFor(k - 1);
    beginStores(k, r, t);
    if (t == 0) carry = acc_.initial(r);  // its copy of x_0 may go over x_0 (in place): a store
    bool publishes = t + 1 < tilesPerRow_;
    bool composedTotal = publishes && totalExact && M::composable(carry, total, totalReset) &&
                         tileFits(carry, total, totalReset, totalReach, reach, agg, row, begin, len, m);
    if (composedTotal) publish(k, M::value(M::combine(M::constant(carry), total)));
    // An infinite carry (x overflowed before this tile): lanes that keep it infinite (through[j],
    // the sign flipped where flips[j]) from their inputs alone, and the tile's last x from those,
    // published before the rescan as a composed total is.
    bool through[kLanes] = {}, flips[kLanes] = {};
    if constexpr (kInfiniteCarries<Row>) {
      if (!composedTotal && isInfinite(carry)) {
        bool all = true, flip = false;
        for (size_t j = 0; all && j < kLanes; ++j) {
          if (const size_t size = laneSize(j, len, m)) {
            all = through[j] = infiniteThrough(row, begin + j * len, size, flips[j]);
            flip = flip != flips[j];
          }
        }
        if (all && publishes) {
          publish(k, flipped(carry, flip));
          composedTotal = true;
        }
      }
    }

    // Lane carries. Where a lane's aggregate cannot be composed (a product over- or underflowed
    // where it matters, see composable), that lane is stepped through first, like the loop, and
    // its last x starts the next lane. Decided by the data alone: results stay deterministic,
    // and lanes before it are computed exactly as without it.
    bool early[kLanes] = {};
    bool anyEarly = false;
    x[0] = carry;
    for (size_t j = 1; j < kLanes; ++j) {
      if (j * len >= m) {
        x[j] = x[j - 1];  // lane j is empty; its start is never used
      } else if (M::composable(x[j - 1], agg[j - 1], reset[j - 1]) &&
                 laneFits(x[j - 1], agg[j - 1], reset[j - 1], reach[j - 1], row, begin + (j - 1) * len,
                          laneSize(j - 1, len, m))) {
        x[j] = M::value(M::combine(M::constant(x[j - 1]), agg[j - 1]));
      } else if (through[j - 1] && isInfinite(x[j - 1])) {
        x[j] = flipped(x[j - 1], flips[j - 1]);
      } else {
        x[j] = rescanInOrder(row, begin + (j - 1) * len, laneSize(j - 1, len, m), x[j - 1]);
        early[j - 1] = anyEarly = true;
      }
    }
#if LINREC_LANE_VECTORS
    if constexpr (kLaneVectors && !Access::kReverse) {  // paired_: streamed results, forward rows
      if (following && m == kTile && !anyEarly) {
        // reduceLanes<true>'s vector path for the next tile, beside this rescan
        Value b[kLanes], product[kLanes];
        LaneReach<Value> laneReach[kLanes];
        const size_t nextBegin = begin + kTile;
        for (size_t j = 0; j < kLanes; ++j) b[j] = M::start(row.load(nextBegin + j * kLaneLength)).B;
        if (stream_)
          LaneVectors<Value>::template rescanThenReduce<true>(row.a + begin, row.b + begin, kLaneLength, row.x + begin,
                                                              x, row.a + nextBegin, row.b + nextBegin, b, product,
                                                              following->reset, laneReach);
        else
          LaneVectors<Value>::template rescanThenReduce<false>(row.a + begin, row.b + begin, kLaneLength, row.x + begin,
                                                               x, row.a + nextBegin, row.b + nextBegin, b, product,
                                                               following->reset, laneReach);
        for (size_t j = 0; j < kLanes; ++j) {
          following->agg[j] = {M::resetGuard(product[j]), b[j]};
          following->reach[j] = reachOf(laneReach[j]);
        }
        following->done = true;
        goto rescanned;
      }
    }
#endif
    if constexpr (kCanStream) {
      if (stream_ && m == kTile && !anyEarly) {
        rescanLanesStreaming(row, begin, x);
        goto rescanned;
      }
    }
    if (m == kTile && !anyEarly)
      rescanLanes<true>(row, begin, len, m, x, nullptr);
    else
      rescanLanes<false>(row, begin, len, m, x, early);
#if defined(__GNUC__)
  rescanned:
    __attribute__((unused));  // not every instantiation jumps here
#else
  rescanned:
#endif
    Value last = x[(m - 1) / len];  // the last lane is never stepped through early
    if (publishes && !composedTotal) publish(k, last);
    if (!publishes) acc_.finish(r, last);
  }

  // Rows whose infinite carries infiniteThrough takes: the direct method's raw arrays.
  template <class Row> static constexpr bool kInfiniteCarries = IsAffine<M>::value && HasRawArrays<Row>::value;
  template <class V> static V flipped(const V& x, bool flip) {  // -x where flip (floating point only)
    if constexpr (std::is_floating_point_v<V>)
      return flip ? -x : x;
    else
      return x;
  }
  template <class V> static bool isInfinite(const V& x) {  // ±∞ (x − x is NaN, x is not); false for extended numbers
    if constexpr (std::is_floating_point_v<V>)
      return x - x != x - x && x == x;
    else
      return false;
  }

  // Whether the loop from x = ±∞ through steps [first, first + count) of an affine row keeps x
  // infinite: where no coefficient is 0 or NaN and every addend is finite, each a·x + b is ±∞,
  // as a multiply-add or a product then a sum (no 0·∞, no ∞ − ∞), with the sign of x times a's;
  // so the last x is ±∞, negated where an odd number of coefficients are negative (flip). Else
  // false (the loop may turn NaN there: step through). One vector pass over the inputs, where
  // such lanes were stepped through one step at a time (their A and B overflowed or underflowed,
  // so do not compose), and a tile published its x only after: 2.1-4.5x the time of typical data,
  // slower on 2 threads than on 1 (bench/NOTES.md, session 25).
  template <class Row> static bool infiniteThrough(const Row& row, size_t first, size_t count, bool& flip) {
    // On the bit patterns, so that it vectorizes (compares of the values joined by && did not):
    // |a| − 1 below ∞'s pattern where a is nonzero and not NaN (0 wraps to the top), |b| below it
    // where b is finite.
    using U = std::conditional_t<sizeof(Value) == 8, uint64_t, uint32_t>;
    constexpr U kMagnitude = std::numeric_limits<U>::max() >> 1;
    constexpr U kInfinity = sizeof(U) == 8 ? U(0x7ff0000000000000u) : U(0x7f800000u);
    const Value* a = row.a + Row::at(first);
    const Value* b = row.b + Row::at(first);
    U signs = 0, worst = 0;
#pragma omp simd reduction(^ : signs) reduction(max : worst)
    for (size_t i = 0; i < count; ++i) {
      U ua, ub;
      __builtin_memcpy(&ua, &a[Row::at(i)], sizeof ua);
      __builtin_memcpy(&ub, &b[Row::at(i)], sizeof ub);
      signs ^= ua;
      const U ma = (ua & kMagnitude) - 1, mb = ub & kMagnitude;
      const U w = ma > mb ? ma : mb;
      worst = worst > w ? worst : w;
    }
    flip = signs >> (8 * sizeof(U) - 1);
    return worst < kInfinity;
  }

  void publish(size_t k, Value inclusive) {
    status_[k].inclusive = inclusive;
    status_[k].ready.store(1, std::memory_order_release);
  }

  // A chain stepped like the loop. Rows with the plain path take it up to the first step where it
  // does not apply (rescanPrefix: values and stores bit for bit those of the plain loops), the
  // general step from there: so a result never depends on a later step's input, whichever path
  // the rest of its tile takes (results before a NaN stay those without it, test/51).
  // Store false: the chain's value alone, nothing stored, up to a NaN (returned at once).
  template <bool Store = true, class Row>
  static Value rescanInOrder(const Row& row, size_t begin, size_t count, Value x) {
    size_t s = begin;
    if constexpr (HasPlainPath<Row>::value && Store) s = PlainExtended::rescanPrefix(row, begin, count, x);
    for (; s < begin + count; ++s) {
      if constexpr (HasPlainPath<Row>::value) {
        // General steps as plain steps of the same values: above the band scaled, from 0 or in the
        // band (back from a general step) as they are, below the band scaled over zero addends.
        const size_t from = s;
        if (x.e > 400)
          s = PlainExtended::rescanScaledPrefix<Store>(row, s, begin + count - s, x);
        else if (x.e == 0 && PlainExtended::zeroOrInBand(x.m))
          s = PlainExtended::rescanGeneralPrefix<Store>(row, s, begin + count - s, x);
        else if (x.e <= -400)
          s = PlainExtended::rescanBelowBandPrefix<Store>(row, s, begin + count - s, x);
        if (s == begin + count) break;
        if (s != from) {  // the chain may have entered another region: its prefix first
          --s;
          continue;
        }
      }
      x = M::step(x, row.load(s));
      if constexpr (Store) row.store(s, x);
      if (isNaN(x)) {
        if constexpr (!Store) return x;
        s = afterNaN(row, s + 1, begin + count, x) - 1;
      }
    }
    return x;
  }
  // The first step in [s, end) of an affine row with a NaN coefficient or addend (end if none):
  // blocks of 256 steps checked as vectors (a count of the inputs that are not NaN), a block with
  // a NaN then step by step.
  template <class Row> static size_t nextNaNInput(const Row& row, size_t s, size_t end) {
    const auto *a = row.a, *b = row.b;
    while (s < end) {
      const size_t blockEnd = std::min(end, s + 256);
      uint32_t numbers = 0;
#pragma omp simd reduction(+ : numbers)
      for (size_t k = s; k < blockEnd; ++k)
        numbers += uint32_t(a[Row::at(k)] == a[Row::at(k)]) + uint32_t(b[Row::at(k)] == b[Row::at(k)]);
      if (numbers != 2 * (blockEnd - s))
        for (; s < blockEnd; ++s)
          if (isNaN(a[Row::at(s)]) || isNaN(b[Row::at(s)])) return s;
      s = blockEnd;
    }
    return end;
  }
  template <class V> static bool isNaN(const V& v) {
    if constexpr (std::is_arithmetic<V>::value)
      return v != v;
    else
      return v.m != v.m;
  }
  // The steps after one whose x is NaN, up to the first whose input holds a NaN (returned; end if
  // none): each stores x as it is. The step gives exactly x there: x came out of arithmetic (a
  // quiet NaN; for extended numbers with exponent 0), and a·x + b with no other NaN operand is x's
  // NaN, bit for bit, on either path (a multiply-add or a product then a sum; affineGeneral's
  // product, then add's sum of a non-finite mantissa); a·0 and a·inf do not arise, x being NaN. So
  // the same stores as M::step's, without its chain (a sparse NaN coefficient made every later
  // step of the log method a general step: 13x the clean data's time, bench/NOTES.md session 24).
  // Raw rows (the inputs and results as arrays of T: a loaded input is NaN exactly where its raw
  // value is) and staged tiles (ExtendedTile::Steps) find that step by a vector check, then repeat
  // the first store's values (the same x, so the same stored bits). In place (x over b), every b
  // is read before the stores over it, as the step loop reads it.
  template <class Row> static LINREC_RARE size_t afterNaN(const Row& row, size_t s, size_t end, const Value& x) {
    if (s >= end) return s;
    if constexpr (HasRawArrays<Row>::value) {
      const size_t stop = nextNaNInput(row, s, end);
      if (stop == s) return s;
      row.store(s, x);
      auto* out = row.x;  // a local: through row, the stores were scalar (row.x reloaded)
      const auto v = out[Row::at(s)];
      for (size_t k = s + 1; k < stop; ++k) out[Row::at(k)] = v;
      return stop;
    } else if constexpr (HasStagedArrays<Row>::value) {
      const size_t i0 = s - row.begin, iEnd = end - row.begin;
      size_t i = i0;
      while (i < iEnd) {
        const size_t blockEnd = std::min(iEnd, i + 256);
        uint32_t numbers = 0;
#pragma omp simd reduction(+ : numbers)
        for (size_t k = i; k < blockEnd; ++k)
          numbers += uint32_t(row.am[k] == row.am[k]) + uint32_t(row.bm[k] == row.bm[k]);
        if (numbers != 2 * (blockEnd - i)) {
          while (row.am[i] == row.am[i] && row.bm[i] == row.bm[i]) ++i;
          break;
        }
        i = blockEnd;
      }
      if (i == i0) return s;
      row.store(s, x);
      double *xm = row.xm, *xl = row.xl;
      auto* xe = row.xe;
      const double m = xm[i0], l = xl[i0];
      const auto e = xe[i0];
      for (size_t k = i0 + 1; k < i; ++k) xm[k] = m, xe[k] = e, xl[k] = l;
      return row.begin + i;
    }
    for (; s < end; ++s) {
      const Elem e = row.load(s);
      if (isNaN(e.A) || isNaN(e.B)) break;
      row.store(s, x);
    }
    return s;
  }

 public:
  // composeInOrder's B (start, then extend step by step: the loop from 0) for aggregateRows. Affine
  // rows: once B is NaN, steps without a NaN input leave it as it is, bit for bit (AffineMonoid's
  // extend takes B as a·B + b, whatever A is; see afterNaN), so they are skipped (a sparse NaN made
  // every such row's B a pass over all its steps in order: 3.5-4.9x the clean data's aggregate).
  // Once B is ±inf (raw affine rows), the steps after it go lane-sized chunks at a time where
  // infiniteThrough takes them (B's extend is the loop's step: a·B + b), a chunk it does not take
  // step by step: overflowing products made B's chain 45% of such an aggregate (session 25). Only
  // B is returned: e.A is not kept up to date after a chunk.
  template <class Row> static LINREC_RARE typename M::Value inOrderB(const Row& row, size_t n) {
    Elem e = M::start(row.load(0));
    size_t chunksFrom = 0;  // the first step where a chunk is tried again (after one that failed)
    for (size_t i = 1; i < n; ++i) {
      e = M::extend(e, row.load(i));
      if constexpr (IsAffine<M>::value) {
        if (isNaN(e.B)) i = nextNaNInput(row, i + 1, n) - 1;
      }
      if constexpr (kInfiniteCarries<Row>) {
        if (i + 1 >= chunksFrom && isInfinite(e.B)) {
          size_t s = i + 1;
          for (bool flip; s < n; s += kLaneLength) {
            if (!infiniteThrough(row, s, std::min(kLaneLength, n - s), flip)) break;
            e.B = flipped(e.B, flip);
          }
          i = s - 1;
          chunksFrom = s + kLaneLength;
        }
      }
    }
    return e.B;
  }
  // Phase 1 of a tile, also used alone by aggregateRows.
  // Lane j covers steps [begin + j*len, begin + min((j+1)*len, m)); empty lanes stay identity.
  static size_t laneSize(size_t j, size_t len, size_t m) {
    size_t lo = j * len;
    return lo >= m ? 0 : std::min(len, m - lo);
  }

  // Loops below keep the kLanes chains in registers: fixed trip counts, fully unrolled over j.
  // Also reports, per lane, whether a coefficient is exactly 0 (so a zero product is exact).
  template <bool Full, class Row> static void reduceLanes(const Row& row, size_t begin, size_t laneLength, size_t m,
                                                          Elem* out, bool* reset, Reach* reach) {
    const size_t len = Full ? kLaneLength : laneLength;  // a constant lets lanes share one base
    if constexpr (Full && HasPlainPath<Row>::value) {  // extended numbers: no reach
      if (PlainExtended::reduce(row, begin, len, kLanes, out)) {
        for (size_t j = 0; j < kLanes; ++j) reset[j] = false;
        return;
      }
      reduceLanesMixed(row, begin, out, reset, reach);
      return;
    }
    reduceLanesGeneral<Full>(row, begin, len, m, out, reset, reach);
  }

  // Whole lanes of which some are not plain: each lane plain where it is (the same aggregate as
  // PlainExtended::reduce of four, lane by lane), so that no lane's aggregate, and no result after
  // it, depends on another lane's data.
  // The lanes that are not plain take reduceLanesGeneral's loop one by one (its lanes are
  // independent chains: the same aggregate), and plain lanes no general loop at all.
  template <class Row>
  static LINREC_RARE void reduceLanesMixed(const Row& row, size_t begin, Elem* out, bool* reset, Reach* reach) {
    for (size_t j = 0; j < kLanes; ++j) {
      reset[j] = false, reach[j] = {};
      const size_t first = begin + j * kLaneLength;
      if (PlainExtended::reduce(row, first, kLaneLength, 1, &out[j])) continue;
      if (generalLane(row, first, out[j])) continue;
      Elem agg = M::start(row.load(first));
      for (size_t i = 1; i < kLaneLength; ++i) {
        agg = M::extend(agg, row.load(first + i));
        if (isNaN(agg.B)) i = extendAfterNaN(row, first, i + 1, kLaneLength, agg) - 1;
      }
      out[j] = agg;
    }
  }
  // The general loop's aggregate of a lane of finite coefficients and no NaN addend (start, then
  // extend): A the product in step order, B the chain from the first b stepped as rescanInOrder
  // steps it without its stores (each step the general one, or its plain or scaled form with the
  // same value): lanes of exact zeros (b = 0 for the whole lane, or from its start up to x
  // decaying below the band), which the band check refuses, took extend's general step at every
  // step (the log method on sparse addends ran 17-24x typical data's time, bench/NOTES.md
  // session 25). afterInfinite never applies (A stays finite); false where B is NaN.
  template <class Row> static LINREC_RARE bool generalLane(const Row& row, size_t first, Elem& out) {
    const Elem e = row.load(first);
    Value a = e.A;
    bool numbers = extended::finite(e.A.m) & (e.B.m == e.B.m);
    for (size_t i = 1; i < kLaneLength; ++i) {
      const Elem f = row.load(first + i);
      a = M::Arithmetic::product(a, f.A);
      numbers &= extended::finite(f.A.m) & (f.B.m == f.B.m);
    }
    if (!numbers) return false;
    const Value b = rescanInOrder<false>(row, first + 1, kLaneLength - 1, e.B);
    if (isNaN(b)) return false;
    out = {a, b};
    return true;
  }
  // extend over steps [i, len) of the lane at first, from an aggregate whose B extend made NaN
  // (quiet, exponent 0): at a step without a NaN input, affine(a, B, b) is B bit for bit (as in
  // afterNaN), so only the product and afterInfinite's guard are computed; other steps extend.
  template <class Row>
  static LINREC_RARE size_t extendAfterNaN(const Row& row, size_t first, size_t i, size_t len, Elem& agg) {
    for (; i < len; ++i) {
      const Elem e = row.load(first + i);
      if (isNaN(e.A) || isNaN(e.B))
        agg = M::extend(agg, e);
      else
        agg = M::afterInfinite(agg, {M::Arithmetic::product(agg.A, e.A), agg.B});
    }
    return len;
  }

  template <bool Full, class Row> static void reduceLanesGeneral(const Row& row, size_t begin, size_t len, size_t m,
                                                                 Elem* out, bool* reset, Reach* reach) {
    Elem agg[kLanes];
    size_t size[kLanes];
#pragma GCC unroll 16
    for (size_t j = 0; j < kLanes; ++j) {
      size[j] = Full ? len : laneSize(j, len, m);
      agg[j] = size[j] ? M::start(row.load(begin + j * len)) : M::identity();
    }
    if constexpr (IsAffine<M>::value) {
      // An affine aggregate's A is the plain product of the lane's coefficients: reduce it on
      // its own (SIMD), so the lanes' only serial work is B's multiply-add chain, which is the
      // sequential loop from 0. A NaN product (0·inf) is a reset, as in extend.
      typename M::Value b[kLanes];
#pragma GCC unroll 16
      for (size_t j = 0; j < kLanes; ++j) b[j] = agg[j].B;
#if LINREC_LANE_VECTORS
      if constexpr (Full && kLaneVectors) {
        typename M::Value product[kLanes];
        LaneReach<Value> laneReach[kLanes];
        LaneVectors<Value, Access::kReverse>::reduce(row.a + Row::at(begin), row.b + Row::at(begin), len, b, product,
                                                     reset, laneReach);
        for (size_t j = 0; j < kLanes; ++j)
          out[j] = {M::resetGuard(product[j]), b[j]}, reach[j] = reachOf(laneReach[j]);
        return;
      }
#endif
      // The reach (Reach): prefix products in order, the largest magnitudes of those and of B.
      // Its underflow certificate: g as LaneVectors' G chain; aExp from the product in order with
      // its exponent apart (frexp where it leaves 2^±400); lossy where the product of the factors
      // below 1 in magnitude, a lower bound of every partial product coefficientProduct forms, is
      // below the normal range (or A is).
      using PT = ProductOf<Value>;
      typename M::Value p[kLanes];
      PT grow[kLanes], lowest[kLanes], mantissa[kLanes];
      int exponent[kLanes];
#pragma GCC unroll 16
      for (size_t j = 0; j < kLanes; ++j) {
        p[j] = agg[j].A;
        reach[j] = {Math<Value>::abs(p[j]), Math<Value>::abs(b[j])};
        const PT w = PT(Math<Value>::abs(p[j]));
        grow[j] = 1, lowest[j] = w < PT(1) ? w : PT(1), mantissa[j] = w, exponent[j] = 0;
      }
      for (size_t i = 1; i < len; ++i) {
#pragma GCC unroll 16
        for (size_t j = 0; j < kLanes; ++j)
          if (Full || i < size[j]) {
            const Elem e = row.load(begin + j * len + i);
            b[j] = M::step(b[j], e);
            p[j] *= e.A;
            reach[j].a = larger(reach[j].a, Math<Value>::abs(p[j]));
            reach[j].b = larger(reach[j].b, Math<Value>::abs(b[j]));
            const PT w = PT(Math<Value>::abs(e.A));
            grow[j] = grow[j] * w + PT(1);
            lowest[j] *= w < PT(1) ? w : PT(1);
            mantissa[j] *= w;
            if (!(mantissa[j] >= PT(0x1p-400) && mantissa[j] <= PT(0x1p400)) && mantissa[j] != PT(0) &&
                mantissa[j] - mantissa[j] == PT(0)) {
              int k;
              mantissa[j] = std::frexp(mantissa[j], &k);
              exponent[j] += k;
            }
          }
      }
      for (size_t j = 0; j < kLanes; ++j) {
        reset[j] = false;
        if (!size[j]) continue;
        auto product = coefficientProduct(row, begin + j * len, size[j]);
        agg[j] = {M::resetGuard(product.value), b[j]};
        reset[j] = product.hasZero;
        reach[j].g = grow[j] == grow[j] ? Value(grow[j]) : Math<Value>::inf();
        if (product.hasZero) {
          reach[j].aExp = kNoProduct, reach[j].lossy = false;
        } else {
          reach[j].aExp = mantissa[j] != PT(0) && mantissa[j] - mantissa[j] == PT(0)
                              ? exponent[j] + std::ilogb(mantissa[j]) + 1
                              : kUnknownExponent;
          reach[j].lossy = !(lowest[j] >= std::numeric_limits<PT>::min()) ||
                           !(Math<Value>::abs(agg[j].A) >= Math<Value>::minNormal());
        }
      }
    } else {
      for (size_t i = 1; i < len; ++i) {
#pragma GCC unroll 16
        for (size_t j = 0; j < kLanes; ++j)
          if (Full || i < size[j]) agg[j] = M::extend(agg[j], row.load(begin + j * len + i));
      }
      for (size_t j = 0; j < kLanes; ++j) reset[j] = false, reach[j] = {};  // log-space products do not underflow
    }
#pragma GCC unroll 16
    for (size_t j = 0; j < kLanes; ++j) out[j] = agg[j];
  }

  template <class T> struct Product {
    T value;
    bool hasZero;  // some factor is exactly 0: a zero value is a reset, not an underflow
  };

  template <class Row> static auto coefficientProduct(const Row& row, size_t first, size_t count) {
    const auto* a = row.a + Row::at(first);
    using T = std::remove_const_t<std::remove_pointer_t<decltype(a)>>;
    ProductOf<T> p = 1;  // in double for float32 (LaneVectors::P)
    T smallest = Math<T>::inf();
#pragma omp simd reduction(* : p) reduction(min : smallest)
    for (size_t i = 0; i < count; ++i) {
      T v = a[Row::at(i)];
      p *= v;
      T magnitude = v < T(0) ? -v : v;
      smallest = magnitude < smallest ? magnitude : smallest;
    }
    return Product<T>{T(p), smallest == T(0)};
  }

 private:
  // rescanLanes<true> for the direct method with streaming stores: each lane's steps go to a line
  // buffer (L1) and out a line at a time. Lanes are a whole number of lines apart (kLaneLength·4
  // and ·8 bytes are multiples of 64), so every lane reaches a line boundary after the same head.
  template <class Row> static void rescanLanesStreaming(const Row& row, size_t begin, Value* io) {
#if LINREC_LANE_VECTORS
    if constexpr (kLaneVectors) {
      LaneVectors<Value>::template rescan<true>(row.a + begin, row.b + begin, kLaneLength, row.x + begin, io);
      return;
    }
#endif
#if defined(__SSE2__)
    constexpr size_t kLine = 64 / sizeof(Value), len = kLaneLength;
    static_assert(len * sizeof(Value) % 64 == 0, "lanes a whole number of lines apart");
    Value x[kLanes];
    for (size_t j = 0; j < kLanes; ++j) x[j] = io[j];
    Value* out = &row.x[begin];
    size_t head = ((64 - reinterpret_cast<uintptr_t>(out) % 64) % 64) / sizeof(Value);
    if (reinterpret_cast<uintptr_t>(out) % sizeof(Value)) head = len;  // misaligned: no streaming
    head = std::min(head, len);
    const size_t lines = (len - head) / kLine, tail = head + lines * kLine;
    auto plain = [&](size_t from, size_t to) {
      for (size_t i = from; i < to; ++i) {
#pragma GCC unroll 16
        for (size_t j = 0; j < kLanes; ++j) {
          size_t s = begin + j * len + i;
          x[j] = M::step(x[j], row.load(s));
          row.store(s, x[j]);
        }
      }
    };
    plain(0, head);
    alignas(64) Value line[kLanes][kLine];
    for (size_t i = head; i < tail; i += kLine) {
      for (size_t k = 0; k < kLine; ++k) {
#pragma GCC unroll 16
        for (size_t j = 0; j < kLanes; ++j) {
          x[j] = M::step(x[j], row.load(begin + j * len + i + k));
          line[j][k] = x[j];
        }
      }
      for (size_t j = 0; j < kLanes; ++j) {
        Value* to = out + j * len + i;
        for (size_t q = 0; q < 64; q += 16) {
          if constexpr (sizeof(Value) == 4)
            _mm_stream_ps(reinterpret_cast<float*>(to) + q / 4,
                          _mm_load_ps(reinterpret_cast<const float*>(line[j]) + q / 4));
          else
            _mm_stream_pd(reinterpret_cast<double*>(to) + q / 8,
                          _mm_load_pd(reinterpret_cast<const double*>(line[j]) + q / 8));
        }
      }
    }
    plain(tail, len);
    for (size_t j = 0; j < kLanes; ++j) io[j] = x[j];
#else
    rescanLanes<true>(row, begin, kLaneLength, kTile, io, nullptr);
#endif
  }

  // Lane by lane, each plain up to its first step that is not (rescanInOrder); lanes marked in
  // `skip` (may be null) were already stepped through.
  template <class Row>
  static LINREC_RARE void rescanEach(const Row& row, size_t begin, size_t len, size_t m, Value* io, const bool* skip) {
    for (size_t j = 0; j < kLanes; ++j) {
      size_t size = (skip && skip[j]) ? 0 : laneSize(j, len, m);
      if (size) io[j] = rescanInOrder(row, begin + j * len, size, io[j]);
    }
  }

  // Lanes marked in `skip` (may be null) were already stepped through.
  template <bool Full, class Row>
  static void rescanLanes(const Row& row, size_t begin, size_t laneLength, size_t m, Value* io, const bool* skip) {
    const size_t len = Full ? kLaneLength : laneLength;
    if constexpr (HasPlainPath<Row>::value) {
      if (Full && PlainExtended::rescan(row, begin, len, kLanes, io)) return;
      rescanEach(row, begin, len, m, io, skip);
      return;
    }
#if LINREC_LANE_VECTORS
    if constexpr (Full && kLaneVectors) {
      LaneVectors<Value, Access::kReverse>::template rescan<false>(row.a + Row::at(begin), row.b + Row::at(begin), len,
                                                                   row.x + Row::at(begin), io);
      return;
    }
#endif
    Value x[kLanes];
    size_t size[kLanes];
#pragma GCC unroll 16
    for (size_t j = 0; j < kLanes; ++j) {
      size[j] = Full ? len : (skip && skip[j]) ? 0 : laneSize(j, len, m);
      x[j] = io[j];
    }
    for (size_t i = 0; i < len; ++i) {
#pragma GCC unroll 16
      for (size_t j = 0; j < kLanes; ++j)
        if (Full || i < size[j]) {
          size_t s = begin + j * len + i;
          x[j] = M::step(x[j], row.load(s));
          row.store(s, x[j]);
        }
    }
#pragma GCC unroll 16
    for (size_t j = 0; j < kLanes; ++j) io[j] = x[j];
  }

  const Access acc_;
  const size_t rows_, n_, tilesPerRow_;
  std::atomic<size_t> next_{0};
  std::unique_ptr<Status[]> status_;
  bool stream_ = false;
  bool paired_ = false;
  bool several_ = false;  // more than one thread works
};

// AffineMonoid::joinsExactly for every monoid (extended numbers never lose a B to an underflow;
// their composable refuses only non-finite parts).
template <class M> bool joinsExactly(const typename M::Elem& l, const typename M::Elem& r, bool rZero) {
  if constexpr (IsAffine<M>::value)
    return M::joinsExactly(l, r, rZero);
  else
    return M::composable(M::value(l), r, rZero);
}

// The composed map of each row: the scan's phase 1 alone, tiles in parallel, folded in order.
template <class Access>
void aggregateRows(const Access& acc, size_t rows, size_t n, unsigned threads, typename Access::Monoid::Elem* out) {
  using M = typename Access::Monoid;
  using Elem = typename M::Elem;
  size_t tilesPerRow = (n + kTile - 1) / kTile, tiles = rows * tilesPerRow;
  std::vector<Elem> tileAgg(tiles);
  // Per tile: some coefficient is 0 (its A is an exact 0), and its lanes joined as the loop would
  // (see TileScan::scanTileOn's total).
  std::unique_ptr<bool[]> tileZero(new bool[tiles]), tileExact(new bool[tiles]);
  // and where B's chain from 0 may overflow inside a tile (TileScan::Reach), its reach
  using Scan = TileScan<Access>;
  std::vector<typename Scan::Reach> tileReach(tiles);
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t k; (k = next.fetch_add(1, std::memory_order_relaxed)) < tiles;) {
      size_t r = k / tilesPerRow, begin = (k % tilesPerRow) * kTile;
      size_t m = std::min(kTile, n - begin);
      Elem lane[kLanes];
      bool reset[kLanes];
      typename Scan::Reach reach[kLanes];
      const size_t len = m == kTile ? kLaneLength : (m + kLanes - 1) / kLanes;
      if (m == kTile)
        Scan::template reduceLanes<true>(acc.row(r), begin, kLaneLength, m, lane, reset, reach);
      else
        Scan::template reduceLanes<false>(acc.row(r), begin, len, m, lane, reset, reach);
      Elem total = lane[0];
      bool zero = reset[0], exact = true;
      typename Scan::Reach totalReach = reach[0];
      for (size_t j = 1; j < kLanes; ++j) {
        exact = exact && joinsExactly<M>(total, lane[j], reset[j]) &&
                Scan::laneFits(M::value(total), lane[j], reset[j], reach[j], acc.row(r), begin + j * len,
                               Scan::laneSize(j, len, m));
        totalReach = Scan::joinReach(totalReach, total, reach[j], lane[j]);
        total = M::combine(total, lane[j]);
        zero = zero || reset[j];
      }
      tileAgg[k] = total;
      tileZero[k] = zero;
      tileExact[k] = exact;
      tileReach[k] = totalReach;
    }
  };
  runOnThreads(rows * n < kParallelThreshold ? 1 : std::min<size_t>(threads, tiles), work);
  Elem total = M::identity();  // the row's total so far (below)
  // Whether the row's total so far stays within tile k's reach with its lanes' peaks (rare: its
  // lanes' phase 1 kept bounds, see TileScan::Reach): the tile's phase 1 again, then refined.
  auto withinPreciseTile = [&](size_t k) {
    size_t r = k / tilesPerRow, begin = (k % tilesPerRow) * kTile;
    Elem lane[kLanes];
    bool reset[kLanes];
    typename Scan::Reach reach[kLanes];
    Scan::template reduceLanes<true>(acc.row(r), begin, kLaneLength, kTile, lane, reset, reach);  // bounds: full tiles
    typename Scan::Reach totalReach = tileReach[k];
    return Scan::tileFits(M::value(total), tileAgg[k], tileZero[k], totalReach, reach, lane, acc.row(r), begin,
                          kLaneLength, kTile);
  };
  for (size_t r = 0; r < rows; ++r) {
    if (n == 0) {  // no steps: the identity (and no row: an empty row's reverse start is before its data)
      out[r] = M::identity();
      continue;
    }
    const auto row = acc.row(r);
    if constexpr (IsAffine<M>::value) {  // a first coefficient ±inf (rare; monoid.h, composeFromInfinite)
      if (infiniteCoefficient(row.load(0).A)) {  // A and B in order: the joins below are not needed
        out[r] = composeFromInfinite<typename M::Scalar>(n, [&](size_t i) { return row.load(i); });
        continue;
      }
    }
    total = M::identity();
    bool exact = true;
    for (size_t t = 0; t < tilesPerRow; ++t) {
      const size_t k = r * tilesPerRow + t;
      exact = exact && tileExact[k] && joinsExactly<M>(total, tileAgg[k], tileZero[k]) &&
              ((Scan::within(M::value(total), tileReach[k]) &&
                Scan::clearOfUnderflow(M::value(total), tileAgg[k], tileZero[k], tileReach[k])) ||
               (tileReach[k].bound && withinPreciseTile(k)));
      total = M::combine(total, tileAgg[k]);
    }
    if (!exact)  // rare: B as its definition, start then extend (A, a product, is right as it is)
      total.B = Scan::inOrderB(row, n);
    out[r] = total;
  }
}

}  // namespace cpu
}  // namespace linrec
