/* JSON AttrValue -> AttrValue protobuf bytes, so that formats/tf reads TF.js attributes with
 * the very code that reads a .pb's. The JSON form (proto3 mapping, as tensorflowjs_converter
 * writes it):
 *   {"s": base64}  {"i": "int64"}  {"f": number}  {"b": bool}  {"type": "DT_FLOAT"}
 *   {"shape": {"dim": [{"size": "-1"}], "unknownRank": bool}}
 *   {"list": {"s": [...], "i": [...], "f": [...], "b": [...], "type": [...], "shape": [...]}}
 *   {"tensor": {...}}  (Const values: read from the manifest instead, so not encoded)
 * Field numbers are those in tf.h. An attribute of the wrong JSON type fails the load. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "formats/tfjs/tfjs-internal.h"

typedef struct pb_out {
    uint8_t *data;
    size_t len, cap;
    int oom;
} pb_out;

static void put(pb_out *o, const void *bytes, size_t n) {
    if (o->oom) return;
    if (n > o->cap - o->len) {
        size_t cap = o->cap ? o->cap : 64;
        while (cap - o->len < n) {
            if (cap > SIZE_MAX / 2) {
                o->oom = 1;
                return;
            }
            cap *= 2;
        }
        uint8_t *grown = realloc(o->data, cap);
        if (!grown) {
            o->oom = 1;
            return;
        }
        o->data = grown;
        o->cap = cap;
    }
    memcpy(o->data + o->len, bytes, n);
    o->len += n;
}

static void put_varint(pb_out *o, uint64_t v) {
    uint8_t b[10];
    size_t n = 0;
    do {
        b[n] = (uint8_t)(v & 0x7F);
        v >>= 7;
        if (v) b[n] |= 0x80;
        n++;
    } while (v);
    put(o, b, n);
}

static void put_tag(pb_out *o, uint32_t field, int wire) { put_varint(o, (uint64_t)field << 3 | (unsigned)wire); }

static void put_message(pb_out *o, uint32_t field, const pb_out *sub) {
    put_tag(o, field, WI_PB_LEN);
    put_varint(o, sub->len);
    if (sub->len) put(o, sub->data, sub->len);
    if (sub->oom) o->oom = 1;
}

static void put_fixed32(pb_out *o, uint32_t field, float f) {
    uint32_t bits;
    memcpy(&bits, &f, 4);
    uint8_t b[4] = {(uint8_t)bits, (uint8_t)(bits >> 8), (uint8_t)(bits >> 16), (uint8_t)(bits >> 24)};
    put_tag(o, field, WI_PB_FIXED32);
    put(o, b, 4);
}

typedef struct enc {
    const tf_node *n;
    const char *key;
    wi_error *err;
} enc;

static wi_status bad(const enc *e, const char *what) {
    return tf_fail(e->err, e->n, WI_E_MALFORMED, "attribute '%s': %s", e->key, what);
}

static int base64_digit(unsigned char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62; /* standard and URL-safe alphabets */
    if (c == '/' || c == '_') return 63;
    return -1;
}

/* Decodes base64 (padding optional) as field `field`'s bytes. */
static wi_status put_base64(const enc *e, pb_out *o, uint32_t field, const wi_json_value *v) {
    if (!wi_json_is(v, WI_JSON_STRING)) return bad(e, "a string value must be base64 text");
    size_t n = v->len;
    while (n > 0 && v->str[n - 1] == '=') n--;
    if (n % 4 == 1 || v->len - n > 2) return bad(e, "bad base64 length");
    uint8_t *bytes = malloc(n / 4 * 3 + 3);
    if (!bytes) return tf_fail(e->err, e->n, WI_E_OUT_OF_MEMORY, "out of memory");
    size_t out = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int d = base64_digit((unsigned char)v->str[i]);
        if (d < 0) {
            free(bytes);
            return bad(e, "bad base64 character");
        }
        acc = acc << 6 | (uint32_t)d;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            bytes[out++] = (uint8_t)(acc >> bits);
        }
    }
    put_tag(o, field, WI_PB_LEN);
    put_varint(o, out);
    if (out) put(o, bytes, out);
    free(bytes);
    return WI_OK;
}

