/*
 * alloc / dealloc, and the table of live blocks behind them.
 *
 * The table (start -> size) is what lets the module stay safe against its hosts:
 *  - infer_from_ptrs clamps an overstated image length to the size of the block the image was
 *    copied into (the original host passed the model's length there), and frees only pointers
 *    that really came from alloc, never a stray offset;
 *  - output buffers must lie inside a live block, so the module never writes over its own heap;
 *  - dealloc of an unknown pointer, or twice, is an error instead of heap corruption.
 * Live blocks are few (a model, an image, an output buffer), so a linear table is enough.
 */
#include <stdlib.h>
#include "wasm/abi.h"

typedef struct wi_abi_block {
    uint32_t start, size;
} wi_abi_block;

static wi_abi_block *g_blocks;
static size_t g_block_count, g_block_capacity;

uint64_t wi_abi_memory_bytes(void) { return (uint64_t)__builtin_wasm_memory_size(0) * 65536u; }

int wi_abi_span_ok(uint32_t ptr, uint32_t len) {
    return ptr != 0 && len != 0 && (uint64_t)ptr + len <= wi_abi_memory_bytes();
}

static long find_block_containing(uint32_t ptr) {
    for (size_t i = 0; i < g_block_count; i++) {
        if (ptr >= g_blocks[i].start && ptr - g_blocks[i].start < g_blocks[i].size) return (long)i;
    }
    return -1;
}

uint32_t wi_abi_block_bytes_from(uint32_t ptr) {
    long i = find_block_containing(ptr);
    return i < 0 ? 0 : g_blocks[i].start + g_blocks[i].size - ptr;
}

int wi_abi_release(uint32_t ptr) {
    long i = find_block_containing(ptr);
    if (i < 0 || g_blocks[i].start != ptr) return 0;
    free((void *)(uintptr_t)ptr);
    g_blocks[i] = g_blocks[--g_block_count];
    return 1;
}

int wi_abi_check_input(const char *what, uint32_t ptr, uint32_t len) {
    if (ptr == 0) return wi_abi_fail("%s: null pointer", what);
    if (len == 0) return wi_abi_fail("%s: zero length", what);
    if (!wi_abi_span_ok(ptr, len)) {
        return wi_abi_fail("%s: [%u, +%u) is outside linear memory (%llu bytes)", what,
                           (unsigned)ptr, (unsigned)len, (unsigned long long)wi_abi_memory_bytes());
    }
    return 0;
}

int wi_abi_check_output(const char *what, uint32_t ptr, uint64_t len) {
    if (ptr == 0) return wi_abi_fail("%s: null pointer", what);
    uint64_t room = wi_abi_block_bytes_from(ptr);
    if (room == 0) return wi_abi_fail("%s: %u is not inside a block from alloc()", what, (unsigned)ptr);
    if (len > room) {
        return wi_abi_fail("%s: needs %llu bytes but its block has %llu from %u", what,
                           (unsigned long long)len, (unsigned long long)room, (unsigned)ptr);
    }
    return 0;
}

/* alloc and dealloc never clear last_error(): a host may free its buffers after a failed call
 * and still read why it failed. */

/* Returns a new block of `len` bytes (> 0), or 0 with an error when len is 0 or memory is
 * exhausted. The caller owns it: dealloc() it, or hand it to infer_from_ptrs, which frees it. */
WI_ABI_EXPORT("alloc") uint32_t wi_wasm_alloc(uint32_t len) {
    if (len == 0 || len > INT32_MAX) {
        wi_abi_fail("alloc: length %u is not in [1, 2^31)", (unsigned)len);
        return 0;
    }
    if (g_block_count == g_block_capacity) {
        size_t capacity = g_block_capacity ? g_block_capacity * 2 : 64;
        wi_abi_block *grown = realloc(g_blocks, capacity * sizeof *grown);
        if (!grown) {
            wi_abi_fail_code(WI_E_OUT_OF_MEMORY, "alloc: out of memory for the block table");
            return 0;
        }
        g_blocks = grown;
        g_block_capacity = capacity;
    }
    void *p = malloc(len);
    if (!p) {
        wi_abi_fail_code(WI_E_OUT_OF_MEMORY, "alloc: out of memory for %u bytes", (unsigned)len);
        return 0;
    }
    g_blocks[g_block_count++] = (wi_abi_block){(uint32_t)(uintptr_t)p, len};
    return (uint32_t)(uintptr_t)p;
}

/* Frees a block from alloc(). `len` is accepted for the original ABI's sake and not trusted:
 * the table knows the size. A `ptr` that is not a live block frees nothing and leaves an error
 * in last_error() (no return value: the signature is the conventional (i32, i32) -> ()). */
WI_ABI_EXPORT("dealloc") void wi_wasm_dealloc(uint32_t ptr, uint32_t len) {
    if (!wi_abi_release(ptr)) wi_abi_fail("dealloc: %u is not a live block from alloc()", (unsigned)ptr);
}
