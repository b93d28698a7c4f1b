/*
 * The fused inverted-residual block (expand 1x1 -> depthwise 3x3 -> project 1x1, plus the
 * shortcut Add where the shapes allow) gives bit-identical results to the three kernels and the
 * Add run one after the other, on every ISA, with and without the expansion, with a 3x3
 * stride-2 direct convolution as the expansion, strides 1 and 2, SAME and VALID, serial and on
 * a 3-thread pool.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "conv-kernel-internal.h"

static uint64_t rng = 88172645463325252u;
static float rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (float)(rng >> 40) / (float)(1 << 23) - 1.0f;
}
static float *rnd_buf(size_t n) {
    float *p = malloc(n * sizeof(float));
    assert_non_null(p);
    for (size_t i = 0; i < n; i++) p[i] = rnd();
    return p;
}
static void *scratch_alloc(size_t bytes) {
    void *p = aligned_alloc(64, (bytes + 64) / 64 * 64);
    assert_non_null(p);
    return p;
}

static wi_conv_kernel *make(wi_conv_geom g, wi_isa isa, float lo, float hi) {
    size_t n = (size_t)g.kernel_h * g.kernel_w * g.in_c * (g.depthwise ? 1 : g.out_c);
    float *f = rnd_buf(n), *b = rnd_buf((size_t)g.out_c);
    wi_conv_kernel *k = NULL;
    assert_int_equal(wi_conv_kernel_create_isa(&g, f, b, lo, hi, isa, &k), WI_OK);
    free(f);
    free(b);
    return k;
}

enum { NO_EXPAND, EXPAND_1X1, EXPAND_3X3_S2 };

/* expand: NO_EXPAND (the depthwise reads the block input), EXPAND_1X1 (h x w x cin in), or
 * EXPAND_3X3_S2 (MobileNet's first convolution on the direct path: a (2h) x (2w) x cin input,
 * SAME padding, to h x w x e). */
static void check_block(wi_isa isa, int h, int w, int cin, int e, int cout, int stride,
                        int same, int expand, wi_threadpool *pool) {
    const int with_expand = expand != NO_EXPAND;
    wi_conv_geom ge = {.in_h = h, .in_w = w, .in_c = cin, .out_h = h, .out_w = w, .out_c = e,
                       .kernel_h = 1, .kernel_w = 1, .stride_h = 1, .stride_w = 1,
                       .dilation_h = 1, .dilation_w = 1};
    if (expand == EXPAND_3X3_S2) {
        ge.in_h = 2 * h;
        ge.in_w = 2 * w;
        ge.kernel_h = ge.kernel_w = 3;
        ge.stride_h = ge.stride_w = 2;
        ge.pad_top = ge.pad_left = 0; /* SAME on an even size at stride 2: one padding row after */
    }
    if (!with_expand) e = cin;
    wi_conv_geom gd = {.in_h = h, .in_w = w, .in_c = e, .out_c = e, .kernel_h = 3, .kernel_w = 3,
                       .stride_h = stride, .stride_w = stride, .dilation_h = 1,
                       .dilation_w = 1, .depthwise = 1};
    gd.out_h = same ? (h + stride - 1) / stride : (h - 3) / stride + 1;
    gd.out_w = same ? (w + stride - 1) / stride : (w - 3) / stride + 1;
    if (same) {
        int th = (gd.out_h - 1) * stride + 3 - h, tw = (gd.out_w - 1) * stride + 3 - w;
        gd.pad_top = th > 0 ? th / 2 : 0;
        gd.pad_left = tw > 0 ? tw / 2 : 0;
    }
    wi_conv_geom gp = {.in_h = gd.out_h, .in_w = gd.out_w, .in_c = e, .out_h = gd.out_h,
                       .out_w = gd.out_w, .out_c = cout, .kernel_h = 1, .kernel_w = 1,
                       .stride_h = 1, .stride_w = 1, .dilation_h = 1, .dilation_w = 1};
    wi_conv_kernel *ke = with_expand ? make(ge, isa, 0.0f, 6.0f) : NULL;
    if (expand == EXPAND_3X3_S2) assert_int_equal(ke->path, PATH_DIRECT);
    wi_conv_kernel *kd = make(gd, isa, 0.0f, 6.0f);
    wi_conv_kernel *kp = make(gp, isa, -INFINITY, INFINITY);
    wi_block_kernel *blk = NULL;
    assert_int_equal(wi_block_kernel_create_ex(ke, kd, kp, 1, &blk), WI_OK);

    size_t in_n = (size_t)ge.in_h * ge.in_w * cin, mid_n = (size_t)h * w * e;
    size_t out_n = (size_t)gp.out_h * gp.out_w * cout;
    float *in = rnd_buf(in_n), *mid = malloc(mid_n * sizeof(float));
    float *mid2 = malloc(mid_n * sizeof(float)), *want = malloc(out_n * sizeof(float));
    float *got = malloc((out_n + 16) * sizeof(float));
    assert_true(mid && mid2 && want && got);
    const float *dw_in = in;
    if (ke) {
        wi_conv_kernel_run(ke, in, mid, NULL, NULL);
        dw_in = mid;
    }
    wi_conv_kernel_run(kd, dw_in, mid2, NULL, NULL);
    wi_conv_kernel_run(kp, mid2, want, NULL, NULL);
    /* the shortcut Add where the shapes allow (stride 1, project back to the input width) */
    const float *residual = NULL;
    if (out_n == in_n) {
        residual = in;
        for (size_t i = 0; i < out_n; i++) want[i] += in[i];
    }

    void *scratch = scratch_alloc(wi_block_kernel_scratch_bytes(blk, wi_threadpool_size(pool)));
    for (size_t i = 0; i < out_n + 16; i++) got[i] = -777.0f;
    wi_block_kernel_run(blk, in, residual, got, scratch, pool);
    for (size_t i = 0; i < out_n; i++)
        if (memcmp(&got[i], &want[i], sizeof(float)) != 0)
            fail_msg("isa %s %dx%dx%d -> %d -> s%d %s -> %d expand %d threads %d: out[%zu] = "
                     "%.9g, unfused %.9g",
                     wi_isa_name(isa), h, w, cin, e, stride, same ? "SAME" : "VALID", cout,
                     with_expand, wi_threadpool_size(pool), i, got[i], want[i]);
    for (size_t i = out_n; i < out_n + 16; i++) assert_true(got[i] == -777.0f);
    free(scratch);
    free(in);
    free(mid);
    free(mid2);
    free(want);
    free(got);
    wi_block_kernel_free(blk);
    wi_conv_kernel_free(ke);
    wi_conv_kernel_free(kd);
    wi_conv_kernel_free(kp);
}

