/* onnx.h - internals of the ONNX loader: the node being mapped, attribute access, tensor
 * decoding, and the layout table that maps every ONNX tensor name to its IR values.
 *
 * Field numbers (onnx/onnx.proto):
 *   ModelProto       ir_version=1, opset_import=8 (OperatorSetIdProto: domain=1, version=2),
 *                    graph=7
 *   GraphProto       node=1, name=2, initializer=5, input=11, output=12, value_info=13
 *   NodeProto        input=1, output=2, name=3, op_type=4, attribute=5, domain=7
 *   AttributeProto   name=1, f=2, i=3, s=4, t=5, floats=7, ints=8, type=20
 *   TensorProto      dims=1, data_type=2, segment=3, float_data=4, int32_data=5,
 *                    int64_data=7, name=8, raw_data=9, double_data=10, external_data=13,
 *                    data_location=14 (1 = EXTERNAL)
 *   ValueInfoProto   name=1, type=2; TypeProto tensor_type=1; TypeProto.Tensor elem_type=1,
 *                    shape=2; TensorShapeProto dim=1 (dim_value=1, dim_param=2)
 *   DataType         FLOAT=1, UINT8=2, INT8=3, INT32=6, INT64=7, DOUBLE=11
 *
 * Layout: ONNX image tensors are NCHW, the engine is NHWC. Every ONNX tensor has up to two IR
 * values: `plain` (the ONNX layout) and `nhwc` (a rank-4 tensor with its channel axis moved
 * last). Ops that need one ask for it and a Transpose node is added (once) when only the
 * other exists; a constant is transposed at load by constant folding. */
#ifndef WI_FORMATS_ONNX_ONNX_H
#define WI_FORMATS_ONNX_ONNX_H

#include "core/error.h"
#include "formats/protobuf.h"
#include "ir/graph.h"

enum { ONNX_FLOAT = 1, ONNX_UINT8 = 2, ONNX_INT8 = 3, ONNX_INT32 = 6, ONNX_INT64 = 7,
       ONNX_DOUBLE = 11 };

#define ONNX_MAX_NODES 200000
#define ONNX_MAX_IO 1024 /* inputs or outputs of one node */

/* A name inside the model's bytes (not NUL-terminated). */
typedef struct onnx_str {
    const char *p;
    size_t len;
} onnx_str;

typedef struct onnx_node {
    char *name;         /* NUL-terminated copy; "#index" when the node has none */
    char *op;           /* op_type */
    onnx_str *inputs;   /* "" marks an omitted optional input */
    int input_count;
    onnx_str *outputs;
    int output_count;
    wi_pb_field *attrs; /* AttributeProto messages */
    int attr_count;
} onnx_node;

typedef struct onnx_tensor {
    char *name;
    int plain; /* value id in ONNX layout, or -1 */
    int nhwc;  /* value id with the channel axis last, or -1 */
} onnx_tensor;

typedef struct onnx_ctx {
    wi_graph *graph;
    onnx_tensor *tensors;
    int tensor_count, tensor_cap;
    int *table;         /* open addressing: name -> tensor index, -1 empty */
    size_t table_mask;
    int64_t opset;      /* of the default domain */
    const wi_model_options *opts;
} onnx_ctx;

/* "onnx: node 'NAME': <message>" */
wi_status onnx_fail(wi_error *err, const onnx_node *n, wi_status st, const char *fmt, ...)
    WI_PRINTF(4, 5);

/* ---- nodes and attributes (node.c) ---- */
wi_status onnx_parse_node(const wi_pb_field *msg, int index, onnx_node *n, wi_error *err);
void onnx_node_free(onnx_node *n);
/* Each returns WI_OK with *found = 1 when present and of the right type, WI_OK with
 * *found = 0 when absent, or an error naming the node and attribute. */
wi_status onnx_attr_int(const onnx_node *n, const char *name, int64_t *out, int *found, wi_error *err);
wi_status onnx_attr_float(const onnx_node *n, const char *name, float *out, int *found, wi_error *err);
wi_status onnx_attr_string(const onnx_node *n, const char *name, char *out, size_t cap, int *found,
                           wi_error *err);
wi_status onnx_attr_ints(const onnx_node *n, const char *name, int64_t *out, int cap, int *count,
                         int *found, wi_error *err);
wi_status onnx_attr_tensor(const onnx_node *n, const char *name, wi_pb_field *out, int *found,
                           wi_error *err);
/* Input i is given (present and not the empty name). */
static inline int onnx_has_input(const onnx_node *n, int i) {
    return i < n->input_count && n->inputs[i].len > 0;
}

/* ---- tensors (tensor.c) ---- */
/* Decodes a TensorProto into a new constant value; `what` names it in messages. */
wi_status onnx_decode_tensor(onnx_ctx *ctx, const wi_pb_field *tensor, const char *what, int *vid,
                             wi_error *err);
/* Reads a ValueInfoProto's name and float tensor shape (unknown dims: the first becomes 1,
 * any other is refused). */
wi_status onnx_value_info(const wi_pb_field *msg, onnx_str *name, int *rank, int64_t *dims,
                          wi_error *err);

