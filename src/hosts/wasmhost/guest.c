/*
 * One store + instance of the wasinfer module: instantiation with WASI, calls that turn traps
 * into statuses, and bounds-checked access to guest memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hosts/wasmhost/engine-internal.h"

/* Far enough in the future never to fire: used when a call has no time budget. */
#define WI_NO_DEADLINE (UINT64_MAX / 4)

static wi_status find_exports(wi_guest *g, wi_error *err) {
    wasmtime_extern_t item;
    if (!wasmtime_instance_export_get(g->context, &g->instance, "memory", 6, &item) ||
        item.kind != WASMTIME_EXTERN_MEMORY) {
        return wi_host_error(err, WI_E_UNSUPPORTED, "wasm module: no exported memory 'memory'");
    }
    g->memory = item.of.memory;
    for (int i = 0; i < WI_GX_COUNT; i++) {
        const char *name = wi_guest_export_name((wi_guest_export)i);
        g->have[i] = wasmtime_instance_export_get(g->context, &g->instance, name, strlen(name),
                                                  &item) &&
                     item.kind == WASMTIME_EXTERN_FUNC;
        if (!g->have[i]) continue;
        g->funcs[i] = item.of.func;
        wasm_functype_t *type = wasmtime_func_type(g->context, &g->funcs[i]);
        g->nresults[i] = wasm_functype_results(type)->size;
        wasm_functype_delete(type);
    }
    return WI_OK;
}

wi_status wi_guest_instantiate(wi_wasm_engine *engine, wasmtime_instance_pre_t *pre,
                               const wi_guest_options *options, wi_guest **out, wi_error *err) {
    *out = NULL;
    wi_guest *g = calloc(1, sizeof *g);
    if (!g) return wi_host_error(err, WI_E_OUT_OF_MEMORY, "wasm guest: out of memory");
    g->engine = engine;
    g->store = wasmtime_store_new(engine->engine, NULL, NULL);
    g->context = wasmtime_store_context(g->store);
    /* A new store's deadline is epoch 0, long past once a ticker runs: instantiation itself
     * would be interrupted. Calls set their own deadline. */
    wasmtime_context_set_epoch_deadline(g->context, WI_NO_DEADLINE);
    if (options && options->max_memory) {
        g->max_memory = options->max_memory;
        wasmtime_store_limiter(g->store, (int64_t)options->max_memory, -1, -1, -1, -1);
    }
    /* No preopened directories, no environment, no arguments: the guest gets bytes from the
     * host through its memory, never from the file system. */
    wasi_config_t *wasi = wasi_config_new();
    if (options && options->inherit_stdio) wasi_config_inherit_stdout(wasi);
    wasi_config_inherit_stderr(wasi);
    wasmtime_error_t *error = wasmtime_context_set_wasi(g->context, wasi); /* takes wasi */
    wasm_trap_t *trap = NULL;
    if (!error) error = wasmtime_instance_pre_instantiate(pre, g->context, &g->instance, &trap);
    wi_status st = WI_OK;
    if (error) {
        /* With a memory cap, the usual reason is that the initial memory exceeds it. */
        st = wi_wasmtime_error(err, options && options->max_memory ? WI_E_LIMIT : WI_E_INTERNAL,
                               "wasm guest: instantiate", error);
    } else if (trap) {
        wasm_message_t msg;
        wasm_trap_message(trap, &msg);
        st = wi_host_error(err, WI_E_TRAP, "wasm guest: instantiation trapped: %.*s",
                           (int)msg.size, msg.data);
        wasm_byte_vec_delete(&msg);
        wasm_trap_delete(trap);
    } else {
        st = find_exports(g, err);
    }
    if (st != WI_OK) {
        wi_guest_free(g);
        return st;
    }
    g->budget_ticks = 0;
    *out = g;
    return WI_OK;
}

wi_status wi_guest_create(wi_wasm_engine *engine, const wi_guest_options *options,
                          wi_guest **out, wi_error *err) {
    wi_guest *g = NULL;
    wi_status st = wi_guest_instantiate(engine, engine->pre, options, &g, err);
    if (st != WI_OK) return st;
    if (g->have[WI_GX_INITIALIZE]) st = wi_guest_call(g, WI_GX_INITIALIZE, NULL, 0, NULL, err);
    if (st != WI_OK) {
        wi_guest_free(g);
        return st;
    }
    *out = g;
    return WI_OK;
}

