/*
 * backend-wasm.c - the service's sandboxed backend: the model runs inside the wasinfer wasm
 * module in Wasmtime (see backend.h, docs/wasmtime.md).
 *
 * At create: one engine (module compiled once, or loaded from the compiled-module cache), one
 * setup instance that runs _initialize and model_load, then a snapshot of its linear memory.
 * Each worker owns one store + instance restored from that snapshot, so the model is parsed
 * once per server, not once per worker or per request.
 *
 * Every request runs under limits:
 *  - a time budget: code is compiled with epoch checks; a ticker thread advances the epoch
 *    every millisecond and each call gets budget/1 ms ticks. Overrun -> WI_E_TIMEOUT (504).
 *  - a memory cap: a store limiter refuses memory.grow past --wasm-max-memory, so the guest's
 *    malloc fails and the request gets a clean error.
 * A trap (a bug reached by bad input, an out-of-bounds access, stack exhaustion) or an overrun
 * leaves the instance undefined: it is thrown away and rebuilt from the snapshot (no model
 * parsing) before the answer goes out, and the worker keeps serving.
 *
 * Compiled only with WI_HAVE_WASMTIME (cmake/wasmhost.cmake, when the C API is installed).
 */
#ifdef WI_HAVE_WASMTIME
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hosts/wasmhost/guest.h"
#include "server/backend.h"

#define WI_WASM_TICK_MS 1.0
#define WI_WASM_DEFAULT_BUDGET_MS 10000.0
#define WI_WASM_DEFAULT_MAX_MEMORY ((size_t)1 << 30)
#define WI_WASM_REGROW_SLACK ((uint64_t)64 << 20) /* growth kept before a worker is rebuilt */

struct wi_backend {
    wi_wasm_engine *engine;
    wi_guest_snapshot *snapshot; /* memory right after _initialize + model_load */
    int32_t handle;              /* the model's handle, valid in every restored instance */
    wi_guest_options guest_options;
    uint64_t budget_ticks;
    wi_tensor_info input, output;
    char input_name[256], output_name[256];
    pthread_t ticker;
    int ticker_running;
    atomic_int stop;
    atomic_long rebuilds;
    int debug_exports;
};

struct wi_backend_worker {
    wi_backend *backend;
    wi_guest *guest; /* NULL after a failed rebuild: the next request tries again */
};

static void *tick_loop(void *arg) {
    wi_backend *b = arg;
    struct timespec period = {0, (long)(WI_WASM_TICK_MS * 1e6)};
    while (!atomic_load(&b->stop)) {
        nanosleep(&period, NULL);
        wi_wasm_engine_tick(b->engine);
    }
    return NULL;
}

static void wasm_destroy(wi_backend *b) {
    if (!b) return;
    if (b->ticker_running) {
        atomic_store(&b->stop, 1);
        pthread_join(b->ticker, NULL);
    }
    wi_guest_snapshot_free(b->snapshot);
    wi_wasm_engine_free(b->engine);
    free(b);
}

/* The setup instance: _initialize, model_load, the tensor descriptions, then the snapshot. */
static wi_status load_into_snapshot(wi_backend *b, const char *model_path, wi_error *err) {
    uint8_t *model = NULL;
    size_t len = 0;
    wi_guest *g = NULL;
    wi_status st = wi_host_read_file(model_path, &model, &len, err);
    if (st == WI_OK) st = wi_guest_create(b->engine, &b->guest_options, &g, err);
    if (st == WI_OK) {
        /* Model parsing is not a request: it gets no budget, only the memory cap. */
        st = wi_guest_model_load(g, model, len, &b->handle, err);
    }
    if (st == WI_OK) {
        st = wi_guest_tensor_info(g, b->handle, 0, 0, &b->input, b->input_name,
                                  sizeof b->input_name, err);
    }
    if (st == WI_OK) {
        st = wi_guest_tensor_info(g, b->handle, 1, 0, &b->output, b->output_name,
                                  sizeof b->output_name, err);
    }
    if (st == WI_OK) st = wi_guest_snapshot_take(g, &b->snapshot, err);
    wi_guest_free(g);
    free(model);
    return st;
}

static wi_status wasm_create(const wi_backend_config *config, wi_backend **out, wi_error *err) {
    *out = NULL;
    if (config->input_name || config->output_name) {
        return wi_host_error(err, WI_E_UNSUPPORTED,
                             "wasm backend: --input/--output are not supported (the module's "
                             "model_load takes the graph's own input and output)");
    }
    wi_backend *b = calloc(1, sizeof *b);
    if (!b) return wi_host_error(err, WI_E_OUT_OF_MEMORY, "wasm backend: out of memory");
    char default_module[4096];
    wi_wasm_engine_options eo = {
        config->wasm_module ? config->wasm_module
                            : wi_host_default_module_path(default_module, sizeof default_module),
        NULL, 1};
    b->guest_options.max_memory = config->wasm_max_memory ? config->wasm_max_memory
                                                          : WI_WASM_DEFAULT_MAX_MEMORY;
    double budget_ms = config->wasm_time_budget_ms > 0 ? config->wasm_time_budget_ms
                                                       : WI_WASM_DEFAULT_BUDGET_MS;
    b->budget_ticks = (uint64_t)(budget_ms / WI_WASM_TICK_MS) + 1;
    b->debug_exports = config->wasm_debug_exports;
    wi_status st = wi_wasm_engine_create(&eo, &b->engine, err);
    if (st == WI_OK) st = load_into_snapshot(b, config->model_path, err);
    if (st == WI_OK && pthread_create(&b->ticker, NULL, tick_loop, b) != 0) {
        st = wi_host_error(err, WI_E_INTERNAL, "wasm backend: cannot start the epoch ticker thread");
    }
    if (st != WI_OK) {
        wasm_destroy(b);
        return st;
    }
    b->ticker_running = 1;
    *out = b;
    return WI_OK;
}

