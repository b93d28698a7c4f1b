/* tflite-builder.h - writes small TFLite FlatBuffers in tests (no flatc): tables are laid out
 * forward (a parent before its children, offsets patched afterwards), every field in a
 * 4-byte slot (a byte field reads its low byte: FlatBuffers is little-endian), each table
 * right after its own vtable. Enough for the Model/SubGraph/Tensor/Operator/Buffer tables. */
#ifndef WI_TEST_TFLITE_BUILDER_H
#define WI_TEST_TFLITE_BUILDER_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct fbb {
    uint8_t *buf;
    size_t len, cap;
} fbb;

static inline size_t fbb_grow(fbb *b, size_t n) {
    while (b->len + n > b->cap) {
        b->cap = b->cap ? b->cap * 2 : 1024;
        b->buf = realloc(b->buf, b->cap);
    }
    size_t at = b->len;
    memset(b->buf + at, 0, n);
    b->len += n;
    return at;
}
static inline void fbb_put32(fbb *b, size_t at, uint32_t v) { memcpy(b->buf + at, &v, 4); }
static inline void fbb_align4(fbb *b) { while (b->len % 4) fbb_grow(b, 1); }

/* Starts the file: root offset (patched by fbb_link(b, 0, model)) and "TFL3". */
static inline void fbb_begin(fbb *b) {
    memset(b, 0, sizeof *b);
    fbb_grow(b, 8);
    memcpy(b->buf + 4, "TFL3", 4);
}

/* A table of `n` fields; present[i] == 0 leaves field i absent. Scalars are written from
 * values[i]; offset fields are left 0 for fbb_link(b, fbb_field(table, i), child).
 * Returns the table's position. */
static inline size_t fbb_table(fbb *b, int n, const int *present, const int64_t *values) {
    fbb_align4(b);
    size_t vt_len = 4 + 2 * (size_t)n, vt = fbb_grow(b, (vt_len + 3) & ~(size_t)3);
    size_t table = fbb_grow(b, 4 + 4 * (size_t)n);
    uint16_t h[2] = {(uint16_t)vt_len, (uint16_t)(4 + 4 * n)};
    memcpy(b->buf + vt, h, 4);
    for (int i = 0; i < n; i++) {
        uint16_t off = present[i] ? (uint16_t)(4 + 4 * i) : 0;
        memcpy(b->buf + vt + 4 + 2 * i, &off, 2);
        if (present[i]) fbb_put32(b, table + 4 + 4 * (size_t)i, (uint32_t)values[i]);
    }
    fbb_put32(b, table, (uint32_t)(table - vt)); /* soffset: the vtable is before */
    return table;
}
static inline size_t fbb_field(size_t table, int i) { return table + 4 + 4 * (size_t)i; }
static inline void fbb_link(fbb *b, size_t at, size_t target) { fbb_put32(b, at, (uint32_t)(target - at)); }

/* Vectors: count, then the elements. Offset vectors are patched with fbb_link(b, elem, x). */
static inline size_t fbb_vector(fbb *b, uint32_t count, size_t elem, const void *data) {
    fbb_align4(b);
    size_t at = fbb_grow(b, 4 + count * elem + 1); /* + 1: a string's NUL */
    fbb_put32(b, at, count);
    if (data) memcpy(b->buf + at + 4, data, count * elem);
    return at;
}
static inline size_t fbb_elem(size_t vec, uint32_t i) { return vec + 4 + 4 * (size_t)i; }
static inline size_t fbb_string(fbb *b, const char *s) { return fbb_vector(b, (uint32_t)strlen(s), 1, s); }

/* ---- TFLite on top: a one-subgraph model description ---- */

typedef struct tb_tensor {
    const char *name;
    int type;              /* TensorType */
    int rank;
    int32_t dims[4];
    const void *data;      /* constant bytes or NULL */
    size_t data_len;
    int quantized;
    float scale;
    int64_t zero_point;
} tb_tensor;

typedef struct tb_op {
    int code;              /* BuiltinOperator */
    int inputs[4], input_count, output;
    int options_type;      /* union tag, 0 for none */
    int option_count;      /* fields of the options table, all present */
    int64_t options[8];
} tb_op;

/* Writes the whole model; returns a malloc'd buffer (*len bytes). Input and output are
 * tensors `input` and `output`. */
