/*
 * The service's wasm backend (src/server/backend-wasm.c) driven directly through its vtable:
 * the same answers as the native library on expected.tsv, recovery from a trap and from an
 * endless loop (the guest's debug exports), malformed models and images as errors, the
 * memory cap. The HTTP side of --backend wasm is in test-serve-wasm.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "server/backend.h"
#include "wasmtime/wasmtime-test.h"

#define TOP 5

static char g_module[4096];

static int setup_module(void **state) {
    wi_wt_save_wasmtime_signals();
    return wi_wt_wasm_path("wasinfer.wasm", g_module, sizeof g_module) ? 0 : -1;
}

static wi_backend *create_backend(const char *model_rel, int debug, double budget_ms,
                                  size_t max_memory, wi_status *status, wi_error *err) {
    char model[4096];
    wi_test_data_path(model_rel, model, sizeof model);
    wi_backend_config config = {0};
    config.model_path = model;
    config.wasm_module = g_module;
    config.wasm_time_budget_ms = budget_ms;
    config.wasm_max_memory = max_memory;
    config.wasm_debug_exports = debug;
    wi_backend *b = NULL;
    *status = wi_backend_wasm.create(&config, &b, err);
    return b;
}

static wi_status classify_file(wi_backend_worker *w, const char *image_rel, int range,
                               wi_class_score *top, int *n, wi_error *err) {
    size_t len = 0;
    unsigned char *bytes = wi_test_read_data(image_rel, &len);
    assert_non_null(bytes);
    wi_classify_options opts;
    wi_classify_options_init(&opts);
    opts.top_k = TOP;
    opts.preprocess.range = (wi_pixel_range)range;
    wi_status st = wi_backend_wasm.classify(w, bytes, len, &opts, top, TOP, n, NULL, err);
    free(bytes);
    return st;
}

/* Every .pb row of expected.tsv: the wasm backend's top 5 equals the native library's (same
 * classes in the same order, probabilities within 1e-3), and top-1 is an accepted class. */
static void test_matches_native_on_expected(void **state) {
    wi_wt_wasmtime_signals();
    static wi_wt_row rows[64];
    int n = wi_wt_expected_pb_rows(rows, 64);
    assert_true(n > 0);
    for (int i = 0; i < n;) {
        const char *model_rel = rows[i].model;
        char model_path[4096];
        wi_test_data_path(model_rel, model_path, sizeof model_path);
        wi_error err = {0};
        wi_status st;
        wi_backend *b = create_backend(model_rel, 0, 60000, 0, &st, &err);
        if (st != WI_OK) fail_msg("%s: wasm backend: %s", model_rel, err.message);
        wi_backend_worker *w = NULL;
        st = wi_backend_wasm.worker_create(b, &w, &err);
        if (st != WI_OK) fail_msg("%s: wasm worker: %s", model_rel, err.message);
        wi_model *model = NULL;
        wi_session *session = NULL;
        assert_int_equal(wi_model_load_file(model_path, NULL, &model, &err), WI_OK);
        assert_int_equal(wi_session_create(model, NULL, &session, &err), WI_OK);
        for (; i < n && !strcmp(rows[i].model, model_rel); i++) {
            wi_class_score wasm[TOP], native[TOP];
            int wn = 0, nn = 0;
            st = classify_file(w, rows[i].image, wi_wt_range(model_rel), wasm, &wn, &err);
            if (st != WI_OK) fail_msg("%s on %s: %s", rows[i].image, model_rel, err.message);
            size_t len = 0;
            unsigned char *bytes = wi_test_read_data(rows[i].image, &len);
            wi_classify_options opts;
            wi_classify_options_init(&opts);
            opts.top_k = TOP;
            opts.preprocess.range = (wi_pixel_range)wi_wt_range(model_rel);
            assert_int_equal(wi_classify(session, bytes, len, &opts, native, TOP, &nn, NULL, &err), WI_OK);
            free(bytes);
            assert_int_equal(wn, nn);
            for (int k = 0; k < wn; k++) {
                if (wasm[k].index != native[k].index || fabsf(wasm[k].prob - native[k].prob) > 1e-3f) {
                    fail_msg("%s on %s: rank %d wasm %d %.5f, native %d %.5f", rows[i].image, model_rel,
                             k, wasm[k].index, wasm[k].prob, native[k].index, native[k].prob);
                }
            }
            if (!wi_wt_accepted(&rows[i], wasm[0].index)) {
                fail_msg("%s on %s: top-1 %d is not an accepted class", rows[i].image, model_rel, wasm[0].index);
            }
        }
        wi_session_free(session);
        wi_model_free(model);
        wi_backend_wasm.worker_destroy(w);
        wi_backend_wasm.destroy(b);
    }
}

