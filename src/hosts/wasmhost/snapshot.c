/*
 * Snapshots of a guest, to rebuild an instance without redoing its setup (the model load).
 *
 * Taken at a quiescent point (between calls), linear memory holds everything the setup
 * produced: libc's heap, the parsed and packed model, the planned arena; the mutable globals
 * (LLVM's __stack_pointer) hold the rest. Two ways back to that state:
 *  - copy-on-write (the normal one): wasm-rewrite.c turns the memory and the globals into a
 *    new module (data segments = the memory, global initializers = the values), compiled once
 *    (and cached on disk like the module itself). Instantiating it maps the memory image
 *    copy-on-write, so a rebuild costs microseconds whatever the model's size.
 *  - copying (the fallback when the module's layout is not one the rewrite understands): a
 *    fresh instance of the original module, its memory grown and overwritten with the copy.
 * Either way the rebuilt instance is the snapshotted one even when the instance the snapshot
 * came from has since trapped mid-call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hosts/wasmhost/engine-internal.h"

struct wi_guest_snapshot {
    uint8_t *bytes;                /* the memory copy (the fallback's source)      */
    size_t size;                   /* a whole number of 64 KiB pages               */
    wasmtime_module_t *module;     /* the snapshot module, or NULL: copy instead   */
    wasmtime_instance_pre_t *pre;
    wi_wasm_engine_stats stats;    /* how the snapshot module was compiled/loaded  */
    char fallback_reason[200];
};

/* Reads the exported mutable globals' values into a copy of the engine's list. */
static wi_status read_globals(wi_guest *g, wi_wasm_global **out, wi_error *err) {
    wi_wasm_engine *e = g->engine;
    *out = calloc((size_t)e->global_count + 1, sizeof **out);
    if (!*out) return wi_host_error(err, WI_E_OUT_OF_MEMORY, "wasm snapshot: out of memory");
    for (int i = 0; i < e->global_count; i++) {
        char name[32];
        int n = snprintf(name, sizeof name, "__wi_global_%u", (unsigned)e->globals[i].index);
        wasmtime_extern_t item;
        if (!wasmtime_instance_export_get(g->context, &g->instance, name, (size_t)n, &item) ||
            item.kind != WASMTIME_EXTERN_GLOBAL) {
            return wi_host_error(err, WI_E_INTERNAL, "wasm snapshot: global export %s missing", name);
        }
        wasmtime_val_t v;
        wasmtime_global_get(g->context, &item.of.global, &v);
        (*out)[i] = e->globals[i];
        switch (v.kind) {
        case WASMTIME_I32: (*out)[i].bits = (uint32_t)v.of.i32; break;
        case WASMTIME_I64: (*out)[i].bits = (uint64_t)v.of.i64; break;
        case WASMTIME_F32: memcpy(&(*out)[i].bits, &v.of.f32, 4); break;
        case WASMTIME_F64: memcpy(&(*out)[i].bits, &v.of.f64, 8); break;
        default: return wi_host_error(err, WI_E_UNSUPPORTED, "wasm snapshot: global %s is not a number", name);
        }
    }
    return WI_OK;
}

static wi_status build_cow_module(wi_guest *g, wi_guest_snapshot *s, wi_error *err) {
    wi_wasm_engine *e = g->engine;
    if (!e->rewritable) return wi_host_error(err, WI_E_UNSUPPORTED, "module layout not rewritable");
    wi_wasm_global *globals = NULL;
    wi_wasm_buf wasm = {0};
    wi_status st = read_globals(g, &globals, err);
    if (st == WI_OK) {
        st = wi_wasm_snapshot_module(e->wasm, e->wasm_len, s->bytes, s->size, globals,
                                     e->global_count, &wasm, err);
    }
    if (st == WI_OK) st = wi_wasm_compile_cached(e, wasm.data, wasm.len, &s->module, &s->stats, err);
    if (st == WI_OK) {
        wasmtime_error_t *error = wasmtime_linker_instantiate_pre(e->linker, s->module, &s->pre);
        if (error) st = wi_wasmtime_error(err, WI_E_INTERNAL, "wasm snapshot", error);
    }
    free(globals);
    wi_wasm_buf_free(&wasm);
    return st;
}

wi_status wi_guest_snapshot_take(wi_guest *g, wi_guest_snapshot **out, wi_error *err) {
    *out = NULL;
    wi_guest_snapshot *s = calloc(1, sizeof *s);
    size_t size = (size_t)wi_guest_memory_size(g);
    if (s) s->bytes = malloc(size ? size : 1);
    if (!s || !s->bytes) {
        free(s);
        return wi_host_error(err, WI_E_OUT_OF_MEMORY, "wasm snapshot: out of memory for %zu bytes", size);
    }
    memcpy(s->bytes, wasmtime_memory_data(g->context, &g->memory), size);
    s->size = size;
    wi_error why = {0};
    if (build_cow_module(g, s, &why) != WI_OK) {
        snprintf(s->fallback_reason, sizeof s->fallback_reason, "%.190s", why.message);
        if (s->pre) wasmtime_instance_pre_delete(s->pre);
        if (s->module) wasmtime_module_delete(s->module);
        s->pre = NULL;
        s->module = NULL;
    }
    *out = s;
    return WI_OK;
}

void wi_guest_snapshot_free(wi_guest_snapshot *s) {
    if (!s) return;
    if (s->pre) wasmtime_instance_pre_delete(s->pre);
    if (s->module) wasmtime_module_delete(s->module);
    free(s->bytes);
    free(s);
}

size_t wi_guest_snapshot_bytes(const wi_guest_snapshot *s) { return s->size; }

const char *wi_guest_snapshot_describe(const wi_guest_snapshot *s, char *buf, size_t cap) {
    if (s->pre) {
        if (s->stats.from_cache) snprintf(buf, cap, "copy-on-write (snapshot module loaded from cache in %.1f ms)", s->stats.load_ms);
        else snprintf(buf, cap, "copy-on-write (snapshot module compiled in %.0f ms)", s->stats.compile_ms);
    } else {
        snprintf(buf, cap, "memory copy (%s)", s->fallback_reason);
    }
    return buf;
}

wi_status wi_guest_restore(wi_wasm_engine *engine, const wi_guest_options *options,
                           const wi_guest_snapshot *s, wi_guest **out, wi_error *err) {
    if (s->pre) return wi_guest_instantiate(engine, s->pre, options, out, err);
    wi_guest *g = NULL;
    wi_status st = wi_guest_instantiate(engine, engine->pre, options, &g, err);
    if (st != WI_OK) return st;
    uint64_t have = wi_guest_memory_size(g);
    if (have < s->size) {
        uint64_t page = wasmtime_memory_page_size(g->context, &g->memory), prev = 0;
        wasmtime_error_t *error =
            wasmtime_memory_grow(g->context, &g->memory, (s->size - have + page - 1) / page, &prev);
        if (error) {
            wi_guest_free(g);
            return wi_wasmtime_error(err, WI_E_LIMIT, "wasm snapshot: growing memory", error);
        }
    }
    memcpy(wasmtime_memory_data(g->context, &g->memory), s->bytes, s->size);
    *out = g;
    return WI_OK;
}
