// prepareFreshMemory's decisions (native/cpu/result_memory.h, namespace fresh) on made-up
// addresses and timings: what JS cannot see, as a fresh result's addresses and fault times are
// the kernel's. Built and run by test/19 (g++); prints one line per failed check and exits 1.
//   fresh_memory_test SEED
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "check.h"
#include "cpu/result_memory.h"

using linrec::cpu::fresh::hugePagesSlow;
using linrec::cpu::fresh::kEndPieceBytes;
using linrec::cpu::fresh::kHugePage;
using linrec::cpu::fresh::kMinPagesMeasured;
using linrec::cpu::fresh::Piece;
using linrec::cpu::fresh::pieces;
using linrec::cpu::fresh::wholeHugePages;

// What pieces(begin, end, page) must be: the ends (small pages) first, each within the end's
// 256 KiB cuts from the first page and never splitting a page; then every whole 2 MiB page of
// the array once, aligned, in address order; all together exactly [begin, end).
static void checkPieces(uintptr_t begin, uintptr_t end, size_t page) {
  const std::vector<Piece> order = pieces(begin, end, page);
  const uintptr_t lo = (begin + kHugePage - 1) / kHugePage * kHugePage;
  const uintptr_t hi = end / kHugePage * kHugePage > lo ? end / kHugePage * kHugePage : lo;
  const uintptr_t first = begin / page * page;
  // The range that prepareFreshMemory advises is the one that pieces() cuts into whole pages.
  CHECK(wholeHugePages(begin, end).lo == lo && wholeHugePages(begin, end).hi == hi,
        "[%#zx, %#zx): whole pages [%#zx, %#zx)", size_t(begin), size_t(end), size_t(wholeHugePages(begin, end).lo),
        size_t(wholeHugePages(begin, end).hi));
  // End pieces of 256 KiB, or of kMinPagesMeasured pages where pages are larger.
  const uintptr_t endPiece = std::max<uintptr_t>(kEndPieceBytes, kMinPagesMeasured * page);
  size_t covered = 0, wholeSeen = 0;
  bool wholeStarted = false;
  uintptr_t nextWhole = lo;
  for (size_t k = 0; k < order.size(); k++) {
    const Piece& p = order[k];
    CHECK(p.from < p.to && p.from >= begin && p.to <= end, "[%#zx, %#zx) piece %zu [%#zx, %#zx)", size_t(begin),
          size_t(end), k, size_t(p.from), size_t(p.to));
    covered += p.to - p.from;
    // No page in two pieces: every cut inside the array is at a page boundary.
    CHECK((p.from == begin || p.from % page == 0) && (p.to == end || p.to % page == 0),
          "piece %zu [%#zx, %#zx) splits a page", k, size_t(p.from), size_t(p.to));
    if (p.whole) {
      wholeStarted = true;
      CHECK(p.from % kHugePage == 0 && p.to - p.from == kHugePage, "whole piece %zu [%#zx, %#zx) is not one 2 MiB page",
            k, size_t(p.from), size_t(p.to));
      CHECK(p.from == nextWhole, "whole piece %zu at %#zx, expected %#zx", k, size_t(p.from), size_t(nextWhole));
      nextWhole = p.to;
      wholeSeen++;
    } else {
      CHECK(!wholeStarted, "end piece %zu after the whole pages", k);
      CHECK(p.to <= lo || p.from >= hi, "end piece %zu [%#zx, %#zx) overlaps the whole pages [%#zx, %#zx)", k,
            size_t(p.from), size_t(p.to), size_t(lo), size_t(hi));
      const uintptr_t cell = (p.from - first) / endPiece;
      CHECK((p.to - 1 - first) / endPiece == cell, "end piece %zu [%#zx, %#zx) spans two cuts of %zu bytes", k,
            size_t(p.from), size_t(p.to), size_t(endPiece));
    }
  }
  // Pieces do not overlap (each is inside [begin, end) and they add up to its length, checked
  // with the order: ends cover the rest exactly when their lengths add up and none overlaps).
  for (size_t i = 0; i < order.size(); i++)
    for (size_t j = i + 1; j < order.size() && j < i + 64; j++)
      CHECK(order[i].to <= order[j].from || order[j].to <= order[i].from, "pieces %zu and %zu overlap", i, j);
  CHECK(covered == end - begin, "[%#zx, %#zx): pieces cover %zu of %zu bytes", size_t(begin), size_t(end), covered,
        size_t(end - begin));
  CHECK(wholeSeen == (hi - lo) / kHugePage, "[%#zx, %#zx): %zu whole pieces, expected %zu", size_t(begin), size_t(end),
        wholeSeen, size_t((hi - lo) / kHugePage));
}

