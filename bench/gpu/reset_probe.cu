// Can a process go on using its GPU after a kernel traps? The engine's recovery (device_scan.cu,
// recoverIfPoisoned) resets the device in-process; on the first real GPU (H200, driver 580,
// 2026-11-30) the stream creation after that reset failed with "CUDA-capable device(s) is/are
// busy or unavailable". This probe separates what the driver allows from what the engine does:
//   reset_probe trap          a kernel traps; cudaDeviceReset; then stream creation, allocation
//                             and a kernel retried for up to 3 s; prints what worked, and when
//   reset_probe trap-child    the same trap, then a child process (this program, `use`) runs a
//                             kernel on the same GPU while the parent still holds its context
//   reset_probe use           one kernel and a copy back; exit 0 when the result is right
//   reset_probe bounded       a kernel whose blocks give up a wait (flag + return, no trap):
//                             the stream and the context stay usable (the proposed bounded wait)
#include <cuda_runtime.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

__global__ void trapKernel() { __trap(); }
__global__ void addOne(int* p) { p[threadIdx.x] += 1; }
// A wait that gives up: the block waits for a flag nobody sets, for at most `ns`, then records
// that it timed out and returns normally.
__global__ void boundedWait(const volatile int* never, int* timedOut, unsigned long long ns) {
  unsigned long long start, now;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(start));
  while (*never == 0) {
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(now));
    if (now - start > ns) {
      atomicExch(timedOut, 1);
      return;
    }
  }
}

static double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}
static const char* err(cudaError_t e) { return e == cudaSuccess ? "ok" : cudaGetErrorString(e); }

static int use() {
  int* d = nullptr;
  int h[32] = {};
  cudaError_t e = cudaMalloc(&d, sizeof h);
  if (e == cudaSuccess) e = cudaMemset(d, 0, sizeof h);
  if (e == cudaSuccess) {
    addOne<<<1, 32>>>(d);
    e = cudaMemcpy(h, d, sizeof h, cudaMemcpyDeviceToHost);
  }
  bool right = e == cudaSuccess && h[0] == 1 && h[31] == 1;
  std::printf("use: %s, result %s\n", err(e), right ? "right" : "WRONG");
  cudaFree(d);
  return right ? 0 : 1;
}

// Runs `self use` in a child process (a context of its own on the same GPU); its exit status.
static int useInChild(const char* self) {
  std::fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    execl(self, self, "use", (char*)nullptr);
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WEXITSTATUS(status);
}

static int trap(bool child, const char* self) {
  cudaStream_t s;
  std::printf("before: stream %s\n", err(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking)));
  trapKernel<<<1, 1, 0, s>>>();
  std::printf("after the trap: sync %s\n", err(cudaStreamSynchronize(s)));
  std::printf("device sync %s; last error %s\n", err(cudaDeviceSynchronize()), err(cudaGetLastError()));
  if (child) {
    std::printf("child process on the same GPU (parent not reset): exit %d\n", useInChild(self));
  }
  auto t0 = std::chrono::steady_clock::now();
  std::printf("cudaDeviceReset: %s (%.1f ms)\n", err(cudaDeviceReset()), since(t0));
  for (int attempt = 0;; ++attempt) {
    cudaStream_t s2;
    cudaError_t e = cudaStreamCreateWithFlags(&s2, cudaStreamNonBlocking);
    if (e == cudaSuccess) {
      std::printf("stream after the reset: ok at attempt %d, %.1f ms\n", attempt, since(t0));
      return use();
    }
    if (attempt == 0 || since(t0) > 3000)
      std::printf("stream after the reset: %s (attempt %d, %.1f ms)\n", err(e), attempt, since(t0));
    if (since(t0) > 3000) break;
    cudaGetLastError();
    if (attempt % 10 == 9) std::printf("reset again: %s\n", err(cudaDeviceReset()));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (child) {
    std::printf("child process after the failed recovery: exit %d\n", useInChild(self));
  }
  return 1;
}

static int bounded() {
  int *never, *timedOut;
  cudaMalloc(&never, sizeof(int));
  cudaMalloc(&timedOut, sizeof(int));
  cudaMemset(never, 0, sizeof(int));
  cudaMemset(timedOut, 0, sizeof(int));
  cudaStream_t s;
  cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking);
  auto t0 = std::chrono::steady_clock::now();
  boundedWait<<<264, 256, 0, s>>>(never, timedOut, 50000000ull);  // 50 ms
  cudaError_t e = cudaStreamSynchronize(s);
  int flag = 0;
  cudaMemcpy(&flag, timedOut, sizeof flag, cudaMemcpyDeviceToHost);
  std::printf("bounded wait: %s, timed out flag %d, %.1f ms\n", err(e), flag, since(t0));
  cudaFree(never);
  cudaFree(timedOut);
  return e == cudaSuccess && flag == 1 && use() == 0 ? 0 : 1;
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  if (!std::strcmp(mode, "use")) return use();
  if (!std::strcmp(mode, "trap")) return trap(false, argv[0]);
  if (!std::strcmp(mode, "trap-child")) return trap(true, argv[0]);
  if (!std::strcmp(mode, "bounded")) return bounded();
  std::fprintf(stderr, "usage: reset_probe use|trap|trap-child|bounded\n");
  return 2;
}
