// The one libstdc++ function of GCC 11 and later that inline library code calls and older
// libstdc++ lacks (GLIBCXX_3.4.29): defined here, so that the addon keeps its own copy (the
// version script keeps it local) and loads where the system's libstdc++ is older
// (libstdcxx_versions.h).
#include "libstdcxx_versions.h"

#include <new>

#if defined(__GLIBCXX__) && defined(__ELF__) && defined(__linux__) && defined(_GLIBCXX_RELEASE) && \
    _GLIBCXX_RELEASE >= 11
namespace std {
void __throw_bad_array_new_length() { throw bad_array_new_length(); }
}  // namespace std
#endif
