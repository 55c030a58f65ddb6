// Running one job on a few threads, the caller's included: the CPU engine's tiles and the
// pre-faulting of fresh results (result_memory.cc) share it.
#pragma once

#include <cstddef>
#include <thread>
#include <vector>

namespace linrec {
namespace cpu {

// Runs f on `count` threads, the caller's included. Work is shared through a counter, so if the
// system refuses a thread the others simply take its share.
template <class F> void runOnThreads(size_t count, const F& f) {
  std::vector<std::thread> pool;
  for (size_t i = 1; i < count; ++i) {
    try {
      pool.emplace_back(f);
    } catch (...) {
      break;
    }
  }
  f();
  for (auto& t : pool) t.join();
}

}  // namespace cpu
}  // namespace linrec
