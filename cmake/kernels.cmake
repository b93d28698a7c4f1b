# Kernel sources and their per-file ISA flags (XNNPACK style: only the files for one ISA get
# that ISA's -m flags, so the rest of the binary runs on any x86-64; the ISA is chosen at
# startup from CPUID, see src/kernels/isa-select.c).
file(GLOB WI_KERNEL_SOURCES CONFIGURE_DEPENDS
     src/kernels/*.c src/kernels/ref/*.c src/kernels/generic/*.c)
# The serial thread-pool stand-in is for builds without threads.
if(NOT WI_WASM AND EXISTS "${CMAKE_SOURCE_DIR}/src/kernels/threadpool-pthreads.c")
  list(FILTER WI_KERNEL_SOURCES EXCLUDE REGEX "threadpool-serial\\.c$")
elseif(EXISTS "${CMAKE_SOURCE_DIR}/src/kernels/threadpool-pthreads.c")
  list(FILTER WI_KERNEL_SOURCES EXCLUDE REGEX "threadpool-pthreads\\.c$")
endif()

# x86 kernels: natively on x86 only, never in the wasm build.
if(NOT WI_WASM AND CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64|i.86)$")
  file(GLOB WI_KERNEL_X86_AVX2 CONFIGURE_DEPENDS src/kernels/x86/*avx2*.c)
  file(GLOB WI_KERNEL_X86_AVX512 CONFIGURE_DEPENDS src/kernels/x86/*avx512*.c)
  set_source_files_properties(${WI_KERNEL_X86_AVX2} PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma")
  set_source_files_properties(${WI_KERNEL_X86_AVX512} PROPERTIES COMPILE_OPTIONS
                              "-mavx512f;-mavx512vl;-mavx2;-mfma")
  list(APPEND WI_KERNEL_SOURCES ${WI_KERNEL_X86_AVX2} ${WI_KERNEL_X86_AVX512})
  set_source_files_properties(${CMAKE_SOURCE_DIR}/src/kernels/isa-select.c
                              ${CMAKE_SOURCE_DIR}/src/kernels/conv-kernel.c
                              PROPERTIES COMPILE_DEFINITIONS WI_KERNELS_X86=1)
endif()

# aarch64: the generic kernels are NEON there (armv8-a has it, no flag needed; named "neon"). Their
# `acc += a * w` is contracted to fmla explicitly, as it is under -std=gnu11 by default, so a
# strict -std=c11 build keeps the fused form; the tests' tolerances and bit-identity checks (fused
# vs unfused blocks, 1 vs 3 threads) hold with it under qemu (scripts/test-aarch64.sh).
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
  set_source_files_properties(${CMAKE_SOURCE_DIR}/src/kernels/generic/f32-ukernels-generic.c
                              PROPERTIES COMPILE_OPTIONS "-ffp-contract=fast")
endif()

# wasm-only kernels (relaxed SIMD etc.) live in src/kernels/wasm/ and are built only there.
if(WI_WASM)
  file(GLOB WI_KERNEL_WASM CONFIGURE_DEPENDS src/kernels/wasm/*.c)
  list(APPEND WI_KERNEL_SOURCES ${WI_KERNEL_WASM})
endif()

# Kernel micro-benchmark (not a test): build-*/bench-kernels.
if(NOT WI_WASM AND EXISTS "${CMAKE_SOURCE_DIR}/bench/kernels/bench-kernels.c")
  add_executable(bench-kernels bench/kernels/bench-kernels.c)
  target_include_directories(bench-kernels PRIVATE src src/kernels)
  target_link_libraries(bench-kernels PRIVATE wasinfer)
  add_executable(bench-model bench/kernels/bench-model.c)
  target_include_directories(bench-model PRIVATE src src/kernels)
  target_link_libraries(bench-model PRIVATE wasinfer)
endif()