static void test_block_matches_unfused(void **state) {
    (void)state;
    wi_threadpool *pool = wi_threadpool_create(3);
    assert_non_null(pool);
    for (int isa = WI_ISA_GENERIC; isa < WI_ISA_COUNT; isa++) {
        if (!wi_isa_ukernels((wi_isa)isa)) continue;
        for (int v = 0; v < 16; v++) {
            int stride = 1 + v % 2, same = v % 4 < 3, with_expand = v % 8 != 7;
            int h = 3 + v % 5, w = 3 + (v * 3) % 7;
            wi_threadpool *p = v % 3 == 0 ? NULL : pool;
            check_block((wi_isa)isa, h, w, 8 + v, 24 + 8 * (v % 3), 16 + v % 9, stride, same,
                        with_expand, p);
        }
        check_block((wi_isa)isa, 14, 14, 32, 192, 32, 1, 1, 1, pool); /* MobileNet-like, Add */
        check_block((wi_isa)isa, 9, 7, 24, 144, 24, 1, 1, 1, NULL);   /* with the Add */
        check_block((wi_isa)isa, 15, 15, 24, 144, 32, 2, 1, 1, NULL);
        /* the first convolution as the expansion: 2h x 2w x 3 -> h x w x e, 3x3 stride 2 */
        check_block((wi_isa)isa, 12, 12, 3, 32, 16, 1, 1, EXPAND_3X3_S2, pool); /* V2 1.0-like */
        check_block((wi_isa)isa, 9, 13, 3, 48, 24, 1, 1, EXPAND_3X3_S2, NULL); /* V2 1.4-like */
        check_block((wi_isa)isa, 7, 5, 3, 20, 8, 2, 0, EXPAND_3X3_S2, pool);
    }
    wi_threadpool_free(pool);
}

static void test_block_refuses(void **state) {
    (void)state;
    wi_conv_geom gd = {.in_h = 4, .in_w = 4, .in_c = 8, .out_h = 4, .out_w = 4, .out_c = 8,
                       .kernel_h = 3, .kernel_w = 3, .stride_h = 1, .stride_w = 1,
                       .dilation_h = 1, .dilation_w = 1, .pad_top = 1, .pad_left = 1,
                       .depthwise = 1};
    wi_conv_geom gp = {.in_h = 4, .in_w = 4, .in_c = 8, .out_h = 4, .out_w = 4, .out_c = 4,
                       .kernel_h = 1, .kernel_w = 1, .stride_h = 1, .stride_w = 1,
                       .dilation_h = 1, .dilation_w = 1};
    wi_isa isa = wi_isa_selected() == WI_ISA_REF ? WI_ISA_GENERIC : wi_isa_selected();
    wi_conv_kernel *kd = make(gd, isa, 0, 6), *kp = make(gp, isa, 0, 6);
    wi_block_kernel *b = NULL;
    /* small: does not pay */
    assert_int_equal(wi_block_kernel_create(NULL, kd, kp, &b), WI_E_UNSUPPORTED);
    /* a chain that does not fit */
    gp.in_c = 16;
    gp.out_c = 16;
    wi_conv_kernel *bad = make(gp, isa, 0, 6);
    assert_int_equal(wi_block_kernel_create_ex(NULL, kd, bad, 1, &b), WI_E_INVALID_ARGUMENT);
    assert_null(b);
    /* the reference path is not fused */
    wi_conv_kernel *kref = make(gd, WI_ISA_REF, 0, 6);
    assert_int_equal(wi_block_kernel_create_ex(NULL, kref, kp, 1, &b), WI_E_UNSUPPORTED);
    wi_conv_kernel_free(kd);
    wi_conv_kernel_free(kp);
    wi_conv_kernel_free(bad);
    wi_conv_kernel_free(kref);
    wi_block_kernel_free(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_block_matches_unfused),
        cmocka_unit_test(test_block_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
