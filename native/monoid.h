// The monoids that linrec scans, defined once for host and device code.
//
// x_t = a_t * x_{t-1} + b_t is the composition of affine maps x -> a*x + b. Composition is
// associative, so a prefix scan over the maps computes every x_t in parallel. x_0 folds in as
// the constant map (0, x_0): the B of a prefix that starts with it *is* x_t, so no product of
// coefficients is ever carried across the whole sequence (the float32 trap of the seed's recipe).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#if defined(__CUDACC__)
#define LINREC_HD __host__ __device__ __forceinline__
#define LINREC_HD_COLD __host__ __device__ __forceinline__
#define LINREC_HD_HOT LINREC_HD
#elif defined(_MSC_VER)
#define LINREC_HD inline
#define LINREC_HD_COLD inline __declspec(noinline)
#define LINREC_HD_HOT __forceinline
#else
#define LINREC_HD inline
// Rare paths out of hot loops: kept out of line so that the common path inlines.
#define LINREC_HD_COLD inline __attribute__((noinline))
#define LINREC_HD_HOT inline __attribute__((always_inline))
#endif

namespace linrec {

// ---------------------------------------------------------------------------------------------
// Math that must resolve to the float overloads on both host and device.
template <class T> struct Math;
template <> struct Math<float> {
  static LINREC_HD float log(float v) { return ::logf(v); }
  static LINREC_HD float exp(float v) { return ::expf(v); }
  static LINREC_HD float log1p(float v) { return ::log1pf(v); }
  static LINREC_HD float expm1(float v) { return ::expm1f(v); }
  static LINREC_HD float abs(float v) { return ::fabsf(v); }
  static LINREC_HD float inf() { return __builtin_huge_valf(); }
  static LINREC_HD float minNormal() { return 1.17549435e-38f; }
  static LINREC_HD float max() { return 3.40282347e+38f; }
  static LINREC_HD float epsilon() { return 1.1920929e-07f; }
};
#if !defined(__CUDACC__)
template <> struct Math<long double> {
  static inline long double log(long double v) { return ::logl(v); }
  static inline long double exp(long double v) { return ::expl(v); }
  static inline long double log1p(long double v) { return ::log1pl(v); }
  static inline long double expm1(long double v) { return ::expm1l(v); }
  static inline long double abs(long double v) { return ::fabsl(v); }
  static inline long double inf() { return __builtin_huge_vall(); }
  static inline long double minNormal() { return 3.36210314311209350626e-4932L; }
  static inline long double max() { return 1.18973149535723176502e+4932L; }
  static inline long double epsilon() { return 1.08420217248550443401e-19L; }
};
#endif
template <> struct Math<double> {
  static LINREC_HD double log(double v) { return ::log(v); }
  static LINREC_HD double exp(double v) { return ::exp(v); }
  static LINREC_HD double log1p(double v) { return ::log1p(v); }
  static LINREC_HD double expm1(double v) { return ::expm1(v); }
  static LINREC_HD double abs(double v) { return ::fabs(v); }
  static LINREC_HD double inf() { return __builtin_huge_val(); }
  static LINREC_HD double minNormal() { return 2.2250738585072014e-308; }
  static LINREC_HD double max() { return 1.7976931348623157e308; }
  static LINREC_HD double epsilon() { return 2.220446049250313e-16; }
};

// ---------------------------------------------------------------------------------------------
// AffinePair: the map x -> A*x + B.
template <class T> struct AffinePair {
  T A, B;
};

template <class T> struct AffineMonoid {
  using Scalar = T;
  using Elem = AffinePair<T>;
  using Value = T;  // x itself

  static LINREC_HD Elem identity() { return {T(1), T(0)}; }
  static LINREC_HD Elem constant(Value x) { return {T(0), x}; }

  // An input step as the first of an aggregate: a NaN coefficient poisons B at once, since
  // every x after it is NaN in the sequential loop whatever came before (and A's NaN is
  // cleared by resetGuard below).
  static LINREC_HD Elem start(Elem e) {
    if (e.A != e.A) e.B = e.A;
    return e;
  }

  // A product of coefficients is NaN only as 0·inf (a reset meeting an overflowed product or
  // an infinite input; NaN inputs have already made B NaN, which decides every later x). A reset
  // makes the start value irrelevant, so the product is 0. Cheaper than testing both factors.
  static LINREC_HD T resetGuard(T p) { return p == p ? p : T(0); }
  static LINREC_HD Value value(Elem e) { return e.B; }

  // l then r: (A1,B1)∘(A2,B2) = (A1·A2, A2·B1 + B2).
  // Guards keep this consistent with the sequential loop where IEEE 0·inf would not be: a reset
  // in A (above), and a zero B1, which means running r's map from 0: exactly r's B.
  static LINREC_HD Elem combine(Elem l, Elem r) {
    Elem o;
    o.A = resetGuard(l.A * r.A);
    o.B = (l.B == T(0)) ? r.B : r.A * l.B + r.B;
    return o;
  }

  // Appends one input step to an aggregate that began with start(first step), never with
  // the identity. B follows plain IEEE arithmetic, so B stays bit-for-bit the sequential loop
  // run from 0 (an infinite a_t meeting x == 0 gives NaN there too), which is what makes
  // combine's B1 == 0 guard exact.
  static LINREC_HD Elem extend(Elem l, Elem e) {
    Elem o;
    o.A = resetGuard(l.A * e.A);
    o.B = e.A * l.B + e.B;
    return o;
  }

  // One step of the sequential loop, plain IEEE arithmetic: x' = a·x + b.
  static LINREC_HD Value step(Value x, Elem e) { return e.A * x + e.B; }

  // Whether value(combine(constant(x), e)) matches stepping through e's inputs from x; where it
  // does not, engines step through. It does unless
  //  - A or B is not finite: an overflowed product times a tiny x would be inf, and B (the loop
  //    run from 0) can overflow where the loop run from x does not;
  //  - A underflowed (subnormal, or 0 without a zero coefficient) and x's true contribution,
  //    below |x|·minNormal, is not negligible next to B: A·x would lose it (or give NaN for an
  //    infinite x where the loop keeps inf). Typical data underflows A in every tile (products
  //    of thousands of |a| < 1) with x and B of similar size, so the test is on magnitudes.
  // exactReset: the engine knows that some coefficient of e is exactly 0 (zeroCoefficient of
  // one of its steps), so A == 0 is exact.
  static LINREC_HD bool composable(Value x, Elem e, bool exactReset) {
    if (!(e.A - e.A == T(0) && e.B - e.B == T(0))) return false;
    if (x == T(0) || x != x) return true;
    T a = Math<T>::abs(e.A);
    if (a >= Math<T>::minNormal() || (e.A == T(0) && exactReset)) return true;
    return Math<T>::abs(x) * Math<T>::minNormal() < Math<T>::epsilon() * Math<T>::abs(e.B);
  }
  // Whether one input step's coefficient is exactly 0 (a reset, never an underflow).
  static LINREC_HD bool zeroCoefficient(Elem step) { return step.A == T(0); }

  // Whether combine(l, r) keeps the aggregate's B (start, then extend step by step): not where r's
  // product underflowed without a zero coefficient after an l.B that still counts (composable). A
  // non-finite r is left to combine's own rules (start's NaN, the 0·inf guards), which extend
  // shares. Aggregates use it; scans ask composable, which also refuses non-finite parts.
  static LINREC_HD bool joinsExactly(Elem l, Elem r, bool rZero) {
    if (!(r.A - r.A == T(0) && r.B - r.B == T(0))) return true;
    return composable(l.B, r, rZero);
  }
};

// ---------------------------------------------------------------------------------------------
// AffineReach: bounds on the magnitudes of the prefix products A_t (in order, unlike the
// aggregate's A) and of the B chain B_t (the loop run from 0) over some steps. The loop run from
// x through them stays within |x|·a + b, up to rounding. Where that could pass T's largest value,
// the loop may overflow part-way, and ∞ stays ∞ there, while the composed A·x + B, after a decay,
// is finite again (defect A, bench/NOTES.md: x_0 = 1, a = 2 for 200 float32 steps then 0.5; the
// loop is ∞ to the end, a composed start 1). So a start composes across steps only `within`
// their reach; elsewhere the engines step through, the path composable's failures take.
template <class T> struct AffineReach {
  T a, b;
};

template <class T> struct AffineReachRules {
  using Reach = AffineReach<T>;
  // A quarter of the largest value: room for the loop's rounding against the bound's.
  static LINREC_HD T limit() { return Math<T>::max() / 4; }
  // The larger, NaN if either is.
  static LINREC_HD T larger(T u, T v) { return v > u || v != v ? v : u; }
  // The reach of an aggregate's first step (AffineMonoid::start(e)), and after extend appends a
  // step to an aggregate whose result is `total` (its A the prefix product, its B the chain's).
  static LINREC_HD Reach of(AffinePair<T> first) { return {Math<T>::abs(first.A), Math<T>::abs(first.B)}; }
  static LINREC_HD Reach extend(Reach r, AffinePair<T> total) {
    return {larger(r.a, Math<T>::abs(total.A)), larger(r.b, Math<T>::abs(total.B))};
  }
  // The reach of l's steps then r's, l's aggregate lAgg: r's steps from l's first have products
  // lAgg.A·A_t and B chain A_t·lAgg.B + B_t. An underflowed lAgg.A counts as the least normal value
  // (what it lost is below that); a zero lAgg.B leaves r's chain as it is (as combine's guard does:
  // the loop from 0 never multiplies by a product, so an infinite r.a does not matter there).
  static LINREC_HD Reach shifted(AffinePair<T> lAgg, Reach r) {
    const T a = larger(Math<T>::abs(lAgg.A), Math<T>::minNormal());
    return {a * r.a, lAgg.B == T(0) ? r.b : Math<T>::abs(lAgg.B) * r.a + r.b};
  }
  static LINREC_HD Reach join(Reach l, AffinePair<T> lAgg, Reach r) {
    const Reach s = shifted(lAgg, r);
    return {larger(l.a, s.a), larger(l.b, s.b)};
  }
  // Whether the loop from x through steps of reach r stays finite. An infinite or NaN x is left to
  // composable (which keeps ∞ where the loop does). A NaN reach (only beside a non-finite B, which
  // composable refuses) is not within.
  static LINREC_HD bool within(T x, Reach r) {
    if (!(x - x == T(0))) return true;
    return Math<T>::abs(x) * r.a + r.b <= limit();
  }
  // Whether the B chain (the loop from 0) stays in range through steps of reach r.
  static LINREC_HD bool chainWithin(Reach r) { return r.b <= limit(); }

  // The underflow certificate (session 21 on the CPU, TileScan::Reach; session 22 here, for the
  // CUDA engine, whose coefficient products are in T). Where the loop's x at step s is below the
  // normal range it keeps x_s to half a subnormal ulp (absolute), and that loss is multiplied by
  // |A_n/A_s| up to the end; B's chain likewise. With g = Σ_s |A_n/A_s| (G_t = G_{t-1}·|a_t| + 1
  // from 0), a composition A·x + B keeps what the loop keeps to rounding where 4·minNormal·g ≤
  // max(|x·A|, |B|). x = 0 (B is the loop from 0), a non-finite x (composable's) and a zero
  // coefficient (the loop is B's chain from there) compose as before.
  static LINREC_HD T grow(T g, T a) { return g * Math<T>::abs(a) + T(1); }
  static LINREC_HD bool clearOfUnderflow(T x, AffinePair<T> e, T g, bool exactReset) {
    if (x == T(0) || !(x - x == T(0)) || exactReset) return true;
    const T xa = Math<T>::abs(x * e.A), b = Math<T>::abs(e.B);
    return T(4) * Math<T>::minNormal() * g <= (xa > b ? xa : b);
  }
  // The least |x| from which steps with aggregate e and sum g compose (clearOfUnderflow holds for
  // every |x| at least this, and for 0): 0 where B alone clears, ∞ where x·A cannot (A = 0, or g
  // not finite). One value to keep in place of e and g (registers).
  static LINREC_HD T underflowFloor(AffinePair<T> e, T g, bool exactReset) {
    const T need = T(4) * Math<T>::minNormal() * g;
    if (exactReset || need <= Math<T>::abs(e.B)) return T(0);
    const T a = Math<T>::abs(e.A);
    // need/a rounded up a little: the test |x|·|A| ≥ need is on a product rounded once
    return need == need && a > T(0) ? need / a * (T(1) + T(4) * Math<T>::epsilon()) : Math<T>::inf();
  }
  static LINREC_HD bool clearsFloor(T x, T floor) { return !(Math<T>::abs(x) < floor) || x == T(0); }
  // Whether a product of two coefficient products, as computed in T, is the exact one to within
  // rounding or, below the normal range, still below it (composable's assumption for an
  // underflowed A): not where one factor is below the normal range (it lost bits there, or all
  // of them: 0) and the other grows (> 1): the product may be back in the normal range, or far
  // above what a 0 or a subnormal says (1e-17 28 times then 1e17 28 times: 0 for 1). A factor
  // with a zero coefficient (zero) is an exact 0. Rare in data: products that underflow are of
  // factors below 1.
  static LINREC_HD bool keepsProduct(T l, T r, bool zero) {
    const T lm = Math<T>::abs(l), rm = Math<T>::abs(r);
    return zero || !((lm < Math<T>::minNormal() || rm < Math<T>::minNormal()) && (lm > T(1) || rm > T(1)));
  }
};

// ---------------------------------------------------------------------------------------------
// The log method on extended-range numbers.
//
// Extended: the real number m·2^e, m a double and e a 64-bit integer. The affine recurrence on
// such numbers never overflows or underflows (the point of the log method) and costs what the
// direct method does: a step is one multiply-add on mantissas, whose exponents are not
// renormalized until |m| leaves [2^-400, 2^400] (rare, a predictable branch). Logs are
// converted once on input (exp of the fraction of log|v|/ln 2) and once on output, and raw
// inputs need no conversion at all. The mantissa is a double for float32 data too: the chain
// then computes one precision wider than the data, as the signed-log form did (measured in
// bench/NOTES.md, session 4: 30-60x faster than log-add-exp in that precision).
template <class Mantissa, class Exponent> struct ExtendedNumber {
  Mantissa m;
  Exponent e;
};
using Extended = ExtendedNumber<double, int64_t>;
// A step x -> A*x + B on extended numbers, tagged with the storage type T of its data (the CPU
// engine stages float32 and float64 tiles differently, access.h).
template <class T, class Number = Extended> struct ExtendedPair {
  Number A, B;
};

// The arithmetic of the log method, written once for every form m·2^e (Extended; ExtendedFloat
// below): affine steps and coefficient products whose common case, exponents 0 and the result in
// the form's band, is the direct method's multiply-add. Format supplies the form: Number, and
// inBand, finite, canonical, add and exponentFits (whether a product's exponent sum may be kept
// without renormalizing).
template <class Format> struct ExtendedArithmetic {
  using Number = typename Format::Number;
  using Mantissa = decltype(Number::m);
  using Exponent = decltype(Number::e);

  // a·x + b, general: any exponents; zeros, inf and NaN as IEEE arithmetic has them.
  static LINREC_HD_COLD Number affineGeneral(Number a, Number x, Number b) {
    Mantissa m = a.m * x.m;  // mantissas within the band: no over- or underflow
    return Format::add(m, m == 0 || !Format::finite(m) ? 0 : int64_t(a.e) + x.e, b.m, b.e);
  }
  // a·x + b. Anything but the common case (a result outside the band, a zero, inf or NaN) takes
  // the general path.
  static LINREC_HD_HOT Number affine(Number a, Number x, Number b) {
    if ((a.e | x.e | b.e) == 0) {
      Mantissa m = a.m * x.m + b.m;
      if (Format::inBand(m)) return {m, 0};
    }
    return affineGeneral(a, x, b);
  }

  // A NaN product is 0·inf: a reset meeting an infinite input (see AffineMonoid::resetGuard).
  static LINREC_HD_COLD Number productGeneral(Mantissa m, int64_t e) {
    return m != m ? Number{Mantissa(0), 0} : Format::canonical(m, e);
  }
  // A product of coefficients, exponents carried lazily (renormalized only on leaving the band).
  static LINREC_HD_HOT Number product(Number x, Number y) {
    Mantissa m = x.m * y.m;
    Exponent e = x.e + y.e;
    if (Format::inBand(m) & Format::exponentFits(e)) return {m, e};
    return productGeneral(m, e);
  }
};

namespace extended {

constexpr double kBandLow = 0x1p-400, kBandHigh = 0x1p400;
// |log| beyond 2^29·ln 2 (3.7e8) is e^(±3.7e8): taken as infinity or zero. This keeps every
// exponent sum of a scan (at most 2^34 steps) inside int64 without a check in the chain.
constexpr double kMaxLog = 0x1p29 * 0.6931471805599453;

LINREC_HD_HOT uint64_t bitsOf(double v) {
#if defined(__CUDA_ARCH__)
  return static_cast<uint64_t>(__double_as_longlong(v));
#else
  uint64_t u;
  std::memcpy(&u, &v, 8);
  return u;
#endif
}
LINREC_HD_HOT double fromBits(uint64_t u) {
#if defined(__CUDA_ARCH__)
  return __longlong_as_double(static_cast<long long>(u));
#else
  double v;
  std::memcpy(&v, &u, 8);
  return v;
#endif
}
// 2^k, k clamped to the normal range (callers only clamp where the other factor makes the
// clamped part negligible or saturating).
LINREC_HD_HOT double pow2(int64_t k) {
  k = k < -1022 ? -1022 : k > 1023 ? 1023 : k;
  return fromBits(static_cast<uint64_t>(k + 1023) << 52);
}
LINREC_HD_HOT bool inBand(double m) {
  double a = ::fabs(m);
  return (a >= kBandLow) & (a <= kBandHigh);  // false for 0, inf, NaN; one branch for both
}
LINREC_HD_HOT bool finite(double m) { return m - m == 0; }

// The canonical form of m·2^e: e = 0 and m the number itself where its magnitude lies in the
// band, else m in [0.5, 1); zero, inf and NaN are {v, 0}. Only numbers with e = 0 take the fast
// paths below; every function accepts any form (a band mantissa with any e included).
LINREC_HD_COLD Extended canonical(double m, int64_t e) {
  if (m == 0 || !finite(m)) return {m, 0};
  int k;
  double f = ::frexp(m, &k);
  int64_t total = e + k;  // |v| in [2^(total-1), 2^total)
  if (total > -400 && total <= 400) return {f * pow2(total), 0};
  return {f, total};
}
// A plain number as Extended: as it is inside the band (every float32 is).
LINREC_HD_HOT Extended fromValue(double v) { return inBand(v) ? Extended{v, 0} : canonical(v, 0); }
LINREC_HD_HOT Extended fromValue(float v) { return {double(v), 0}; }

// The number as a double: one rounding (two where the result is subnormal and e is outside
// [-1022, 1023], where relative accuracy is gone anyway).
LINREC_HD_COLD double toDoubleScaled(Extended x) {
  if (x.e >= -1022 && x.e <= 1023) return x.m * pow2(x.e);
  int64_t half = x.e / 2;
  return x.m * pow2(half) * pow2(x.e - half);
}
LINREC_HD_HOT double toDouble(Extended x) { return x.e == 0 ? x.m : toDoubleScaled(x); }

// xm·2^xe + ym·2^ye for any operands, with one rounding of the aligned mantissas.
LINREC_HD Extended add(double xm, int64_t xe, double ym, int64_t ye) {
  if (!finite(xm) || !finite(ym)) return {xm + ym, 0};  // inf ± finite, inf - inf, NaN
  if (ym == 0) return xm == 0 ? Extended{xm + ym, 0} : canonical(xm, xe);
  if (xm == 0) return canonical(ym, ye);
  // Align on the larger exponent; a clamped shift leaves the smaller below 2^-600 of the larger
  // (mantissas are within 2^±400), far under half an ulp.
  if (xe >= ye) return canonical(xm + ym * pow2(ye - xe), xe);
  return canonical(ym + xm * pow2(xe - ye), ye);
}

// The form for ExtendedArithmetic. Exponent sums are not checked: int64 holds every one of a
// scan (kMaxLog).
struct Format {
  using Number = Extended;
  static LINREC_HD_HOT bool inBand(double m) { return extended::inBand(m); }
  static LINREC_HD_HOT bool finite(double m) { return extended::finite(m); }
  static LINREC_HD_HOT bool exponentFits(int64_t) { return true; }
  static LINREC_HD Extended canonical(double m, int64_t e) { return extended::canonical(m, e); }
  static LINREC_HD Extended add(double xm, int64_t xe, double ym, int64_t ye) { return extended::add(xm, xe, ym, ye); }
};
// A product of coefficients (also tile_scan.h's plain path).
LINREC_HD_HOT Extended product(Extended x, Extended y) { return ExtendedArithmetic<Format>::product(x, y); }

// c[0] + c[1]·x + ... + c[N-1]·x^(N-1) by Estrin's scheme: pairs combined level by level, so
// the dependent chain is log2(N) multiply-adds deep instead of N (Horner's): the conversion
// loops are latency-bound otherwise.
template <int N> LINREC_HD_HOT double estrin(const double* c, double x) {
  if constexpr (N == 1) {
    return c[0];
  } else if constexpr (N == 2) {
    return c[0] + c[1] * x;
  } else {
    constexpr int kHalf = N > 8 ? 8 : N > 4 ? 4 : 2;  // the largest power of 2 below N (N <= 16)
    double xHalf = x * x;
    if constexpr (kHalf >= 4) xHalf *= xHalf;
    if constexpr (kHalf >= 8) xHalf *= xHalf;
    return estrin<kHalf>(c, x) + xHalf * estrin<N - kHalf>(c + kHalf, x);
  }
}

// c[0] + c[1]·x + ... + c[N-1]·x^(N-1) by Horner's scheme: N-1 multiply-adds, the fewest
// operations, for loops whose iterations are independent (the out-of-order core overlaps them).
template <int N> LINREC_HD_HOT double horner(const double* c, double x) {
  double p = c[N - 1];
  for (int i = N - 2; i >= 0; --i) p = p * x + c[i];
  return p;
}

// x·y − round(x·y), exactly (no over- or underflow): one FMA where the target has one, else
// Dekker's split (without FMA hardware GCC contracts nothing, so the split's products stay
// separate).
LINREC_HD_HOT double productError(double x, double y, double p) {
#if defined(__CUDA_ARCH__)
  return ::fma(x, y, -p);
#elif defined(__FMA__)
  return __builtin_fma(x, y, -p);
#else
  constexpr double kSplit = 134217729.0;  // 2^27 + 1
  double cx = kSplit * x, cy = kSplit * y;
  double xh = cx - (cx - x), xl = x - xh, yh = cy - (cy - y), yl = y - yh;
  return ((xh * yh - p) + xh * yl + xl * yh) + xl * yl;
#endif
}
// t − s·d exactly, for s a correctly rounded quotient t/d (the remainder is then a double).
LINREC_HD_HOT double divisionRemainder(double t, double s, double d) {
#if defined(__CUDA_ARCH__)
  return ::fma(-s, d, t);
#elif defined(__FMA__)
  return __builtin_fma(-s, d, t);
#else
  double p = s * d;
  return (t - p) - productError(s, d, p);  // t − p is exact (p is close to t)
#endif
}

// e^(r + rLow) for |r| <= ln2/2, |rLow| <= 2^-50·|r| (r carried in two parts), for float64 data:
// 1 + r + r²/2 summed exactly (r² split by productError, two Fast2Sums), the rest r³·(1/6 +
// r/24 + ...) by Taylor's series to degree 14 and rLow·e^r added to the sums' rounding errors
// before the one final rounding. About 0.52 ulp, against 0.66 for 1 + (r + r²·q(r)).
LINREC_HD_HOT double expReducedAccurate(double r, double rLow) {
  constexpr double kInverseFactorial[12] = {
      1.0 / 6,        1.0 / 24,        1.0 / 120,        1.0 / 720,         1.0 / 5040,         1.0 / 40320,
      1.0 / 362880.0, 1.0 / 3628800.0, 1.0 / 39916800.0, 1.0 / 479001600.0, 1.0 / 6227020800.0, 1.0 / 87178291200.0};
  double square = r * r;
  double squareError = productError(r, r, square);
  double half = 0.5 * square;
  double head = 1 + r;
  double headError = r - (head - 1);  // exact: |r| < 1
  double sum = head + half;
  double sumError = half - (sum - head);  // exact: |head| > |half|
  double tail = square * r * estrin<12>(kInverseFactorial, r);  // to degree 14: 1e-19 short
  return sum + ((headError + sumError) + (0.5 * squareError + (tail + rLow * sum)));
}

// e^r for |r| <= ln2/2 to `Degree`. Degree 6 (float32 data) is a polynomial fitted to e^r's
// relative error (weighted least squares iterated towards minimax, coefficients 0 and 1 kept at 1
// so that e^0 is exactly 1): 3.1e-9 relative, 0.05 ulp of a float32, with 3 fewer coefficients
// (fewer registers) than Taylor's series to degree 9 (1e-11). Other degrees are Taylor's series
// (13: 4e-18, for float64). bench/NOTES.md, session 5, "logScan conversions".
template <int Degree> LINREC_HD_HOT double expReduced(double r) {
  if constexpr (Degree == 6) {
    constexpr double kFitted[7] = {1.0,
                                   1.0,
                                   0x1.fffffb9af4506p-2,
                                   0x1.55549166aba9ep-3,
                                   0x1.5558f1280f40cp-5,
                                   0x1.1239d46e0c971p-7,
                                   0x1.6a244954881b0p-10};
    return horner<7>(kFitted, r);
  } else {
    constexpr double kInverseFactorial[14] = {
        1.0,        1.0,         1.0 / 2,      1.0 / 6,       1.0 / 24,       1.0 / 120,       1.0 / 720,
        1.0 / 5040, 1.0 / 40320, 1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600, 1.0 / 6227020800.0};
    return estrin<Degree + 1>(kInverseFactorial, r);
  }
}

// e^l as Extended for |l| < kMaxLog: l = k·ln 2 + r, |r| <= ln2/2, e^r by expReduced<Degree>.
// Branch-free so that a tile's worth vectorizes. ln 2 is split Cody-Waite style in three
// 20-bit-ish parts so that k·part is exact for |k| < 2^30 without an FMA.
template <int Degree> LINREC_HD_HOT Extended expOf(double l) {
  constexpr double kLog2e = 1.4426950408889634;
  constexpr double kShifter = 0x1.8p52;  // adding it rounds to an integer in the low bits
  constexpr double kLn2Hi = 0x1.62e42p-1, kLn2Mid = 0x1.fdf47p-22, kLn2Lo = 0x1.ef35793c7673p-45;
  double shifted = l * kLog2e + kShifter;
  double k = shifted - kShifter;
  int64_t ki = static_cast<int64_t>(bitsOf(shifted) - bitsOf(kShifter));
  if constexpr (Degree == 13) {  // float64 data: as expPlain
    double head = (l - k * kLn2Hi) - k * kLn2Mid, low = k * kLn2Lo;
    double r = head - low;
    return {expReducedAccurate(r, (head - r) - low), ki};
  } else {
    double r = ((l - k * kLn2Hi) - k * kLn2Mid) - k * kLn2Lo;
    return {expReduced<Degree>(r), ki};
  }
}

// e^l for |l| <= kPlainLog as a plain double (in the band, so canonical with exponent 0): the
// conversion of typical logs, a third the work of fromLog.
constexpr double kPlainLog = 270;  // e^270 < 2^390
template <int Degree> LINREC_HD_HOT double expPlain(double l) {
  constexpr double kLog2e = 1.4426950408889634;
  constexpr double kShifter = 0x1.8p52;
  constexpr double kLn2Hi = 0x1.62e42feep-1, kLn2Lo = 0x1.a39ef35793c76p-33;  // k·kLn2Hi exact
  double shifted = l * kLog2e + kShifter;
  double k = shifted - kShifter;
  // ·2^k as k added to the exponent field (k's bits are the shifter's low mantissa bits): e^r is
  // within [0.7, 1.5] and |k| <= 390, so this is the exact product by 2^k, bit for bit, in an
  // integer add instead of a multiply on the FMA pipes (bench/NOTES.md, session 9).
  // The shifter's bits (0x4338000000000000) end in 12 zero bits, so (bits(shifted) − bits(kShifter))
  // << 52 is bits(shifted) << 52 (mod 2^64): the same scale, a subtraction fewer (session 10).
  uint64_t scale = bitsOf(shifted) << 52;
  if constexpr (Degree == 13) {  // float64 data: r in two parts, e^r to about half an ulp
    double head = l - k * kLn2Hi, low = k * kLn2Lo;  // head exact (Sterbenz)
    double r = head - low;
    return fromBits(bitsOf(expReducedAccurate(r, (head - r) - low)) + scale);
  } else {
    double r = (l - k * kLn2Hi) - k * kLn2Lo;
    return fromBits(bitsOf(expReduced<Degree>(r)) + scale);
  }
}

// sign·e^l as Extended, any l: beyond kMaxLog (and -inf) it is zero or infinite, NaN stays.
template <int Degree> LINREC_HD_HOT Extended fromLog(double l, bool negative) {
  double s = negative ? -1.0 : 1.0;
  double clamped = l < -kMaxLog ? 0.0 : l > kMaxLog ? 0.0 : l;  // NaN and huge: any finite input
  Extended v = expOf<Degree>(clamped);
  v.m = l < -kMaxLog ? 0.0 : l > kMaxLog ? __builtin_huge_val() : l != l ? l : v.m;
  v.e = l >= -kMaxLog && l <= kMaxLog ? v.e : 0;
  // Canonical where it is in the band (v.m is within [2^-1/2, 2^1/2]).
  bool inside = v.e >= -398 && v.e <= 398;
  v.m = inside ? v.m * pow2(v.e) : v.m;
  v.e = inside ? 0 : v.e;
  v.m *= s;
  return v;
}

// atanh(s)/s as a series in s² for |s| <= (√2-1)/(√2+1), to `Terms` terms. Terms 4 (float32
// results) is a polynomial fitted to the absolute error of 2·atanh(s) (as expReduced's, first
// coefficient kept at 1): 1.8e-10, against 1.8e-11 for Taylor's 6 terms, two terms fewer.
// Other counts are Taylor's series (11: below 1e-17, for float64).
template <int Terms> LINREC_HD_HOT double atanhSeries(double s2) {
  if constexpr (Terms == 4) {
    constexpr double kFitted[4] = {1.0, 0x1.555587adb65fbp-2, 0x1.995466ec045e5p-3, 0x1.32cdaf06a5cd9p-3};
    return horner<4>(kFitted, s2);
  } else {
    constexpr double kInverseOdd[11] = {1.0,      1.0 / 3,  1.0 / 5,  1.0 / 7,  1.0 / 9, 1.0 / 11,
                                        1.0 / 13, 1.0 / 15, 1.0 / 17, 1.0 / 19, 1.0 / 21};
    return estrin<Terms>(kInverseOdd, s2);
  }
}

// log((a + low)·2^e) for a normal positive a, |e| <= 2^50 and |low| <= 2^-50·a, to about half an
// ulp (float64 results; `low` carries a result's rounding error, see PlainExtended::rescan): the
// reduced mantissa f in [sqrt(1/2), sqrt(2)) as 2·atanh(s), s = t/(2 + t) with t = f − 1 (exact)
// carried in two parts, and exponent·ln 2 + 2s summed exactly before the small terms join them.
LINREC_HD_HOT double logOfNormalAccurate(double a, int64_t e, double low) {
  constexpr double kLn2Hi = 0x1.62e42feep-1, kLn2Lo = 0x1.a39ef35793c76p-33;  // fdlibm's split
  constexpr double kInverseOdd[10] = {1.0 / 3,  1.0 / 5,  1.0 / 7,  1.0 / 9,  1.0 / 11,
                                      1.0 / 13, 1.0 / 15, 1.0 / 17, 1.0 / 19, 1.0 / 21};
  uint64_t bits = bitsOf(a);
  // Integers as doubles through the 1.5·2^52 shifter (AVX2 has no int64 conversion), exact: a's
  // exponent k, e + k and the clamp below as double operations, so that the storeRange loop
  // vectorizes for 16-byte registers too (SSE2 has no 64-bit compare, and an int64 from a compare
  // of doubles needs a 2 x int32 vector; bench/NOTES.md, session 11). Values as with int64s.
  constexpr double kShifter = 0x1.8p52;
  double k = fromBits(bitsOf(kShifter) + (bits >> 52)) - (kShifter + 1023);
  double f = fromBits((bits & 0x000fffffffffffffull) | 0x3ff0000000000000ull);  // [1, 2)
  bool above = f > 1.4142135623730951;
  f = above ? f * 0.5 : f;
  k = above ? k + 1 : k;
  double exponent = (fromBits(bitsOf(kShifter) + static_cast<uint64_t>(e)) - kShifter) + k;
  double t = f - 1, d = 2 + t;
  double dLow = (2 - d) + t;  // d's rounding error, exactly
  double s = t / d;
  // t/(d + dLow) − s, through 1/(2 + t) = (1 − s)/2 (no second division)
  double sLow = (divisionRemainder(t, s, d) - s * dLow) * (0.5 - 0.5 * s);
  // log(1 + low/a) = low/a to 2^-100: 1/a = 2^-k/f, 1/f = (1 − s)/(1 + s) = (1 − s)²/(1 − s²),
  // here to s⁴ (9e-4 relative: 1e-19 of the log, 0.001 ulp of a)
  // 2^-k, finite for inf too; the shifter's bits end in 12 zeros, so << 52 keeps 1023 − k's alone
  double scale = fromBits(bitsOf(kShifter + (1023 - (k > 1022 ? 1022 : k))) << 52);
  double s2 = s * s;
  double relativeLow = low * scale * ((1 - s) * (1 - s) * (1 + s2));
  double small = exponent * kLn2Lo + ((2 * sLow + relativeLow) + 2 * s * s2 * estrin<10>(kInverseOdd, s2));
  double high = exponent * kLn2Hi;  // exact for |exponent| < 2^21, all plain results
  double head = high + 2 * s;
  double headError = (high - head) + 2 * s;  // exact (Fast2Sum): |high| >= ln 2 > |2s| unless 0
  return head + (headError + small);
}

// log(a·2^e) for a normal positive a and |e| <= 2^50: log of the reduced mantissa f in
// [sqrt(1/2), sqrt(2)) by 2·atanh((f-1)/(f+1)) (atanhSeries<Terms>), plus (e + a's exponent)·ln 2;
// float64 results (Terms 11) by logOfNormalAccurate. Branch-free, like expOf.
template <int Terms> LINREC_HD_HOT double logOfNormal(double a, int64_t e) {
  if constexpr (Terms == 11) {
    return logOfNormalAccurate(a, e, 0.0);
  } else {
    constexpr double kLn2Hi = 0x1.62e42feep-1, kLn2Lo = 0x1.a39ef35793c76p-33;  // fdlibm's split
    uint64_t bits = bitsOf(a);
    int64_t k = static_cast<int64_t>(bits >> 52) - 1023;
    double f = fromBits((bits & 0x000fffffffffffffull) | 0x3ff0000000000000ull);  // [1, 2)
    bool high = f > 1.4142135623730951;
    f = high ? f * 0.5 : f;
    k += high ? 1 : 0;
    double s = (f - 1) / (f + 1), s2 = s * s;
    double p = atanhSeries<Terms>(s2);
    // The exponent as a double through the 1.5·2^52 shifter (AVX2 has no int64 conversion).
    constexpr double kShifter = 0x1.8p52;
    double exponent = fromBits(bitsOf(kShifter) + static_cast<uint64_t>(e + k)) - kShifter;
    return exponent * kLn2Hi + (exponent * kLn2Lo + 2 * s * p);
  }
}

// log|x| for any x (zero gives -inf; inf and NaN as they are). Exponents beyond 2^50 (logs
// beyond 7.8e14, far past kMaxLog) saturate.
template <int Terms> LINREC_HD_HOT double logOf(Extended x) {
  constexpr int64_t kMaxExponent = int64_t(1) << 50;
  double a = ::fabs(x.m);
  int64_t e = x.e < -kMaxExponent ? -kMaxExponent : x.e > kMaxExponent ? kMaxExponent : x.e;
  double log = logOfNormal<Terms>(a, e);  // a is in the band or in [0.5, 1) unless special
  return a == 0 ? -__builtin_huge_val() : a - a != 0 ? a : log;
}

}  // namespace extended

// ---------------------------------------------------------------------------------------------
// The log method on a GPU for float32 data: ExtendedFloat, m·2^e with a float mantissa and an
// int32 exponent, the same form as Extended one precision down. Consumer GPUs run float64 at
// 1/64 of float32's rate, and the chain then costs what the direct method's does (a float
// multiply-add and a band check); the value is 8 bytes, so the look-back publishes it with its
// status in one 16-byte word. Accuracy is the float32 loop's: logs are converted in double and
// rounded once to the float mantissa (as the loop's inputs are rounded to float32), the chain
// rounds like the loop, and results are converted back in double and rounded once.
// Exponents are kept within ±kMaxExponent: a number beyond 2^±kMaxExponent (|log| beyond 7.4e8,
// twice the largest input log that converts, extended::kMaxLog) is infinite or zero, as such an
// input is. So a sum of two exponents never leaves int32 (the CPU's Extended carries int64).
using ExtendedFloat = ExtendedNumber<float, int32_t>;
using ExtendedFloatPair = ExtendedPair<float, ExtendedFloat>;

namespace extended32 {

constexpr float kBandLow = 0x1p-60f, kBandHigh = 0x1p60f;  // products of two stay normal floats
constexpr int32_t kMaxExponent = (1 << 30) - 1;

LINREC_HD_HOT uint32_t bitsOf(float v) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(v);
#else
  uint32_t u;
  std::memcpy(&u, &v, 4);
  return u;
#endif
}
LINREC_HD_HOT float fromBits(uint32_t u) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(u);
#else
  float v;
  std::memcpy(&v, &u, 4);
  return v;
#endif
}
// 2^k, k clamped to the normal range.
LINREC_HD_HOT float pow2(int64_t k) {
  k = k < -126 ? -126 : k > 127 ? 127 : k;
  return fromBits(static_cast<uint32_t>(k + 127) << 23);
}
LINREC_HD_HOT bool inBand(float m) {
  float a = ::fabsf(m);
  return (a >= kBandLow) & (a <= kBandHigh);  // false for 0, inf, NaN
}
LINREC_HD_HOT bool finite(float m) { return m - m == 0; }
// Whether fromValue(v) is {v, 0}: v in the band, 0, infinite or NaN (canonical keeps those).
LINREC_HD_HOT bool keepsValue(float v) {
  float a = ::fabsf(v);
  return !((a > 0) & (a < kBandLow)) & !((a > kBandHigh) & (a < __builtin_huge_valf()));
}

