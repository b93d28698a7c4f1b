/*
 * Every convolution path of every ISA this CPU runs, against the scalar reference, at sizes
 * around the tiles (tile-1, tile, tile+1, k*tile+r for output channels and pixels), strides
 * 1 and 2, SAME and VALID pads, and the activation clamps; serial and on a 3-thread pool
 * (which must give bit-identical results). Outputs are checked to within 1e-5 of the sum of
 * the magnitudes of their terms (FMA and a different summation order change the rounding),
 * and the bytes after the output must stay untouched.
 * The seed is printed on failure; WI_TEST_SEED=<n> reruns one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernels.h"
#include "ukernels.h"

enum { GUARD = 67 };
static const float GUARD_VALUE = -12345.0f;
static uint64_t rng_state;
static uint64_t seed;
static wi_threadpool *pool3;

static float rnd(float lo, float hi) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return lo + (hi - lo) * (float)(rng_state >> 40) / (float)(1 << 24);
}

static float *rnd_buf(size_t n, float lo, float hi) {
    float *p = malloc((n ? n : 1) * sizeof(float));
    assert_non_null(p);
    for (size_t i = 0; i < n; i++) p[i] = rnd(lo, hi);
    return p;
}

static void abs_buf(float *p, size_t n) {
    for (size_t i = 0; i < n; i++) p[i] = fabsf(p[i]);
}

typedef struct clamp { float lo, hi; } clamp;
static const clamp clamps[] = {{-INFINITY, INFINITY}, {0.0f, 6.0f}, {0.0f, INFINITY}};

/* TensorFlow SAME padding before the data, for one dimension. */
static int same_pad(int in, int k, int s, int d, int *out) {
    *out = (in + s - 1) / s;
    int total = (*out - 1) * s + (k - 1) * d + 1 - in;
    return total > 0 ? total / 2 : 0;
}

static wi_conv_geom make_geom(int in_h, int in_w, int in_c, int out_c, int k, int s, int d,
                              int same, int depthwise) {
    wi_conv_geom g = {.in_h = in_h, .in_w = in_w, .in_c = in_c, .out_c = depthwise ? in_c : out_c,
                      .kernel_h = k, .kernel_w = k, .stride_h = s, .stride_w = s,
                      .dilation_h = d, .dilation_w = d, .depthwise = depthwise};
    if (same) {
        g.pad_top = same_pad(in_h, k, s, d, &g.out_h);
        g.pad_left = same_pad(in_w, k, s, d, &g.out_w);
    } else {
        g.out_h = (in_h - (k - 1) * d - 1) / s + 1;
        g.out_w = (in_w - (k - 1) * d - 1) / s + 1;
    }
    return g;
}

static void reference(const wi_conv_geom *g, const float *in, const float *f, const float *b,
                      float lo, float hi, float *out) {
    if (g->depthwise) wi_f32_dwconv2d_ref(g, in, f, b, lo, hi, out);
    else wi_f32_conv2d_ref(g, in, f, b, lo, hi, out);
}

static int checks;

