/*
 * The handle ABI from the host side: model_load and classify, with every copy between host
 * and guest bounds-checked (wi_guest_write / wi_guest_read) and every guest block released.
 * After WI_E_TRAP or WI_E_TIMEOUT nothing more is called in the guest: its state is undefined.
 */
#include <stdio.h>
#include <string.h>
#include "hosts/wasmhost/engine-internal.h"

static int guest_unusable(wi_status st) { return st == WI_E_TRAP || st == WI_E_TIMEOUT; }

/* The guest's reason for a refusal: its last_status export when it has one, else `fallback`;
 * but a guest that ran out of its capped memory (its malloc failed because the store limiter
 * refused memory.grow) is WI_E_LIMIT: the request needs more than the host allows. */
static wi_status refusal(wi_guest *g, wi_status fallback, const char *what, wi_error *err) {
    int32_t code = 0;
    wi_status status = fallback;
    if (wi_guest_call(g, WI_GX_LAST_STATUS, NULL, 0, &code, NULL) == WI_OK &&
        code > WI_OK && code <= WI_E_TRAP) {
        status = (wi_status)code;
    }
    wi_guest_fail(g, status, what, err);
    if (g->max_memory && err && strstr(err->message, "out of memory")) {
        size_t n = strlen(err->message);
        snprintf(err->message + n, sizeof err->message - n, " (wasm memory cap %zu bytes)", g->max_memory);
        err->status = status = WI_E_LIMIT;
    }
    return status;
}

wi_status wi_guest_model_load(wi_guest *g, const void *bytes, size_t len, int32_t *handle,
                              wi_error *err) {
    *handle = 0;
    uint32_t ptr = 0;
    wi_status st = wi_guest_put(g, bytes, len, &ptr, err);
    if (st != WI_OK) return st;
    int32_t args[2] = {(int32_t)ptr, (int32_t)len};
    st = wi_guest_call(g, WI_GX_MODEL_LOAD, args, 2, handle, err);
    if (guest_unusable(st)) return st;
    if (st == WI_OK && *handle == 0) st = refusal(g, WI_E_MALFORMED, "wasm model_load", err);
    wi_guest_dealloc(g, ptr, len); /* model_load copied what it keeps */
    return st;
}

wi_status wi_guest_classify(wi_guest *g, int32_t handle, const void *image, size_t image_len,
                            const wi_classify_options *options, wi_class_score *out,
                            int capacity, int *out_count, wi_error *err) {
    *out_count = 0;
    if (capacity <= 0 || options->top_k <= 0) {
        return wi_host_error(err, WI_E_INVALID_ARGUMENT, "wasm classify: top_k and capacity must be > 0");
    }
    int want = options->top_k < capacity ? options->top_k : capacity;
    size_t out_bytes = (size_t)want * 8; /* pairs {i32 index, f32 prob} */
    uint32_t img_ptr = 0, out_ptr = 0;
    wi_status st = wi_guest_put(g, image, image_len, &img_ptr, err);
    if (st != WI_OK) return st;
    st = wi_guest_alloc(g, out_bytes, &out_ptr, err);
    if (guest_unusable(st)) return st;
    if (st != WI_OK) {
        wi_guest_dealloc(g, img_ptr, image_len);
        return st;
    }
    int32_t args[8] = {handle, (int32_t)img_ptr, (int32_t)image_len, want,
                       (int32_t)options->preprocess.range, (int32_t)options->preprocess.filter,
                       (int32_t)out_ptr, want};
    int32_t count = 0;
    st = wi_guest_call(g, WI_GX_CLASSIFY, args, 8, &count, err);
    if (guest_unusable(st)) return st;
    if (st == WI_OK && count < 0) st = refusal(g, WI_E_MALFORMED, "wasm classify", err);
    if (st == WI_OK && count > want) {
        st = wi_host_error(err, WI_E_INTERNAL, "wasm classify: guest returned %d classes for %d slots",
                           (int)count, want);
    }
    uint8_t pairs[8 * 64];
    for (int done = 0; st == WI_OK && done < count;) {
        int n = count - done < 64 ? count - done : 64;
        st = wi_guest_read(g, out_ptr + 8u * (uint32_t)done, pairs, (size_t)n * 8, err);
        for (int i = 0; st == WI_OK && i < n; i++) {
            int32_t index;
            memcpy(&index, pairs + 8 * i, 4);
            memcpy(&out[done + i].prob, pairs + 8 * i + 4, 4);
            out[done + i].index = index;
        }
        done += n;
    }
    wi_guest_dealloc(g, img_ptr, image_len);
    wi_guest_dealloc(g, out_ptr, out_bytes);
    if (st == WI_OK) *out_count = count;
    return st;
}

/* The guest writes: +0 i32 dtype, +4 i32 rank, +8 i32 dims[8], +40 i32 name_len, +44 name. */
wi_status wi_guest_tensor_info(wi_guest *g, int32_t handle, int output, int index,
                               wi_tensor_info *info, char *name, size_t cap, wi_error *err) {
    enum { HEADER = 44, ROOM = HEADER + 256 };
    memset(info, 0, sizeof *info);
    uint32_t ptr = 0;
    wi_status st = wi_guest_alloc(g, ROOM, &ptr, err);
    if (st != WI_OK) return st;
    int32_t args[4] = {handle, index, (int32_t)ptr, ROOM}, written = 0;
    st = wi_guest_call(g, output ? WI_GX_MODEL_OUTPUT_INFO : WI_GX_MODEL_INPUT_INFO, args, 4,
                       &written, err);
    if (guest_unusable(st)) return st;
    if (st == WI_OK && written < 0) st = refusal(g, WI_E_NOT_FOUND, "wasm model info", err);
    uint8_t buf[ROOM];
    if (st == WI_OK) st = wi_guest_read(g, ptr, buf, ROOM, err);
    wi_guest_dealloc(g, ptr, ROOM);
    if (st != WI_OK) return st;
    int32_t header[HEADER / 4];
    memcpy(header, buf, HEADER);
    if (header[1] < 0 || header[1] > WI_MAX_RANK || header[10] < 0 || header[10] > ROOM - HEADER - 1) {
        return wi_host_error(err, WI_E_INTERNAL, "wasm model info: malformed answer from the guest");
    }
    info->dtype = (wi_dtype)header[0];
    info->rank = header[1];
    for (int i = 0; i < info->rank; i++) info->dims[i] = header[2 + i];
    size_t n = (size_t)header[10] < cap - 1 ? (size_t)header[10] : cap - 1;
    memcpy(name, buf + HEADER, n);
    name[n] = '\0';
    info->name = name;
    return WI_OK;
}
