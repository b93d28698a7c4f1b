# Kernel sources and their per-file ISA flags (XNNPACK style: only the files for one ISA get
# that ISA's -m flags, so the rest of the binary runs on any x86-64).
file(GLOB WI_KERNEL_SOURCES CONFIGURE_DEPENDS src/kernels/*.c src/kernels/ref/*.c)
# The serial thread-pool stand-in is for builds without threads.
if(NOT WI_WASM AND EXISTS "${CMAKE_SOURCE_DIR}/src/kernels/threadpool-pthreads.c")
  list(FILTER WI_KERNEL_SOURCES EXCLUDE REGEX "threadpool-serial\\.c$")
elseif(EXISTS "${CMAKE_SOURCE_DIR}/src/kernels/threadpool-pthreads.c")
  list(FILTER WI_KERNEL_SOURCES EXCLUDE REGEX "threadpool-pthreads\\.c$")
endif()
