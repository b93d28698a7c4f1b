/*
 * fuzz.h - the contract every harness in fuzz/ follows.
 *
 * A harness is one file defining LLVMFuzzerTestOneInput (libFuzzer's entry point). It is
 * linked either with libFuzzer (scripts/fuzz.sh, clang -fsanitize=fuzzer) or with replay.c,
 * a plain main() that feeds it every file of a corpus directory, so the stored corpus runs
 * under gcc's ASan/UBSan in `make test-sanitize` without libFuzzer installed.
 *
 * A harness must: accept any bytes, free everything it allocated before returning, and never
 * assert on an outcome the input may legitimately produce (errors are fine, crashes, leaks,
 * UB and hangs are the findings). It may check invariants the API promises (an OK status
 * comes with a usable object, an error with a non-empty message) by calling fuzz_fail.
 */
#ifndef WI_FUZZ_H
#define WI_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken API promise: print it and abort, so both libFuzzer and replay report the input. */
#define fuzz_fail(...)                                                                           \
    do {                                                                                         \
        fprintf(stderr, "fuzz: %s:%d: ", __FILE__, __LINE__);                                    \
        fprintf(stderr, __VA_ARGS__);                                                            \
        fputc('\n', stderr);                                                                     \
        abort();                                                                                 \
    } while (0)

/* With FUZZ_VERBOSE=1 in the environment harnesses print each input's outcome (replay only:
 * too slow while fuzzing). */
static inline int fuzz_verbose(void)
{
    static int v = -1;
    if (v < 0) v = getenv("FUZZ_VERBOSE") && getenv("FUZZ_VERBOSE")[0] == '1';
    return v;
}

#endif
