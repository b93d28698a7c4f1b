/*
 * Every op through a single-op graph (built in C, run by the real builder and session)
 * against a plain reference written here from TensorFlow's definitions: convolutions at odd
 * sizes, strides 1 and 2, SAME and VALID, dilation, depthwise multipliers; pools (SAME
 * averages exclude padding); Mean; broadcasting Add/Sub/Mul; BiasAdd; BatchNorm; Relu(6);
 * Pad; Concat; MatMul; Softmax; Reshape; Squeeze; and the shape errors prepare reports.
 * Random data comes from a seeded generator; the seed is printed on failure.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "ops/op-runner.h"

static void expect_close(const float *got, const float *want, size_t n, float tol, const char *what) {
    for (size_t i = 0; i < n; i++)
        if (!(fabsf(got[i] - want[i]) <= tol * (1.0f + fabsf(want[i]))))
            fail_msg("%s: element %zu is %.7g, expected %.7g (seed %llu)", what, i, got[i], want[i],
                     (unsigned long long)og_seed);
}

/* ---- convolution ---- */

static int64_t tf_out(int64_t in, int64_t k, int64_t s, int64_t d, wi_padding p, int64_t *pad) {
    int64_t eff = (k - 1) * d + 1;
    int64_t out = p == WI_PAD_SAME ? (in + s - 1) / s : (in - eff + s) / s;
    int64_t total = (out - 1) * s + eff - in;
    *pad = p == WI_PAD_SAME && total > 0 ? total / 2 : 0;
    return out;
}

/* Conv2D (mult = 0) or depthwise with channel multiplier mult, NHWC batch 1. */
static void ref_conv(int ih, int iw, int ic, int kh, int kw, int oc_or_mult, int sh, int sw, int dh,
                     int dw, wi_padding p, int depthwise, const float *x, const float *w,
                     float *y, int64_t *oh_out, int64_t *ow_out) {
    int64_t pt, pl;
    int64_t oh = tf_out(ih, kh, sh, dh, p, &pt), ow = tf_out(iw, kw, sw, dw, p, &pl);
    int oc = depthwise ? ic * oc_or_mult : oc_or_mult;
    for (int64_t a = 0; a < oh; a++)
        for (int64_t b = 0; b < ow; b++)
            for (int o = 0; o < oc; o++) {
                double sum = 0;
                for (int u = 0; u < kh; u++)
                    for (int v = 0; v < kw; v++) {
                        int64_t yy = a * sh - pt + u * dh, xx = b * sw - pl + v * dw;
                        if (yy < 0 || yy >= ih || xx < 0 || xx >= iw) continue;
                        if (depthwise) {
                            int c = o / oc_or_mult, m = o % oc_or_mult;
                            sum += x[(yy * iw + xx) * ic + c] * w[((u * kw + v) * ic + c) * oc_or_mult + m];
                        } else {
                            for (int c = 0; c < ic; c++)
                                sum += x[(yy * iw + xx) * ic + c] * w[((u * kw + v) * ic + c) * oc + o];
                        }
                    }
                y[(a * ow + b) * oc + o] = (float)sum;
            }
    *oh_out = oh;
    *ow_out = ow;
}

