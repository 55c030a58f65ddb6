#include "convert.h"

#include "cuda_guard.h"
#include "device_buffer.h"

namespace linrec {
namespace binding {

Napi::Error makeError(Napi::Env env, const char* code, const std::string& message) {
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("code", Napi::String::New(env, code));
  return e;
}

void* typedArrayData(const Napi::TypedArray& ta) {
  void* data = nullptr;
  napi_status status = napi_get_typedarray_info(ta.Env(), ta, nullptr, nullptr, &data, nullptr, nullptr);
  if (status != napi_ok) throw makeError(ta.Env(), "ERR_LINREC_INTERNAL", "linrec internal error: cannot read a typed array");
  return data;
}

static Napi::Error internal(Napi::Env env, const std::string& what) {
  return makeError(env, "ERR_LINREC_INTERNAL", "linrec internal error: " + what);
}

static ArrayRef readArray(Napi::Env env, const Napi::Value& v, const char* name) {
  ArrayRef ref;
  ref.holder = v;
  if (v.IsTypedArray()) {
    Napi::TypedArray ta = v.As<Napi::TypedArray>();
    napi_typedarray_type t = ta.TypedArrayType();
    if (t != napi_float32_array && t != napi_float64_array && t != napi_int8_array)
      throw internal(env, std::string(name) + " has an unsupported element type");
    ref.data = typedArrayData(ta);  // works for SharedArrayBuffer-backed arrays too
    ref.length = ta.ElementLength();
    ref.elemSize = ta.ElementSize();
    ref.isInt8 = t == napi_int8_array;
    ref.isFloat64 = t == napi_float64_array;
    return ref;
  }
  if (v.IsObject() && DeviceBuffer::IsInstance(v)) {
    DeviceBuffer* d = DeviceBuffer::Unwrap(v.As<Napi::Object>());
    if (!d->data()) throw makeError(env, "ERR_LINREC_DISPOSED", std::string(name) + " is a disposed DeviceArray");
    refuseLost(env, d->device(), d->generation());
    ref.data = d->data();
    ref.device = d->device();
    ref.generation = d->generation();
    ref.elemSize = d->elemSize();
    ref.length = d->bytes() / d->elemSize();
    ref.onDevice = true;
    ref.isInt8 = d->elemSize() == 1;
    ref.isFloat64 = d->elemSize() == 8;
    return ref;
  }
  throw internal(env, std::string(name) + " is not a typed array or DeviceArray");
}

// One operand: an array (typed array or DeviceBuffer), its optional sign array, and where its
// rows start and how far apart they are.
struct Operand {
  ArrayRef data, sign;
  size_t offset = 0, stride = 0;
  bool present = false, hasSign = false;
};

static Operand readOperand(Napi::Env env, const Napi::Value& data, const Napi::Value& sign, double offset,
                           double stride, const char* key) {
  Operand op;
  if (data.IsUndefined() || data.IsNull()) return op;
  op.present = true;
  op.data = readArray(env, data, key);
  if (!(offset >= 0 && stride >= 0)) throw internal(env, std::string(key) + " has a negative offset or stride");
  op.offset = static_cast<size_t>(offset);
  op.stride = static_cast<size_t>(stride);
  if (!sign.IsUndefined() && !sign.IsNull()) {
    op.sign = readArray(env, sign, key);
    if (!op.sign.isInt8 || op.sign.length != op.data.length)
      throw internal(env, std::string(key) + ".sign does not match its data");
    op.hasSign = true;
  }
  return op;
}

// The numbers of a call, passed as one Float64Array (see src/addon.ts).
struct Layout {
  const double* v = nullptr;
  double operator[](size_t i) const { return v[i]; }
  size_t count(size_t i) const { return v[i] > 0 ? static_cast<size_t>(v[i]) : 0; }
};

static Layout readLayout(const Napi::CallbackInfo& info, size_t expectedSize) {
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    throw internal(info.Env(), "layout is not a Float64Array");
  Napi::Float64Array layout = info[0].As<Napi::Float64Array>();
  if (layout.ElementLength() != expectedSize) throw internal(info.Env(), "layout has the wrong size");
  return {layout.Data()};
}

// The highest element a row-major operand touches must lie inside its array.
static void checkExtent(Napi::Env env, const Operand& op, const char* key, size_t rows, size_t perRow) {
  if (!op.present || rows == 0 || perRow == 0) return;
  size_t last = op.offset + (rows - 1) * op.stride + perRow - 1;
  if (last >= op.data.length) throw internal(env, std::string(key) + " is shorter than its layout");
}

template <class Call> static void hold(Call& call, const Operand& op) {
  if (!op.present) return;
  call.holders.push_back(op.data.holder);
  if (op.hasSign) call.holders.push_back(op.sign.holder);
}

static void* at(const Operand& op) {
  return op.present ? static_cast<uint8_t*>(op.data.data) + op.offset * op.data.elemSize : nullptr;
}
static int8_t* signAt(const Operand& op) {
  return op.hasSign ? static_cast<int8_t*>(op.sign.data) + op.offset : nullptr;
}

// Where a call runs: the layout's device code is -1 for the CPU engine, else the CUDA device's
// index. DeviceArray operands must all be on that device, signs included.
template <size_t N>
static bool readPlacement(Napi::Env env, double code, const Operand* const (&ops)[N], bool& onDevice, int& device,
                          unsigned& generation) {
  if (!(code >= -1) || code != static_cast<int>(code)) throw internal(env, "bad device code");
  const bool useCuda = code >= 0;
  device = useCuda ? static_cast<int>(code) : 0;
  onDevice = ops[0]->data.onDevice;
  generation = ops[0]->data.generation;  // all equal: each passed refuseLost
  if (onDevice && !useCuda) throw internal(env, "DeviceArray operands on the CPU engine");
  for (const Operand* op : ops) {
    if (!op->present) continue;
    for (const ArrayRef* r : {&op->data, &op->sign}) {
      if (r != &op->data && !op->hasSign) continue;
      if (r->onDevice != onDevice) throw internal(env, "a call mixes host and device arrays");
      if (onDevice && r->device != device) throw internal(env, "a call's DeviceArrays are on another device");
    }
  }
  return useCuda;
}

// scan(layout, a, aSign, b, bSign, x, xSign, x0, x0Sign, x0Copy, x0CopySign, last, lastSign)
// layout: method, rows, n, reverse, threads, device code (readPlacement), then offset and stride of a, b, x, x0, x0Copy,
// and the offset of last.
ScanCall readScanCall(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Layout l = readLayout(info, 17);
  ScanCall call;
  ScanJob& j = call.job;
  j.method = static_cast<Method>(l.count(0));
  if (l.count(0) > 2) throw internal(env, "unknown method");
  j.rows = l.count(1);
  j.n = l.count(2);
  j.reverse = l[3] != 0;
  j.threads = static_cast<unsigned>(std::max<size_t>(1, l.count(4)));

  Operand a = readOperand(env, info[1], info[2], l[6], l[7], "a");
  Operand b = readOperand(env, info[3], info[4], l[8], l[9], "b");
  Operand x = readOperand(env, info[5], info[6], l[10], l[11], "x");
  Operand x0 = readOperand(env, info[7], info[8], l[12], l[13], "x0");
  Operand x0Copy = readOperand(env, info[9], info[10], l[14], l[15], "x0Copy");
  Operand last = readOperand(env, info[11], info[12], l[16], 1, "last");
  if (!a.present || !b.present || !x.present || !x0.present) throw internal(env, "scan call is incomplete");
  j.dtype = a.data.isFloat64 ? DType::Float64 : DType::Float32;
  for (const Operand* op : {&a, &b, &x, &x0, &x0Copy, &last})
    if (op->present && (op->data.isInt8 || op->data.isFloat64 != a.data.isFloat64))
      throw internal(env, "scan operands differ in element type");
  bool logs = j.method == Method::LogFromLog;
  if (logs && (!x.hasSign || (x0Copy.present && !x0Copy.hasSign) || (last.present && !last.hasSign)))
    throw internal(env, "log scan outputs need sign arrays");
  checkExtent(env, a, "a", j.rows, j.n);
  checkExtent(env, b, "b", j.rows, j.n);
  checkExtent(env, x, "x", j.rows, j.n);
  checkExtent(env, x0, "x0", j.rows, 1);
  checkExtent(env, x0Copy, "x0Copy", j.rows, 1);
  checkExtent(env, last, "last", j.rows, 1);

  call.useCuda = readPlacement(env, l[5], {&a, &b, &x, &x0, &x0Copy, &last}, call.onDevice, j.device, call.generation);

  j.a = at(a);
  j.b = at(b);
  j.x = at(x);
  j.x0 = at(x0);
  j.x0Copy = at(x0Copy);
  j.last = at(last);
  j.aStride = a.stride;
  j.bStride = b.stride;
  j.xStride = x.stride;
  j.x0Stride = x0.stride;
  j.x0CopyStride = x0Copy.stride;
  if (logs) {
    j.aSign = signAt(a);
    j.bSign = signAt(b);
    j.xSign = signAt(x);
    j.x0Sign = signAt(x0);
    j.x0CopySign = signAt(x0Copy);
    j.lastSign = signAt(last);
  }
  for (const Operand* op : {&a, &b, &x, &x0, &x0Copy, &last}) hold(call, *op);
  return call;
}

// aggregate(layout, a, b, outA, outB)
// layout: rows, n, reverse, threads, device code (readPlacement), then offset and stride of a and b, offsets of outA, outB.
AggregateCall readAggregateCall(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Layout l = readLayout(info, 11);
  AggregateCall call;
  AggregateJob& j = call.job;
  j.rows = l.count(0);
  j.n = l.count(1);
  j.reverse = l[2] != 0;
  j.threads = static_cast<unsigned>(std::max<size_t>(1, l.count(3)));
  Napi::Value none = env.Undefined();
  Operand a = readOperand(env, info[1], none, l[5], l[6], "a");
  Operand b = readOperand(env, info[2], none, l[7], l[8], "b");
  Operand outA = readOperand(env, info[3], none, l[9], 1, "outA");
  Operand outB = readOperand(env, info[4], none, l[10], 1, "outB");
  if (!a.present || !b.present || !outA.present || !outB.present) throw internal(env, "aggregate call is incomplete");
  j.dtype = a.data.isFloat64 ? DType::Float64 : DType::Float32;
  for (const Operand* op : {&a, &b, &outA, &outB})
    if (op->data.isInt8 || op->data.isFloat64 != a.data.isFloat64)
      throw internal(env, "aggregate operands differ in element type");
  checkExtent(env, a, "a", j.rows, j.n);
  checkExtent(env, b, "b", j.rows, j.n);
  checkExtent(env, outA, "outA", j.rows, 1);
  checkExtent(env, outB, "outB", j.rows, 1);
  call.useCuda = readPlacement(env, l[4], {&a, &b, &outA, &outB}, call.onDevice, j.device, call.generation);
  j.a = at(a);
  j.b = at(b);
  j.outA = at(outA);
  j.outB = at(outB);
  j.aStride = a.stride;
  j.bStride = b.stride;
  for (const Operand* op : {&a, &b, &outA, &outB}) hold(call, *op);
  return call;
}

}  // namespace binding
}  // namespace linrec
