// Which libstdc++ a prebuilt binary asks for: no newer than the oldest Linux distribution that
// Node 20 supports has (RHEL 8: GCC 8's GLIBCXX_3.4.25), whatever GCC built it. Include it
// wherever std::condition_variable waits. scripts/check-binary.js (test/03, check-pack) checks
// every symbol version the addon needs.
#pragma once

#include <cstddef>  // defines __GLIBCXX__ and _GLIBCXX_RELEASE

#if defined(__GLIBCXX__) && defined(__ELF__) && defined(__linux__) && !defined(__CUDA_ARCH__) && \
    defined(_GLIBCXX_RELEASE) && _GLIBCXX_RELEASE >= 12
// GCC 12 gave condition_variable::wait(unique_lock&) a new default version (GLIBCXX_3.4.30, one
// that never throws); the GLIBCXX_3.4.11 one, in every libstdc++ since GCC 4.3, waits the same
// and throws only where pthread_cond_wait fails, which a locked mutex never makes it do.
__asm__(
    ".symver _ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE,"
    "_ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE@GLIBCXX_3.4.11");
#endif
