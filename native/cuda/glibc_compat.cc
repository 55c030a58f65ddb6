// The CUDA build loads on glibc 2.17-2.33 too (RHEL 8, Debian 11, Ubuntu 20.04, Amazon Linux 2),
// not only where it was linked (bench/NOTES.md, session 22).
//
// glibc 2.34 moved libpthread, libdl and librt into libc and gave each moved function a new
// default version, GLIBC_2.34, beside its old one (kept as a compat symbol). The static CUDA
// runtime's references carry no version, so the linker binds them to the linking system's default:
// a build on glibc >= 2.34 asked for GLIBC_2.34 and did not load on older systems. CMakeLists.txt
// links with -Wl,--wrap=NAME for each function below (it reads the list from this file), which
// sends every undefined NAME in the addon's objects and the CUDA runtime to __wrap_NAME; here
// __wrap_NAME jumps to NAME at its version from before 2.34, the one an older glibc has (in
// libpthread.so.0, libdl.so.2 or librt.so.1, which the addon then needs; CMakeLists.txt).
//
// Each old version is the same function as the GLIBC_2.34 one (one address in glibc 2.36's
// libc.so.6, checked for this list), except pthread_kill: its GLIBC_2.34 version returns 0 for a
// thread that has exited but not been joined, the old one ESRCH, as on the older systems the CUDA
// runtime supports. Same arguments either way, and x86-64 never had a 32-bit time_t to version.
// The thunk is a tail jump: arguments, the return value, errno and the return address (which dlopen
// and dlsym read to find their caller) pass through untouched.
//
// A function the CUDA runtime starts to call in a later CUDA version shows up as a GLIBC_2.34 (or
// newer) reference in scripts/check-binary.js, which `npm run pack` and test/01 run: add it here.
#if defined(__linux__)
#include <features.h>  // defines __GLIBC__
#endif
#if defined(__x86_64__) && defined(__linux__) && defined(__GLIBC__)

// LINREC_GLIBC_OLD(name, version): one line each, read by CMakeLists.txt for the --wrap options.
// clang-format off
#define LINREC_GLIBC_OLD(name, version)                                     \
  __asm__(".text\n"                                                         \
          ".globl __wrap_" #name "\n"                                       \
          ".hidden __wrap_" #name "\n"                                      \
          ".type __wrap_" #name ", @function\n"                             \
          "__wrap_" #name ":\n"                                             \
          "\tjmp linrec_glibc_" #name "@PLT\n"                              \
          ".size __wrap_" #name ", . - __wrap_" #name "\n"                  \
          ".symver linrec_glibc_" #name ", " #name "@" version "\n");
// clang-format on

// libdl (glibc < 2.34: libdl.so.2)
LINREC_GLIBC_OLD(dlclose, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(dlerror, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(dlmopen, "GLIBC_2.3.4")
LINREC_GLIBC_OLD(dlopen, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(dlsym, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(dlvsym, "GLIBC_2.2.5")
// libpthread (glibc < 2.34: libpthread.so.0)
LINREC_GLIBC_OLD(pthread_condattr_setpshared, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(pthread_create, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(pthread_detach, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(pthread_getspecific, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(pthread_join, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(pthread_key_create, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(pthread_key_delete, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(pthread_kill, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(pthread_mutex_trylock, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(pthread_mutexattr_destroy, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(pthread_mutexattr_init, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(pthread_mutexattr_setpshared, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(pthread_mutexattr_settype, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(pthread_once, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(pthread_rwlock_destroy, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(pthread_rwlock_init, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(pthread_rwlock_rdlock, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(pthread_rwlock_timedrdlock, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(pthread_rwlock_timedwrlock, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(pthread_rwlock_tryrdlock, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(pthread_rwlock_trywrlock, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(pthread_rwlock_unlock, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(pthread_rwlock_wrlock, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(pthread_rwlockattr_destroy, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(pthread_rwlockattr_init, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(pthread_rwlockattr_setpshared, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(pthread_setspecific, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(pthread_spin_destroy, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(pthread_spin_init, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(pthread_spin_lock, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(pthread_spin_trylock, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(pthread_spin_unlock, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(sem_destroy, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(sem_init, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(sem_post, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(sem_timedwait, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(sem_trywait, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(sem_wait, "GLIBC_2.2.5")
// librt (glibc < 2.34: librt.so.1)
LINREC_GLIBC_OLD(shm_open, "GLIBC_2.2.5")
LINREC_GLIBC_OLD(shm_unlink, "GLIBC_2.2.5")

#endif