/* A trapping and an endless request each fail alone (WI_E_TRAP, WI_E_TIMEOUT), and the same
 * worker answers the next request as before. */
static void test_trap_and_spin_are_recovered(void **state) {
    wi_wt_wasmtime_signals();
    wi_error err = {0};
    wi_status st;
    wi_backend *b = create_backend("models/tf/mobilenet_v1_0.5_160_frozen.pb", 1, 500, 0, &st, &err);
    if (st != WI_OK) fail_msg("wasm backend: %s", err.message);
    wi_backend_worker *w = NULL;
    assert_int_equal(wi_backend_wasm.worker_create(b, &w, &err), WI_OK);
    wi_class_score before[TOP], after[TOP];
    int nb = 0, na = 0;
    assert_int_equal(classify_file(w, "images/parrot.jpg", 0, before, &nb, &err), WI_OK);

    assert_int_equal(wi_backend_wasm.debug(w, "trap", &err), WI_E_TRAP);
    assert_non_null(strstr(err.message, "unreachable"));
    assert_int_equal(classify_file(w, "images/parrot.jpg", 0, after, &na, &err), WI_OK);
    assert_int_equal(na, nb);
    assert_memory_equal(after, before, sizeof(wi_class_score) * (size_t)nb);

    assert_int_equal(wi_backend_wasm.debug(w, "spin", &err), WI_E_TIMEOUT);
    assert_non_null(strstr(err.message, "time budget"));
    assert_int_equal(classify_file(w, "images/parrot.jpg", 0, after, &na, &err), WI_OK);
    assert_memory_equal(after, before, sizeof(wi_class_score) * (size_t)nb);

    assert_int_equal(wi_backend_wasm.debug(w, "nonsense", &err), WI_E_INVALID_ARGUMENT);
    wi_backend_wasm.worker_destroy(w);
    wi_backend_wasm.destroy(b);

    /* Without wasm_debug_exports the debug hook refuses. */
    b = create_backend("models/tf/mobilenet_v1_0.5_160_frozen.pb", 0, 500, 0, &st, &err);
    assert_int_equal(st, WI_OK);
    assert_int_equal(wi_backend_wasm.worker_create(b, &w, &err), WI_OK);
    assert_int_equal(wi_backend_wasm.debug(w, "trap", &err), WI_E_STATE);
    wi_backend_wasm.worker_destroy(w);
    wi_backend_wasm.destroy(b);
}

