# Toolchain file for wasm32-wasi with Debian's clang-19, lld-19, wasi-libc and
# libclang-rt-19-dev-wasm32:  cmake -S . -B build-wasm-simd -DCMAKE_TOOLCHAIN_FILE=cmake/wasm32-wasi.cmake
#
# Debian installs wasi-libc as /usr/include/wasm32-wasi + /usr/lib/wasm32-wasi, not as a sysroot.
# Without --sysroot clang falls back to /usr/include behind any header wasi-libc lacks and
# silently compiles glibc declarations into the module, so we build a tiny sysroot of
# symlinks (build-wasm-sysroot/ at the top of the tree, git-ignored) and point clang at it.
# CMakeLists.txt adds /usr/include/stb (stb_image.h) as a system include dir: that folder holds
# only stb's own headers, so it brings nothing else of /usr/include with it (checked with -H:
# every libc header comes from wasm32-wasi).
#
# WI_WASM_SIMD (ON by default) builds with -msimd128; OFF gives the scalar variant; WI_WASM_RELAXED
# (with SIMD) adds -mrelaxed-simd, for the variant whose kernels use f32x4.relaxed_madd. They seed
# the initial C flags, so they take effect in a fresh build directory (scripts/build-wasm.sh uses
# build-wasm-simd/, build-wasm-relaxed/ and build-wasm-scalar/).
set(CMAKE_SYSTEM_NAME WASI)
set(CMAKE_SYSTEM_VERSION 1)
set(CMAKE_SYSTEM_PROCESSOR wasm32)
set(triple wasm32-wasi)

find_program(WI_WASM_CLANG NAMES clang-19 clang REQUIRED)
set(CMAKE_C_COMPILER "${WI_WASM_CLANG}")
set(CMAKE_C_COMPILER_TARGET ${triple})
find_program(WI_WASM_AR NAMES llvm-ar-19 llvm-ar)
find_program(WI_WASM_RANLIB NAMES llvm-ranlib-19 llvm-ranlib)
if(WI_WASM_AR)
  set(CMAKE_AR "${WI_WASM_AR}" CACHE FILEPATH "" FORCE)
endif()
if(WI_WASM_RANLIB)
  set(CMAKE_RANLIB "${WI_WASM_RANLIB}" CACHE FILEPATH "" FORCE)
endif()

# The sysroot of symlinks (made once; idempotent; also inside try_compile projects).
get_filename_component(WI_WASM_SYSROOT "${CMAKE_CURRENT_LIST_DIR}/../build-wasm-sysroot" ABSOLUTE)
if(NOT EXISTS "${WI_WASM_SYSROOT}/lib/wasm32-wasi")
  file(MAKE_DIRECTORY "${WI_WASM_SYSROOT}/lib")
  file(CREATE_LINK /usr/include/wasm32-wasi "${WI_WASM_SYSROOT}/include" SYMBOLIC)
  file(CREATE_LINK /usr/lib/wasm32-wasi "${WI_WASM_SYSROOT}/lib/wasm32-wasi" SYMBOLIC)
endif()
set(CMAKE_SYSROOT "${WI_WASM_SYSROOT}")

set(CMAKE_FIND_ROOT_PATH "${WI_WASM_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

option(WI_WASM_SIMD "Build the wasm module with SIMD128" ON)
option(WI_WASM_RELAXED "With WI_WASM_SIMD, also relaxed SIMD (fused multiply-adds)" OFF)
set(CMAKE_C_FLAGS_INIT "-fno-exceptions")
if(WI_WASM_SIMD)
  string(APPEND CMAKE_C_FLAGS_INIT " -msimd128")
  if(WI_WASM_RELAXED)
    string(APPEND CMAKE_C_FLAGS_INIT " -mrelaxed-simd")
  endif()
endif()
# wasi-libc's <time.h> clocks beyond CLOCK_REALTIME/MONOTONIC and signal() need opt-in
# emulation; we need neither. The default wasm stack is 64 KiB: too small for the parsers.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,-z,stack-size=8388608 -Wl,--max-memory=4294967296")
