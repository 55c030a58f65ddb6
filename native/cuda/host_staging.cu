// Residency::Host: pageable inputs and outputs, staged through pinned buffers.
//
// The job is cut into chunks of R rows x w steps (w along n). Chunks of a row block go in step
// order; kSlots chunks are in flight, each slot with its own stream, pinned buffers and device
// buffers. Per chunk: CPU copies pageable -> pinned (a few threads), then on the slot's stream
// H2D, kernel, D2H; the CPU copies a slot's results out when it comes round again. The carry
// between chunks of a row block lives in one device array used as both x0 and last of each
// chunk's job, so consecutive kernels are chained by an event; copies of different slots
// overlap with each other and with the kernels. Chunk size follows free device memory, so
// inputs larger than the device are processed, not refused.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <functional>
#include <thread>
#include <vector>

#include "../monoid.h"
#include "device_scan.cuh"

namespace linrec {
namespace cuda {
namespace {

constexpr int kSlots = 3;
constexpr size_t kChunkElements = size_t(1) << 20;  // steps per chunk (all rows), at most
constexpr size_t kMinChunkElements = size_t(1) << 12;
constexpr size_t kParallelCopyBytes = size_t(1) << 18;

// ---------------------------------------------------------------------------------------------
// A fork-join pool for the host copies, alive for one staged call. Every worker takes part in
// every round and the caller waits for all of them, so no worker outlives its round.
class CopyPool {
 public:
  explicit CopyPool(unsigned workers) {
    for (unsigned i = 0; i < workers; ++i) {
      try {
        threads_.emplace_back([this] { workerLoop(); });
      } catch (...) {
        break;  // fewer helpers
      }
    }
  }
  ~CopyPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
  }
  size_t width() const { return threads_.size() + 1; }

  // Runs part(0 .. parts-1) on the pool and the caller; returns when all are done.
  void run(size_t parts, const std::function<void(size_t)>& part) {
    if (threads_.empty() || parts <= 1) {
      for (size_t p = 0; p < parts; ++p) part(p);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = &part;
      parts_ = parts;
      next_.store(0);
      busy_ = threads_.size();
      ++round_;
    }
    wake_.notify_all();
    work(part, parts);
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return busy_ == 0; });
  }

 private:
  void work(const std::function<void(size_t)>& part, size_t parts) {
    for (size_t p; (p = next_.fetch_add(1)) < parts;) part(p);
  }
  void workerLoop() {
    size_t seen = 0;
    for (;;) {
      const std::function<void(size_t)>* job;
      size_t parts;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stop_ || round_ != seen; });
        if (stop_) return;
        seen = round_;
        job = job_;
        parts = parts_;
      }
      work(*job, parts);
      std::lock_guard<std::mutex> lock(mutex_);
      if (--busy_ == 0) done_.notify_all();
    }
  }

  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(size_t)>* job_ = nullptr;
  size_t parts_ = 0, busy_ = 0, round_ = 0;
  std::atomic<size_t> next_{0};
  bool stop_ = false;
};

// height rows of `width` bytes, from src (row pitch spitch) to dst (row pitch dpitch).
void copy2D(CopyPool& pool, void* dst, size_t dpitch, const void* src, size_t spitch, size_t width, size_t height) {
  if (!width || !height) return;
  auto rowsRange = [&](size_t lo, size_t hi) {
    for (size_t r = lo; r < hi; ++r)
      std::memcpy(static_cast<char*>(dst) + r * dpitch, static_cast<const char*>(src) + r * spitch, width);
  };
  size_t total = width * height, k = pool.width();
  if (total < kParallelCopyBytes || k == 1) return rowsRange(0, height);
  if (height >= k) {
    pool.run(k, [&](size_t p) { rowsRange(height * p / k, height * (p + 1) / k); });
    return;
  }
  size_t splits = (k + height - 1) / height;  // pieces per row, cut on 64-byte boundaries
  size_t piece = ((width + splits - 1) / splits + 63) & ~size_t(63);
  pool.run(height * splits, [&](size_t p) {
    size_t r = p / splits, lo = (p % splits) * piece;
    if (lo >= width) return;
    size_t len = std::min(piece, width - lo);
    std::memcpy(static_cast<char*>(dst) + r * dpitch + lo, static_cast<const char*>(src) + r * spitch + lo, len);
  });
}

