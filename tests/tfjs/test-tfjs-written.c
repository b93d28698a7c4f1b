/* Small TF.js models written here: the converter's fused ops against the plain ops they stand
 * for, quantized and float16 weights against their float32 values, and proto3 JSON forms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include "tfjs/tfjs-test-util.h"

/* Conv 3x3x3x4 SAME + bias + Relu6, then depthwise 3x3x4x1 stride 2 VALID + bias + Relu. */
#define W_CONV 108
#define W_DW 36
static float g_w[W_CONV], g_b[4], g_dw[W_DW], g_b2[4], g_input[6 * 6 * 3];
#define WEIGHTS_A WEIGHT("w", "3,3,3,4") "," WEIGHT("b", "4") "," WEIGHT("dw", "3,3,4,1") "," WEIGHT("b2", "4")

static const char *k_unfused =
    INPUT_6x6x3 "," CONST("w") "," CONST("b") "," CONST("dw") "," CONST("b2") ","
    NODE("conv", "Conv2D", "\"x\",\"w\"", CONV_ATTRS("1", B64_SAME)) ","
    NODE("conv/bias", "BiasAdd", "\"conv\",\"b\"", T_FLOAT) ","
    NODE("conv/relu6", "Relu6", "\"conv/bias\"", T_FLOAT) ","
    NODE("dwconv", "DepthwiseConv2dNative", "\"conv/relu6\",\"dw\"", CONV_ATTRS("2", B64_VALID)) ","
    NODE("dwconv/bias", "BiasAdd", "\"dwconv\",\"b2\"", T_FLOAT) ","
    NODE("out", "Relu", "\"dwconv/bias\"", T_FLOAT);

static const char *k_fused =
    INPUT_6x6x3 "," CONST("w") "," CONST("b") "," CONST("dw") "," CONST("b2") ","
    NODE("conv", "_FusedConv2D", "\"x\",\"w\",\"b\"",
         CONV_ATTRS("1", B64_SAME) FUSED("\"" B64_BIASADD "\",\"" B64_RELU6 "\"", "1")) ","
    NODE("out", "FusedDepthwiseConv2dNative", "\"conv\",\"dw\",\"b2\"",
         CONV_ATTRS("2", B64_VALID) FUSED("\"" B64_BIASADD "\",\"" B64_RELU "\"", "1"));

static void fill_weights(void) {
    tj_fill(g_w, W_CONV, 1, -1.0f, 1.0f);
    tj_fill(g_b, 4, 2, -0.5f, 0.5f);
    tj_fill(g_dw, W_DW, 3, -1.0f, 1.0f);
    tj_fill(g_b2, 4, 4, -0.5f, 0.5f);
    tj_fill(g_input, sizeof g_input / sizeof g_input[0], 5, 0.0f, 1.0f);
}

/* The float32 shard of WEIGHTS_A. */
static size_t shard_a(uint8_t *out) {
    size_t n = 0;
    memcpy(out + n, g_w, sizeof g_w), n += sizeof g_w;
    memcpy(out + n, g_b, sizeof g_b), n += sizeof g_b;
    memcpy(out + n, g_dw, sizeof g_dw), n += sizeof g_dw;
    memcpy(out + n, g_b2, sizeof g_b2), n += sizeof g_b2;
    return n;
}

static float *run_json(const char *nodes, const char *weights, const void *shard, size_t len, size_t *n) {
    char *json = tj_model(nodes, weights);
    wi_model *m = NULL;
    wi_error err;
    if (tj_load(json, shard, len, &m, &err) != WI_OK) fail_msg("%s", err.message);
    free(json);
    float *y = tj_run(m, g_input, n);
    assert_non_null(y);
    wi_model_free(m);
    return y;
}

static void histogram(const char *name, int count, void *user) {
    char *buf = user;
    size_t len = strlen(buf);
    snprintf(buf + len, 512 - len, "%s=%d;", name, count);
}