// The canonical form of m·2^e (as extended::canonical, band [2^-60, 2^60]); beyond
// ±kMaxExponent, infinite or zero with m's sign.
LINREC_HD_COLD ExtendedFloat canonical(float m, int64_t e) {
  if (m == 0 || !finite(m)) return {m, 0};
  int k;
  float f = ::frexpf(m, &k);
  int64_t total = e + k;  // |v| in [2^(total-1), 2^total)
  if (total > -60 && total <= 60) return {f * pow2(total), 0};
  if (total > kMaxExponent) return {f * __builtin_huge_valf(), 0};
  if (total < -kMaxExponent) return {f * 0.0f, 0};
  return {f, int32_t(total)};
}
LINREC_HD_HOT ExtendedFloat fromValue(float v) { return inBand(v) ? ExtendedFloat{v, 0} : canonical(v, 0); }

// The number as a float: one rounding (two only below the normal range).
LINREC_HD_COLD float toFloatScaled(ExtendedFloat x) {
  if (x.e >= -126 && x.e <= 127) return x.m * pow2(x.e);
  int32_t c = x.e < -300 ? -300 : x.e > 300 ? 300 : x.e, half = c / 2;
  return x.m * pow2(half) * pow2(c - half);
}
LINREC_HD_HOT float toFloat(ExtendedFloat x) { return x.e == 0 ? x.m : toFloatScaled(x); }