/* ---- the tensor table and layouts (layout.c) ---- */
onnx_tensor *onnx_find(onnx_ctx *ctx, const char *name, size_t len);
/* Registers a tensor name with its values (either may be -1); fails on a duplicate. */
wi_status onnx_define(onnx_ctx *ctx, onnx_str name, int plain, int nhwc, wi_error *err);
/* Input i of node n as a tensor entry; fails naming it when undefined. */
wi_status onnx_input(onnx_ctx *ctx, const onnx_node *n, int i, onnx_tensor **out, wi_error *err);
/* Its value in ONNX layout, or channel-last (rank 4 only); adds a Transpose when needed. */
wi_status onnx_plain(onnx_ctx *ctx, const onnx_node *n, onnx_tensor *t, int *vid, wi_error *err);
wi_status onnx_nhwc(onnx_ctx *ctx, const onnx_node *n, onnx_tensor *t, int *vid, wi_error *err);
/* The ONNX-layout shape of a tensor (from whichever value it has). */
const wi_value *onnx_shape(const onnx_ctx *ctx, const onnx_tensor *t, int *rank, int64_t *dims);
/* A value whose bytes are in ONNX order: the plain one, or a channel-last one whose data
 * order is the same (C == 1, or H == W == 1), so no Transpose is needed. */
wi_status onnx_plain_bytes(onnx_ctx *ctx, const onnx_node *n, onnx_tensor *t, int *vid,
                           wi_error *err);

/* Adds an IR node reading `inputs`, prepares it (shapes are known right away, which the
 * mapping of later nodes uses) and folds it when its inputs are constants. The output value
 * is named `out_name` (copied; NULL: the node's first output). */
wi_status onnx_emit(onnx_ctx *ctx, const onnx_node *n, wi_op_kind kind, const int *inputs,
                    int count, const wi_op_params *params, const char *out_name, int *out,
                    wi_error *err);
/* Adds an integer constant [count] (int64). */
wi_status onnx_const_i64(onnx_ctx *ctx, const char *name, const int64_t *data, int rank,
                         const int64_t *dims, int *vid, wi_error *err);
/* Reshape / Transpose nodes (output named `out_name`, NULL: the node's first output). */
wi_status onnx_reshape(onnx_ctx *ctx, const onnx_node *n, int src, int rank, const int64_t *dims,
                       const char *out_name, int *out, wi_error *err);
wi_status onnx_transpose(onnx_ctx *ctx, const onnx_node *n, int src, const int *perm,
                         const char *out_name, int *out, wi_error *err);
/* Defines the node's first output as `plain` / `nhwc`. */
wi_status onnx_define_output(onnx_ctx *ctx, const onnx_node *n, int plain, int nhwc, wi_error *err);

/* The ONNX axis at channel-last position i: NHWC position -> NCHW axis. */
static inline int onnx_nhwc_axis(int i) { return i == 0 ? 0 : i == 3 ? 1 : i + 1; }
/* The channel-last position of NCHW axis a. */
static inline int onnx_nhwc_pos(int a) { return a == 0 ? 0 : a == 1 ? 3 : a - 1; }

/* ---- op mapping (map-*.c, op-table.c) ---- */
typedef wi_status (*onnx_map_fn)(onnx_ctx *ctx, const onnx_node *n, wi_error *err);
wi_status onnx_map_node(onnx_ctx *ctx, const onnx_node *n, wi_error *err);

wi_status onnx_map_conv(onnx_ctx *ctx, const onnx_node *n, wi_error *err);
wi_status onnx_map_pool(onnx_ctx *ctx, const onnx_node *n, wi_error *err);
wi_status onnx_map_global_avg_pool(onnx_ctx *ctx, const onnx_node *n, wi_error *err);
wi_status onnx_map_batchnorm(onnx_ctx *ctx, const onnx_node *n, wi_error *err);
wi_status onnx_map_unary(onnx_ctx *ctx, const onnx_node *n, wi_error *err);
wi_status onnx_map_clip(onnx_ctx *ctx, const onnx_node *n, wi_error *err);
wi_status onnx_map_binary(onnx_ctx *ctx, const onnx_node *n, wi_error *err);
wi_status onnx_map_gemm(onnx_ctx *ctx, const onnx_node *n, wi_error *err);
wi_status onnx_map_matmul(onnx_ctx *ctx, const onnx_node *n, wi_error *err);
wi_status onnx_map_softmax(onnx_ctx *ctx, const onnx_node *n, wi_error *err);
wi_status onnx_map_identity(onnx_ctx *ctx, const onnx_node *n, wi_error *err);
wi_status onnx_map_flatten(onnx_ctx *ctx, const onnx_node *n, wi_error *err);
wi_status onnx_map_reshape(onnx_ctx *ctx, const onnx_node *n, wi_error *err);
wi_status onnx_map_squeeze(onnx_ctx *ctx, const onnx_node *n, wi_error *err);
wi_status onnx_map_transpose(onnx_ctx *ctx, const onnx_node *n, wi_error *err);
wi_status onnx_map_concat(onnx_ctx *ctx, const onnx_node *n, wi_error *err);
wi_status onnx_map_pad(onnx_ctx *ctx, const onnx_node *n, wi_error *err);
wi_status onnx_map_shape(onnx_ctx *ctx, const onnx_node *n, wi_error *err);
wi_status onnx_map_gather(onnx_ctx *ctx, const onnx_node *n, wi_error *err);
wi_status onnx_map_constant(onnx_ctx *ctx, const onnx_node *n, wi_error *err);

#endif