unsigned copyWorkers() {
  unsigned hw = std::thread::hardware_concurrency();
  return std::min(7u, hw > 2 ? hw / 2 - 1 : 0u);
}

// ---------------------------------------------------------------------------------------------
// Buffers kept across calls (grown on demand; see DeviceContext on why never freed at exit).
// One buffer kind per pair of allocation functions: pinned host memory or device memory.
cudaError_t allocPinned(void** ptr, size_t bytes) { return cudaHostAlloc(ptr, bytes, cudaHostAllocDefault); }
cudaError_t allocDevice(void** ptr, size_t bytes) { return cudaMalloc(ptr, bytes); }

template <cudaError_t (*Alloc)(void**, size_t), cudaError_t (*Free)(void*)> struct GrowingBuffer {
  void* ptr = nullptr;
  size_t bytes = 0;
  char* ensure(size_t need) {
    if (need > bytes) {
      if (ptr) check(Free(ptr), "freeing a staging buffer");
      ptr = nullptr;
      bytes = 0;
      check(Alloc(&ptr, need), "allocating a staging buffer");
      bytes = need;
    }
    return static_cast<char*>(ptr);
  }
};
using PinnedBuffer = GrowingBuffer<allocPinned, cudaFreeHost>;
using DeviceBuffer = GrowingBuffer<allocDevice, cudaFree>;

struct Slot {
  cudaStream_t stream = nullptr;
  cudaEvent_t done = nullptr;  // this slot's D2H finished
  PinnedBuffer hostIn, hostOut;
  DeviceBuffer deviceIn, deviceOut;
};

struct Staging {
  Slot slots[kSlots];
  cudaEvent_t carryReady = nullptr;  // the latest chunk's kernel (and carry copy) finished
  DeviceBuffer carry;
};

Staging& stagingOf(DeviceContext& ctx) {
  if (!ctx.staging) {
    Staging* s = new Staging;
    ctx.staging = s;
    for (Slot& slot : s->slots) {
      check(cudaStreamCreateWithFlags(&slot.stream, cudaStreamNonBlocking), "cudaStreamCreate (staging)");
      check(cudaEventCreateWithFlags(&slot.done, cudaEventDisableTiming), "cudaEventCreate (staging)");
    }
    check(cudaEventCreateWithFlags(&s->carryReady, cudaEventDisableTiming), "cudaEventCreate (staging)");
  }
  return *static_cast<Staging*>(ctx.staging);
}

// On an error mid-pipeline, chunks already queued on the other slots may still be copying into
// the shared staging buffers: wait for them before anything can reuse the buffers (their own
// errors are dropped; the first error is the one reported).
class DrainOnUnwind {
 public:
  explicit DrainOnUnwind(Staging& s) : staging_(s), exceptions_(std::uncaught_exceptions()) {}
  ~DrainOnUnwind() {
    if (std::uncaught_exceptions() <= exceptions_) return;
    for (Slot& slot : staging_.slots)
      if (slot.stream && cudaStreamSynchronize(slot.stream) != cudaSuccess) cudaGetLastError();
  }

 private:
  Staging& staging_;
  int exceptions_;
};

size_t align256(size_t v) { return (v + 255) & ~size_t(255); }

// ---------------------------------------------------------------------------------------------
// Chunk geometry shared by scan and aggregate.
struct Chunk {
  size_t row0 = 0, rows = 0;  // row block
  size_t step0 = 0, steps = 0;  // steps [step0, step0 + steps) of each row
  size_t index0 = 0;  // lowest memory index of those steps (reverse maps them to the row's end)
  bool firstOfRows = false, lastOfRows = false;
};

struct Geometry {
  size_t width = 0, blockRows = 0;
};

// `bytesPerStep`: staging bytes per step, inputs and outputs, on each side.
Geometry chooseGeometry(size_t rows, size_t n, size_t bytesPerStep) {
  size_t budget = kChunkElements;
  size_t freeBytes = deviceFreeBytes();
  // Half of the free memory for the slots (the rest for scratch, carry and other users).
  size_t fit = freeBytes / 2 / (kSlots * std::max<size_t>(bytesPerStep, 1));
  budget = std::max(kMinChunkElements, std::min(budget, fit));
  Geometry g;
  g.width = std::min(n, budget);
  g.blockRows = std::min(rows, std::max<size_t>(1, budget / g.width));
  return g;
}