/* Runs geometry g on one ISA, serial and threaded, and compares with the reference. */
static void check_case(const wi_conv_geom *g, wi_isa isa, clamp act, int with_bias) {
    const size_t in_n = (size_t)g->in_h * g->in_w * g->in_c;
    const size_t out_n = (size_t)g->out_h * g->out_w * g->out_c;
    const size_t f_n = (size_t)g->kernel_h * g->kernel_w * g->in_c * (g->depthwise ? 1 : g->out_c);
    float *in = rnd_buf(in_n, -2.0f, 2.0f), *f = rnd_buf(f_n, -1.0f, 1.0f);
    float *b = with_bias ? rnd_buf((size_t)g->out_c, -1.0f, 1.0f) : NULL;
    float *want = malloc(out_n * sizeof(float)), *mag = malloc(out_n * sizeof(float));
    float *got = malloc((out_n + GUARD) * sizeof(float));
    float *got_mt = malloc((out_n + GUARD) * sizeof(float));
    assert_true(want && mag && got && got_mt);
    reference(g, in, f, b, act.lo, act.hi, want);

    wi_conv_kernel *k = NULL;
    assert_int_equal(wi_conv_kernel_create_isa(g, f, b, act.lo, act.hi, isa, &k), WI_OK);
    size_t scratch_bytes = wi_conv_kernel_scratch_bytes(k);
    void *scratch = scratch_bytes ? aligned_alloc(64, (scratch_bytes + 63) / 64 * 64) : NULL;
    assert_true(scratch_bytes == 0 || scratch);
    for (size_t i = 0; i < out_n + GUARD; i++) got[i] = got_mt[i] = GUARD_VALUE;
    wi_conv_kernel_run(k, in, got, scratch, NULL);
    wi_conv_kernel_run(k, in, got_mt, scratch, pool3);
    /* the epilogue (FakeQuant, shortcut Add, FakeQuant) inside the kernel, on every path and
     * threaded: the bits of the run followed by the three separate loops */
    static const wi_fake_quant q1 = {0.02f, 128.0f, 0.0f, 255.0f}, q2 = {0.05f, -3.0f, -128.0f, 127.0f};
    float *res = rnd_buf(out_n, -3.0f, 3.0f), *got_res = malloc((out_n + GUARD) * sizeof(float));
    float *want_res = malloc(out_n * sizeof(float));
    assert_true(got_res && want_res);
    for (size_t i = 0; i < out_n + GUARD; i++) got_res[i] = GUARD_VALUE;
    const wi_conv_epilogue epi = {&q1, res, &q2};
    wi_conv_kernel_run_ex(k, in, &epi, got_res, scratch, pool3);
    wi_f32_fake_quant(got, want_res, out_n, &q1);
    for (size_t i = 0; i < out_n; i++) want_res[i] += res[i];
    wi_f32_fake_quant(want_res, want_res, out_n, &q2);
    for (size_t i = 0; i < out_n; i++) {
        if (memcmp(&got_res[i], &want_res[i], sizeof(float)) != 0)
            fail_msg("seed %llu isa %s (%s): with the epilogue out[%zu] = %.9g, separately %.9g",
                     (unsigned long long)seed, wi_isa_name(isa), wi_conv_kernel_name(k), i,
                     got_res[i], want_res[i]);
    }
    free(want_res);
    for (size_t i = out_n; i < out_n + GUARD; i++)
        if (got_res[i] != GUARD_VALUE) fail_msg("residual run wrote past the output");
    free(res);
    free(got_res);

    /* magnitude of the terms: the same convolution on absolute values, unclamped */
    abs_buf(in, in_n);
    abs_buf(f, f_n);
    if (b) abs_buf(b, (size_t)g->out_c);
    reference(g, in, f, b, -INFINITY, INFINITY, mag);

    for (size_t i = 0; i < out_n; i++) {
        float tol = 1e-5f * (mag[i] + 1e-3f);
        if (!(fabsf(got[i] - want[i]) <= tol) || memcmp(&got[i], &got_mt[i], sizeof(float)) != 0) {
            fail_msg("seed %llu isa %s (%s) %s %dx%dx%d -> %dx%dx%d k%dx%d s%d d%d pad %d,%d "
                     "clamp [%g,%g] bias %d: out[%zu] = %.9g (threaded %.9g), reference %.9g",
                     (unsigned long long)seed, wi_isa_name(isa), wi_conv_kernel_name(k),
                     g->depthwise ? "depthwise" : "conv", g->in_h, g->in_w, g->in_c, g->out_h,
                     g->out_w, g->out_c, g->kernel_h, g->kernel_w, g->stride_h, g->dilation_h,
                     g->pad_top, g->pad_left, act.lo, act.hi, with_bias, i, got[i], got_mt[i],
                     want[i]);
        }
    }
    for (size_t i = out_n; i < out_n + GUARD; i++)
        if (got[i] != GUARD_VALUE || got_mt[i] != GUARD_VALUE)
            fail_msg("seed %llu isa %s: wrote past the output (index %zu of %zu)",
                     (unsigned long long)seed, wi_isa_name(isa), i, out_n);
    checks++;
    wi_conv_kernel_free(k);
    free(scratch);
    free(in);
    free(f);
    free(b);
    free(want);
    free(mag);
    free(got);
    free(got_mt);
}