// xm·2^xe + ym·2^ye for any operands (mantissas within 2^±120), one rounding of the aligned
// mantissas. Both are reduced to [0.5, 1) first, so that exponents compare magnitudes.
LINREC_HD_COLD ExtendedFloat add(float xm, int64_t xe, float ym, int64_t ye) {
  if (!finite(xm) || !finite(ym)) return {xm + ym, 0};  // inf ± finite, inf - inf, NaN
  if (ym == 0) return xm == 0 ? ExtendedFloat{xm + ym, 0} : canonical(xm, xe);
  if (xm == 0) return canonical(ym, ye);
  int kx, ky;
  float fx = ::frexpf(xm, &kx), fy = ::frexpf(ym, &ky);
  xe += kx;
  ye += ky;
  if (xe < ye) {
    float f = fx;
    fx = fy;
    fy = f;
    int64_t e = xe;
    xe = ye;
    ye = e;
  }
  // Below 2^-30 of the larger (which is at least 1/2), the smaller is under half its ulp.
  const int64_t d = ye - xe;
  return canonical(d < -30 ? fx : fx + fy * pow2(d), xe);
}

// The form for ExtendedArithmetic: a product's exponent is kept within ±kMaxExponent, so that
// the sum of two never leaves int32.
struct Format {
  using Number = ExtendedFloat;
  static LINREC_HD_HOT bool inBand(float m) { return extended32::inBand(m); }
  static LINREC_HD_HOT bool finite(float m) { return extended32::finite(m); }
  static LINREC_HD_HOT bool exponentFits(int32_t e) { return (e >= -kMaxExponent) & (e <= kMaxExponent); }
  static LINREC_HD ExtendedFloat canonical(float m, int64_t e) { return extended32::canonical(m, e); }
  static LINREC_HD ExtendedFloat add(float xm, int64_t xe, float ym, int64_t ye) {
    return extended32::add(xm, xe, ym, ye);
  }
};

