/* The real TFLite models of ../shared/data through the public API: format detection, input
 * and output shapes, probabilities, quantized outputs on their uint8 grid, repeat runs, and
 * named inputs/outputs. Image-level answers (expected.tsv) and the comparison with the .pb
 * models are in test-tflite-cli.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "formats/test-data.h"
#include "wasinfer.h"

typedef struct model_case {
    const char *path;
    int size;       /* input is [1,size,size,3] */
    int quantized;  /* uint8 output with scale 1/256 */
    int ops;        /* operators in the file (stats.source_node_count) */
} model_case;

static const model_case k_models[] = {
    {"models/tflite/mobilenet_v1_0.25_128_quant.tflite", 128, 1, 31},
    {"models/tflite/mobilenet_v1_0.5_160_quant.tflite", 160, 1, 31},
    {"models/tflite/mobilenet_v1_0.75_192_quant.tflite", 192, 1, 31},
    {"models/tflite/mobilenet_v1_0.25_224_float.tflite", 224, 0, 31},
    {"models/tflite/mobilenet_v2_1.0_224_quant.tflite", 224, 1, 66},
    {"models/tflite/tf2_mobilenet_v2_1.0_224_ptq.tflite", 224, 1, 68},
};

static wi_model *load(const char *rel, const wi_model_options *opts, wi_error *err) {
    size_t len = 0;
    unsigned char *bytes = wi_test_read_data(rel, &len);
    if (!bytes) fail_msg("test data missing: %s", rel);
    wi_model *m = NULL;
    wi_status st = wi_model_load(bytes, len, opts, &m, err);
    free(bytes);
    return st == WI_OK ? m : NULL;
}

/* A smooth deterministic input in [-1, 1): a gradient plus a sine, like an image. */
static void fill_input(float *x, int size) {
    for (int y = 0; y < size; y++)
        for (int xx = 0; xx < size; xx++)
            for (int c = 0; c < 3; c++)
                x[(y * size + xx) * 3 + c] =
                    0.9f * sinf(0.05f * (float)(xx + 2 * y) + (float)c) * ((float)y / (float)size);
}

static void count_hist(const char *name, int count, void *user) {
    (void)name;
    *(int *)user += count;
}

static void test_models(void **state) {
    (void)state;
    for (size_t k = 0; k < sizeof k_models / sizeof k_models[0]; k++) {
        const model_case *mc = &k_models[k];
        wi_error err;
        wi_model *m = load(mc->path, NULL, &err);
        if (!m) fail_msg("%s: %s", mc->path, err.message);
        assert_int_equal(wi_model_format(m), WI_FORMAT_TFLITE);
        wi_tensor_info in, out;
        assert_int_equal(wi_model_input_info(m, 0, &in), WI_OK);
        assert_int_equal(wi_model_output_info(m, 0, &out), WI_OK);
        assert_int_equal(in.dtype, WI_DTYPE_FLOAT32);
        assert_int_equal(in.rank, 4);
        assert_int_equal(in.dims[0], 1);
        assert_int_equal(in.dims[1], mc->size);
        assert_int_equal(in.dims[2], mc->size);
        assert_int_equal(in.dims[3], 3);
        assert_int_equal(out.dtype, WI_DTYPE_FLOAT32);
        assert_int_equal(out.dims[out.rank - 1], 1001);
        assert_true(wi_model_output_is_probabilities(m));
        wi_model_stats stats;
        wi_model_get_stats(m, &stats);
        assert_int_equal(stats.source_node_count, mc->ops);
        assert_true(stats.macs > 0 && stats.parameters > 0);
        int hist = 0;
        wi_model_op_histogram(m, count_hist, &hist);
        assert_int_equal(hist, stats.node_count);

        wi_session *s = NULL;
        assert_int_equal(wi_session_create(m, NULL, &s, &err), WI_OK);
        size_t n;
        float *x = wi_session_input_buffer(s, 0, &n);
        assert_int_equal(n, (size_t)mc->size * mc->size * 3);
        fill_input(x, mc->size);
        assert_int_equal(wi_session_run(s), WI_OK);
        const float *p = wi_session_output(s, 0, &n);
        assert_int_equal(n, 1001);
        float *first = malloc(n * sizeof(float));
        assert_non_null(first);
        double sum = 0.0;
        for (size_t i = 0; i < n; i++) {
            first[i] = p[i];
            sum += p[i];
            assert_true(p[i] >= 0.0f && p[i] <= 1.0f);
            if (mc->quantized) { /* on the output's grid: q / 256 for an integer q */
                float q = p[i] * 256.0f;
                assert_true(q == floorf(q));
            }
        }
        /* a quantized softmax rounds each of the 1001 values to the nearest 1/256: on this
         * flat synthetic input the sum may move by up to half a step per value */
        if (fabs(sum - 1.0) > (mc->quantized ? 1001 * 0.5 / 256 : 1e-4))
            fail_msg("%s: probabilities sum to %f", mc->path, sum);
        assert_int_equal(wi_session_run(s), WI_OK);
        p = wi_session_output(s, 0, &n);
        assert_memory_equal(first, p, n * sizeof(float));
        free(first);
        wi_session_free(s);
        wi_model_free(m);
    }
}

