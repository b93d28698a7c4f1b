/* NodeProto parsing and AttributeProto access. A node's strings point into the model's
 * bytes, which live for the whole load; only its name and op are copied. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "formats/onnx/onnx.h"

enum { ATTR_FLOAT = 1, ATTR_INT = 2, ATTR_STRING = 3, ATTR_TENSOR = 4, ATTR_FLOATS = 6, ATTR_INTS = 7 };

wi_status onnx_fail(wi_error *err, const onnx_node *n, wi_status st, const char *fmt, ...) {
    char prefix[WI_ERROR_MESSAGE_MAX];
    snprintf(prefix, sizeof prefix, "onnx: node '%s': ", n->name);
    va_list ap;
    va_start(ap, fmt);
    wi_error_vset(err, st, prefix, fmt, ap);
    va_end(ap);
    return st;
}

static char *copy_text(const uint8_t *p, size_t n) {
    if (n > 4096 || memchr(p, 0, n)) return NULL;
    char *s = malloc(n + 1);
    if (!s) return NULL;
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

void onnx_node_free(onnx_node *n) {
    free(n->name);
    free(n->op);
    free(n->inputs);
    free(n->outputs);
    free(n->attrs);
    memset(n, 0, sizeof *n);
}

wi_status onnx_parse_node(const wi_pb_field *msg, int index, onnx_node *n, wi_error *err) {
    memset(n, 0, sizeof *n);
    wi_pb_reader r = wi_pb_reader_make(msg->data, msg->len);
    wi_pb_field f, name = {0}, op = {0};
    int inputs = 0, outputs = 0, attrs = 0, have_op = 0;
    while (wi_pb_next(&r, &f)) {
        if (f.wire_type != WI_PB_LEN) continue;
        if (f.number == 1) inputs++;
        else if (f.number == 2) outputs++;
        else if (f.number == 3) name = f;
        else if (f.number == 4) op = f, have_op = 1;
        else if (f.number == 5) attrs++;
    }
    if (r.error) return wi_error_set(err, WI_E_MALFORMED, "onnx: node #%d: %s", index, r.error);
    if (!have_op || op.len == 0) return wi_error_set(err, WI_E_MALFORMED, "onnx: node #%d has no op_type", index);
    if (inputs > ONNX_MAX_IO || outputs > ONNX_MAX_IO)
        return wi_error_set(err, WI_E_LIMIT, "onnx: node #%d has more than %d inputs or outputs", index, ONNX_MAX_IO);
    if (outputs == 0) return wi_error_set(err, WI_E_MALFORMED, "onnx: node #%d has no output", index);
    if (name.len > 0) {
        n->name = copy_text(name.data, name.len);
    } else { /* names are optional in ONNX: use the position */
        char buf[32];
        snprintf(buf, sizeof buf, "#%d", index);
        n->name = copy_text((const uint8_t *)buf, strlen(buf));
    }
    n->op = copy_text(op.data, op.len);
    n->inputs = calloc((size_t)inputs + 1, sizeof(onnx_str));
    n->outputs = calloc((size_t)outputs + 1, sizeof(onnx_str));
    n->attrs = calloc((size_t)attrs + 1, sizeof(wi_pb_field));
    if (!n->name || !n->op)
        return wi_error_set(err, WI_E_MALFORMED, "onnx: node #%d: overlong or binary name or op_type", index);
    if (!n->inputs || !n->outputs || !n->attrs)
        return wi_error_set(err, WI_E_OUT_OF_MEMORY, "onnx: out of memory");
    r = wi_pb_reader_make(msg->data, msg->len);
    while (wi_pb_next(&r, &f)) {
        if (f.wire_type != WI_PB_LEN) continue;
        if (f.number == 1 || f.number == 2) {
            if (f.len > 4096 || memchr(f.data, 0, f.len))
                return onnx_fail(err, n, WI_E_MALFORMED, "overlong or binary tensor name");
            onnx_str s = {(const char *)f.data, f.len};
            if (f.number == 1) n->inputs[n->input_count++] = s;
            else n->outputs[n->output_count++] = s;
        } else if (f.number == 5) {
            n->attrs[n->attr_count++] = f;
        } else if (f.number == 7 && f.len > 0 && !(f.len == 7 && memcmp(f.data, "ai.onnx", 7) == 0)) {
            return onnx_fail(err, n, WI_E_UNSUPPORTED, "unsupported op '%.*s.%s' (only the default domain runs)",
                             (int)(f.len > 100 ? 100 : f.len), (const char *)f.data, n->op);
        }
    }
    if (n->outputs[0].len == 0) return onnx_fail(err, n, WI_E_MALFORMED, "first output has no name");
    return WI_OK;
}

/* Finds attribute `name`; fills *type (0 when absent from the message) and the reader over it. */
static wi_status find(const onnx_node *n, const char *name, int64_t *type, wi_pb_field *value,
                      uint32_t want_field, int *found, wi_error *err) {
    *found = 0;
    size_t len = strlen(name);
    for (int i = 0; i < n->attr_count; i++) {
        wi_pb_reader r = wi_pb_reader_make(n->attrs[i].data, n->attrs[i].len);
        wi_pb_field f, nm = {0};
        int have_name = 0, have_value = 0;
        *type = 0;
        while (wi_pb_next(&r, &f)) {
            if (f.number == 1 && f.wire_type == WI_PB_LEN) nm = f, have_name = 1;
            else if (f.number == 20 && f.wire_type == WI_PB_VARINT) *type = (int64_t)f.value;
        }
        if (r.error) return onnx_fail(err, n, WI_E_MALFORMED, "attribute #%d: %s", i, r.error);
        if (!have_name || nm.len != len || memcmp(nm.data, name, len) != 0) continue;
        /* the value field; repeated numeric fields may come packed or one by one, the
         * caller walks them, so only the first occurrence is returned here */
        r = wi_pb_reader_make(n->attrs[i].data, n->attrs[i].len);
        while (wi_pb_next(&r, &f))
            if (f.number == want_field && !have_value) *value = f, have_value = 1;
        *value = have_value ? *value : (wi_pb_field){0};
        *found = 1;
        if (!have_value && want_field != 7 && want_field != 8)
            return onnx_fail(err, n, WI_E_MALFORMED, "attribute '%s' has no value of the expected kind", name);
        return WI_OK;
    }
    return WI_OK;
}

