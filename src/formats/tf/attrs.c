/* NodeDef attribute access: find an AttrValue by key and read one member of its oneof. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "formats/tf/tf.h"

wi_status tf_fail(wi_error *err, const tf_node *n, wi_status st, const char *fmt, ...) {
    char prefix[WI_ERROR_MESSAGE_MAX];
    snprintf(prefix, sizeof prefix, "tf: node '%s': ", n->name);
    va_list ap;
    va_start(ap, fmt);
    wi_error_vset(err, st, prefix, fmt, ap);
    va_end(ap);
    return st;
}

static const tf_attr *find(const tf_node *n, const char *key) {
    size_t len = strlen(key);
    for (int i = 0; i < n->attr_count; i++)
        if (n->attrs[i].key_len == len && memcmp(n->attrs[i].key, key, len) == 0) return &n->attrs[i];
    return NULL;
}

/* The AttrValue field with number `number`, or fails when the attribute holds another kind. */
static wi_status member(const tf_node *n, const char *key, uint32_t number, int wire_type,
                        wi_pb_field *out, int *found, wi_error *err) {
    *found = 0;
    const tf_attr *a = find(n, key);
    if (!a) return WI_OK;
    wi_pb_reader r = wi_pb_reader_make(a->value.data, a->value.len);
    wi_pb_field f;
    int got = 0;
    while (wi_pb_next(&r, &f))
        if (f.number == number) {
            if (f.wire_type != wire_type) break;
            *out = f;
            got = 1;
        }
    if (r.error || !got) return tf_fail(err, n, WI_E_MALFORMED, "attribute '%s' is malformed or of the wrong kind", key);
    *found = 1;
    return WI_OK;
}

wi_status tf_attr_string(const tf_node *n, const char *key, char *out, size_t cap, int *found, wi_error *err) {
    wi_pb_field f;
    wi_status st = member(n, key, 2, WI_PB_LEN, &f, found, err);
    if (st != WI_OK || !*found) return st;
    if (f.len >= cap || memchr(f.data, 0, f.len))
        return tf_fail(err, n, WI_E_MALFORMED, "attribute '%s' is not a short string", key);
    memcpy(out, f.data, f.len);
    out[f.len] = '\0';
    return WI_OK;
}

wi_status tf_attr_int(const tf_node *n, const char *key, int64_t *out, int *found, wi_error *err) {
    wi_pb_field f;
    wi_status st = member(n, key, 3, WI_PB_VARINT, &f, found, err);
    if (st == WI_OK && *found) *out = wi_pb_int64(f.value);
    return st;
}

wi_status tf_attr_float(const tf_node *n, const char *key, float *out, int *found, wi_error *err) {
    wi_pb_field f;
    wi_status st = member(n, key, 4, WI_PB_FIXED32, &f, found, err);
    if (st == WI_OK && *found) *out = wi_pb_float((uint32_t)f.value);
    return st;
}

wi_status tf_attr_bool(const tf_node *n, const char *key, int *out, int *found, wi_error *err) {
    wi_pb_field f;
    wi_status st = member(n, key, 5, WI_PB_VARINT, &f, found, err);
    if (st == WI_OK && *found) *out = f.value != 0;
    return st;
}

wi_status tf_attr_type(const tf_node *n, const char *key, int *out, int *found, wi_error *err) {
    wi_pb_field f;
    wi_status st = member(n, key, 6, WI_PB_VARINT, &f, found, err);
    if (st == WI_OK && *found) *out = f.value > 1000 ? -1 : (int)f.value;
    return st;
}

