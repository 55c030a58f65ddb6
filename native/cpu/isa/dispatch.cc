// The CPU engine's entry points: pick, once, the build of the engine for the best instruction set
// this processor (and its operating system) supports, so one binary runs on every x86-64
// processor at the speed of a -march=native build. Builds without LINREC_CPU_DISPATCH (other
// architectures, MSVC, -march=native builds) hold only the baseline variant.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "../cpu_engine.h"

#define LINREC_DECLARE_VARIANT(ns)                     \
  namespace ns {                                       \
  namespace cpu {                                      \
  void scan(const ::linrec::ScanJob& job);             \
  void aggregate(const ::linrec::AggregateJob& job);   \
  void sequentialDirect(const ::linrec::ScanJob& job); \
  }                                                    \
  }
LINREC_DECLARE_VARIANT(linrec_isa_baseline)
#ifdef LINREC_CPU_DISPATCH
LINREC_DECLARE_VARIANT(linrec_isa_x86_64_v3)
LINREC_DECLARE_VARIANT(linrec_isa_x86_64_v4)
#endif

namespace linrec {
namespace cpu {
namespace {

struct Variant {
  const char* name;
  void (*scan)(const ScanJob&);
  void (*aggregate)(const AggregateJob&);
  void (*sequentialDirect)(const ScanJob&);
};

#define LINREC_VARIANT(label, ns) \
  Variant { label, ns::cpu::scan, ns::cpu::aggregate, ns::cpu::sequentialDirect }

Variant pick() {
#ifdef LINREC_CPU_DISPATCH
  // libgcc's and compiler-rt's checks include the operating system's support (XGETBV) for the
  // wider registers, not only the processor's.
  __builtin_cpu_init();
  bool v3 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi") &&
            __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("popcnt");
  bool v4 = v3 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
            __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512dq") &&
            __builtin_cpu_supports("avx512vl");
  // LINREC_CPU_ISA=x86-64 (or x86-64-v3) caps the choice, so tests and benchmarks can run a lesser
  // variant on this machine; it never picks one the processor lacks.
  if (const char* cap = std::getenv("LINREC_CPU_ISA")) {
    if (std::strcmp(cap, "x86-64") == 0) v3 = v4 = false;
    if (std::strcmp(cap, "x86-64-v3") == 0) v4 = false;
  }
  if (v4) return LINREC_VARIANT("x86-64-v4", linrec_isa_x86_64_v4);
  if (v3) return LINREC_VARIANT("x86-64-v3", linrec_isa_x86_64_v3);
  return LINREC_VARIANT("x86-64", linrec_isa_baseline);
#else
#ifdef LINREC_CPU_NATIVE
  return LINREC_VARIANT("native", linrec_isa_baseline);  // built with -march=native
#else
  return LINREC_VARIANT("baseline", linrec_isa_baseline);
#endif
#endif
}

const Variant& selected() {
  static const Variant variant = pick();
  return variant;
}

}  // namespace

void scan(const ScanJob& job) { selected().scan(job); }
void aggregate(const AggregateJob& job) { selected().aggregate(job); }
void sequentialDirect(const ScanJob& job) { selected().sequentialDirect(job); }
const char* instructionSet() { return selected().name; }

// Not per instruction set: plain bookkeeping around the engine. src/addon.ts copies this rule
// (runsInline, INLINE_WORK, LOG_STEP_WORK) to decide before each async call: change both together.
bool isSmall(const ScanJob& job) {
  size_t steps = job.rows * (job.n + 1);
  return steps * (job.method == Method::Direct ? 1 : kLogStepWork) <= kInlineWork;
}

}  // namespace cpu
}  // namespace linrec
