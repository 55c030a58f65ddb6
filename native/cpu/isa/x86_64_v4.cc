// The CPU engine for x86-64-v4 (AVX-512 F/BW/CD/DQ/VL: Skylake-X, Zen 4 and later); -march=x86-64-v4.
#define LINREC_ISA_NAMESPACE linrec_isa_x86_64_v4
#include "variant.h"
