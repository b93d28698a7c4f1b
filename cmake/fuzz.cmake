# Fuzz targets (fuzz/*.c, docs/fuzzing.md). Included by tests/fuzz/CMakeLists.txt.
#
# Every harness is built twice over:
#   replay-<name>   fuzz/replay.c + the harness: runs the stored corpus fuzz/corpus/<name>/ as
#                   the CTest test fuzz-replay-<name> (label "fuzz"), so `make test` and, under
#                   ASan/UBSan, `make test-sanitize` replay every stored input with gcc.
#   fuzz-<name>     the harness linked with libFuzzer, only with -DWI_FUZZ_LIBFUZZER=ON and clang
#                   (scripts/fuzz.sh configures build-fuzz/ that way and runs them).
option(WI_FUZZ_LIBFUZZER "Also build libFuzzer binaries of the fuzz harnesses (clang only)" OFF)

# wi_add_fuzz_target(NAME [EXTRA_SOURCES...]): fuzz/fuzz-NAME.c, corpus fuzz/corpus/NAME/.
function(wi_add_fuzz_target name)
  set(harness ${CMAKE_SOURCE_DIR}/fuzz/fuzz-${name}.c)
  set(includes ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/tests ${CMAKE_SOURCE_DIR}/fuzz)

  add_executable(replay-${name} ${CMAKE_SOURCE_DIR}/fuzz/replay.c ${harness} ${ARGN})
  target_include_directories(replay-${name} PRIVATE ${includes})
  target_link_libraries(replay-${name} PRIVATE wasinfer)
  add_test(NAME fuzz-replay-${name}
           COMMAND replay-${name} ${CMAKE_SOURCE_DIR}/fuzz/corpus/${name})
  set_tests_properties(fuzz-replay-${name} PROPERTIES ENVIRONMENT "${WI_TEST_ENV}" LABELS fuzz)

  if(WI_FUZZ_LIBFUZZER)
    add_executable(fuzz-${name} ${harness} ${ARGN})
    target_include_directories(fuzz-${name} PRIVATE ${includes})
    target_link_libraries(fuzz-${name} PRIVATE wasinfer)
    target_link_options(fuzz-${name} PRIVATE -fsanitize=fuzzer)
  endif()
endfunction()
