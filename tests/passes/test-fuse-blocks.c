/*
 * Inverted-residual block fusion (ir/fuse-blocks.c): the fused graph's dump, outputs
 * bit-identical to the same graph built without block fusion (1 and 2 threads), chains that
 * must not fuse, and the real MobileNet V2 1.0 fused vs unfused (WASINFER_NO_BLOCK_FUSION).
 */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "formats/test-data.h"
#include "ops/op-runner.h"
#include "wasinfer.h"

/* 32x32 pixels expanded to 256 channels: exactly the 1 MiB from which the kernels fuse. */
enum { H = 32, W = 32, C = 16, E = 256 };

static int conv1x1(wi_graph *g, int in, const char *name, int cin, int cout, float act_max) {
    int64_t wd[4] = {1, 1, cin, cout}, bd[1] = {cout};
    float *w = og_rand_buf((size_t)(cin * cout), -0.3f, 0.3f);
    float *b = og_rand_buf((size_t)cout, -0.5f, 0.5f);
    char wname[64];
    snprintf(wname, sizeof wname, "%s/w", name);
    int ins[2] = {in, og_const(g, wname, WI_DTYPE_FLOAT32, 4, wd, w)};
    wi_op_params p = og_conv_params(1, 1, 1, 1, WI_PAD_SAME);
    int y = og_node(g, WI_OP_CONV2D, name, ins, 2, &p);
    snprintf(wname, sizeof wname, "%s/b", name);
    int bias[2] = {y, og_const(g, wname, WI_DTYPE_FLOAT32, 1, bd, b)};
    snprintf(wname, sizeof wname, "%s/add", name);
    y = og_node(g, WI_OP_BIAS_ADD, wname, bias, 2, NULL);
    free(w);
    free(b);
    if (act_max > 0) y = og_node(g, WI_OP_RELU6, name[0] == 'e' ? "expand/relu6" : "relu6", &y, 1, NULL);
    return y;
}

static int dw3x3(wi_graph *g, int in, int c, int stride) {
    int64_t wd[4] = {3, 3, c, 1};
    float *w = og_rand_buf((size_t)(9 * c), -0.5f, 0.5f);
    int ins[2] = {in, og_const(g, "dw/w", WI_DTYPE_FLOAT32, 4, wd, w)};
    free(w);
    wi_op_params p = og_conv_params(stride, stride, 1, 1, WI_PAD_SAME);
    int y = og_node(g, WI_OP_DEPTHWISE_CONV2D, "dw", ins, 2, &p);
    return og_node(g, WI_OP_RELU6, "dw/relu6", &y, 1, NULL);
}

typedef int (*graph_fn)(wi_graph *g, int in);

/* expand -> depthwise -> project, + the input (MobileNet V2's stride-1 block) */
static int block_with_shortcut(wi_graph *g, int in) {
    int y = conv1x1(g, dw3x3(g, conv1x1(g, in, "expand", C, E, 6), E, 1), "project", E, C, 0);
    int a[2] = {in, y}; /* the shortcut on the left, as TF-slim writes it */
    return og_node(g, WI_OP_ADD, "add", a, 2, NULL);
}

/* stride 2, no shortcut: the block ends at the project conv */
static int block_stride2(wi_graph *g, int in) {
    return conv1x1(g, dw3x3(g, conv1x1(g, in, "expand", C, E, 6), E, 2), "project", E, 24, 0);
}

/* no expand conv (MobileNet V2's first block): depthwise straight on the input */
static int block_no_expand(wi_graph *g, int in) {
    int x = og_node(g, WI_OP_RELU6, "in/relu6", &in, 1, NULL);
    return conv1x1(g, dw3x3(g, x, C, 1), "project", C, 8, 0);
}

/* the expanded tensor is also read by another node: it must stay in the arena, so only the
 * depthwise and the project fuse (and the Add, whose other operand is that tensor) */
