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
  # Under ASan an allocation above 512 MiB is a failure, as libFuzzer's -malloc_limit_mb is
  # while fuzzing: no stored input may make the library allocate that much (harnesses lower
  # the model and image limits far below it). Other builds ignore ASAN_OPTIONS.
  set_tests_properties(fuzz-replay-${name} PROPERTIES LABELS fuzz ENVIRONMENT
                       "${WI_TEST_ENV};ASAN_OPTIONS=detect_leaks=1:max_allocation_size_mb=512:allocator_may_return_null=0")

  if(WI_FUZZ_LIBFUZZER)
    add_executable(fuzz-${name} ${harness} ${ARGN})
    target_include_directories(fuzz-${name} PRIVATE ${includes})
    target_link_libraries(fuzz-${name} PRIVATE wasinfer)
    target_link_options(fuzz-${name} PRIVATE -fsanitize=fuzzer)
  endif()
endfunction()
