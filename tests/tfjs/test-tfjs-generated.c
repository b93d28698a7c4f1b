/* The generated MobileNet V2 1.0 and 1.4 TF.js graph models (tools/gen-mobilenet, written by
 * scripts/bench.sh into bench/models): _FusedConv2D / FusedDepthwiseConv2dNative graphs must
 * give what the GraphDef of the same network gives, and what ONNX Runtime gave, within 1e-4. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tfjs/tfjs-test-util.h"

static const char *k_models = WI_BENCH_MODELS; /* set by CMake */

static float *read_floats(const char *path, size_t want) {
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open %s (run scripts/gen-models.sh, which make test runs first)", path);
    float *x = malloc(want * sizeof(float));
    size_t got = fread(x, sizeof(float), want, f);
    fclose(f);
    if (got != want) fail_msg("%s: %zu floats, expected %zu", path, got, want);
    return x;
}

static void check_width(const char *width) {
    char path[4096];
    wi_model *js = NULL, *pb = NULL;
    wi_error err;
    snprintf(path, sizeof path, "%s/mobilenet_v2_%s_224_tfjs/model.json", k_models, width);
    if (wi_model_load_file(path, NULL, &js, &err) != WI_OK) fail_msg("%s", err.message);
    snprintf(path, sizeof path, "%s/mobilenet_v2_%s_224_frozen.pb", k_models, width);
    if (wi_model_load_file(path, NULL, &pb, &err) != WI_OK) fail_msg("%s", err.message);
    assert_true(wi_model_output_is_probabilities(js));
    wi_model_stats a, b;
    wi_model_get_stats(js, &a);
    wi_model_get_stats(pb, &b);
    assert_true(a.macs == b.macs);
    assert_int_equal(a.node_count, b.node_count);
    snprintf(path, sizeof path, "%s/input_224.f32", k_models);
    float *x = read_floats(path, 224 * 224 * 3);
    snprintf(path, sizeof path, "%s/outputs/onnxruntime_%s.f32", k_models, width);
    float *ort = read_floats(path, 1001);
    size_t na, nb;
    float *ya = tj_run(js, x, &na), *yb = tj_run(pb, x, &nb);
    assert_int_equal(na, 1001);
    assert_int_equal(nb, 1001);
    float d_pb = tj_max_abs_diff(ya, yb, na), d_ort = tj_max_abs_diff(ya, ort, na);
    printf("width %s: max |tfjs - pb| %.3g, max |tfjs - onnxruntime| %.3g\n", width, (double)d_pb, (double)d_ort);
    assert_true(d_pb <= 1e-4f);
    assert_true(d_ort <= 1e-4f);
    free(x);
    free(ort);
    free(ya);
    free(yb);
    wi_model_free(js);
    wi_model_free(pb);
}

static void test_v2_1_0(void **state) { check_width("1.0"); }
static void test_v2_1_4(void **state) { check_width("1.4"); }

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v2_1_0),
        cmocka_unit_test(test_v2_1_4),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
