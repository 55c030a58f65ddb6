// The host side of staging: a fork-join pool and the pageable <-> pinned row copies run on it.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "../libstdcxx_versions.h"

namespace linrec {
namespace cuda {
namespace staging {

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

// height rows of `width` bytes, from src (row pitch spitch) to dst (row pitch dpitch); large
// copies are shared out over the pool.
void copy2D(CopyPool& pool, void* dst, size_t dpitch, const void* src, size_t spitch, size_t width, size_t height);

// Helper threads for a staged call's pool (the caller is one more).
unsigned copyWorkers();

}  // namespace staging
}  // namespace cuda
}  // namespace linrec
