/*
 * abi.h - shared internals of the exported wasm ABI (docs/wasm-abi.md is the manual).
 *
 * The host hands the module raw 32-bit offsets into linear memory. Nothing the host passes may
 * trap the module: every offset/length pair is checked against the current memory size before
 * it is touched, and every failure becomes a return value of -1 (or 0 for handles) plus a
 * message readable through last_error(). The module is single-threaded (wasi-libc has no
 * threads), so the tables below are plain globals.
 */
#ifndef WI_WASM_ABI_H
#define WI_WASM_ABI_H

#include <stddef.h>
#include <stdint.h>
#include "wasinfer.h"

#define WI_ABI_EXPORT(name) __attribute__((export_name(name)))

/* ---- errors (abi-error.c) ---- */
void wi_abi_clear_error(void);
/* Records "<printf message>" as the last error, with status WI_E_INVALID_ARGUMENT (the host
 * passed something wrong), and returns -1, for `return wi_abi_fail(...)`. */
int wi_abi_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same with another status. */
int wi_abi_fail_code(wi_status status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Records "<what>: <err->message>" (or the status name when the message is empty). */
int wi_abi_fail_status(const char *what, wi_status status, const wi_error *err);

/* ---- memory (abi-memory.c) ---- */
/* Bytes of linear memory right now. */
uint64_t wi_abi_memory_bytes(void);
/* Non-zero when [ptr, ptr+len) is inside linear memory, ptr != 0 and len > 0. */
int wi_abi_span_ok(uint32_t ptr, uint32_t len);
/* Bytes from `ptr` to the end of the live alloc() block containing it; 0 if none does. */
uint32_t wi_abi_block_bytes_from(uint32_t ptr);
/* Frees `ptr` if it is the start of a live alloc() block; returns non-zero if it was. */
int wi_abi_release(uint32_t ptr);
/* Checks a span the host wants read (`what` names it in the message); returns 0 or -1. */
int wi_abi_check_input(const char *what, uint32_t ptr, uint32_t len);
/* Checks a span the module will write: it must lie inside one live alloc() block, so a host
 * bug can never make the module overwrite its own heap. Returns 0 or -1. */
int wi_abi_check_output(const char *what, uint32_t ptr, uint64_t len);

/* ---- models behind handles (abi-handles.c) ---- */
typedef struct wi_abi_model {
    wi_model *model;
    wi_session *session;
} wi_abi_model;

/* Loads a model from bytes (copied) into a new handle (> 0); 0 and an error on failure. */
int32_t wi_abi_model_open(const void *bytes, size_t len);
void wi_abi_model_close(int32_t handle);
/* The model behind a live handle, or NULL with an error recorded. */
wi_abi_model *wi_abi_model_get(int32_t handle);
/* Classifies with the model's session into `out` (capacity entries); returns the count or -1. */
int wi_abi_classify_into(wi_abi_model *m, const void *image, size_t image_len,
                         const wi_classify_options *options, wi_class_score *out, int capacity);

/* ---- hashing (abi-legacy.c) ---- */
uint64_t wi_abi_hash64(const void *bytes, size_t len);

#endif