static wi_status put_int(const enc *e, pb_out *o, uint32_t field, const wi_json_value *v) {
    int64_t i;
    if (wi_json_int64(v, &i) != 0) return bad(e, "an int value must be an integer or a decimal string");
    put_tag(o, field, WI_PB_VARINT);
    put_varint(o, (uint64_t)i);
    return WI_OK;
}

static wi_status put_float(const enc *e, pb_out *o, uint32_t field, const wi_json_value *v) {
    float f;
    if (wi_json_is(v, WI_JSON_NUMBER)) f = (float)v->number;
    else if (wi_json_is(v, WI_JSON_STRING) && strcmp(v->str, "NaN") == 0) f = NAN;
    else if (wi_json_is(v, WI_JSON_STRING) && strcmp(v->str, "Infinity") == 0) f = INFINITY;
    else if (wi_json_is(v, WI_JSON_STRING) && strcmp(v->str, "-Infinity") == 0) f = -INFINITY;
    else return bad(e, "a float value must be a number");
    put_fixed32(o, field, f);
    return WI_OK;
}

static wi_status put_bool(const enc *e, pb_out *o, uint32_t field, const wi_json_value *v) {
    if (!wi_json_is(v, WI_JSON_TRUE) && !wi_json_is(v, WI_JSON_FALSE)) return bad(e, "a bool value must be true or false");
    put_tag(o, field, WI_PB_VARINT);
    put_varint(o, v->type == WI_JSON_TRUE);
    return WI_OK;
}

/* DataType enum values (tensorflow/core/framework/types.proto). */
static int dtype_number(const char *name) {
    static const struct { const char *name; int value; } k[] = {
        {"DT_INVALID", 0}, {"DT_FLOAT", 1}, {"DT_DOUBLE", 2}, {"DT_INT32", 3}, {"DT_UINT8", 4},
        {"DT_INT16", 5}, {"DT_INT8", 6}, {"DT_STRING", 7}, {"DT_COMPLEX64", 8}, {"DT_INT64", 9},
        {"DT_BOOL", 10}, {"DT_QINT8", 11}, {"DT_QUINT8", 12}, {"DT_QINT32", 13}, {"DT_BFLOAT16", 14},
        {"DT_HALF", 19}, {"DT_UINT32", 22}, {"DT_UINT64", 23}};
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
        if (strcmp(k[i].name, name) == 0) return k[i].value;
    return 0; /* unknown: DT_INVALID, which any op reading it refuses by number */
}

static wi_status put_type(const enc *e, pb_out *o, uint32_t field, const wi_json_value *v) {
    int64_t number;
    if (wi_json_is(v, WI_JSON_STRING) && strncmp(v->str, "DT_", 3) == 0) number = dtype_number(v->str);
    else if (wi_json_int64(v, &number) != 0 || number < 0 || number > 1000)
        return bad(e, "a type value must be a DT_ name");
    put_tag(o, field, WI_PB_VARINT);
    put_varint(o, (uint64_t)number);
    return WI_OK;
}

/* TensorShapeProto: dim=2 {size=1}, unknown_rank=3. */
static wi_status put_shape(const enc *e, pb_out *o, uint32_t field, const wi_json_value *v) {
    if (!wi_json_is(v, WI_JSON_OBJECT)) return bad(e, "a shape must be an object");
    pb_out shape = {0}, dim = {0};
    wi_status st = WI_OK;
    const wi_json_value *dims = wi_json_get(v, "dim"), *unknown = wi_json_get(v, "unknownRank");
    if (dims && !wi_json_is(dims, WI_JSON_ARRAY)) st = bad(e, "shape 'dim' must be an array");
    for (const wi_json_value *d = wi_json_first(dims); st == WI_OK && d; d = wi_json_next(dims, d)) {
        const wi_json_value *size = wi_json_get(d, "size");
        int64_t s = 0;
        if (!wi_json_is(d, WI_JSON_OBJECT) || (size && wi_json_int64(size, &s) != 0)) {
            st = bad(e, "a shape dim must be {\"size\": integer}");
            break;
        }
        dim.len = 0;
        if (size) {
            put_tag(&dim, 1, WI_PB_VARINT);
            put_varint(&dim, (uint64_t)s);
        }
        put_message(&shape, 2, &dim);
    }
    if (st == WI_OK && wi_json_is(unknown, WI_JSON_TRUE)) {
        put_tag(&shape, 3, WI_PB_VARINT);
        put_varint(&shape, 1);
    }
    if (st == WI_OK) put_message(o, field, &shape);
    free(shape.data);
    free(dim.data);
    return st;
}