static void check_conv(int ih, int iw, int ic, int kh, int kw, int oc_or_mult, int s, int d,
                       wi_padding p, int depthwise) {
    wi_graph *g = wi_graph_create(0);
    int64_t xd[4] = {1, ih, iw, ic}, wd[4] = {kh, kw, ic, oc_or_mult};
    size_t xn = (size_t)ih * iw * ic, wn = (size_t)kh * kw * ic * oc_or_mult;
    float *x = og_rand_buf(xn, -1, 1), *w = og_rand_buf(wn, -1, 1);
    int in = og_input(g, 4, xd);
    int wid = og_const(g, "w", WI_DTYPE_FLOAT32, 4, wd, w);
    wi_op_params cp = og_conv_params(s, s, d, d, p);
    int ins[2] = {in, wid};
    int out = og_node(g, depthwise ? WI_OP_DEPTHWISE_CONV2D : WI_OP_CONV2D, "conv", ins, 2, &cp);
    size_t n = 0;
    float *got = og_run(g, in, out, x, &n, 0, NULL, 0);
    assert_non_null(got);
    int oc = depthwise ? ic * oc_or_mult : oc_or_mult;
    float *want = malloc(sizeof(float) * (size_t)(ih + 2) * (iw + 2) * oc);
    int64_t oh, ow;
    ref_conv(ih, iw, ic, kh, kw, oc_or_mult, s, s, d, d, p, depthwise, x, w, want, &oh, &ow);
    assert_int_equal(n, (size_t)(oh * ow * oc));
    char what[128];
    snprintf(what, sizeof what, "%s %dx%dx%d k%dx%d s%d d%d %s", depthwise ? "depthwise" : "conv",
             ih, iw, ic, kh, kw, s, d, p == WI_PAD_SAME ? "SAME" : "VALID");
    expect_close(got, want, n, 1e-4f, what);
    free(got);
    free(want);
    free(x);
    free(w);
}

static void test_conv2d(void **state) {
    for (int p = 0; p < 2; p++)
        for (int s = 1; s <= 2; s++) {
            check_conv(7, 9, 3, 3, 3, 5, s, 1, (wi_padding)p, 0);
            check_conv(8, 8, 4, 1, 1, 17, s, 1, (wi_padding)p, 0);
            check_conv(11, 6, 2, 5, 3, 3, s, 1, (wi_padding)p, 0);
            check_conv(9, 9, 3, 3, 3, 4, s, 2, (wi_padding)p, 0); /* dilation 2 */
            check_conv(1, 1, 8, 1, 1, 1, s, 1, (wi_padding)p, 0);
        }
    check_conv(4, 4, 2, 4, 4, 3, 1, 1, WI_PAD_SAME, 0); /* even kernel: odd padding after */
}

static void test_depthwise(void **state) {
    for (int p = 0; p < 2; p++)
        for (int s = 1; s <= 2; s++) {
            check_conv(7, 9, 5, 3, 3, 1, s, 1, (wi_padding)p, 1);
            check_conv(10, 10, 16, 3, 3, 1, s, 1, (wi_padding)p, 1);
            check_conv(9, 7, 3, 3, 3, 2, s, 1, (wi_padding)p, 1); /* multiplier 2 */
            check_conv(9, 9, 4, 3, 3, 1, s, 2, (wi_padding)p, 1); /* dilation 2 */
        }
}

static void test_conv_rejects(void **state) {
    wi_graph *g = wi_graph_create(0);
    int64_t xd[4] = {1, 4, 4, 3}, wd[4] = {3, 3, 2, 5};
    int in = og_input(g, 4, xd);
    int wid = og_const(g, "w", WI_DTYPE_FLOAT32, 4, wd, NULL);
    wi_op_params cp = og_conv_params(1, 1, 1, 1, WI_PAD_SAME);
    int ins[2] = {in, wid};
    int out = og_node(g, WI_OP_CONV2D, "bad_conv", ins, 2, &cp);
    wi_error err;
    assert_int_equal(og_build_error(g, in, out, &err), WI_E_MALFORMED);
    assert_non_null(strstr(err.message, "bad_conv"));
    assert_non_null(strstr(err.message, "input channels"));

    g = wi_graph_create(0);
    int64_t xd2[4] = {1, 2, 2, 3}, wd2[4] = {3, 3, 3, 1};
    in = og_input(g, 4, xd2);
    wid = og_const(g, "w", WI_DTYPE_FLOAT32, 4, wd2, NULL);
    cp = og_conv_params(1, 1, 1, 1, WI_PAD_VALID); /* a 3x3 window cannot fit 2x2 */
    ins[0] = in;
    ins[1] = wid;
    out = og_node(g, WI_OP_CONV2D, "too_small", ins, 2, &cp);
    assert_int_equal(og_build_error(g, in, out, &err), WI_E_MALFORMED);
    assert_non_null(strstr(err.message, "does not fit"));
}

/* ---- pools ---- */

