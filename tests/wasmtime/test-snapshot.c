/*
 * Snapshots (src/hosts/wasmhost/snapshot.c, wasm-rewrite.c) on the real module: the restore is
 * copy-on-write (not the memory-copy fallback), a restored instance answers exactly like the
 * one the snapshot came from, also after that one trapped, and restored instances are
 * independent. The module rewriter refuses truncated or foreign bytes with an error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "hosts/wasmhost/guest.h"
#include "hosts/wasmhost/wasm-rewrite.h"
#include "wasmtime/wasmtime-test.h"

static char g_module[4096];

static int setup(void **state) {
    wi_wt_save_wasmtime_signals();
    return wi_wt_wasm_path("wasinfer.wasm", g_module, sizeof g_module) ? 0 : -1;
}

static void classify(wi_guest *g, int32_t handle, const unsigned char *img, size_t len,
                     wi_class_score *top, int *n) {
    wi_classify_options opts;
    wi_classify_options_init(&opts);
    opts.top_k = 5;
    wi_error err = {0};
    if (wi_guest_classify(g, handle, img, len, &opts, top, 5, n, &err) != WI_OK) fail_msg("%s", err.message);
}

static void test_restore_is_copy_on_write_and_exact(void **state) {
    wi_wt_wasmtime_signals();
    size_t model_len = 0, img_len = 0;
    unsigned char *model = wi_test_read_data("models/tf/mobilenet_v1_0.5_160_frozen.pb", &model_len);
    unsigned char *img = wi_test_read_data("images/hot_dog.jpg", &img_len);
    assert_non_null(model);
    assert_non_null(img);
    wi_error err = {0};
    wi_wasm_engine *engine = NULL;
    wi_wasm_engine_options eo = {g_module, NULL, 0};
    assert_int_equal(wi_wasm_engine_create(&eo, &engine, &err), WI_OK);
    wi_guest_options go = {0, 0};
    wi_guest *g = NULL, *r1 = NULL, *r2 = NULL;
    assert_int_equal(wi_guest_create(engine, &go, &g, &err), WI_OK);
    int32_t handle = 0;
    assert_int_equal(wi_guest_model_load(g, model, model_len, &handle, &err), WI_OK);
    wi_guest_snapshot *snap = NULL;
    assert_int_equal(wi_guest_snapshot_take(g, &snap, &err), WI_OK);
    char how[300];
    const char *desc = wi_guest_snapshot_describe(snap, how, sizeof how);
    if (strncmp(desc, "copy-on-write", 13) != 0) fail_msg("snapshot restores by: %s", desc);

    wi_class_score want[5], got[5];
    int nw = 0, ng = 0;
    classify(g, handle, img, img_len, want, &nw);
    assert_int_equal(want[0].index, 935); /* hotdog */

    /* The source instance traps mid-call; restores still give its post-load state. */
    assert_int_equal(wi_guest_call(g, WI_GX_DEBUG_TRAP, NULL, 0, NULL, &err), WI_E_TRAP);
    assert_int_equal(wi_guest_restore(engine, &go, snap, &r1, &err), WI_OK);
    assert_int_equal(wi_guest_restore(engine, &go, snap, &r2, &err), WI_OK);
    classify(r1, handle, img, img_len, got, &ng);
    assert_int_equal(ng, nw);
    assert_memory_equal(got, want, sizeof(wi_class_score) * (size_t)nw);

    /* Independent: r1 trapping leaves r2 untouched. */
    assert_int_equal(wi_guest_call(r1, WI_GX_DEBUG_TRAP, NULL, 0, NULL, &err), WI_E_TRAP);
    classify(r2, handle, img, img_len, got, &ng);
    assert_memory_equal(got, want, sizeof(wi_class_score) * (size_t)nw);

    wi_guest_free(r2);
    wi_guest_free(r1);
    wi_guest_free(g);
    wi_guest_snapshot_free(snap);
    wi_wasm_engine_free(engine);
    free(img);
    free(model);
}

static void test_rewrite_refuses_bad_modules(void **state) {
    char path[4096];
    size_t len = 0;
    snprintf(path, sizeof path, "%s", g_module);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *wasm = malloc(len);
    assert_int_equal(fread(wasm, 1, len, f), len);
    fclose(f);

    wi_wasm_buf out;
    wi_wasm_global *globals = NULL;
    int count = 0;
    wi_error err = {0};
    assert_int_equal(wi_wasm_export_globals(wasm, len, &out, &globals, &count, &err), WI_OK);
    assert_true(count >= 1); /* __stack_pointer at least */
    assert_true(out.len > len);
    wi_wasm_buf_free(&out);
    free(globals);

    size_t cuts[] = {0, 4, 8, 9, 100, len / 2, len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        wi_status st = wi_wasm_export_globals(wasm, cuts[i], &out, &globals, &count, &err);
        if (st == WI_OK) fail_msg("a module cut at %zu bytes was accepted", cuts[i]);
        assert_null(out.data);
        assert_null(globals);
    }
    const uint8_t not_wasm[] = "\x7f" "ELF not a wasm module";
    assert_int_not_equal(wi_wasm_export_globals(not_wasm, sizeof not_wasm, &out, &globals, &count, &err), WI_OK);
    uint8_t page[65536] = {0};
    assert_int_not_equal(wi_wasm_snapshot_module(wasm, len / 2, page, sizeof page, NULL, 0, &out, &err), WI_OK);
    free(wasm);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_restore_is_copy_on_write_and_exact),
        cmocka_unit_test(test_rewrite_refuses_bad_modules),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
