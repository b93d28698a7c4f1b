/* Allocation failures through the TFLite loader (the approach of
 * tests/malformed-model/test-alloc-failure.c): malloc/calloc/realloc wrapped at link time
 * so the Nth call fails; for every N until a load succeeds, loading a small quantized model
 * (uint8 CONV_2D with RELU6 -> RESHAPE -> SOFTMAX -> DEQUANTIZE) and creating a session must
 * return a clean status and leak nothing (ASan's leak detector). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include "tflite-builder.h"
#include "alloc-sweep.h"
#include "wasinfer.h"


enum { T_INT32 = 2, T_UINT8 = 3, T_FLOAT32 = 0 };

static uint8_t *build(size_t *len) {
    static const uint8_t w[2 * 2] = {140, 100, 90, 200}; /* OHWI [2,1,1,2] */
    static const int32_t b[2] = {10, -10};
    static const int32_t shape[2] = {1, -1};
    tb_tensor t[8] = {
        {"x", T_UINT8, 4, {1, 3, 3, 2}, NULL, 0, 1, 1.0f / 128, 128},
        {"w", T_UINT8, 4, {2, 1, 1, 2}, w, sizeof w, 1, 0.02f, 128},
        {"b", T_INT32, 1, {2}, b, sizeof b, 1, 0.02f / 128, 0},
        {"conv", T_UINT8, 4, {1, 3, 3, 2}, NULL, 0, 1, 6.0f / 255, 0},
        {"shape", T_INT32, 1, {2}, shape, sizeof shape, 0, 0, 0},
        {"flat", T_UINT8, 2, {1, 18}, NULL, 0, 1, 6.0f / 255, 0},
        {"probs", T_UINT8, 2, {1, 18}, NULL, 0, 1, 1.0f / 256, 0},
        {"out", T_FLOAT32, 2, {1, 18}, NULL, 0, 0, 0, 0},
    };
    uint32_t beta;
    float one = 1.0f;
    memcpy(&beta, &one, 4);
    tb_op ops[4] = {
        {3 /* CONV_2D */, {0, 1, 2}, 3, 3, 1, 4, {1 /* VALID */, 1, 1, 3 /* RELU6 */}},
        {22 /* RESHAPE */, {3, 4}, 2, 5, 0, 0, {0}},
        {25 /* SOFTMAX */, {5}, 1, 6, 9, 1, {beta}},
        {6 /* DEQUANTIZE */, {6}, 1, 7, 0, 0, {0}},
    };
    return tb_model(t, 8, ops, 4, 0, 7, len);
}

struct model_bytes { const uint8_t *bytes; size_t len; };

static wi_status load_model(void *ctx, wi_model **out, wi_error *err) {
    const struct model_bytes *mb = ctx;
    wi_status st = wi_model_load(mb->bytes, mb->len, NULL, out, err);
    if (st == WI_OK && !wi_model_output_is_probabilities(*out)) fail_msg("the model should end in SOFTMAX");
    return st;
}

static void test_sweep(void **state) {
    (void)state;
    size_t len;
    uint8_t *bytes = build(&len);
    struct model_bytes mb = {bytes, len};
    wi_test_alloc_sweep(load_model, &mb);
    free(bytes);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_sweep)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
