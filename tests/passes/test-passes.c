/*
 * Graph passes, as text and as numbers: small graphs are dumped after the passes and compared
 * with the expected text (op kinds, fusion labels, shapes), and their outputs with the same
 * graph built without fusion. Also: topological order of shuffled nodes, cycles, dead nodes,
 * Identity chains, and the memory plan (reuse, and no two live buffers overlapping, checked
 * on the real MobileNet V2).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "formats/test-data.h"
#include "ops/op-runner.h"
#include "wasinfer.h"

enum { H = 6, W = 5, CI = 3, CO = 4 };

static void expect_close(const float *a, const float *b, size_t n, float tol) {
    for (size_t i = 0; i < n; i++)
        if (!(fabsf(a[i] - b[i]) <= tol * (1.0f + fabsf(b[i]))))
            fail_msg("element %zu: fused %.7g, unfused %.7g (seed %llu)", i, a[i], b[i],
                     (unsigned long long)og_seed);
}

typedef int (*graph_fn)(wi_graph *g, int in);

/* Builds the graph twice (fused and not), runs both on one input and compares; returns the
 * fused dump in `dump`. */
static void run_both(graph_fn build, char *dump, size_t cap, char *unfused_dump, size_t ucap) {
    int64_t xd[4] = {1, H, W, CI};
    float *x = og_rand_buf(H * W * CI, -2, 2);
    uint64_t seed = og_rng;
    wi_graph *g = wi_graph_create(0);
    int in = og_input(g, 4, xd);
    int out = build(g, in);
    size_t n1, n2;
    float *fused = og_run(g, in, out, x, &n1, WI_BUILD_DEFAULT, dump, cap);
    og_rng = seed; /* the same constants */
    g = wi_graph_create(0);
    in = og_input(g, 4, xd);
    out = build(g, in);
    float *plain = og_run(g, in, out, x, &n2, WI_BUILD_NO_FUSION, unfused_dump, ucap);
    assert_non_null(fused);
    assert_non_null(plain);
    assert_int_equal(n1, n2);
    expect_close(fused, plain, n1, 1e-5f);
    free(fused);
    free(plain);
    free(x);
}

static int conv(wi_graph *g, int in, wi_op_kind op, int co) {
    int64_t wd[4] = {3, 3, CI, op == WI_OP_CONV2D ? co : 1};
    float *w = og_rand_buf((size_t)(9 * CI * wd[3]), -1, 1);
    int wid = og_const(g, "w", WI_DTYPE_FLOAT32, 4, wd, w);
    free(w);
    wi_op_params p = og_conv_params(1, 1, 1, 1, WI_PAD_SAME);
    int ins[2] = {in, wid};
    return og_node(g, op, "conv", ins, 2, &p);
}

static int channel_const(wi_graph *g, const char *name, int c, float lo, float hi) {
    int64_t d[1] = {c};
    float *v = og_rand_buf((size_t)c, lo, hi);
    int id = og_const(g, name, WI_DTYPE_FLOAT32, 1, d, v);
    free(v);
    return id;
}

/* A FusedBatchNorm named `name` over y, with random statistics. */
static int batchnorm(wi_graph *g, int y, const char *name) {
    int bn[5] = {y, channel_const(g, "gamma", CO, 0.5f, 2), channel_const(g, "beta", CO, -1, 1),
                 channel_const(g, "mean", CO, -1, 1), channel_const(g, "var", CO, 0.1f, 2)};
    wi_op_params p;
    memset(&p, 0, sizeof p);
    p.batchnorm.epsilon = 0.001f;
    return og_node(g, WI_OP_BATCHNORM, name, bn, 5, &p);
}

static int conv_bn_relu6(wi_graph *g, int in) {
    int z = batchnorm(g, conv(g, in, WI_OP_CONV2D, CO), "bn");
    return og_node(g, WI_OP_RELU6, "relu6", &z, 1, NULL);
}

