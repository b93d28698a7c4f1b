/*
 * guest.h - the wasinfer reactor module (build/wasm/wasinfer.wasm) inside Wasmtime, from C.
 *
 * Shared by the wasinfer-wasmhost program (src/hosts/wasmhost/main.c) and the service's wasm
 * backend (src/server/backend-wasm.c). Two objects:
 *
 *  - wi_wasm_engine: one Wasmtime engine and the compiled module, shared by all threads. The
 *    compiled machine code is cached on disk (wasmtime_module_serialize), keyed by a hash of
 *    the module bytes, the Wasmtime version and the code-generation flags, so only the first
 *    start of a given module pays for Cranelift.
 *  - wi_guest: one store + instance (one thread at a time). Every call into the guest goes
 *    through wi_guest_call, which turns traps into WI_E_TRAP and an expired time budget into
 *    WI_E_TIMEOUT. Every guest pointer and length the host touches is checked against the
 *    guest's memory size right then (memory can grow during any call), never trusted.
 *
 * The guest ABI (docs/wasm-abi.md): memory, alloc, dealloc, infer_from_ptrs, model_load,
 * model_free, classify, run, last_error, last_error_len, debug_trap, debug_spin; the module is
 * a WASI reactor, so _initialize runs once after instantiation.
 */
#ifndef WI_HOSTS_WASMHOST_GUEST_H
#define WI_HOSTS_WASMHOST_GUEST_H

#include <stddef.h>
#include <stdint.h>
#include <wasmtime.h>
#include "wasinfer.h"

/* The exports the host may call, looked up once per instance. */
typedef enum wi_guest_export {
    WI_GX_ALLOC,
    WI_GX_DEALLOC,
    WI_GX_INFER_FROM_PTRS,
    WI_GX_MODEL_LOAD,
    WI_GX_MODEL_FREE,
    WI_GX_CLASSIFY,
    WI_GX_RUN,
    WI_GX_LAST_ERROR,
    WI_GX_LAST_ERROR_LEN,
    WI_GX_LAST_STATUS, /* optional: the wi_status of the last failed call */
    WI_GX_DEBUG_TRAP,
    WI_GX_DEBUG_SPIN,
    WI_GX_MODEL_INPUT_INFO,
    WI_GX_MODEL_OUTPUT_INFO,
    WI_GX_INITIALIZE,
    WI_GX_COUNT
} wi_guest_export;

const char *wi_guest_export_name(wi_guest_export which);

/* ---- engine + compiled module ---------------------------------------------------------- */

typedef struct wi_wasm_engine wi_wasm_engine;

typedef struct wi_wasm_engine_options {
    const char *module_path; /* the .wasm file                                                */
    const char *cache_dir;   /* compiled-module cache; NULL: $WASINFER_CACHE or
                                ~/.cache/wasinfer, then /wasmtime-modules; "" disables it      */
    int epoch_interruption;  /* compile in epoch checks: needed for time budgets               */
} wi_wasm_engine_options;

typedef struct wi_wasm_engine_stats {
    double compile_ms;  /* Cranelift compilation (0 when loaded from the cache)              */
    double load_ms;     /* deserializing the cached artifact (0 when compiled)               */
    int from_cache;     /* non-zero when the compiled module came from the cache             */
    char cache_path[1024]; /* the artifact's path ("" when caching is off)                   */
} wi_wasm_engine_stats;

wi_status wi_wasm_engine_create(const wi_wasm_engine_options *options, wi_wasm_engine **out,
                                wi_error *err);
void wi_wasm_engine_free(wi_wasm_engine *engine); /* accepts NULL */
const wi_wasm_engine_stats *wi_wasm_engine_get_stats(const wi_wasm_engine *engine);
/* Advances the engine's epoch by one tick (called by a ticker thread; thread-safe). */
void wi_wasm_engine_tick(wi_wasm_engine *engine);

/* ---- one store + instance ------------------------------------------------------------- */

typedef struct wi_guest wi_guest;

typedef struct wi_guest_options {
    size_t max_memory;   /* linear-memory cap in bytes via a store limiter (0: none)          */
    int inherit_stdio;   /* give the guest the host's stdout/stderr (else stderr only)        */
} wi_guest_options;

/* Instantiates the module with WASI in a new store and runs _initialize. */
wi_status wi_guest_create(wi_wasm_engine *engine, const wi_guest_options *options,
                          wi_guest **out, wi_error *err);
void wi_guest_free(wi_guest *guest); /* accepts NULL */

/* Epoch ticks the next calls may run before they are interrupted (0: no budget). Only
 * meaningful with an engine created with epoch_interruption. */
void wi_guest_set_budget(wi_guest *guest, uint64_t ticks);

