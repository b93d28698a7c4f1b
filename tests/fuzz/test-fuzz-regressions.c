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

#include "malformed-model/pb-writer.h"
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

/* 20000 Relu(x) all alive until a chain of Adds sums them: every activation overlaps every
 * other, which made the memory planner's first-fit take 17 s on this 1.3 MB model (now it
 * stops searching after a work budget and places the rest end to end). The plan must still
 * be correct: the output is N * relu(x). */
static void test_planner_budget_keeps_plans_correct(void **state)
{
    (void)state;
    enum { N = 20000 };
    pbw g = {0}, n;
    tf_node_begin(&n, "x", "Placeholder");
    tf_attr_type(&n, "dtype", 1);
    int64_t dims[2] = {1, 3};
    tf_attr_shape(&n, "shape", dims, 2);
    pbw_msg(&g, 1, &n);
    char name[32], prev[32], in[32];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "r%d", i);
        tf_node_begin(&n, name, "Relu");
        tf_input(&n, "x");
        pbw_msg(&g, 1, &n);
    }
    snprintf(prev, sizeof prev, "r0");
    for (int i = 1; i < N; i++) {
        snprintf(name, sizeof name, "s%d", i);
        snprintf(in, sizeof in, "r%d", i);
        tf_node_begin(&n, name, "Add");
        tf_input(&n, prev);
        tf_input(&n, in);
        pbw_msg(&g, 1, &n);
        snprintf(prev, sizeof prev, "%s", name);
    }
    wi_model *model = NULL;
    wi_session *session = NULL;
    wi_error err;
    if (wi_model_load(g.p, g.n, NULL, &model, &err) != WI_OK) fail_msg("%s", err.message);
    free(g.p);
    if (wi_session_create(model, NULL, &session, &err) != WI_OK) fail_msg("%s", err.message);
    const float x[3] = {1, -1, 2};
    assert_int_equal(wi_session_set_input(session, 0, x, 3), WI_OK);
    assert_int_equal(wi_session_run(session), WI_OK);
    size_t count = 0;
    const float *y = wi_session_output(session, 0, &count);
    assert_int_equal(count, 3);
    assert_true(y[0] == (float)N && y[1] == 0.0f && y[2] == 2.0f * N);
    wi_session_free(session);
    wi_model_free(model);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_image_regressions),
        cmocka_unit_test(test_planner_budget_keeps_plans_correct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