void wi_guest_free(wi_guest *g) {
    if (!g) return;
    if (g->store) wasmtime_store_delete(g->store);
    free(g);
}

void wi_guest_set_budget(wi_guest *g, uint64_t ticks) { g->budget_ticks = ticks; }

/* Wasmtime's trap text is "error while executing at wasm backtrace:\n  0: 0x4c2 - m!func\n...
 * Caused by:\n    wasm trap: <reason>": keep the reason and the innermost function. */
static void describe_trap(const char *text, size_t len, char *out, size_t cap) {
    char buf[2048];
    size_t n = len < sizeof buf - 1 ? len : sizeof buf - 1;
    memcpy(buf, text, n);
    buf[n] = '\0';
    const char *reason = strstr(buf, "Caused by:");
    reason = reason ? reason + strlen("Caused by:") : buf;
    while (*reason == ' ' || *reason == '\n') reason++;
    size_t reason_len = strcspn(reason, "\n");
    const char *frame = strstr(buf, " 0: ");
    const char *bang = frame ? strchr(frame, '!') : NULL;
    size_t frame_len = bang ? strcspn(bang + 1, "\n") : 0;
    if (bang && bang < reason) {
        snprintf(out, cap, "%.*s (in %.*s)", (int)reason_len, reason, (int)frame_len, bang + 1);
    } else {
        snprintf(out, cap, "%.*s", (int)reason_len, reason);
    }
}

static wi_status trap_status(wasm_trap_t *trap, const char *name, wi_error *err) {
    wasmtime_trap_code_t code;
    int is_timeout = wasmtime_trap_code(trap, &code) &&
                     (code == WASMTIME_TRAP_CODE_INTERRUPT || code == WASMTIME_TRAP_CODE_OUT_OF_FUEL);
    wasm_message_t msg;
    wasm_trap_message(trap, &msg);
    char why[400];
    describe_trap(msg.data, msg.size, why, sizeof why);
    wasm_byte_vec_delete(&msg);
    wasm_trap_delete(trap);
    return is_timeout
        ? wi_host_error(err, WI_E_TIMEOUT, "wasm guest: %s: time budget exceeded (%s)", name, why)
        : wi_host_error(err, WI_E_TRAP, "wasm guest: %s trapped: %s", name, why);
}

wi_status wi_guest_call(wi_guest *g, wi_guest_export which, const int32_t *args, size_t nargs,
                        int32_t *result, wi_error *err) {
    const char *name = wi_guest_export_name(which);
    if (result) *result = 0;
    if ((unsigned)which >= WI_GX_COUNT || !g->have[which]) {
        return wi_host_error(err, WI_E_NOT_FOUND, "wasm module: no exported function '%s'", name);
    }
    wasmtime_val_t argv[8], res[1];
    if (nargs > 8) return wi_host_error(err, WI_E_INVALID_ARGUMENT, "%s: too many arguments", name);
    for (size_t i = 0; i < nargs; i++) {
        argv[i].kind = WASMTIME_I32;
        argv[i].of.i32 = args[i];
    }
    size_t nresults = g->nresults[which];
    if (nresults > 1) return wi_host_error(err, WI_E_UNSUPPORTED, "%s: more than one result", name);
    wasmtime_context_set_epoch_deadline(g->context, g->budget_ticks ? g->budget_ticks : WI_NO_DEADLINE);
    wasm_trap_t *trap = NULL;
    wasmtime_error_t *error =
        wasmtime_func_call(g->context, &g->funcs[which], argv, nargs, res, nresults, &trap);
    if (error) {
        int code;
        if (wasmtime_error_exit_status(error, &code)) {
            wasmtime_error_delete(error);
            return wi_host_error(err, WI_E_TRAP, "wasm guest: %s called proc_exit(%d)", name, code);
        }
        return wi_wasmtime_error(err, WI_E_TRAP, name, error);
    }
    if (trap) return trap_status(trap, name, err);
    if (result && nresults == 1) {
        if (res[0].kind != WASMTIME_I32) {
            return wi_host_error(err, WI_E_UNSUPPORTED, "%s: result is not an i32", name);
        }
        *result = res[0].of.i32;
    }
    return WI_OK;
}