static void test_fold_batchnorm(void **state) {
    char dump[1024], plain[1024];
    run_both(conv_bn_relu6, dump, sizeof dump, plain, sizeof plain);
    assert_string_equal(dump, "Conv2D+BatchNorm+Relu6 'conv' (x[1,6,5,3], w[3,3,3,4]*, conv/bias[4]*) -> relu6[1,6,5,4]\n");
    assert_string_equal(plain,
                        "Conv2D 'conv' (x[1,6,5,3], w[3,3,3,4]*) -> conv[1,6,5,4]\n"
                        "FusedBatchNorm 'bn' (conv[1,6,5,4], gamma[4]*, beta[4]*, mean[4]*, var[4]*) -> bn[1,6,5,4]\n"
                        "Relu6 'relu6' (bn[1,6,5,4]) -> relu6[1,6,5,4]\n");
}

/* TF-Hub's unrolled batch norm after a depthwise conv: Mul by a constant, Add a constant. */
static int dw_mul_add_relu6(wi_graph *g, int in) {
    int y = conv(g, in, WI_OP_DEPTHWISE_CONV2D, CI);
    int m[2] = {channel_const(g, "scale", CI, 0.5f, 2), y}; /* constant on the left */
    int z = og_node(g, WI_OP_MUL, "mul", m, 2, NULL);
    int a[2] = {z, channel_const(g, "offset", CI, -1, 1)};
    int b = og_node(g, WI_OP_ADD, "add", a, 2, NULL);
    return og_node(g, WI_OP_RELU6, "relu6", &b, 1, NULL);
}

static void test_fold_mul_add(void **state) {
    char dump[1024], plain[1024];
    run_both(dw_mul_add_relu6, dump, sizeof dump, plain, sizeof plain);
    assert_string_equal(dump, "DepthwiseConv2dNative+Mul+BiasAdd+Relu6 'conv' (x[1,6,5,3], w[3,3,3,1]*, conv/bias[3]*) -> relu6[1,6,5,3]\n");
    assert_non_null(strstr(plain, "Mul 'mul'"));
}

static int conv_biasadd_sub_relu(wi_graph *g, int in) {
    int y = conv(g, in, WI_OP_CONV2D, CO);
    int b[2] = {y, channel_const(g, "bias", CO, -1, 1)};
    int z = og_node(g, WI_OP_BIAS_ADD, "biasadd", b, 2, NULL);
    int s[2] = {z, channel_const(g, "shift", CO, -1, 1)};
    int u = og_node(g, WI_OP_SUB, "sub", s, 2, NULL);
    return og_node(g, WI_OP_RELU, "relu", &u, 1, NULL);
}

static void test_fuse_bias_relu(void **state) {
    char dump[1024], plain[1024];
    run_both(conv_biasadd_sub_relu, dump, sizeof dump, plain, sizeof plain);
    assert_string_equal(dump, "Conv2D+BiasAdd+BiasAdd+Relu 'conv' (x[1,6,5,3], w[3,3,3,4]*, conv/bias[4]*) -> relu[1,6,5,4]\n");
}

/* The conv output is read twice: nothing may be fused into it. */
static int shared_output(wi_graph *g, int in) {
    int y = conv(g, in, WI_OP_CONV2D, CO);
    int r = og_node(g, WI_OP_RELU6, "relu6", &y, 1, NULL);
    int a[2] = {r, y};
    return og_node(g, WI_OP_ADD, "add", a, 2, NULL);
}

/* An activation before the batch norm: the batch norm cannot move into the conv. */
static int relu_then_bn(wi_graph *g, int in) {
    int y = conv(g, in, WI_OP_CONV2D, CO);
    int r = og_node(g, WI_OP_RELU, "relu", &y, 1, NULL);
    int m[2] = {r, channel_const(g, "scale", CO, -2, 2)};
    return og_node(g, WI_OP_MUL, "mul", m, 2, NULL);
}

static void test_no_unsafe_fusion(void **state) {
    char dump[1024], plain[1024];
    run_both(shared_output, dump, sizeof dump, plain, sizeof plain);
    assert_string_equal(dump, "Conv2D 'conv' (x[1,6,5,3], w[3,3,3,4]*) -> conv[1,6,5,4]\n"
                              "Relu6 'relu6' (conv[1,6,5,4]) -> relu6[1,6,5,4]\n"
                              "Add 'add' (relu6[1,6,5,4], conv[1,6,5,4]) -> add[1,6,5,4]\n");
    run_both(relu_then_bn, dump, sizeof dump, plain, sizeof plain);
    assert_string_equal(dump, "Conv2D+Relu 'conv' (x[1,6,5,3], w[3,3,3,4]*) -> relu[1,6,5,4]\n"
                              "Mul 'mul' (relu[1,6,5,4], scale[4]*) -> mul[1,6,5,4]\n");
}

