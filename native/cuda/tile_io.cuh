// Moving a thread's run of consecutive steps between global memory and registers.
//
// A thread owns ITEMS consecutive steps [i0, i0 + ITEMS) of a row. In memory those are ITEMS
// consecutive indices (ascending when forward, descending when reversed), so when the run lies
// inside the row and its start is 16-byte aligned it moves as 16-byte vectors, reversed in
// registers if needed. Otherwise (misaligned strides, a row's ragged end) each step goes through
// the access object one by one. Only the owning thread ever reads or writes its indices, so
// in-place scans (x aliasing a or b) are safe.
#pragma once

#include <cstdint>

#include "../access.h"

namespace linrec {
namespace cuda {

template <class T> struct Vector16;
template <> struct Vector16<float> {
  using Type = float4;
  static constexpr int kCount = 4;
};
template <> struct Vector16<double> {
  using Type = double2;
  static constexpr int kCount = 2;
};

__device__ __forceinline__ bool aligned16(const void* p) {
  return (reinterpret_cast<uintptr_t>(p) & 15u) == 0;
}

template <int Items, class T> __device__ __forceinline__ void loadVectors(const T* p, T (&v)[Items]) {
  using V = typename Vector16<T>::Type;
  constexpr int kCount = Vector16<T>::kCount;
  static_assert(Items % kCount == 0, "items per thread must fill whole 16-byte vectors");
  const V* pv = reinterpret_cast<const V*>(p);
#pragma unroll
  for (int k = 0; k < Items / kCount; ++k) {
    V w = pv[k];
    const T* s = reinterpret_cast<const T*>(&w);
#pragma unroll
    for (int c = 0; c < kCount; ++c) v[k * kCount + c] = s[c];
  }
}

// Through __stwb (a plain write-back store): with a plain assignment, nvcc merged a forward
// run's first four stores with the scalar fallback's stores to the same addresses, leaving the
// first 16 bytes of each thread's output as four scalar stores.
template <int Items, class T> __device__ __forceinline__ void storeVectors(T* p, const T (&v)[Items]) {
  using V = typename Vector16<T>::Type;
  constexpr int kCount = Vector16<T>::kCount;
  V* pv = reinterpret_cast<V*>(p);
#pragma unroll
  for (int k = 0; k < Items / kCount; ++k) {
    V w;
    T* d = reinterpret_cast<T*>(&w);
#pragma unroll
    for (int c = 0; c < kCount; ++c) d[c] = v[k * kCount + c];
    __stwb(pv + k, w);
  }
}

// Lowest memory index of the run [i0, i0 + Items) of a row of n steps.
template <bool Reverse, int Items> __device__ __forceinline__ size_t runStart(size_t n, size_t i0) {
  return Reverse ? n - i0 - Items : i0;
}
// Register slot of the k-th lowest memory index of the run.
template <bool Reverse, int Items> __device__ __forceinline__ int slotOf(int k) {
  return Reverse ? Items - 1 - k : k;
}

// ---------------------------------------------------------------------------------------------
// Generic fallback, one step at a time; steps past the row's end are left as they are.
template <int Items, class Access, class Elem>
__device__ __forceinline__ void loadSteps(const Access& acc, size_t r, size_t n, size_t i0, Elem (&e)[Items]) {
#pragma unroll
  for (int k = 0; k < Items; ++k)
    if (i0 + k < n) e[k] = acc.load(r, i0 + k);
}
template <int Items, class Access, class Value>
__device__ __forceinline__ void storeSteps(const Access& acc, size_t r, size_t n, size_t i0,
                                           const Value (&v)[Items]) {
#pragma unroll
  for (int k = 0; k < Items; ++k)
    if (i0 + k < n) acc.store(r, i0 + k, v[k]);
}

// ---------------------------------------------------------------------------------------------
// Raw a, b (Direct and LogFromRaw).
template <int Items, class M, bool Reverse>
__device__ __forceinline__ void loadItems(const RawAccess<M, Reverse>& acc, size_t r, size_t n,
                                          size_t i0, typename M::Elem (&e)[Items]) {
  using T = typename M::Scalar;
  using Access = RawAccess<M, Reverse>;
  if (i0 + Items <= n) {
    size_t j0 = runStart<Reverse, Items>(n, i0);
    const T* pa = acc.a + r * acc.aStride + j0;
    const T* pb = acc.b + r * acc.bStride + j0;
    if (aligned16(pa) && aligned16(pb)) {
      T av[Items], bv[Items];
      loadVectors(pa, av);
      loadVectors(pb, bv);
#pragma unroll
      for (int k = 0; k < Items; ++k) {
        int s = slotOf<Reverse, Items>(k);
        e[s] = Access::make(av[k], bv[k], static_cast<M*>(nullptr));
      }
      return;
    }
  }
  loadSteps(acc, r, n, i0, e);
}

template <int Items, class M, bool Reverse>
__device__ __forceinline__ void storeItems(const RawAccess<M, Reverse>& acc, size_t r, size_t n,
                                           size_t i0, const typename M::Value (&v)[Items]) {
  using T = typename M::Scalar;
  using Access = RawAccess<M, Reverse>;
  if (i0 + Items <= n) {
    T* px = acc.x + r * acc.xStride + runStart<Reverse, Items>(n, i0);
    if (aligned16(px)) {
      T xv[Items];
#pragma unroll
      for (int k = 0; k < Items; ++k) xv[k] = Access::raw(v[slotOf<Reverse, Items>(k)]);
      storeVectors(px, xv);
      return;
    }
  }
  storeSteps(acc, r, n, i0, v);
}

// ---------------------------------------------------------------------------------------------
// log|a|, log|b| with int8 signs (LogFromLog). The logs move as vectors; signs byte by byte.
template <int Items, class T, bool Reverse>
__device__ __forceinline__ void loadItems(const LogAccess<T, Reverse>& acc, size_t r, size_t n,
                                          size_t i0, typename LogAccess<T, Reverse>::Elem (&e)[Items]) {
  using Access = LogAccess<T, Reverse>;
  using L = typename Access::L;
  if (i0 + Items <= n) {
    size_t j0 = runStart<Reverse, Items>(n, i0);
    size_t ka = r * acc.aStride + j0, kb = r * acc.bStride + j0;
    if (aligned16(acc.a + ka) && aligned16(acc.b + kb)) {
      T av[Items], bv[Items];
      loadVectors(acc.a + ka, av);
      loadVectors(acc.b + kb, bv);
#pragma unroll
      for (int k = 0; k < Items; ++k) {
        int s = slotOf<Reverse, Items>(k);
        e[s] = {L(av[k]), L(bv[k]), Access::negative(acc.aSign, ka + k), Access::negative(acc.bSign, kb + k)};
      }
      return;
    }
  }
  loadSteps(acc, r, n, i0, e);
}

template <int Items, class T, bool Reverse>
__device__ __forceinline__ void storeItems(const LogAccess<T, Reverse>& acc, size_t r, size_t n,
                                           size_t i0, const typename LogAccess<T, Reverse>::Value (&v)[Items]) {
  using Access = LogAccess<T, Reverse>;
  if (i0 + Items <= n) {
    size_t k0 = r * acc.xStride + runStart<Reverse, Items>(n, i0);
    if (aligned16(acc.x + k0)) {
      T xv[Items];
#pragma unroll
      for (int k = 0; k < Items; ++k) {
        typename Access::Value s = v[slotOf<Reverse, Items>(k)];
        xv[k] = T(s.log);
        acc.xSign[k0 + k] = Access::signOf(s.neg);
      }
      storeVectors(acc.x + k0, xv);
      return;
    }
  }
  storeSteps(acc, r, n, i0, v);
}

}  // namespace cuda
}  // namespace linrec
