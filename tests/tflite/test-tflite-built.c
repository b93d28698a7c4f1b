/* Small TFLite models written by tflite-builder.h, run end to end against references
 * computed here: FULLY_CONNECTED (float; quantized with uint8 input, weights and output),
 * the rounding FakeQuant does (grid, clamping, NaN), QUANTIZE/DEQUANTIZE, and messages for
 * unsupported ops and options. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include "tflite-builder.h"
#include "wasinfer.h"

enum { T_FLOAT32 = 0, T_INT32 = 2, T_UINT8 = 3, T_INT8 = 9 };
enum { OP_FC = 9, OP_RESIZE_BILINEAR = 23, OP_QUANTIZE = 114, OP_DEQUANTIZE = 6, OP_SOFTMAX = 25 };

static int64_t float_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

/* Loads and runs a built model on x; returns the status, the output in y. */
static wi_status run(const tb_tensor *t, int nt, const tb_op *ops, int nops, int in, int out,
                     const float *x, size_t nx, float *y, size_t ny, wi_error *err, int *probs) {
    size_t len;
    uint8_t *bytes = tb_model(t, nt, ops, nops, in, out, &len);
    wi_model *m = NULL;
    wi_status st = wi_model_load(bytes, len, NULL, &m, err);
    free(bytes);
    if (st != WI_OK) return st;
    if (probs) *probs = wi_model_output_is_probabilities(m);
    wi_session *s = NULL;
    assert_int_equal(wi_session_create(m, NULL, &s, err), WI_OK);
    assert_int_equal(wi_session_set_input(s, 0, x, nx), WI_OK);
    assert_int_equal(wi_session_run(s), WI_OK);
    size_t n;
    const float *o = wi_session_output(s, 0, &n);
    assert_int_equal(n, ny);
    memcpy(y, o, n * sizeof(float));
    wi_session_free(s);
    wi_model_free(m);
    return WI_OK;
}

static const float k_w[3][4] = {{1, -2, 0.5f, 3}, {0, 1, 1, -1}, {-1, 0.25f, 2, 0}};
static const float k_b[3] = {0.5f, -4, 1};

static void test_fully_connected_float(void **state) {
    (void)state;
    tb_tensor t[4] = {
        {"x", T_FLOAT32, 4, {1, 1, 1, 4}, NULL, 0, 0, 0, 0},
        {"w", T_FLOAT32, 2, {3, 4}, k_w, sizeof k_w, 0, 0, 0},
        {"b", T_FLOAT32, 1, {3}, k_b, sizeof k_b, 0, 0, 0},
        {"y", T_FLOAT32, 2, {1, 3}, NULL, 0, 0, 0, 0},
    };
    tb_op op = {OP_FC, {0, 1, 2}, 3, 3, 8, 1, {1 /* RELU */}};
    float x[4] = {0.5f, -1, 2, 1}, y[3];
    wi_error err;
    int probs = -1;
    if (run(t, 4, &op, 1, 0, 3, x, 4, y, 3, &err, &probs) != WI_OK) fail_msg("%s", err.message);
    for (int o = 0; o < 3; o++) {
        float ref = k_b[o];
        for (int i = 0; i < 4; i++) ref += k_w[o][i] * x[i];
        assert_float_equal(y[o], ref > 0 ? ref : 0, 1e-6);
    }
    assert_int_equal(probs, 0);
    /* without a bias */
    op.input_count = 2;
    if (run(t, 4, &op, 1, 0, 3, x, 4, y, 3, &err, NULL) != WI_OK) fail_msg("%s", err.message);
    assert_float_equal(y[0], 0.5f * 1 + 2 + 1 + 3, 1e-6);
}

/* uint8 everything: x scale 0.5 zp 10, w scale 0.25 zp 128, bias int32 scale 0.125, y scale
 * 0.75 zp 3. The reference does TFLite's arithmetic on the integers. */
