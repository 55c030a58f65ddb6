// CHECK for the one-file C++ test drivers here (each built and run by a jest test): a failed
// check prints one line (the first 20 of them) and counts in `failures`; a driver ends by
// printing "ok: N failed checks" and exits 1 where N > 0.
#pragma once

#include <cstdio>

static int failures = 0;
#define CHECK(cond, ...)                                    \
  do {                                                      \
    if (!(cond)) {                                          \
      if (++failures <= 20) {                               \
        std::printf("FAIL line %d: %s: ", __LINE__, #cond); \
        std::printf(__VA_ARGS__);                           \
        std::printf("\n");                                  \
      }                                                     \
    }                                                       \
  } while (0)
