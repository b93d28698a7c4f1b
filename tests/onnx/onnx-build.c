/* ONNX model bytes from C (see onnx-build.h). */
#include <stdlib.h>
#include <string.h>
#include "onnx/onnx-build.h"

static void put(pbw *w, const void *p, size_t n) {
    if (w->fail) return;
    if (w->len + n > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        while (cap < w->len + n) cap *= 2;
        uint8_t *b = realloc(w->buf, cap);
        if (!b) {
            w->fail = 1;
            return;
        }
        w->buf = b;
        w->cap = cap;
    }
    if (n) memcpy(w->buf + w->len, p, n);
    w->len += n;
}

void pbw_free(pbw *w) {
    free(w->buf);
    memset(w, 0, sizeof *w);
}

void pbw_varint(pbw *w, uint64_t v) {
    uint8_t b[10];
    int n = 0;
    do {
        b[n] = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v) b[n] |= 0x80;
        n++;
    } while (v);
    put(w, b, (size_t)n);
}

void pbw_uint(pbw *w, uint32_t field, uint64_t v) {
    pbw_varint(w, (uint64_t)field << 3);
    pbw_varint(w, v);
}

void pbw_bytes(pbw *w, uint32_t field, const void *p, size_t n) {
    pbw_varint(w, (uint64_t)field << 3 | 2);
    pbw_varint(w, n);
    put(w, p, n);
}

void pbw_str(pbw *w, uint32_t field, const char *s) { pbw_bytes(w, field, s, strlen(s)); }

void pbw_fixed32f(pbw *w, uint32_t field, float f) {
    pbw_varint(w, (uint64_t)field << 3 | 5);
    put(w, &f, 4); /* little-endian hosts */
}

void pbw_msg(pbw *w, uint32_t field, const pbw *sub) {
    if (sub->fail) w->fail = 1;
    pbw_bytes(w, field, sub->buf, sub->len);
}

static void attr_done(pbw *attrs, pbw *a) {
    pbw_msg(attrs, 5, a);
    pbw_free(a);
}

void ob_attr_int(pbw *attrs, const char *name, int64_t v) {
    pbw a = {0};
    pbw_str(&a, 1, name);
    pbw_uint(&a, 20, 2);
    pbw_uint(&a, 3, (uint64_t)v);
    attr_done(attrs, &a);
}

void ob_attr_float(pbw *attrs, const char *name, float v) {
    pbw a = {0};
    pbw_str(&a, 1, name);
    pbw_uint(&a, 20, 1);
    pbw_fixed32f(&a, 2, v);
    attr_done(attrs, &a);
}

void ob_attr_str(pbw *attrs, const char *name, const char *s) {
    pbw a = {0};
    pbw_str(&a, 1, name);
    pbw_uint(&a, 20, 3);
    pbw_str(&a, 4, s);
    attr_done(attrs, &a);
}

void ob_attr_ints(pbw *attrs, const char *name, int n, const int64_t *v) {
    pbw a = {0};
    pbw_str(&a, 1, name);
    pbw_uint(&a, 20, 7);
    for (int i = 0; i < n; i++) pbw_uint(&a, 8, (uint64_t)v[i]); /* unpacked, as onnx writes */
    attr_done(attrs, &a);
}

void ob_init(ob *b, int64_t opset) {
    memset(b, 0, sizeof *b);
    b->opset = opset;
}

void ob_free(ob *b) { pbw_free(&b->graph); }

static void io(ob *b, uint32_t field, const char *name, int rank, const int64_t *dims) {
    pbw shape = {0}, tensor = {0}, type = {0}, vi = {0};
    for (int i = 0; i < rank; i++) {
        pbw dim = {0};
        if (dims[i] >= 0) pbw_uint(&dim, 1, (uint64_t)dims[i]);
        else pbw_str(&dim, 2, "N");
        pbw_msg(&shape, 1, &dim);
        pbw_free(&dim);
    }
    pbw_uint(&tensor, 1, 1); /* FLOAT */
    if (rank >= 0) pbw_msg(&tensor, 2, &shape);
    pbw_msg(&type, 1, &tensor);
    pbw_str(&vi, 1, name);
    pbw_msg(&vi, 2, &type);
    pbw_msg(&b->graph, field, &vi);
    pbw_free(&shape);
    pbw_free(&tensor);
    pbw_free(&type);
    pbw_free(&vi);
}

void ob_input(ob *b, const char *name, int rank, const int64_t *dims) { io(b, 11, name, rank, dims); }
void ob_output(ob *b, const char *name) { io(b, 12, name, -1, NULL); }

void ob_init_f32(ob *b, const char *name, int rank, const int64_t *dims, const float *data) {
    pbw t = {0};
    int64_t count = 1;
    for (int i = 0; i < rank; i++) {
        pbw_uint(&t, 1, (uint64_t)dims[i]);
        count *= dims[i];
    }
    pbw_uint(&t, 2, 1);
    pbw_str(&t, 8, name);
    pbw_bytes(&t, 9, data, (size_t)count * sizeof(float));
    pbw_msg(&b->graph, 5, &t);
    pbw_free(&t);
}

void ob_init_i64(ob *b, const char *name, int rank, const int64_t *dims, const int64_t *data) {
    pbw t = {0};
    int64_t count = 1;
    for (int i = 0; i < rank; i++) {
        pbw_uint(&t, 1, (uint64_t)dims[i]);
        count *= dims[i];
    }
    pbw_uint(&t, 2, 7);
    pbw_str(&t, 8, name);
    for (int64_t i = 0; i < count; i++) pbw_uint(&t, 7, (uint64_t)data[i]);
    pbw_msg(&b->graph, 5, &t);
    pbw_free(&t);
}

static void names(pbw *node, uint32_t field, const char *list) {
    const char *p = list;
    while (1) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        pbw_bytes(node, field, p, n);
        if (!e) break;
        p = e + 1;
    }
}

void ob_node(ob *b, const char *op, const char *inputs, const char *outputs, const pbw *attrs) {
    pbw node = {0};
    if (inputs && *inputs) names(&node, 1, inputs);
    names(&node, 2, outputs);
    const char *comma = strchr(outputs, ',');
    pbw_bytes(&node, 3, outputs, comma ? (size_t)(comma - outputs) : strlen(outputs));
    pbw_str(&node, 4, op);
    if (attrs) {
        if (attrs->fail) node.fail = 1;
        put(&node, attrs->buf, attrs->len);
    }
    pbw_msg(&b->graph, 1, &node);
    pbw_free(&node);
}

void ob_model(const ob *b, pbw *out) {
    memset(out, 0, sizeof *out);
    pbw opset = {0};
    pbw_str(&opset, 1, "");
    pbw_uint(&opset, 2, (uint64_t)b->opset);
    pbw_uint(out, 1, 8);
    pbw_str(out, 2, "wasinfer-tests");
    pbw_msg(out, 8, &opset);
    pbw_msg(out, 7, &b->graph);
    pbw_free(&opset);
}
