/*
 * Allocation failures (SQLite's approach): the library's malloc/calloc/realloc are wrapped at
 * link time (-Wl,--wrap) so the Nth call fails; for every N until a load succeeds, loading a
 * small GraphDef (and then creating a session) must return a clean status, never crash, and
 * leak nothing (checked under ASan's leak detector).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include "malformed-model/pb-writer.h"
#include "wasinfer.h"

static long fail_at = -1, calls = 0; /* fail_at < 0: never fail */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);

static int should_fail(void) { return fail_at >= 0 && ++calls == fail_at; }
void *__wrap_malloc(size_t n) { return should_fail() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t size) { return should_fail() ? NULL : __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t n) { return should_fail() ? NULL : __real_realloc(p, n); }

/* Placeholder -> Conv2D(+Const) -> FusedBatchNorm -> Relu6 -> Reshape(Shape) -> Softmax. */
static void build_graph(pbw *g) {
    pbw n;
    memset(g, 0, sizeof *g);
    tf_node_begin(&n, "x", "Placeholder");
    tf_attr_type(&n, "dtype", 1);
    int64_t xd[4] = {-1, 5, 5, 2};
    tf_attr_shape(&n, "shape", xd, 4);
    pbw_msg(g, 1, &n);
    tf_node_begin(&n, "w", "Const");
    float w[12] = {1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5, -6};
    int64_t wd[4] = {1, 1, 2, 6};
    tf_attr_tensor(&n, 1, wd, 4, w, 12, 1);
    pbw_msg(g, 1, &n);
    tf_node_begin(&n, "w/read", "Identity");
    tf_input(&n, "w");
    pbw_msg(g, 1, &n);
    tf_node_begin(&n, "conv", "Conv2D");
    tf_input(&n, "x");
    tf_input(&n, "w/read");
    tf_attr_s(&n, "padding", "SAME");
    int64_t strides[4] = {1, 2, 2, 1};
    tf_attr_ints(&n, "strides", strides, 4);
    pbw_msg(g, 1, &n);
    const char *pn[4] = {"gamma", "beta", "mean", "var"};
    float p[1] = {0.5f};
    for (int i = 0; i < 4; i++) {
        tf_node_begin(&n, pn[i], "Const");
        int64_t cd[1] = {6};
        tf_attr_tensor(&n, 1, cd, 1, p, 1, 0);
        pbw_msg(g, 1, &n);
    }
    tf_node_begin(&n, "bn", "FusedBatchNormV3");
    tf_input(&n, "conv");
    for (int i = 0; i < 4; i++) tf_input(&n, pn[i]);
    tf_attr_b(&n, "is_training", 0);
    pbw_msg(g, 1, &n);
    tf_node_begin(&n, "relu", "Relu6");
    tf_input(&n, "bn");
    pbw_msg(g, 1, &n);
    tf_node_begin(&n, "shape", "Shape");
    tf_input(&n, "relu");
    pbw_msg(g, 1, &n);
    tf_node_begin(&n, "flat/shape", "Const");
    tf_attr_type(&n, "dtype", 3);
    {
        pbw t = {0}, sh = {0}, v = {0};
        pbw_int(&t, 1, 3);
        int64_t one[1] = {2};
        tf_shape(&sh, one, 1);
        pbw_msg(&t, 2, &sh);
        pbw_int(&t, 7, 1);
        pbw_int(&t, 7, (uint64_t)-1 & 0xffffffffffffffffull);
        pbw_msg(&v, 8, &t);
        tf_attr(&n, "value", &v);
    }
    pbw_msg(g, 1, &n);
    tf_node_begin(&n, "flat", "Reshape");
    tf_input(&n, "relu");
    tf_input(&n, "flat/shape");
    pbw_msg(g, 1, &n);
    tf_node_begin(&n, "softmax", "Softmax");
    tf_input(&n, "flat");
    pbw_msg(g, 1, &n);
    tf_node_begin(&n, "out", "Reshape");
    tf_input(&n, "softmax");
    tf_input(&n, "shape");
    pbw_msg(g, 1, &n);
}

static void test_sweep(void **state) {
    pbw g;
    build_graph(&g);
    wi_model *m = NULL;
    wi_error err;
    /* the graph is valid: a load without failures works and gives probabilities */
    if (wi_model_load(g.p, g.n, NULL, &m, &err) != WI_OK) fail_msg("base graph: %s", err.message);
    assert_true(wi_model_output_is_probabilities(m));
    wi_model_free(m);
    long n;
    int ok = 0;
    for (n = 1; n < 5000 && !ok; n++) {
        m = NULL;
        calls = 0;
        fail_at = n;
        wi_status st = wi_model_load(g.p, g.n, NULL, &m, &err);
        wi_session *s = NULL;
        if (st == WI_OK) st = wi_session_create(m, NULL, &s, &err);
        fail_at = -1;
        if (st == WI_OK) {
            ok = calls < n; /* nothing failed: the sweep is over */
            assert_int_equal(wi_session_run(s), WI_OK);
        } else {
            assert_true(err.message[0] != '\0');
        }
        wi_session_free(s);
        wi_model_free(m);
    }
    assert_true(ok);
    printf("allocation sweep: load and session succeed from failure point %ld on\n", n - 1);
    assert_true(n > 30); /* the sweep really went through the loader */
    free(g.p);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_sweep)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
