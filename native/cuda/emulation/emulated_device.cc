// The emulated device behind cuda_runtime.h (see there for what is and is not modelled).
#include <ucontext.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "cuda_runtime.h"

// The kernel-side names are fields here.
#undef threadIdx
#undef blockIdx
#undef blockDim
#undef gridDim

namespace linrec {
namespace emulation {
namespace {

constexpr size_t kStackBytes = size_t(128) << 10;
constexpr int kWarpSize = 32;

size_t envSize(const char* name, size_t fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  unsigned long long parsed = std::strtoull(v, &end, 10);
  return end && *end == '\0' && parsed > 0 ? size_t(parsed) : fallback;
}

uint64_t mix(uint64_t x) {  // splitmix64: nearby seeds and counters give unrelated streams
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// The scheduling seed of the process (block start order, thread order, jitter, stream delays):
// LINREC_EMULATED_SEED, else one derived from the test run's LINREC_SEED (jest's globalSetup sets
// it), else random. Every failure names it, so that a schedule can be replayed. What follows it:
// each stream's schedule comes from the seed, the stream's device and its creation ordinal there
// (the legacy stream's is 0): the stream's delays, and for its k-th grid the order its blocks
// start in, each block's thread order and the jitter. What does not, and so is not replayed: the
// OS's timing (how the work of different streams, the blocks in flight and host threads
// interleave, and which worker takes which block), and so the ordinals of streams that several
// host threads create at once, and the order of grids that several host threads launch on one
// stream.
uint64_t schedulingSeed() {
  static const uint64_t seed = []() -> uint64_t {
    auto number = [](const char* name, uint64_t* out) {
      const char* v = std::getenv(name);
      char* end = nullptr;
      if (!v || !*v) return false;
      *out = std::strtoull(v, &end, 10);
      return end && *end == '\0';
    };
    uint64_t v = 0;
    if (number("LINREC_EMULATED_SEED", &v)) return v;
    if (number("LINREC_SEED", &v)) return mix(v ^ 0x6c696e726563ull) % 1000000000ull;
    return uint64_t(std::random_device{}()) % 1000000000ull;
  }();
  return seed;
}
uint64_t streamSeed(int device, uint64_t ordinal) {
  return mix(schedulingSeed() ^ mix((uint64_t(device) << 48) ^ ordinal ^ 0x73747265616dull));
}
// The grid a block runner runs, for a failure's message: the launch-th of its stream (0: none).
struct LaunchName {
  int device = 0;
  uint64_t stream = 0, launch = 0;
};
thread_local LaunchName currentLaunch;

[[noreturn]] void fail(const std::string& what) {
  std::string where;
  if (currentLaunch.launch)
    where =
        "; launch " + std::to_string(currentLaunch.launch) + " on " +
        (currentLaunch.stream ? "stream " + std::to_string(currentLaunch.stream) : std::string("the legacy stream")) +
        " of device " + std::to_string(currentLaunch.device);
  std::fprintf(stderr, "linrec CUDA emulation: %s (replay: LINREC_EMULATED_SEED=%llu%s)\n", what.c_str(),
               (unsigned long long)schedulingSeed(), where.c_str());
  std::fflush(stderr);
  std::abort();
}

// ---------------------------------------------------------------------------------------------
// Device state: allocations, the budget, errors. LINREC_EMULATED_DEVICES devices (default 1),
// each with its own budget, sticky error and resets; the current device is per host thread.
struct Stream;
struct Device {
  std::mutex mutex;
  std::map<const void*, size_t> allocations;
  size_t used = 0;
  size_t total = envSize("LINREC_EMULATED_DEVICE_MEMORY", size_t(1) << 30);
  cudaError_t sticky = cudaSuccess;  // a kernel fault poisons the context for good
  unsigned epoch = 0;  // streams and events of an earlier epoch died with a reset
  // Streams (under queueMutex()): the legacy default stream, created on first use, and every
  // stream created on this device and not destroyed; streams created so far (their ordinals).
  Stream* legacy = nullptr;
  std::vector<Stream*> streams;
  uint64_t streamsCreated = 0;
  // Host threads inside a runtime call on this device (see CallScope and cudaDeviceReset).
  std::atomic<int> callsInFlight{0};
};
std::vector<Device*>& devices() {
  // Never destroyed: finalizers may free after static teardown.
  static std::vector<Device*>* all = [] {
    auto* v = new std::vector<Device*>(std::min<size_t>(envSize("LINREC_EMULATED_DEVICES", 1), 16));
    for (Device*& d : *v) d = new Device;
    return v;
  }();
  return *all;
}
int deviceCount() { return int(devices().size()); }
thread_local int currentDevice = 0;
Device& device(int index = currentDevice) { return *devices()[size_t(index)]; }
thread_local cudaError_t lastError = cudaSuccess;

cudaError_t record(cudaError_t err) {
  if (err != cudaSuccess) lastError = err;
  return err;
}
cudaError_t stickyOf(int index) {
  std::lock_guard<std::mutex> lock(device(index).mutex);
  return device(index).sticky;
}
cudaError_t poisoned() { return stickyOf(currentDevice); }

// A runtime call that touches a device's memory or queues: while it runs, a cudaDeviceReset of
// that device from another host thread would destroy the context under it (undefined on a GPU,
// a crash risk), and the emulation stops the process instead.
class CallScope {
 public:
  explicit CallScope(int index = currentDevice) : device_(device(index)) { ++device_.callsInFlight; }
  ~CallScope() { --device_.callsInFlight; }
  CallScope(const CallScope&) = delete;
  CallScope& operator=(const CallScope&) = delete;

 private:
  Device& device_;
};

// Streams and events belong to the device current when they were created.
struct Handle {
  int device;
  unsigned epoch;
};

// ---------------------------------------------------------------------------------------------
// Streams run asynchronously, as on a GPU: each has a queue and a worker thread that runs its
// operations (copies, memsets, kernels, event markers) in order, each after a random delay
// (LINREC_EMULATED_STREAM_DELAY_US, default 200: at most that many microseconds), so that work
// on different streams interleaves in every order and a host that reads results before a
// synchronization sees stale memory. CUDA's ordering rules between streams:
//   * the legacy default stream (stream 0) waits for all earlier work of the device's blocking
//     streams, and a blocking stream's work waits for earlier legacy work;
//   * cudaStreamNonBlocking streams are ordered with nothing but their own work and events;
//   * cudaStreamWaitEvent orders a stream's later work after the event's recorded work.
// After a kernel fault, queued work of that device is skipped (as the context is poisoned).
struct Progress {
  uint64_t completed = 0;  // operations of the stream that have finished (under queueMutex())
};
struct Dependency {
  std::shared_ptr<Progress> progress;
  uint64_t until;
};
struct Operation {
  std::function<void()> run;
  std::vector<Dependency> after;
};
struct Stream : Handle {
  bool blocking = true, isLegacy = false;
  uint64_t ordinal = 0, seed = 0;  // its creation on its device (0: the legacy stream); streamSeed
  uint64_t launches = 0;  // grids it has run (its worker's)
  std::deque<Operation> queue;
  uint64_t enqueued = 0;
  std::shared_ptr<Progress> progress = std::make_shared<Progress>();
  bool stop = false;
  std::thread worker;
};
struct Event : Handle {
  Dependency recorded{nullptr, 0};  // the work it marks; none before the first record
};

// One lock and one condition for every queue of every device (the emulation's speed does not
// depend on it). Never destroyed: workers may still wait on them during static teardown.
std::mutex& queueMutex() {
  static std::mutex* m = new std::mutex;
  return *m;
}
std::condition_variable& queueProgress() {
  static std::condition_variable* c = new std::condition_variable;
  return *c;
}

bool done(const Dependency& d) { return !d.progress || d.progress->completed >= d.until; }

unsigned streamDelayUs() {
  static const unsigned us = unsigned(std::min<size_t>(envSize("LINREC_EMULATED_STREAM_DELAY_US", 200), 100000));
  static const bool none = std::getenv("LINREC_EMULATED_STREAM_DELAY_US") &&
                           std::string(std::getenv("LINREC_EMULATED_STREAM_DELAY_US")) == "0";
  return none ? 0 : us;
}

thread_local Stream* runningStream = nullptr;  // the stream whose worker this thread is

void workerLoop(Stream* s) {
  currentDevice = s->device;
  runningStream = s;
  std::minstd_rand random(unsigned(mix(s->seed)));  // its delays
  std::unique_lock<std::mutex> lock(queueMutex());
  for (;;) {
    queueProgress().wait(lock, [&] {
      if (s->stop && s->queue.empty()) return true;
      if (s->queue.empty()) return false;
      for (const Dependency& d : s->queue.front().after)
        if (!done(d)) return false;
      return true;
    });
    if (s->queue.empty()) return;  // stopped
    std::function<void()> run = std::move(s->queue.front().run);
    lock.unlock();
    if (unsigned us = streamDelayUs()) std::this_thread::sleep_for(std::chrono::microseconds(random() % (us + 1)));
    if (run && stickyOf(s->device) == cudaSuccess) run();
    lock.lock();
    s->queue.pop_front();
    ++s->progress->completed;
    queueProgress().notify_all();
  }
}

Stream* startStream(int index, bool blocking, bool legacy, uint64_t ordinal) {
  Stream* s = new Stream;
  s->device = index;
  s->ordinal = ordinal;
  s->seed = streamSeed(index, ordinal);
  s->epoch = device(index).epoch;
  s->blocking = blocking;
  s->isLegacy = legacy;
  s->worker = std::thread(workerLoop, s);
  return s;
}

// Stops a stream's worker once its queue is empty. queueMutex() not held.
void stopStream(Stream* s) {
  {
    std::lock_guard<std::mutex> lock(queueMutex());
    s->stop = true;
  }
  queueProgress().notify_all();
  if (s->worker.joinable()) s->worker.join();
}

Stream* legacyOf(int index) {  // queueMutex() held
  Device& d = device(index);
  if (!d.legacy) d.legacy = startStream(index, true, true, 0);
  return d.legacy;
}

Stream* streamOf(cudaStream_t h) { return static_cast<Stream*>(reinterpret_cast<Handle*>(h)); }
Event* eventOf(cudaEvent_t h) { return static_cast<Event*>(reinterpret_cast<Handle*>(h)); }

// Host visibility only at synchronization. A copy into pinned host memory on a stream writes a
// shadow when the stream runs it; the host bytes change only when the host synchronizes with that
// work (a stream, event or device synchronization, or a synchronous copy ordered after it), as a
// host that reads before then has no guarantee on a GPU. Without the shadow a missing
// synchronization would pass whenever the worker happened to have run the copy.
std::atomic<size_t> shadowBytes{0}, peakShadowBytes{0};  // takeShadowStats
struct HostWrite {
  void* dst = nullptr;
  std::vector<char> shadow;
  std::atomic<bool> ran{false};  // skipped after a fault: the host bytes stay as they were
  std::shared_ptr<Progress> stream;
  uint64_t position = 0;  // its operation in the stream: done once the stream completed that many
  uint64_t queued = 0;  // its operation among all queued (operationsQueued)
  int device = 0;
  void allocate(size_t bytes) {
    shadow.resize(bytes);
    const size_t now = shadowBytes += bytes;
    for (size_t peak = peakShadowBytes.load(); now > peak && !peakShadowBytes.compare_exchange_weak(peak, now);) {
    }
  }
  ~HostWrite() { shadowBytes -= shadow.size(); }
};
// Under queueMutex(): the writes not yet published, in the order they were queued, and the
// cross-stream orderings (legacy rules, cudaStreamWaitEvent) queued since the oldest of them,
// through which a synchronization with one stream also covers the work of others it waited for.
// An ordering names only work queued before it, and through it only orderings queued before it
// are reached: one queued before the oldest pending write leads to none (dropOldCrossWaits).
struct CrossWait {
  std::shared_ptr<Progress> stream;
  uint64_t position;
  std::vector<Dependency> after;
  uint64_t queued;  // its operation among all queued
};
uint64_t operationsQueued = 0;
std::deque<std::shared_ptr<HostWrite>>& hostWrites() {
  static auto* w = new std::deque<std::shared_ptr<HostWrite>>;
  return *w;
}
std::deque<CrossWait>& crossWaits() {
  static auto* w = new std::deque<CrossWait>;
  return *w;
}
// After writes were published or dropped: so that orderings do not pile up while pipelines take
// turns, one write always pending. (A write never synchronized, on a stream never synchronized
// with, keeps every ordering queued after it until a device synchronization or cudaFreeHost.)
void dropOldCrossWaits() {
  auto& waits = crossWaits();
  const auto& writes = hostWrites();
  while (!waits.empty() && (writes.empty() || waits.front().queued < writes.front()->queued)) waits.pop_front();
}

// Queues `run` on stream h (0: the current device's legacy stream) after `extra`; returns the
// dependency that is done when it has run. `write`: the host write `run` fills, held back until
// a synchronization with it.
Dependency enqueue(cudaStream_t h, std::function<void()> run, std::vector<Dependency> extra = {},
                   std::shared_ptr<HostWrite> write = nullptr) {
  std::lock_guard<std::mutex> lock(queueMutex());
  Stream* s = h ? streamOf(h) : legacyOf(currentDevice);
  Operation op{std::move(run), std::move(extra)};
  Device& d = device(s->device);
  // The legacy rules name every stream's position, finished work included: a synchronization
  // through this operation covers that work too (its downloads not yet shown to the host among
  // it), whether or not it was still running when this was queued.
  if (s->isLegacy) {
    for (Stream* other : d.streams)
      if (other->blocking && other->enqueued > 0) op.after.push_back({other->progress, other->enqueued});
  } else if (s->blocking && d.legacy && d.legacy->enqueued > 0) {
    op.after.push_back({d.legacy->progress, d.legacy->enqueued});
  }
  // Orderings queued before a write cannot order it (they name work queued before it).
  ++operationsQueued;
  if (!op.after.empty() && !hostWrites().empty())
    crossWaits().push_back({s->progress, s->enqueued + 1, op.after, operationsQueued});
  s->queue.push_back(std::move(op));
  ++s->enqueued;
  if (write) {
    write->stream = s->progress;
    write->position = s->enqueued;
    write->device = s->device;
    write->queued = operationsQueued;
    hostWrites().push_back(std::move(write));
  }
  queueProgress().notify_all();
  return {s->progress, s->enqueued};
}

void waitFor(const Dependency& d) {
  std::unique_lock<std::mutex> lock(queueMutex());
  queueProgress().wait(lock, [&] { return done(d); });
}

// The host has seen `synced` done: publishes the host writes ordered before it, in the order they
// were queued. queueMutex() held.
void publishLocked(std::vector<Dependency> synced, int allOfDevice = -1) {
  std::map<const Progress*, uint64_t> reached;
  while (!synced.empty()) {
    const Dependency d = synced.back();
    synced.pop_back();
    if (!d.progress) continue;
    uint64_t& r = reached[d.progress.get()];
    if (r >= d.until) continue;
    r = d.until;
    for (const CrossWait& w : crossWaits())
      if (w.stream == d.progress && w.position <= d.until) synced.insert(synced.end(), w.after.begin(), w.after.end());
  }
  auto& writes = hostWrites();
  for (auto it = writes.begin(); it != writes.end();) {
    HostWrite& w = **it;
    auto r = reached.find(w.stream.get());
    const bool ordered = w.device == allOfDevice || (r != reached.end() && w.position <= r->second);
    if (!ordered || w.stream->completed < w.position) {
      ++it;
      continue;
    }
    if (w.ran.load()) std::memcpy(w.dst, w.shadow.data(), w.shadow.size());
    it = writes.erase(it);
  }
  dropOldCrossWaits();
}
void publish(std::vector<Dependency> synced) {
  std::lock_guard<std::mutex> lock(queueMutex());
  publishLocked(std::move(synced));
}
// Waits for d and shows the host what is ordered before it.
void synchronize(const Dependency& d) {
  waitFor(d);
  publish({d});
}

// Every stream of the device has run what was queued before this call (and the host sees it).
void drainDevice(int index) {
  std::vector<Dependency> all;
  {
    std::lock_guard<std::mutex> lock(queueMutex());
    Device& d = device(index);
    for (Stream* s : d.streams) all.push_back({s->progress, s->enqueued});
    if (d.legacy) all.push_back({d.legacy->progress, d.legacy->enqueued});
  }
  for (const Dependency& dep : all) waitFor(dep);
  std::lock_guard<std::mutex> lock(queueMutex());
  publishLocked({}, index);  // destroyed streams' work included: their workers have finished
}

cudaEvent_t newEvent() {
  Event* e = new Event;
  e->device = currentDevice;
  std::lock_guard<std::mutex> lock(device().mutex);
  e->epoch = device().epoch;
  return reinterpret_cast<cudaEvent_t>(static_cast<Handle*>(e));
}
// The handle's device's sticky error, or invalid value for a handle a reset destroyed.
// onCurrentDevice: CUDA refuses a kernel launch into another device's stream.
template <class H> cudaError_t checkHandle(H* h, bool nullAllowed, bool onCurrentDevice = false) {
  if (!h) return nullAllowed ? poisoned() : cudaErrorInvalidValue;
  const Handle& handle = *reinterpret_cast<Handle*>(h);
  if (onCurrentDevice && handle.device != currentDevice) return cudaErrorInvalidResourceHandle;
  Device& d = device(handle.device);
  std::lock_guard<std::mutex> lock(d.mutex);
  if (handle.epoch != d.epoch) return cudaErrorInvalidValue;
  return d.sticky;
}
int deviceOf(const void* h) { return h ? reinterpret_cast<const Handle*>(h)->device : currentDevice; }

// Pinned host memory (cudaHostAlloc): copies from pageable memory behave differently.
std::mutex pinnedMutex;
std::map<const char*, size_t> pinned;
bool isPinned(const void* p, size_t bytes) {
  const char* c = static_cast<const char*>(p);
  std::lock_guard<std::mutex> lock(pinnedMutex);
  auto it = pinned.upper_bound(c);
  if (it == pinned.begin()) return false;
  --it;
  return c >= it->first && c + bytes <= it->first + it->second;
}

bool isDeviceMemory(const void* p) {
  for (int i = 0; i < deviceCount(); ++i) {
    Device& d = device(i);
    std::lock_guard<std::mutex> lock(d.mutex);
    auto it = d.allocations.upper_bound(p);
    if (it == d.allocations.begin()) continue;
    --it;
    if (static_cast<const char*>(p) < static_cast<const char*>(it->first) + it->second) return true;
  }
  return false;
}

// A copy into host memory on stream h. Into pinned memory it is asynchronous and held back until
// a synchronization (HostWrite). Into pageable memory the host waits for it, as the runtime
// documents ("API synchronization behavior", Asynchronous: "For transfers from device memory to
// pageable host memory, the function will return only once the copy has completed"); so does a
// synchronous cudaMemcpy (`wait`). Waiting shows the host all the work ordered before the copy.
// A copy the host waits for is complete on return: the stream writes the destination itself (no
// shadow as large as the copy), unless a write not yet published overlaps it, which the
// synchronization would publish after it (then it takes its turn behind a shadow too).
void copyIntoHost(cudaStream_t h, void* dst, const void* src, size_t bytes, bool wait) {
  if (wait || !isPinned(dst, bytes)) {
    bool overlapped = false;
    {
      std::lock_guard<std::mutex> lock(queueMutex());
      const char* begin = static_cast<const char*>(dst);
      for (const auto& w : hostWrites()) {
        const char* at = static_cast<const char*>(w->dst);
        overlapped = overlapped || (at < begin + bytes && begin < at + w->shadow.size());
      }
    }
    if (!overlapped) {
      synchronize(enqueue(h, [dst, src, bytes] { std::memcpy(dst, src, bytes); }));
      return;
    }
    wait = true;
  }
  auto write = std::make_shared<HostWrite>();
  write->dst = dst;
  write->allocate(bytes);
  Dependency copied = enqueue(
      h,
      [write, src, bytes] {
        std::memcpy(write->shadow.data(), src, bytes);
        write->ran.store(true);
      },
      {}, write);
  if (wait) synchronize(copied);
}

// ---------------------------------------------------------------------------------------------
// Blocks: each worker OS thread runs one block at a time, its threads as fibers.
struct WarpSync {
  int arrived = 0;
  unsigned generation = 0;
  const char* site = nullptr;
  Word slots[2][kWarpSize];
};

struct Fiber {
  ucontext_t context;
  ThreadState state;
  bool done = false;
  const char* waitingAt = nullptr;  // the collective it waits in, for deadlock reports
  unsigned long long fencedAt = 0;  // publications seen by its last acquire (fence or load)
};

struct BlockRunner {
  std::vector<Fiber> fibers;
  std::vector<std::unique_ptr<char[]>> stacks;
  ucontext_t scheduler;
  int current = 0;
  int live = 0;
  std::vector<int> order;  // this pass's schedule
  unsigned long long progress = 0;  // completed collectives and spins: a round without any is a deadlock
  std::vector<WarpSync> warps;
  int blockArrived = 0;
  unsigned blockGeneration = 0;
  bool blockOr[2] = {false, false};
  const std::function<void()>* body = nullptr;
  // A spin fails once no block of the grid has finished for `timeout` (a deadlock); counted from
  // the last finish, not from the launch, so that a long grid on a loaded machine is not failed.
  std::chrono::steady_clock::duration timeout;
  const std::atomic<std::chrono::steady_clock::rep>* lastBlockDone = nullptr;  // steady ticks
  unsigned jitterPercent = 0;
  int device = 0;  // the launch's device
  std::atomic<bool>* aborted = nullptr;  // the grid trapped: no thread of it runs again
  unsigned long long launchedAt = 0;  // publications before the grid began
  std::minstd_rand random;

  Fiber& fiber() { return fibers[size_t(current)]; }
  void yield() { swapcontext(&fiber().context, &scheduler); }

  void runBlock(dim3 grid, dim3 block, unsigned blockIndex, uint64_t launchSeed);
};
thread_local BlockRunner* runner = nullptr;

// Weak ordering of fenced payloads (stampPublication): every publication gets the next stamp.
std::atomic<unsigned long long> publications{0}, unfencedReads{0};

void fiberMain() {
  BlockRunner& r = *runner;
  (*r.body)();
  r.fiber().done = true;
  --r.live;
  ++r.progress;
  // Returning resumes uc_link: the scheduler.
}

void BlockRunner::runBlock(dim3 grid, dim3 block, unsigned blockIndex, uint64_t launchSeed) {
  const int threads = int(block.x);
  if (fibers.size() != size_t(threads)) {
    fibers.assign(size_t(threads), Fiber{});
    while (stacks.size() < size_t(threads)) stacks.emplace_back(new char[kStackBytes]);
    warps.assign(size_t((threads + kWarpSize - 1) / kWarpSize), WarpSync{});
  }
  for (WarpSync& w : warps) w.arrived = 0, w.site = nullptr;
  blockArrived = 0;
  blockOr[blockGeneration & 1] = false;
  for (int t = 0; t < threads; ++t) {
    Fiber& f = fibers[size_t(t)];
    f.done = false;
    f.waitingAt = nullptr;
    f.fencedAt = launchedAt;
    f.state.threadIdx = dim3(unsigned(t));
    f.state.blockIdx = dim3(blockIndex);
    f.state.blockDim = block;
    f.state.gridDim = grid;
    getcontext(&f.context);
    f.context.uc_stack.ss_sp = stacks[size_t(t)].get();
    f.context.uc_stack.ss_size = kStackBytes;
    f.context.uc_link = &scheduler;
    makecontext(&f.context, fiberMain, 0);
  }
  live = threads;
  // Each pass runs the threads in a fresh random order: on a GPU nothing orders threads between
  // barriers, so a missing __syncthreads (or __syncwarp) must not be hidden by a fixed order.
  order.resize(size_t(threads));
  for (int t = 0; t < threads; ++t) order[size_t(t)] = t;
  std::minstd_rand shuffler(unsigned(mix(launchSeed ^ (uint64_t(blockIndex) << 32))));
  while (live > 0) {
    const unsigned long long before = progress;
    std::shuffle(order.begin(), order.end(), shuffler);
    for (int t : order) {
      if (aborted->load()) return;  // the other threads stay suspended and are dropped
      current = t;
      if (!fibers[size_t(current)].done) swapcontext(&scheduler, &fibers[size_t(current)].context);
    }
    if (aborted->load()) return;
    if (live > 0 && progress == before) {
      std::string where;
      for (int t = 0; t < threads && where.size() < 300; ++t)
        if (!fibers[size_t(t)].done)
          where += " thread " + std::to_string(t) + " in " +
                   (fibers[size_t(t)].waitingAt ? fibers[size_t(t)].waitingAt : "?") + ";";
      fail("deadlock in block " + std::to_string(blockIndex) + ":" + where);
    }
  }
}

}  // namespace

ShadowStats takeShadowStats() {
  std::lock_guard<std::mutex> lock(queueMutex());
  return {hostWrites().size(), crossWaits().size(), shadowBytes.load(), peakShadowBytes.exchange(shadowBytes.load())};
}

const ThreadState& self() { return runner->fiber().state; }

unsigned long long stampPublication() { return publications.fetch_add(1) + 1; }
void noteAcquire() {
  if (runner) runner->fiber().fencedAt = publications.load();
}
bool visibleAfterAcquire(unsigned long long stamp) {
  if (!runner) return true;
  if (stamp > runner->launchedAt && stamp <= runner->fiber().fencedAt) return true;
  unfencedReads.fetch_add(1);
  return false;
}
unsigned long long takeUnfencedReads() { return unfencedReads.exchange(0); }

void requireFullMask(unsigned mask, const char* site) {
  if (mask != 0xffffffffu) fail(std::string(site) + " with a partial mask is not emulated");
}

const Word* warpExchange(Word mine, const char* site) {
  BlockRunner& r = *runner;
  const int tid = int(r.fiber().state.threadIdx.x);
  const int lane = tid % kWarpSize;
  WarpSync& w = r.warps[size_t(tid / kWarpSize)];
  const int width = std::min(kWarpSize, int(r.fibers.size()) - (tid - lane));
  const unsigned generation = w.generation;
  if (w.arrived == 0)
    w.site = site;
  else if (std::strcmp(w.site, site) != 0)
    fail(std::string("divergent warp collectives: lane ") + std::to_string(lane) + " of warp " +
         std::to_string(tid / kWarpSize) + " is in " + site + " while others are in " + w.site);
  Word* slots = w.slots[generation & 1];
  slots[lane] = mine;
  if (++w.arrived == width) {
    w.arrived = 0;
    ++w.generation;
    ++r.progress;
  } else {
    r.fiber().waitingAt = site;
    while (w.generation == generation) r.yield();
    r.fiber().waitingAt = nullptr;
  }
  return slots;  // stays intact until every lane has passed the next collective
}

bool syncBlock(bool predicate) {
  BlockRunner& r = *runner;
  // Jitter (LINREC_EMULATED_JITTER_PERCENT): now and then a block stalls, so that later tiles
  // find long runs of predecessors that have published only their aggregates.
  if (r.jitterPercent && r.random() % 100 < r.jitterPercent)
    std::this_thread::sleep_for(std::chrono::microseconds(r.random() % 2000));
  const unsigned generation = r.blockGeneration;
  // Double-buffered like the warp slots: this barrier's OR stays readable until the next one ends.
  r.blockOr[generation & 1] = r.blockOr[generation & 1] || predicate;
  if (++r.blockArrived == r.live) {
    r.blockArrived = 0;
    r.blockOr[(generation + 1) & 1] = false;
    ++r.blockGeneration;
    ++r.progress;
  } else {
    r.fiber().waitingAt = "__syncthreads";
    while (r.blockGeneration == generation) r.yield();
    r.fiber().waitingAt = nullptr;
  }
  return r.blockOr[generation & 1];
}

void pause() {
  BlockRunner& r = *runner;
  const auto now = std::chrono::steady_clock::now().time_since_epoch();
  if (now - std::chrono::steady_clock::duration(r.lastBlockDone->load()) > r.timeout)
    fail("a kernel spun for LINREC_EMULATED_TIMEOUT_S with no block of its grid finishing");
  ++r.progress;  // waiting on another block: that block may move
  r.fiber().waitingAt = "a spin wait";
  std::this_thread::yield();
  r.yield();
  r.fiber().waitingAt = nullptr;
}

cudaError_t launchGrid(dim3 grid, dim3 block, cudaStream_t stream, std::function<void()> body) {
  if (grid.x == 0 || grid.y != 1 || grid.z != 1 || block.x == 0 || block.x > 1024 || block.y != 1 || block.z != 1)
    return record(cudaErrorInvalidConfiguration);
  CallScope call;
  if (cudaError_t e = checkHandle(stream, true, true)) return record(e);
  const int launchDevice = currentDevice;
  // Runs on the stream's worker, after the work queued before it: its schedule follows the
  // stream's seed and the grids the stream has run, whatever other streams and host threads did.
  enqueue(stream, [grid, block, launchDevice, body = std::move(body)] {
    Stream& s = *runningStream;
    const LaunchName launch{launchDevice, s.ordinal, ++s.launches};
    const uint64_t launchSeed = mix(s.seed ^ mix(launch.launch));
    const std::chrono::steady_clock::duration timeout = std::chrono::seconds(envSize("LINREC_EMULATED_TIMEOUT_S", 300));
    std::atomic<std::chrono::steady_clock::rep> lastBlockDone{
        std::chrono::steady_clock::now().time_since_epoch().count()};
    // Enough blocks in flight that a tile's look-back meets predecessors still running.
    const size_t workers = std::min<size_t>(grid.x, envSize("LINREC_EMULATED_BLOCKS_IN_FLIGHT", 3));
    // Blocks start in a random order, as a GPU promises none: a kernel that takes blockIdx for
    // the order its blocks start in (rather than an atomic ticket) waits on blocks not started.
    std::vector<unsigned> startOrder(grid.x);
    for (unsigned b = 0; b < grid.x; ++b) startOrder[b] = b;
    std::shuffle(startOrder.begin(), startOrder.end(), std::mt19937_64(launchSeed));
    std::atomic<unsigned> next{0};
    std::atomic<bool> aborted{false};
    const unsigned long long launchedAt = publications.load();
    auto work = [&](size_t worker) {
      currentLaunch = launch;
      BlockRunner local;
      local.body = &body;
      local.device = launchDevice;
      local.aborted = &aborted;
      local.launchedAt = launchedAt;
      local.timeout = timeout;
      local.lastBlockDone = &lastBlockDone;
      local.jitterPercent = unsigned(std::min<size_t>(100, envSize("LINREC_EMULATED_JITTER_PERCENT", 0)));
      local.random.seed(unsigned(mix(launchSeed + worker + 1)));
      BlockRunner* saved = runner;
      runner = &local;
      for (unsigned b; !aborted.load() && (b = next.fetch_add(1)) < grid.x;) {
        local.runBlock(grid, block, startOrder[b], launchSeed);
        lastBlockDone.store(std::chrono::steady_clock::now().time_since_epoch().count());
      }
      runner = saved;
    };
    std::vector<std::thread> threads;
    for (size_t i = 1; i < workers; ++i) threads.emplace_back(work, i);
    work(0);
    for (auto& t : threads) t.join();
  });
  return cudaSuccess;
}

void trap() {
  BlockRunner& r = *runner;
  {
    std::lock_guard<std::mutex> lock(device(r.device).mutex);
    device(r.device).sticky = cudaErrorLaunchFailure;  // reported by the next call, as a real fault is
  }
  // As on a GPU, the grid ends: this thread never resumes, and no other thread of the grid runs
  // past its next switch (a wait, a collective or a barrier).
  r.aborted->store(true);
  r.fiber().done = true;
  --r.live;
  ++r.progress;
  swapcontext(&r.fiber().context, &r.scheduler);
  fail("a thread resumed after __trap");
}

unsigned long long steadyNanoseconds() {
  return (unsigned long long)std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace emulation
}  // namespace linrec

// ---------------------------------------------------------------------------------------------
// Runtime API
using linrec::emulation::currentDevice;
using linrec::emulation::device;
using linrec::emulation::deviceCount;
using linrec::emulation::lastError;
using linrec::emulation::poisoned;
using linrec::emulation::record;

const char* cudaGetErrorString(cudaError_t err) {
  switch (err) {
    case cudaSuccess: return "no error";
    case cudaErrorInvalidValue: return "invalid argument";
    case cudaErrorMemoryAllocation: return "out of memory";
    case cudaErrorInvalidConfiguration: return "invalid configuration argument";
    case cudaErrorInsufficientDriver: return "CUDA driver version is insufficient for CUDA runtime version";
    case cudaErrorNoDevice: return "no CUDA-capable device is detected";
    case cudaErrorInvalidDevice: return "invalid device ordinal";
    case cudaErrorLaunchFailure: return "unspecified launch failure";
    case cudaErrorDevicesUnavailable: return "CUDA-capable device(s) is/are busy or unavailable";
    case cudaErrorInvalidResourceHandle: return "invalid resource handle";
  }
  return "unknown error";
}

cudaError_t cudaGetLastError() {
  cudaError_t sticky = poisoned();
  cudaError_t err = sticky ? sticky : lastError;
  lastError = cudaSuccess;
  return err;
}

cudaError_t cudaGetDeviceCount(int* count) {
  *count = deviceCount();
  return cudaSuccess;
}
cudaError_t cudaGetDevice(int* d) {
  *d = currentDevice;
  return cudaSuccess;
}
cudaError_t cudaSetDevice(int d) {
  if (d < 0 || d >= deviceCount()) return record(cudaErrorInvalidDevice);
  currentDevice = d;
  return cudaSuccess;
}
cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int d) {
  if (d < 0 || d >= deviceCount()) return record(cudaErrorInvalidDevice);
  std::memset(prop, 0, sizeof *prop);
  std::snprintf(prop->name, sizeof prop->name, "linrec CUDA emulation (CPU)");
  prop->totalGlobalMem = device(d).total;
  prop->major = 9;
  prop->minor = 0;
  prop->multiProcessorCount = 4;
  return cudaSuccess;
}
cudaError_t cudaDeviceGetAttribute(int* value, cudaDeviceAttr attr, int d) {
  if (d < 0 || d >= deviceCount()) return record(cudaErrorInvalidDevice);
  *value = attr == cudaDevAttrMultiProcessorCount ? 4 : 0;
  return cudaSuccess;
}
cudaError_t cudaDeviceSynchronize() {
  linrec::emulation::CallScope call;
  linrec::emulation::drainDevice(currentDevice);
  return record(poisoned());
}
cudaError_t cudaDeviceReset() {
  using namespace linrec::emulation;
  // On a GPU a reset destroys the context under any call another host thread has in flight on
  // the device (and under other libraries' use of the primary context): never emulated.
  if (device().callsInFlight.load() != 0)
    fail("cudaDeviceReset while another host thread is inside a CUDA call on device " + std::to_string(currentDevice) +
         " (the context would be destroyed under it)");
  drainDevice(currentDevice);  // work still queued is abandoned on a GPU; here it has run or been skipped
  std::vector<Stream*> dead;
  {
    std::lock_guard<std::mutex> lock(queueMutex());
    dead.swap(device().streams);  // their handles stay allocated (destroying one is an error)
  }
  for (Stream* s : dead) stopStream(s);
  std::lock_guard<std::mutex> lock(device().mutex);
  // The contents are gone, as on a GPU: a use of lost memory reads NaN, not the old data.
  for (auto& a : device().allocations) {
    std::memset(const_cast<void*>(a.first), 0xff, a.second);
    std::free(const_cast<void*>(a.first));
  }
  device().allocations.clear();
  device().used = 0;
  // After a fault, as seen on an H200 (driver 580, 2026-11-30): the reset succeeds, but the
  // process never gets a context on the device again ("busy or unavailable"; other processes can).
  if (device().sticky != cudaSuccess) device().sticky = cudaErrorDevicesUnavailable;
  ++device().epoch;
  lastError = cudaSuccess;
  return cudaSuccess;
}

cudaError_t cudaMalloc(void** ptr, size_t bytes) {
  *ptr = nullptr;
  linrec::emulation::CallScope call;
  std::lock_guard<std::mutex> lock(device().mutex);
  if (device().sticky) return record(device().sticky);
  size_t rounded = (std::max<size_t>(bytes, 1) + 255) & ~size_t(255);
  if (rounded > device().total - device().used) return record(cudaErrorMemoryAllocation);
  void* p = std::aligned_alloc(256, rounded);
  if (!p) return record(cudaErrorMemoryAllocation);
  device().allocations[p] = rounded;
  device().used += rounded;
  *ptr = p;
  return cudaSuccess;
}
cudaError_t cudaFree(void* ptr) {
  if (!ptr) return cudaSuccess;
  linrec::emulation::CallScope call;
  // As on a GPU, freeing waits for the device's queued work (which may still use the memory).
  linrec::emulation::drainDevice(currentDevice);
  std::lock_guard<std::mutex> lock(device().mutex);
  auto it = device().allocations.find(ptr);
  // Freed, lost to a reset, or another device's (stricter than CUDA, to catch a missing
  // cudaSetDevice).
  if (it == device().allocations.end()) return record(cudaErrorInvalidValue);
  device().used -= it->second;
  std::memset(ptr, 0xff, it->second);  // a use after free reads NaN
  device().allocations.erase(it);
  std::free(ptr);
  return device().sticky ? record(device().sticky) : cudaSuccess;
}
cudaError_t cudaHostAlloc(void** ptr, size_t bytes, unsigned) {
  if (cudaError_t e = poisoned()) return record(e);
  *ptr = std::malloc(bytes ? bytes : 1);
  if (!*ptr) return record(cudaErrorMemoryAllocation);
  std::lock_guard<std::mutex> lock(linrec::emulation::pinnedMutex);
  linrec::emulation::pinned[static_cast<const char*>(*ptr)] = bytes ? bytes : 1;
  return cudaSuccess;
}
cudaError_t cudaFreeHost(void* ptr) {
  if (!ptr) return cudaSuccess;
  using namespace linrec::emulation;
  drainDevice(currentDevice);  // queued copies may still use it
  size_t bytes = 0;
  {
    std::lock_guard<std::mutex> lock(pinnedMutex);
    auto it = pinned.find(static_cast<const char*>(ptr));
    if (it != pinned.end()) bytes = it->second, pinned.erase(it);
  }
  {  // Another device's copies into it, never synchronized, must not land after the free: every
     // write into the block is dropped, queued ones included (a queued one still fills its shadow
     // when its stream runs it, but is never published).
    std::lock_guard<std::mutex> lock(queueMutex());
    auto& writes = hostWrites();
    const char* begin = static_cast<const char*>(ptr);
    writes.erase(std::remove_if(writes.begin(), writes.end(),
                                [&](const std::shared_ptr<HostWrite>& w) {
                                  const char* at = static_cast<const char*>(w->dst);
                                  return at < begin + bytes && begin < at + w->shadow.size();
                                }),
                 writes.end());
    dropOldCrossWaits();
  }
  std::free(ptr);
  return cudaSuccess;
}
cudaError_t cudaMemGetInfo(size_t* freeBytes, size_t* totalBytes) {
  std::lock_guard<std::mutex> lock(device().mutex);
  if (device().sticky) return record(device().sticky);
  *freeBytes = device().total - device().used;
  *totalBytes = device().total;
  return cudaSuccess;
}
// cudaMemcpy on the legacy stream, with CUDA's documented host synchronization ("API
// synchronization behavior"): from pageable host memory to the device, a stream sync before the
// copy, and it returns once the source is staged, before the data lands (work on other streams
// that does not wait for the legacy stream may read the old contents); device to device it does
// not wait at all; to the host, and from pinned memory, it returns when the copy has finished.
// Each wait is a synchronization: the host sees the downloads ordered before it.
cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind) {
  using namespace linrec::emulation;
  CallScope call;
  if (cudaError_t e = poisoned()) return record(e);
  if (!bytes) return cudaSuccess;
  if (kind == cudaMemcpyHostToDevice && !isPinned(src, bytes)) {
    synchronize(enqueue(nullptr, nullptr));
    auto staged =
        std::make_shared<std::vector<char>>(static_cast<const char*>(src), static_cast<const char*>(src) + bytes);
    enqueue(nullptr, [dst, staged] { std::memcpy(dst, staged->data(), staged->size()); });
    return record(poisoned());
  }
  if (!isDeviceMemory(dst)) {
    copyIntoHost(nullptr, dst, src, bytes, true);
    return record(poisoned());
  }
  Dependency copied = enqueue(nullptr, [=] { std::memmove(dst, src, bytes); });
  if (kind != cudaMemcpyDeviceToDevice) synchronize(copied);
  return record(poisoned());
}
// Reads and writes at the time the stream runs it: the source must stay intact, and the
// destination is only complete after a synchronization (into pinned host memory: the host bytes
// change only then, copyIntoHost).
cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind, cudaStream_t stream) {
  using namespace linrec::emulation;
  CallScope call;
  if (cudaError_t e = checkHandle(stream, true)) return record(e);
  if (!bytes) return cudaSuccess;
  if (!isDeviceMemory(dst))
    copyIntoHost(stream, dst, src, bytes, false);
  else
    enqueue(stream, [=] { std::memmove(dst, src, bytes); });
  return cudaSuccess;
}
cudaError_t cudaMemsetAsync(void* dst, int value, size_t bytes, cudaStream_t stream) {
  using namespace linrec::emulation;
  CallScope call;
  if (cudaError_t e = checkHandle(stream, true)) return record(e);
  if (bytes) enqueue(stream, [=] { std::memset(dst, value, bytes); });
  return cudaSuccess;
}
cudaError_t cudaStreamCreate(cudaStream_t* stream) { return cudaStreamCreateWithFlags(stream, 0); }
cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned flags) {
  using namespace linrec::emulation;
  uint64_t ordinal = 0;
  {
    std::lock_guard<std::mutex> lock(queueMutex());
    ordinal = ++device().streamsCreated;
  }
  Stream* s = startStream(currentDevice, (flags & cudaStreamNonBlocking) == 0, false, ordinal);
  {
    std::lock_guard<std::mutex> lock(queueMutex());
    device().streams.push_back(s);
  }
  *stream = reinterpret_cast<cudaStream_t>(static_cast<Handle*>(s));
  return cudaSuccess;
}
// As in CUDA, work already queued still runs; the handle is gone at once.
cudaError_t cudaStreamDestroy(cudaStream_t stream) {
  using namespace linrec::emulation;
  cudaError_t e = checkHandle(stream, false);
  if (!stream) return record(e);
  Stream* s = streamOf(stream);
  {
    std::lock_guard<std::mutex> lock(queueMutex());
    auto& all = device(s->device).streams;
    all.erase(std::remove(all.begin(), all.end(), s), all.end());
  }
  stopStream(s);
  delete s;
  return record(e == cudaErrorInvalidValue ? e : cudaSuccess);
}
cudaError_t cudaStreamSynchronize(cudaStream_t stream) {
  using namespace linrec::emulation;
  CallScope call(deviceOf(stream));
  if (cudaError_t e = checkHandle(stream, true)) return record(e);
  synchronize(enqueue(stream, nullptr));  // a marker: on the legacy stream it also waits for blocking streams
  return record(stickyOf(deviceOf(stream)));
}
cudaError_t cudaStreamWaitEvent(cudaStream_t stream, cudaEvent_t event, unsigned) {
  using namespace linrec::emulation;
  CallScope call(deviceOf(stream));
  if (cudaError_t e = checkHandle(stream, true)) return record(e);
  if (cudaError_t e = checkHandle(event, false)) return record(e);
  Dependency recorded{};
  {
    std::lock_guard<std::mutex> lock(queueMutex());
    recorded = eventOf(event)->recorded;
  }
  if (recorded.progress) enqueue(stream, nullptr, {recorded});
  return cudaSuccess;
}
cudaError_t cudaEventCreate(cudaEvent_t* event) {
  *event = linrec::emulation::newEvent();
  return cudaSuccess;
}
cudaError_t cudaEventCreateWithFlags(cudaEvent_t* event, unsigned) { return cudaEventCreate(event); }
cudaError_t cudaEventDestroy(cudaEvent_t event) {
  using namespace linrec::emulation;
  cudaError_t e = checkHandle(event, false);
  if (!event) return record(e);
  delete eventOf(event);
  return record(e == cudaErrorInvalidValue ? e : cudaSuccess);
}
cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream) {
  using namespace linrec::emulation;
  CallScope call(deviceOf(stream));
  if (cudaError_t e = checkHandle(stream, true)) return record(e);
  if (event && deviceOf(event) != deviceOf(stream)) return record(cudaErrorInvalidResourceHandle);
  if (cudaError_t e = checkHandle(event, false)) return record(e);
  Dependency marker = enqueue(stream, nullptr);
  std::lock_guard<std::mutex> lock(queueMutex());
  eventOf(event)->recorded = marker;
  return cudaSuccess;
}
cudaError_t cudaEventSynchronize(cudaEvent_t event) {
  using namespace linrec::emulation;
  CallScope call(deviceOf(event));
  if (cudaError_t e = checkHandle(event, false)) return record(e);
  Dependency recorded{};
  {
    std::lock_guard<std::mutex> lock(queueMutex());
    recorded = eventOf(event)->recorded;
  }
  synchronize(recorded);
  return record(stickyOf(deviceOf(event)));
}
