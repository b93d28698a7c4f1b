/*
 * test-fuzz-regressions.c - the exact outcome of every crash-* input in fuzz/corpus/.
 *
 * The replay tests only prove these inputs no longer crash, leak or allocate absurdly; this
 * checks each one is refused with the intended status and message, so a change that makes
 * the library accept one again (or refuse it for another reason) is noticed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasinfer.h"

typedef struct regression {
    const char *file; /* under fuzz/corpus/image-decode/ */
    wi_status status;
    const char *message; /* a substring of the error message */
} regression;

static const regression k_image[] = {
    {"crash-jpeg-dht-over-256-codes", WI_E_MALFORMED, "Huffman table with more than 256 codes"},
    {"crash-jpeg-dht-over-256-codes-full", WI_E_MALFORMED, "Huffman table with more than 256 codes"},
    /* decodes its first scans with a table it never defined, then fails on a later DHT */
    {"crash-jpeg-undefined-huffman-table", WI_E_MALFORMED, "corrupt JPEG (bad code lengths)"},
    {"crash-png-idat-claims-1gib", WI_E_MALFORMED, "chunk 'IDAT' claims 1392508954 bytes"},
    {"crash-png-deflate-bomb", WI_E_LIMIT, "needs more memory than that size allows"},
};

static uint8_t *read_corpus_file(const char *target, const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/%s", WI_FUZZ_CORPUS_DIR, target, name);
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc(n > 0 ? (size_t)n : 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void test_image_regressions(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof k_image / sizeof k_image[0]; i++) {
        size_t len;
        uint8_t *b = read_corpus_file("image-decode", k_image[i].file, &len);
        wi_image img;
        wi_error err;
        wi_status st = wi_image_decode(b, len, 0, &img, &err);
        if (st != k_image[i].status || !strstr(err.message, k_image[i].message))
            fail_msg("%s: got %s '%s', expected %s '%s'", k_image[i].file, wi_status_string(st),
                     err.message, wi_status_string(k_image[i].status), k_image[i].message);
        assert_null(img.pixels);
        free(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_image_regressions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
