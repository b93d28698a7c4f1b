/* ONNX ops through hand-built models (tests/onnx/onnx-build.h) against references written
 * from the ONNX operator definitions, in NCHW: the loader's layout changes (NCHW -> NHWC at
 * the input, back at the output, reshapes and flattens of channel-last tensors, per-channel
 * constants, concat axes) are checked numerically, not by looking at the graph. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "onnx/onnx-run.h"

#define TOL 1e-5f

/* ---- references (NCHW, batch 1) ---- */

typedef struct conv_cfg {
    int c, h, w, o, kh, kw, group, sh, sw, dh, dw;
    int pads[4]; /* top, left, bottom, right (ONNX order is top, left, bottom, right too) */
    const char *auto_pad; /* NULL: explicit pads */
} conv_cfg;

static int out_size(int in, int k, int s, int d, int before, int after) {
    return (in + before + after - ((k - 1) * d + 1)) / s + 1;
}

/* Resolves auto_pad into explicit pads, as the ONNX spec defines them. */
static void resolve_auto(conv_cfg *c) {
    if (!c->auto_pad || strcmp(c->auto_pad, "NOTSET") == 0) return;
    int in[2] = {c->h, c->w}, k[2] = {c->kh, c->kw}, s[2] = {c->sh, c->sw}, d[2] = {c->dh, c->dw};
    for (int a = 0; a < 2; a++) {
        if (strcmp(c->auto_pad, "VALID") == 0) {
            c->pads[a] = c->pads[a + 2] = 0;
            continue;
        }
        int out = (in[a] + s[a] - 1) / s[a];
        int total = (out - 1) * s[a] + (k[a] - 1) * d[a] + 1 - in[a];
        if (total < 0) total = 0;
        int small = total / 2, big = total - small;
        int upper = strcmp(c->auto_pad, "SAME_UPPER") == 0;
        c->pads[a] = upper ? small : big;
        c->pads[a + 2] = upper ? big : small;
    }
}

static void conv_ref(const conv_cfg *c, const float *x, const float *w, const float *b, float *y,
                     int *oh_out, int *ow_out) {
    int oh = out_size(c->h, c->kh, c->sh, c->dh, c->pads[0], c->pads[2]);
    int ow = out_size(c->w, c->kw, c->sw, c->dw, c->pads[1], c->pads[3]);
    int cg = c->c / c->group, og = c->o / c->group;
    for (int o = 0; o < c->o; o++)
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++) {
                double sum = b ? b[o] : 0.0;
                int g = o / og;
                for (int ci = 0; ci < cg; ci++)
                    for (int ky = 0; ky < c->kh; ky++)
                        for (int kx = 0; kx < c->kw; kx++) {
                            int iy = oy * c->sh - c->pads[0] + ky * c->dh;
                            int ix = ox * c->sw - c->pads[1] + kx * c->dw;
                            if (iy < 0 || iy >= c->h || ix < 0 || ix >= c->w) continue;
                            sum += (double)x[((g * cg + ci) * c->h + iy) * c->w + ix] *
                                   w[((o * cg + ci) * c->kh + ky) * c->kw + kx];
                        }
                y[(o * oh + oy) * ow + ox] = (float)sum;
            }
    *oh_out = oh;
    *ow_out = ow;
}

/* Adds a Conv node "y" reading "x" with weights "w" and bias "b" (c->o values) to b. */
static void add_conv(ob *b, const conv_cfg *c, const char *x, const char *out, const float *w,
                     const float *bias, const char *wname) {
    pbw attrs = {0};
    int64_t wd[4] = {c->o, c->c / c->group, c->kh, c->kw}, bd[1] = {c->o};
    char wn[64], bn[64], ins[200];
    snprintf(wn, sizeof wn, "%s/W", wname);
    snprintf(bn, sizeof bn, "%s/B", wname);
    ob_init_f32(b, wn, 4, wd, w);
    if (bias) ob_init_f32(b, bn, 1, bd, bias);
    snprintf(ins, sizeof ins, "%s,%s%s%s", x, wn, bias ? "," : "", bias ? bn : "");
    int64_t st[2] = {c->sh, c->sw}, dl[2] = {c->dh, c->dw}, ks[2] = {c->kh, c->kw};
    int64_t pads[4] = {c->pads[0], c->pads[1], c->pads[2], c->pads[3]};
    ob_attr_ints(&attrs, "strides", 2, st);
    ob_attr_ints(&attrs, "dilations", 2, dl);
    ob_attr_ints(&attrs, "kernel_shape", 2, ks);
    ob_attr_int(&attrs, "group", c->group);
    if (c->auto_pad) ob_attr_str(&attrs, "auto_pad", c->auto_pad);
    else ob_attr_ints(&attrs, "pads", 4, pads);
    ob_node(b, "Conv", ins, out, &attrs);
    pbw_free(&attrs);
}

