// Short rows: many rows of at most kShortRow steps each, scanned by the sequential loop (the log
// method kRowBatch rows side by side, the direct method one row after another: independent
// chains either way, so the core overlaps them), with threads taking blocks of rows. A row this
// short gains nothing from splitting it into lanes and tiles, and one scheduled task per row (the
// tile engine's way) costs more than the row itself.
//
// The result is the loop's, step by step (M::step), whatever the thread count and however rows
// are batched: each row is one chain, computed the same way in every batch.
#pragma once

#include <algorithm>
#include <atomic>

#include "tile_scan.h"

namespace linrec {
namespace cpu {

// Rows up to this many steps take this path (the choice depends on n alone, so a row's result
// does not depend on how many rows are scanned with it). Measured at 1 thread on the 2-core
// development VM (bench/NOTES.md, session 6): one chain ran 1.33 ns a step, the tile engine's
// 4 lanes in two passes 1.55, at every n up to 16000; 2048 keeps every row below the tile
// engine's parallel threshold on this path, and it is the place to revisit if the tile engine's
// one-thread rate improves (issue 10 item 5).
constexpr size_t kShortRow = 2048;
// Rows stepped side by side: 8 chains cover a multiply-add's latency twice over.
constexpr size_t kRowBatch = 8;
// Steps per block of rows that a thread takes at once.
constexpr size_t kRowBlockSteps = size_t(1) << 15;

// Rows this short are stepped one after another: their chains are too short to wait on, and
// the core overlaps consecutive rows by itself.
constexpr size_t kBatchFrom = 8;

// Every monoid but the direct method's raw access (its overload below): kRowBatch rows side by side.
template <class Access> void scanRowsInOrder(const Access& acc, size_t first, size_t end, size_t n) {
  using M = typename Access::Monoid;
  using Value = typename M::Value;
  using Row = decltype(acc.row(0));
  size_t r = first;
  for (; n >= kBatchFrom && r + kRowBatch <= end; r += kRowBatch) {
    Row row[kRowBatch];
    Value x[kRowBatch];
#pragma GCC unroll 16
    for (size_t j = 0; j < kRowBatch; ++j) {
      row[j] = acc.row(r + j);
      x[j] = acc.initial(r + j);
    }
    for (size_t i = 0; i < n; ++i) {
#pragma GCC unroll 16
      for (size_t j = 0; j < kRowBatch; ++j) {
        x[j] = M::step(x[j], row[j].load(i));
        row[j].store(i, x[j]);
      }
    }
#pragma GCC unroll 16
    for (size_t j = 0; j < kRowBatch; ++j) acc.finish(r + j, x[j]);
  }
  for (; r < end; ++r) {
    const Row row = acc.row(r);
    Value x = acc.initial(r);
    for (size_t i = 0; i < n; ++i) {
      x = M::step(x, row.load(i));
      row.store(i, x);
    }
    acc.finish(r, x);
  }
}

// One step on each of `rows` rows whose arrays are all dense (a Scanner of one state per key):
// x[r] = a[r]·x0[r] + b[r], also stored to last[r] when last is given. Element by element, so
// the compiler vectorizes it (with run-time overlap checks; the steps are the loop's, one FMA or
// multiply-add each as in every other path of this build), where the row loop below spends
// ~2.3 ns a row on bookkeeping (bench/NOTES.md, session 7). A state updated in place (last ==
// x0, as the Scanner passes it) is read and written at one index per element, which the
// vectorizer accepts; any other overlap fails its checks and runs its scalar loop.
template <class T> void stepDenseRows(const T* a, const T* b, T* x, const T* x0, T* last, size_t rows) {
  using M = AffineMonoid<T>;
  if (last == x0) {
    T* state = last;
    for (size_t r = 0; r < rows; ++r) {
      T v = M::step(state[r], {a[r], b[r]});
      x[r] = v;
      state[r] = v;
    }
  } else if (!last) {
    for (size_t r = 0; r < rows; ++r) x[r] = M::step(x0[r], {a[r], b[r]});
  } else {
    for (size_t r = 0; r < rows; ++r) {
      T v = M::step(x0[r], {a[r], b[r]});
      x[r] = v;
      last[r] = v;
    }
  }
}

// The direct method on short rows: the same steps as above, one row after another, with each
// row's pointers advanced by its strides rather than recomputed (the per-row bookkeeping is most
// of the work at one step a row). Not batched: at 1 thread, 4·10^6 steps as rows of 10 / 50 /
// 200 / 1000 took 3.1 / 4.2 / 4.4 / 5.0 ms this way against 4.7 / 6.4 / 8.5 / 5.4 with 8 rows side
// by side (bench/NOTES.md, session 8): the core overlaps consecutive rows' chains by itself, and
// the batched loop's eight rows of pointers and strides do not fit in registers.
template <class T, bool Reverse>
void scanRowsInOrder(const RawAccess<AffineMonoid<T>, Reverse>& acc, size_t first, size_t end, size_t n) {
  using M = AffineMonoid<T>;
  // One step a row with every array dense and no x_0 copy (reversed or not: a row of one step
  // reads and writes index 0 either way).
  if (n == 1 && !acc.x0Copy && acc.aStride == 1 && acc.bStride == 1 && acc.xStride == 1 && acc.x0Stride == 1) {
    return stepDenseRows(acc.a + first, acc.b + first, acc.x + first, acc.x0 + first,
                         acc.last ? acc.last + first : nullptr, end - first);
  }
  const ptrdiff_t dir = Reverse ? -1 : 1;
  const size_t j0 = Reverse ? n - 1 : 0;
  const T* a = acc.a + first * acc.aStride + j0;
  const T* b = acc.b + first * acc.bStride + j0;
  T* x = acc.x + first * acc.xStride + j0;
  const T* x0 = acc.x0 + first * acc.x0Stride;
  T* x0Copy = acc.x0Copy ? acc.x0Copy + first * acc.x0CopyStride : nullptr;
  T* last = acc.last ? acc.last + first : nullptr;
  for (size_t r = first; r < end; ++r) {
    T v = *x0;
    if (x0Copy) {
      *x0Copy = v;
      x0Copy += acc.x0CopyStride;
    }
    for (size_t i = 0; i < n; ++i) {
      v = M::step(v, {a[ptrdiff_t(i) * dir], b[ptrdiff_t(i) * dir]});
      x[ptrdiff_t(i) * dir] = v;
    }
    if (last) *last++ = v;
    a += acc.aStride;
    b += acc.bStride;
    x += acc.xStride;
    x0 += acc.x0Stride;
  }
}

template <class Access> void scanShortRows(const Access& acc, size_t rows, size_t n, unsigned threads) {
  // Small calls first: their two divisions below (~40 cycles each) are a tenth of a 100-step call.
  if (rows * (n + 1) < kParallelThreshold || threads <= 1) return scanRowsInOrder(acc, 0, rows, n);
  size_t perBlock = std::max<size_t>(kRowBatch, kRowBlockSteps / (n + 1) / kRowBatch * kRowBatch);
  size_t blocks = (rows + perBlock - 1) / perBlock;
  size_t useful = std::min<size_t>(threads, blocks);
  if (useful <= 1) return scanRowsInOrder(acc, 0, rows, n);
  std::atomic<size_t> next{0};
  runOnThreads(useful, [&] {
    for (size_t k; (k = next.fetch_add(1, std::memory_order_relaxed)) < blocks;)
      scanRowsInOrder(acc, k * perBlock, std::min(rows, (k + 1) * perBlock), n);
  });
}

}  // namespace cpu
}  // namespace linrec