// From and to the double form, where the conversions from and to logs are computed (once per
// number, outside the chain): one rounding of the mantissa to float.
LINREC_HD_COLD ExtendedFloat narrowGeneral(Extended x) {
  if (x.m == 0 || !extended::finite(x.m)) return {float(x.m), 0};
  int k;
  double f = ::frexp(x.m, &k);
  int64_t e = x.e + k;  // f·2^e; f rounds to a float in [0.5, 1]
  e = e < -(int64_t(1) << 40) ? -(int64_t(1) << 40) : e > (int64_t(1) << 40) ? (int64_t(1) << 40) : e;
  return canonical(float(f), e);
}
LINREC_HD_HOT ExtendedFloat narrow(Extended x) {
  float m = float(x.m);
  if ((x.e == 0) & inBand(m)) return {m, 0};
  return narrowGeneral(x);
}
LINREC_HD_HOT Extended widen(ExtendedFloat x) { return {double(x.m), x.e}; }

// sign·e^l, and log|x|: extended's conversions for float32 data (fitted polynomials), in double.
LINREC_HD_HOT ExtendedFloat fromLog(float l, bool negative) { return narrow(extended::fromLog<6>(l, negative)); }
LINREC_HD_HOT float logOf(ExtendedFloat x) { return float(extended::logOf<4>(widen(x))); }

}  // namespace extended32

