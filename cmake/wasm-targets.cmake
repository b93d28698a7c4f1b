# wasm32-wasi programs (included by CMakeLists.txt when CMAKE_SYSTEM_NAME is WASI):
#   wasinfer.wasm      the reactor module: src/wasm/*.c, the exported ABI (docs/wasm-abi.md)
#   wasinfer-cli.wasm  the WASI command: the native CLI's own sources (src/cli/*.c), minus the
#                      HTTP service (WI_HAVE_SERVER stays undefined)
# scripts/build-wasm.sh configures this twice (SIMD128 and scalar) and copies the results to
# build/wasm/.

# Exports are declared in the sources with __attribute__((export_name(...))); the reactor's
# crt1 exports _initialize, which hosts must call first (node:wasi: wasi.initialize()).
set(WI_WASM_LINK_OPTIONS -Wl,--strip-debug)

file(GLOB WI_WASM_ABI_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/wasm/*.c)
if(WI_WASM_ABI_SOURCES)
  add_executable(wasinfer_module ${WI_WASM_ABI_SOURCES})
  set_target_properties(wasinfer_module PROPERTIES OUTPUT_NAME wasinfer SUFFIX .wasm
                        RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
  target_include_directories(wasinfer_module PRIVATE ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(wasinfer_module PRIVATE wasinfer)
  target_link_options(wasinfer_module PRIVATE -mexec-model=reactor ${WI_WASM_LINK_OPTIONS})
endif()

file(GLOB WI_WASM_CLI_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/cli/*.c)
if(WI_WASM_CLI_SOURCES)
  add_executable(wasinfer_cli_wasm ${WI_WASM_CLI_SOURCES})
  set_target_properties(wasinfer_cli_wasm PROPERTIES OUTPUT_NAME wasinfer-cli SUFFIX .wasm
                        RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
  target_include_directories(wasinfer_cli_wasm PRIVATE ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(wasinfer_cli_wasm PRIVATE wasinfer)
  target_link_options(wasinfer_cli_wasm PRIVATE ${WI_WASM_LINK_OPTIONS})
endif()