static void test_fused_conv_equals_plain_ops(void **state) {
    uint8_t shard[1024];
    size_t len = shard_a(shard), na, nb;
    float *a = run_json(k_unfused, WEIGHTS_A, shard, len, &na);
    float *b = run_json(k_fused, WEIGHTS_A, shard, len, &nb);
    assert_int_equal(na, 2 * 2 * 4);
    assert_int_equal(nb, na);
    assert_true(tj_max_abs_diff(a, b, na) <= 1e-6f);
    /* and the fused graph is one convolution per fused node, labelled like the plain one */
    char *json = tj_model(k_fused, WEIGHTS_A);
    wi_model *m = NULL;
    assert_int_equal(tj_load(json, shard, len, &m, NULL), WI_OK);
    char h[512] = "";
    wi_model_op_histogram(m, histogram, h);
    assert_string_equal(h, "Conv2D+BiasAdd+Relu6=1;DepthwiseConv2dNative+BiasAdd+Relu=1;");
    wi_model_free(m);
    free(json);
    free(a);
    free(b);
}

/* A reference computed here: the relu6 conv output at one pixel, to check the plain path too. */
static void test_plain_conv_against_reference(void **state) {
    uint8_t shard[1024];
    size_t len = shard_a(shard), n;
    static const char *conv_only =
        INPUT_6x6x3 "," CONST("w") "," CONST("b") ","
        NODE("out", "_FusedConv2D", "\"x\",\"w\",\"b\"",
             CONV_ATTRS("1", B64_SAME) FUSED("\"" B64_BIASADD "\",\"" B64_RELU6 "\"", "1"));
    float *y = run_json(conv_only, WEIGHT("w", "3,3,3,4") "," WEIGHT("b", "4"), shard, len - sizeof g_dw - sizeof g_b2, &n);
    assert_int_equal(n, 6 * 6 * 4);
    for (int oy = 0; oy < 6; oy++)
        for (int ox = 0; ox < 6; ox++)
            for (int co = 0; co < 4; co++) {
                double s = g_b[co];
                for (int ky = 0; ky < 3; ky++)
                    for (int kx = 0; kx < 3; kx++)
                        for (int ci = 0; ci < 3; ci++) {
                            int iy = oy + ky - 1, ix = ox + kx - 1;
                            if (iy < 0 || iy >= 6 || ix < 0 || ix >= 6) continue;
                            s += (double)g_input[(iy * 6 + ix) * 3 + ci] * g_w[((ky * 3 + kx) * 3 + ci) * 4 + co];
                        }
                s = s < 0 ? 0 : s > 6 ? 6 : s;
                assert_true(fabs(s - y[(oy * 6 + ox) * 4 + co]) <= 1e-5);
            }
    free(y);
}

/* _FusedConv2D with FusedBatchNorm (num_args 4) against Conv2D + FusedBatchNormV3. */
static void test_fused_batchnorm(void **state) {
    float scale[4], offset[4], mean[4], var[4];
    tj_fill(scale, 4, 11, 0.5f, 1.5f);
    tj_fill(offset, 4, 12, -0.5f, 0.5f);
    tj_fill(mean, 4, 13, -0.2f, 0.2f);
    tj_fill(var, 4, 14, 0.5f, 2.0f);
    uint8_t shard[1024];
    size_t len = 0;
    memcpy(shard, g_w, sizeof g_w), len += sizeof g_w;
    memcpy(shard + len, scale, 16), len += 16;
    memcpy(shard + len, offset, 16), len += 16;
    memcpy(shard + len, mean, 16), len += 16;
    memcpy(shard + len, var, 16), len += 16;
    const char *weights = WEIGHT("w", "3,3,3,4") "," WEIGHT("s", "4") "," WEIGHT("o", "4") "," WEIGHT("m", "4") ","
                          WEIGHT("v", "4");
    const char *consts = INPUT_6x6x3 "," CONST("w") "," CONST("s") "," CONST("o") "," CONST("m") "," CONST("v") ",";
    char plain[4096], fused[4096];
    snprintf(plain, sizeof plain, "%s%s", consts,
             NODE("conv", "Conv2D", "\"x\",\"w\"", CONV_ATTRS("1", B64_SAME)) ","
             NODE("bn", "FusedBatchNormV3", "\"conv\",\"s\",\"o\",\"m\",\"v\"",
                  T_FLOAT ",\"epsilon\":{\"f\":0.001},\"is_training\":{\"b\":false}") ","
             NODE("out", "Relu", "\"bn\"", T_FLOAT));
    snprintf(fused, sizeof fused, "%s%s", consts,
             NODE("out", "_FusedConv2D", "\"x\",\"w\",\"s\",\"o\",\"m\",\"v\"",
                  CONV_ATTRS("1", B64_SAME) FUSED("\"" B64_FUSEDBN "\",\"" B64_RELU "\"", "4")));
    size_t na, nb;
    float *a = run_json(plain, weights, shard, len, &na), *b = run_json(fused, weights, shard, len, &nb);
    assert_int_equal(na, nb);
    assert_true(tj_max_abs_diff(a, b, na) <= 1e-6f);
    free(a);
    free(b);
}

