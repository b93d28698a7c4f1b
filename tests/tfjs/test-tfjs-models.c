/* The real TF.js graph model (MobileNet V1 0.25, TF-Hub style) end to end: from its directory
 * and from memory, against the GraphDef written from it, and the shard checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tfjs/tfjs-test-util.h"

#define V1_DIR TJ_V1_DIR
#define V1_PB "models/tf/mobilenet_v1_0.25_224_tfhub_frozen.pb"

static wi_model *load_path(const char *rel) {
    char path[4096];
    wi_test_data_path(rel, path, sizeof path);
    wi_model *m = NULL;
    wi_error err;
    if (wi_model_load_file(path, NULL, &m, &err) != WI_OK) fail_msg("%s: %s", path, err.message);
    return m;
}

static float *input_01(size_t *n) {
    *n = 224 * 224 * 3;
    float *x = malloc(*n * sizeof(float));
    tj_fill(x, *n, 42, 0.0f, 1.0f);
    return x;
}

static void test_loads_from_its_directory(void **state) {
    wi_model *m = load_path(V1_DIR "/model.json");
    assert_int_equal(wi_model_format(m), WI_FORMAT_TFJS);
    assert_string_equal(wi_format_name(wi_model_format(m)), "tfjs-graph-model");
    wi_tensor_info in, out;
    assert_int_equal(wi_model_input_info(m, 0, &in), WI_OK);
    assert_string_equal(in.name, "images");
    assert_int_equal(in.rank, 4);
    assert_true(in.dims[0] == 1 && in.dims[1] == 224 && in.dims[2] == 224 && in.dims[3] == 3);
    assert_int_equal(wi_model_output_info(m, 0, &out), WI_OK);
    assert_string_equal(out.name, "module_apply_default/MobilenetV1/Logits/SpatialSqueeze");
    assert_true(out.rank == 2 && out.dims[1] == 1001);
    assert_false(wi_model_output_is_probabilities(m)); /* logits */
    wi_model_free(m);
}

static void histogram(const char *name, int count, void *user) {
    char *buf = user;
    size_t len = strlen(buf);
    snprintf(buf + len, 4096 - len, "%s=%d;", name, count);
}

/* The .pb was written from this model: same graph after optimisation, outputs within 1e-4. */
static void test_agrees_with_the_graphdef(void **state) {
    wi_model *js = load_path(V1_DIR "/model.json"), *pb = load_path(V1_PB);
    wi_model_stats a, b;
    wi_model_get_stats(js, &a);
    wi_model_get_stats(pb, &b);
    assert_true(a.parameters == b.parameters);
    assert_true(a.macs == b.macs);
    assert_int_equal(a.node_count, b.node_count);
    assert_int_equal(a.source_node_count, b.source_node_count);
    char ha[4096] = "", hb[4096] = "";
    wi_model_op_histogram(js, histogram, ha);
    wi_model_op_histogram(pb, histogram, hb);
    assert_string_equal(ha, hb);
    size_t n, na, nb;
    float *x = input_01(&n);
    float *ya = tj_run(js, x, &na), *yb = tj_run(pb, x, &nb);
    assert_non_null(ya);
    assert_non_null(yb);
    assert_int_equal(na, 1001);
    assert_int_equal(nb, 1001);
    float d = tj_max_abs_diff(ya, yb, na);
    if (!(d <= 1e-4f)) fail_msg("TF.js and GraphDef logits differ by %g", (double)d);
    free(x);
    free(ya);
    free(yb);
    wi_model_free(js);
    wi_model_free(pb);
}