/* The output of `m` on fill_input with `threads` threads (malloc'd, 1001 floats). */
static float *run_once(const wi_model *m, int size, int threads) {
    wi_session_options o;
    wi_session_options_init(&o);
    o.threads = threads;
    wi_session *s = NULL;
    wi_error err;
    assert_int_equal(wi_session_create(m, &o, &s, &err), WI_OK);
    size_t n;
    fill_input(wi_session_input_buffer(s, 0, &n), size);
    assert_int_equal(wi_session_run(s), WI_OK);
    const float *p = wi_session_output(s, 0, &n);
    assert_int_equal(n, 1001);
    float *copy = malloc(n * sizeof(float));
    assert_non_null(copy);
    memcpy(copy, p, n * sizeof(float));
    wi_session_free(s);
    return copy;
}

static void count_fake_quant(const char *name, int count, void *user) {
    if (strcmp(name, "FakeQuant") == 0) *(int *)user += count;
}

/* FakeQuant and shortcut Adds folded into the convolutions' epilogues (ir/fuse-epilogues.c)
 * give exactly the bits of the separate ops, on 1 and 2 threads; and they do fold: only the
 * FakeQuants after non-conv ops stay. */
static void test_fused_epilogues_equal_unfused(void **state) {
    (void)state;
    for (size_t k = 0; k < sizeof k_models / sizeof k_models[0]; k++) {
        const model_case *mc = &k_models[k];
        wi_error err;
        setenv("WASINFER_NO_BLOCK_FUSION", "1", 1);
        wi_model *plain = load(mc->path, NULL, &err);
        unsetenv("WASINFER_NO_BLOCK_FUSION");
        wi_model *fused = load(mc->path, NULL, &err);
        assert_non_null(plain);
        assert_non_null(fused);
        int plain_fq = 0, fused_fq = 0;
        wi_model_op_histogram(plain, count_fake_quant, &plain_fq);
        wi_model_op_histogram(fused, count_fake_quant, &fused_fq);
        if (mc->quantized && !(plain_fq > 20 && fused_fq <= 4))
            fail_msg("%s: %d FakeQuant nodes unfused, %d fused", mc->path, plain_fq, fused_fq);
        float *want = run_once(plain, mc->size, 1);
        for (int threads = 1; threads <= 2; threads++) {
            float *got = run_once(fused, mc->size, threads);
            if (memcmp(got, want, 1001 * sizeof(float)) != 0)
                fail_msg("%s, %d thread(s): fused epilogues change the output", mc->path, threads);
            free(got);
        }
        free(want);
        wi_model_free(plain);
        wi_model_free(fused);
    }
}

/* Values off the input grid are rounded onto it: two inputs that round to the same uint8
 * pixels give the same bits. */
static void test_input_on_grid(void **state) {
    (void)state;
    wi_error err;
    wi_model *m = load(k_models[0].path, NULL, &err);
    if (!m) fail_msg("%s", err.message);
    wi_session *a = NULL, *b = NULL;
    assert_int_equal(wi_session_create(m, NULL, &a, &err), WI_OK);
    assert_int_equal(wi_session_create(m, NULL, &b, &err), WI_OK);
    size_t n;
    float *xa = wi_session_input_buffer(a, 0, &n), *xb = wi_session_input_buffer(b, 0, &n);
    fill_input(xa, 128);
    for (size_t i = 0; i < n; i++) {
        xa[i] = roundf(xa[i] * 128.0f) / 128.0f; /* scale 1/128, zero point 128 */
        xb[i] = xa[i] + 0.3f / 128.0f;           /* rounds back to the same pixel */
    }
    assert_int_equal(wi_session_run(a), WI_OK);
    assert_int_equal(wi_session_run(b), WI_OK);
    const float *pa = wi_session_output(a, 0, &n), *pb = wi_session_output(b, 0, &n);
    assert_memory_equal(pa, pb, n * sizeof(float));
    wi_session_free(a);
    wi_session_free(b);
    wi_model_free(m);
}

static void test_named_tensors(void **state) {
    (void)state;
    wi_error err;
    wi_model *m = load(k_models[4].path, NULL, &err);
    if (!m) fail_msg("%s", err.message);
    wi_tensor_info in, out;
    wi_model_input_info(m, 0, &in);
    wi_model_output_info(m, 0, &out);
    wi_model_options o;
    wi_model_options_init(&o);
    char in_name[256], out_name[256];
    snprintf(in_name, sizeof in_name, "%s", in.name);
    snprintf(out_name, sizeof out_name, "%s", out.name);
    o.input_name = in_name;
    o.output_name = out_name;
    wi_model *named = load(k_models[4].path, &o, &err);
    if (!named) fail_msg("%s", err.message);
    wi_tensor_info out2;
    wi_model_output_info(named, 0, &out2);
    assert_string_equal(out2.name, out_name);
    wi_model_free(named);
    o.output_name = "no such tensor";
    assert_null(load(k_models[4].path, &o, &err));
    assert_int_equal(err.status, WI_E_NOT_FOUND);
    assert_non_null(strstr(err.message, "no such tensor"));
    wi_model_free(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_models),
        cmocka_unit_test(test_fused_epilogues_equal_unfused),
        cmocka_unit_test(test_input_on_grid),
        cmocka_unit_test(test_named_tensors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