/* _FusedMatMul (a dense layer) against MatMul + BiasAdd + Relu. */
static void test_fused_matmul(void **state) {
    float w[8 * 5], b[5];
    tj_fill(w, 40, 21, -1.0f, 1.0f);
    tj_fill(b, 5, 22, -1.0f, 1.0f);
    uint8_t shard[256];
    memcpy(shard, w, sizeof w);
    memcpy(shard + sizeof w, b, sizeof b);
    const char *weights = WEIGHT("w", "8,5") "," WEIGHT("b", "5");
    const char *head = INPUT("{\"size\":\"1\"},{\"size\":\"8\"}") "," CONST("w") "," CONST("b") ",";
    char plain[2048], fused[2048];
    snprintf(plain, sizeof plain, "%s%s", head,
             NODE("mm", "MatMul", "\"x\",\"w\"", T_FLOAT ",\"transpose_a\":{\"b\":false}") ","
             NODE("bias", "BiasAdd", "\"mm\",\"b\"", T_FLOAT) "," NODE("out", "Relu", "\"bias\"", T_FLOAT));
    snprintf(fused, sizeof fused, "%s%s", head,
             NODE("out", "_FusedMatMul", "\"x\",\"w\",\"b\"",
                  T_FLOAT ",\"transpose_a\":{\"b\":false}" FUSED("\"" B64_BIASADD "\",\"" B64_RELU "\"", "1")));
    size_t na, nb;
    float *a = run_json(plain, weights, shard, sizeof w + sizeof b, &na);
    float *c = run_json(fused, weights, shard, sizeof w + sizeof b, &nb);
    assert_int_equal(na, 5);
    assert_int_equal(nb, 5);
    assert_true(tj_max_abs_diff(a, c, na) <= 1e-6f);
    for (int j = 0; j < 5; j++) { /* and the value itself */
        double s = b[j];
        for (int i = 0; i < 8; i++) s += (double)g_input[i] * w[i * 5 + j];
        assert_true(fabs((s > 0 ? s : 0) - a[j]) <= 1e-5);
    }
    free(a);
    free(c);
}

static uint16_t half_bits(float f) { /* exact for the values used here: normal halves and 2^-20 */
    uint32_t x;
    memcpy(&x, &f, 4);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    if ((x & 0x7FFFFFFF) == 0) return sign;
    int exp = (int)((x >> 23) & 0xFF) - 127;
    if (exp < -14) return (uint16_t)(sign | (1u << (exp + 24))); /* subnormal power of two */
    return (uint16_t)(sign | (uint16_t)((exp + 15) << 10) | (uint16_t)((x >> 13) & 0x3FF));
}

/* uint8, uint16 and float16 weights decode to the float32 values they stand for. */
static void test_quantized_weights(void **state) {
    uint8_t q8[W_CONV];
    uint16_t q16[W_DW], h[4];
    float scale8 = 0.0078125f, min8 = -1.0f, scale16 = 1.0f / 32768.0f, min16 = -1.0f;
    float w[W_CONV], dw[W_DW], b2[4] = {0.5f, -0.25f, 0.0f, 0.00000095367431640625f /* 2^-20 */};
    for (int i = 0; i < W_CONV; i++) {
        q8[i] = (uint8_t)(i * 37 % 256);
        w[i] = q8[i] * scale8 + min8;
    }
    for (int i = 0; i < W_DW; i++) {
        q16[i] = (uint16_t)(i * 1811 % 65536);
        dw[i] = q16[i] * scale16 + min16;
    }
    for (int i = 0; i < 4; i++) h[i] = half_bits(b2[i]);
    uint8_t quant[1024], plain[1024];
    size_t ql = 0, pl = 0;
    memcpy(quant + ql, q8, sizeof q8), ql += sizeof q8;
    memcpy(quant + ql, g_b, sizeof g_b), ql += sizeof g_b;
    memcpy(quant + ql, q16, sizeof q16), ql += sizeof q16;
    memcpy(quant + ql, h, sizeof h), ql += sizeof h;
    memcpy(plain + pl, w, sizeof w), pl += sizeof w;
    memcpy(plain + pl, g_b, sizeof g_b), pl += sizeof g_b;
    memcpy(plain + pl, dw, sizeof dw), pl += sizeof dw;
    memcpy(plain + pl, b2, sizeof b2), pl += sizeof b2;
    const char *qweights =
        "{\"name\":\"w\",\"shape\":[3,3,3,4],\"dtype\":\"float32\",\"quantization\":{\"dtype\":\"uint8\","
        "\"scale\":0.0078125,\"min\":-1}}," WEIGHT("b", "4") ","
        "{\"name\":\"dw\",\"shape\":[3,3,4,1],\"dtype\":\"float32\",\"quantization\":{\"dtype\":\"uint16\","
        "\"scale\":3.0517578125e-05,\"min\":-1.0}},"
        "{\"name\":\"b2\",\"shape\":[4],\"dtype\":\"float32\",\"quantization\":{\"dtype\":\"float16\"}}";
    size_t na, nb;
    float *a = run_json(k_unfused, WEIGHTS_A, plain, pl, &na);
    float *c = run_json(k_unfused, qweights, quant, ql, &nb);
    assert_int_equal(na, nb);
    assert_true(tj_max_abs_diff(a, c, na) <= 1e-6f);
    free(a);
    free(c);
}

