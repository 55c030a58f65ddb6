// Max errors of the log method's conversions (native/monoid.h) against long double, over dense
// grids: the fitted float32 series (expReduced<6>, atanhSeries<4>) beside the Taylor ones they replaced.
//   g++ -std=c++17 -O2 -I. -march=x86-64-v3 bench/probes/conversion-errors.cc -o /tmp/ce && /tmp/ce
#include <cmath>
#include <cstdio>

#include "native/monoid.h"
using namespace linrec::extended;
int main() {
  long double worstExp = 0, worstExpOld = 0, worstLog = 0, worstLogOld = 0;
  for (double r = -0.3466; r <= 0.3466; r += 1.3e-6) {
    long double ref = expl((long double)r);
    worstExp = std::fmax(worstExp, fabsl(expReduced<6>(r) / ref - 1));
    worstExpOld = std::fmax(worstExpOld, fabsl(expReduced<9>(r) / ref - 1));
  }
  for (double l = -30; l <= 30; l += 3.1e-5) {  // through the whole conversion
    long double ref = expl((long double)l);
    worstExp = std::fmax(worstExp, fabsl(expPlain<6>(l) / ref - 1));
  }
  for (double a = 0.5; a <= 4; a += 1.7e-6) {
    long double ref = logl((long double)a);
    worstLog = std::fmax(worstLog, fabsl(logOfNormal<4>(a, 0) - ref));
    worstLogOld = std::fmax(worstLogOld, fabsl(logOfNormal<6>(a, 0) - ref));
  }
  printf("exp rel: fitted6 %.3Lg taylor9 %.3Lg | log abs: fitted4 %.3Lg taylor6 %.3Lg\n", worstExp, worstExpOld,
         worstLog, worstLogOld);
}
