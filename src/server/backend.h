/*
 * backend.h - what the HTTP service's workers need from an inference backend.
 *
 * The service loads the model once, through a backend, at start; each worker thread then owns
 * one backend worker (native: a wi_session over the shared read-only model; wasm: one Wasmtime
 * store + instance with the model loaded into it) and calls classify on it per request.
 * Backends report failures as wi_status + message: WI_E_TIMEOUT (time budget overrun -> 504),
 * WI_E_TRAP (sandbox trapped and was rebuilt -> 500), WI_E_MALFORMED / WI_E_UNSUPPORTED (bad
 * image -> 415/422), WI_E_LIMIT (image too large -> 413/422).
 */
#ifndef WI_SERVER_BACKEND_H
#define WI_SERVER_BACKEND_H

#include "wasinfer.h"

typedef struct wi_backend_config {
    const char *model_path;     /* the model file                                             */
    const char *input_name;     /* optional node-name overrides, as in wi_model_options        */
    const char *output_name;
    const char *wasm_module;    /* wasm backend: path of build/wasm/wasinfer.wasm              */
    size_t wasm_max_memory;     /* wasm backend: linear-memory cap in bytes (0: default)       */
    double wasm_time_budget_ms; /* wasm backend: per-request time budget (0: default)          */
    int wasm_debug_exports;     /* wasm backend, tests only: allow `debug` (--wasm-debug-exports) */
} wi_backend_config;

typedef struct wi_backend wi_backend;               /* shared by all workers */
typedef struct wi_backend_worker wi_backend_worker; /* one per worker thread */

typedef struct wi_backend_vtable {
    const char *name; /* "native", "wasm" */
    wi_status (*create)(const wi_backend_config *config, wi_backend **out, wi_error *err);
    void (*destroy)(wi_backend *backend);
    /* The model's first input and output, for /v1/models; `info` names are owned by the backend. */
    wi_status (*describe)(wi_backend *backend, wi_tensor_info *input, wi_tensor_info *output);
    wi_status (*worker_create)(wi_backend *backend, wi_backend_worker **out, wi_error *err);
    void (*worker_destroy)(wi_backend_worker *worker);
    wi_status (*classify)(wi_backend_worker *worker, const void *image, size_t image_len,
                          const wi_classify_options *options, wi_class_score *out, int capacity,
                          int *out_count, wi_classify_timing *timing, wi_error *err);
    /* Optional (NULL in backends without it), tests only: the wasm backend runs the guest's
     * debug export `action` ("trap": traps; "spin": loops forever) under the request limits and
     * recovers as from a real request: WI_E_TRAP / WI_E_TIMEOUT, the sandbox rebuilt. Refused
     * (WI_E_STATE) unless the backend was created with wasm_debug_exports. The service calls it
     * for a classify request with the header `X-Wasinfer-Debug: trap|spin`. */
    wi_status (*debug)(wi_backend_worker *worker, const char *action, wi_error *err);
} wi_backend_vtable;

extern const wi_backend_vtable wi_backend_native; /* src/server/backend-native.c */
#ifdef WI_HAVE_WASMTIME
extern const wi_backend_vtable wi_backend_wasm;   /* src/server/backend-wasm.c (Wasmtime) */
#endif

/* The backend called `name` ("native", "wasm"); NULL with a message in `msg` when it does not
 * exist or is not compiled in ("wasm backend not built"). src/server/backend-select.c */
const wi_backend_vtable *wi_backend_by_name(const char *name, char *msg, size_t msg_size);

#endif
