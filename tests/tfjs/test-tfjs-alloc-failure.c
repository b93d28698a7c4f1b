/*
 * Allocation failures in the TF.js loader (as tests/malformed-model/test-alloc-failure.c does
 * for GraphDefs): malloc/calloc/realloc are wrapped at link time so the Nth call fails; for
 * every N until a load succeeds, wi_model_load_tfjs of a small fused model plus a session
 * must return a clean status and leak nothing (checked under ASan's leak detector).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "tfjs/tfjs-test-util.h"

static long fail_at = -1, calls = 0; /* fail_at < 0: never fail */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);

static int should_fail(void) { return fail_at >= 0 && ++calls == fail_at; }
void *__wrap_malloc(size_t n) { return should_fail() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t size) { return should_fail() ? NULL : __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t n) { return should_fail() ? NULL : __real_realloc(p, n); }

static const char *k_nodes =
    INPUT("{\"size\":\"-1\"},{\"size\":\"4\"},{\"size\":\"4\"},{\"size\":\"2\"}") "," CONST("w") "," CONST("b") ","
    NODE("conv", "_FusedConv2D", "\"x\",\"w\",\"b\"",
         CONV_ATTRS("2", B64_SAME) FUSED("\"" B64_BIASADD "\",\"" B64_RELU6 "\"", "1")) ","
    NODE("out", "Mean", "\"conv\",\"axes\"", T_FLOAT ",\"keep_dims\":{\"b\":false}") ","
    "{\"name\":\"axes\",\"op\":\"Const\",\"attr\":{\"dtype\":{\"type\":\"DT_INT32\"}}}";

static void test_sweep(void **state) {
    const char *weights = WEIGHT("w", "1,1,2,3") "," WEIGHT("b", "3") ",{\"name\":\"axes\",\"shape\":[2],\"dtype\":\"int32\"}";
    char *json = tj_model(k_nodes, weights);
    uint8_t shard[6 * 4 + 3 * 4 + 2 * 4];
    float w[6] = {1, -1, 0.5f, 2, 0, -2}, b[3] = {0.1f, 0.2f, -0.3f};
    int32_t axes[2] = {1, 2};
    memcpy(shard, w, sizeof w);
    memcpy(shard + sizeof w, b, sizeof b);
    memcpy(shard + sizeof w + sizeof b, axes, sizeof axes);
    wi_model *m = NULL;
    wi_error err;
    if (tj_load(json, shard, sizeof shard, &m, &err) != WI_OK) fail_msg("base model: %s", err.message);
    wi_model_free(m);
    long n;
    int ok = 0;
    for (n = 1; n < 5000 && !ok; n++) {
        m = NULL;
        calls = 0;
        fail_at = n;
        wi_status st = tj_load(json, shard, sizeof shard, &m, &err);
        wi_session *s = NULL;
        if (st == WI_OK) st = wi_session_create(m, NULL, &s, &err);
        fail_at = -1;
        if (st == WI_OK) {
            ok = calls < n; /* nothing failed: the sweep is over */
            assert_int_equal(wi_session_run(s), WI_OK);
        } else {
            assert_null(s);
            assert_true(err.message[0] != '\0');
        }
        wi_session_free(s);
        wi_model_free(m);
    }
    assert_true(ok);
    printf("allocation sweep: load and session succeed from failure point %ld on\n", n - 1);
    assert_true(n > 30); /* the sweep really went through the loader */
    free(json);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_sweep)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