static void each_isa(const wi_conv_geom *g, int variant) {
    for (int isa = WI_ISA_REF; isa < WI_ISA_COUNT; isa++) {
        if (isa != WI_ISA_REF && !wi_isa_ukernels((wi_isa)isa)) continue;
        check_case(g, (wi_isa)isa, clamps[variant % 3], variant % 4 != 3);
    }
}

/* 1x1: pixels and output channels around every ISA's tile (MR 4/6/8, NR 8/16/32). */
static void test_gemm_1x1(void **state) {
    (void)state;
    static const int pixels[] = {1, 2, 3, 5, 6, 7, 8, 9, 13, 17, 25};
    static const int chans[] = {1, 3, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 48, 67};
    static const int depth[] = {1, 3, 16, 33};
    int v = 0;
    for (size_t p = 0; p < sizeof pixels / sizeof *pixels; p++)
        for (size_t c = 0; c < sizeof chans / sizeof *chans; c++, v++) {
            wi_conv_geom g = make_geom(1, pixels[p], depth[v % 4], chans[c], 1, 1, 1, 0, 0);
            each_isa(&g, v);
        }
    wi_conv_geom g = make_geom(7, 9, 24, 40, 1, 1, 1, 0, 0); /* 2-D image */
    each_isa(&g, 1);
    g = make_geom(3, 5, 300, 70, 1, 1, 1, 0, 0); /* deep K */
    each_isa(&g, 0);
}

/* Dense KxK: the direct segmented GEMM (the first MobileNet conv and friends) and im2col. */
static void test_im2col_conv(void **state) {
    (void)state;
    static const int outs[] = {8, 16, 17, 32, 33};
    int v = 0;
    for (size_t o = 0; o < sizeof outs / sizeof *outs; o++, v++) {
        wi_conv_geom g = make_geom(9, 11, 3, outs[o], 3, 2, 1, 1, 0); /* 3x3 s2 SAME */
        each_isa(&g, v);
        g = make_geom(8, 10, 3, outs[o], 3, 2, 1, 1, 0); /* even sizes: pad only after */
        each_isa(&g, v + 1);
        g = make_geom(6, 7, 5, outs[o], 3, 1, 1, 1, 0); /* 3x3 s1 SAME */
        each_isa(&g, v + 2);
        g = make_geom(7, 6, 4, outs[o], 3, 1, 1, 0, 0); /* VALID */
        each_isa(&g, v);
    }
    wi_conv_geom g = make_geom(11, 9, 3, 9, 5, 1, 2, 1, 0); /* 5x5, dilation 2 */
    each_isa(&g, 1);
    g = make_geom(9, 9, 6, 10, 1, 2, 1, 0, 0); /* 1x1 stride 2 */
    each_isa(&g, 2);
    g = make_geom(6, 7, 200, 20, 3, 1, 1, 1, 0); /* rows too long for the direct path: im2col */
    each_isa(&g, 0);
    g = make_geom(5, 9, 3, 17, 3, 2, 1, 1, 0); /* direct path, odd sizes, all borders */
    g.pad_top = 2;
    g.pad_left = 2;
    each_isa(&g, 1);
}

/* Depthwise 3x3: channels around the tiles (4/8/16), widths that leave no interior, one
 * interior pixel, odd and even interior counts, strides 1 and 2, SAME and VALID. */