static void test_fully_connected_quantized(void **state) {
    (void)state;
    uint8_t wq[3][4];
    int32_t bq[3] = {4, -32, 8};
    for (int o = 0; o < 3; o++)
        for (int i = 0; i < 4; i++) wq[o][i] = (uint8_t)(128 + (int)(k_w[o][i] * 4));
    tb_tensor t[4] = {
        {"x", T_UINT8, 2, {1, 4}, NULL, 0, 1, 0.5f, 10},
        {"w", T_UINT8, 2, {3, 4}, wq, sizeof wq, 1, 0.25f, 128},
        {"b", T_INT32, 1, {3}, bq, sizeof bq, 1, 0.125f, 0},
        {"y", T_UINT8, 2, {1, 3}, NULL, 0, 1, 0.75f, 3},
    };
    tb_op op = {OP_FC, {0, 1, 2}, 3, 3, 8, 1, {0}};
    int xq[4] = {11, 7, 250, 0}; /* 0 is below the zero point: x = -5 */
    float x[4], y[3];
    for (int i = 0; i < 4; i++) x[i] = 0.5f * (float)(xq[i] - 10) + 0.1f; /* off grid: rounded */
    wi_error err;
    if (run(t, 4, &op, 1, 0, 3, x, 4, y, 3, &err, NULL) != WI_OK) fail_msg("%s", err.message);
    for (int o = 0; o < 3; o++) {
        int64_t acc = bq[o];
        for (int i = 0; i < 4; i++) acc += (int64_t)(xq[i] - 10) * (wq[o][i] - 128);
        double real = acc * 0.125;
        int64_t q = (int64_t)llround(real / 0.75) + 3;
        q = q < 0 ? 0 : q > 255 ? 255 : q;
        assert_float_equal(y[o], 0.75f * (float)(q - 3), 1e-6);
    }
}

/* QUANTIZE float -> int8 grid, DEQUANTIZE back: rounding, clamping at both ends, NaN. */
static void test_quantize_dequantize(void **state) {
    (void)state;
    tb_tensor t[3] = {
        {"x", T_FLOAT32, 1, {6}, NULL, 0, 0, 0, 0},
        {"q", T_INT8, 1, {6}, NULL, 0, 1, 0.1f, -20},
        {"y", T_FLOAT32, 1, {6}, NULL, 0, 0, 0, 0},
    };
    tb_op ops[2] = {{OP_QUANTIZE, {0}, 1, 1, 0, 0, {0}}, {OP_DEQUANTIZE, {1}, 1, 2, 0, 0, {0}}};
    float x[6] = {0.26f, -0.34f, 100.0f, -100.0f, NAN, 0.0f}, y[6];
    wi_error err;
    if (run(t, 3, ops, 2, 0, 2, x, 6, y, 6, &err, NULL) != WI_OK) fail_msg("%s", err.message);
    assert_float_equal(y[0], 0.3f, 1e-6);          /* 2.6 -> 3 */
    assert_float_equal(y[1], -0.3f, 1e-6);         /* -3.4 -> -3 */
    assert_float_equal(y[2], 0.1f * 147, 1e-5);    /* qmax 127 - zp -20 */
    assert_float_equal(y[3], 0.1f * -108, 1e-5);   /* qmin -128 - zp */
    assert_float_equal(y[4], 0.1f * -108, 1e-5);   /* NaN -> qmin */
    assert_float_equal(y[5], 0.0f, 0);
}

