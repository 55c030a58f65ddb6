// Dispatch: picks the kernel shape for a job, sizes grids, prepares the tile status, and
// implements the public scan() / aggregate() entry points.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "device_scan.cuh"
#include "launch.cuh"
#include "scan_kernel.cuh"

namespace linrec {
namespace cuda {

// ---------------------------------------------------------------------------------------------
// Context

void* DeviceContext::ensureScratch(size_t bytes) {
  if (bytes <= scratchBytes) return scratch;
  check(cudaDeviceSynchronize(), "synchronizing before growing the scan scratch");
  if (scratch) check(cudaFree(scratch), "cudaFree (scan scratch)");
  scratch = nullptr;
  scratchBytes = 0;
  size_t grown = std::max(bytes, size_t(1) << 20);
  check(cudaMalloc(&scratch, grown), "cudaMalloc (scan scratch)");
  scratchBytes = grown;
  return scratch;
}

constexpr int kMaxDevices = 64;

// Kept apart from the contexts so that reading one never creates a context (nor throws).
static std::atomic<unsigned> generations[kMaxDevices];

unsigned contextGeneration(int device) {
  return device >= 0 && device < kMaxDevices ? generations[device].load(std::memory_order_acquire) : 0;
}

static std::string deviceName(int device) { return "cuda:" + std::to_string(device); }

static std::string bytesText(size_t bytes) {
  char text[32];
  if (bytes < (size_t(1) << 20))
    std::snprintf(text, sizeof text, "%zu bytes", bytes);
  else
    std::snprintf(text, sizeof text, "%.1f MiB", double(bytes) / double(size_t(1) << 20));
  return text;
}

std::string lostArrayMessage(int device) {
  return "CUDA error: this DeviceArray was lost when a fault made " + deviceName(device) +
         " unusable in this process; restart the process to use the GPU again";
}

void refuseLost(const DeviceContext& ctx, unsigned generation) {
  if (generation != contextGeneration(ctx.device)) throw CudaError(lostArrayMessage(ctx.device));
}

void freePending(DeviceContext& ctx) {
  std::vector<std::pair<void*, unsigned>> pending;
  {
    std::lock_guard<std::mutex> lock(ctx.pendingMutex);
    pending.swap(ctx.pendingFrees);
  }
  for (auto& [ptr, generation] : pending) {
    if (generation != contextGeneration(ctx.device)) continue;  // lost to a fault
    auto it = ctx.arrays.find(ptr);
    if (it != ctx.arrays.end()) {
      ctx.arrayBytes -= it->second;
      ctx.arrays.erase(it);
    }
    if (cudaFree(ptr) != cudaSuccess) cudaGetLastError();  // a sticky error shows in the call itself
  }
}

// The fault of each device, for info() (which must not create contexts): set once, never cleared.
static std::mutex faultsMutex;
static std::string faults[kMaxDevices];

std::string deviceFault(int device) {
  if (device < 0 || device >= kMaxDevices) return std::string();
  std::lock_guard<std::mutex> lock(faultsMutex);
  return faults[device];
}

std::string faultedMessage(const DeviceContext& ctx) {
  const std::string name = deviceName(ctx.device);
  return "CUDA error: " + name + " is unusable for the rest of this process since a fault poisoned its context (" +
         ctx.fault + "); restart the process to use " + name + " again (the CPU backend still works)";
}

std::string noteFault(DeviceContext& ctx) {
  // A non-sticky error was cleared by check(); a sticky one is reported again by any call.
  if (cudaDeviceSynchronize() == cudaSuccess) return std::string();
  const cudaError_t sticky = cudaGetLastError();
  const size_t lostArrays = ctx.arrays.size(), lostBytes = ctx.arrayBytes;
  // Its DeviceArrays can be neither read nor freed any more: refused from now on (refuseLost).
  generations[ctx.device].fetch_add(1, std::memory_order_acq_rel);
  ctx.arrays.clear();
  ctx.arrayBytes = 0;
  {
    std::lock_guard<std::mutex> lock(ctx.pendingMutex);
    ctx.pendingFrees.clear();
  }
  ctx.fault = cudaGetErrorString(sticky);
  {
    std::lock_guard<std::mutex> lock(faultsMutex);
    faults[ctx.device] = ctx.fault;
  }
  const std::string name = deviceName(ctx.device);
  return " (" + name +
         " is unusable for the rest of this process: the fault poisoned its CUDA context, and a process cannot "
         "recover from that; " +
         (lostArrays == 0
              ? std::string("no DeviceArray was on it")
              : "its " + std::to_string(lostArrays) + (lostArrays == 1 ? " DeviceArray (" : " DeviceArrays (") +
                    bytesText(lostBytes) + ") " + (lostArrays == 1 ? "is" : "are") + " lost") +
         ". Restart the process to use " + name + " again; the CPU backend still works)";
}

// How long a tile waits for a predecessor before it gives up (tile_status.cuh). A predecessor
// is a running block, so a wait is a few tiles' time (microseconds; milliseconds when a long row
// steps through in order); 10 s only ends a hang.
constexpr unsigned long long kLookBackBoundNs = 10'000'000'000ull;
static std::atomic<unsigned long long> lookBackBoundNs{kLookBackBoundNs};

void throwIfGaveUp(DeviceContext& ctx) {
  volatile unsigned* word = ctx.gaveUp;
  if (*word == 0) return;
  *word = 0;
  char text[64];
  std::snprintf(text, sizeof text, "%.3g s", double(lookBackBoundNs.load(std::memory_order_relaxed)) * 1e-9);
  throw CudaError("CUDA error: a tile of the scan waited longer than " + std::string(text) + " for " +
                  "the tile before it, and the scan gave up: the results of this call are not valid. " +
                  deviceName(ctx.device) + " remains usable (this is a bug in linrec, or the GPU was held up)");
}

DeviceContext& contextOf(int device) {
  static std::mutex registry;
  static DeviceContext* contexts[kMaxDevices] = {};
  int count = 0;
  check(cudaGetDeviceCount(&count), "cudaGetDeviceCount");
  if (device < 0 || device >= count || device >= kMaxDevices)
    throw CudaError("CUDA error: there is no device cuda:" + std::to_string(device) + " (" + std::to_string(count) +
                    (count == 1 ? " device)" : " devices)"));
  std::lock_guard<std::mutex> lock(registry);
  if (!contexts[device]) {
    std::unique_ptr<DeviceContext> ctx(new DeviceContext);
    ctx->device = device;
    makeCurrent(*ctx);  // the stream belongs to the device current when it is created
    check(cudaDeviceGetAttribute(&ctx->smCount, cudaDevAttrMultiProcessorCount, device),
          "cudaDeviceGetAttribute (multiprocessor count)");
    check(cudaStreamCreateWithFlags(&ctx->stream, cudaStreamNonBlocking), "cudaStreamCreate");
    // Pinned host memory is mapped into the device's address space (unified addressing), so
    // kernels write this word directly and the host reads it after synchronizing.
    check(cudaHostAlloc(reinterpret_cast<void**>(&ctx->gaveUp), sizeof(unsigned), cudaHostAllocMapped),
          "cudaHostAlloc (give-up word)");
    *ctx->gaveUp = 0;
    contexts[device] = ctx.release();
  }
  return *contexts[device];
}

// ---------------------------------------------------------------------------------------------
// Kernel choice

// n at or below this: a thread per row.
constexpr size_t kThreadRowMaxN = 16;
// Grid bound for the grid-stride row kernels.
constexpr size_t kMaxRowGrid = size_t(1) << 20;
constexpr size_t kMaxTileGrid = size_t(0x7fffffff);
constexpr size_t kTicketBytes = 256;

enum class Shape { ThreadRows, WarpRows, Tiles };

#if defined(LINREC_TEST_HOOKS)
static std::atomic<size_t> silentTile{~size_t(0)}, holdTile{~size_t(0)};
static std::atomic<unsigned long long> holdNs{0};
static std::atomic<bool> fromRowStart{false};
// The emulation's LINREC_EMULATED_HOLD_FOR_TILES (read at each launch, as its other knobs): the
// held tile publishes once that many tiles after it have published (TileStatus::holdBack).
static size_t holdForTiles() {
#if defined(LINREC_CUDA_EMULATION)
  const char* v = std::getenv("LINREC_EMULATED_HOLD_FOR_TILES");
  return v ? size_t(std::strtoull(v, nullptr, 10)) : 0;
#else
  return 0;
#endif
}
#endif

// Warps of `Kernel` that fit on the device at once (occupancy cached per device).
template <auto Kernel> static size_t residentWarps(int threads, const DeviceContext& ctx) {
  static std::atomic<int> blocksPerSm[kMaxDevices] = {};
  int blocks = ctx.device < kMaxDevices ? blocksPerSm[ctx.device].load(std::memory_order_relaxed) : 0;
  if (blocks == 0) {
    check(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, Kernel, threads, 0),
          "cudaOccupancyMaxActiveBlocksPerMultiprocessor");
    blocks = std::max(blocks, 1);
    if (ctx.device < kMaxDevices) blocksPerSm[ctx.device].store(blocks, std::memory_order_relaxed);
  }
  return size_t(blocks) * size_t(ctx.smCount) * size_t(threads / kWarp);
}

// A warp per row when rows are short (one tile would be mostly idle) or when there are enough
// rows to keep several waves of warps busy; otherwise tiles with look-back, so few long rows
// still spread over the whole device.
template <class P> static Shape chooseShape(size_t rows, size_t n, size_t warpCapacity) {
  constexpr size_t kTile = size_t(P::kThreads) * P::kTileItems;
  if (n <= kThreadRowMaxN) return Shape::ThreadRows;
  if (n <= kTile / 2 || rows >= 4 * warpCapacity) return Shape::WarpRows;
  return Shape::Tiles;
}

static unsigned rowGrid(size_t rows, size_t rowsPerBlock) {
  return unsigned(std::min((rows + rowsPerBlock - 1) / rowsPerBlock, kMaxRowGrid));
}

template <class P> static size_t tilesPerRowOf(size_t n) {
  constexpr size_t kTile = size_t(P::kThreads) * P::kTileItems;
  return (n + kTile - 1) / kTile;
}

template <class Access> static size_t scanScratchBytesAs(const ScanJob& job, DeviceContext& ctx) {
  using M = typename Access::Monoid;
  using P = TilePolicyFor<Access>;
  size_t warpCapacity = residentWarps<scanWarpRowsKernel<Access, P>>(P::kThreads, ctx);
  if (chooseShape<P>(job.rows, job.n, warpCapacity) != Shape::Tiles) return 0;
  size_t tilesPerRow = tilesPerRowOf<P>(job.n);
  if (tilesPerRow == 1) return 0;
  return kTicketBytes + TileStatus<M>::bytes(job.rows * tilesPerRow);
}

template <class Access>
static void enqueueScanAs(const Access& acc, const ScanJob& job, cudaStream_t stream, DeviceContext& ctx) {
  using M = typename Access::Monoid;
  using P = TilePolicyFor<Access>;
  const size_t rows = job.rows, n = job.n;
  size_t warpCapacity = residentWarps<scanWarpRowsKernel<Access, P>>(P::kThreads, ctx);
  switch (chooseShape<P>(rows, n, warpCapacity)) {
    case Shape::ThreadRows:
      launch(scanThreadRowsKernel<Access>, rowGrid(rows, 256), 256, stream, "launching the per-row scan kernel", acc,
             rows, n);
      return;
    case Shape::WarpRows:
      launch(scanWarpRowsKernel<Access, P>, rowGrid(rows, P::kThreads / kWarp), P::kThreads, stream,
             "launching the warp-per-row scan kernel", acc, rows, n);
      return;
    case Shape::Tiles: break;
  }
  const size_t tilesPerRow = tilesPerRowOf<P>(n), tiles = rows * tilesPerRow;
  if (tiles > kMaxTileGrid) throw CudaError("CUDA error in scan: too many tiles for one launch");
  TileStatus<M> status{};
  unsigned long long* ticket = nullptr;
  if (tilesPerRow > 1) {
    char* scratch = static_cast<char*>(ctx.ensureScratch(kTicketBytes + TileStatus<M>::bytes(tiles)));
    ticket = reinterpret_cast<unsigned long long*>(scratch);
    status = TileStatus<M>::carve(scratch + kTicketBytes, tiles, lookBackBoundNs.load(std::memory_order_relaxed),
                                  ctx.gaveUp);
#if defined(LINREC_TEST_HOOKS)
    status.silentTile = silentTile.load(std::memory_order_relaxed);
    status.holdTile = holdTile.load(std::memory_order_relaxed);
    status.holdNs = holdNs.load(std::memory_order_relaxed);
    status.holdForTiles = holdForTiles();
    status.tiles = tiles;
    status.fromRowStart = fromRowStart.load(std::memory_order_relaxed);
#endif
    // Ticket and flags are contiguous: one memset clears both.
    check(cudaMemsetAsync(scratch, 0, kTicketBytes + TileStatus<M>::flagBytes(tiles), stream),
          "cudaMemsetAsync (tile status)");
  }
  launch(scanTilesKernel<Access, P>, unsigned(tiles), P::kThreads, stream, "launching the tile scan kernel", acc, n,
         tilesPerRow, status, ticket);
}

void enqueueScan(const ScanJob& job, cudaStream_t stream, DeviceContext& ctx) {
  if (job.rows == 0) return;
  dispatchScan<DeviceLogMethod>(job, [&](const auto& acc) { enqueueScanAs(acc, job, stream, ctx); });
}

size_t scanScratchBytes(const ScanJob& job, DeviceContext& ctx) {
  if (job.rows == 0) return 0;
  return dispatchScan<DeviceLogMethod>(
      job, [&](const auto& acc) { return scanScratchBytesAs<std::decay_t<decltype(acc)>>(job, ctx); });
}

// ---------------------------------------------------------------------------------------------
// Aggregate

template <class T, bool Reverse> using AggregateAccess = RawAccess<AffineMonoid<T>, Reverse>;

template <class T, bool Reverse> static Shape aggregateShape(const AggregateJob& job, DeviceContext& ctx) {
  using Access = AggregateAccess<T, Reverse>;
  using P = TilePolicy<AffineMonoid<T>>;
  if (job.n == 0) return Shape::ThreadRows;
  size_t warpCapacity = residentWarps<aggregateWarpRowsKernel<Access, P>>(P::kThreads, ctx);
  Shape s = chooseShape<P>(job.rows, job.n, warpCapacity);
  return s == Shape::ThreadRows ? Shape::WarpRows : s;
}

// The tile aggregate's scratch: the tiles' totals, their reaches and their flags, each row's mark
// (its joins lost a B, or its chain may overflow part-way), and for rows marked for it the tiles'
// totals on extended-range numbers and whether their inputs are finite.
template <class T> struct AggregateScratch {
  using Wide = typename Wide<AffineMonoid<T>>::Elem;
  size_t reaches, flags, again, wide, wideFinite, bytes;
  AggregateScratch(size_t rows, size_t tiles) {
    reaches = tiles * sizeof(AffinePair<T>);
    flags = reaches + tiles * sizeof(AffineReach<T>);
    again = flags + tiles;
    wide = (again + rows + 15) / 16 * 16;
    wideFinite = wide + tiles * sizeof(Wide);
    bytes = wideFinite + tiles;
  }
};

template <class T, bool Reverse> static size_t aggregateScratchBytesAs(const AggregateJob& job, DeviceContext& ctx) {
  using P = TilePolicy<AffineMonoid<T>>;
  if (aggregateShape<T, Reverse>(job, ctx) != Shape::Tiles) return 0;
  return AggregateScratch<T>(job.rows, job.rows * tilesPerRowOf<P>(job.n)).bytes;
}

template <class T, bool Reverse>
static void enqueueAggregateAs(const AggregateJob& job, cudaStream_t stream, DeviceContext& ctx) {
  using Access = AggregateAccess<T, Reverse>;
  using P = TilePolicy<AffineMonoid<T>>;
  Access acc(scanViewOf(job));
  T* outA = static_cast<T*>(job.outA);
  T* outB = static_cast<T*>(job.outB);
  auto* outReach = static_cast<AffineReach<T>*>(job.outReach);
  const size_t rows = job.rows, n = job.n;
  switch (aggregateShape<T, Reverse>(job, ctx)) {
    case Shape::ThreadRows:  // n == 0: identity maps
      launch(foldTileTotalsKernel<Access>, rowGrid(rows, 8), 256, stream, "launching the aggregate fold kernel",
             static_cast<const AffinePair<T>*>(nullptr), static_cast<const unsigned char*>(nullptr),
             static_cast<const AffineReach<T>*>(nullptr), rows, size_t(0), outA, outB,
             static_cast<unsigned char*>(nullptr), outReach);
      return;
    case Shape::WarpRows:
      launch(aggregateWarpRowsKernel<Access, P>, rowGrid(rows, P::kThreads / kWarp), P::kThreads, stream,
             "launching the warp-per-row aggregate kernel", acc, rows, n, outA, outB, outReach);
      return;
    case Shape::Tiles: break;
  }
  const size_t tilesPerRow = tilesPerRowOf<P>(n), tiles = rows * tilesPerRow;
  if (tiles > kMaxTileGrid) throw CudaError("CUDA error in aggregate: too many tiles for one launch");
  const AggregateScratch<T> layout(rows, tiles);
  char* scratch = static_cast<char*>(ctx.ensureScratch(layout.bytes));
  auto* totals = reinterpret_cast<AffinePair<T>*>(scratch);
  auto* reaches = reinterpret_cast<AffineReach<T>*>(scratch + layout.reaches);
  auto* flags = reinterpret_cast<unsigned char*>(scratch + layout.flags);
  auto* again = reinterpret_cast<unsigned char*>(scratch + layout.again);
  auto* wide = reinterpret_cast<typename AggregateScratch<T>::Wide*>(scratch + layout.wide);
  auto* wideFinite = reinterpret_cast<unsigned char*>(scratch + layout.wideFinite);
  launch(aggregateTilesKernel<Access, P>, unsigned(tiles), P::kThreads, stream, "launching the tile aggregate kernel",
         acc, n, tilesPerRow, totals, flags, reaches);
  launch(foldTileTotalsKernel<Access>, rowGrid(rows, 8), 256, stream, "launching the aggregate fold kernel",
         static_cast<const AffinePair<T>*>(totals), static_cast<const unsigned char*>(flags),
         static_cast<const AffineReach<T>*>(reaches), rows, tilesPerRow, outA, outB, again, outReach);
  // Rows whose joins lost a B (rare): composed again in extended range, or in order where the loop
  // may overflow part-way; other rows' tiles and warps are skipped. Rows whose first coefficient is
  // ±inf (rare): composed in order by the fold below (composeFromInfinite).
  launch(aggregateTilesAgainKernel<Access, P>, unsigned(std::min<size_t>(tiles, 1024)), P::kThreads, stream,
         "launching the tile aggregate kernel (extended range)", acc, rows, n, tilesPerRow,
         static_cast<const unsigned char*>(again), wide, wideFinite);
  launch(foldTileTotalsAgainKernel<Access>, rowGrid(rows, 8), 256, stream,
         "launching the aggregate fold kernel (extended range)", acc, rows, n, tilesPerRow,
         static_cast<const unsigned char*>(again), static_cast<const typename AggregateScratch<T>::Wide*>(wide),
         static_cast<const unsigned char*>(wideFinite), outA, outB);
}

template <class F> static auto byAggregateType(const AggregateJob& job, F&& f) {
  if (job.dtype == DType::Float64)
    return job.reverse ? f(static_cast<double*>(nullptr), std::true_type())
                       : f(static_cast<double*>(nullptr), std::false_type());
  return job.reverse ? f(static_cast<float*>(nullptr), std::true_type())
                     : f(static_cast<float*>(nullptr), std::false_type());
}

void enqueueAggregate(const AggregateJob& job, cudaStream_t stream, DeviceContext& ctx) {
  if (job.rows == 0) return;
  byAggregateType(job, [&](auto* tag, auto reverse) {
    using T = std::remove_pointer_t<decltype(tag)>;
    enqueueAggregateAs<T, decltype(reverse)::value>(job, stream, ctx);
  });
}

size_t aggregateScratchBytes(const AggregateJob& job, DeviceContext& ctx) {
  if (job.rows == 0) return 0;
  return byAggregateType(job, [&](auto* tag, auto reverse) {
    using T = std::remove_pointer_t<decltype(tag)>;
    return aggregateScratchBytesAs<T, decltype(reverse)::value>(job, ctx);
  });
}

// ---------------------------------------------------------------------------------------------
// Public entry points

void scan(const ScanJob& job, Residency where, unsigned generation) {
  if (job.rows == 0) return;
  DeviceContext& ctx = contextOf(job.device);
  lockedCall(ctx, [&] {
    cudaGetLastError();  // a stale non-sticky error from elsewhere must not be reported as ours
    if (where == Residency::Host) return scanHostStaged(job, ctx);
    refuseLost(ctx, generation);  // a reset since the call was made freed its arrays
    enqueueScan(job, ctx.stream, ctx);
    check(cudaStreamSynchronize(ctx.stream), "scan kernel (a fault, or a look-back wait past its bound)");
  });
}

void aggregate(const AggregateJob& job, Residency where, unsigned generation) {
  if (job.rows == 0) return;
  DeviceContext& ctx = contextOf(job.device);
  lockedCall(ctx, [&] {
    cudaGetLastError();
    if (where == Residency::Host) return aggregateHostStaged(job, ctx);
    refuseLost(ctx, generation);
    enqueueAggregate(job, ctx.stream, ctx);
    check(cudaStreamSynchronize(ctx.stream), "aggregate kernel");
  });
}

#if defined(LINREC_TEST_HOOKS)
__global__ void trapKernel() { __trap(); }

void setLookBackTest(unsigned long long boundNs, size_t silent, size_t hold, unsigned long long holdFor,
                     bool fromStart) {
  lookBackBoundNs.store(boundNs ? boundNs : kLookBackBoundNs);
  silentTile.store(silent);
  holdTile.store(hold);
  holdNs.store(holdFor);
  fromRowStart.store(fromStart);
}

#if defined(LINREC_CUDA_EMULATION)
static std::atomic<unsigned long long> lookBacks{0}, deepLookBacks{0}, deepestLookBack{0}, rowsStartedBy{0};
static void raiseTo(std::atomic<unsigned long long>& most, unsigned long long value) {
  unsigned long long seen = most.load();
  while (value > seen && !most.compare_exchange_weak(seen, value)) {
  }
}
void recordTicket(size_t ticket, size_t tileInRow) {
  if (tileInRow == 0) raiseTo(rowsStartedBy, ticket + 1);
}
void recordLookBack(size_t reduced) {
  lookBacks.fetch_add(1);
  if (reduced > 128) deepLookBacks.fetch_add(1);
  raiseTo(deepestLookBack, reduced);
}
LookBackStats takeLookBackStats() {
  LookBackStats s;
  s.lookBacks = lookBacks.exchange(0);
  s.deep = deepLookBacks.exchange(0);
  s.deepest = deepestLookBack.exchange(0);
  s.unfenced = ::linrec::emulation::takeUnfencedReads();
  s.rowsStartedBy = rowsStartedBy.exchange(0);
  return s;
}
#else
LookBackStats takeLookBackStats() { return LookBackStats(); }
#endif

void injectFault(int device) {
  DeviceContext& ctx = contextOf(device);
  std::lock_guard<std::mutex> lock(ctx.mutex);
  makeCurrent(ctx);
  launch(trapKernel, 1, 1, ctx.stream, "launching the fault-injection kernel");
}

unsigned long long inOrderSteppings(int device) {
  DeviceContext& ctx = contextOf(device);
  std::lock_guard<std::mutex> lock(ctx.mutex);
  makeCurrent(ctx);
  check(cudaDeviceSynchronize(), "synchronizing before reading the in-order count");
#if defined(LINREC_CUDA_EMULATION)
  unsigned long long count = __atomic_exchange_n(&inOrderCount, 0ull, __ATOMIC_SEQ_CST);
#else
  unsigned long long count = 0, zero = 0;
  check(cudaMemcpyFromSymbol(&count, inOrderCount, sizeof count), "reading the in-order count");
  check(cudaMemcpyToSymbol(inOrderCount, &zero, sizeof zero), "clearing the in-order count");
#endif
  return count;
}
#else
unsigned long long inOrderSteppings(int) { throw CudaError("in-order counts need a build with LINREC_TEST_HOOKS"); }
void injectFault(int) { throw CudaError("fault injection needs a build with LINREC_TEST_HOOKS"); }
void setLookBackTest(unsigned long long, size_t, size_t, unsigned long long, bool) {
  throw CudaError("look-back tests need a build with LINREC_TEST_HOOKS");
}
LookBackStats takeLookBackStats() { return LookBackStats(); }
#endif

}  // namespace cuda
}  // namespace linrec
