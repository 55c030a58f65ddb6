// The CPU backend's entry points: non-template, so the binding needs no engine internals.
#pragma once

#include "../job.h"

namespace linrec {
namespace cpu {

void scan(const ScanJob& job);
void aggregate(const AggregateJob& job);
// A plain single-threaded loop over the same job (Direct only), for benchmarks.
void sequentialDirect(const ScanJob& job);
// The instruction set the engine was built for and runs with: "x86-64-v3", "native", ...
const char* instructionSet();

// Work below this many steps (a log-method step counts kLogStepWork) takes less time than an
// async call's hop to libuv's pool and back (40-70 us measured on the 2-core development
// machine, bench/NOTES.md session 4): such async calls run on the calling thread.
constexpr size_t kInlineWork = size_t(1) << 14;
constexpr size_t kLogStepWork = 8;
bool isSmall(const ScanJob& job);

}  // namespace cpu
}  // namespace linrec