/* Two convolutions share one filter constant, each with its own batch norm: folding one
 * must not change the other's filter. */
static int shared_filter(wi_graph *g, int in) {
    int64_t wd[4] = {3, 3, CI, CO};
    float *w = og_rand_buf(9 * CI * CO, -1, 1);
    int wid = og_const(g, "w", WI_DTYPE_FLOAT32, 4, wd, w);
    free(w);
    wi_op_params p = og_conv_params(1, 1, 1, 1, WI_PAD_SAME);
    int outs[2];
    for (int k = 0; k < 2; k++) {
        int ins[2] = {in, wid};
        int y = og_node(g, WI_OP_CONV2D, k ? "conv_b" : "conv_a", ins, 2, &p);
        outs[k] = batchnorm(g, y, k ? "bn_b" : "bn_a");
    }
    return og_node(g, WI_OP_SUB, "diff", outs, 2, NULL);
}

/* Batch norm, then a per-channel Mul, on one conv: both scales reach the filter, in order
 * (the first is applied while packing unless a second one follows; ir/conv-absorb.c). */
static int bn_then_mul(wi_graph *g, int in) {
    int z = batchnorm(g, conv(g, in, WI_OP_CONV2D, CO), "bn");
    int ins[2] = {z, channel_const(g, "scale", CO, -2, 2)};
    return og_node(g, WI_OP_MUL, "mul", ins, 2, NULL);
}

static void test_two_scales_on_one_conv(void **state) {
    char dump[1024], plain[1024];
    run_both(bn_then_mul, dump, sizeof dump, plain, sizeof plain);
    assert_non_null(strstr(dump, "Conv2D+BatchNorm+Mul 'conv'"));
}

static void test_shared_filter(void **state) {
    char dump[1024], plain[1024];
    run_both(shared_filter, dump, sizeof dump, plain, sizeof plain);
    assert_non_null(strstr(dump, "Conv2D+BatchNorm 'conv_a'"));
    assert_non_null(strstr(dump, "Conv2D+BatchNorm 'conv_b'"));
}

static void test_topo_order_and_identity(void **state) {
    /* nodes added consumer-first; Identity chains vanish; a dead branch is dropped */
    const int64_t xd[2] = {2, 3};
    float x[6] = {-1, 2, -3, 4, -5, 6};
    wi_graph *g = wi_graph_create(0);
    int in = og_input(g, 2, xd);
    int v_id1 = wi_graph_add_value(g, "id1"), v_id2 = wi_graph_add_value(g, "id2");
    int v_relu = wi_graph_add_value(g, "relu"), v_dead = wi_graph_add_value(g, "dead");
    wi_graph_add_node(g, WI_OP_RELU, "relu", NULL, &v_id2, 1, v_relu);
    wi_graph_add_node(g, WI_OP_SOFTMAX, "dead", NULL, &v_id1, 1, v_dead);
    wi_graph_add_node(g, WI_OP_IDENTITY, "id2", NULL, &v_id1, 1, v_id2);
    wi_graph_add_node(g, WI_OP_IDENTITY, "id1", NULL, &in, 1, v_id1);
    char dump[512];
    size_t n;
    float *got = og_run(g, in, v_relu, x, &n, 0, dump, sizeof dump);
    assert_non_null(got);
    assert_string_equal(dump, "Relu 'relu' (x[2,3]) -> relu[2,3]\n");
    float want[6] = {0, 2, 0, 4, 0, 6};
    assert_memory_equal(got, want, sizeof want);
    free(got);
}

static void test_cycle(void **state) {
    const int64_t xd[1] = {4};
    wi_graph *g = wi_graph_create(0);
    int in = og_input(g, 1, xd);
    int a = wi_graph_add_value(g, "a"), b = wi_graph_add_value(g, "b");
    int ia[2] = {in, b}, ib[2] = {a, in};
    wi_graph_add_node(g, WI_OP_ADD, "a", NULL, ia, 2, a);
    wi_graph_add_node(g, WI_OP_ADD, "b", NULL, ib, 2, b);
    wi_error err;
    assert_int_equal(og_build_error(g, in, b, &err), WI_E_MALFORMED);
    assert_non_null(strstr(err.message, "cycle"));
}