static void check_pool(int ih, int iw, int c, int k, int s, wi_padding p, int is_max) {
    wi_graph *g = wi_graph_create(0);
    int64_t xd[4] = {1, ih, iw, c};
    size_t xn = (size_t)ih * iw * c;
    float *x = og_rand_buf(xn, -3, 3);
    int in = og_input(g, 4, xd);
    wi_op_params pp;
    memset(&pp, 0, sizeof pp);
    pp.pool.kernel_h = pp.pool.kernel_w = k;
    pp.pool.stride_h = pp.pool.stride_w = s;
    pp.pool.padding = p;
    int out = og_node(g, is_max ? WI_OP_MAX_POOL : WI_OP_AVG_POOL, "pool", &in, 1, &pp);
    size_t n;
    float *got = og_run(g, in, out, x, &n, 0, NULL, 0);
    assert_non_null(got);
    int64_t pt, pl, oh = tf_out(ih, k, s, 1, p, &pt), ow = tf_out(iw, k, s, 1, p, &pl);
    assert_int_equal(n, (size_t)(oh * ow * c));
    float *want = malloc(n * sizeof(float));
    for (int64_t a = 0; a < oh; a++)
        for (int64_t b = 0; b < ow; b++)
            for (int ch = 0; ch < c; ch++) {
                double acc = is_max ? -1e30 : 0;
                int cnt = 0;
                for (int u = 0; u < k; u++)
                    for (int v = 0; v < k; v++) {
                        int64_t yy = a * s - pt + u, xx = b * s - pl + v;
                        if (yy < 0 || yy >= ih || xx < 0 || xx >= iw) continue;
                        float val = x[(yy * iw + xx) * c + ch];
                        if (is_max) acc = val > acc ? val : acc;
                        else acc += val;
                        cnt++;
                    }
                want[(a * ow + b) * c + ch] = (float)(is_max ? acc : acc / cnt);
            }
    expect_close(got, want, n, 1e-5f, is_max ? "max pool" : "avg pool");
    free(got);
    free(want);
    free(x);
}

static void test_pools(void **state) {
    for (int p = 0; p < 2; p++)
        for (int s = 1; s <= 2; s++)
            for (int is_max = 0; is_max < 2; is_max++) {
                check_pool(7, 7, 3, 3, s, (wi_padding)p, is_max);
                check_pool(6, 9, 2, 2, s, (wi_padding)p, is_max);
            }
    check_pool(7, 7, 8, 7, 1, WI_PAD_VALID, 0); /* MobileNet's global average */
}

/* ---- Mean ---- */

static void test_mean(void **state) {
    for (int keep = 0; keep < 2; keep++) {
        wi_graph *g = wi_graph_create(0);
        int64_t xd[4] = {1, 5, 3, 4};
        float *x = og_rand_buf(60, -1, 1);
        int in = og_input(g, 4, xd);
        int32_t axes[2] = {1, -2}; /* H and W, one negative */
        int ax = og_const_ints(g, "axes", 2, axes);
        wi_op_params p;
        memset(&p, 0, sizeof p);
        p.reduce.keep_dims = keep;
        int ins[2] = {in, ax};
        int out = og_node(g, WI_OP_MEAN, "mean", ins, 2, &p);
        char dump[512];
        size_t n;
        float *got = og_run(g, in, out, x, &n, 0, dump, sizeof dump);
        assert_non_null(got);
        assert_int_equal(n, 4);
        assert_non_null(strstr(dump, keep ? "mean[1,1,1,4]" : "mean[1,4]"));
        float want[4];
        for (int c = 0; c < 4; c++) {
            double s = 0;
            for (int i = 0; i < 15; i++) s += x[i * 4 + c];
            want[c] = (float)(s / 15);
        }
        expect_close(got, want, 4, 1e-5f, "mean");
        free(got);
        free(x);
    }
}

/* ---- elementwise ---- */

