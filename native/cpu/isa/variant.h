// One build of the CPU engine (../cpu_engine.cc) for one instruction set, in a namespace of its
// own: every inline function and template of the engine gets a name of its own per instruction
// set, so the linker cannot merge an AVX-512 copy into the baseline build (one-definition
// merging would make the baseline path crash on older processors). The job types (../../job.h)
// keep their shared names: the binding fills them, every variant reads them.
// Include after defining LINREC_ISA_NAMESPACE; compile with that instruction set's -march.
#ifndef LINREC_ISA_NAMESPACE
#error "define LINREC_ISA_NAMESPACE before including variant.h"
#endif
// The standard headers the engine uses, first and unrenamed.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <thread>
#include <type_traits>
#include <vector>

#include "../../job.h"

namespace LINREC_ISA_NAMESPACE {
using namespace ::linrec;  // ScanJob, AggregateJob, Method, DType
}

#define linrec LINREC_ISA_NAMESPACE
#include "../cpu_engine.cc"
#undef linrec
