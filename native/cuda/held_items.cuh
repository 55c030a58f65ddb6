// The form a lane keeps its steps in between load and store, per access (scan_kernel.cuh).
#pragma once

#include <type_traits>

#include "../access.h"

namespace linrec {
namespace cuda {

// What a lane holds of its steps between load and store (HeldOf<Access>): Item, the form its
// items wait in, and Out, the form its results go out in. Elements and values, but for the
// float32 log method on raw inputs: there an element is four words (mantissa and exponent of A
// and B) where the raw a, b are two, so the tile kernels keep the raw pair and convert it where a
// step uses it (extended32::fromValue: a band check in the plain case), and the results go out
// as floats. That is what lets its tiles hold 8192 steps in registers, as the direct method's do
// (scan_kernel.cuh's TilePolicy). elemOf and outOf give the forms the monoid computes in.
struct RawPair32 {
  float a, b;
};
// hold and raw: a raw access's load into the held form, and a result into storage.
template <class Access> struct HeldOf {
  using Item = typename Access::Monoid::Elem;
  using Out = typename Access::Monoid::Value;
  template <class T> static __device__ __forceinline__ Item hold(T a, T b) {
    return Access::make(a, b, static_cast<typename Access::Monoid*>(nullptr));
  }
  template <class V> static __device__ __forceinline__ auto raw(V v) { return Access::raw(v); }
};
template <bool Reverse> struct HeldOf<RawAccess<ExtendedFloatAffineMonoid, Reverse>> {
  using Item = RawPair32;
  using Out = float;
  static __device__ __forceinline__ Item hold(float a, float b) { return {a, b}; }  // converted where used
  static __device__ __forceinline__ float raw(float v) { return v; }  // already a float (outOf)
};
template <class M> __device__ __forceinline__ const typename M::Elem& elemOf(const typename M::Elem& e) { return e; }
template <class M> __device__ __forceinline__ ExtendedFloatPair elemOf(RawPair32 p) {
  static_assert(std::is_same<M, ExtendedFloatAffineMonoid>::value, "raw pairs are held for ExtendedFloat only");
  return RawAccess<ExtendedFloatAffineMonoid, false>::make(p.a, p.b, static_cast<ExtendedFloatAffineMonoid*>(nullptr));
}
// The item as it is, but opaque to the compiler: warpStepThrough's lane loop would otherwise
// convert every raw pair once, ahead of the loop (they are loop-invariant), and hold the 32
// converted elements in registers (spills at 32 items). Elements pass as they are.
template <class Item> __device__ __forceinline__ const Item& opaqueItem(const Item& e) { return e; }
__device__ __forceinline__ RawPair32 opaqueItem(RawPair32 p) {
#if defined(__CUDA_ARCH__)
  asm volatile("" : "+f"(p.a), "+f"(p.b));
#endif
  return p;
}
template <class Out, class Value> __device__ __forceinline__ Out outOf(Value v) {
  if constexpr (std::is_same<Out, Value>::value) {
    return v;
  } else {
    static_assert(std::is_same<Value, ExtendedFloat>::value && std::is_same<Out, float>::value, "held forms");
    return extended32::toFloat(v);
  }
}
template <class M> __device__ __forceinline__ typename M::Elem identityItem(typename M::Elem*) { return M::identity(); }
// elemOf({1, 0}) is the identity element.
template <class M> __device__ __forceinline__ RawPair32 identityItem(RawPair32*) { return {1.0f, 0.0f}; }

}  // namespace cuda
}  // namespace linrec