static void check_binary(wi_op_kind op, int ra, const int64_t *da, int rb, const int64_t *db,
                         int rank, const int64_t *dout) {
    wi_graph *g = wi_graph_create(0);
    int64_t na = 1, nb = 1, no = 1;
    for (int i = 0; i < ra; i++) na *= da[i];
    for (int i = 0; i < rb; i++) nb *= db[i];
    for (int i = 0; i < rank; i++) no *= dout[i];
    float *a = og_rand_buf((size_t)na, -2, 2), *b = og_rand_buf((size_t)nb, -2, 2);
    int in = og_input(g, ra, da);
    int c = og_const(g, "b", WI_DTYPE_FLOAT32, rb, db, b);
    int ins[2] = {in, c};
    int out = og_node(g, op, "bin", ins, 2, NULL);
    size_t n;
    float *got = og_run(g, in, out, a, &n, 0, NULL, 0);
    assert_non_null(got);
    assert_int_equal(n, (size_t)no);
    float *want = malloc((size_t)no * sizeof(float));
    for (int64_t i = 0; i < no; i++) {
        /* unravel i over dout, then ravel into a and b with broadcasting */
        int64_t rem = i, ia = 0, ib = 0, sa = 1, sb = 1;
        for (int d = rank - 1; d >= 0; d--) {
            int64_t idx = rem % dout[d];
            rem /= dout[d];
            int dA = d - (rank - ra), dB = d - (rank - rb);
            if (dA >= 0) {
                if (da[dA] != 1) ia += idx * sa;
                sa *= da[dA];
            }
            if (dB >= 0) {
                if (db[dB] != 1) ib += idx * sb;
                sb *= db[dB];
            }
        }
        want[i] = op == WI_OP_ADD ? a[ia] + b[ib] : op == WI_OP_SUB ? a[ia] - b[ib] : a[ia] * b[ib];
    }
    expect_close(got, want, (size_t)no, 0, "binary");
    free(got);
    free(want);
    free(a);
    free(b);
}

static void test_broadcast(void **state) {
    const int64_t s234[3] = {2, 3, 4}, s4[1] = {4}, s214[3] = {2, 1, 4}, s31[2] = {3, 1},
                  one[1] = {1}, s1[3] = {1, 3, 1};
    const wi_op_kind ops[3] = {WI_OP_ADD, WI_OP_SUB, WI_OP_MUL};
    for (int k = 0; k < 3; k++) {
        check_binary(ops[k], 3, s234, 3, s234, 3, s234);
        check_binary(ops[k], 3, s234, 1, s4, 3, s234);
        check_binary(ops[k], 3, s214, 2, s31, 3, s234);
        check_binary(ops[k], 3, s234, 1, one, 3, s234);
        check_binary(ops[k], 3, s234, 3, s1, 3, s234);
        check_binary(ops[k], 1, s4, 3, s234, 3, s234); /* the input is the smaller one */
    }
    wi_graph *g = wi_graph_create(0);
    int in = og_input(g, 3, s234);
    int64_t bad[1] = {3};
    int c = og_const(g, "b", WI_DTYPE_FLOAT32, 1, bad, NULL);
    int ins[2] = {in, c};
    int out = og_node(g, WI_OP_ADD, "nope", ins, 2, NULL);
    wi_error err;
    assert_int_equal(og_build_error(g, in, out, &err), WI_E_MALFORMED);
    assert_non_null(strstr(err.message, "[2,3,4] and [3] do not broadcast"));
}