uint64_t wi_guest_memory_size(wi_guest *g) {
    return (uint64_t)wasmtime_memory_data_size(g->context, &g->memory);
}

/* The one place host code turns a guest pointer into a host address. */
static uint8_t *guest_span(wi_guest *g, uint32_t ptr, size_t len, const char *what, wi_error *err) {
    uint64_t size = wi_guest_memory_size(g);
    if (ptr == 0 || (uint64_t)ptr + len > size) {
        wi_host_error(err, WI_E_LIMIT, "wasm guest: %s [%u, +%zu) is outside its memory (%llu bytes)",
                      what, (unsigned)ptr, len, (unsigned long long)size);
        return NULL;
    }
    return wasmtime_memory_data(g->context, &g->memory) + ptr;
}

wi_status wi_guest_write(wi_guest *g, uint32_t ptr, const void *src, size_t len, wi_error *err) {
    uint8_t *dst = guest_span(g, ptr, len, "write", err);
    if (!dst) return WI_E_LIMIT;
    if (len) memcpy(dst, src, len);
    return WI_OK;
}

wi_status wi_guest_read(wi_guest *g, uint32_t ptr, void *dst, size_t len, wi_error *err) {
    const uint8_t *src = guest_span(g, ptr, len, "read", err);
    if (!src) return WI_E_LIMIT;
    if (len) memcpy(dst, src, len);
    return WI_OK;
}

void wi_guest_last_error(wi_guest *g, char *buf, size_t cap) {
    if (cap == 0) return;
    buf[0] = '\0';
    int32_t ptr = 0, len = 0;
    if (wi_guest_call(g, WI_GX_LAST_ERROR, NULL, 0, &ptr, NULL) != WI_OK ||
        wi_guest_call(g, WI_GX_LAST_ERROR_LEN, NULL, 0, &len, NULL) != WI_OK || len <= 0) {
        return;
    }
    size_t n = (size_t)len < cap - 1 ? (size_t)len : cap - 1;
    if (wi_guest_read(g, (uint32_t)ptr, buf, n, NULL) != WI_OK) n = 0;
    buf[n] = '\0';
}

wi_status wi_guest_fail(wi_guest *g, wi_status status, const char *what, wi_error *err) {
    char msg[WI_ERROR_MESSAGE_MAX];
    wi_guest_last_error(g, msg, sizeof msg);
    return wi_host_error(err, status, "%s: %s", what, msg[0] ? msg : "failed (no message)");
}

wi_status wi_guest_alloc(wi_guest *g, size_t len, uint32_t *ptr, wi_error *err) {
    *ptr = 0;
    if (len == 0 || len > INT32_MAX) {
        return wi_host_error(err, WI_E_LIMIT, "wasm guest: %zu bytes do not fit a 32-bit guest", len);
    }
    int32_t p = 0;
    int32_t arg = (int32_t)len;
    wi_status st = wi_guest_call(g, WI_GX_ALLOC, &arg, 1, &p, err);
    if (st != WI_OK) return st;
    if (p == 0) return wi_guest_fail(g, WI_E_OUT_OF_MEMORY, "wasm guest: alloc", err);
    /* The block must lie inside guest memory before anything is copied into it. */
    if (!guest_span(g, (uint32_t)p, len, "alloc block", err)) return WI_E_LIMIT;
    *ptr = (uint32_t)p;
    return WI_OK;
}

void wi_guest_dealloc(wi_guest *g, uint32_t ptr, size_t len) {
    if (ptr == 0) return;
    int32_t args[2] = {(int32_t)ptr, (int32_t)len};
    wi_guest_call(g, WI_GX_DEALLOC, args, 2, NULL, NULL);
}

wi_status wi_guest_put(wi_guest *g, const void *bytes, size_t len, uint32_t *ptr, wi_error *err) {
    wi_status st = wi_guest_alloc(g, len, ptr, err);
    if (st != WI_OK) return st;
    st = wi_guest_write(g, *ptr, bytes, len, err);
    if (st != WI_OK) {
        wi_guest_dealloc(g, *ptr, len);
        *ptr = 0;
    }
    return st;
}