/* Calls export `which` with i32 arguments; *result (may be NULL) receives its i32 result, 0
 * for functions without one. WI_E_TRAP on a trap, WI_E_TIMEOUT when the budget ran out,
 * WI_E_NOT_FOUND when the module lacks the export. After a trap or timeout the guest's state
 * is undefined: free it (or rebuild it from a snapshot). */
wi_status wi_guest_call(wi_guest *guest, wi_guest_export which, const int32_t *args,
                        size_t nargs, int32_t *result, wi_error *err);

/* Bytes of guest linear memory now. */
uint64_t wi_guest_memory_size(wi_guest *guest);
/* Checked copies between host memory and [ptr, ptr+len) of guest memory (WI_E_LIMIT when the
 * span is outside the memory; a zero ptr is refused as the guest's NULL). */
wi_status wi_guest_write(wi_guest *guest, uint32_t ptr, const void *src, size_t len,
                         wi_error *err);
wi_status wi_guest_read(wi_guest *guest, uint32_t ptr, void *dst, size_t len, wi_error *err);

/* alloc(len) in the guest, then copies `bytes` there; *ptr is the block (owned by the guest:
 * release it with wi_guest_dealloc, or hand it to an export that takes ownership). */
wi_status wi_guest_put(wi_guest *guest, const void *bytes, size_t len, uint32_t *ptr,
                       wi_error *err);
wi_status wi_guest_alloc(wi_guest *guest, size_t len, uint32_t *ptr, wi_error *err);
void wi_guest_dealloc(wi_guest *guest, uint32_t ptr, size_t len);

/* Copies the guest's last_error() message into buf (always NUL-terminated; "" when none or
 * when the guest's pointer is bad). */
void wi_guest_last_error(wi_guest *guest, char *buf, size_t cap);
/* Sets err from a failed guest export: "<what>: <last_error()>", with `status`. */
wi_status wi_guest_fail(wi_guest *guest, wi_status status, const char *what, wi_error *err);

/* ---- the handle ABI (guest-abi.c) ------------------------------------------------------ */

/* model_load: copies `bytes` in, loads them into a model handle (> 0), frees the copy. A model
 * the guest refuses is WI_E_MALFORMED with the guest's message. */
wi_status wi_guest_model_load(wi_guest *guest, const void *bytes, size_t len, int32_t *handle,
                              wi_error *err);
/* classify: copies the image in, runs classify(handle, ...) and copies the min(top_k, capacity)
 * best classes out of the guest into `out`. The guest's refusal of the image is
 * WI_E_MALFORMED (or the status from the guest's last_status export, when it has one). */
wi_status wi_guest_classify(wi_guest *guest, int32_t handle, const void *image, size_t image_len,
                            const wi_classify_options *options, wi_class_score *out,
                            int capacity, int *out_count, wi_error *err);

/* model_input_info / model_output_info (`output` 0 or 1) of tensor `index` into *info, whose
 * name points into `name` (cap bytes, owned by the caller). */
wi_status wi_guest_tensor_info(wi_guest *guest, int32_t handle, int output, int index,
                               wi_tensor_info *info, char *name, size_t cap, wi_error *err);

/* ---- snapshots: rebuild an instance without redoing its setup ---------------------------- */

/* A guest's state at a quiescent point (between calls): its linear memory and mutable
 * globals, restorable copy-on-write (snapshot.c says how). */
typedef struct wi_guest_snapshot wi_guest_snapshot;

wi_status wi_guest_snapshot_take(wi_guest *guest, wi_guest_snapshot **out, wi_error *err);
void wi_guest_snapshot_free(wi_guest_snapshot *snapshot); /* accepts NULL */
size_t wi_guest_snapshot_bytes(const wi_guest_snapshot *snapshot);
/* How restores work for this snapshot, in words, for logs and the bench ("copy-on-write ..."
 * or "memory copy (<why>)"). Returns buf. */
const char *wi_guest_snapshot_describe(const wi_guest_snapshot *snapshot, char *buf, size_t cap);
/* A new instance in a new store whose memory equals the snapshot; _initialize is not run
 * again (its effects are in the memory). */
wi_status wi_guest_restore(wi_wasm_engine *engine, const wi_guest_options *options,
                           const wi_guest_snapshot *snapshot, wi_guest **out, wi_error *err);

/* ---- small helpers --------------------------------------------------------------------- */

/* Sets *err (if not NULL) to status + printf message; returns status. */
wi_status wi_host_error(wi_error *err, wi_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Reads a whole file into a malloc'd buffer (*len bytes); WI_E_IO / WI_E_NOT_FOUND. */
wi_status wi_host_read_file(const char *path, uint8_t **bytes, size_t *len, wi_error *err);
double wi_host_now_ms(void);
/* wasm/wasinfer.wasm beside the running executable (build/wasinfer -> build/wasm/), in buf. */
const char *wi_host_default_module_path(char *buf, size_t cap);

#endif