static void test_softmax_is_probabilities(void **state) {
    (void)state;
    tb_tensor t[3] = {
        {"x", T_UINT8, 2, {1, 4}, NULL, 0, 1, 0.5f, 128},
        {"p", T_UINT8, 2, {1, 4}, NULL, 0, 1, 1.0f / 256, 0},
        {"y", T_FLOAT32, 2, {1, 4}, NULL, 0, 0, 0, 0},
    };
    tb_op ops[2] = {{OP_SOFTMAX, {0}, 1, 1, 9, 1, {float_bits(1.0f)}},
                    {OP_DEQUANTIZE, {1}, 1, 2, 0, 0, {0}}};
    float x[4] = {1, 2, 3, 0.5f}, y[4];
    wi_error err;
    int probs = 0;
    if (run(t, 3, ops, 2, 0, 2, x, 4, y, 4, &err, &probs) != WI_OK) fail_msg("%s", err.message);
    assert_int_equal(probs, 1);
    double e[4], sum = 0;
    for (int i = 0; i < 4; i++) sum += e[i] = exp(x[i]);
    for (int i = 0; i < 4; i++) assert_float_equal(y[i], round(e[i] / sum * 256) / 256, 1e-6);
    ops[0].options[0] = float_bits(2.0f);
    assert_int_not_equal(run(t, 3, ops, 2, 0, 2, x, 4, y, 4, &err, NULL), WI_OK);
    assert_string_equal(err.message, "tflite: operator 0 (SOFTMAX): beta 2 (only 1 is supported)");
}

static void test_messages(void **state) {
    (void)state;
    tb_tensor t[2] = {
        {"x", T_FLOAT32, 4, {1, 2, 2, 1}, NULL, 0, 0, 0, 0},
        {"y", T_FLOAT32, 4, {1, 4, 4, 1}, NULL, 0, 0, 0, 0},
    };
    tb_op op = {OP_RESIZE_BILINEAR, {0}, 1, 1, 0, 0, {0}};
    float y[16];
    wi_error err;
    assert_int_equal(run(t, 2, &op, 1, 0, 1, NULL, 0, y, 16, &err, NULL), WI_E_UNSUPPORTED);
    assert_string_equal(err.message, "tflite: operator 0 (RESIZE_BILINEAR): unsupported op");
    op.code = 300;
    assert_int_equal(run(t, 2, &op, 1, 0, 1, NULL, 0, y, 16, &err, NULL), WI_E_UNSUPPORTED);
    assert_string_equal(err.message, "tflite: operator 0 (builtin 300): unsupported op");
    /* options of another op's type */
    tb_tensor f[4] = {
        {"x", T_FLOAT32, 2, {1, 4}, NULL, 0, 0, 0, 0},
        {"w", T_FLOAT32, 2, {3, 4}, k_w, sizeof k_w, 0, 0, 0},
        {"b", T_FLOAT32, 1, {3}, k_b, sizeof k_b, 0, 0, 0},
        {"y", T_FLOAT32, 2, {1, 3}, NULL, 0, 0, 0, 0},
    };
    tb_op fc = {OP_FC, {0, 1, 2}, 3, 3, 1 /* Conv2DOptions */, 1, {0}};
    assert_int_equal(run(f, 4, &fc, 1, 0, 3, NULL, 0, y, 3, &err, NULL), WI_E_MALFORMED);
    assert_string_equal(err.message, "tflite: operator 0 (FULLY_CONNECTED): options of type 1 (expected 8)");
    fc.options_type = 8;
    fc.options[0] = 4; /* TANH */
    assert_int_equal(run(f, 4, &fc, 1, 0, 3, NULL, 0, y, 3, &err, NULL), WI_E_UNSUPPORTED);
    assert_non_null(strstr(err.message, "fused activation 4"));
    fc.options[0] = 0;
    fc.inputs[1] = 9; /* no such tensor */
    assert_int_equal(run(f, 4, &fc, 1, 0, 3, NULL, 0, y, 3, &err, NULL), WI_E_MALFORMED);
    assert_string_equal(err.message, "tflite: operator 0 (FULLY_CONNECTED): input 1 names tensor 9 of 4");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fully_connected_float),
        cmocka_unit_test(test_fully_connected_quantized),
        cmocka_unit_test(test_quantize_dequantize),
        cmocka_unit_test(test_softmax_is_probabilities),
        cmocka_unit_test(test_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