std::vector<Chunk> chunksOf(size_t rows, size_t n, bool reverse, const Geometry& g) {
  std::vector<Chunk> out;
  for (size_t r = 0; r < rows; r += g.blockRows) {
    for (size_t s = 0; s < n; s += g.width) {
      Chunk c;
      c.row0 = r;
      c.rows = std::min(g.blockRows, rows - r);
      c.step0 = s;
      c.steps = std::min(g.width, n - s);
      c.index0 = reverse ? n - s - c.steps : s;
      c.firstOfRows = s == 0;
      c.lastOfRows = s + c.steps == n;
      out.push_back(c);
    }
  }
  return out;
}

// Offsets inside a slot's buffers for a chunk of up to `cap` steps and `capRows` rows.
struct Layout {
  size_t a = 0, b = 0, aSign = 0, bSign = 0, x0 = 0, x0Sign = 0, inBytes = 0;  // hostIn/deviceIn
  size_t x = 0, xSign = 0, last = 0, lastSign = 0, outBytes = 0;            // hostOut/deviceOut
  size_t carry = 0, carrySign = 0, carryBytes = 0;                            // device carry
};

// The staging state with every slot's buffers grown to the layout.
Staging& stagingFor(DeviceContext& ctx, const Layout& L) {
  Staging& st = stagingOf(ctx);
  for (Slot& s : st.slots) {
    s.hostIn.ensure(L.inBytes);
    s.hostOut.ensure(L.outBytes);
    s.deviceIn.ensure(L.inBytes);
    s.deviceOut.ensure(L.outBytes);
  }
  return st;
}

// The slot rotation of both pipelines: chunk ci goes to slot ci % kSlots once collect() has
// taken that slot's previous chunk (after its D2H finished); queue() fills and queues it. At the
// end the remaining slots are collected in chunk order.
template <class Queue, class Collect>
void runSlots(Staging& st, const std::vector<Chunk>& chunks, const char* waiting, Queue&& queue, Collect&& collect) {
  std::vector<const Chunk*> pending(kSlots, nullptr);
  auto collectSlot = [&](size_t si) {
    if (!pending[si]) return;
    check(cudaEventSynchronize(st.slots[si].done), waiting);
    collect(*pending[si], st.slots[si]);
    pending[si] = nullptr;
  };
  for (size_t ci = 0; ci < chunks.size(); ++ci) {
    const size_t si = ci % kSlots;
    collectSlot(si);
    queue(ci, chunks[ci], st.slots[si]);
    pending[si] = &chunks[ci];
  }
  for (size_t k = 0; k < kSlots; ++k) collectSlot((chunks.size() + k) % kSlots);
}

// A chunk's a and b rows: pageable -> pinned (the copy pool), then H2D on the slot's stream.
void stageCoefficients(CopyPool& pool, Slot& s, const Chunk& c, const Layout& L, size_t elem, const void* a,
                       size_t aStride, const void* b, size_t bStride, const char* what) {
  char* in = static_cast<char*>(s.hostIn.ptr);
  char* din = static_cast<char*>(s.deviceIn.ptr);
  const size_t bytes = c.steps * c.rows * elem;
  copy2D(pool, in + L.a, c.steps * elem, static_cast<const char*>(a) + (c.row0 * aStride + c.index0) * elem,
         aStride * elem, c.steps * elem, c.rows);
  copy2D(pool, in + L.b, c.steps * elem, static_cast<const char*>(b) + (c.row0 * bStride + c.index0) * elem,
         bStride * elem, c.steps * elem, c.rows);
  check(cudaMemcpyAsync(din + L.a, in + L.a, bytes, cudaMemcpyHostToDevice, s.stream), what);
  check(cudaMemcpyAsync(din + L.b, in + L.b, bytes, cudaMemcpyHostToDevice, s.stream), what);
}

}  // namespace