static int expanded_read_twice(wi_graph *g, int in) {
    int e = conv1x1(g, in, "expand", C, E, 6);
    int y = conv1x1(g, dw3x3(g, e, E, 1), "project", E, E, 0);
    int a[2] = {y, e};
    return og_node(g, WI_OP_ADD, "add", a, 2, NULL);
}

/* Runs `m` once on `threads` threads with input `x` (NULL: a fixed pattern); returns a malloc'd
 * copy of the output and its length in *count. */
static float *run_model(const wi_model *m, int threads, const float *x, size_t *count) {
    wi_session_options o;
    wi_session_options_init(&o);
    o.threads = threads;
    wi_session *s = NULL;
    wi_error err;
    if (wi_session_create(m, &o, &s, &err) != WI_OK) fail_msg("session: %s", err.message);
    size_t n;
    float *in = wi_session_input_buffer(s, 0, &n);
    for (size_t i = 0; i < n; i++) in[i] = x ? x[i] : (float)((i * 7919u) % 255u) / 127.5f - 1.0f;
    assert_int_equal(wi_session_run(s), WI_OK);
    const float *y = wi_session_output(s, 0, count);
    float *copy = malloc(sizeof(float) * *count);
    memcpy(copy, y, sizeof(float) * *count);
    wi_session_free(s);
    return copy;
}

/* Builds `build` twice, with and without block fusion, runs both on one input with `threads`
 * threads and requires the same bits; returns the fused graph's dump in `dump`. */
static void run_both(graph_fn build, int threads, char *dump, size_t cap) {
    int64_t xd[4] = {1, H, W, C};
    float *x = og_rand_buf(H * W * C, -2, 2);
    uint64_t seed = og_rng;
    float *out[2] = {NULL, NULL};
    size_t count[2] = {0, 0};
    for (int pass = 0; pass < 2; pass++) {
        og_rng = seed; /* the same constants */
        wi_graph *g = wi_graph_create(0);
        int in = og_input(g, 4, xd);
        int y = build(g, in);
        wi_model *m = NULL;
        wi_error err;
        unsigned flags = pass == 0 ? WI_BUILD_DEFAULT : WI_BUILD_NO_BLOCKS;
        if (wi_model_build(g, in, y, 1, WI_FORMAT_TF_GRAPHDEF, flags, &m, &err) != WI_OK)
            fail_msg("build failed: %s", err.message);
        if (pass == 0) wi_graph_dump(m->graph, dump, cap);
        out[pass] = run_model(m, threads, x, &count[pass]);
        wi_model_free(m);
    }
    assert_int_equal(count[0], count[1]);
    for (size_t i = 0; i < count[0]; i++)
        if (memcmp(&out[0][i], &out[1][i], sizeof(float)) != 0)
            fail_msg("element %zu: fused %.9g, unfused %.9g (seed %llu)", i, out[0][i], out[1][i],
                     (unsigned long long)og_seed);
    free(out[0]);
    free(out[1]);
    free(x);
}

static void test_block_with_shortcut(void **state) {
    char dump[2048];
    for (int threads = 1; threads <= 2; threads++) {
        run_both(block_with_shortcut, threads, dump, sizeof dump);
        assert_string_equal(dump, "Block:Conv2D>Depthwise>Conv2D+Add 'project' (x[1,32,32,16], "
                                  "project/w[1,1,256,16]*, project/bias[16]*, x[1,32,32,16]) "
                                  "-> add[1,32,32,16]\n");
    }
}

static void test_block_stride2(void **state) {
    char dump[2048];
    for (int threads = 1; threads <= 2; threads++) {
        run_both(block_stride2, threads, dump, sizeof dump);
        assert_string_equal(dump, "Block:Conv2D>Depthwise>Conv2D 'project' (x[1,32,32,16], "
                                  "project/w[1,1,256,24]*, project/bias[24]*) -> project/add[1,16,16,24]\n");
    }
}