static void test_dw3x3(void **state) {
    (void)state;
    static const int chans[] = {1, 3, 4, 5, 8, 9, 15, 16, 17, 24, 31, 32, 33, 48};
    static const int widths[] = {1, 2, 3, 4, 5, 6, 7, 8, 11};
    int v = 0;
    for (size_t c = 0; c < sizeof chans / sizeof *chans; c++)
        for (size_t w = 0; w < sizeof widths / sizeof *widths; w++, v++) {
            int stride = 1 + v % 2, same = (v / 2) % 3 != 0;
            int h = 1 + (v * 7) % 6;
            if (!same && (widths[w] < 3 || h < 3)) same = 1; /* VALID needs 3 pixels */
            wi_conv_geom g = make_geom(h, widths[w], chans[c], 0, 3, stride, 1, same, 1);
            each_isa(&g, v);
        }
}

/* Depthwise shapes the fast path hands to the reference: 5x5, dilation 2. */
static void test_dw_other(void **state) {
    (void)state;
    wi_conv_geom g = make_geom(9, 8, 17, 0, 5, 1, 1, 1, 1);
    each_isa(&g, 1);
    g = make_geom(9, 8, 16, 0, 3, 1, 2, 1, 1);
    each_isa(&g, 2);
    g = make_geom(12, 10, 20, 0, 3, 2, 1, 1, 1);
    each_isa(&g, 0);
}

/* MobileNet-like layer shapes, scaled down in space, at full channel counts. */
static void test_mobilenet_shapes(void **state) {
    (void)state;
    wi_conv_geom g = make_geom(15, 15, 3, 32, 3, 2, 1, 1, 0);
    each_isa(&g, 1);
    g = make_geom(8, 8, 144, 0, 3, 2, 1, 1, 1);
    each_isa(&g, 1);
    g = make_geom(7, 7, 960, 0, 3, 1, 1, 1, 1);
    each_isa(&g, 1);
    g = make_geom(7, 7, 960, 320, 1, 1, 1, 0, 0);
    each_isa(&g, 3);
    g = make_geom(1, 1, 1280, 1001, 1, 1, 1, 0, 0); /* the classifier as a 1x1 conv */
    each_isa(&g, 0);
}

/* Random geometries (seeded): sizes, channels, kernels 1/3/5, strides 1-3, dilations 1-2,
 * SAME and VALID, dense and depthwise, every clamp. */
static void test_random_geometries(void **state) {
    (void)state;
    static const int ks[] = {1, 3, 5};
    for (int v = 0; v < 150; v++) {
        int k = ks[(int)rnd(0.0f, 2.999f)], s = 1 + (int)rnd(0.0f, 2.999f);
        int d = k > 1 && rnd(0.0f, 1.0f) < 0.25f ? 2 : 1;
        int dw = rnd(0.0f, 1.0f) < 0.5f, same = rnd(0.0f, 1.0f) < 0.7f;
        int h = 1 + (int)rnd(0.0f, 11.999f), w = 1 + (int)rnd(0.0f, 11.999f);
        int cin = 1 + (int)rnd(0.0f, 39.999f), cout = 1 + (int)rnd(0.0f, 39.999f);
        int span = (k - 1) * d + 1;
        if (!same && (h < span || w < span)) same = 1;
        wi_conv_geom g = make_geom(h, w, cin, cout, k, s, d, same, dw);
        each_isa(&g, v);
    }
}