static void test_bias_relu_batchnorm(void **state) {
    const int64_t xd[2] = {6, 5}, cd[1] = {5};
    float *x = og_rand_buf(30, -8, 8);
    float *b = og_rand_buf(5, -1, 1);
    /* BiasAdd then Relu6, no convolution to fuse into */
    wi_graph *g = wi_graph_create(0);
    int in = og_input(g, 2, xd);
    int bias = og_const(g, "b", WI_DTYPE_FLOAT32, 1, cd, b);
    int ins[2] = {in, bias};
    int y = og_node(g, WI_OP_BIAS_ADD, "bias", ins, 2, NULL);
    int out = og_node(g, WI_OP_RELU6, "relu6", &y, 1, NULL);
    size_t n;
    float *got = og_run(g, in, out, x, &n, 0, NULL, 0);
    assert_non_null(got);
    float want[30];
    for (int i = 0; i < 30; i++) {
        float v = x[i] + b[i % 5];
        want[i] = v < 0 ? 0 : v > 6 ? 6 : v;
    }
    expect_close(got, want, 30, 0, "bias+relu6");
    free(got);
    /* Relu */
    g = wi_graph_create(0);
    in = og_input(g, 2, xd);
    out = og_node(g, WI_OP_RELU, "relu", &in, 1, NULL);
    got = og_run(g, in, out, x, &n, 0, NULL, 0);
    for (int i = 0; i < 30; i++) want[i] = x[i] > 0 ? x[i] : 0;
    expect_close(got, want, 30, 0, "relu");
    free(got);
    /* FusedBatchNorm on its own */
    float *gamma = og_rand_buf(5, 0.5f, 2), *beta = og_rand_buf(5, -1, 1);
    float *mean = og_rand_buf(5, -1, 1), *var = og_rand_buf(5, 0.1f, 3);
    g = wi_graph_create(0);
    in = og_input(g, 2, xd);
    int bn_in[5] = {in, og_const(g, "gamma", WI_DTYPE_FLOAT32, 1, cd, gamma),
                    og_const(g, "beta", WI_DTYPE_FLOAT32, 1, cd, beta),
                    og_const(g, "mean", WI_DTYPE_FLOAT32, 1, cd, mean),
                    og_const(g, "var", WI_DTYPE_FLOAT32, 1, cd, var)};
    wi_op_params p;
    memset(&p, 0, sizeof p);
    p.batchnorm.epsilon = 0.001f;
    out = og_node(g, WI_OP_BATCHNORM, "bn", bn_in, 5, &p);
    got = og_run(g, in, out, x, &n, 0, NULL, 0);
    assert_non_null(got);
    for (int i = 0; i < 30; i++) {
        int c = i % 5;
        want[i] = (float)((x[i] - mean[c]) * gamma[c] / sqrt(var[c] + 0.001) + beta[c]);
    }
    expect_close(got, want, 30, 1e-5f, "batchnorm");
    free(got);
    free(gamma), free(beta), free(mean), free(var), free(x), free(b);
}

/* ---- data movement ---- */

static void test_pad(void **state) {
    const int64_t xd[4] = {1, 3, 2, 2};
    float *x = og_rand_buf(12, 1, 2);
    wi_graph *g = wi_graph_create(0);
    int in = og_input(g, 4, xd);
    int32_t pads[8] = {0, 0, 1, 2, 0, 1, 0, 0};
    int64_t pd[2] = {4, 2};
    int pv = og_const(g, "pads", WI_DTYPE_INT32, 2, pd, pads);
    int ins[2] = {in, pv};
    int out = og_node(g, WI_OP_PAD, "pad", ins, 2, NULL);
    size_t n;
    float *got = og_run(g, in, out, x, &n, 0, NULL, 0);
    assert_non_null(got);
    assert_int_equal(n, 1 * 6 * 3 * 2);
    for (int yy = 0; yy < 6; yy++)
        for (int xx = 0; xx < 3; xx++)
            for (int c = 0; c < 2; c++) {
                float v = got[(yy * 3 + xx) * 2 + c];
                int sy = yy - 1, sx = xx;
                float w = sy >= 0 && sy < 3 && sx < 2 ? x[(sy * 2 + sx) * 2 + c] : 0.0f;
                assert_true(v == w);
            }
    free(got);
    free(x);
}

