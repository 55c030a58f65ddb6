// The monoids that linrec scans, defined once for host and device code.
//
// x_t = a_t * x_{t-1} + b_t is the composition of affine maps x -> a*x + b. Composition is
// associative, so a prefix scan over the maps computes every x_t in parallel. x_0 folds in as
// the constant map (0, x_0): the B of a prefix that starts with it *is* x_t, so no product of
// coefficients is ever carried across the whole sequence (the float32 trap of the seed's recipe).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#if defined(__CUDACC__)
#define LINREC_HD __host__ __device__ __forceinline__
#else
#define LINREC_HD inline
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
};

// ---------------------------------------------------------------------------------------------
// SignedLog: a real number as (log|v|, sign). The seed's complex logarithms have imaginary
// parts that are multiples of π, so one sign bit carries them. Zero is log = -inf, positive.
template <class T> struct SignedLog {
  T log;
  bool neg;
};

template <class T> LINREC_HD SignedLog<T> signedLogOf(T v) {
  return {Math<T>::log(Math<T>::abs(v)), v < T(0)};
}
template <class T> LINREC_HD T valueOf(SignedLog<T> v) {
  T m = Math<T>::exp(v.log);
  return v.neg ? -m : m;
}

// log|u + v| and its sign, for u, v in signed-log form, without overflow or cancellation loss.
template <class T> LINREC_HD SignedLog<T> signedLogAdd(SignedLog<T> u, SignedLog<T> v) {
  if (u.log < v.log) {  // make u the larger (NaN compares false and propagates below)
    SignedLog<T> t = u;
    u = v;
    v = t;
  }
  if (v.log == -Math<T>::inf()) return u;  // adding zero (and 0 + 0 = +0)
  if (u.log == Math<T>::inf()) {            // inf ± finite stays; inf - inf is NaN
    if (v.log == Math<T>::inf() && u.neg != v.neg) return {u.log - v.log, false};
    return u;
  }
  T d = v.log - u.log;  // <= 0
  if (u.neg == v.neg) return {u.log + Math<T>::log1p(Math<T>::exp(d)), u.neg};
  if (d == T(0)) return {-Math<T>::inf(), false};  // exact cancellation
  // log(1 - e^d): expm1 near 0 (d > -ln 2), log1p below, each accurate in its range.
  T r = d > T(-0.693147180559945309) ? Math<T>::log(-Math<T>::expm1(d))
                                      : Math<T>::log1p(-Math<T>::exp(d));
  return {u.log + r, u.neg};
}

template <class T> struct SignedLogPair {
  T logA, logB;
  bool negA, negB;
};

// The signed-log scan computes in a wider type than its data. log|x| rounded to the data's
// precision carries an absolute error of eps·|log x| into every step, a relative error in x
// several times the direct loop's (measured: 4.2x at n = 10^7 in float32, up to 5.5x in
// float64); one step wider, the log method is as accurate as the loop or better, and only
// results are rounded. float32 computes in float64 everywhere; float64 in x87 extended
// precision where the host compiler has it (not on GPUs, nor where long double is a slow
// software quad), else in float64. The compute type is a template argument, so the two
// choices are distinct types and never collide between host and CUDA translation units.
template <class T> struct LogCompute {
  using type = T;
};
template <> struct LogCompute<float> {
  using type = double;
};
// Device code computes in double (no extended type on a GPU); so do the CUDA sources when they
// are compiled for the CPU emulation (LINREC_DEVICE_ARITHMETIC), to test what a GPU computes.
#if !defined(__CUDACC__) && !defined(LINREC_DEVICE_ARITHMETIC) && defined(__LDBL_MANT_DIG__) && __LDBL_MANT_DIG__ == 64
template <> struct LogCompute<double> {
  using type = long double;
};
#endif

template <class T_, class C = typename LogCompute<T_>::type> struct SignedLogMonoid {
  using Scalar = T_;  // storage type of inputs and results
  using T = C;        // arithmetic type
  using Elem = SignedLogPair<T>;
  using Value = SignedLog<T>;

  static LINREC_HD Elem identity() { return {T(0), -Math<T>::inf(), false, false}; }
  static LINREC_HD Elem start(Elem e) {
    if (e.logA != e.logA) e.logB = e.logA;
    return e;
  }
  static LINREC_HD Elem constant(Value x) { return {-Math<T>::inf(), x.log, false, x.neg}; }
  static LINREC_HD Value value(Elem e) { return {e.logB, e.negB}; }

  // The affine composition in log space, with the same zero guards as AffineMonoid.
  static LINREC_HD Elem combine(Elem l, Elem r) {
    Elem o;
    bool reset = l.logA == -Math<T>::inf() || r.logA == -Math<T>::inf();
    o.logA = reset ? -Math<T>::inf() : l.logA + r.logA;
    o.negA = reset ? false : (l.negA != r.negA);
    SignedLog<T> b = {r.logB, r.negB};
    if (l.logB != -Math<T>::inf()) b = signedLogAdd<T>({r.logA + l.logB, r.negA != l.negB}, b);
    o.logB = b.log;
    o.negB = b.neg;
    return o;
  }

  static LINREC_HD Elem extend(Elem l, Elem e) {
    Elem o;
    bool reset = l.logA == -Math<T>::inf() || e.logA == -Math<T>::inf();
    o.logA = reset ? -Math<T>::inf() : l.logA + e.logA;
    o.negA = reset ? false : (l.negA != e.negA);
    SignedLog<T> b = signedLogAdd<T>({e.logA + l.logB, e.negA != l.negB}, {e.logB, e.negB});
    o.logB = b.log;
    o.negB = b.neg;
    return o;
  }

  // As AffineMonoid::composable. Log-space products neither overflow nor underflow, so only
  // an infinite coefficient (log|A| = +inf) or a NaN one calls for stepping through.
  static LINREC_HD bool composable(Value, Elem e, bool) { return e.logA != Math<T>::inf() && e.logA == e.logA; }
  static LINREC_HD bool zeroCoefficient(Elem) { return false; }  // composable does not ask

  static LINREC_HD Value step(Value x, Elem e) {
    return signedLogAdd<T>({e.logA + x.log, e.negA != x.neg}, {e.logB, e.negB});
  }
};

}  // namespace linrec