static void test_invalid(void **state) {
    (void)state;
    float f[9] = {0};
    wi_conv_kernel *k = (wi_conv_kernel *)f;
    wi_conv_geom g = make_geom(3, 3, 1, 1, 3, 1, 1, 1, 0);
    g.stride_h = 0;
    assert_int_equal(wi_conv_kernel_create(&g, f, NULL, 0, 6, &k), WI_E_INVALID_ARGUMENT);
    assert_null(k);
    g = make_geom(3, 3, 2, 0, 3, 1, 1, 1, 1);
    g.out_c = 3; /* depthwise must keep the channel count */
    assert_int_equal(wi_conv_kernel_create(&g, f, NULL, 0, 6, &k), WI_E_INVALID_ARGUMENT);
    assert_int_equal(wi_conv_kernel_create(NULL, f, NULL, 0, 6, &k), WI_E_INVALID_ARGUMENT);
    wi_conv_kernel_free(NULL);
}

/* Rounding onto a quantization grid: every ISA's vector version gives the reference's bits,
 * on random values, exact ties, values beyond the grid, infinities and NaN, at every length
 * around the vector widths (tails). */
static void test_fake_quant_every_isa(void **state) {
    (void)state;
    static const wi_fake_quant grids[] = {{0.0235294f, 128.0f, 0.0f, 255.0f},
                                          {0.05f, -3.0f, -128.0f, 127.0f},
                                          {1.0f / 256.0f, 0.0f, 0.0f, 255.0f}};
    enum { N = 77 };
    float in[N], want[N], got[N];
    for (size_t g = 0; g < sizeof grids / sizeof *grids; g++) {
        const wi_fake_quant *q = &grids[g];
        for (int i = 0; i < N; i++) in[i] = rnd(-8.0f, 8.0f);
        in[0] = NAN;
        in[1] = INFINITY;
        in[2] = -INFINITY;
        in[3] = (10.5f - q->zero_point) * q->scale; /* a tie (as near as floats get) */
        in[4] = -0.0f;
        in[5] = 1e30f;
        for (int isa = WI_ISA_GENERIC; isa < WI_ISA_COUNT; isa++) {
            const wi_f32_ukernels *uk = wi_isa_ukernels((wi_isa)isa);
            if (!uk) continue;
            assert_non_null(uk->fake_quant);
            for (size_t n = 0; n <= N; n++) {
                wi_f32_fake_quant_ref(in, want, n, q);
                memset(got, 0xAB, sizeof got);
                uk->fake_quant(in, got, n, q);
                if (n && memcmp(got, want, n * sizeof(float)) != 0)
                    fail_msg("isa %s, grid %zu, %zu values: not the reference's bits", wi_isa_name((wi_isa)isa), g, n);
                for (size_t i = n; i < N; i++) {
                    uint32_t bits;
                    memcpy(&bits, &got[i], sizeof bits);
                    if (bits != 0xABABABABu) fail_msg("isa %s wrote past %zu values", wi_isa_name((wi_isa)isa), n);
                }
            }
        }
        wi_f32_fake_quant(in, got, N, q); /* the dispatching entry point, in place too */
        wi_f32_fake_quant_ref(in, want, N, q);
        assert_memory_equal(got, want, sizeof got);
        memcpy(got, in, sizeof got);
        wi_f32_fake_quant(got, got, N, q);
        assert_memory_equal(got, want, sizeof got);
    }
}

static int setup(void **state) {
    (void)state;
    const char *s = getenv("WI_TEST_SEED");
    seed = s ? strtoull(s, NULL, 10) : 20260517u;
    rng_state = seed ? seed : 1;
    pool3 = wi_threadpool_create(3);
    printf("seed %llu, isa %s\n", (unsigned long long)seed, wi_kernels_isa());
    return pool3 ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    wi_threadpool_free(pool3);
    printf("%d kernel checks\n", checks);
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gemm_1x1),   cmocka_unit_test(test_im2col_conv),
        cmocka_unit_test(test_dw3x3),      cmocka_unit_test(test_dw_other),
        cmocka_unit_test(test_mobilenet_shapes), cmocka_unit_test(test_random_geometries),
        cmocka_unit_test(test_invalid),    cmocka_unit_test(test_fake_quant_every_isa),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
