/*
 * End to end at library level: the three real TensorFlow models of ../shared/data load,
 * report the inputs, outputs, sizes and op histograms their architectures imply (published
 * MobileNet parameter and multiply-add counts), and run. The image-level answers are checked
 * by the CLI tests against expected.tsv.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <pthread.h>
#include <string.h>
#include "formats/test-data.h"
#include "wasinfer.h"

#define V2 "models/tf/mobilenet_v2_1.0_224_frozen.pb"
#define V1 "models/tf/mobilenet_v1_0.5_160_frozen.pb"
#define HUB "models/tf/mobilenet_v1_0.25_224_tfhub_frozen.pb"

static wi_model *load(const char *rel, const wi_model_options *opts) {
    size_t len = 0;
    unsigned char *bytes = wi_test_read_data(rel, &len);
    assert_non_null(bytes);
    wi_model *m = NULL;
    wi_error err;
    wi_status st = wi_model_load(bytes, len, opts, &m, &err);
    free(bytes);
    if (st != WI_OK) fail_msg("%s: %s", rel, err.message);
    return m;
}

/* A deterministic input in [-1, 1]. */
static void fill_input(float *x, size_t n) {
    uint32_t s = 12345;
    for (size_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        x[i] = (float)(s >> 8) / (float)(1 << 24) * 2.0f - 1.0f;
    }
}

static const float *run(wi_session *s, size_t *count) {
    size_t n;
    float *in = wi_session_input_buffer(s, 0, &n);
    assert_non_null(in);
    fill_input(in, n);
    if (wi_session_run(s) != WI_OK) fail_msg("run: %s", wi_session_errmsg(s));
    const float *out = wi_session_output(s, 0, count);
    assert_non_null(out);
    return out;
}

typedef struct hist { char names[32][96]; int counts[32]; int n; } hist;
static void collect(const char *name, int count, void *user) {
    hist *h = user;
    if (h->n < 32) {
        snprintf(h->names[h->n], sizeof h->names[0], "%s", name);
        h->counts[h->n++] = count;
    }
}
static int hist_count(const hist *h, const char *name) {
    for (int i = 0; i < h->n; i++)
        if (strcmp(h->names[i], name) == 0) return h->counts[i];
    return 0;
}

static void test_v2_info_and_stats(void **state) {
    wi_model *m = load(V2, NULL);
    assert_int_equal(wi_model_format(m), WI_FORMAT_TF_GRAPHDEF);
    assert_int_equal(wi_model_input_count(m), 1);
    assert_int_equal(wi_model_output_count(m), 1);
    wi_tensor_info in, out;
    assert_int_equal(wi_model_input_info(m, 0, &in), WI_OK);
    assert_string_equal(in.name, "input");
    assert_int_equal(in.dtype, WI_DTYPE_FLOAT32);
    assert_int_equal(in.rank, 4);
    assert_true(in.dims[0] == 1 && in.dims[1] == 224 && in.dims[2] == 224 && in.dims[3] == 3);
    assert_int_equal(wi_model_output_info(m, 0, &out), WI_OK);
    assert_string_equal(out.name, "MobilenetV2/Predictions/Reshape_1");
    assert_true(out.rank == 2 && out.dims[0] == 1 && out.dims[1] == 1001);
    assert_int_equal(wi_model_input_info(m, 1, &in), WI_E_INVALID_ARGUMENT);
    assert_true(wi_model_output_is_probabilities(m));
    wi_model_stats st;
    wi_model_get_stats(m, &st);
    /* MobileNet V2 1.0 224: 3.47 M parameters, 300 M multiply-adds (Sandler et al.) */
    assert_true(st.parameters > 3400000 && st.parameters < 3600000);
    assert_true(st.macs > 290000000 && st.macs < 310000000);
    assert_true(st.arena_bytes > 224 * 224 * 3 * 4 && st.arena_bytes < 64u << 20);
    assert_true(st.weight_bytes >= (size_t)st.parameters * 4);
    assert_int_equal(st.source_node_count, 683);
    assert_true(st.node_count < 100);
    hist h = {0};
    wi_model_op_histogram(m, collect, &h);
    /* 52 FusedBatchNorm folded into 35 convs with Relu6 and 17 projections without; the
     * large inverted-residual blocks then fuse into their projection (ir/fuse-blocks.c):
     * expand + depthwise + project, or depthwise + project, and maybe the shortcut Add */
    int full = hist_count(&h, "Block:Conv2D>Depthwise>Conv2D"),
        full_add = hist_count(&h, "Block:Conv2D>Depthwise>Conv2D+Add"),
        no_expand = hist_count(&h, "Block:Depthwise>Conv2D");
    assert_int_equal(full + full_add + no_expand, 4);
    assert_int_equal(hist_count(&h, "Conv2D+BatchNorm+Relu6") + hist_count(&h, "DepthwiseConv2dNative+BatchNorm+Relu6") +
                         2 * (full + full_add) + no_expand, 35);
    /* ... and every shortcut Add folds into its block or its projection (the GEMM adds it) */
    int proj_add = hist_count(&h, "Conv2D+BatchNorm+Add");
    assert_int_equal(hist_count(&h, "Conv2D+BatchNorm") + proj_add + full + full_add + no_expand, 17);
    assert_int_equal(hist_count(&h, "Conv2D+BiasAdd"), 1);
    assert_int_equal(hist_count(&h, "Add"), 0);
    assert_int_equal(proj_add + full_add, 10);
    assert_int_equal(hist_count(&h, "Softmax"), 1);
    assert_int_equal(hist_count(&h, "FusedBatchNorm"), 0);
    assert_int_equal(hist_count(&h, "Identity"), 0);
    wi_model_free(m);
}

