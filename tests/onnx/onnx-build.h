/* onnx-build.h - writes ONNX ModelProto bytes from C for the tests (no Python, no protobuf
 * library): a growable protobuf writer and a graph builder over it. Field numbers as in
 * src/formats/onnx/onnx.h. Allocation failures set `fail`; tests check it. */
#ifndef WI_TESTS_ONNX_BUILD_H
#define WI_TESTS_ONNX_BUILD_H

#include <stddef.h>
#include <stdint.h>

typedef struct pbw {
    uint8_t *buf;
    size_t len, cap;
    int fail;
} pbw;

void pbw_free(pbw *w);
void pbw_varint(pbw *w, uint64_t v);
void pbw_uint(pbw *w, uint32_t field, uint64_t v);      /* varint field */
void pbw_bytes(pbw *w, uint32_t field, const void *p, size_t n);
void pbw_str(pbw *w, uint32_t field, const char *s);
void pbw_fixed32f(pbw *w, uint32_t field, float f);
void pbw_msg(pbw *w, uint32_t field, const pbw *sub);   /* sub as a length-delimited field */

/* Attributes: each call appends one NodeProto.attribute (field 5) to `attrs`. */
void ob_attr_int(pbw *attrs, const char *name, int64_t v);
void ob_attr_float(pbw *attrs, const char *name, float v);
void ob_attr_str(pbw *attrs, const char *name, const char *s);
void ob_attr_ints(pbw *attrs, const char *name, int n, const int64_t *v);

typedef struct ob {
    pbw graph;
    int64_t opset;
} ob;

void ob_init(ob *b, int64_t opset);
void ob_free(ob *b);
/* A graph input / output (float32), dims < 0 written as a dim_param. */
void ob_input(ob *b, const char *name, int rank, const int64_t *dims);
void ob_output(ob *b, const char *name);
void ob_init_f32(ob *b, const char *name, int rank, const int64_t *dims, const float *data);
void ob_init_i64(ob *b, const char *name, int rank, const int64_t *dims, const int64_t *data);
/* A node: inputs and outputs as comma-separated names ("x,,w": an omitted input); named
 * after its first output; attrs may be NULL. */
void ob_node(ob *b, const char *op, const char *inputs, const char *outputs, const pbw *attrs);
/* The ModelProto: ir_version 8, opset_import of the default domain, the graph. */
void ob_model(const ob *b, pbw *out);

#endif
