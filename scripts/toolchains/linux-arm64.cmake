# Cross-compiling the addon for linux-arm64 on an x86-64 Linux machine with Debian's
# g++-aarch64-linux-gnu (`npm run pack` uses it for @linrec/linux-arm64):
#   cmake-js compile --out build-arm64 --CDCMAKE_TOOLCHAIN_FILE=scripts/toolchains/linux-arm64.cmake
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