int main(int argc, char** argv) {
  const unsigned seed = argc > 1 ? unsigned(std::strtoul(argv[1], nullptr, 10)) : 1u;
  const size_t page = 4096;
  const uintptr_t base = uintptr_t(0x7f0000000000);

  // A 40 MB result as glibc maps it (16 bytes past a page boundary): 18 whole pages, both ends.
  {
    const uintptr_t begin = base + 3 * page + 16, end = begin + 40000004;
    const std::vector<Piece> order = pieces(begin, end, page);
    size_t whole = 0;
    for (const Piece& p : order) whole += p.whole;
    CHECK(whole == 18, "a 40 MB result: %zu whole pages", whole);
    CHECK(!order.front().whole && !order[order.size() - 19].whole, "a 40 MB result: the ends come first");
    checkPieces(begin, end, page);
  }
  // Edge cases: empty, one byte, within one page, within one 2 MiB page, exactly aligned, an
  // exact 2 MiB multiple from a page boundary.
  CHECK(pieces(base + 5, base + 5, page).empty(), "empty array");
  checkPieces(base + 5, base + 6, page);
  checkPieces(base + 100, base + 4000, page);
  checkPieces(base + kHugePage - 100, base + kHugePage + 100, page);
  checkPieces(base, base + 8 * kHugePage, page);
  checkPieces(base + page, base + page + 8 * kHugePage, page);
  checkPieces(base + 16, base + 3 * kHugePage - 16, page);
  // Random places and lengths up to 64 MiB, 4 KiB and 64 KiB pages.
  std::mt19937_64 rnd(seed);
  for (int t = 0; t < 2000; t++) {
    const size_t pg = t % 4 == 3 ? 65536 : page;
    const uintptr_t begin = base + (rnd() % (8 * kHugePage)) / 16 * 16;
    const uintptr_t len = t % 2 ? rnd() % (64u << 20) : rnd() % (3 * kHugePage);
    checkPieces(begin, begin + len + 1, pg);
  }

  // The slow rule: the mean from the third huge page on, above slowPieceMs and above
  // smallPageRatio times the 512 small pages' cost; not before small pages were measured.
  const size_t per = 512;
  CHECK(!hugePagesSlow(9, 1, 18, 2, 2, 0.001, per), "one slow page judged");
  CHECK(!hugePagesSlow(9, 2, 18, 2, 2, 0.001, per), "two slow pages judged");
  CHECK(hugePagesSlow(9, 3, 18, 2, 2, 0.001, per), "three pages at 9 ms against 1 us small pages: slow");
  CHECK(!hugePagesSlow(1.9, 10, 18, 2, 2, 0.001, per), "a mean below slowPieceMs is not slow");
  // Session 17's VM: cold huge pages ~2.2-5 ms, their small pages ~3.9 ms (7.6 us each): not
  // slow at ratio 2, slow at ratio 0.5.
  CHECK(!hugePagesSlow(4.5, 5, 18, 2, 2, 0.0076, per), "2x rule: 4.5 ms against 512 x 7.6 us is not slow");
  CHECK(hugePagesSlow(4.5, 5, 18, 2, 0.5, 0.0076, per), "ratio 0.5: 4.5 ms against 512 x 7.6 us is slow");
  CHECK(hugePagesSlow(8, 5, 18, 2, 2, 0.0076, per), "2x rule: 8 ms against 512 x 7.6 us is slow");
  CHECK(!hugePagesSlow(9, 5, 18, 2, 2, -1, per), "small pages not measured yet: not slow");
  CHECK(hugePagesSlow(9, 5, 18, 2, 0, -1, per), "ratio 0: slowPieceMs alone decides");
  // Arrays with fewer whole pages are judged on all of them.
  CHECK(hugePagesSlow(9, 1, 1, 2, 2, 0.001, per), "an array of one whole page is judged on it");
  CHECK(hugePagesSlow(9, 2, 2, 2, 2, 0.001, per), "an array of two whole pages is judged on both");
  CHECK(!hugePagesSlow(9, 1, 2, 2, 2, 0.001, per), "an array of two whole pages is not judged on one");

  std::printf("%s: %d failed checks (seed %u)\n", failures ? "FAIL" : "ok", failures, seed);
  return failures ? 1 : 0;
}
