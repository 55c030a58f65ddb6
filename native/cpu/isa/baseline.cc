// The CPU engine for every x86-64 processor (SSE2), and the only build on other architectures.
#define LINREC_ISA_NAMESPACE linrec_isa_baseline
#include "variant.h"