static wi_status wasm_describe(wi_backend *b, wi_tensor_info *input, wi_tensor_info *output) {
    *input = b->input;
    *output = b->output;
    return WI_OK;
}

static wi_status rebuild(wi_backend_worker *w, wi_error *err) {
    wi_guest_free(w->guest);
    w->guest = NULL;
    wi_backend *b = w->backend;
    wi_status st = wi_guest_restore(b->engine, &b->guest_options, b->snapshot, &w->guest, err);
    if (st == WI_OK) wi_guest_set_budget(w->guest, b->budget_ticks);
    return st;
}

static wi_status wasm_worker_create(wi_backend *b, wi_backend_worker **out, wi_error *err) {
    *out = NULL;
    wi_backend_worker *w = calloc(1, sizeof *w);
    if (!w) return wi_host_error(err, WI_E_OUT_OF_MEMORY, "wasm backend: out of memory");
    w->backend = b;
    wi_status st = rebuild(w, err);
    if (st != WI_OK) {
        free(w);
        return st;
    }
    *out = w;
    return WI_OK;
}

static void wasm_worker_destroy(wi_backend_worker *w) {
    if (!w) return;
    wi_guest_free(w->guest);
    free(w);
}

/* After a trap or an overrun the instance is thrown away and rebuilt before answering, so the
 * failed request's answer already means "and the sandbox is fine again". */
static wi_status recover(wi_backend_worker *w, wi_status st, wi_error *err) {
    atomic_fetch_add(&w->backend->rebuilds, 1);
    wi_error rebuild_err = {0};
    if (rebuild(w, &rebuild_err) != WI_OK && err) {
        size_t n = strlen(err->message);
        snprintf(err->message + n, sizeof err->message - n, "; rebuilding the sandbox failed: %s",
                 rebuild_err.message);
    }
    if (err) err->status = st;
    return st;
}

static wi_status wasm_classify(wi_backend_worker *w, const void *image, size_t image_len,
                               const wi_classify_options *options, wi_class_score *out,
                               int capacity, int *out_count, wi_classify_timing *timing,
                               wi_error *err) {
    *out_count = 0;
    if (!w->guest) {
        wi_status st = rebuild(w, err);
        if (st != WI_OK) return st;
    }
    double t0 = wi_host_now_ms();
    wi_status st = wi_guest_classify(w->guest, w->backend->handle, image, image_len, options, out,
                                     capacity, out_count, err);
    if (timing) {
        /* The guest does not split its time: all of it is reported as inference. */
        timing->decode_ms = timing->preprocess_ms = 0;
        timing->infer_ms = wi_host_now_ms() - t0;
    }
    if (st == WI_E_TRAP || st == WI_E_TIMEOUT) return recover(w, st, err);
    /* Linear memory never shrinks: after a large image the worker would hold the grown memory
     * for good. A rebuild from the snapshot costs microseconds and gives it back. */
    if (w->guest && wi_guest_memory_size(w->guest) >
                        wi_guest_snapshot_bytes(w->backend->snapshot) + WI_WASM_REGROW_SLACK) {
        wi_error ignored;
        rebuild(w, &ignored);
    }
    return st;
}

/* Tests only (the service enables it with --wasm-debug-exports): runs the guest's debug_trap
 * or an endless debug_spin under the request limits, then recovers like a real request. */
static wi_status wasm_debug(wi_backend_worker *w, const char *action, wi_error *err) {
    if (!w->backend->debug_exports) {
        return wi_host_error(err, WI_E_STATE, "debug requests are off (start with --wasm-debug-exports)");
    }
    if (!w->guest) {
        wi_status st = rebuild(w, err);
        if (st != WI_OK) return st;
    }
    wi_status st;
    int32_t zero = 0;
    if (action && !strcmp(action, "trap")) {
        st = wi_guest_call(w->guest, WI_GX_DEBUG_TRAP, NULL, 0, NULL, err);
    } else if (action && !strcmp(action, "spin")) {
        st = wi_guest_call(w->guest, WI_GX_DEBUG_SPIN, &zero, 1, NULL, err);
    } else {
        return wi_host_error(err, WI_E_INVALID_ARGUMENT, "debug action '%s' is not trap or spin",
                             action ? action : "");
    }
    if (st == WI_E_TRAP || st == WI_E_TIMEOUT) return recover(w, st, err);
    return st;
}

const wi_backend_vtable wi_backend_wasm = {
    .name = "wasm",
    .create = wasm_create,
    .destroy = wasm_destroy,
    .describe = wasm_describe,
    .worker_create = wasm_worker_create,
    .worker_destroy = wasm_worker_destroy,
    .classify = wasm_classify,
    .debug = wasm_debug,
};

#endif /* WI_HAVE_WASMTIME */