/* Garbage, a truncated JPEG, a lying PNG header: errors (not traps), and the worker goes on. */
static void test_malformed_images_are_errors(void **state) {
    wi_wt_wasmtime_signals();
    wi_error err = {0};
    wi_status st;
    wi_backend *b = create_backend("models/tf/mobilenet_v1_0.5_160_frozen.pb", 0, 5000, 0, &st, &err);
    if (st != WI_OK) fail_msg("wasm backend: %s", err.message);
    wi_backend_worker *w = NULL;
    assert_int_equal(wi_backend_wasm.worker_create(b, &w, &err), WI_OK);
    size_t len = 0;
    unsigned char *jpeg = wi_test_read_data("images/burger.jpg", &len);
    assert_non_null(jpeg);
    static const unsigned char png_lie[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
                                            'I', 'H', 'D', 'R', 0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff,
                                            0xff, 0xff, 8, 2, 0, 0, 0};
    struct { const char *name; const void *bytes; size_t len; } cases[] = {
        {"garbage", "this is not an image at all", 27},
        {"truncated jpeg", jpeg, len / 3},
        {"jpeg header only", jpeg, 20},
        {"png with absurd size", png_lie, sizeof png_lie},
    };
    wi_classify_options opts;
    wi_classify_options_init(&opts);
    opts.top_k = TOP;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wi_class_score top[TOP];
        int n = 0;
        err.message[0] = '\0';
        st = wi_backend_wasm.classify(w, cases[i].bytes, cases[i].len, &opts, top, TOP, &n, NULL, &err);
        if (st == WI_OK || st == WI_E_TRAP || st == WI_E_TIMEOUT) {
            fail_msg("%s: status %d (%s), expected a clean error", cases[i].name, st, err.message);
        }
        assert_true(err.message[0] != '\0');
    }
    wi_class_score top[TOP];
    int n = 0;
    assert_int_equal(wi_backend_wasm.classify(w, jpeg, len, &opts, top, TOP, &n, NULL, &err), WI_OK);
    assert_int_equal(top[0].index, 934); /* cheeseburger */
    free(jpeg);
    wi_backend_wasm.worker_destroy(w);
    wi_backend_wasm.destroy(b);
}

static void write_file(const char *path, const void *bytes, size_t len) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, len, f), len);
    fclose(f);
}

/* Truncated and garbage models fail backend creation with a message; nothing crashes. */
static void test_malformed_models_are_errors(void **state) {
    wi_wt_wasmtime_signals();
    size_t len = 0;
    unsigned char *pb = wi_test_read_data("models/tf/mobilenet_v1_0.5_160_frozen.pb", &len);
    assert_non_null(pb);
    char dir[] = "/tmp/wasinfer-wasmtime-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct { const char *name; const void *bytes; size_t len; } cases[] = {
        {"garbage.pb", "definitely not a protobuf graph", 31},
        {"truncated-half.pb", pb, len / 2},
        {"truncated-head.pb", pb, 100},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir, cases[i].name);
        write_file(path, cases[i].bytes, cases[i].len);
        wi_backend_config config = {0};
        config.model_path = path;
        config.wasm_module = g_module;
        wi_backend *b = NULL;
        wi_error err = {0};
        wi_status st = wi_backend_wasm.create(&config, &b, &err);
        if (st == WI_OK || st == WI_E_TRAP || st == WI_E_TIMEOUT || b) {
            fail_msg("%s: status %d (%s), expected a clean error", cases[i].name, st, err.message);
        }
        assert_non_null(strstr(err.message, "model_load"));
        remove(path);
    }
    rmdir(dir);
    free(pb);
}

/* A memory cap below what the model needs: creation fails with WI_E_LIMIT, naming the cap. */
static void test_memory_cap_is_enforced(void **state) {
    wi_wt_wasmtime_signals();
    wi_error err = {0};
    wi_status st;
    wi_backend *b = create_backend("models/tf/mobilenet_v2_1.0_224_frozen.pb", 0, 5000, 24u << 20, &st, &err);
    assert_null(b);
    if (st != WI_E_LIMIT) fail_msg("status %d (%s), expected WI_E_LIMIT", st, err.message);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_native_on_expected),
        cmocka_unit_test(test_trap_and_spin_are_recovered),
        cmocka_unit_test(test_malformed_images_are_errors),
        cmocka_unit_test(test_malformed_models_are_errors),
        cmocka_unit_test(test_memory_cap_is_enforced),
    };
    return cmocka_run_group_tests(tests, setup_module, NULL);
}
