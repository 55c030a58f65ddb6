// What faulting in a result's pages costs on this machine (issue 10 item 4, session 17): CPU time
// of MADV_POPULATE_WRITE and of the first write after it, for 4 KiB and 2 MiB pages; a loop of
// 40 MB results (malloc, the whole 2 MiB pages advised, two alive) timed per huge page and for
// the array's two small-page ends; and whether the kernel aligns anonymous mappings to 2 MiB.
//   g++ -O2 -o /tmp/page-costs bench/probes/page-costs.cc && /tmp/page-costs
#include <sys/mman.h>
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

namespace {
constexpr size_t kPage = 4096, kHuge = size_t(2) << 20;

double cpuMs() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

// A write to every page of [from, to), at `from` and at page starts after it.
void touch(uintptr_t from, uintptr_t to) {
  for (uintptr_t p = from; p < to; p = (p & ~(kPage - 1)) + kPage) *reinterpret_cast<volatile char*>(p) = 1;
}

void pageCosts() {
  for (int r = 0; r < 4; ++r) {
    const size_t len = size_t(36) << 20, small = size_t(8) << 20;
    char* p =
        static_cast<char*>(mmap(nullptr, len + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    char* q = reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1));
    madvise(q, len, MADV_HUGEPAGE);
    double t = cpuMs();
    madvise(q, len, MADV_POPULATE_WRITE);
    const double hugePopulate = cpuMs() - t;
    t = cpuMs();
    touch(uintptr_t(q), uintptr_t(q) + len);
    const double hugeWrite = cpuMs() - t;
    char* s = static_cast<char*>(mmap(nullptr, small, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    madvise(s, small, MADV_NOHUGEPAGE);
    t = cpuMs();
    madvise(s, small, MADV_POPULATE_WRITE);
    const double smallPopulate = cpuMs() - t;
    t = cpuMs();
    touch(uintptr_t(s), uintptr_t(s) + small);
    const double smallWrite = cpuMs() - t;
    const double hugePages = double(len / kHuge), smallPages = double(small / kPage);
    std::printf(
        "2 MiB: populate %.3f ms, first write %.3f ms a page | 4 KiB: populate %.2f us, first write %.2f us a page\n",
        hugePopulate / hugePages, hugeWrite / hugePages, smallPopulate * 1e3 / smallPages,
        smallWrite * 1e3 / smallPages);
    munmap(p, len + kHuge);
    munmap(s, small);
  }
}

void resultLoop() {
  const size_t bytes = 40000004;
  char* alive[2] = {nullptr, nullptr};
  for (int r = 0; r < 12; ++r) {
    char* p = static_cast<char*>(std::malloc(bytes));
    const uintptr_t begin = uintptr_t(p), end = begin + bytes;
    const uintptr_t lo = (begin + kHuge - 1) & ~(kHuge - 1), hi = end & ~(kHuge - 1);
    madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE);
    double sum = 0, most = 0;
    for (uintptr_t q = lo; q < hi; q += kHuge) {
      const double t = cpuMs();
      madvise(reinterpret_cast<void*>(q), kHuge, MADV_POPULATE_WRITE);
      touch(q, q + kHuge);
      sum += cpuMs() - t;
      most = std::max(most, cpuMs() - t);
    }
    const double t = cpuMs();
    const uintptr_t first = begin & ~(kPage - 1);
    madvise(reinterpret_cast<void*>(first), lo - first, MADV_POPULATE_WRITE);
    touch(begin, lo);  // not the allocator's header before begin
    madvise(reinterpret_cast<void*>(hi), end - hi, MADV_POPULATE_WRITE);
    touch(hi, end);
    const double ends = cpuMs() - t;
    const size_t endPages = (lo - first + end - hi + kPage - 1) / kPage;
    std::printf("result %2d: %zu huge pages, mean %.2f ms, most %.2f ms | ends: %zu small pages, %.2f ms\n", r,
                (hi - lo) / kHuge, sum / double((hi - lo) / kHuge), most, endPages, ends);
    std::free(alive[r % 2]);
    alive[r % 2] = p;
  }
  std::free(alive[0]);
  std::free(alive[1]);
}

void alignment() {
  for (size_t len : {size_t(40) << 20, (size_t(40) << 20) + kPage, size_t(40000000), size_t(4) << 20}) {
    void* p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    std::printf("mmap of %zu bytes: %s 2 MiB aligned\n", len, uintptr_t(p) % kHuge ? "not" : "");
  }
}
}  // namespace

int main() {
  pageCosts();
  resultLoop();
  alignment();
}