wi_status tf_attr_int_list(const tf_node *n, const char *key, int64_t *out, int cap, int *count,
                           int *found, wi_error *err) {
    wi_pb_field list;
    *count = 0;
    wi_status st = member(n, key, 1, WI_PB_LEN, &list, found, err);
    if (st != WI_OK || !*found) return st;
    wi_pb_reader r = wi_pb_reader_make(list.data, list.len);
    wi_pb_field f;
    while (wi_pb_next(&r, &f)) {
        if (f.number != 3) continue;
        if (f.wire_type == WI_PB_VARINT) {
            if (*count >= cap) goto too_many;
            out[(*count)++] = wi_pb_int64(f.value);
        } else if (f.wire_type == WI_PB_LEN) { /* packed */
            wi_cursor c = wi_cursor_make(f.data, f.len);
            uint64_t v;
            while (wi_cursor_remaining(&c) > 0) {
                if (!wi_cursor_varint(&c, &v)) return tf_fail(err, n, WI_E_MALFORMED, "attribute '%s': bad packed list", key);
                if (*count >= cap) goto too_many;
                out[(*count)++] = wi_pb_int64(v);
            }
        } else {
            return tf_fail(err, n, WI_E_MALFORMED, "attribute '%s': bad list", key);
        }
    }
    if (r.error) return tf_fail(err, n, WI_E_MALFORMED, "attribute '%s': %s", key, r.error);
    return WI_OK;
too_many:
    return tf_fail(err, n, WI_E_UNSUPPORTED, "attribute '%s' has more than %d values", key, cap);
}

wi_status tf_attr_string_list(const tf_node *n, const char *key, char (*out)[TF_SHORT_STRING],
                              int cap, int *count, int *found, wi_error *err) {
    wi_pb_field list;
    *count = 0;
    wi_status st = member(n, key, 1, WI_PB_LEN, &list, found, err);
    if (st != WI_OK || !*found) return st;
    wi_pb_reader r = wi_pb_reader_make(list.data, list.len);
    wi_pb_field f;
    while (wi_pb_next(&r, &f)) {
        if (f.number != 2) continue;
        if (f.wire_type != WI_PB_LEN || f.len >= TF_SHORT_STRING || memchr(f.data, 0, f.len))
            return tf_fail(err, n, WI_E_MALFORMED, "attribute '%s' holds a long or binary string", key);
        if (*count >= cap)
            return tf_fail(err, n, WI_E_UNSUPPORTED, "attribute '%s' has more than %d values", key, cap);
        memcpy(out[*count], f.data, f.len);
        out[(*count)++][f.len] = '\0';
    }
    if (r.error) return tf_fail(err, n, WI_E_MALFORMED, "attribute '%s': %s", key, r.error);
    return WI_OK;
}

wi_status tf_attr_shape(const tf_node *n, const char *key, int64_t *dims, int *rank, int *found,
                        wi_error *err) {
    wi_pb_field shape;
    *rank = 0;
    wi_status st = member(n, key, 7, WI_PB_LEN, &shape, found, err);
    if (st != WI_OK || !*found) return st;
    wi_pb_reader r = wi_pb_reader_make(shape.data, shape.len), d;
    wi_pb_field f, g;
    while (wi_pb_next(&r, &f)) {
        if (f.number == 3 && f.wire_type == WI_PB_VARINT && f.value) {
            *rank = -1;
            return WI_OK;
        }
        if (f.number != 2) continue;
        if (!wi_pb_sub(&r, &f, &d)) break;
        if (*rank >= WI_MAX_RANK)
            return tf_fail(err, n, WI_E_LIMIT, "attribute '%s': rank above %d", key, WI_MAX_RANK);
        int64_t size = 0;
        while (wi_pb_next(&d, &g))
            if (g.number == 1 && g.wire_type == WI_PB_VARINT) size = wi_pb_int64(g.value);
        if (d.error) return tf_fail(err, n, WI_E_MALFORMED, "attribute '%s': %s", key, d.error);
        if (size < -1) return tf_fail(err, n, WI_E_MALFORMED, "attribute '%s': dimension %lld", key, (long long)size);
        dims[(*rank)++] = size;
    }
    if (r.error) return tf_fail(err, n, WI_E_MALFORMED, "attribute '%s': %s", key, r.error);
    return WI_OK;
}

wi_status tf_attr_tensor(const tf_node *n, const char *key, wi_pb_field *out, int *found, wi_error *err) {
    return member(n, key, 8, WI_PB_LEN, out, found, err);
}
