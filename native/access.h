// Adapters between a ScanJob's arrays and a monoid's elements, for host and device code.
// Each reads step i of row r as an element and writes the value after it, so an engine is
// written once over (Monoid, Access) and knows nothing of layouts, directions or logs.
#pragma once

#include <algorithm>
#include <memory>
#include <type_traits>

#include "job.h"
#include "monoid.h"

// The staged tiles' plain conversions (LogAccess::Row::logsToPlainWide, compensatedLogsWide) in
// 512-bit vectors where the build has AVX-512 (the -v4 variant, which otherwise prefers 256-bit:
// see CMakeLists.txt). Not inlined, so that only their loops take that width.
#if defined(__AVX512F__) && defined(__GNUC__) && !defined(__CUDACC__) && !defined(__clang__)
#define LINREC_WIDE_VECTORS 1
#define LINREC_WIDE_FUNCTION __attribute__((noinline, target("prefer-vector-width=512")))
#else
#define LINREC_WIDE_VECTORS 0
#endif

namespace linrec {

// Where step i of a row lies in memory: reverse runs by index mapping, never by copying.
template <bool Reverse> struct RowIndex {
  size_t n;
  LINREC_HD size_t operator()(size_t i) const { return Reverse ? n - 1 - i : i; }
};

// Raw a, b in; x out. Monoid is AffineMonoid<T> (Direct), or ExtendedAffineMonoid<T> or
// ExtendedFloatAffineMonoid (LogFromRaw).
template <class M, bool Reverse> struct RawAccess {
  static constexpr bool kReverse = Reverse;
  static constexpr bool kStaged = false;  // loads and stores are cheap enough inside the chain
  using Monoid = M;
  using T = typename Monoid::Scalar;
  using Elem = typename Monoid::Elem;
  using Value = typename Monoid::Value;

  const T* a;
  const T* b;
  T* x;
  const T* x0;
  T* x0Copy;
  T* last;
  size_t aStride, bStride, xStride, x0Stride, x0CopyStride;
  RowIndex<Reverse> index;

  explicit RawAccess(const ScanJob& j)
      : a(static_cast<const T*>(j.a)), b(static_cast<const T*>(j.b)), x(static_cast<T*>(j.x)),
        x0(static_cast<const T*>(j.x0)), x0Copy(static_cast<T*>(j.x0Copy)), last(static_cast<T*>(j.last)),
        aStride(j.aStride), bStride(j.bStride), xStride(j.xStride), x0Stride(j.x0Stride),
        x0CopyStride(j.x0CopyStride), index{j.n} {}

  static LINREC_HD Elem make(T av, T bv, AffineMonoid<T>*) { return {av, bv}; }
  static LINREC_HD Elem make(T av, T bv, ExtendedAffineMonoid<T>*) {
    return {extended::fromValue(av), extended::fromValue(bv)};
  }
  static LINREC_HD Elem make(T av, T bv, ExtendedFloatAffineMonoid*) {
    return {extended32::fromValue(av), extended32::fromValue(bv)};
  }
  static LINREC_HD T raw(T v) { return v; }
  static LINREC_HD T raw(Extended v) { return T(extended::toDouble(v)); }
  static LINREC_HD T raw(ExtendedFloat v) { return T(extended32::toFloat(v)); }
  static LINREC_HD Value fromRaw(T v, T*) { return v; }
  static LINREC_HD Value fromRaw(T v, Extended*) { return extended::fromValue(v); }
  static LINREC_HD Value fromRaw(T v, ExtendedFloat*) { return extended32::fromValue(float(v)); }

  LINREC_HD Elem load(size_t r, size_t i) const { return row(r).load(i); }
  LINREC_HD void store(size_t r, size_t i, Value v) const { row(r).store(i, v); }

  // One row's arrays, based at its step 0 and stepping backwards when Reverse: hot loops take
  // this by value so they work on plain local pointers.
  struct Row {
    const T* a;
    const T* b;
    T* x;
    static LINREC_HD ptrdiff_t at(size_t i) { return Reverse ? -ptrdiff_t(i) : ptrdiff_t(i); }
    LINREC_HD Elem load(size_t i) const { return make(a[at(i)], b[at(i)], static_cast<Monoid*>(nullptr)); }
    LINREC_HD void store(size_t i, Value v) const { x[at(i)] = raw(v); }
    // The log method's plain path (ExtendedAffineMonoid, see TileScan): inputs as doubles, and
    // an x with exponent 0.
    static constexpr bool kPlain = std::is_same<M, ExtendedAffineMonoid<T>>::value;
    LINREC_HD double plainA(size_t i) const { return double(a[at(i)]); }
    LINREC_HD double plainB(size_t i) const { return double(b[at(i)]); }
    LINREC_HD void storePlain(size_t i, double m) const { x[at(i)] = T(m); }
    // Raw inputs are read as they are (the plain loop checks its results alone).
    static LINREC_HD bool plainInputs(size_t, size_t) { return true; }
    // In place (scan's `out: values`, the only overlap the API lets through): a store replaces the
    // b that a chain redone from an earlier step would read again.
    LINREC_HD bool storesOverInputs() const { return static_cast<const void*>(x) == static_cast<const void*>(b); }
    static LINREC_HD void markPlain(size_t) {}
  };
  LINREC_HD Row row(size_t r) const {
    size_t j0 = index(0);
    return {a + r * aStride + j0, b + r * bStride + j0, x ? x + r * xStride + j0 : nullptr};
  }
  LINREC_HD Value initial(size_t r) const {
    T v = x0[r * x0Stride];
    if (x0Copy) x0Copy[r * x0CopyStride] = v;
    return fromRaw(v, static_cast<Value*>(nullptr));
  }
  // initial's value without its copy: for a thread that composes another's tiles (nothing written).
  LINREC_HD Value initialValue(size_t r) const { return fromRaw(x0[r * x0Stride], static_cast<Value*>(nullptr)); }
  // Whether the call writes over row r's x_0: its copy in place, or the last x in a Scanner's state
  // (lastOverInitial: only that).
  LINREC_HD bool initialWritten(size_t r) const {
    return (x0Copy && x0Copy + r * x0CopyStride == x0 + r * x0Stride) || lastOverInitial(r);
  }
  LINREC_HD bool lastOverInitial(size_t r) const { return last && last + r == x0 + r * x0Stride; }
  LINREC_HD void finish(size_t r, Value v) const {
    if (last) last[r] = raw(v);
  }
  // A row of no steps: x_0 is its last x, copied as it is (not through the monoid's form).
  LINREC_HD void finishUnchanged(size_t r) const {
    T v = x0[r * x0Stride];
    if (x0Copy) x0Copy[r * x0CopyStride] = v;
    if (last) last[r] = v;
  }
};

// A tile of ExtendedAffineMonoid elements and results staged by the CPU engine, one array per
// field, so that the conversions from and to logs run as vector loops.
class ExtendedTile {
 public:
  explicit ExtendedTile(size_t capacity)
      : am_(new double[capacity]), bm_(new double[capacity]), xm_(new double[capacity]), xl_(new double[capacity]),
        ae_(new int32_t[capacity]), be_(new int32_t[capacity]), xe_(new int64_t[capacity]) {}
  // What the chain reads and writes: plain pointers, so that its stores are seen not to move
  // them. Plain: the inputs are all plain doubles (exponents 0, not stored), the common case.
  template <class Pair, bool Plain> struct Steps {
    const double* __restrict am;
    const double* __restrict bm;
    const int32_t* __restrict ae;
    const int32_t* __restrict be;
    double* __restrict xm;
    double* __restrict xl;
    int64_t* __restrict xe;
    bool* general;  // set by any store but storePlain: then every store of the tile was general
    bool* positive;  // set where every plain result is certainly positive (markPositive)
    // float32 rows: where the results go as logs (step begin's; stepping backwards where logReverse),
    // so that a bounded plain rescan may take them there itself (markLogged) instead of staging them
    // in xm; else null.
    float* logOut;
    bool* logged;
    // float32 forward rows without coefficient signs: the coefficients' logs (step begin's), so
    // that a bounded tile's lane products may be taken as e^(sum of logs); else null.
    const float* logA;
    size_t begin;
    // Rows of positive inputs, lane by lane (the tile's ranges of laneLength steps from begin):
    // where a lane's inputs are plain and its coefficients at most 1 + 2^-20, its greatest addend
    // (then every value of the lane from a positive start stays in the band, see
    // PlainExtended::bounded); else -1. Per lane, so that the path a lane takes (and its bits)
    // depends on its own data alone, in a mixed tile too.
    const double* bandBound;
    size_t laneLength;
    // Plain tiles whose coefficients' magnitudes are at most 1 + 2^-20, signs allowed: the greatest
    // addend's magnitude (PlainExtended::magnitudeBounded); else -1.
    double magnitudeBound;
    bool logReverse;  // reverse rows (ReverseRowTile::steps)
    static constexpr bool kBandBound = true;
    Pair load(size_t s) const {
      size_t i = s - begin;
      return Plain ? Pair{{am[i], 0}, {bm[i], 0}} : Pair{{am[i], ae[i]}, {bm[i], be[i]}};
    }
    // A general result: with a low part of 0, so that storeRange may convert any result with
    // exponent 0 in the band as a plain one (ExtendedTile::Steps in a mixed tile).
    void store(size_t s, Extended x) const {
      xm[s - begin] = x.m;
      xe[s - begin] = x.e;
      xl[s - begin] = 0;
      *general = true;
    }
    // Both forms have the plain path: a tile of plain inputs only (Plain) throughout, a mixed tile
    // (some input not plain: a NaN, an infinity, a zero, a log beyond kPlainLog) on each lane whose
    // inputs all have exponent 0 (plainInputs), and on each chain up to its first step that is
    // not plain (TileScan::rescanInOrder). So a result's bits never depend on a later step's input
    // (results before a NaN stay those without it, test/51).
    static constexpr bool kPlain = true;
    bool plainInputs(size_t first, size_t count) const {
      if constexpr (Plain) {
        (void)first, (void)count;
        return true;
      } else {
        int32_t any = 0;
        const size_t i = first - begin;
        for (size_t k = 0; k < count; ++k) any |= ae[i + k] | be[i + k];
        return any == 0;
      }
    }
    // Plain staged inputs are e^l for |l| <= kPlainLog: normal, nonzero and finite (a sign at most).
    static constexpr bool kNormalPlain = Plain;
    // float64 data: plain rescans carry each result's rounding error (storeLow), so that the
    // results' logs are taken of x + low (bench/NOTES.md, session 6).
    static constexpr bool kCompensated = std::is_same<Pair, ExtendedPair<double>>::value;
    void storeLow(size_t s, double low) const { xl[s - begin] = low; }
    double plainA(size_t s) const { return am[s - begin]; }
    double plainB(size_t s) const { return bm[s - begin]; }
    void storePlain(size_t s, double m) const { xm[s - begin] = m; }  // in the band, exponent 0
    // A plain result of a tile whose other results may be general (TileScan::rescanInOrder):
    // its exponent written too, for storeRange's per-result conversion.
    void markPlain(size_t s) const { xe[s - begin] = 0; }
    // The plain rescan's lanes all start positive on positive inputs (PlainExtended::bounded):
    // every result is positive, and storeRange writes the signs without reading the results.
    void markPositive() const { *positive = true; }
    // The rescan stored every result's log at logOut (storeRange then writes the signs only).
    void markLogged() const { *logged = true; }
  };
  // The tile's steps; its results are plain (every x in the band with exponent 0, xe not
  // written) unless generalResults() says otherwise afterwards.
  template <class Pair, bool Plain> Steps<Pair, Plain> steps(size_t begin) {
    general_ = positive_ = logged_ = false;
    return {am_.get(), bm_.get(), ae_.get(), be_.get(), xm_.get(),  xl_.get(),   xe_.get(),       &general_, &positive_,
            logOut_,   &logged_,  logA_,     begin,     bandBound_, laneLength_, magnitudeBound_, false};
  }
  bool positiveResults() const { return positive_ && !general_; }
  bool loggedResults() const { return logged_ && !general_; }
  void setLogOut(float* out, const float* logA) { logOut_ = out, logA_ = logA; }
  // The lanes the bounds below are for: ranges of laneLength steps (at most kMaxLanes).
  static constexpr size_t kMaxLanes = 16;
  void setLaneLength(size_t length) { laneLength_ = length; }
  void setBandBound(size_t lane, double bound) { bandBound_[lane] = bound; }
  void setMagnitudeBound(double bound) { magnitudeBound_ = bound; }
  bool generalResults() const { return general_; }
  // Input exponents of converted logs are within ±2^29 (extended::kMaxLog): int32 holds them.
  double* am() { return am_.get(); }
  double* bm() { return bm_.get(); }
  int32_t* ae() { return ae_.get(); }
  int32_t* be() { return be_.get(); }
  const double* xm() const { return xm_.get(); }
  const double* xl() const { return xl_.get(); }  // float64 plain results only (Steps::kCompensated)
  const int64_t* xe() const { return xe_.get(); }