static wi_status check_type(const onnx_node *n, const char *name, int64_t type, int64_t want,
                            wi_error *err) {
    if (type != 0 && type != want)
        return onnx_fail(err, n, WI_E_MALFORMED, "attribute '%s' has type %lld, expected %lld", name,
                         (long long)type, (long long)want);
    return WI_OK;
}

wi_status onnx_attr_int(const onnx_node *n, const char *name, int64_t *out, int *found, wi_error *err) {
    int64_t type;
    wi_pb_field v;
    wi_status st = find(n, name, &type, &v, 3, found, err);
    if (st != WI_OK || !*found) return st;
    if ((st = check_type(n, name, type, ATTR_INT, err)) != WI_OK) return st;
    if (v.wire_type != WI_PB_VARINT) return onnx_fail(err, n, WI_E_MALFORMED, "attribute '%s' is malformed", name);
    *out = wi_pb_int64(v.value);
    return WI_OK;
}

wi_status onnx_attr_float(const onnx_node *n, const char *name, float *out, int *found, wi_error *err) {
    int64_t type;
    wi_pb_field v;
    wi_status st = find(n, name, &type, &v, 2, found, err);
    if (st != WI_OK || !*found) return st;
    if ((st = check_type(n, name, type, ATTR_FLOAT, err)) != WI_OK) return st;
    if (v.wire_type != WI_PB_FIXED32) return onnx_fail(err, n, WI_E_MALFORMED, "attribute '%s' is malformed", name);
    *out = wi_pb_float((uint32_t)v.value);
    return WI_OK;
}

wi_status onnx_attr_string(const onnx_node *n, const char *name, char *out, size_t cap, int *found,
                           wi_error *err) {
    int64_t type;
    wi_pb_field v;
    wi_status st = find(n, name, &type, &v, 4, found, err);
    if (st != WI_OK || !*found) return st;
    if ((st = check_type(n, name, type, ATTR_STRING, err)) != WI_OK) return st;
    if (v.wire_type != WI_PB_LEN || v.len >= cap || memchr(v.data, 0, v.len))
        return onnx_fail(err, n, WI_E_MALFORMED, "attribute '%s' is malformed or too long", name);
    memcpy(out, v.data, v.len);
    out[v.len] = '\0';
    return WI_OK;
}

wi_status onnx_attr_tensor(const onnx_node *n, const char *name, wi_pb_field *out, int *found,
                           wi_error *err) {
    int64_t type;
    wi_status st = find(n, name, &type, out, 5, found, err);
    if (st != WI_OK || !*found) return st;
    if ((st = check_type(n, name, type, ATTR_TENSOR, err)) != WI_OK) return st;
    if (out->wire_type != WI_PB_LEN) return onnx_fail(err, n, WI_E_MALFORMED, "attribute '%s' is malformed", name);
    return WI_OK;
}

wi_status onnx_attr_ints(const onnx_node *n, const char *name, int64_t *out, int cap, int *count,
                         int *found, wi_error *err) {
    int64_t type;
    wi_pb_field v;
    *count = 0;
    wi_status st = find(n, name, &type, &v, 8, found, err);
    if (st != WI_OK || !*found) return st;
    if ((st = check_type(n, name, type, ATTR_INTS, err)) != WI_OK) return st;
    for (int i = 0; i < n->attr_count; i++) { /* the matching attribute again, all its ints */
        wi_pb_reader r = wi_pb_reader_make(n->attrs[i].data, n->attrs[i].len);
        wi_pb_field f;
        int k = 0, mine = 0;
        int64_t vals[WI_MAX_RANK * 2 + 2];
        while (wi_pb_next(&r, &f)) {
            if (f.number == 1 && f.wire_type == WI_PB_LEN)
                mine = f.len == strlen(name) && memcmp(f.data, name, f.len) == 0;
            if (f.number != 8) continue;
            if (f.wire_type == WI_PB_VARINT) {
                if (k >= cap || k >= (int)(sizeof vals / sizeof vals[0])) { k = -1; break; }
                vals[k++] = wi_pb_int64(f.value);
            } else if (f.wire_type == WI_PB_LEN) {
                wi_cursor c = wi_cursor_make(f.data, f.len);
                uint64_t x;
                while (k >= 0 && wi_cursor_remaining(&c) > 0) {
                    if (!wi_cursor_varint(&c, &x) || k >= cap || k >= (int)(sizeof vals / sizeof vals[0]))
                        k = -1;
                    else
                        vals[k++] = wi_pb_int64(x);
                }
                if (k < 0) break;
            }
        }
        if (!mine) continue;
        if (r.error || k < 0)
            return onnx_fail(err, n, WI_E_MALFORMED, "attribute '%s' is malformed or has more than %d values",
                             name, cap);
        for (int j = 0; j < k; j++) out[j] = vals[j];
        *count = k;
        return WI_OK;
    }
    return WI_OK;
}