// The affine monoid on extended numbers of one Format, for data of storage type T_ (float or
// double). Same structure and guards as AffineMonoid; products neither over- nor underflow, so a
// zero A is always an exact reset.
template <class T_, class Format> struct ExtendedAffineMonoidOf {
  using Arithmetic = ExtendedArithmetic<Format>;
  using Scalar = T_;
  using T = typename Arithmetic::Mantissa;
  using Value = typename Format::Number;
  using Elem = ExtendedPair<T_, Value>;
  // Series lengths of the log conversions: what the storage precision needs.
  static constexpr int kExpDegree = sizeof(T_) == 4 ? 6 : 13;
  static constexpr int kLogTerms = sizeof(T_) == 4 ? 4 : 11;

  static LINREC_HD Elem identity() { return {{T(1), 0}, {T(0), 0}}; }
  static LINREC_HD Elem constant(Value x) { return {{T(0), 0}, x}; }
  static LINREC_HD Elem start(Elem e) {
    if (e.A.m != e.A.m) e.B = e.A;
    return e;
  }
  static LINREC_HD Value value(Elem e) { return e.B; }
  static LINREC_HD Elem combine(Elem l, Elem r) {
    return afterInfinite(l, {Arithmetic::product(l.A, r.A), l.B.m == 0 ? r.B : Arithmetic::affine(r.A, l.B, r.B)});
  }
  static LINREC_HD Elem extend(Elem l, Elem e) {
    return afterInfinite(l, {Arithmetic::product(l.A, e.A), Arithmetic::affine(e.A, l.B, e.B)});
  }
  // An infinite coefficient product meeting a zero one later (o's A is the reset guard's 0): the
  // loop's x after an infinite coefficient is ±inf or NaN for every start, so the zero gives NaN
  // (0·inf), not a restart. B alone may not show it: start keeps a first step's b (inf·x + b),
  // and a lane or aggregate that begins there has a finite B. Extended products neither over-
  // nor underflow, so an infinite l.A is always an infinite input. (A zero before the infinite
  // coefficient is a restart: A stays 0, B carries inf·x.)
  static LINREC_HD Elem afterInfinite(Elem l, Elem o) {
    if (o.A.m == 0 && !Format::finite(l.A.m)) o.B = {o.A.m + l.A.m * T(0), 0};  // NaN
    return o;
  }
  static LINREC_HD Value step(Value x, Elem e) { return Arithmetic::affine(e.A, x, e.B); }
  // Only an infinite or NaN coefficient product calls for stepping through: products of
  // extended numbers neither over- nor underflow.
  static LINREC_HD bool composable(Value, Elem e, bool) { return Format::finite(e.A.m); }
  static LINREC_HD bool zeroCoefficient(Elem) { return false; }
};

