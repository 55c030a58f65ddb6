// The call contract between src/addon.ts and this binding, written once on this side.
// A call passes its numbers in one Float64Array, slot by slot in the order of the *_SLOTS list,
// then its arrays as positional arguments in the order of the *_ARRAYS list (undefined where
// absent). src/addon.ts holds the same lists; the addon exports these ones (`contract`), and
// src/addon.ts refuses to load a build whose lists differ, so a slot can never shift silently.
#pragma once

#include <cstddef>

// scan: method (job.h's LINREC_METHODS), shape, direction, threads, device code (-1: CPU), the
// offset and row stride of each operand, `arrays` (bit i: array argument i is present), and
// where x0, x0Copy and last live when they share the arrays of an earlier operand (the index of
// that operand's data argument, e.g. b for scan's x0; -1: their own arguments). Each typed array
// costs the binding a Node-API call, a fair share of a small call; sharing saves two of five.
// `refuseAlias`: x's arrays (data and sign) must not share memory with a's or b's, nor with each
// other, except exactly in place (x's array spanning exactly b's): the binding checks it on raw
// pointers and throws ERR_LINREC_ALIAS, and src/scan.ts then names the arguments. A typed
// array's `buffer` costs ~90 ns in Node 20, more than a small scan, so JS does not look first.
// The lists as wrapped by hand (clang-format would put one X per line).
// clang-format off
#define LINREC_SCAN_SLOTS(X)                                                                     \
  X(method) X(rows) X(n) X(reverse) X(threads) X(device) X(aOffset) X(aStride) X(bOffset)        \
  X(bStride) X(xOffset) X(xStride) X(x0Offset) X(x0Stride) X(x0CopyOffset) X(x0CopyStride)        \
  X(lastOffset) X(arrays) X(x0Shares) X(x0CopyShares) X(lastShares) X(refuseAlias)
#define LINREC_SCAN_ARRAYS(X) \
  X(a) X(aSign) X(b) X(bSign) X(x) X(xSign) X(x0) X(x0Sign) X(x0Copy) X(x0CopySign) X(last) X(lastSign)
// clang-format on

// The layouts are two Float64Arrays that src/addon.ts fills before every call and hands over
// once, when it loads the addon (setLayouts): passing one per call costs a Node-API call.

// aggregate: every array is present.
#define LINREC_AGGREGATE_SLOTS(X) \
  X(rows) X(n) X(reverse) X(threads) X(device) X(aOffset) X(aStride) X(bOffset) X(bStride) X(outAOffset) X(outBOffset)
#define LINREC_AGGREGATE_ARRAYS(X) X(a) X(b) X(outA) X(outB)

namespace linrec {
namespace binding {

#define LINREC_CONTRACT_ENTRY(name) name,
namespace ScanSlot {
enum : size_t { LINREC_SCAN_SLOTS(LINREC_CONTRACT_ENTRY) count };
}
namespace ScanArray {
enum : size_t { LINREC_SCAN_ARRAYS(LINREC_CONTRACT_ENTRY) count };
}
namespace AggregateSlot {
enum : size_t { LINREC_AGGREGATE_SLOTS(LINREC_CONTRACT_ENTRY) count };
}
namespace AggregateArray {
enum : size_t { LINREC_AGGREGATE_ARRAYS(LINREC_CONTRACT_ENTRY) count };
}
#undef LINREC_CONTRACT_ENTRY

}  // namespace binding
}  // namespace linrec