typedef wi_status (*put_fn)(const enc *e, pb_out *o, uint32_t field, const wi_json_value *v);

static const struct member_kind {
    const char *key;
    uint32_t field;
    put_fn put;
} k_members[] = {{"s", 2, put_base64}, {"i", 3, put_int},   {"f", 4, put_float},
                 {"b", 5, put_bool},   {"type", 6, put_type}, {"shape", 7, put_shape}};

/* ListValue: the same members as repeated fields (s=2 ... shape=7), one array each. */
static wi_status put_list(const enc *e, pb_out *o, const wi_json_value *v) {
    if (!wi_json_is(v, WI_JSON_OBJECT)) return bad(e, "a list must be an object");
    pb_out list = {0};
    wi_status st = WI_OK;
    for (const wi_json_value *m = wi_json_first(v); st == WI_OK && m; m = wi_json_next(v, m)) {
        for (size_t k = 0; k < sizeof k_members / sizeof k_members[0]; k++) {
            if (strcmp(m->key, k_members[k].key) != 0) continue;
            if (!wi_json_is(m, WI_JSON_ARRAY)) {
                st = bad(e, "list members must be arrays");
                break;
            }
            for (const wi_json_value *x = wi_json_first(m); st == WI_OK && x; x = wi_json_next(m, x))
                st = k_members[k].put(e, &list, k_members[k].field, x);
        }
    }
    if (st == WI_OK) put_message(o, 1, &list);
    free(list.data);
    return st;
}

/* One AttrValue: the first member of a known kind (the JSON form of a oneof). */
static wi_status encode_value(const enc *e, pb_out *o, const wi_json_value *v) {
    if (!wi_json_is(v, WI_JSON_OBJECT)) return bad(e, "must be an object");
    for (const wi_json_value *m = wi_json_first(v); m; m = wi_json_next(v, m)) {
        if (strcmp(m->key, "list") == 0) return put_list(e, o, m);
        for (size_t k = 0; k < sizeof k_members / sizeof k_members[0]; k++)
            if (strcmp(m->key, k_members[k].key) == 0) return k_members[k].put(e, o, k_members[k].field, m);
    }
    return WI_OK; /* tensor, func, placeholder or empty: nothing the op mapping reads */
}

wi_status tfjs_encode_attrs(const wi_json_value *attrs, tf_node *n, uint8_t **storage, wi_error *err) {
    *storage = NULL;
    if (!attrs) return WI_OK;
    if (!wi_json_is(attrs, WI_JSON_OBJECT)) return tf_fail(err, n, WI_E_MALFORMED, "'attr' must be an object");
    n->attrs = calloc((size_t)attrs->count + 1, sizeof(tf_attr));
    size_t *ends = calloc((size_t)attrs->count + 1, sizeof(size_t));
    pb_out o = {0};
    wi_status st = WI_OK;
    if (!n->attrs || !ends) st = tf_fail(err, n, WI_E_OUT_OF_MEMORY, "out of memory");
    int k = 0;
    for (const wi_json_value *a = wi_json_first(attrs); st == WI_OK && a; a = wi_json_next(attrs, a), k++) {
        enc e = {n, a->key, err};
        st = encode_value(&e, &o, a);
        ends[k] = o.len;
    }
    if (st == WI_OK && o.oom) st = tf_fail(err, n, WI_E_OUT_OF_MEMORY, "out of memory");
    if (st != WI_OK) {
        free(o.data);
        free(ends);
        return st;
    }
    /* pointers only now: the buffer moved while it grew */
    static const uint8_t empty[1];
    k = 0;
    for (const wi_json_value *a = wi_json_first(attrs); a; a = wi_json_next(attrs, a), k++) {
        tf_attr *t = &n->attrs[k];
        size_t start = k ? ends[k - 1] : 0;
        t->key = (const uint8_t *)a->key;
        t->key_len = strlen(a->key);
        t->value.number = 2;
        t->value.wire_type = WI_PB_LEN;
        t->value.data = o.data ? o.data + start : empty;
        t->value.len = ends[k] - start;
    }
    n->attr_count = k;
    free(ends);
    *storage = o.data;
    return WI_OK;
}
