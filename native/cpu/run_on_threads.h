// Running one job on a few threads, the caller's included: the CPU engine's tiles and the
// pre-faulting of fresh results (result_memory.cc) share it.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <thread>

#include "../libstdcxx_versions.h"

namespace linrec {
namespace cpu {

// Threads kept between jobs: starting and joining a std::thread took ~100 µs on the 2-core VM
// (bench/NOTES.md, session 11), a condition variable's hand-over ~12 µs. A job's helpers are
// requests in a queue; the caller withdraws the ones no worker has taken by the time its own share
// is done, so a loaded machine, where a worker may not get a core for a while, costs the caller
// nothing but the hand-over. Never destroyed: workers wait on it until the process ends.
class WorkerPool {
 public:
  static WorkerPool& instance() {
    static WorkerPool* pool = new WorkerPool;
    return *pool;
  }

  // f on up to `helpers` pooled threads and on the caller's; returns when every started copy has.
  template <class F> void run(size_t helpers, const F& f) {
    Job job{[](const void* g) { (*static_cast<const F*>(g))(); }, &f};
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (size_t i = 0; i < helpers; ++i) queue_.push_back(&job);
      // workers for the requests beyond the idle ones (if the system refuses a thread, the caller
      // simply does that share itself)
      const size_t most = std::max<size_t>(8, 4 * std::thread::hardware_concurrency());
      for (size_t missing = helpers > idle_ ? helpers - idle_ : 0; missing > 0 && workers_ < most; --missing) {
        try {
          std::thread(&WorkerPool::serve, this).detach();
          ++idle_;  // counted at once, so that the next job does not start another for the same request
          ++workers_;
        } catch (...) {
          break;
        }
      }
    }
    wake_.notify_all();
    f();
    std::unique_lock<std::mutex> lock(mutex_);
    for (auto it = queue_.begin(); it != queue_.end();) it = *it == &job ? queue_.erase(it) : it + 1;
    done_.wait(lock, [&] { return job.running == 0; });
  }

 private:
  struct Job {
    void (*call)(const void*);
    const void* f;
    size_t running = 0;  // copies taken by workers and not yet finished (under mutex_)
  };
  void serve() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return !queue_.empty(); });
      Job* job = queue_.front();
      queue_.pop_front();
      --idle_;
      ++job->running;
      lock.unlock();
      job->call(job->f);
      lock.lock();
      ++idle_;
      if (--job->running == 0) done_.notify_all();
    }
  }
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::deque<Job*> queue_;
  size_t idle_ = 0;  // workers waiting for a request, or started for one and not yet serving
  size_t workers_ = 0;  // at most 4 a hardware thread (at least 8): more requests wait or are withdrawn
};

// Runs f on `count` threads, the caller's included (pooled, WorkerPool). Work is shared through a
// counter, so a copy of f that starts late, or never, leaves its share to the others.
template <class F> void runOnThreads(size_t count, const F& f) {
  if (count <= 1) {
    f();
    return;
  }
  WorkerPool::instance().run(count - 1, f);
}

}  // namespace cpu
}  // namespace linrec