/* Too small to pay (64 KB at the depthwise input): left alone. */
static void test_small_block_not_fused(void **state) {
    char dump[2048];
    run_both(block_no_expand, 1, dump, sizeof dump);
    assert_null(strstr(dump, "Block:"));
    assert_non_null(strstr(dump, "DepthwiseConv2dNative+Relu6 'dw'"));
}

static void test_shared_expansion_not_fused(void **state) {
    char dump[2048];
    run_both(expanded_read_twice, 1, dump, sizeof dump);
    assert_string_equal(dump, "Conv2D+BiasAdd+Relu6 'expand' (x[1,32,32,16], expand/w[1,1,16,256]*, "
                              "expand/bias[256]*) -> expand/relu6[1,32,32,256]\n"
                              "Block:Depthwise>Conv2D+Add 'project' (expand/relu6[1,32,32,256], "
                              "project/w[1,1,256,256]*, project/bias[256]*, expand/relu6[1,32,32,256]) "
                              "-> add[1,32,32,256]\n");
}

typedef struct labels {
    int blocks, adds, folded_adds;
} labels;

static void count_labels(const char *name, int count, void *user) {
    labels *l = user;
    if (strncmp(name, "Block:", 6) == 0) l->blocks += count;
    if (strcmp(name, "Add") == 0) l->adds += count;
    size_t n = strlen(name);
    if (n > 4 && strcmp(name + n - 4, "+Add") == 0) l->folded_adds += count;
}

/* Loads MobileNet V2 1.0 (block fusion on or off), runs it on a fixed input with `threads`
 * threads; returns the output (1001 floats, malloc'd) and the label counts. */
static float *run_mobilenet(const unsigned char *bytes, size_t len, int fused, int threads,
                            labels *l) {
    if (fused) unsetenv("WASINFER_NO_BLOCK_FUSION");
    else setenv("WASINFER_NO_BLOCK_FUSION", "1", 1);
    wi_model *m = NULL;
    wi_error err;
    if (wi_model_load(bytes, len, NULL, &m, &err) != WI_OK) fail_msg("load: %s", err.message);
    unsetenv("WASINFER_NO_BLOCK_FUSION");
    memset(l, 0, sizeof *l);
    wi_model_op_histogram(m, count_labels, l);
    size_t n;
    float *copy = run_model(m, threads, NULL, &n);
    assert_int_equal(n, 1001);
    wi_model_free(m);
    return copy;
}

static void test_mobilenet_fused_equals_unfused(void **state) {
    size_t len = 0;
    unsigned char *bytes = wi_test_read_data("models/tf/mobilenet_v2_1.0_224_frozen.pb", &len);
    assert_non_null(bytes);
    labels plain, fused;
    float *ref = run_mobilenet(bytes, len, 0, 1, &plain);
    assert_int_equal(plain.blocks, 0);
    assert_int_equal(plain.adds, 10);
    assert_int_equal(plain.folded_adds, 0);
    for (int threads = 1; threads <= 2; threads++) {
        float *y = run_mobilenet(bytes, len, 1, threads, &fused);
        /* the blocks whose expanded tensor is >= 1 MiB: the first (no expand) and the 112x112
         * and 56x56 ones, one of them with its shortcut Add */
        assert_int_equal(fused.blocks, 4);
        /* every shortcut Add folded: into its block, or into the project conv of an unfused
         * block, whose GEMM adds the shortcut tile by tile */
        assert_int_equal(fused.adds, 0);
        assert_int_equal(fused.folded_adds, 10);
        assert_memory_equal(y, ref, sizeof(float) * 1001);
        free(y);
    }
    free(ref);
    free(bytes);
}

int main(void) {
    const char *seed = getenv("WI_TEST_SEED");
    if (seed) og_reseed(strtoull(seed, NULL, 10));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_block_with_shortcut),
        cmocka_unit_test(test_block_stride2),
        cmocka_unit_test(test_small_block_not_fused),
        cmocka_unit_test(test_shared_expansion_not_fused),
        cmocka_unit_test(test_mobilenet_fused_equals_unfused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
