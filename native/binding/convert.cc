#include "convert.h"

#include <algorithm>
#include <memory>

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
  if (status != napi_ok)
    throw makeError(ta.Env(), "ERR_LINREC_INTERNAL", "linrec internal error: cannot read a typed array");
  return data;
}

static Napi::Error internal(napi_env env, const std::string& what) {
  return makeError(Napi::Env(env), "ERR_LINREC_INTERNAL", "linrec internal error: " + what);
}

// Where one array of a job lives: a host typed array, or a DeviceArray's buffer.
struct ArrayRef {
  void* data = nullptr;
  size_t length = 0;  // elements
  size_t elemSize = 0;
  bool onDevice = false;
  int device = 0;  // the CUDA device, when onDevice
  unsigned generation = 0;  // its device's context generation, when onDevice (cuda::contextGeneration)
  bool isInt8 = false;
  bool isFloat64 = false;
};

// One Node-API call for a host typed array (the common case); a DeviceBuffer otherwise.
static ArrayRef readArray(napi_env env, napi_value v, const char* name) {
  ArrayRef ref;
  napi_typedarray_type t;
  if (napi_get_typedarray_info(env, v, &t, &ref.length, &ref.data, nullptr, nullptr) == napi_ok) {
    if (t != napi_float32_array && t != napi_float64_array && t != napi_int8_array)
      throw internal(env, std::string(name) + " has an unsupported element type");
    ref.isInt8 = t == napi_int8_array;
    ref.isFloat64 = t == napi_float64_array;
    ref.elemSize = ref.isInt8 ? 1 : ref.isFloat64 ? 8 : 4;
    return ref;
  }
  Napi::Value value(env, v);
  if (DeviceBuffer::IsInstance(value)) {
    DeviceBuffer* d = DeviceBuffer::Unwrap(value.As<Napi::Object>());
    if (!d->data())
      throw makeError(Napi::Env(env), "ERR_LINREC_DISPOSED", std::string(name) + " is a disposed DeviceArray");
    refuseLost(Napi::Env(env), d->device(), d->generation());
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

static const double* layoutData(napi_env env, napi_value value, size_t expectedSize, napi_ref* ref) {
  napi_typedarray_type t;
  size_t length;
  void* data;
  if (napi_get_typedarray_info(env, value, &t, &length, &data, nullptr, nullptr) != napi_ok || t != napi_float64_array)
    throw internal(env, "layout is not a Float64Array");
  if (length != expectedSize) throw internal(env, "layout has the wrong size");
  // Backing stores of arrays this size live outside V8's heap and never move.
  if (napi_create_reference(env, value, 1, ref) != napi_ok) throw internal(env, "cannot keep the layout");
  return static_cast<const double*>(data);
}

Layouts* bindLayouts(napi_env env, napi_value scanLayout, napi_value aggregateLayout) {
  auto layouts = std::make_unique<Layouts>();
  layouts->scan = layoutData(env, scanLayout, ScanSlot::count, &layouts->scanRef);
  layouts->aggregate = layoutData(env, aggregateLayout, AggregateSlot::count, &layouts->aggregateRef);
  return layouts.release();
}

void useLayouts(napi_env env, napi_value function, Layouts* layouts) {
  ++layouts->users;
  napi_status status = napi_add_finalizer(
      env, function, layouts,
      [](napi_env env, void* data, void*) {
        auto* l = static_cast<Layouts*>(data);
        if (--l->users) return;
        napi_delete_reference(env, l->scanRef);
        napi_delete_reference(env, l->aggregateRef);
        delete l;
      },
      nullptr, nullptr);
  if (status != napi_ok) throw internal(env, "cannot attach the layouts");
}

// Arguments: the arrays (absent ones read as undefined); the layouts come with the function.
template <size_t N> struct Args {
  napi_value v[N];
  Layouts* layouts = nullptr;
  Args(napi_env env, napi_callback_info info) {
    size_t count = N;
    if (napi_get_cb_info(env, info, &count, v, nullptr, reinterpret_cast<void**>(&layouts)) != napi_ok || !layouts)
      throw internal(env, "cannot read the arguments");
  }
  napi_value array(size_t i) const { return v[i]; }
};

// The numbers of a call (native/binding/contract.h).
struct Layout {
  const double* v = nullptr;
  double operator[](size_t i) const { return v[i]; }
  size_t count(size_t i) const { return v[i] > 0 ? static_cast<size_t>(v[i]) : 0; }
};

static Operand readOperand(napi_env env, napi_value data, napi_value sign, bool hasData, bool hasSign, double offset,
                           double stride, const char* key) {
  Operand op;
  if (!hasData) return op;
  op.present = true;
  op.data = readArray(env, data, key);
  if (!(offset >= 0 && stride >= 0)) throw internal(env, std::string(key) + " has a negative offset or stride");
  op.offset = static_cast<size_t>(offset);
  op.stride = static_cast<size_t>(stride);
  if (hasSign) {
    op.sign = readArray(env, sign, key);
    if (!op.sign.isInt8 || op.sign.length != op.data.length)
      throw internal(env, std::string(key) + ".sign does not match its data");
    op.hasSign = true;
  }
  return op;
}

// The highest element a row-major operand touches must lie inside its array.
static void checkExtent(napi_env env, const Operand& op, const char* key, size_t rows, size_t perRow) {
  if (!op.present || rows == 0 || perRow == 0) return;
  size_t last = op.offset + (rows - 1) * op.stride + perRow - 1;
  if (last >= op.data.length) throw internal(env, std::string(key) + " is shorter than its layout");
}

// The bytes an array spans; empty arrays overlap nothing.
struct Span {
  const uint8_t *lo, *hi;
  explicit Span(const ArrayRef& r) : lo(static_cast<const uint8_t*>(r.data)), hi(lo + r.length * r.elemSize) {}
  bool overlaps(const Span& o) const { return lo < o.hi && o.lo < hi && lo != hi && o.lo != o.hi; }
  bool operator==(const Span& o) const { return lo == o.lo && hi == o.hi; }
};

// The `refuseAlias` rule of contract.h, for host arrays.
static void checkNoAlias(napi_env env, const Operand& a, const Operand& b, const Operand& x) {
  auto refuse = [&](const ArrayRef& out, const ArrayRef& in, bool inPlaceAllowed) {
    Span o(out), i(in);
    if (o.overlaps(i) && !(inPlaceAllowed && o == i))
      throw makeError(Napi::Env(env), "ERR_LINREC_ALIAS", "linrec: an output shares memory with an input");
  };
  for (const ArrayRef* out : {&x.data, x.hasSign ? &x.sign : nullptr}) {
    if (!out) continue;
    const bool isSign = out == &x.sign;
    refuse(*out, a.data, false);
    if (a.hasSign) refuse(*out, a.sign, false);
    refuse(*out, b.data, !isSign);
    if (b.hasSign) refuse(*out, b.sign, isSign);
  }
  if (x.hasSign) refuse(x.data, x.sign, false);
}

static void* at(const Operand& op) {
  return op.present ? static_cast<uint8_t*>(op.data.data) + op.offset * op.data.elemSize : nullptr;
}
static int8_t* signAt(const Operand& op) {
  return op.hasSign ? static_cast<int8_t*>(op.sign.data) + op.offset : nullptr;
}

// Where a call runs: the layout's device code is -1 for the CPU engine, else the CUDA device's
// index. DeviceArray operands must all be on that device, signs included.
template <size_t N> static bool readPlacement(napi_env env, double code, const Operand* const (&ops)[N], bool& onDevice,
                                              int& device, unsigned& generation) {
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

ScanCall readScanCall(napi_env env, napi_callback_info info) {
  Args<ScanArray::count> args(env, info);
  Layout l{args.layouts->scan};
  ScanCall call;
  ScanJob& j = call.job;
  const double method = l[ScanSlot::method];
  if (!(method >= 0 && method < kMethodCount) || method != static_cast<int>(method))
    throw internal(env, "unknown method");
  j.method = static_cast<Method>(l.count(ScanSlot::method));
  j.rows = l.count(ScanSlot::rows);
  j.n = l.count(ScanSlot::n);
  j.reverse = l[ScanSlot::reverse] != 0;
  j.threads = static_cast<unsigned>(std::max<size_t>(1, l.count(ScanSlot::threads)));
  const unsigned present = static_cast<unsigned>(l.count(ScanSlot::arrays));
  auto operand = [&](size_t data, size_t sign, double offset, double stride, const char* key) {
    return readOperand(env, args.array(data), args.array(sign), present >> data & 1, present >> sign & 1, offset,
                       stride, key);
  };
  Operand a = operand(ScanArray::a, ScanArray::aSign, l[ScanSlot::aOffset], l[ScanSlot::aStride], "a");
  Operand b = operand(ScanArray::b, ScanArray::bSign, l[ScanSlot::bOffset], l[ScanSlot::bStride], "b");
  Operand x = operand(ScanArray::x, ScanArray::xSign, l[ScanSlot::xOffset], l[ScanSlot::xStride], "x");
  // x0, x0Copy and last may share an earlier operand's arrays (their own offset and stride).
  Operand x0Seen;
  auto sharing = [&](size_t data, size_t sign, size_t sharesSlot, double offset, double stride, const char* key) {
    const double shares = l[sharesSlot];
    if (shares < 0) return operand(data, sign, offset, stride, key);
    const Operand* from = shares == ScanArray::a                             ? &a
                          : shares == ScanArray::b                           ? &b
                          : shares == ScanArray::x                           ? &x
                          : shares == ScanArray::x0 && data != ScanArray::x0 ? &x0Seen
                                                                             : nullptr;
    if (!from || !from->present || !(offset >= 0 && stride >= 0))
      throw internal(env, std::string(key) + " shares no operand");
    Operand op = *from;
    op.offset = static_cast<size_t>(offset);
    op.stride = static_cast<size_t>(stride);
    return op;
  };
  Operand x0 =
      sharing(ScanArray::x0, ScanArray::x0Sign, ScanSlot::x0Shares, l[ScanSlot::x0Offset], l[ScanSlot::x0Stride], "x0");
  x0Seen = x0;
  Operand x0Copy = sharing(ScanArray::x0Copy, ScanArray::x0CopySign, ScanSlot::x0CopyShares, l[ScanSlot::x0CopyOffset],
                           l[ScanSlot::x0CopyStride], "x0Copy");
  Operand last =
      sharing(ScanArray::last, ScanArray::lastSign, ScanSlot::lastShares, l[ScanSlot::lastOffset], 1, "last");
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

  call.useCuda = readPlacement(env, l[ScanSlot::device], {&a, &b, &x, &x0, &x0Copy, &last}, call.onDevice, j.device,
                               call.generation);
  if (l[ScanSlot::refuseAlias] != 0 && !call.onDevice) checkNoAlias(env, a, b, x);

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
  for (size_t i = 0; i < ScanArray::count; ++i)
    if (present >> i & 1) call.holders.add(args.array(i));
  return call;
}

// A host array as scanHost reads it, taken as `Size`-byte floats: the caller's claim, which src/
// reads from the array's internal slot (src/dtype.ts). Asking Node-API for the element type costs
// a chain of nine type tests per array (~40 ns, more than the rest of the read), so the claim is
// bounded instead: the elements must lie inside the array's ArrayBuffer. A wrong claim then
// yields wrong numbers but never touches memory outside the caller's buffer. A SharedArrayBuffer
// has no napi_get_arraybuffer_info: declined (the general path takes it).
struct HostArray {
  uint8_t* data = nullptr;
  size_t length = 0;
};
template <size_t Size> static bool readHostArray(napi_env env, napi_value v, HostArray& h) {
  void* data;
  napi_value buffer;
  size_t offset, bufferBytes;
  if (napi_get_typedarray_info(env, v, nullptr, &h.length, &data, &buffer, &offset) != napi_ok ||
      napi_get_arraybuffer_info(env, buffer, nullptr, &bufferBytes) != napi_ok)
    return false;
  h.data = static_cast<uint8_t*>(data);
  return offset <= bufferBytes && h.length <= (bufferBytes - offset) / Size;
}

// The element size is a constant: the divisions by it are shifts (a 64-bit division costs up to
// ~40 cycles, and a small call makes four).
template <size_t Size> bool readHostScan(napi_env env, napi_callback_info info, ScanJob& j) {
  size_t argc = 3;
  napi_value v[3];
  Layouts* layouts = nullptr;
  if (napi_get_cb_info(env, info, &argc, v, nullptr, reinterpret_cast<void**>(&layouts)) != napi_ok || !layouts)
    throw internal(env, "cannot read the arguments");
  HostArray a, b, x;
  if (argc < 3 || !readHostArray<Size>(env, v[0], a) || !readHostArray<Size>(env, v[1], b) ||
      !readHostArray<Size>(env, v[2], x))
    return false;
  const double* l = layouts->scan;
  const double rows = l[ScanSlot::rows], threads = l[ScanSlot::threads];
  // n >= 1 (empty rows take the general path); a detached array reads as length 0.
  if (!(rows >= 1 && rows <= static_cast<double>(a.length)) || rows != static_cast<double>(static_cast<size_t>(rows)) ||
      !(threads >= 1 && threads <= 1024))
    return false;
  const size_t r = static_cast<size_t>(rows);
  const size_t n = r == 1 ? a.length : a.length / r;
  if (n * r != a.length || b.length != a.length + r || x.length != b.length) return false;
  // x apart from a, and from b unless exactly b (in place): contract.h's refuseAlias.
  const uint8_t *ap = a.data, *bp = b.data;
  uint8_t* xp = x.data;
  auto overlaps = [](const uint8_t* p, size_t pn, const uint8_t* q, size_t qn) { return p < q + qn && q < p + pn; };
  if (overlaps(xp, x.length * Size, ap, a.length * Size) ||
      (xp != bp && overlaps(xp, x.length * Size, bp, b.length * Size)))
    return false;
  const size_t stride = n + 1;
  const bool reverse = l[ScanSlot::reverse] != 0;
  j.method = Method::Direct;
  j.dtype = Size == 8 ? DType::Float64 : DType::Float32;
  j.rows = r;
  j.n = n;
  j.reverse = reverse;
  j.threads = static_cast<unsigned>(threads);
  j.a = ap;
  j.aStride = n;
  j.b = bp + (reverse ? 0 : Size);
  j.x = xp + (reverse ? 0 : Size);
  j.x0 = bp + (reverse ? n * Size : 0);
  j.x0Copy = xp + (reverse ? n * Size : 0);
  j.bStride = j.xStride = j.x0Stride = j.x0CopyStride = stride;
  return true;
}
template bool readHostScan<4>(napi_env, napi_callback_info, ScanJob&);
template bool readHostScan<8>(napi_env, napi_callback_info, ScanJob&);

AggregateCall readAggregateCall(napi_env env, napi_callback_info info) {
  Args<AggregateArray::count> args(env, info);
  Layout l{args.layouts->aggregate};
  AggregateCall call;
  AggregateJob& j = call.job;
  j.rows = l.count(AggregateSlot::rows);
  j.n = l.count(AggregateSlot::n);
  j.reverse = l[AggregateSlot::reverse] != 0;
  j.threads = static_cast<unsigned>(std::max<size_t>(1, l.count(AggregateSlot::threads)));
  napi_value none = nullptr;
  auto operand = [&](size_t i, double offset, double stride, const char* key) {
    return readOperand(env, args.array(i), none, true, false, offset, stride, key);
  };
  Operand a = operand(AggregateArray::a, l[AggregateSlot::aOffset], l[AggregateSlot::aStride], "a");
  Operand b = operand(AggregateArray::b, l[AggregateSlot::bOffset], l[AggregateSlot::bStride], "b");
  Operand outA = operand(AggregateArray::outA, l[AggregateSlot::outAOffset], 1, "outA");
  Operand outB = operand(AggregateArray::outB, l[AggregateSlot::outBOffset], 1, "outB");
  j.dtype = a.data.isFloat64 ? DType::Float64 : DType::Float32;
  for (const Operand* op : {&a, &b, &outA, &outB})
    if (op->data.isInt8 || op->data.isFloat64 != a.data.isFloat64)
      throw internal(env, "aggregate operands differ in element type");
  checkExtent(env, a, "a", j.rows, j.n);
  checkExtent(env, b, "b", j.rows, j.n);
  checkExtent(env, outA, "outA", j.rows, 1);
  checkExtent(env, outB, "outB", j.rows, 1);
  call.useCuda =
      readPlacement(env, l[AggregateSlot::device], {&a, &b, &outA, &outB}, call.onDevice, j.device, call.generation);
  j.a = at(a);
  j.b = at(b);
  j.outA = at(outA);
  j.outB = at(outB);
  j.aStride = a.stride;
  j.bStride = b.stride;
  for (size_t i = 0; i < AggregateArray::count; ++i) call.holders.add(args.array(i));
  return call;
}

Napi::Object contract(Napi::Env env) {
  auto names = [&](std::initializer_list<const char*> list) {
    Napi::Array out = Napi::Array::New(env, list.size());
    uint32_t i = 0;
    for (const char* name : list) out.Set(i++, name);
    return out;
  };
#define LINREC_CONTRACT_NAME(name) #name,
  Napi::Object out = Napi::Object::New(env);
  out.Set("scanSlots", names({LINREC_SCAN_SLOTS(LINREC_CONTRACT_NAME)}));
  out.Set("scanArrays", names({LINREC_SCAN_ARRAYS(LINREC_CONTRACT_NAME)}));
  out.Set("aggregateSlots", names({LINREC_AGGREGATE_SLOTS(LINREC_CONTRACT_NAME)}));
  out.Set("aggregateArrays", names({LINREC_AGGREGATE_ARRAYS(LINREC_CONTRACT_NAME)}));
#undef LINREC_CONTRACT_NAME
  Napi::Object methods = Napi::Object::New(env);
#define LINREC_CONTRACT_METHOD(name, code, jsName) methods.Set(jsName, code);
  LINREC_METHODS(LINREC_CONTRACT_METHOD)
#undef LINREC_CONTRACT_METHOD
  out.Set("methods", methods);
  return out;
}

}  // namespace binding
}  // namespace linrec