// =============================================================================================
// Scan
void scanHostStaged(const ScanJob& job, DeviceContext& ctx) {
  const size_t rows = job.rows, n = job.n;
  const size_t elem = job.dtype == DType::Float64 ? 8 : 4;
  const bool logIn = job.method == Method::LogFromLog;
  const bool signA = logIn && job.aSign, signB = logIn && job.bSign;
  auto negative = [](const int8_t* s, size_t k) { return s && s[k] < 0; };

  if (n == 0) {  // nothing for the device: x_0 goes to x0Copy and last
    std::vector<char> x0(rows * elem);
    std::vector<int8_t> sign(rows);
    for (size_t r = 0; r < rows; ++r) {
      std::memcpy(&x0[r * elem], static_cast<const char*>(job.x0) + r * job.x0Stride * elem, elem);
      sign[r] = negative(job.x0Sign, r * job.x0Stride) ? -1 : 1;
    }
    for (size_t r = 0; r < rows; ++r) {
      if (job.x0Copy) {
        std::memcpy(static_cast<char*>(job.x0Copy) + r * job.x0CopyStride * elem, &x0[r * elem], elem);
        if (logIn) job.x0CopySign[r * job.x0CopyStride] = sign[r];
      }
      if (job.last) {
        std::memcpy(static_cast<char*>(job.last) + r * elem, &x0[r * elem], elem);
        if (logIn) job.lastSign[r] = sign[r];
      }
    }
    return;
  }

  const size_t inPerStep = 2 * elem + (signA ? 1 : 0) + (signB ? 1 : 0);
  const size_t outPerStep = elem + (logIn ? 1 : 0);
  const Geometry g = chooseGeometry(rows, n, inPerStep + outPerStep);
  const std::vector<Chunk> chunks = chunksOf(rows, n, job.reverse, g);
  const size_t cap = g.width * g.blockRows;

  Layout L;
  L.a = 0;
  L.b = align256(cap * elem);
  L.aSign = L.b + align256(cap * elem);
  L.bSign = L.aSign + (signA ? align256(cap) : 0);
  L.x0 = L.bSign + (signB ? align256(cap) : 0);
  L.x0Sign = L.x0 + align256(g.blockRows * elem);
  L.inBytes = L.x0Sign + align256(g.blockRows);
  L.x = 0;
  L.xSign = align256(cap * elem);
  L.last = L.xSign + (logIn ? align256(cap) : 0);
  L.lastSign = L.last + align256(g.blockRows * elem);
  L.outBytes = L.lastSign + align256(g.blockRows);
  L.carry = 0;
  L.carrySign = align256(g.blockRows * elem);
  L.carryBytes = L.carrySign + align256(g.blockRows);

  Staging& st = stagingFor(ctx, L);
  DrainOnUnwind drain(st);
  char* carry = st.carry.ensure(L.carryBytes);

  // The chunk job the device runs; its x0 and last are the shared carry.
  auto chunkJob = [&](const Chunk& c, const Slot& s) {
    ScanJob j;
    j.method = job.method;
    j.dtype = job.dtype;
    j.rows = c.rows;
    j.n = c.steps;
    j.reverse = job.reverse;
    j.aStride = j.bStride = j.xStride = c.steps;
    j.x0Stride = 1;
    char* in = static_cast<char*>(s.deviceIn.ptr);
    char* out = static_cast<char*>(s.deviceOut.ptr);
    j.a = in + L.a;
    j.b = in + L.b;
    j.x = out + L.x;
    j.x0 = carry + L.carry;
    j.last = carry + L.carry;
    if (logIn) {
      j.aSign = signA ? reinterpret_cast<int8_t*>(in + L.aSign) : nullptr;
      j.bSign = signB ? reinterpret_cast<int8_t*>(in + L.bSign) : nullptr;
      j.xSign = reinterpret_cast<int8_t*>(out + L.xSign);
      j.x0Sign = reinterpret_cast<int8_t*>(carry + L.carrySign);
      j.lastSign = reinterpret_cast<int8_t*>(carry + L.carrySign);
    }
    return j;
  };

  // Reserve the scratch before anything is queued (the first chunk is the largest).
  ctx.ensureScratch(scanScratchBytes(chunkJob(chunks[0], st.slots[0]), ctx));

  CopyPool pool(copyWorkers());
  auto queue = [&](size_t ci, const Chunk& c, Slot& s) {
    char* in = static_cast<char*>(s.hostIn.ptr);
    char* din = static_cast<char*>(s.deviceIn.ptr);
    char* dout = static_cast<char*>(s.deviceOut.ptr);
    const size_t used = c.steps * c.rows;
    stageCoefficients(pool, s, c, L, elem, job.a, job.aStride, job.b, job.bStride, "staged scan H2D");
    if (signA) {
      copy2D(pool, in + L.aSign, c.steps, job.aSign + c.row0 * job.aStride + c.index0, job.aStride, c.steps, c.rows);
      check(cudaMemcpyAsync(din + L.aSign, in + L.aSign, used, cudaMemcpyHostToDevice, s.stream), "staged scan H2D");
    }
    if (signB) {
      copy2D(pool, in + L.bSign, c.steps, job.bSign + c.row0 * job.bStride + c.index0, job.bStride, c.steps, c.rows);
      check(cudaMemcpyAsync(din + L.bSign, in + L.bSign, used, cudaMemcpyHostToDevice, s.stream), "staged scan H2D");
    }
    if (c.firstOfRows) {  // x_0 of the row block (and its copy, written here on the host)
      for (size_t i = 0; i < c.rows; ++i) {
        size_t r = c.row0 + i;
        const char* src = static_cast<const char*>(job.x0) + r * job.x0Stride * elem;
        std::memcpy(in + L.x0 + i * elem, src, elem);
        int8_t sign = negative(job.x0Sign, r * job.x0Stride) ? -1 : 1;
        reinterpret_cast<int8_t*>(in + L.x0Sign)[i] = sign;
        if (job.x0Copy) {
          std::memcpy(static_cast<char*>(job.x0Copy) + r * job.x0CopyStride * elem, src, elem);
          if (logIn) job.x0CopySign[r * job.x0CopyStride] = sign;
        }
      }
    }
    // From here on the carry (and the scratch) of the previous chunk's kernel are in use.
    if (ci > 0) check(cudaStreamWaitEvent(s.stream, st.carryReady, 0), "cudaStreamWaitEvent (staged scan)");
    if (c.firstOfRows) {
      check(cudaMemcpyAsync(carry + L.carry, in + L.x0, c.rows * elem, cudaMemcpyHostToDevice, s.stream),
            "staged scan H2D (x0)");
      check(cudaMemcpyAsync(carry + L.carrySign, in + L.x0Sign, c.rows, cudaMemcpyHostToDevice, s.stream),
            "staged scan H2D (x0)");
    }
    enqueueScan(chunkJob(c, s), s.stream, ctx);
    if (c.lastOfRows) {
      check(cudaMemcpyAsync(dout + L.last, carry + L.carry, c.rows * elem, cudaMemcpyDeviceToDevice, s.stream),
            "staged scan (last)");
      check(cudaMemcpyAsync(dout + L.lastSign, carry + L.carrySign, c.rows, cudaMemcpyDeviceToDevice, s.stream),
            "staged scan (last)");
    }
    check(cudaEventRecord(st.carryReady, s.stream), "cudaEventRecord (staged scan)");
    char* hout = static_cast<char*>(s.hostOut.ptr);
    check(cudaMemcpyAsync(hout + L.x, dout + L.x, used * elem, cudaMemcpyDeviceToHost, s.stream), "staged scan D2H");
    if (logIn)
      check(cudaMemcpyAsync(hout + L.xSign, dout + L.xSign, used, cudaMemcpyDeviceToHost, s.stream), "staged scan D2H");
    if (c.lastOfRows)
      check(cudaMemcpyAsync(hout + L.last, dout + L.last, L.outBytes - L.last, cudaMemcpyDeviceToHost, s.stream),
            "staged scan D2H (last)");
    check(cudaEventRecord(s.done, s.stream), "cudaEventRecord (staged scan)");
  };
  auto collect = [&](const Chunk& c, Slot& s) {
    const char* out = static_cast<const char*>(s.hostOut.ptr);
    copy2D(pool, static_cast<char*>(job.x) + (c.row0 * job.xStride + c.index0) * elem, job.xStride * elem, out + L.x,
           c.steps * elem, c.steps * elem, c.rows);
    if (logIn)
      copy2D(pool, job.xSign + c.row0 * job.xStride + c.index0, job.xStride, out + L.xSign, c.steps, c.steps, c.rows);
    if (c.lastOfRows && job.last) {
      std::memcpy(static_cast<char*>(job.last) + c.row0 * elem, out + L.last, c.rows * elem);
      if (logIn) std::memcpy(job.lastSign + c.row0, out + L.lastSign, c.rows);
    }
  };
  runSlots(st, chunks, "staged scan (waiting for a chunk)", queue, collect);
}

