// The CPU engine for x86-64-v3 (AVX2, FMA, BMI2: Haswell, Zen and later); -march=x86-64-v3.
#define LINREC_ISA_NAMESPACE linrec_isa_x86_64_v3
#include "variant.h"