static float *run_ok(const ob *b, const float *x, size_t n_in, size_t want) {
    wi_error err;
    wi_status st;
    size_t n;
    float *y = run_model(b, x, n_in, &n, &st, &err);
    if (st != WI_OK) fail_msg("model failed: %s", err.message);
    assert_int_equal(n, want);
    return y;
}

static void check_conv(conv_cfg c, int with_bias) {
    const size_t nx = (size_t)c.c * c.h * c.w, nw = (size_t)c.o * (c.c / c.group) * c.kh * c.kw;
    float *x = malloc(nx * 4), *w = malloc(nw * 4), *bias = malloc((size_t)c.o * 4);
    fill_data(x, nx, 1);
    fill_data(w, nw, 2);
    fill_data(bias, (size_t)c.o, 3);
    ob b;
    ob_init(&b, 13);
    int64_t xd[4] = {1, c.c, c.h, c.w};
    ob_input(&b, "x", 4, xd);
    add_conv(&b, &c, "x", "y", w, with_bias ? bias : NULL, "conv");
    ob_output(&b, "y");
    resolve_auto(&c);
    int oh, ow;
    float *ref = malloc((size_t)c.o * (c.h + 8) * (c.w + 8) * 4);
    conv_ref(&c, x, w, with_bias ? bias : NULL, ref, &oh, &ow);
    size_t n = (size_t)c.o * oh * ow;
    float *y = run_ok(&b, x, nx, n);
    float d = max_diff(y, ref, n);
    if (d > TOL)
        fail_msg("conv c%d o%d k%dx%d s%d d%d g%d pads %d,%d,%d,%d %s: max diff %g", c.c, c.o, c.kh,
                 c.kw, c.sh, c.dh, c.group, c.pads[0], c.pads[1], c.pads[2], c.pads[3],
                 c.auto_pad ? c.auto_pad : "", d);
    free(x), free(w), free(bias), free(ref), free(y);
    ob_free(&b);
}