static void test_memory_reuse(void **state) {
    /* x -> relu -> relu6 -> relu -> relu6: the middle buffers take turns */
    const int64_t xd[2] = {16, 16}; /* 1 KiB each */
    wi_graph *g = wi_graph_create(0);
    int v = og_input(g, 2, xd), in = v;
    for (int i = 0; i < 4; i++) v = og_node(g, i % 2 ? WI_OP_RELU6 : WI_OP_RELU, i % 2 ? "r6" : "r", &v, 1, NULL);
    wi_model *m = NULL;
    wi_error err;
    assert_int_equal(wi_model_build(g, in, v, 4, WI_FORMAT_TF_GRAPHDEF, 0, &m, &err), WI_OK);
    wi_model_stats st;
    wi_model_get_stats(m, &st);
    /* lifetimes: x [start,end], r1 [0,1], r2 [1,2], r3 [2,3], out [3,end]:
     * r3 reuses r1's slot and out reuses r2's, so 3 buffers instead of 5 */
    assert_int_equal(st.arena_bytes, 3 * 1024);
    wi_model_free(m);
}

/* On the real model: no two buffers whose lifetimes overlap share bytes. */
static void test_plan_has_no_conflicts(void **state) {
    size_t len = 0;
    unsigned char *bytes = wi_test_read_data("models/tf/mobilenet_v2_1.0_224_frozen.pb", &len);
    assert_non_null(bytes);
    wi_model *m = NULL;
    wi_error err;
    assert_int_equal(wi_model_load(bytes, len, NULL, &m, &err), WI_OK);
    free(bytes);
    const wi_graph *g = m->graph;
    int count = g->value_count;
    int *first = malloc(sizeof(int) * (size_t)count), *last = malloc(sizeof(int) * (size_t)count);
    for (int v = 0; v < count; v++) {
        const wi_value *val = &g->values[v];
        int planned = !val->data && (val->is_input || val->producer >= 0);
        first[v] = planned ? (val->is_input ? -1 : val->producer) : -2;
        last[v] = (v == m->output || val->is_input) ? g->node_count : first[v];
    }
    for (int i = 0; i < g->node_count; i++)
        for (int j = 0; j < g->nodes[i].input_count; j++) {
            int v = g->nodes[i].inputs[j];
            if (first[v] != -2 && last[v] < i) last[v] = i;
        }
    int planned = 0;
    for (int a = 0; a < count; a++) {
        if (first[a] == -2) continue;
        planned++;
        size_t a0 = g->values[a].arena_offset, a1 = a0 + wi_value_bytes(&g->values[a]);
        assert_true(a1 <= m->stats.arena_bytes);
        assert_int_equal(a0 % 64, 0);
        for (int b = a + 1; b < count; b++) {
            if (first[b] == -2 || first[a] > last[b] || first[b] > last[a]) continue;
            size_t b0 = g->values[b].arena_offset, b1 = b0 + wi_value_bytes(&g->values[b]);
            if (a0 < b1 && b0 < a1)
                fail_msg("'%s' and '%s' are live together but overlap", g->values[a].name, g->values[b].name);
        }
    }
    assert_true(planned > 45); /* 51 nodes after fusion (inspect), each output planned */
    wi_model_free(m);
    free(first);
    free(last);
}

int main(void) {
    const char *seed = getenv("WI_TEST_SEED");
    if (seed) og_reseed(strtoull(seed, NULL, 10));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fold_batchnorm),       cmocka_unit_test(test_fold_mul_add),
        cmocka_unit_test(test_fuse_bias_relu),       cmocka_unit_test(test_no_unsafe_fusion),
        cmocka_unit_test(test_shared_filter),
        cmocka_unit_test(test_two_scales_on_one_conv),
        cmocka_unit_test(test_topo_order_and_identity), cmocka_unit_test(test_cycle),
        cmocka_unit_test(test_memory_reuse),         cmocka_unit_test(test_plan_has_no_conflicts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
