/* pb-writer.h - a tiny protobuf writer for building GraphDefs in tests. */
#ifndef WI_TEST_PB_WRITER_H
#define WI_TEST_PB_WRITER_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct pbw {
    uint8_t *p;
    size_t n, cap;
} pbw;

static inline void pbw_bytes(pbw *w, const void *b, size_t n) {
    if (w->n + n > w->cap) {
        w->cap = (w->n + n) * 2 + 64;
        w->p = realloc(w->p, w->cap);
    }
    if (n) memcpy(w->p + w->n, b, n);
    w->n += n;
}
static inline void pbw_varint(pbw *w, uint64_t v) {
    uint8_t b[10];
    int k = 0;
    do {
        b[k] = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v) b[k] |= 0x80;
        k++;
    } while (v);
    pbw_bytes(w, b, (size_t)k);
}
static inline void pbw_key(pbw *w, int field, int wire) { pbw_varint(w, (uint64_t)field << 3 | (uint64_t)wire); }
static inline void pbw_int(pbw *w, int field, int64_t v) { pbw_key(w, field, 0); pbw_varint(w, (uint64_t)v); }
static inline void pbw_len(pbw *w, int field, const void *b, size_t n) {
    pbw_key(w, field, 2);
    pbw_varint(w, n);
    pbw_bytes(w, b, n);
}
static inline void pbw_str(pbw *w, int field, const char *s) { pbw_len(w, field, s, strlen(s)); }
static inline void pbw_msg(pbw *w, int field, pbw *sub) { /* consumes sub */
    pbw_len(w, field, sub->p, sub->n);
    free(sub->p);
    memset(sub, 0, sizeof *sub);
}
static inline void pbw_f32(pbw *w, int field, float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    uint8_t b[4] = {(uint8_t)u, (uint8_t)(u >> 8), (uint8_t)(u >> 16), (uint8_t)(u >> 24)};
    pbw_key(w, field, 5);
    pbw_bytes(w, b, 4);
}

/* ---- TensorFlow messages ---- */

/* Adds attr `key` = the AttrValue in `value` (consumed) to a NodeDef. */
static inline void tf_attr(pbw *node, const char *key, pbw *value) {
    pbw entry = {0};
    pbw_str(&entry, 1, key);
    pbw_msg(&entry, 2, value);
    pbw_msg(node, 5, &entry);
}
static inline void tf_attr_type(pbw *node, const char *key, int type) {
    pbw v = {0};
    pbw_int(&v, 6, type);
    tf_attr(node, key, &v);
}
static inline void tf_attr_s(pbw *node, const char *key, const char *s) {
    pbw v = {0};
    pbw_str(&v, 2, s);
    tf_attr(node, key, &v);
}
static inline void tf_attr_b(pbw *node, const char *key, int b) {
    pbw v = {0};
    pbw_int(&v, 5, b);
    tf_attr(node, key, &v);
}
static inline void tf_attr_ints(pbw *node, const char *key, const int64_t *vals, int n) {
    pbw packed = {0}, list = {0}, v = {0};
    for (int i = 0; i < n; i++) pbw_varint(&packed, (uint64_t)vals[i]);
    pbw_msg(&list, 3, &packed);
    pbw_msg(&v, 1, &list);
    tf_attr(node, key, &v);
}
static inline void tf_shape(pbw *shape, const int64_t *dims, int rank) {
    for (int i = 0; i < rank; i++) {
        pbw d = {0};
        pbw_int(&d, 1, dims[i]);
        pbw_msg(shape, 2, &d);
    }
}
static inline void tf_attr_shape(pbw *node, const char *key, const int64_t *dims, int rank) {
    pbw shape = {0}, v = {0};
    tf_shape(&shape, dims, rank);
    pbw_msg(&v, 7, &shape);
    tf_attr(node, key, &v);
}
/* A float tensor with `nvals` repeated float_val (or raw content when content != 0). */
static inline void tf_attr_tensor(pbw *node, int dtype, const int64_t *dims, int rank,
                                  const float *vals, int nvals, int content) {
    pbw t = {0}, shape = {0}, v = {0};
    pbw_int(&t, 1, dtype);
    tf_shape(&shape, dims, rank);
    pbw_msg(&t, 2, &shape);
    if (content) pbw_len(&t, 4, vals, sizeof(float) * (size_t)nvals);
    else
        for (int i = 0; i < nvals; i++) pbw_f32(&t, 5, vals[i]);
    pbw_msg(&v, 8, &t);
    tf_attr(node, "value", &v);
}
static inline void tf_node_begin(pbw *node, const char *name, const char *op) {
    memset(node, 0, sizeof *node);
    pbw_str(node, 1, name);
    pbw_str(node, 2, op);
}
static inline void tf_input(pbw *node, const char *input) { pbw_str(node, 3, input); }

#endif
