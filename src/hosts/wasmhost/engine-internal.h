/* engine-internal.h - the structs behind guest.h, shared by engine.c, guest.c, snapshot.c. */
#ifndef WI_HOSTS_WASMHOST_ENGINE_INTERNAL_H
#define WI_HOSTS_WASMHOST_ENGINE_INTERNAL_H

#include <stdbool.h>
#include "hosts/wasmhost/guest.h"
#include "hosts/wasmhost/wasm-rewrite.h"

struct wi_wasm_engine {
    wasm_engine_t *engine;
    wasmtime_module_t *module;
    wasmtime_linker_t *linker;     /* WASI only: holds nothing tied to a store            */
    wasmtime_instance_pre_t *pre;  /* imports resolved once: instantiation is just setup  */
    wi_wasm_engine_stats stats;
    int epoch;                     /* compiled with epoch interruption                    */
    char cache_dir[1024];          /* "" : no compiled-module cache                       */
    uint8_t *wasm;                 /* the module as compiled (globals exported)           */
    size_t wasm_len;
    int rewritable;                /* wasm-rewrite.c understood it: snapshots can be CoW  */
    wi_wasm_global *globals;       /* its mutable globals, exported as __wi_global_<i>    */
    int global_count;
};

struct wi_guest {
    wi_wasm_engine *engine;
    wasmtime_store_t *store;
    wasmtime_context_t *context;
    wasmtime_instance_t instance;
    wasmtime_memory_t memory;
    wasmtime_func_t funcs[WI_GX_COUNT];
    bool have[WI_GX_COUNT];
    size_t nresults[WI_GX_COUNT]; /* results of each export (looked up once) */
    uint64_t budget_ticks;
    size_t max_memory; /* the store limiter's cap (0: none) */
};

/* Sets err from a Wasmtime error ("<what>: <message>") and deletes the error. */
wi_status wi_wasmtime_error(wi_error *err, wi_status status, const char *what,
                            wasmtime_error_t *error);

/* Instantiates `pre` (the engine's module, or a snapshot's) in a new store, without running
 * _initialize. */
wi_status wi_guest_instantiate(wi_wasm_engine *engine, wasmtime_instance_pre_t *pre,
                               const wi_guest_options *options, wi_guest **out, wi_error *err);

/* Compiles `wasm`, or loads it from the engine's compiled-module cache; stats says which. */
wi_status wi_wasm_compile_cached(wi_wasm_engine *engine, const uint8_t *wasm, size_t len,
                                 wasmtime_module_t **out, wi_wasm_engine_stats *stats,
                                 wi_error *err);

#endif