// =============================================================================================
// Aggregate: per chunk the device composes each row's steps; the host composes chunks in order.
void aggregateHostStaged(const AggregateJob& job, DeviceContext& ctx) {
  const size_t rows = job.rows, n = job.n;
  const bool f64 = job.dtype == DType::Float64;
  const size_t elem = f64 ? 8 : 4;
  // Per-row running composition, in the job's type, with the monoid's own combine.
  std::vector<char> total(rows * 2 * elem);
  auto initTotals = [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    auto* t = reinterpret_cast<AffinePair<T>*>(total.data());
    for (size_t r = 0; r < rows; ++r) t[r] = AffineMonoid<T>::identity();
  };
  f64 ? initTotals(static_cast<double*>(nullptr)) : initTotals(static_cast<float*>(nullptr));
  auto store = [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    auto* t = reinterpret_cast<const AffinePair<T>*>(total.data());
    for (size_t r = 0; r < rows; ++r) {
      static_cast<T*>(job.outA)[r] = t[r].A;
      static_cast<T*>(job.outB)[r] = t[r].B;
    }
  };
  if (n == 0) {
    f64 ? store(static_cast<double*>(nullptr)) : store(static_cast<float*>(nullptr));
    return;
  }

  const Geometry g = chooseGeometry(rows, n, 2 * elem);
  const std::vector<Chunk> chunks = chunksOf(rows, n, job.reverse, g);
  const size_t cap = g.width * g.blockRows;
  Layout L;
  L.a = 0;
  L.b = align256(cap * elem);
  L.inBytes = L.b + align256(cap * elem);
  L.x = 0;  // outA
  L.xSign = align256(g.blockRows * elem);  // outB
  L.outBytes = L.xSign + align256(g.blockRows * elem);

  Staging& st = stagingFor(ctx, L);
  DrainOnUnwind drain(st);
  auto chunkJob = [&](const Chunk& c, const Slot& s) {
    AggregateJob j;
    j.dtype = job.dtype;
    j.rows = c.rows;
    j.n = c.steps;
    j.reverse = job.reverse;
    j.aStride = j.bStride = c.steps;
    j.a = static_cast<char*>(s.deviceIn.ptr) + L.a;
    j.b = static_cast<char*>(s.deviceIn.ptr) + L.b;
    j.outA = static_cast<char*>(s.deviceOut.ptr) + L.x;
    j.outB = static_cast<char*>(s.deviceOut.ptr) + L.xSign;
    return j;
  };
  ctx.ensureScratch(aggregateScratchBytes(chunkJob(chunks[0], st.slots[0]), ctx));

  CopyPool pool(copyWorkers());
  auto queue = [&](size_t ci, const Chunk& c, Slot& s) {
    stageCoefficients(pool, s, c, L, elem, job.a, job.aStride, job.b, job.bStride, "staged aggregate H2D");
    // Chunks share the scratch: keep their kernels in order.
    if (ci > 0) check(cudaStreamWaitEvent(s.stream, st.carryReady, 0), "cudaStreamWaitEvent (staged aggregate)");
    enqueueAggregate(chunkJob(c, s), s.stream, ctx);
    check(cudaEventRecord(st.carryReady, s.stream), "cudaEventRecord (staged aggregate)");
    check(cudaMemcpyAsync(s.hostOut.ptr, s.deviceOut.ptr, L.outBytes, cudaMemcpyDeviceToHost, s.stream),
          "staged aggregate D2H");
    check(cudaEventRecord(s.done, s.stream), "cudaEventRecord (staged aggregate)");
  };
  auto collect = [&](const Chunk& c, Slot& s) {
    const char* out = static_cast<const char*>(s.hostOut.ptr);
    auto fold = [&](auto* tag) {
      using T = std::remove_pointer_t<decltype(tag)>;
      auto* t = reinterpret_cast<AffinePair<T>*>(total.data());
      const T* A = reinterpret_cast<const T*>(out + L.x);
      const T* B = reinterpret_cast<const T*>(out + L.xSign);
      for (size_t i = 0; i < c.rows; ++i) t[c.row0 + i] = AffineMonoid<T>::combine(t[c.row0 + i], {A[i], B[i]});
    };
    f64 ? fold(static_cast<double*>(nullptr)) : fold(static_cast<float*>(nullptr));
  };
  runSlots(st, chunks, "staged aggregate (waiting for a chunk)", queue, collect);

  f64 ? store(static_cast<double*>(nullptr)) : store(static_cast<float*>(nullptr));
}

void dropStaging(DeviceContext& ctx) {
  delete static_cast<Staging*>(ctx.staging);  // its streams, events and buffers died with the reset
  ctx.staging = nullptr;
}

}  // namespace cuda
}  // namespace linrec