 private:
  std::unique_ptr<double[]> am_, bm_, xm_, xl_;
  std::unique_ptr<int32_t[]> ae_, be_;
  std::unique_ptr<int64_t[]> xe_;
  bool general_ = false, positive_ = false, logged_ = false;
  float* logOut_ = nullptr;
  const float* logA_ = nullptr;
  double bandBound_[kMaxLanes] = {}, magnitudeBound_ = -1;
  size_t laneLength_ = 0;
};

// The staged tile of reverse rows of T logs: with room for one range's logs and signs in step order,
// an input's before its conversion and the results' signs before they are stored (LogAccess::Row),
// and steps whose logOut steps backwards.
template <class T> class ReverseRowTile : public ExtendedTile {
 public:
  explicit ReverseRowTile(size_t capacity)
      : ExtendedTile(capacity), logs_(new T[capacity]), signs_(new int8_t[capacity]) {}
  template <class Pair, bool Plain> Steps<Pair, Plain> steps(size_t begin) {
    Steps<Pair, Plain> steps = ExtendedTile::steps<Pair, Plain>(begin);
    steps.logReverse = true;
    return steps;
  }
  T* orderedLogs() { return logs_.get(); }
  int8_t* orderedSigns() { return signs_.get(); }

 private:
  std::unique_ptr<T[]> logs_;
  std::unique_ptr<int8_t[]> signs_;
};

// log|a|, sign, log|b|, sign in; log|x|, sign out (ExtendedAffineMonoid<T> or
// ExtendedFloatAffineMonoid). A null sign array means all positive; a negative sign entry means
// negative, any other means positive.
template <class T, bool Reverse, class M> struct LogAccess {
  static constexpr bool kReverse = Reverse;
  using Monoid = M;
  using Elem = typename Monoid::Elem;
  using Value = typename Monoid::Value;
  using L = typename Monoid::T;  // the monoid's arithmetic type
  // Extended numbers are converted from and to logs a tile at a time, outside the chain (the
  // conversions vectorize there): see TileScan.
  static constexpr bool kStaged = std::is_same<M, ExtendedAffineMonoid<T>>::value;
  using Stage = std::conditional_t<Reverse, ReverseRowTile<T>, ExtendedTile>;

  // One step's logs as an element, and an x as its log and sign, in each monoid's form.
  static LINREC_HD ExtendedPair<T> make(T la, T lb, bool negA, bool negB, ExtendedPair<T>*) {
    using E = ExtendedAffineMonoid<T>;
    return {extended::fromLog<E::kExpDegree>(la, negA), extended::fromLog<E::kExpDegree>(lb, negB)};
  }
  static LINREC_HD ExtendedFloatPair make(T la, T lb, bool negA, bool negB, ExtendedFloatPair*) {
    return {extended32::fromLog(float(la), negA), extended32::fromLog(float(lb), negB)};
  }
  static LINREC_HD Value fromLog(T l, bool neg, Extended*) {
    return extended::fromLog<ExtendedAffineMonoid<T>::kExpDegree>(l, neg);
  }
  static LINREC_HD Value fromLog(T l, bool neg, ExtendedFloat*) { return extended32::fromLog(float(l), neg); }
  static LINREC_HD T logOf(Extended v) { return T(extended::logOf<ExtendedAffineMonoid<T>::kLogTerms>(v)); }
  static LINREC_HD T logOf(ExtendedFloat v) { return T(extended32::logOf(v)); }
  static LINREC_HD bool negativeOf(Extended v) { return v.m < 0; }
  static LINREC_HD bool negativeOf(ExtendedFloat v) { return v.m < 0; }

  const T* a;
  const T* b;
  T* x;
  const T* x0;
  T* x0Copy;
  T* last;
  const int8_t *aSign, *bSign, *x0Sign;
  int8_t *xSign, *x0CopySign, *lastSign;
  size_t aStride, bStride, xStride, x0Stride, x0CopyStride;
  RowIndex<Reverse> index;

  explicit LogAccess(const ScanJob& j)
      : a(static_cast<const T*>(j.a)), b(static_cast<const T*>(j.b)), x(static_cast<T*>(j.x)),
        x0(static_cast<const T*>(j.x0)), x0Copy(static_cast<T*>(j.x0Copy)), last(static_cast<T*>(j.last)),
        aSign(j.aSign), bSign(j.bSign), x0Sign(j.x0Sign), xSign(j.xSign), x0CopySign(j.x0CopySign),
        lastSign(j.lastSign), aStride(j.aStride), bStride(j.bStride), xStride(j.xStride), x0Stride(j.x0Stride),
        x0CopyStride(j.x0CopyStride), index{j.n} {}

  static LINREC_HD bool negative(const int8_t* s, size_t k) { return s && s[k] < 0; }
  static LINREC_HD int8_t signOf(bool neg) { return neg ? int8_t(-1) : int8_t(1); }

  LINREC_HD Elem load(size_t r, size_t i) const { return row(r).load(i); }
  LINREC_HD void store(size_t r, size_t i, Value v) const { row(r).store(i, v); }

  struct Row {
    const T* a;
    const T* b;
    T* x;
    const int8_t *aSign, *bSign;
    int8_t* xSign;
    static LINREC_HD ptrdiff_t at(size_t i) { return Reverse ? -ptrdiff_t(i) : ptrdiff_t(i); }
    LINREC_HD Elem load(size_t i) const {
      return make(a[at(i)], b[at(i)], aSign && aSign[at(i)] < 0, bSign && bSign[at(i)] < 0,
                  static_cast<Elem*>(nullptr));
    }
    LINREC_HD void store(size_t i, Value v) const {
      x[at(i)] = logOf(v);
      xSign[at(i)] = signOf(negativeOf(v));
    }
    // Steps [begin, begin + count) converted into a staged tile at once, and its results back:
    // one field per loop, so that each loop vectorizes with few live constants.
    // Whether every log of [begin, begin + count) converts to a plain double (|l| <= kPlainLog;
    // NaN and infinities do not); then m gets e^l and e is not written.
    // largest: the greatest |m| of a plain tile (else not written).
    static bool logsToExtended(const T* l, const int8_t* sign, size_t begin, size_t count, double* m, int32_t* e,
                               double& largest) {
      if (logsToPlain(l, sign, begin, count, m, largest)) return true;
      // A log within ±kPlainLog keeps logsToPlain's e^l (exponent 0): its element is the one a
      // plain range gives it, whatever else the range holds (a NaN, an infinity: test/51).
      constexpr int kDegree = ExtendedAffineMonoid<T>::kExpDegree;
      for (size_t i = 0; i < count; ++i) {
        T v = l[at(begin + i)];
        if (v >= T(-extended::kPlainLog) && v <= T(extended::kPlainLog)) {
          e[i] = 0;
          continue;
        }
        Extended w = extended::fromLog<kDegree>(v, sign && sign[at(begin + i)] < 0);
        m[i] = w.m;
        e[i] = int32_t(w.e);
      }
      return false;
    }
#if LINREC_WIDE_VECTORS
    // logsToPlain in 512-bit vectors: elementwise, so the same values, in about half the time on Zen 5
    // (bench/NOTES.md, session 12).
    LINREC_WIDE_FUNCTION static bool logsToPlainWide(const T* l, const int8_t* sign, size_t begin, size_t count,
                                                     double* m, double& largest) {
      return logsToPlain(l, sign, begin, count, m, largest);
    }
#endif
    // logsToExtended's conversion of a plain range: whether every log is within ±kPlainLog, then m
    // holds e^l and largest is set.
    LINREC_HD_HOT static bool logsToPlain(const T* l, const int8_t* sign, size_t begin, size_t count, double* m,
                                          double& largest) {
      constexpr int kDegree = ExtendedAffineMonoid<T>::kExpDegree;
      int outside = 0;
      if (sign) {
#if defined(__AVX__)
        // An int flag per element: GCC vectorizes it where registers hold 32 bytes (the -v3 and
        // -v4 builds keep this form, whose bits their FMA contractions were checked with).
        double big = 0;
#pragma omp simd reduction(| : outside) reduction(max : big)
        for (size_t i = 0; i < count; ++i) {
          T v = l[at(begin + i)];
          outside |= !(v >= T(-extended::kPlainLog) && v <= T(extended::kPlainLog));
          double p = extended::expPlain<kDegree>(v);
          m[i] = sign[at(begin + i)] < 0 ? -p : p;
          big = p > big ? p : big;
        }
        if (!outside) largest = big;
#else
        // The range as the logs' least and greatest and NaN as a sum of v·0, as for float32 below:
        // the int flag from a compare of doubles kept GCC from vectorizing this loop and the float64
        // one for 16-byte registers (no 2 x int32 vector), 4-5x the v3 variant's logScan float64
        // time (bench/NOTES.md, session 11).
        double big = 0;
        T top = count ? l[at(begin)] : T(0), bottom = top, poison = 0;
#pragma omp simd reduction(+ : poison) reduction(max : top, big) reduction(min : bottom)
        for (size_t i = 0; i < count; ++i) {
          T v = l[at(begin + i)];
          poison += v * T(0);
          top = v > top ? v : top;
          bottom = v < bottom ? v : bottom;
          double p = extended::expPlain<kDegree>(v);
          m[i] = sign[at(begin + i)] < 0 ? -p : p;
          big = p > big ? p : big;
        }
        outside = poison != poison || !(bottom >= T(-extended::kPlainLog) && top <= T(extended::kPlainLog));
        if (!outside) largest = big;
#endif
      } else if constexpr (std::is_same<T, float>::value) {
        // The range as the logs' least and greatest (and a NaN flag), the bound from the greatest:
        // expPlain<6> is within 2^-27 of e^l, so its e^top·(1 + 2^-22) is at least every m. One
        // float max and min per 8 logs instead of two double maxima (bench/NOTES.md, session 8).
        // NaN as a sum of v·0 (NaN from a NaN or an infinity): one multiply-add per 8 logs instead
        // of a compare, a mask and an or (bench/NOTES.md, session 10).
        float top = count ? l[at(begin)] : 0.0f, bottom = top, poison = 0;
#pragma omp simd reduction(+ : poison) reduction(max : top) reduction(min : bottom)
        for (size_t i = 0; i < count; ++i) {
          float v = l[at(begin + i)];
          poison += v * 0.0f;
          top = v > top ? v : top;
          bottom = v < bottom ? v : bottom;
          m[i] = extended::expPlain<kDegree>(v);
        }
        outside = poison != poison || !(bottom >= float(-extended::kPlainLog) && top <= float(extended::kPlainLog));
        if (!outside) largest = extended::expPlain<kDegree>(top) * (1 + 0x1p-22);
      } else {
#if defined(__AVX__)
        double big = 0;
#pragma omp simd reduction(| : outside) reduction(max : big)
        for (size_t i = 0; i < count; ++i) {
          T v = l[at(begin + i)];
          outside |= !(v >= T(-extended::kPlainLog) && v <= T(extended::kPlainLog));
          double p = extended::expPlain<kDegree>(v);
          m[i] = p;
          big = p > big ? p : big;
        }
        if (!outside) largest = big;
#else
        double big = 0, top = count ? l[at(begin)] : 0.0, bottom = top, poison = 0;
#pragma omp simd reduction(+ : poison) reduction(max : top, big) reduction(min : bottom)
        for (size_t i = 0; i < count; ++i) {
          double v = l[at(begin + i)];
          poison += v * 0.0;
          top = v > top ? v : top;
          bottom = v < bottom ? v : bottom;
          double p = extended::expPlain<kDegree>(v);
          m[i] = p;
          big = p > big ? p : big;
        }
        outside = poison != poison || !(bottom >= -extended::kPlainLog && top <= extended::kPlainLog);
        if (!outside) largest = big;
#endif
      }
      return !outside;
    }
    // The same rows stepping forwards: reverse rows convert their ranges in step order through it.
    using ForwardRow = typename LogAccess<T, false, M>::Row;
    // Reverse rows: entries [begin, begin + count) of a row in step order (to[i] = from[at(begin + i)]),
    // and back. A loop of one type, which GCC vectorizes reversed; the conversion loops, of several
    // types, it leaves scalar where they step backwards ("multiple types with negative step"), so
    // reverse rows convert copies in step order (bench/NOTES.md, session 12).
    template <class U> static void toStepOrder(const U* from, size_t begin, size_t count, U* __restrict to) {
      const U* low = from + at(begin + count - 1);
      for (size_t i = 0; i < count; ++i) to[i] = low[count - 1 - i];
    }
    template <class U> static void fromStepOrder(const U* __restrict from, size_t begin, size_t count, U* to) {
      U* low = to + at(begin + count - 1);
      for (size_t i = 0; i < count; ++i) low[count - 1 - i] = from[i];
    }
    // One input's range into the tile (m, e), as logsToExtended a lane (laneLength steps) at a time:
    // whether lane j is plain (plain[j]) and its largest |m| (largest[j]); returns whether all are.
    static bool loadInput(const T* l, const int8_t* sign, size_t begin, size_t count, size_t laneLength, double* m,
                          int32_t* e, double* largest, bool* plain, Stage& tile) {
      bool all = true;
      auto eachLane = [&](auto&& convert) {
        for (size_t j = 0, first = 0; first < count; ++j, first += laneLength) {
          const size_t size = std::min(laneLength, count - first);
          largest[j] = -1;
          plain[j] = convert(first, size, largest[j]);
          all &= plain[j];
        }
      };
      // A lane that is not plain is converted again by logsToExtended (the general loop's bits
      // depend on the code it is compiled with: bench/NOTES.md, session 12).
      auto general = [&](size_t first, size_t size, double& big) {
        return logsToExtended(l, sign, begin + first, size, m + first, e + first, big);
      };
#if !defined(__AVX__)
      // The baseline variant's float64 loop without signs (doubles only) steps backwards in vectors
      // as it is: copying first cost 5% more there.
      if constexpr (Reverse && std::is_same<T, double>::value) {
        if (!sign) {
          eachLane(general);
          return all;
        }
      }
#endif
      if constexpr (Reverse) {
        // The whole range in step order first, then its lanes (copies lane by lane cost 4% more).
        T* logs = tile.orderedLogs();
        int8_t* signs = sign ? tile.orderedSigns() : nullptr;
        toStepOrder(l, begin, count, logs);
        if (sign) toStepOrder(sign, begin, count, signs);
        eachLane([&](size_t first, size_t size, double& big) {
#if LINREC_WIDE_VECTORS
          return ForwardRow::logsToPlainWide(logs, signs, first, size, m + first, big) || general(first, size, big);
#else
          return ForwardRow::logsToPlain(logs, signs, first, size, m + first, big) || general(first, size, big);
#endif
        });
      } else {
#if LINREC_WIDE_VECTORS
        eachLane([&](size_t first, size_t size, double& big) {
          return logsToPlainWide(l, sign, begin + first, size, m + first, big) || general(first, size, big);
        });
#else
        eachLane(general);
#endif
      }
      return all;
    }
    // Returns whether the tile is plain (see ExtendedTile::loadPlain), with each lane's bounds
    // (lanes of laneLength steps).
    bool loadRange(size_t begin, size_t count, size_t laneLength, Stage& tile) const {
      const size_t lanes = (count + laneLength - 1) / laneLength;
      double largestA[Stage::kMaxLanes], largestB[Stage::kMaxLanes];
      bool laneA[Stage::kMaxLanes], laneB[Stage::kMaxLanes];
      bool plainA = loadInput(a, aSign, begin, count, laneLength, tile.am(), tile.ae(), largestA, laneA, tile);
      bool plainB = loadInput(b, bSign, begin, count, laneLength, tile.bm(), tile.be(), largestB, laneB, tile);
      // Positive plain lanes of coefficients at most 1 + 2^-20 (PlainExtended::bounded).
      bool contracting = plainA && plainB;
      double largest = 0;
      tile.setLaneLength(laneLength);
      for (size_t j = 0; j < lanes; ++j) {
        bool laneContracting = laneA[j] && laneB[j] && largestA[j] <= 1 + 0x1p-20;
        tile.setBandBound(j, !aSign && !bSign && laneContracting ? largestB[j] : -1.0);
        contracting &= laneContracting;
        largest = std::max(largest, largestB[j]);
      }
      tile.setMagnitudeBound(contracting ? largest : -1.0);
      if constexpr (std::is_same<T, float>::value && !Reverse)
        tile.setLogOut(x ? x + begin : nullptr, aSign ? nullptr : a + begin);
      else if constexpr (std::is_same<T, float>::value)  // stepping backwards (Steps::logReverse)
        tile.setLogOut(x ? x + at(begin) : nullptr, nullptr);
      else
        tile.setLogOut(nullptr, nullptr);  // a stage is reused across calls (TileScan's StagePool)
      if (!(plainA && plainB)) {  // a mixed tile reads every exponent: 0 for the plain lanes'
        for (size_t j = 0; j < lanes; ++j) {
          const size_t first = j * laneLength, size = std::min(laneLength, count - first);
          if (laneA[j]) std::fill(tile.ae() + first, tile.ae() + first + size, 0);
          if (laneB[j]) std::fill(tile.be() + first, tile.be() + first + size, 0);
        }
      }
      return plainA && plainB;
    }
    // float64 plain results m with their rounding errors low: the logs of m + low.
    LINREC_HD_HOT void compensatedLogs(const double* m, const double* low, size_t begin, size_t count) const {
      for (size_t i = 0; i < count; ++i) {
        double v = m[i], l = low[i];
        double log = extended::logOfNormalAccurate(::fabs(v), 0, v < 0 ? -l : l);
        x[at(begin + i)] = v == 0 ? -__builtin_huge_val() : log;
      }
    }
#if LINREC_WIDE_VECTORS
    LINREC_WIDE_FUNCTION void compensatedLogsWide(const double* m, const double* low, size_t begin,
                                                  size_t count) const {
      compensatedLogs(m, low, begin, count);
    }
#endif
    void storeRange(size_t begin, size_t count, Stage& tile) const {
      constexpr int kTerms = ExtendedAffineMonoid<T>::kLogTerms;
      const double* m = tile.xm();
      const int64_t* e = tile.xe();
      if (tile.generalResults()) {
        // Result by result: one of the plain path (exponent 0, in the band) as a plain tile
        // converts it (float64 with its low part), so that its bits do not depend on where the
        // tile's general steps are (test/51); a general one has low part 0, where both agree.
        const double* low = tile.xl();
        if constexpr (std::is_same<T, float>::value) {
          // float32 (no low parts): the float64 loop's cases below are all logOf's value (it is
          // logOfNormal(|v|, 0) for e = 0 and |v| for a NaN): one branch-free loop, which GCC
          // vectorizes (the scalar loop was a quarter of logScan's time on addends sparse at 1e-3,
          // whose x decays below the band between them: bench/NOTES.md, session 25).
          for (size_t i = 0; i < count; ++i) x[at(begin + i)] = T(extended::logOf<kTerms>({m[i], e[i]}));
          (void)low;
        } else {
          // A NaN first: logOf's value for it (|v|, as it is) without its polynomial, which every
          // result of a tile after a NaN took (session 24: logScan 3.9x the clean data's time).
          for (size_t i = 0; i < count; ++i) {
            double v = m[i], log;
            if (v != v) {
              log = ::fabs(v);
            } else if (e[i] == 0 && extended::inBand(v)) {
              log = extended::logOfNormalAccurate(::fabs(v), 0, v < 0 ? -low[i] : low[i]);
            } else {
              log = extended::logOf<kTerms>({v, e[i]});
            }
            x[at(begin + i)] = T(log);
          }
        }
      } else if (tile.loggedResults()) {  // the rescan wrote them (LaneVectors::rescanToLogs)
      } else if constexpr (std::is_same<T, double>::value) {  // plain, with each result's rounding error
#if LINREC_WIDE_VECTORS
        compensatedLogsWide(m, tile.xl(), begin, count);
#else
        compensatedLogs(m, tile.xl(), begin, count);
#endif
      } else if (tile.positiveResults()) {  // every result at least e^-270: no zero, no sign
        for (size_t i = 0; i < count; ++i) x[at(begin + i)] = T(extended::logOfNormal<kTerms>(m[i], 0));
      } else {  // every result normal and finite, or an exact 0 where signed steps cancel
        for (size_t i = 0; i < count; ++i) {
          double a = ::fabs(m[i]), log = extended::logOfNormal<kTerms>(a, 0);  // of 0: -709.09, not -inf
          x[at(begin + i)] = T(a == 0 ? -__builtin_huge_val() : log);
        }
      }
      if (tile.positiveResults()) {  // one contiguous range either way round
        std::fill(xSign + (Reverse ? at(begin + count - 1) : at(begin)),
                  xSign + (Reverse ? at(begin) : at(begin + count - 1)) + 1, int8_t(1));
        return;
      }
      // 1 − 2·(m < 0), not a conditional: GCC left the float64 form a branch per element. Through a
      // local pointer: an int8_t store may alias this->xSign, which GCC then reloaded every step and
      // kept the loop scalar (session 12: forward signed float64 logScan 0.64x main's time). Reverse
      // rows in step order first (a loop of two types that steps backwards stayed scalar).
      int8_t* signs = xSign;
      if constexpr (Reverse) signs = tile.orderedSigns();
      for (size_t i = 0; i < count; ++i) signs[Reverse ? i : at(begin + i)] = int8_t(1 - 2 * int(m[i] < 0));
      if constexpr (Reverse) fromStepOrder(signs, begin, count, xSign);
    }
  };
  LINREC_HD Row row(size_t r) const {
    size_t j0 = index(0), ka = r * aStride + j0, kb = r * bStride + j0, kx = r * xStride + j0;
    return {a + ka,
            b + kb,
            x ? x + kx : nullptr,
            aSign ? aSign + ka : nullptr,
            bSign ? bSign + kb : nullptr,
            xSign ? xSign + kx : nullptr};
  }
  LINREC_HD Value initial(size_t r) const {
    size_t k = r * x0Stride;
    Value v = initialValue(r);
    if (x0Copy) {
      x0Copy[r * x0CopyStride] = x0[k];
      x0CopySign[r * x0CopyStride] = signOf(negative(x0Sign, k));
    }
    return v;
  }
  // initial's value without its copy: for a thread that composes another's tiles (nothing written).
  LINREC_HD Value initialValue(size_t r) const {
    const size_t k = r * x0Stride;
    return fromLog(x0[k], negative(x0Sign, k), static_cast<Value*>(nullptr));
  }
  // Whether the call writes over row r's x_0, its log or its sign: its copy in place, or the last x
  // in a Scanner's state (lastOverInitial: only that).
  LINREC_HD bool initialWritten(size_t r) const {
    const int8_t* signAt = x0Sign ? x0Sign + r * x0Stride : nullptr;
    return (x0Copy && x0Copy + r * x0CopyStride == x0 + r * x0Stride) ||
           (signAt && x0CopySign && x0CopySign + r * x0CopyStride == signAt) || lastOverInitial(r);
  }
  LINREC_HD bool lastOverInitial(size_t r) const {
    const int8_t* signAt = x0Sign ? x0Sign + r * x0Stride : nullptr;
    return (last && last + r == x0 + r * x0Stride) || (signAt && lastSign && lastSign + r == signAt);
  }
  LINREC_HD void finish(size_t r, Value v) const {
    if (last) {
      last[r] = logOf(v);
      lastSign[r] = signOf(negativeOf(v));
    }
  }
  // Staged rows (the CPU engine), once the row's last results are stored: its last x as stored,
  // which may differ from finish's conversion of the value (float64 plain results are converted
  // with their rounding error, Row::storeRange), so that a Scanner's state is its last result.
  void finishFromStored(size_t r) const {
    if (!last || !x || index.n == 0) return;
    const Row stored = row(r);
    last[r] = stored.x[Row::at(index.n - 1)];
    if (stored.xSign) lastSign[r] = stored.xSign[Row::at(index.n - 1)];
  }
  // A row of no steps: x_0 is its last x, copied as it is (not through the monoid's form).
  LINREC_HD void finishUnchanged(size_t r) const {
    size_t k = r * x0Stride;
    T v = x0[k];
    int8_t sign = signOf(negative(x0Sign, k));
    if (x0Copy) {
      x0Copy[r * x0CopyStride] = v;
      x0CopySign[r * x0CopyStride] = sign;
    }
    if (last) {
      last[r] = v;
      lastSign[r] = sign;
    }
  }
};

// The monoids an engine may compute the log method with.
template <class T> using ExtendedLogMethod = ExtendedAffineMonoid<T>;
// The CUDA engine's: float32 data with float mantissas (GPUs run float32 fastest, consumer ones
// float64 at 1/64 of its rate), float64 data as the CPU engine.
template <class T> struct DeviceLogMonoid {
  using type = ExtendedAffineMonoid<T>;
};
template <> struct DeviceLogMonoid<float> {
  using type = ExtendedFloatAffineMonoid;
};
template <class T> using DeviceLogMethod = typename DeviceLogMonoid<T>::type;

// Calls f(access) with the Access type that a job's method, dtype and direction select: one
// switch shared by every engine. LogMethod picks the log method's monoid.
template <template <class> class LogMethod, class F> auto dispatchScan(const ScanJob& j, F&& f) {
  auto byType = [&](auto* typeTag) {
    using T = std::remove_pointer_t<decltype(typeTag)>;
    if (j.method == Method::LogFromLog)
      return j.reverse ? f(LogAccess<T, true, LogMethod<T>>(j)) : f(LogAccess<T, false, LogMethod<T>>(j));
    if (j.method == Method::LogFromRaw)
      return j.reverse ? f(RawAccess<LogMethod<T>, true>(j)) : f(RawAccess<LogMethod<T>, false>(j));
    return j.reverse ? f(RawAccess<AffineMonoid<T>, true>(j)) : f(RawAccess<AffineMonoid<T>, false>(j));
  };
  if (j.dtype == DType::Float64) return byType(static_cast<double*>(nullptr));
  return byType(static_cast<float*>(nullptr));
}

}  // namespace linrec
