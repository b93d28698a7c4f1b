/*
 * wasm-rewrite.h - two small rewrites of a wasm binary, for snapshots that restore in
 * microseconds (the idea of Wizer, done at run time):
 *
 *  1. wi_wasm_export_globals: export every mutable defined global as "__wi_global_<index>",
 *     so the host can read the values a snapshot must carry (LLVM's __stack_pointer is not
 *     exported otherwise).
 *  2. wi_wasm_snapshot_module: the same module whose data segments are a snapshot of linear
 *     memory, whose memory minimum is the snapshot's size and whose mutable globals start at
 *     the snapshot's values. Instantiating it gives the snapshotted instance, and Wasmtime
 *     maps its memory copy-on-write from the compiled module's image instead of copying.
 *
 * Only what clang's wasm32-wasi output uses is supported: one defined (not imported) 32-bit
 * memory, active data segments for memory 0 with i32.const offsets, numeric globals.
 * Anything else is WI_E_UNSUPPORTED, and callers fall back to copying memory.
 */
#ifndef WI_HOSTS_WASMHOST_WASM_REWRITE_H
#define WI_HOSTS_WASMHOST_WASM_REWRITE_H

#include <stddef.h>
#include <stdint.h>
#include "wasinfer.h"

typedef struct wi_wasm_buf {
    uint8_t *data;
    size_t len, cap;
} wi_wasm_buf;

void wi_wasm_buf_free(wi_wasm_buf *buf);

typedef struct wi_wasm_global {
    uint32_t index;  /* in the global index space (imports first) */
    uint8_t valtype; /* 0x7F i32, 0x7E i64, 0x7D f32, 0x7C f64 */
    uint64_t bits;   /* the value's bits (zero-extended) */
} wi_wasm_global;

/* Writes the module with the extra exports to *out and the mutable globals it exported to
 * *globals (malloc'd, *count entries; values zero). */
wi_status wi_wasm_export_globals(const uint8_t *wasm, size_t len, wi_wasm_buf *out,
                                 wi_wasm_global **globals, int *count, wi_error *err);

/* Writes the snapshot module of `wasm` (the output of wi_wasm_export_globals) to *out. */
wi_status wi_wasm_snapshot_module(const uint8_t *wasm, size_t len, const uint8_t *memory,
                                  size_t memory_len, const wi_wasm_global *globals, int count,
                                  wi_wasm_buf *out, wi_error *err);

#endif