// The two instances, as named types (kernel names, test/22 and bench/gpu/model.py read them):
// Extended numbers for float or double data, what the CPU engine computes the log method with
// (and the CUDA engine for float64 data); ExtendedFloat for the CUDA engine's float32 data.
template <class T> struct ExtendedAffineMonoid : ExtendedAffineMonoidOf<T, extended::Format> {};
struct ExtendedFloatAffineMonoid : ExtendedAffineMonoidOf<float, extended32::Format> {};

// An aggregate of n >= 1 steps by its definition: start, then extend, in step order, so that its
// B is the loop run from 0, bit for bit. at(i) gives step i's element. The engines' fallback for
// a row whose parallel joins would not give that B (a reset, then a product that underflows).
// kFromInfinite: the first coefficient is ±inf (composeFromInfinite, below): a later zero ends it.
#if defined(__CUDACC__)
#pragma nv_exec_check_disable  // at(i) may be host-only (the host-staged fold), as CUB does
#endif
template <class M, bool kFromInfinite = false, class At> LINREC_HD typename M::Elem composeInOrder(size_t n, At at) {
  typename M::Elem e = M::start(at(0));
  for (size_t i = 1; i < n; ++i) {
    const typename M::Elem step = at(i);
    if constexpr (kFromInfinite) {
      using T = typename M::Scalar;
      if (M::zeroCoefficient(step)) return {T(0), Math<T>::inf() - Math<T>::inf()};  // NaN
    }
    e = M::extend(e, step);
  }
  return e;
}

