# Wasmtime's C API (installed by scripts/install-wasmtime.sh into a cache outside the clone):
#   build/wasinfer-wasmhost        the C host (src/hosts/wasmhost/*.c)
#   the service's wasm backend     src/server/backend-wasm.c in wasinfer_cli, WI_HAVE_WASMTIME=1
# Without the C API both are left out with a message; tests/wasmtime then fail saying how to
# install it (they never pass by skipping).
execute_process(COMMAND bash ${CMAKE_SOURCE_DIR}/scripts/install-wasmtime.sh --print-prefix
                OUTPUT_VARIABLE WI_WASMTIME_PREFIX OUTPUT_STRIP_TRAILING_WHITESPACE
                RESULT_VARIABLE WI_WASMTIME_PREFIX_RC)
set(WI_WASMTIME_CLI "${WI_WASMTIME_PREFIX}/bin/wasmtime")
find_path(WI_WASMTIME_INCLUDE_DIR wasmtime.h PATHS "${WI_WASMTIME_PREFIX}/c-api/include" NO_DEFAULT_PATH)
find_library(WI_WASMTIME_LIBRARY wasmtime PATHS "${WI_WASMTIME_PREFIX}/c-api/lib" NO_DEFAULT_PATH)

if(WI_WASMTIME_INCLUDE_DIR AND WI_WASMTIME_LIBRARY)
  set(WI_HAVE_WASMTIME ON)
  message(STATUS "Wasmtime C API: ${WI_WASMTIME_LIBRARY}")
  add_library(wasmtime_shared SHARED IMPORTED)
  set_target_properties(wasmtime_shared PROPERTIES IMPORTED_LOCATION "${WI_WASMTIME_LIBRARY}"
                        INTERFACE_INCLUDE_DIRECTORIES "${WI_WASMTIME_INCLUDE_DIR}")

  # The embedding layer (guest.h: everything but the program's own files) is a library shared
  # with the service's wasm backend.
  set(WI_WASMHOST_DIR ${CMAKE_SOURCE_DIR}/src/hosts/wasmhost)
  set(WI_WASMHOST_PROGRAM_SOURCES ${WI_WASMHOST_DIR}/main.c ${WI_WASMHOST_DIR}/cmd-run.c
      ${WI_WASMHOST_DIR}/cmd-bench.c ${WI_WASMHOST_DIR}/output.c)
  file(GLOB WI_WASMHOST_CORE_SOURCES CONFIGURE_DEPENDS ${WI_WASMHOST_DIR}/*.c)
  list(REMOVE_ITEM WI_WASMHOST_CORE_SOURCES ${WI_WASMHOST_PROGRAM_SOURCES})
  add_library(wasinfer_wasmtime STATIC ${WI_WASMHOST_CORE_SOURCES})
  target_include_directories(wasinfer_wasmtime PUBLIC ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(wasinfer_wasmtime PUBLIC wasinfer wasmtime_shared)

  add_executable(wasinfer_wasmhost ${WI_WASMHOST_PROGRAM_SOURCES})
  set_target_properties(wasinfer_wasmhost PROPERTIES OUTPUT_NAME wasinfer-wasmhost
                        RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}
                        BUILD_RPATH "${WI_WASMTIME_PREFIX}/c-api/lib")
  target_link_libraries(wasinfer_wasmhost PRIVATE wasinfer_wasmtime)

  if(TARGET wasinfer_cli AND EXISTS ${CMAKE_SOURCE_DIR}/src/server/backend-wasm.c)
    # backend-wasm.c is already in wasinfer_cli through the src/server glob; it compiles to
    # nothing without WI_HAVE_WASMTIME.
    target_compile_definitions(wasinfer_cli PRIVATE WI_HAVE_WASMTIME=1)
    target_link_libraries(wasinfer_cli PRIVATE wasinfer_wasmtime)
    set_target_properties(wasinfer_cli PROPERTIES BUILD_RPATH "${WI_WASMTIME_PREFIX}/c-api/lib")
  endif()
else()
  set(WI_HAVE_WASMTIME OFF)
  message(STATUS "Wasmtime C API not found in '${WI_WASMTIME_PREFIX}/c-api': building without "
                 "wasinfer-wasmhost and the service's --backend wasm. Run scripts/install-wasmtime.sh.")
endif()
