# Native programs: the CLI (classify, inspect, bench, serve).
file(GLOB WI_CLI_SOURCES CONFIGURE_DEPENDS src/cli/*.c)
file(GLOB WI_SERVER_SOURCES CONFIGURE_DEPENDS src/server/*.c)
if(WI_CLI_SOURCES)
  add_executable(wasinfer_cli ${WI_CLI_SOURCES} ${WI_SERVER_SOURCES})
  set_target_properties(wasinfer_cli PROPERTIES OUTPUT_NAME wasinfer
                        RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
  target_include_directories(wasinfer_cli PRIVATE src)
  target_link_libraries(wasinfer_cli PRIVATE wasinfer)
  if(WI_SERVER_SOURCES)
    find_package(PkgConfig REQUIRED)
    pkg_check_modules(MHD REQUIRED IMPORTED_TARGET libmicrohttpd)
    pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
    target_compile_definitions(wasinfer_cli PRIVATE WI_HAVE_SERVER=1)
    target_link_libraries(wasinfer_cli PRIVATE PkgConfig::MHD PkgConfig::CURL)
  endif()
endif()
include(cmake/wasmhost.cmake OPTIONAL) # build/wasinfer-wasmhost, when Wasmtime's C API is installed