static void test_conv(void **state) {
    (void)state;
    const conv_cfg cases[] = {
        /* c h w o kh kw group sh sw dh dw pads auto */
        {3, 7, 9, 5, 3, 3, 1, 1, 1, 1, 1, {1, 1, 1, 1}, NULL},   /* SAME-equivalent */
        {3, 8, 8, 4, 3, 3, 1, 2, 2, 1, 1, {0, 0, 1, 1}, NULL},   /* TF SAME, stride 2 */
        {3, 8, 8, 4, 3, 3, 1, 2, 2, 1, 1, {1, 1, 1, 1}, NULL},   /* not SAME: Pad + VALID */
        {3, 7, 9, 4, 3, 3, 1, 2, 1, 1, 1, {1, 0, 2, 1}, NULL},   /* asymmetric */
        {2, 9, 9, 3, 3, 3, 1, 1, 1, 2, 2, {2, 2, 2, 2}, NULL},   /* dilation */
        {3, 7, 9, 5, 1, 1, 1, 1, 1, 1, 1, {0, 0, 0, 0}, NULL},   /* 1x1 */
        {3, 7, 9, 5, 3, 2, 1, 1, 1, 1, 1, {0, 0, 0, 0}, NULL},   /* VALID, non-square */
        {3, 8, 9, 4, 3, 3, 1, 2, 2, 1, 1, {0}, "SAME_UPPER"},
        {3, 8, 9, 4, 3, 3, 1, 2, 2, 1, 1, {0}, "SAME_LOWER"},
        {3, 8, 9, 4, 3, 3, 1, 2, 2, 1, 1, {0}, "VALID"},
        {6, 7, 9, 6, 3, 3, 6, 1, 1, 1, 1, {1, 1, 1, 1}, NULL},   /* depthwise */
        {6, 8, 8, 6, 3, 3, 6, 2, 2, 1, 1, {0, 0, 1, 1}, NULL},   /* depthwise stride 2 */
        {4, 7, 7, 8, 3, 3, 4, 1, 1, 1, 1, {1, 1, 1, 1}, NULL},   /* depthwise multiplier 2 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        check_conv(cases[i], 1);
        check_conv(cases[i], 0);
    }
}

static void test_grouped_conv_refused(void **state) {
    (void)state;
    conv_cfg c = {4, 5, 5, 4, 3, 3, 2, 1, 1, 1, 1, {1, 1, 1, 1}, NULL};
    float w[4 * 2 * 9] = {0}, x[100] = {0};
    ob b;
    ob_init(&b, 13);
    int64_t xd[4] = {1, 4, 5, 5};
    ob_input(&b, "x", 4, xd);
    add_conv(&b, &c, "x", "y", w, NULL, "conv");
    ob_output(&b, "y");
    wi_error err;
    wi_status st;
    size_t n;
    float *y = run_model(&b, x, 100, &n, &st, &err);
    assert_null(y);
    assert_int_equal(st, WI_E_UNSUPPORTED);
    assert_non_null(strstr(err.message, "onnx: node 'y': unsupported grouped convolution"));
    ob_free(&b);
}

/* Conv -> BatchNormalization -> Clip(0,6) (opset 13 inputs) -> Add(residual) -> Relu: the
 * MobileNet block shape, with the per-channel ops folded into the convolution. */
static void test_block(void **state) {
    (void)state;
    enum { C = 4, H = 6, W = 5 };
    conv_cfg c = {C, H, W, C, 3, 3, 1, 1, 1, 1, 1, {1, 1, 1, 1}, NULL};
    float x[C * H * W], w[C * C * 9], bn[4][C], ref[C * H * W];
    fill_data(x, sizeof x / 4, 11);
    fill_data(w, sizeof w / 4, 12);
    fill_data(&bn[0][0], 4 * C, 13);
    for (int i = 0; i < C; i++) bn[3][i] = fabsf(bn[3][i]) + 0.5f; /* variance */
    ob b;
    ob_init(&b, 13);
    int64_t xd[4] = {1, C, H, W}, cd[1] = {C}, sd[1] = {1};
    const float zero = 0.0f, six = 6.0f;
    ob_input(&b, "x", 4, xd);
    add_conv(&b, &c, "x", "c", w, NULL, "conv");
    ob_init_f32(&b, "scale", 1, cd, bn[0]);
    ob_init_f32(&b, "shift", 1, cd, bn[1]);
    ob_init_f32(&b, "mean", 1, cd, bn[2]);
    ob_init_f32(&b, "var", 1, cd, bn[3]);
    ob_init_f32(&b, "zero", 0, sd, &zero);
    ob_init_f32(&b, "six", 0, sd, &six);
    pbw attrs = {0};
    ob_attr_float(&attrs, "epsilon", 1e-3f);
    ob_node(&b, "BatchNormalization", "c,scale,shift,mean,var", "bn", &attrs);
    ob_node(&b, "Clip", "bn,zero,six", "r6", NULL);
    ob_node(&b, "Add", "r6,x", "sum", NULL);
    ob_node(&b, "Relu", "sum", "y", NULL);
    ob_output(&b, "y");
    int oh, ow;
    conv_ref(&c, x, w, NULL, ref, &oh, &ow);
    for (int ch = 0; ch < C; ch++)
        for (int i = 0; i < H * W; i++) {
            float *v = &ref[ch * H * W + i];
            *v = (*v - bn[2][ch]) / sqrtf(bn[3][ch] + 1e-3f) * bn[0][ch] + bn[1][ch];
            *v = *v < 0 ? 0 : *v > 6 ? 6 : *v;
            *v += x[ch * H * W + i];
            *v = *v < 0 ? 0 : *v;
        }
    float *y = run_ok(&b, x, sizeof x / 4, sizeof ref / 4);
    assert_true(max_diff(y, ref, sizeof ref / 4) <= TOL);
    free(y);
    pbw_free(&attrs);
    ob_free(&b);
}

/* Clip with attributes (opset 6) and a non-ReLU range; Mul/Sub by [C,1,1] and [W] constants
 * on a channel-last tensor. */
static void test_elementwise(void **state) {
    (void)state;
    enum { C = 3, H = 4, W = 5 };
    conv_cfg c = {C, H, W, C, 1, 1, 1, 1, 1, 1, 1, {0, 0, 0, 0}, NULL};
    float x[C * H * W], w[C * C], per_c[C], per_w[W], ref[C * H * W];
    fill_data(x, sizeof x / 4, 21);
    fill_data(w, sizeof w / 4, 22);
    fill_data(per_c, C, 23);
    fill_data(per_w, W, 24);
    ob b;
    ob_init(&b, 6);
    int64_t xd[4] = {1, C, H, W}, cd[3] = {C, 1, 1}, wd[1] = {W};
    ob_input(&b, "x", 4, xd);
    add_conv(&b, &c, "x", "c", w, NULL, "conv");
    ob_init_f32(&b, "per_c", 3, cd, per_c);
    ob_init_f32(&b, "per_w", 1, wd, per_w);
    pbw attrs = {0};
    ob_attr_float(&attrs, "min", -0.25f);
    ob_attr_float(&attrs, "max", 0.5f);
    ob_node(&b, "Mul", "c,per_c", "m", NULL);
    ob_node(&b, "Sub", "m,per_w", "s", NULL);
    ob_node(&b, "Clip", "s", "y", &attrs);
    ob_output(&b, "y");
    int oh, ow;
    conv_ref(&c, x, w, NULL, ref, &oh, &ow);
    for (int ch = 0; ch < C; ch++)
        for (int i = 0; i < H; i++)
            for (int j = 0; j < W; j++) {
                float *v = &ref[(ch * H + i) * W + j];
                *v = *v * per_c[ch] - per_w[j];
                *v = *v < -0.25f ? -0.25f : *v > 0.5f ? 0.5f : *v;
            }
    float *y = run_ok(&b, x, sizeof x / 4, sizeof ref / 4);
    assert_true(max_diff(y, ref, sizeof ref / 4) <= TOL);
    free(y);
    pbw_free(&attrs);
    ob_free(&b);
}

/* GlobalAveragePool -> Flatten -> Gemm(transB, alpha, beta) -> Softmax: a classifier head. */
static void test_head(void **state) {
    (void)state;
    enum { C = 6, H = 3, W = 4, K = 5 };
    float x[C * H * W], wt[K * C], bias[K], pooled[C], ref[K];
    fill_data(x, sizeof x / 4, 31);
    fill_data(wt, sizeof wt / 4, 32);
    fill_data(bias, K, 33);
    ob b;
    ob_init(&b, 13);
    int64_t xd[4] = {1, C, H, W}, wd[2] = {K, C}, bd[1] = {K};
    conv_cfg c = {C, H, W, C, 1, 1, C, 1, 1, 1, 1, {0, 0, 0, 0}, NULL};
    float dw[C];
    for (int i = 0; i < C; i++) dw[i] = 1.0f; /* a depthwise identity moves x channel-last */
    ob_input(&b, "x", 4, xd);
    add_conv(&b, &c, "x", "cx", dw, NULL, "conv");
    ob_init_f32(&b, "wt", 2, wd, wt);
    ob_init_f32(&b, "bias", 1, bd, bias);
    pbw gemm = {0};
    ob_attr_int(&gemm, "transB", 1);
    ob_attr_float(&gemm, "alpha", 0.5f);
    ob_attr_float(&gemm, "beta", 2.0f);
    ob_node(&b, "GlobalAveragePool", "cx", "pool", NULL);
    ob_node(&b, "Flatten", "pool", "flat", NULL);
    ob_node(&b, "Gemm", "flat,wt,bias", "logits", &gemm);
    ob_node(&b, "Softmax", "logits", "y", NULL);
    ob_output(&b, "y");
    for (int ch = 0; ch < C; ch++) {
        double s = 0;
        for (int i = 0; i < H * W; i++) s += x[ch * H * W + i];
        pooled[ch] = (float)(s / (H * W));
    }
    double max = -1e30, sum = 0;
    for (int k = 0; k < K; k++) {
        double v = 2.0 * bias[k];
        for (int ch = 0; ch < C; ch++) v += 0.5 * pooled[ch] * wt[k * C + ch];
        ref[k] = (float)v;
        if (v > max) max = v;
    }
    for (int k = 0; k < K; k++) sum += exp(ref[k] - max);
    for (int k = 0; k < K; k++) ref[k] = (float)(exp(ref[k] - max) / sum);
    float *y = run_ok(&b, x, sizeof x / 4, K);
    assert_true(max_diff(y, ref, K) <= TOL);
    free(y);
    pbw_free(&gemm);
    ob_free(&b);
}

static void pool_ref(const float *x, int c, int h, int w, int k, int s, const int pads[4],
                     int is_max, int include_pad, float *y, int *oh, int *ow) {
    *oh = out_size(h, k, s, 1, pads[0], pads[2]);
    *ow = out_size(w, k, s, 1, pads[1], pads[3]);
    for (int ch = 0; ch < c; ch++)
        for (int oy = 0; oy < *oh; oy++)
            for (int ox = 0; ox < *ow; ox++) {
                double acc = is_max ? -1e30 : 0;
                int count = 0;
                for (int ky = 0; ky < k; ky++)
                    for (int kx = 0; kx < k; kx++) {
                        int iy = oy * s - pads[0] + ky, ix = ox * s - pads[1] + kx;
                        int inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
                        if (inside || include_pad) count++;
                        if (!inside) continue;
                        float v = x[(ch * h + iy) * w + ix];
                        if (is_max) acc = v > acc ? v : acc;
                        else acc += v;
                    }
                y[(ch * *oh + oy) * *ow + ox] = (float)(is_max ? acc : acc / count);
            }
}

static wi_status check_pool(const char *op, int k, int s, const int pads[4], int include_pad,
                            wi_error *err) {
    enum { C = 3, H = 8, W = 8 }; /* even: pads 0,0,1,1 at stride 2 are TensorFlow's SAME */
    float x[C * H * W], ref[C * (H + 2) * (W + 2)];
    fill_data(x, sizeof x / 4, 41);
    ob b;
    ob_init(&b, 13);
    int64_t xd[4] = {1, C, H, W}, ks[2] = {k, k}, st2[2] = {s, s};
    int64_t p64[4] = {pads[0], pads[1], pads[2], pads[3]};
    pbw attrs = {0};
    ob_attr_ints(&attrs, "kernel_shape", 2, ks);
    ob_attr_ints(&attrs, "strides", 2, st2);
    ob_attr_ints(&attrs, "pads", 4, p64);
    if (include_pad) ob_attr_int(&attrs, "count_include_pad", 1);
    ob_input(&b, "x", 4, xd);
    ob_node(&b, op, "x", "y", &attrs);
    ob_output(&b, "y");
    int oh, ow;
    pool_ref(x, C, H, W, k, s, pads, strcmp(op, "MaxPool") == 0, include_pad, ref, &oh, &ow);
    wi_status st;
    size_t n;
    float *y = run_model(&b, x, sizeof x / 4, &n, &st, err);
    if (st == WI_OK) {
        assert_int_equal(n, (size_t)C * oh * ow);
        float d = max_diff(y, ref, n);
        if (d > TOL) fail_msg("%s k%d s%d pads %d,%d,%d,%d: max diff %g", op, k, s, pads[0], pads[1], pads[2], pads[3], d);
    }
    free(y);
    pbw_free(&attrs);
    ob_free(&b);
    return st;
}

static void test_pools(void **state) {
    (void)state;
    const int same1[4] = {1, 1, 1, 1}, same2[4] = {0, 0, 1, 1}, none[4] = {0}, odd[4] = {1, 1, 0, 0};
    wi_error err;
    assert_int_equal(check_pool("AveragePool", 3, 1, same1, 0, &err), WI_OK);
    assert_int_equal(check_pool("AveragePool", 3, 1, same1, 1, &err), WI_OK); /* zeros counted */
    assert_int_equal(check_pool("AveragePool", 3, 2, same2, 0, &err), WI_OK);
    assert_int_equal(check_pool("AveragePool", 2, 2, none, 0, &err), WI_OK);
    assert_int_equal(check_pool("AveragePool", 3, 2, odd, 1, &err), WI_OK);
    assert_int_equal(check_pool("MaxPool", 3, 2, same2, 0, &err), WI_OK);
    assert_int_equal(check_pool("MaxPool", 3, 1, same1, 0, &err), WI_OK);
    assert_int_equal(check_pool("MaxPool", 2, 2, none, 0, &err), WI_OK);
    /* max over explicit pads that are not SAME for this input: refused, not run wrong */
    assert_int_equal(check_pool("MaxPool", 3, 2, odd, 0, &err), WI_E_UNSUPPORTED);
    assert_non_null(strstr(err.message, "neither SAME nor VALID"));
}

/* Reshape (0 copies, -1 infers) and Flatten of a channel-last tensor with H, W > 1: the
 * bytes must come back in NCHW order. Also Concat on the channel axis, Pad, Transpose. */
static void test_layout_ops(void **state) {
    (void)state;
    enum { C = 3, H = 4, W = 5 };
    float x[C * H * W], w[C * C], cx[C * H * W], ref[2 * C * (H + 3) * (W + 1)];
    fill_data(x, sizeof x / 4, 51);
    fill_data(w, sizeof w / 4, 52);
    conv_cfg c = {C, H, W, C, 1, 1, 1, 1, 1, 1, 1, {0, 0, 0, 0}, NULL};
    int oh, ow;
    conv_ref(&c, x, w, NULL, cx, &oh, &ow);
    const int64_t xd[4] = {1, C, H, W}, shape[3] = {0, -1, W}, sd[1] = {3};
    const int64_t pads[8] = {0, 0, 1, 0, 0, 0, 2, 1}, pd[1] = {8};

    /* Reshape [1,C,H,W] -> [1, C*H, W] */
    ob b;
    ob_init(&b, 13);
    ob_input(&b, "x", 4, xd);
    add_conv(&b, &c, "x", "c", w, NULL, "conv");
    ob_init_i64(&b, "shape", 1, sd, shape);
    ob_node(&b, "Reshape", "c,shape", "y", NULL);
    ob_output(&b, "y");
    float *y = run_ok(&b, x, sizeof x / 4, sizeof cx / 4);
    assert_true(max_diff(y, cx, sizeof cx / 4) <= TOL);
    free(y);
    ob_free(&b);

    /* Flatten axis 2 -> [C*... ] same bytes */
    ob_init(&b, 13);
    pbw attrs = {0};
    ob_attr_int(&attrs, "axis", 2);
    ob_input(&b, "x", 4, xd);
    add_conv(&b, &c, "x", "c", w, NULL, "conv");
    ob_node(&b, "Flatten", "c", "y", &attrs);
    ob_output(&b, "y");
    y = run_ok(&b, x, sizeof x / 4, sizeof cx / 4);
    assert_true(max_diff(y, cx, sizeof cx / 4) <= TOL);
    free(y);
    pbw_free(&attrs);
    ob_free(&b);

    /* Concat(conv, x) on axis 1 */
    ob_init(&b, 13);
    ob_attr_int(&attrs, "axis", 1);
    ob_input(&b, "x", 4, xd);
    add_conv(&b, &c, "x", "c", w, NULL, "conv");
    ob_node(&b, "Concat", "c,x", "y", &attrs);
    ob_output(&b, "y");
    memcpy(ref, cx, sizeof cx);
    memcpy(ref + C * H * W, x, sizeof x);
    y = run_ok(&b, x, sizeof x / 4, 2 * C * H * W);
    assert_true(max_diff(y, ref, 2 * C * H * W) <= TOL);
    free(y);
    pbw_free(&attrs);
    ob_free(&b);

    /* Pad (opset 13: pads as an input) of a channel-last tensor: H by 1 before, 2 after;
     * W by 1 after */
    ob_init(&b, 13);
    ob_input(&b, "x", 4, xd);
    add_conv(&b, &c, "x", "c", w, NULL, "conv");
    ob_init_i64(&b, "pads", 1, pd, pads);
    ob_node(&b, "Pad", "c,pads", "y", NULL);
    ob_output(&b, "y");
    const int ph = H + 3, pw = W + 1;
    memset(ref, 0, sizeof ref);
    for (int ch = 0; ch < C; ch++)
        for (int i = 0; i < H; i++)
            for (int j = 0; j < W; j++) ref[(ch * ph + i + 1) * pw + j] = cx[(ch * H + i) * W + j];
    y = run_ok(&b, x, sizeof x / 4, (size_t)C * ph * pw);
    assert_true(max_diff(y, ref, (size_t)C * ph * pw) <= TOL);
    free(y);
    ob_free(&b);

    /* Transpose perm (0,2,1,3) of the conv output -> [1,H,C,W] */
    ob_init(&b, 13);
    const int64_t perm[4] = {0, 2, 1, 3};
    ob_attr_ints(&attrs, "perm", 4, perm);
    ob_input(&b, "x", 4, xd);
    add_conv(&b, &c, "x", "c", w, NULL, "conv");
    ob_node(&b, "Transpose", "c", "y", &attrs);
    ob_output(&b, "y");
    for (int ch = 0; ch < C; ch++)
        for (int i = 0; i < H; i++)
            for (int j = 0; j < W; j++) ref[(i * C + ch) * W + j] = cx[(ch * H + i) * W + j];
    y = run_ok(&b, x, sizeof x / 4, sizeof cx / 4);
    assert_true(max_diff(y, ref, sizeof cx / 4) <= TOL);
    free(y);
    pbw_free(&attrs);
    ob_free(&b);
}

/* A TensorFlow-converted model: NHWC input, Transpose to NCHW, Conv. The loader cancels the
 * transposes; the input stays NHWC for classifiers. */
static void test_nhwc_input_model(void **state) {
    (void)state;
    enum { C = 3, H = 5, W = 6, O = 4 };
    float x_nchw[C * H * W], x_nhwc[H * W * C], w[O * C * 9], ref[O * H * W];
    fill_data(x_nchw, sizeof x_nchw / 4, 61);
    fill_data(w, sizeof w / 4, 62);
    for (int ch = 0; ch < C; ch++)
        for (int i = 0; i < H * W; i++) x_nhwc[i * C + ch] = x_nchw[ch * H * W + i];
    conv_cfg c = {C, H, W, O, 3, 3, 1, 1, 1, 1, 1, {1, 1, 1, 1}, NULL};
    int oh, ow;
    conv_ref(&c, x_nchw, w, NULL, ref, &oh, &ow);
    ob b;
    ob_init(&b, 13);
    const int64_t xd[4] = {-1, H, W, C}, perm[4] = {0, 3, 1, 2};
    pbw attrs = {0};
    ob_attr_ints(&attrs, "perm", 4, perm);
    ob_input(&b, "x", 4, xd);
    ob_node(&b, "Transpose", "x", "t", &attrs);
    add_conv(&b, &c, "t", "y", w, NULL, "conv");
    ob_output(&b, "y");
    float *y = run_ok(&b, x_nhwc, sizeof x_nhwc / 4, sizeof ref / 4);
    assert_true(max_diff(y, ref, sizeof ref / 4) <= TOL);
    free(y);
    pbw bytes;
    ob_model(&b, &bytes);
    wi_model *m = NULL;
    wi_error err;
    assert_int_equal(wi_model_load(bytes.buf, bytes.len, NULL, &m, &err), WI_OK);
    assert_int_equal(wi_model_input_is_nchw(m), 0);
    wi_tensor_info info;
    assert_int_equal(wi_model_input_info(m, 0, &info), WI_OK);
    assert_int_equal(info.dims[0], 1); /* the unknown batch runs as 1 */
    assert_int_equal(info.dims[3], C);
    wi_model_free(m);
    pbw_free(&bytes);
    pbw_free(&attrs);
    ob_free(&b);
}

/* Shape -> Gather -> Unsqueeze -> Concat -> Reshape: the flatten exporters write, folded at
 * load. Then MatMul with a constant, and a pre-opset-13 Softmax over [C,H,W] flattened. */
static void test_shape_chain(void **state) {
    (void)state;
    enum { C = 2, H = 3, W = 3, K = 4 };
    float x[C * H * W], mw[C * H * W * K], ref[K];
    fill_data(x, sizeof x / 4, 71);
    fill_data(mw, sizeof mw / 4, 72);
    ob b;
    ob_init(&b, 11);
    const int64_t xd[4] = {1, C, H, W}, zero[1] = {0}, minus1[1] = {-1}, one[1] = {1};
    const int64_t md[2] = {C * H * W, K};
    ob_input(&b, "x", 4, xd);
    ob_init_i64(&b, "zero", 0, one, zero);
    ob_init_i64(&b, "minus1", 1, one, minus1);
    ob_init_f32(&b, "mw", 2, md, mw);
    pbw ax = {0}, cat = {0}, unsq = {0};
    ob_attr_int(&ax, "axis", 0);
    ob_attr_int(&cat, "axis", 0);
    ob_attr_ints(&unsq, "axes", 1, zero);
    ob_node(&b, "Shape", "x", "shape", NULL);
    ob_node(&b, "Gather", "shape,zero", "batch", &ax);
    ob_node(&b, "Unsqueeze", "batch", "batch1", &unsq);
    ob_node(&b, "Concat", "batch1,minus1", "target", &cat);
    ob_node(&b, "Reshape", "x,target", "flat", NULL);
    ob_node(&b, "MatMul", "flat,mw", "y", NULL);
    ob_output(&b, "y");
    for (int k = 0; k < K; k++) {
        double s = 0;
        for (int i = 0; i < C * H * W; i++) s += (double)x[i] * mw[i * K + k];
        ref[k] = (float)s;
    }
    float *y = run_ok(&b, x, sizeof x / 4, K);
    assert_true(max_diff(y, ref, K) <= 1e-4f);
    free(y);
    ob_free(&b);

    /* Softmax opset 11 axis 1 on [1,C,H,W]: over C*H*W values */
    float sref[C * H * W];
    ob_init(&b, 11);
    ob_input(&b, "x", 4, xd);
    ob_node(&b, "Softmax", "x", "y", NULL);
    ob_output(&b, "y");
    double max = -1e30, sum = 0;
    for (int i = 0; i < C * H * W; i++) max = x[i] > max ? x[i] : max;
    for (int i = 0; i < C * H * W; i++) sum += exp(x[i] - max);
    for (int i = 0; i < C * H * W; i++) sref[i] = (float)(exp(x[i] - max) / sum);
    y = run_ok(&b, x, sizeof x / 4, C * H * W);
    assert_true(max_diff(y, sref, C * H * W) <= TOL);
    free(y);
    ob_free(&b);
    pbw_free(&ax), pbw_free(&cat), pbw_free(&unsq);
}

/* An NCHW image model: input info as the file says; the classifier lays pixels out NCHW. */
static void test_nchw_input_info(void **state) {
    (void)state;
    ob b;
    ob_init(&b, 13);
    const int64_t xd[4] = {1, 3, 8, 6};
    conv_cfg c = {3, 8, 6, 2, 1, 1, 1, 1, 1, 1, 1, {0, 0, 0, 0}, NULL};
    float w[6];
    fill_data(w, 6, 81);
    ob_input(&b, "image", 4, xd);
    add_conv(&b, &c, "image", "y", w, NULL, "conv");
    ob_output(&b, "y");
    pbw bytes;
    ob_model(&b, &bytes);
    wi_model *m = NULL;
    wi_error err;
    assert_int_equal(wi_model_load(bytes.buf, bytes.len, NULL, &m, &err), WI_OK);
    assert_int_equal(wi_model_format(m), WI_FORMAT_ONNX);
    assert_int_equal(wi_model_input_is_nchw(m), 1);
    wi_tensor_info info;
    assert_int_equal(wi_model_input_info(m, 0, &info), WI_OK);
    assert_string_equal(info.name, "image");
    assert_int_equal(info.rank, 4);
    assert_int_equal(info.dims[1], 3);
    assert_int_equal(info.dims[2], 8);
    assert_int_equal(info.dims[3], 6);
    assert_int_equal(wi_model_output_info(m, 0, &info), WI_OK);
    assert_int_equal(info.dims[1], 2); /* NCHW back at the output */
    assert_int_equal(info.dims[2], 8);
    wi_model_free(m);
    pbw_free(&bytes);
    ob_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv),
        cmocka_unit_test(test_grouped_conv_refused),
        cmocka_unit_test(test_block),
        cmocka_unit_test(test_elementwise),
        cmocka_unit_test(test_head),
        cmocka_unit_test(test_pools),
        cmocka_unit_test(test_layout_ops),
        cmocka_unit_test(test_nhwc_input_model),
        cmocka_unit_test(test_shape_chain),
        cmocka_unit_test(test_nchw_input_info),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
