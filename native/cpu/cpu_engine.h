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

}  // namespace cpu
}  // namespace linrec