/* Weights split over several shards and groups: offsets run on across them. */
static void test_several_groups(void **state) {
    uint8_t shard[1024];
    size_t len = shard_a(shard), na, nb;
    char *one = tj_model(k_unfused, WEIGHTS_A);
    const char *fmt = "{\"modelTopology\":{\"node\":[%s]},\"weightsManifest\":["
                      "{\"paths\":[\"a\",\"b\"],\"weights\":[" WEIGHT("w", "3,3,3,4") "]},"
                      "{\"paths\":[\"c\"],\"weights\":[" WEIGHT("b", "4") "," WEIGHT("dw", "3,3,4,1") "," WEIGHT("b2", "4") "]}]}";
    char *two = malloc(strlen(fmt) + strlen(k_unfused) + 1);
    sprintf(two, fmt, k_unfused);
    wi_model *m1 = NULL, *m2 = NULL;
    assert_int_equal(tj_load(one, shard, len, &m1, NULL), WI_OK);
    assert_int_equal(tj_load(two, shard, len, &m2, NULL), WI_OK);
    float *a = tj_run(m1, g_input, &na), *b = tj_run(m2, g_input, &nb);
    assert_memory_equal(a, b, na * sizeof(float));
    free(a);
    free(b);
    free(one);
    free(two);
    wi_model_free(m1);
    wi_model_free(m2);
}

/* Proto3 JSON also allows int64 as numbers and "^control" / "name:0" inputs. */
static void test_json_forms(void **state) {
    uint8_t shard[1024];
    size_t len = shard_a(shard), na, nb;
    static const char *forms =
        INPUT_6x6x3 "," CONST("w") "," CONST("b") "," CONST("dw") "," CONST("b2") ","
        "{\"name\":\"init\",\"op\":\"NoOp\"},"
        NODE("conv", "_FusedConv2D", "\"x:0\",\"w\",\"b\",\"^init\"",
             T_FLOAT ",\"strides\":{\"list\":{\"i\":[1,1,1,1]}},\"padding\":{\"s\":\"U0FNRQ\"},"
             "\"num_args\":{\"i\":1},"
             "\"fused_ops\":{\"list\":{\"s\":[\"" B64_BIASADD "\",\"" B64_RELU6 "\"]}},\"_class\":{\"list\":{\"s\":[]}}") ","
        NODE("out", "FusedDepthwiseConv2dNative", "\"conv:0\",\"dw\",\"b2\"",
             CONV_ATTRS("2", B64_VALID) FUSED("\"" B64_BIASADD "\",\"" B64_RELU "\"", "1"));
    float *a = run_json(k_fused, WEIGHTS_A, shard, len, &na), *b = run_json(forms, WEIGHTS_A, shard, len, &nb);
    assert_memory_equal(a, b, na * sizeof(float));
    free(a);
    free(b);
}

int main(void) {
    fill_weights();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fused_conv_equals_plain_ops),
        cmocka_unit_test(test_plain_conv_against_reference),
        cmocka_unit_test(test_fused_batchnorm),
        cmocka_unit_test(test_fused_matmul),
        cmocka_unit_test(test_quantized_weights),
        cmocka_unit_test(test_several_groups),
        cmocka_unit_test(test_json_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
