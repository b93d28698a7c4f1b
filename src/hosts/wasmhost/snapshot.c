/*
 * Snapshots of a guest's linear memory, to rebuild an instance without redoing its setup.
 *
 * Taken at a quiescent point (between calls), the memory holds everything the module's setup
 * produced: libc's heap, the parsed and packed model, the planned arena. The only other guest
 * state is its globals, and at a quiescent point the mutable one LLVM emits (__stack_pointer)
 * is back at its initial value, which a fresh instance also has. So a fresh instance plus the
 * copied memory is the instance as it was right after the snapshot, even when the instance the
 * snapshot came from has since trapped mid-call.
 */
#include <stdlib.h>
#include <string.h>
#include "hosts/wasmhost/engine-internal.h"

struct wi_guest_snapshot {
    uint8_t *bytes;
    size_t size; /* a whole number of 64 KiB pages */
};

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
    *out = s;
    return WI_OK;
}

void wi_guest_snapshot_free(wi_guest_snapshot *s) {
    if (!s) return;
    free(s->bytes);
    free(s);
}

size_t wi_guest_snapshot_bytes(const wi_guest_snapshot *s) { return s->size; }

wi_status wi_guest_restore(wi_wasm_engine *engine, const wi_guest_options *options,
                           const wi_guest_snapshot *s, wi_guest **out, wi_error *err) {
    wi_guest *g = NULL;
    wi_status st = wi_guest_instantiate(engine, options, &g, err);
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
    uint8_t *mem = wasmtime_memory_data(g->context, &g->memory);
    memcpy(mem, s->bytes, s->size);
    *out = g;
    return WI_OK;
}