// Whether a coefficient is ±inf (neither finite nor NaN): a row that begins with one is composed
// by composeFromInfinite.
template <class T> LINREC_HD bool infiniteCoefficient(T a) { return !(a - a == T(0)) && a == a; }

// The aggregate of a row whose first coefficient is ±inf (direct method), by the loop's rules.
// start keeps that step's b (the map inf·x + b), and extend's reset guard would take a later zero
// coefficient as a restart (A = 0, B finite); but the loop's x after an infinite coefficient is
// ±inf or NaN for every start, so a later zero makes every x NaN: A = 0 (as the README has it for
// 0·inf), B = NaN. Without a zero, A stays ±inf in order (inf times a nonzero finite coefficient
// never underflows, as a parallel product of lanes may: 0.5^3000 is 0 in float32) and x_end is
// ±inf with the loop's sign for every x_start but 0 (inf·0 + B is NaN, as in the loop).
// The engines check each affine row's first coefficient (one load a row) and compose such a row
// here, in order: the CPU's aggregate, the CUDA engine's (warp rows, tile rows) and its host-
// staged fold (the whole row across chunks).
#if defined(__CUDACC__)
#pragma nv_exec_check_disable
#endif
template <class T, class At> LINREC_HD AffinePair<T> composeFromInfinite(size_t n, At at) {
  return composeInOrder<AffineMonoid<T>, true>(n, at);
}

}  // namespace linrec