/* wi_model_load_tfjs from memory gives the bits the file loader gives. */
static void test_loads_from_memory(void **state) {
    size_t jlen, wlen;
    unsigned char *json, *weights;
    assert_int_equal(tj_read_v1(&json, &jlen, &weights, &wlen), 0);
    wi_model *mem = NULL, *file = load_path(V1_DIR "/model.json"), *alone = NULL;
    wi_error err;
    if (wi_model_load_tfjs(json, jlen, weights, wlen, NULL, &mem, &err) != WI_OK) fail_msg("%s", err.message);
    size_t n, na, nb;
    float *x = input_01(&n);
    float *ya = tj_run(mem, x, &na), *yb = tj_run(file, x, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(ya, yb, na * sizeof(float));
    /* the single-buffer form "model.json NUL shards" loads through wi_model_load */
    unsigned char *blob = malloc(jlen + 1 + wlen);
    memcpy(blob, json, jlen);
    blob[jlen] = 0;
    memcpy(blob + jlen + 1, weights, wlen);
    wi_model *one = NULL;
    if (wi_model_load(blob, jlen + 1 + wlen, NULL, &one, &err) != WI_OK) fail_msg("%s", err.message);
    size_t nc;
    float *yc = tj_run(one, x, &nc);
    assert_memory_equal(ya, yc, na * sizeof(float));
    assert_int_equal(wi_model_load(blob, jlen + 1 + wlen - 1, NULL, &alone, &err), WI_E_MALFORMED);
    assert_non_null(strstr(err.message, "which hold only 1875347 bytes"));
    free(yc);
    free(blob);
    wi_model_free(one);
    /* wi_model_load on model.json alone says where the weights are */
    assert_int_equal(wi_model_load(json, jlen, NULL, &alone, &err), WI_E_MALFORMED);
    assert_null(alone);
    assert_non_null(strstr(err.message, "tfjs: the manifest describes 1875348 bytes of weights"));
    free(x);
    free(ya);
    free(yb);
    free(json);
    free(weights);
    wi_model_free(mem);
    wi_model_free(file);
}

/* Shards shorter than the manifest name the first weight that does not fit; longer are refused. */
static void test_shard_length_checks(void **state) {
    size_t jlen, wlen;
    unsigned char *json, *weights;
    assert_int_equal(tj_read_v1(&json, &jlen, &weights, &wlen), 0);
    wi_model *m = NULL;
    wi_error err;
    assert_int_equal(wi_model_load_tfjs(json, jlen, weights, wlen - 1, NULL, &m, &err), WI_E_MALFORMED);
    assert_null(m);
    /* the last weight in the shard is the logits bias */
    assert_non_null(strstr(err.message, "tfjs: weight 'module/MobilenetV1/Logits/Conv2d_1c_1x1/biases' needs bytes"));
    assert_non_null(strstr(err.message, "which hold only 1875347 bytes"));
    assert_int_equal(wi_model_load_tfjs(json, jlen, weights, 1000, NULL, &m, &err), WI_E_MALFORMED);
    assert_non_null(strstr(err.message, "tfjs: weight '"));
    unsigned char *longer = malloc(wlen + 4);
    memcpy(longer, weights, wlen);
    memset(longer + wlen, 0, 4);
    assert_int_equal(wi_model_load_tfjs(json, jlen, longer, wlen + 4, NULL, &m, &err), WI_E_MALFORMED);
    assert_non_null(strstr(err.message, "the shards hold 1875352 bytes, the manifest describes 1875348"));
    /* limits count the weights too */
    wi_model_options o;
    wi_model_options_init(&o);
    o.max_model_bytes = jlen + wlen - 1;
    assert_int_equal(wi_model_load_tfjs(json, jlen, weights, wlen, &o, &m, &err), WI_E_LIMIT);
    assert_int_equal(wi_model_load_tfjs(json, jlen, NULL, 5, NULL, &m, &err), WI_E_INVALID_ARGUMENT);
    assert_int_equal(wi_model_load_tfjs(NULL, 0, weights, wlen, NULL, &m, &err), WI_E_INVALID_ARGUMENT);
    free(longer);
    free(json);
    free(weights);
}

/* Named input and output work as for GraphDefs. */
static void test_named_output(void **state) {
    char path[4096];
    wi_test_data_path(V1_DIR "/model.json", path, sizeof path);
    wi_model_options o;
    wi_model_options_init(&o);
    o.output_name = "module_apply_default/MobilenetV1/Logits/global_pool";
    wi_model *m = NULL;
    wi_error err;
    if (wi_model_load_file(path, &o, &m, &err) != WI_OK) fail_msg("%s", err.message);
    wi_tensor_info out;
    wi_model_output_info(m, 0, &out);
    assert_true(out.rank == 4 && out.dims[3] == 256);
    wi_model_free(m);
    o.output_name = "no/such/node";
    assert_int_equal(wi_model_load_file(path, &o, &m, &err), WI_E_NOT_FOUND);
    assert_non_null(strstr(err.message, "tfjs: no node named 'no/such/node'"));
}

int main(void) {
    size_t len;
    unsigned char *probe = wi_test_read_data(V1_DIR "/model.json", &len);
    if (!probe) return 1;
    free(probe);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loads_from_its_directory),
        cmocka_unit_test(test_agrees_with_the_graphdef),
        cmocka_unit_test(test_loads_from_memory),
        cmocka_unit_test(test_shard_length_checks),
        cmocka_unit_test(test_named_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
