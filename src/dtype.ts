// Which typed array a value is: the one place linrec tells Float32Array, Float64Array and
// Int8Array apart. It asks the built-in %TypedArray%.prototype[Symbol.toStringTag] getter, which
// reads the array's internal slot: arrays from another realm (vm, jest) pass, look-alikes
// (Object.create(Float32Array.prototype), a spoofed toStringTag) do not, and it costs a tenth of
// Object.prototype.toString (measured: 27 vs 210 ns per check, bench/NOTES.md session 4).

export type FloatArray = Float32Array | Float64Array;
export type DType = 'float32' | 'float64';
/**
 * F's array type on any buffer: TypeScript 5.7+ types a typed array by its buffer, so that an
 * `out` on a SharedArrayBuffer would not fit inputs inferred as on an ArrayBuffer (the runtime
 * takes both). Other types (DeviceArray) stay as they are. Options take `F | OnAnyBuffer<F>`: a
 * generic caller's own F fits the first (a conditional type stays unresolved inside a generic).
 */
export type OnAnyBuffer<F> = F extends Float32Array ? Float32Array : F extends Float64Array ? Float64Array : F;

const typedArrayName = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Int8Array.prototype), Symbol.toStringTag)!.get! as (
  this: unknown,
) => string | undefined;

/** 'Float32Array', 'Int8Array', ... for a typed array (of any realm), else undefined. */
export function typedArrayKind(v: unknown): string | undefined {
  return typedArrayName.call(v);
}

/** The element type of a Float32Array or Float64Array, else undefined. */
export function floatDType(v: unknown): DType | undefined {
  const kind = typedArrayName.call(v);
  return kind === 'Float32Array' ? 'float32' : kind === 'Float64Array' ? 'float64' : undefined;
}

export function isFloatArray(v: unknown): v is FloatArray {
  return floatDType(v) !== undefined;
}

export function isInt8Array(v: unknown): v is Int8Array {
  return typedArrayName.call(v) === 'Int8Array';
}

/** A new zeroed array of `dtype`. */
export function allocFloat(dtype: DType, length: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
}
