/* Protobuf wire-format reader (see protobuf.h). */
#include <string.h>
#include "formats/protobuf.h"

wi_pb_reader wi_pb_reader_make(const void *bytes, size_t len) {
    wi_pb_reader r;
    r.cur = wi_cursor_make(bytes, len);
    r.depth = 0;
    r.error = NULL;
    return r;
}

static bool fail(wi_pb_reader *r, const char *why) {
    if (!r->error) r->error = why;
    return false;
}

bool wi_pb_next(wi_pb_reader *r, wi_pb_field *f) {
    if (r->error) return false;
    if (wi_cursor_remaining(&r->cur) == 0) return false;
    uint64_t key;
    if (!wi_cursor_varint(&r->cur, &key)) return fail(r, "truncated or overlong field key");
    uint64_t number = key >> 3;
    if (number == 0 || number > 536870911u) return fail(r, "invalid field number");
    memset(f, 0, sizeof *f);
    f->number = (uint32_t)number;
    f->wire_type = (int)(key & 7);
    switch (f->wire_type) {
    case WI_PB_VARINT:
        if (!wi_cursor_varint(&r->cur, &f->value)) return fail(r, "truncated or overlong varint");
        return true;
    case WI_PB_FIXED64:
        if (!wi_cursor_fixed64(&r->cur, &f->value)) return fail(r, "truncated fixed64");
        return true;
    case WI_PB_FIXED32: {
        uint32_t v;
        if (!wi_cursor_fixed32(&r->cur, &v)) return fail(r, "truncated fixed32");
        f->value = v;
        return true;
    }
    case WI_PB_LEN: {
        uint64_t len;
        if (!wi_cursor_varint(&r->cur, &len)) return fail(r, "truncated length");
        if (len > wi_cursor_remaining(&r->cur)) return fail(r, "length exceeds the bytes left");
        if (!wi_cursor_take(&r->cur, (size_t)len, &f->data)) return fail(r, "truncated bytes");
        f->len = (size_t)len;
        return true;
    }
    default:
        /* groups (3, 4) are obsolete and never used by TensorFlow's messages */
        return fail(r, "unsupported wire type");
    }
}

bool wi_pb_sub(wi_pb_reader *parent, const wi_pb_field *f, wi_pb_reader *out) {
    if (f->wire_type != WI_PB_LEN) return fail(parent, "expected a length-delimited field");
    if (parent->depth + 1 > WI_PB_MAX_DEPTH) return fail(parent, "messages nested too deeply");
    *out = wi_pb_reader_make(f->data, f->len);
    out->depth = parent->depth + 1;
    return true;
}

bool wi_pb_packed_count(const wi_pb_field *f, int width, size_t *count) {
    if (f->wire_type != WI_PB_LEN) return false;
    if (width > 0) {
        if (f->len % (size_t)width) return false;
        *count = f->len / (size_t)width;
        return true;
    }
    wi_cursor c = wi_cursor_make(f->data, f->len);
    size_t n = 0;
    uint64_t v;
    while (wi_cursor_remaining(&c) > 0) {
        if (!wi_cursor_varint(&c, &v)) return false;
        n++;
    }
    *count = n;
    return true;
}

float wi_pb_float(uint32_t bits) {
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* Stores varint value k as the kind asks (nothing past `limit` or without `out`). */
static void store_int(void *out, wi_pb_value_kind kind, int64_t k, int64_t limit, uint64_t v) {
    if (!out || k >= limit) return;
    if (kind == WI_PB_AS_INT32) ((int32_t *)out)[k] = (int32_t)v;
    else ((int64_t *)out)[k] = wi_pb_int64(v);
}

bool wi_pb_repeated_values(const wi_pb_field *msg, uint32_t number, wi_pb_value_kind kind,
                           void *out, int64_t limit, int64_t *count) {
    wi_pb_reader r = wi_pb_reader_make(msg->data, msg->len);
    wi_pb_field f;
    int64_t k = 0;
    while (wi_pb_next(&r, &f)) {
        if (f.number != number) continue;
        if (kind == WI_PB_AS_FLOAT) {
            if (f.wire_type == WI_PB_FIXED32) {
                if (out && k < limit) ((float *)out)[k] = wi_pb_float((uint32_t)f.value);
                k++;
            } else if (f.wire_type == WI_PB_LEN && f.len % 4 == 0) {
                const int64_t n = (int64_t)(f.len / 4);
                if (out && k < limit) /* little-endian floats: every target we build is */
                    memcpy((float *)out + k, f.data, (size_t)(n < limit - k ? n : limit - k) * 4);
                k += n;
            } else {
                return false;
            }
        } else if (f.wire_type == WI_PB_VARINT) {
            store_int(out, kind, k++, limit, f.value);
        } else if (f.wire_type == WI_PB_LEN) {
            wi_cursor c = wi_cursor_make(f.data, f.len);
            uint64_t v;
            while (wi_cursor_remaining(&c) > 0) {
                if (!wi_cursor_varint(&c, &v)) return false;
                store_int(out, kind, k++, limit, v);
            }
        } else {
            return false;
        }
    }
    *count = k;
    return r.error == NULL;
}
