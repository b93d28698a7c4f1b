/*
 * The bench command: what each step of serving from Wasmtime costs, for docs/wasmtime.md.
 * Compile (cache off), load from the cached artifact, a fresh instance (+ _initialize), the
 * model load inside it, a rebuilt instance from the post-load snapshot, and classify latency.
 */
#include <stdio.h>
#include <stdlib.h>
#include "hosts/wasmhost/wasmhost.h"

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int wi_host_cmd_bench(const wi_host_args *a) {
    wi_error err = {0};
    wi_wasm_engine *engine = NULL;
    wi_guest *guest = NULL, *restored = NULL;
    wi_guest_snapshot *snap = NULL;
    uint8_t *model = NULL, *image = NULL;
    size_t model_len = 0, image_len = 0;
    int32_t handle = 0;
    int n = a->runs, rc = 1;
    double *t = calloc((size_t)n, sizeof *t);
    wi_guest_options go = {0, 0};
    wi_host_args cold = *a;
    cold.cache_dir = "";
    if (!t) return 1;
    if (wi_host_read_file(a->model_path, &model, &model_len, &err) != WI_OK ||
        wi_host_read_file(a->images[0], &image, &image_len, &err) != WI_OK ||
        wi_host_open_engine(&cold, &engine, &err) != WI_OK) {
        goto done;
    }
    printf("epoch_interruption %s\n", a->epochs ? "on" : "off");
    printf("module_compile_ms %.1f\n", wi_wasm_engine_get_stats(engine)->compile_ms);
    wi_wasm_engine_free(engine);
    engine = NULL;
    /* Twice: the first may have to write the artifact. */
    for (int i = 0; i < 2; i++) {
        wi_wasm_engine_free(engine);
        engine = NULL;
        if (wi_host_open_engine(a, &engine, &err) != WI_OK) goto done;
    }
    const wi_wasm_engine_stats *es = wi_wasm_engine_get_stats(engine);
    if (es->from_cache) printf("module_cache_load_ms %.2f\n", es->load_ms);
    else printf("module_cache_load_ms n/a (caching off or not writable)\n");

    for (int i = 0; i < n; i++) {
        double t0 = wi_host_now_ms();
        if (wi_guest_create(engine, &go, &guest, &err) != WI_OK) goto done;
        t[i] = wi_host_now_ms() - t0;
        if (i + 1 < n) {
            wi_guest_free(guest);
            guest = NULL;
        }
    }
    printf("instance_from_scratch_ms %.3f (median of %d, instantiate + _initialize)\n", median(t, n), n);
    double t0 = wi_host_now_ms();
    if (wi_guest_model_load(guest, model, model_len, &handle, &err) != WI_OK) goto done;
    printf("model_load_in_guest_ms %.1f\n", wi_host_now_ms() - t0);
    if (wi_guest_snapshot_take(guest, &snap, &err) != WI_OK) goto done;
    printf("snapshot_bytes %zu\n", wi_guest_snapshot_bytes(snap));
    for (int i = 0; i < n; i++) {
        t0 = wi_host_now_ms();
        if (wi_guest_restore(engine, &go, snap, &restored, &err) != WI_OK) goto done;
        t[i] = wi_host_now_ms() - t0;
        wi_guest_free(restored);
        restored = NULL;
    }
    printf("instance_from_snapshot_ms %.3f (median of %d)\n", median(t, n), n);
    char how[300];
    printf("snapshot_restore %s\n", wi_guest_snapshot_describe(snap, how, sizeof how));

    wi_classify_options opts;
    wi_classify_options_init(&opts);
    opts.top_k = 5;
    wi_class_score scores[5];
    int count = 0;
    if (wi_guest_classify(guest, handle, image, image_len, &opts, scores, 5, &count, &err) != WI_OK) goto done;
    for (int i = 0; i < n; i++) {
        t0 = wi_host_now_ms();
        if (wi_guest_classify(guest, handle, image, image_len, &opts, scores, 5, &count, &err) != WI_OK) goto done;
        t[i] = wi_host_now_ms() - t0;
    }
    printf("classify_ms %.2f (median of %d; decode + resize + inference; top-1 %d %.4f)\n",
           median(t, n), n, scores[0].index, scores[0].prob);
    /* A restored instance's first request pays for its copy-on-write page faults. */
    for (int i = 0; i < n; i++) {
        if (wi_guest_restore(engine, &go, snap, &restored, &err) != WI_OK) goto done;
        t0 = wi_host_now_ms();
        if (wi_guest_classify(restored, handle, image, image_len, &opts, scores, 5, &count, &err) != WI_OK) goto done;
        t[i] = wi_host_now_ms() - t0;
        wi_guest_free(restored);
        restored = NULL;
    }
    printf("first_classify_after_restore_ms %.2f (median of %d)\n", median(t, n), n);
    rc = 0;
done:
    if (rc) fprintf(stderr, "wasinfer-wasmhost: bench: %s\n", err.message);
    wi_guest_free(restored);
    wi_guest_free(guest);
    wi_guest_snapshot_free(snap);
    wi_wasm_engine_free(engine);
    free(model);
    free(image);
    free(t);
    return rc;
}