static void test_v2_runs_to_probabilities(void **state) {
    wi_model *m = load(V2, NULL);
    wi_session *s = NULL;
    wi_error err;
    assert_int_equal(wi_session_create(m, NULL, &s, &err), WI_OK);
    assert_ptr_equal(wi_session_model(s), m);
    size_t n;
    assert_null(wi_session_output(s, 0, &n)); /* before a run */
    const float *out = run(s, &n);
    assert_int_equal(n, 1001);
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(out[i] >= 0.0f && out[i] <= 1.0f);
        sum += out[i];
    }
    assert_true(fabs(sum - 1.0) < 1e-4);
    /* running again on the same input gives the same bits */
    float first[1001];
    memcpy(first, out, sizeof first);
    assert_int_equal(wi_session_run(s), WI_OK);
    out = wi_session_output(s, 0, &n);
    assert_memory_equal(first, out, sizeof first);
    /* a second session over the same model agrees */
    wi_session *s2 = NULL;
    wi_session_options o;
    wi_session_options_init(&o);
    o.threads = 2;
    assert_int_equal(wi_session_create(m, &o, &s2, &err), WI_OK);
    const float *out2 = run(s2, &n);
    for (size_t i = 0; i < n; i++) assert_true(fabsf(out2[i] - first[i]) < 1e-6f);
    wi_session_free(s2);
    wi_session_free(s);
    wi_model_free(m);
}

/* The loader packs filters straight from the model's bytes (at any alignment) and copies the
 * rest: once wi_model_load returns the bytes are the caller's again. Loaded from an odd
 * address and overwritten right after the load, the model answers with exactly the bits of
 * one loaded from an aligned copy that stays untouched. */
