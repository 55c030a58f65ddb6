// The emulation's own rules, checked through the runtime API the engine uses, in cases the engine
// never makes: downloads into host memory (emulated_device.cc: HostWrite, CrossWait,
// publishLocked, copyIntoHost) from other devices, blocking streams and the legacy stream; replay;
// the spin timeout. Built with the host compiler against native/cuda/emulation/emulated_device.cc
// and run by test/23 ("CUDA emulation strictness"); prints one line per failed check and "ok: N
// failed checks", and exits 1 if N > 0.
//   emulation_rules_test SCENARIO   (LINREC_EMULATED_DEVICES=2; see main for the scenarios)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "check.h"
#include "cuda_runtime.h"

using linrec::emulation::takeShadowStats;

#define CUDA(call) CHECK((call) == cudaSuccess, "%s", #call)

namespace {

void sleepMs(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// Whether every byte of p[0, n) is v.
bool all(const void* p, size_t n, int v) {
  const unsigned char* c = static_cast<const unsigned char*>(p);
  for (size_t i = 0; i < n; ++i)
    if (c[i] != (unsigned char)v) return false;
  return true;
}
int first(const void* p) { return *static_cast<const unsigned char*>(p); }

// n bytes of device memory on the current device, every byte v.
void* deviceBytes(size_t n, int v) {
  void* d = nullptr;
  CUDA(cudaMalloc(&d, n));
  CUDA(cudaMemsetAsync(d, v, n, nullptr));
  CUDA(cudaDeviceSynchronize());
  return d;
}
void* pinnedBytes(size_t n, int v) {
  void* p = nullptr;
  CUDA(cudaHostAlloc(&p, n, cudaHostAllocDefault));
  std::memset(p, v, n);
  return p;
}

// A one-thread kernel that holds its stream until the gate opens.
struct Gate {
  std::atomic<bool> open{false};
};
void hold(cudaStream_t stream, Gate* gate) {
  CUDA(linrec::emulation::launchGrid(dim3(1), dim3(1), stream, [gate] {
    while (!gate->open.load()) sleepMs(1);
  }));
}

// Waits until the stream has run everything queued on it so far, without synchronizing with it
// (which would publish its downloads): a memset of device memory queued after that work, read
// by the host (the emulation's device memory is host memory), and a margin for the stream to
// count the memset as done.
void waitUnsynchronized(cudaStream_t stream) {
  void* flag = nullptr;
  CUDA(cudaMalloc(&flag, 1));
  std::memset(flag, 0, 1);
  CUDA(cudaMemsetAsync(flag, 1, 1, stream));
  for (int ms = 0; __atomic_load_n(static_cast<unsigned char*>(flag), __ATOMIC_ACQUIRE) != 1; ms += 1) {
    if (ms > 30000) {
      CHECK(false, "the stream did not run its work within 30 s");
      return;
    }
    sleepMs(1);
  }
  sleepMs(100);
  // The flag is left allocated: cudaFree would synchronize.
}

// 1. cudaFreeHost drops every download into the freed block, queued ones included: a copy queued
// on another device (cudaFreeHost waits only for the current device) must not land in the block
// after the free, where a new allocation may be.
void freeHostDropsQueuedDownloads() {
  const size_t n = 256;  // small: glibc hands the freed block to the next allocation of its size
  CUDA(cudaSetDevice(1));
  void* source = deviceBytes(n, 0x5a);
  CUDA(cudaSetDevice(0));
  void* block = pinnedBytes(n, 0);
  CUDA(cudaSetDevice(1));
  Gate gate;
  hold(nullptr, &gate);
  CUDA(cudaMemcpyAsync(block, source, n, cudaMemcpyDeviceToHost, nullptr));
  CUDA(cudaSetDevice(0));
  CUDA(cudaFreeHost(block));  // device 0 has no work queued: returns while device 1's copy waits
  const auto stats = takeShadowStats();
  CHECK(stats.pendingWrites == 0, "%zu downloads into the freed block still pending", stats.pendingWrites);
  void* next = pinnedBytes(n, 0x11);
  gate.open = true;
  CUDA(cudaSetDevice(1));
  CUDA(cudaDeviceSynchronize());
  if (next == block)
    CHECK(all(next, n, 0x11), "device 1's download landed in the freed block, now another allocation (byte 0 is 0x%x)",
          first(next));
  else
    std::printf("note: the freed block was not handed out again; where a late download would land is not checked\n");
  CUDA(cudaSetDevice(0));
  CUDA(cudaFreeHost(next));
  CUDA(cudaSetDevice(1));
  CUDA(cudaFree(source));
  CUDA(cudaSetDevice(0));
}

// 2. A synchronization through the legacy stream covers every earlier download of the device's
// blocking streams, one that had finished (but was not yet shown to the host) when the legacy
// stream's work was queued too; and a blocking stream's synchronization covers the legacy
// stream's earlier downloads the same way.
void legacySyncCoversFinishedDownloads() {
  const size_t n = 256;
  void* source = deviceBytes(n, 0x5a);
  cudaStream_t blocking;
  CUDA(cudaStreamCreate(&blocking));
  void* host = pinnedBytes(n, 0);
  CUDA(cudaMemcpyAsync(host, source, n, cudaMemcpyDeviceToHost, blocking));
  waitUnsynchronized(blocking);
  CUDA(cudaStreamSynchronize(nullptr));
  CHECK(all(host, n, 0x5a),
        "the legacy stream's synchronization did not show the blocking stream's download (byte 0 is 0x%x)",
        first(host));
  void* legacyHost = pinnedBytes(n, 0);
  CUDA(cudaMemcpyAsync(legacyHost, source, n, cudaMemcpyDeviceToHost, nullptr));
  waitUnsynchronized(nullptr);
  CUDA(cudaMemsetAsync(source, 0x5a, n, blocking));  // waits for the legacy stream's download
  CUDA(cudaStreamSynchronize(blocking));
  CHECK(all(legacyHost, n, 0x5a),
        "the blocking stream's synchronization did not show the legacy stream's download before it (byte 0 is 0x%x)",
        first(legacyHost));
  CUDA(cudaStreamDestroy(blocking));
  CUDA(cudaFreeHost(host));
  CUDA(cudaFreeHost(legacyHost));
  CUDA(cudaFree(source));
}

// 3. Two pipelines taking turns, so that a download is always pending: the cross-stream orderings
// kept for publishing stay few (those older than the oldest pending download order none).
void crossWaitsStayFew() {
  const size_t n = 4096;
  const int rounds = 2000;
  void* source = deviceBytes(n, 0x5a);
  cudaStream_t streams[2];
  cudaEvent_t events[2];
  void* host[2];
  for (int i = 0; i < 2; ++i) {
    CUDA(cudaStreamCreateWithFlags(&streams[i], cudaStreamNonBlocking));
    CUDA(cudaEventCreateWithFlags(&events[i], cudaEventDisableTiming));
    host[i] = pinnedBytes(n, 0);
  }
  size_t most = 0, pending = 0;
  for (int k = 0; k < rounds; ++k) {
    const int i = k & 1;
    std::memset(host[i], 0, n);  // its previous download was shown at the last round's synchronization
    CUDA(cudaMemcpyAsync(host[i], source, n, cudaMemcpyDeviceToHost, streams[i]));
    CUDA(cudaEventRecord(events[i], streams[i]));
    CUDA(cudaStreamWaitEvent(streams[1 - i], events[i]));
    if (k > 0) {
      CUDA(cudaEventSynchronize(events[1 - i]));
      CHECK(all(host[1 - i], n, 0x5a) || failures > 5, "round %d: the download before the event not shown", k);
    }
    const auto stats = takeShadowStats();
    most = std::max(most, stats.crossWaits);
    pending = std::max(pending, stats.pendingWrites);
  }
  std::printf("%d rounds: at most %zu orderings and %zu downloads pending at once\n", rounds, most, pending);
  CHECK(most <= 8, "%zu cross-stream orderings kept at once over %d rounds (%zu downloads pending at most)", most,
        rounds, pending);
  CUDA(cudaDeviceSynchronize());
  const auto stats = takeShadowStats();
  CHECK(stats.crossWaits == 0 && stats.pendingWrites == 0, "after cudaDeviceSynchronize: %zu orderings, %zu downloads",
        stats.crossWaits, stats.pendingWrites);
  for (int i = 0; i < 2; ++i) {
    CUDA(cudaStreamDestroy(streams[i]));
    CUDA(cudaEventDestroy(events[i]));
    CUDA(cudaFreeHost(host[i]));
  }
  CUDA(cudaFree(source));
}

// 4. A synchronous upload synchronizes with the legacy stream (CUDA's "API synchronization
// behavior"): from pinned memory it returns when the copy is done, from pageable memory after a
// stream sync before the copy; either way the host sees the legacy stream's downloads before it.
void synchronousUploadsSynchronize() {
  const size_t n = 256;
  void* source = deviceBytes(n, 0x5a);
  void* target = deviceBytes(n, 0);
  void* pinnedSource = pinnedBytes(n, 0x33);
  std::vector<char> pageableSource(n, 0x44);
  void* host = pinnedBytes(n, 0);
  CUDA(cudaMemcpyAsync(host, source, n, cudaMemcpyDeviceToHost, nullptr));
  CUDA(cudaMemcpy(target, pinnedSource, n, cudaMemcpyHostToDevice));
  CHECK(all(host, n, 0x5a), "an upload from pinned memory did not show the download before it (byte 0 is 0x%x)",
        first(host));
  std::memset(host, 0, n);
  CUDA(cudaMemcpyAsync(host, source, n, cudaMemcpyDeviceToHost, nullptr));
  CUDA(cudaMemcpy(target, pageableSource.data(), n, cudaMemcpyHostToDevice));
  CHECK(all(host, n, 0x5a), "an upload from pageable memory did not show the download before it (byte 0 is 0x%x)",
        first(host));
  CUDA(cudaDeviceSynchronize());
  CHECK(all(target, n, 0x44), "the uploads did not land in order (byte 0 is 0x%x)", first(target));
  CUDA(cudaFreeHost(host));
  CUDA(cudaFreeHost(pinnedSource));
  CUDA(cudaFree(target));
  CUDA(cudaFree(source));
}

// 5. Replay: the order a stream's grids start their blocks in follows the seed, the stream's
// creation and its own launches, not what other streams launched before. Two streams created in
// the same order and the legacy stream launch three grids each, the streams in the order given
// (e.g. "12L", "L21"); one block in flight, so the blocks run in their start order. Prints each
// grid's order, for test/23 to compare between runs.
void replayOrder(const std::string& order) {
  setenv("LINREC_EMULATED_BLOCKS_IN_FLIGHT", "1", 1);  // read at each launch
  cudaStream_t streams[3] = {nullptr, nullptr, nullptr};  // streams[2]: the legacy stream
  for (int i = 0; i < 2; ++i) CUDA(cudaStreamCreateWithFlags(&streams[i], cudaStreamNonBlocking));
  const unsigned blocks = 12;
  std::vector<unsigned> started[3][3];  // [stream][launch]: block indices as they started
  for (char c : order) {
    const int i = c == '1' ? 0 : c == '2' ? 1 : 2;
    for (int k = 0; k < 3; ++k) {
      std::vector<unsigned>* into = &started[i][k];  // written by the stream's worker only
      CUDA(linrec::emulation::launchGrid(dim3(blocks), dim3(1), streams[i], [into] { into->push_back(blockIdx.x); }));
    }
  }
  CUDA(cudaDeviceSynchronize());
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 3; ++k) {
      std::string line = std::string("stream ") + "12L"[i] + " launch " + std::to_string(k) + ":";
      for (unsigned b : started[i][k]) line += " " + std::to_string(b);
      CHECK(started[i][k].size() == (order.find("12L"[i]) == std::string::npos ? 0 : blocks), "%s", line.c_str());
      std::printf("%s\n", line.c_str());
    }
  for (int i = 0; i < 2; ++i) CUDA(cudaStreamDestroy(streams[i]));
}

// 6. A synchronous download (into pageable memory, or cudaMemcpy) is complete on return: the stream
// writes the destination itself, with no shadow as large as the copy. Only an asynchronous one
// into pinned memory is shadowed, and a synchronous one still lands after a pending download
// into the same bytes that was queued before it.
void synchronousDownloadsNeedNoShadow() {
  const size_t n = size_t(8) << 20;
  void* source = deviceBytes(n, 0x5a);
  cudaStream_t stream;
  CUDA(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  std::vector<char> pageable(n, 0);
  takeShadowStats();
  CUDA(cudaMemcpy(pageable.data(), source, n, cudaMemcpyDeviceToHost));
  CHECK(all(pageable.data(), n, 0x5a), "cudaMemcpy into pageable memory: byte 0 is 0x%x", first(pageable.data()));
  std::fill(pageable.begin(), pageable.end(), 0);
  CUDA(cudaMemcpyAsync(pageable.data(), source, n, cudaMemcpyDeviceToHost, stream));
  CHECK(all(pageable.data(), n, 0x5a), "cudaMemcpyAsync into pageable memory: byte 0 is 0x%x", first(pageable.data()));
  void* pinned = pinnedBytes(n, 0);
  CUDA(cudaMemcpy(pinned, source, n, cudaMemcpyDeviceToHost));
  CHECK(all(pinned, n, 0x5a), "cudaMemcpy into pinned memory: byte 0 is 0x%x", first(pinned));
  auto stats = takeShadowStats();
  CHECK(stats.peakShadowBytes == 0, "synchronous downloads of %zu bytes took shadows of %zu bytes", n,
        stats.peakShadowBytes);
  std::memset(pinned, 0, n);
  CUDA(cudaMemcpyAsync(pinned, source, 4096, cudaMemcpyDeviceToHost, stream));
  CUDA(cudaStreamSynchronize(stream));
  stats = takeShadowStats();
  CHECK(stats.peakShadowBytes == 4096 && stats.shadowBytes == 0,
        "an asynchronous download of 4096 bytes into pinned memory: shadows of %zu bytes at most, %zu left",
        stats.peakShadowBytes, stats.shadowBytes);
  // The legacy stream: an asynchronous download, then a synchronous one of other bytes into the
  // same place. The host sees the second.
  void* other = deviceBytes(n, 0x77);
  CUDA(cudaMemcpyAsync(pinned, source, n, cudaMemcpyDeviceToHost, nullptr));
  CUDA(cudaMemcpy(pinned, other, n, cudaMemcpyDeviceToHost));
  CHECK(all(pinned, n, 0x77), "a synchronous download after a pending one into the same bytes: byte 0 is 0x%x",
        first(pinned));
  CUDA(cudaStreamDestroy(stream));
  CUDA(cudaFreeHost(pinned));
  CUDA(cudaFree(other));
  CUDA(cudaFree(source));
}

// The spin timeout (LINREC_EMULATED_TIMEOUT_S, set to 1 by the test) counts from the last block of
// the grid that finished: a chain of blocks, each waiting on the one before and then working
// 400 ms, runs 2.4 s in all and passes; one block spinning on a flag never set fails the process.
void spinTimeout(bool hang) {
  cudaStream_t stream;
  CUDA(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  auto ticket = std::make_shared<std::atomic<unsigned>>(0);
  auto done = std::make_shared<std::vector<std::atomic<bool>>>(6);
  CUDA(linrec::emulation::launchGrid(dim3(6), dim3(1), stream, [ticket, done, hang] {
    const unsigned t = ticket->fetch_add(1);
    while (hang ? true : t > 0 && !(*done)[t - 1].load()) linrec::emulation::pause();
    sleepMs(400);
    (*done)[t].store(true);
  }));
  CUDA(cudaStreamSynchronize(stream));
  CHECK(hang || (*done)[5].load(), "the chain did not finish");
  CUDA(cudaStreamDestroy(stream));
}

}  // namespace

int main(int argc, char** argv) {
  setenv("LINREC_EMULATED_DEVICES", "2", 1);  // read at the first call
  const std::string scenario = argc > 1 ? argv[1] : "";
  if (scenario == "free-host")
    freeHostDropsQueuedDownloads();
  else if (scenario == "legacy-sync")
    legacySyncCoversFinishedDownloads();
  else if (scenario == "cross-waits")
    crossWaitsStayFew();
  else if (scenario == "sync-upload")
    synchronousUploadsSynchronize();
  else if (scenario == "replay" && argc > 2)
    replayOrder(argv[2]);
  else if (scenario == "sync-download")
    synchronousDownloadsNeedNoShadow();
  else if (scenario == "spin-chain" || scenario == "spin-hang")
    spinTimeout(scenario == "spin-hang");
  else {
    std::printf(
        "usage: emulation_rules_test free-host|legacy-sync|cross-waits|sync-upload|replay "
        "ORDER|sync-download|spin-chain|spin-hang\n");
    return 2;
  }
  std::printf("ok: %d failed checks\n", failures);
  return failures ? 1 : 0;
}