static void test_concat(void **state) {
    const int64_t xd[3] = {2, 3, 2}, cd[3] = {2, 3, 3};
    float *x = og_rand_buf(12, -1, 1), *c = og_rand_buf(18, -1, 1);
    wi_graph *g = wi_graph_create(0);
    int in = og_input(g, 3, xd);
    int k = og_const(g, "c", WI_DTYPE_FLOAT32, 3, cd, c);
    wi_op_params p;
    memset(&p, 0, sizeof p);
    p.concat.axis = -1;
    int ins[2] = {in, k};
    int out = og_node(g, WI_OP_CONCAT, "concat", ins, 2, &p);
    size_t n;
    float *got = og_run(g, in, out, x, &n, 0, NULL, 0);
    assert_non_null(got);
    assert_int_equal(n, 30);
    for (int r = 0; r < 6; r++) {
        for (int j = 0; j < 2; j++) assert_true(got[r * 5 + j] == x[r * 2 + j]);
        for (int j = 0; j < 3; j++) assert_true(got[r * 5 + 2 + j] == c[r * 3 + j]);
    }
    free(got);
    /* along axis 0 with the input twice */
    g = wi_graph_create(0);
    in = og_input(g, 3, xd);
    p.concat.axis = 0;
    int twice[2] = {in, in};
    out = og_node(g, WI_OP_CONCAT, "concat0", twice, 2, &p);
    got = og_run(g, in, out, x, &n, 0, NULL, 0);
    assert_int_equal(n, 24);
    assert_memory_equal(got, x, 12 * sizeof(float));
    assert_memory_equal(got + 12, x, 12 * sizeof(float));
    free(got);
    free(x);
    free(c);
}

/* A constant B runs on the conv kernels' GEMM (a 1x1 convolution over A's rows): sizes
 * crossing the tile edges, and a classifier's matrix-vector shape. */
static void check_matmul(int ta, int tb, int M, int K, int N) {
    int64_t ad[2] = {ta ? K : M, ta ? M : K}, bd[2] = {tb ? N : K, tb ? K : N};
    float *a = og_rand_buf(M * K, -1, 1), *b = og_rand_buf(K * N, -1, 1);
    wi_graph *g = wi_graph_create(0);
    int in = og_input(g, 2, ad);
    int k = og_const(g, "b", WI_DTYPE_FLOAT32, 2, bd, b);
    wi_op_params p;
    memset(&p, 0, sizeof p);
    p.matmul.transpose_a = ta;
    p.matmul.transpose_b = tb;
    int ins[2] = {in, k};
    int out = og_node(g, WI_OP_MATMUL, "mm", ins, 2, &p);
    size_t n;
    float *got = og_run(g, in, out, a, &n, 0, NULL, 0);
    assert_non_null(got);
    assert_int_equal(n, M * N);
    float *want = malloc(sizeof(float) * (size_t)(M * N));
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int t = 0; t < K; t++)
                s += (ta ? a[t * M + i] : a[i * K + t]) * (tb ? b[j * K + t] : b[t * N + j]);
            want[i * N + j] = (float)s;
        }
    expect_close(got, want, (size_t)(M * N), 1e-5f, "matmul");
    free(want);
    free(got);
    free(a);
    free(b);
}

static void test_matmul(void **state) {
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            check_matmul(ta, tb, 3, 5, 4);
            check_matmul(ta, tb, 7, 37, 53);
            check_matmul(ta, tb, 1, 300, 1001);
        }
}

static void test_softmax(void **state) {
    const int64_t xd[2] = {3, 7};
    float *x = og_rand_buf(21, -20, 20);
    x[0] = 80.0f; /* large logits must not overflow */
    wi_graph *g = wi_graph_create(0);
    int in = og_input(g, 2, xd);
    int out = og_node(g, WI_OP_SOFTMAX, "softmax", &in, 1, NULL);
    size_t n;
    float *got = og_run(g, in, out, x, &n, 0, NULL, 0);
    assert_non_null(got);
    float want[21];
    for (int r = 0; r < 3; r++) {
        double mx = -1e30, s = 0;
        for (int i = 0; i < 7; i++) mx = x[r * 7 + i] > mx ? x[r * 7 + i] : mx;
        for (int i = 0; i < 7; i++) s += exp(x[r * 7 + i] - mx);
        for (int i = 0; i < 7; i++) want[r * 7 + i] = (float)(exp(x[r * 7 + i] - mx) / s);
    }
    expect_close(got, want, 21, 1e-5f, "softmax");
    free(got);
    free(x);
}