static void test_model_keeps_no_pointer_into_its_bytes(void **state) {
    size_t len = 0;
    unsigned char *bytes = wi_test_read_data(V2, &len);
    assert_non_null(bytes);
    unsigned char *odd = malloc(len + 1);
    assert_non_null(odd);
    memcpy(odd + 1, bytes, len);
    wi_model *a = NULL, *b = NULL;
    wi_error err;
    if (wi_model_load(bytes, len, NULL, &a, &err) != WI_OK) fail_msg("aligned: %s", err.message);
    if (wi_model_load(odd + 1, len, NULL, &b, &err) != WI_OK) fail_msg("odd: %s", err.message);
    memset(odd, 0xFF, len + 1); /* NaNs, had anything kept pointing here */
    free(odd);
    wi_session *sa = NULL, *sb = NULL;
    assert_int_equal(wi_session_create(a, NULL, &sa, &err), WI_OK);
    assert_int_equal(wi_session_create(b, NULL, &sb, &err), WI_OK);
    size_t na, nb;
    const float *oa = run(sa, &na), *ob = run(sb, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(oa, ob, na * sizeof(float));
    wi_session_free(sa);
    wi_session_free(sb);
    wi_model_free(a);
    wi_model_free(b);
    free(bytes);
}

/* Per-node timing: off by default; when on, one entry per node of the optimized graph, in
 * run order, each counting the runs since it was turned on. */
static void test_profiling(void **state) {
    wi_model *m = load(V2, NULL);
    wi_session *s = NULL;
    wi_error err;
    assert_int_equal(wi_session_create(m, NULL, &s, &err), WI_OK);
    size_t n;
    run(s, &n);
    assert_int_equal(wi_session_profile(s, NULL, 0), 0); /* off */
    assert_int_equal(wi_session_set_profiling(s, 1), WI_OK);
    for (int r = 0; r < 3; r++) run(s, &n);
    wi_model_stats st;
    wi_model_get_stats(m, &st);
    int count = wi_session_profile(s, NULL, 0);
    assert_int_equal(count, st.node_count);
    wi_node_profile *p = calloc((size_t)count, sizeof *p);
    assert_non_null(p);
    assert_int_equal(wi_session_profile(s, p, count), count);
    double total = 0;
    for (int i = 0; i < count; i++) {
        assert_non_null(p[i].name);
        assert_non_null(p[i].kind);
        assert_true(p[i].total_ms >= 0);
        assert_int_equal(p[i].runs, 3);
        total += p[i].total_ms;
    }
    assert_true(total > 0);
    assert_string_equal(p[count - 1].kind, "Reshape"); /* the last node: the output reshape */
    assert_int_equal(wi_session_profile(s, p, 1), count); /* a short buffer: count, one filled */
    assert_int_equal(wi_session_set_profiling(s, 1), WI_OK); /* again: reset */
    assert_int_equal(wi_session_profile(s, p, count), count);
    assert_int_equal(p[0].runs, 0);
    assert_true(p[0].total_ms == 0);
    assert_int_equal(wi_session_set_profiling(s, 0), WI_OK);
    assert_int_equal(wi_session_profile(s, p, count), 0);
    assert_int_equal(wi_session_set_profiling(NULL, 1), WI_E_INVALID_ARGUMENT);
    free(p);
    wi_session_free(s);
    wi_model_free(m);
}

/* One model, two threads, a session each: the model is shared read-only. */
typedef struct worker { const wi_model *m; float out[1001]; int ok; } worker;
static void *work(void *arg) {
    worker *w = arg;
    wi_session *s = NULL;
    if (wi_session_create(w->m, NULL, &s, NULL) != WI_OK) return NULL;
    size_t n;
    float *in = wi_session_input_buffer(s, 0, &n);
    fill_input(in, n);
    for (int r = 0; r < 3; r++) {
        if (wi_session_run(s) != WI_OK) break;
        const float *out = wi_session_output(s, 0, &n);
        if (r > 0 && memcmp(w->out, out, sizeof w->out) != 0) break;
        memcpy(w->out, out, sizeof w->out);
        w->ok = r == 2;
    }
    wi_session_free(s);
    return NULL;
}

static void test_model_shared_by_threads(void **state) {
    wi_model *m = load(V1, NULL);
    worker w[2] = {{m, {0}, 0}, {m, {0}, 0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++) assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    assert_true(w[0].ok && w[1].ok);
    assert_memory_equal(w[0].out, w[1].out, sizeof w[0].out);
    wi_model_free(m);
}

static void test_set_input_checks_count(void **state) {
    wi_model *m = load(V1, NULL);
    wi_session *s = NULL;
    assert_int_equal(wi_session_create(m, NULL, &s, NULL), WI_OK);
    float x[10] = {0};
    assert_int_equal(wi_session_set_input(s, 0, x, 10), WI_E_INVALID_ARGUMENT);
    assert_non_null(strstr(wi_session_errmsg(s), "76800"));
    assert_int_equal(wi_session_set_input(s, 1, x, 10), WI_E_INVALID_ARGUMENT);
    assert_null(wi_session_input_buffer(s, 1, NULL));
    size_t n = 0;
    assert_non_null(wi_session_input_buffer(s, 0, &n));
    assert_int_equal(n, 160 * 160 * 3);
    float *big = calloc(n, sizeof(float));
    assert_int_equal(wi_session_set_input(s, 0, big, n), WI_OK);
    assert_string_equal(wi_session_errmsg(s), "");
    free(big);
    wi_session_free(s);
    wi_model_free(m);
}

static void test_v1_stats(void **state) {
    wi_model *m = load(V1, NULL);
    wi_model_stats st;
    wi_model_get_stats(m, &st);
    /* MobileNet V1 0.5 160: 1.32 M parameters, 77 M multiply-adds (Howard et al.) */
    assert_true(st.parameters > 1300000 && st.parameters < 1350000);
    assert_true(st.macs > 75000000 && st.macs < 80000000);
    assert_true(wi_model_output_is_probabilities(m));
    wi_model_free(m);
}

static void test_hub_logits_unknown_batch(void **state) {
    wi_model *m = load(HUB, NULL);
    wi_tensor_info in, out;
    wi_model_input_info(m, 0, &in);
    wi_model_output_info(m, 0, &out);
    assert_string_equal(in.name, "images");
    assert_int_equal(in.dims[0], 1); /* '?' resolves to 1 */
    assert_string_equal(out.name, "module_apply_default/MobilenetV1/Logits/SpatialSqueeze");
    assert_int_equal(out.dims[1], 1001);
    assert_false(wi_model_output_is_probabilities(m));
    hist h = {0};
    wi_model_op_histogram(m, collect, &h);
    assert_int_equal(hist_count(&h, "Conv2D+BiasAdd+Relu6"), 14);
    assert_int_equal(hist_count(&h, "DepthwiseConv2dNative+Mul+BiasAdd+Relu6"), 13);
    wi_session *s = NULL;
    assert_int_equal(wi_session_create(m, NULL, &s, NULL), WI_OK);
    size_t n;
    const float *logits = run(s, &n);
    assert_int_equal(n, 1001);
    for (size_t i = 0; i < n; i++) assert_true(isfinite(logits[i]));
    wi_session_free(s);
    wi_model_free(m);
}

static void test_named_input_output(void **state) {
    wi_model_options o;
    wi_model_options_init(&o);
    o.output_name = "MobilenetV1/Predictions/Softmax";
    o.input_name = "input";
    wi_model *m = load(V1, &o);
    wi_tensor_info out;
    wi_model_output_info(m, 0, &out);
    assert_string_equal(out.name, "MobilenetV1/Predictions/Softmax");
    assert_true(wi_model_output_is_probabilities(m));
    wi_model_free(m);

    size_t len = 0;
    unsigned char *bytes = wi_test_read_data(V1, &len);
    assert_non_null(bytes);
    wi_error err;
    o.output_name = "no/such/node";
    m = (wi_model *)1;
    assert_int_equal(wi_model_load(bytes, len, &o, &m, &err), WI_E_NOT_FOUND);
    assert_null(m);
    assert_non_null(strstr(err.message, "no/such/node"));
    o.output_name = NULL;
    o.max_model_bytes = 1000;
    assert_int_equal(wi_model_load(bytes, len, &o, &m, &err), WI_E_LIMIT);
    free(bytes);
}

static void test_load_file_errors(void **state) {
    wi_model *m = NULL;
    wi_error err;
    assert_int_equal(wi_model_load_file("/nonexistent/model.pb", NULL, &m, &err), WI_E_NOT_FOUND);
    assert_non_null(strstr(err.message, "/nonexistent/model.pb"));
    char path[4096];
    wi_test_data_path(V1, path, sizeof path);
    assert_int_equal(wi_model_load_file(path, NULL, &m, &err), WI_OK);
    assert_string_equal(err.message, "");
    wi_model_free(m);
    wi_model_free(NULL);
    assert_int_equal(wi_model_load(NULL, 0, NULL, &m, &err), WI_E_INVALID_ARGUMENT);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v2_info_and_stats),
        cmocka_unit_test(test_v2_runs_to_probabilities),
        cmocka_unit_test(test_set_input_checks_count),
        cmocka_unit_test(test_model_shared_by_threads),
        cmocka_unit_test(test_model_keeps_no_pointer_into_its_bytes),
        cmocka_unit_test(test_profiling),
        cmocka_unit_test(test_v1_stats),
        cmocka_unit_test(test_hub_logits_unknown_batch),
        cmocka_unit_test(test_named_input_output),
        cmocka_unit_test(test_load_file_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
