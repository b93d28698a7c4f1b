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
#include "alloc-sweep.h"
#include "wasinfer.h"


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

static wi_status load_graph(void *ctx, wi_model **out, wi_error *err) {
    pbw *g = ctx;
    wi_status st = wi_model_load(g->p, g->n, NULL, out, err);
    if (st == WI_OK && !wi_model_output_is_probabilities(*out)) fail_msg("the graph should end in Softmax");
    return st;
}

static void test_sweep(void **state) {
    pbw g;
    build_graph(&g);
    wi_test_alloc_sweep(load_graph, &g);
    free(g.p);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_sweep)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