static void test_reshape_squeeze(void **state) {
    const int64_t xd[4] = {1, 1, 1, 6};
    float x[6] = {1, 2, 3, 4, 5, 6};
    wi_graph *g = wi_graph_create(0);
    int in = og_input(g, 4, xd);
    int32_t shape[2] = {-1, 3};
    int sv = og_const_ints(g, "shape", 2, shape);
    int ins[2] = {in, sv};
    int out = og_node(g, WI_OP_RESHAPE, "reshape", ins, 2, NULL);
    char dump[512];
    size_t n;
    float *got = og_run(g, in, out, x, &n, 0, dump, sizeof dump);
    assert_non_null(got);
    assert_non_null(strstr(dump, "reshape[2,3]"));
    assert_memory_equal(got, x, sizeof x);
    free(got);

    wi_op_params p;
    memset(&p, 0, sizeof p);
    p.squeeze.count = 2;
    p.squeeze.dims[0] = 1;
    p.squeeze.dims[1] = -2;
    g = wi_graph_create(0);
    in = og_input(g, 4, xd);
    out = og_node(g, WI_OP_SQUEEZE, "squeeze", &in, 1, &p);
    got = og_run(g, in, out, x, &n, 0, dump, sizeof dump);
    assert_non_null(strstr(dump, "squeeze[1,6]"));
    free(got);

    memset(&p, 0, sizeof p); /* no dims: every size-1 dim goes */
    g = wi_graph_create(0);
    in = og_input(g, 4, xd);
    out = og_node(g, WI_OP_SQUEEZE, "squeeze_all", &in, 1, &p);
    got = og_run(g, in, out, x, &n, 0, dump, sizeof dump);
    assert_non_null(strstr(dump, "squeeze_all[6]"));
    free(got);

    /* errors: squeezing a dim that is not 1, a shape that does not match */
    p.squeeze.count = 1;
    p.squeeze.dims[0] = 3;
    g = wi_graph_create(0);
    in = og_input(g, 4, xd);
    out = og_node(g, WI_OP_SQUEEZE, "bad_squeeze", &in, 1, &p);
    wi_error err;
    assert_int_equal(og_build_error(g, in, out, &err), WI_E_MALFORMED);
    assert_non_null(strstr(err.message, "not 1"));
    g = wi_graph_create(0);
    in = og_input(g, 4, xd);
    int32_t bad[2] = {4, -1};
    sv = og_const_ints(g, "shape", 2, bad);
    ins[0] = in;
    ins[1] = sv;
    out = og_node(g, WI_OP_RESHAPE, "bad_reshape", ins, 2, NULL);
    assert_int_equal(og_build_error(g, in, out, &err), WI_E_MALFORMED);
    assert_non_null(strstr(err.message, "bad_reshape"));
}

static void test_shape_folds(void **state) {
    /* Reshape(x, Shape(x)) is x, with Shape folded to a constant at load */
    const int64_t xd[3] = {2, 3, 4};
    float *x = og_rand_buf(24, -1, 1);
    wi_graph *g = wi_graph_create(0);
    int in = og_input(g, 3, xd);
    int sh = og_node(g, WI_OP_SHAPE, "shape", &in, 1, NULL);
    int ins[2] = {in, sh};
    int out = og_node(g, WI_OP_RESHAPE, "reshape", ins, 2, NULL);
    char dump[512];
    size_t n;
    float *got = og_run(g, in, out, x, &n, 0, dump, sizeof dump);
    assert_non_null(got);
    assert_null(strstr(dump, "Shape"));
    assert_non_null(strstr(dump, "shape[3]*")); /* now a constant */
    assert_memory_equal(got, x, 24 * sizeof(float));
    free(got);
    free(x);
}

int main(void) {
    const char *seed = getenv("WI_TEST_SEED");
    if (seed) og_reseed(strtoull(seed, NULL, 10));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv2d),        cmocka_unit_test(test_depthwise),
        cmocka_unit_test(test_conv_rejects),  cmocka_unit_test(test_pools),
        cmocka_unit_test(test_mean),          cmocka_unit_test(test_broadcast),
        cmocka_unit_test(test_bias_relu_batchnorm), cmocka_unit_test(test_pad),
        cmocka_unit_test(test_concat),        cmocka_unit_test(test_matmul),
        cmocka_unit_test(test_softmax),       cmocka_unit_test(test_reshape_squeeze),
        cmocka_unit_test(test_shape_folds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
