/* The generated MobileNet V2 1.0 and 1.4 (tools/gen-mobilenet, into bench/models) as ONNX
 * (NCHW) against the same weights as a TensorFlow GraphDef (NHWC): outputs within 1e-4 on the
 * generator's fixed input, and wi_classify giving the same classes through both. Without the
 * models this fails saying how to make them (scripts/gen-models.sh, run by make test, generates them). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "wasinfer.h"

#ifndef WI_BENCH_MODELS
#define WI_BENCH_MODELS "bench/models"
#endif

static const char *how =
    "generate them with scripts/gen-models.sh (or: python3 tools/gen-mobilenet/generate.py --out "
    "bench/models in a venv with tools/requirements.txt)";

static void *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *p = n > 0 ? malloc((size_t)n) : NULL;
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    *len = p ? (size_t)n : 0;
    return p;
}

static wi_model *load(const char *file) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", WI_BENCH_MODELS, file);
    wi_model *m = NULL;
    wi_error err;
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("%s is missing: %s", path, how);
    fclose(f);
    if (wi_model_load_file(path, NULL, &m, &err) != WI_OK) fail_msg("%s", err.message);
    return m;
}

static void compare(const char *width) {
    char onnx_name[128], tf_name[128], input_path[1024];
    snprintf(onnx_name, sizeof onnx_name, "mobilenet_v2_%s_224.onnx", width);
    snprintf(tf_name, sizeof tf_name, "mobilenet_v2_%s_224_frozen.pb", width);
    snprintf(input_path, sizeof input_path, "%s/input_224.f32", WI_BENCH_MODELS);
    wi_model *onnx = load(onnx_name), *tf = load(tf_name);
    size_t len;
    float *nhwc = read_all(input_path, &len); /* [1,224,224,3] */
    if (!nhwc || len != 224 * 224 * 3 * sizeof(float)) fail_msg("%s is missing or short: %s", input_path, how);

    wi_tensor_info info;
    assert_int_equal(wi_model_input_info(onnx, 0, &info), WI_OK);
    assert_int_equal(info.rank, 4);
    assert_int_equal(info.dims[1], 3);
    assert_int_equal(info.dims[2], 224);
    assert_int_equal(wi_model_input_is_nchw(onnx), 1);
    assert_int_equal(wi_model_input_is_nchw(tf), 0);
    wi_model_stats so, st;
    wi_model_get_stats(onnx, &so);
    wi_model_get_stats(tf, &st);
    assert_int_equal(so.macs, st.macs);
    assert_int_equal(so.parameters, st.parameters);

    wi_session *a = NULL, *b = NULL;
    wi_error err;
    assert_int_equal(wi_session_create(onnx, NULL, &a, &err), WI_OK);
    assert_int_equal(wi_session_create(tf, NULL, &b, &err), WI_OK);
    size_t n;
    float *in = wi_session_input_buffer(a, 0, &n);
    assert_int_equal(n, 224 * 224 * 3);
    for (int y = 0; y < 224; y++) /* NHWC -> NCHW */
        for (int x = 0; x < 224; x++)
            for (int c = 0; c < 3; c++) in[(c * 224 + y) * 224 + x] = nhwc[(y * 224 + x) * 3 + c];
    assert_int_equal(wi_session_set_input(b, 0, nhwc, 224 * 224 * 3), WI_OK);
    assert_int_equal(wi_session_run(a), WI_OK);
    assert_int_equal(wi_session_run(b), WI_OK);
    size_t na, nb;
    const float *oa = wi_session_output(a, 0, &na), *ob = wi_session_output(b, 0, &nb);
    assert_int_equal(na, 1001);
    assert_int_equal(nb, 1001);
    float worst = 0.0f;
    double sum = 0.0;
    for (size_t i = 0; i < na; i++) {
        float d = fabsf(oa[i] - ob[i]);
        worst = d > worst ? d : worst;
        sum += oa[i];
    }
    printf("# MobileNet V2 %s: max |onnx - tf| = %g over %zu outputs\n", width, worst, na);
    assert_true(worst <= 1e-4f);
    assert_true(fabs(sum - 1.0) < 1e-3);

    /* classification through the NCHW path: same classes as the NHWC model */
    const char *data = getenv("WASINFER_DATA");
    char image[1024];
    snprintf(image, sizeof image, "%s/images/cat.jpg", data ? data : "../shared/data");
    void *jpeg = read_all(image, &len);
    if (!jpeg) fail_msg("%s is missing (set WASINFER_DATA to the shared test data)", image);
    wi_class_score ta[5], tb[5];
    int ka = 0, kb = 0;
    assert_int_equal(wi_classify(a, jpeg, len, NULL, ta, 5, &ka, NULL, &err), WI_OK);
    assert_int_equal(wi_classify(b, jpeg, len, NULL, tb, 5, &kb, NULL, &err), WI_OK);
    assert_int_equal(ka, 5);
    assert_int_equal(kb, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(ta[i].index, tb[i].index);
        assert_true(fabsf(ta[i].prob - tb[i].prob) <= 1e-4f);
    }
    free(jpeg);
    free(nhwc);
    wi_session_free(a);
    wi_session_free(b);
    wi_model_free(onnx);
    wi_model_free(tf);
}

static void test_mobilenet_v2_1_0(void **state) { (void)state; compare("1.0"); }
static void test_mobilenet_v2_1_4(void **state) { (void)state; compare("1.4"); }

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mobilenet_v2_1_0),
        cmocka_unit_test(test_mobilenet_v2_1_4),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