static inline uint8_t *tb_model(const tb_tensor *t, int nt, const tb_op *ops, int nops,
                                int input, int output, size_t *len) {
    fbb b;
    fbb_begin(&b);
    int all[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    int64_t model_v[5] = {3, 0, 0, 0, 0};
    int model_p[5] = {1, 1, 1, 0, 1};
    size_t model = fbb_table(&b, 5, model_p, model_v);
    fbb_link(&b, 0, model);
    /* operator codes: one per op, in op order */
    size_t codes = fbb_vector(&b, (uint32_t)nops, 4, NULL);
    fbb_link(&b, fbb_field(model, 1), codes);
    for (int i = 0; i < nops; i++) {
        int64_t v[4] = {ops[i].code < 127 ? ops[i].code : 127, 0, 1, ops[i].code};
        int p[4] = {1, 0, 1, 1};
        fbb_link(&b, fbb_elem(codes, (uint32_t)i), fbb_table(&b, 4, p, v));
    }
    /* buffers: 0 is the empty sentinel, then one per constant tensor */
    size_t buffers = fbb_vector(&b, (uint32_t)nt + 1, 4, NULL);
    fbb_link(&b, fbb_field(model, 4), buffers);
    for (int i = 0; i <= nt; i++) {
        int p[1] = {i > 0 && t[i - 1].data != NULL};
        int64_t v[1] = {0};
        size_t bt = fbb_table(&b, 1, p, v);
        fbb_link(&b, fbb_elem(buffers, (uint32_t)i), bt);
        if (p[0]) fbb_link(&b, fbb_field(bt, 0), fbb_vector(&b, (uint32_t)t[i - 1].data_len, 1, t[i - 1].data));
    }
    size_t subgraphs = fbb_vector(&b, 1, 4, NULL);
    fbb_link(&b, fbb_field(model, 2), subgraphs);
    int sg_p[4] = {1, 1, 1, 1};
    int64_t sg_v[4] = {0};
    size_t sg = fbb_table(&b, 4, sg_p, sg_v);
    fbb_link(&b, fbb_elem(subgraphs, 0), sg);
    int32_t io[2] = {input, output};
    fbb_link(&b, fbb_field(sg, 1), fbb_vector(&b, 1, 4, &io[0]));
    fbb_link(&b, fbb_field(sg, 2), fbb_vector(&b, 1, 4, &io[1]));
    size_t tensors = fbb_vector(&b, (uint32_t)nt, 4, NULL);
    fbb_link(&b, fbb_field(sg, 0), tensors);
    for (int i = 0; i < nt; i++) {
        int p[5] = {1, 1, t[i].data != NULL, 1, t[i].quantized};
        int64_t v[5] = {0, t[i].type, i + 1, 0, 0};
        size_t tt = fbb_table(&b, 5, p, v);
        fbb_link(&b, fbb_elem(tensors, (uint32_t)i), tt);
        fbb_link(&b, fbb_field(tt, 0), fbb_vector(&b, (uint32_t)t[i].rank, 4, t[i].dims));
        fbb_link(&b, fbb_field(tt, 3), fbb_string(&b, t[i].name));
        if (t[i].quantized) {
            int qp[7] = {0, 0, 1, 1, 0, 0, 0};
            int64_t qv[7] = {0};
            size_t q = fbb_table(&b, 7, qp, qv);
            fbb_link(&b, fbb_field(tt, 4), q);
            fbb_link(&b, fbb_field(q, 2), fbb_vector(&b, 1, 4, &t[i].scale));
            fbb_link(&b, fbb_field(q, 3), fbb_vector(&b, 1, 8, &t[i].zero_point));
        }
    }
    size_t operators = fbb_vector(&b, (uint32_t)nops, 4, NULL);
    fbb_link(&b, fbb_field(sg, 3), operators);
    for (int i = 0; i < nops; i++) {
        int p[5] = {1, 1, 1, ops[i].options_type != 0, ops[i].options_type != 0};
        int64_t v[5] = {i, 0, 0, ops[i].options_type, 0};
        size_t ot = fbb_table(&b, 5, p, v);
        fbb_link(&b, fbb_elem(operators, (uint32_t)i), ot);
        fbb_link(&b, fbb_field(ot, 1), fbb_vector(&b, (uint32_t)ops[i].input_count, 4, ops[i].inputs));
        fbb_link(&b, fbb_field(ot, 2), fbb_vector(&b, 1, 4, &ops[i].output));
        if (ops[i].options_type)
            fbb_link(&b, fbb_field(ot, 4), fbb_table(&b, ops[i].option_count, all, ops[i].options));
    }
    *len = b.len;
    return b.buf;
}

#endif
