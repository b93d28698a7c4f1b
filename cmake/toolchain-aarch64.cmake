# Toolchain file for aarch64 Linux (the NEON kernels), cross-built on x86-64 Debian with
# gcc-aarch64-linux-gnu + libc6-dev-arm64-cross and run under qemu-user (qemu-aarch64):
#   cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64.cmake
#   cmake --build build-aarch64 --target wi-test-programs -j2 && ctest --test-dir build-aarch64
# scripts/test-aarch64.sh does exactly that (docs/kernels.md, "aarch64 / NEON").
#
# Test programs link cmocka from Debian's multiarch libcmocka-dev:arm64 (/usr/lib/aarch64-linux-gnu,
# which the Debian cross gcc searches; needs `dpkg --add-architecture arm64`). Only the library
# and the C test areas in WI_TEST_AREAS_ONLY are meant to be built here: the CLI's HTTP service
# needs libmicrohttpd and libcurl for arm64 (configuring still finds the host's .pc files, so
# the CLI target exists but does not link), and Wasmtime is x86-64 only on this machine.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(triple aarch64-linux-gnu)

find_program(WI_AARCH64_GCC NAMES ${triple}-gcc REQUIRED)
set(CMAKE_C_COMPILER "${WI_AARCH64_GCC}")

# Target libraries and headers come from the cross sysroot and the multiarch folders only, so
# nothing x86-64 is linked by accident; programs (pkg-config, bash, python) are the host's.
set(CMAKE_FIND_ROOT_PATH /usr/${triple})
set(CMAKE_LIBRARY_ARCHITECTURE ${triple})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# CTest runs every test program under qemu. -L is the prefix qemu puts before the paths the
# emulated loader opens (falling back to the real path when the prefixed one is missing). The
# loader and libc.so must come from the same glibc build, or the program hangs in its first
# pthread_create: with the multiarch libc6:arm64 installed (libcmocka0:arm64 depends on it) its
# /lib/ld-linux-aarch64.so.1 would load its own /lib/aarch64-linux-gnu/libc.so.6 behind the
# prefixed cross loader (libc6-arm64-cross, a different Debian revision), so there the prefix is
# "/" and every library is the multiarch one; without it, the cross sysroot.
if(EXISTS /lib/ld-linux-aarch64.so.1)
  set(WI_AARCH64_LD_PREFIX /)
else()
  set(WI_AARCH64_LD_PREFIX /usr/${triple})
endif()
find_program(WI_QEMU_AARCH64 NAMES qemu-aarch64 qemu-aarch64-static REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR "${WI_QEMU_AARCH64};-L;${WI_AARCH64_LD_PREFIX}")

# The C test areas that build without the service, HTTP or Wasmtime, and that are worth their
# time under qemu (tests/CMakeLists.txt adds only these when the variable is set).
set(WI_TEST_AREAS_ONLY kernels ops passes formats classify)
# ... and the CLI end-to-end scripts (tests/cli, tflite, tfjs) on the CLI built without its HTTP
# service, under qemu.
set(WI_CROSS_CLI_TEST ON)
