/* graph.h - the format-neutral graph IR (XNNPACK style: values addressed by integer id,
 * nodes with a tagged union of plain C parameter structs).
 *
 * Loaders turn a file format into this; passes (one file each, see passes.h) rewrite it;
 * the runtime plans memory over it and evaluates its nodes in order. No op ever sees a file
 * format. A value is either a constant (data owned by the graph), a graph input, or the
 * single output of one node. Nodes are never removed from the array: a pass marks them dead
 * and wi_graph_compact drops them, so ids stay stable while a pass runs. */
#ifndef WI_IR_GRAPH_H
#define WI_IR_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "wasinfer.h"

typedef struct wi_conv_kernel wi_conv_kernel;
typedef struct wi_block_kernel wi_block_kernel;

typedef enum wi_op_kind {
    WI_OP_IDENTITY = 0,
    WI_OP_CONV2D,
    WI_OP_DEPTHWISE_CONV2D,
    WI_OP_BATCHNORM,   /* inputs x, scale, offset, mean, variance (inference form) */
    WI_OP_BIAS_ADD,
    WI_OP_RELU,
    WI_OP_RELU6,
    WI_OP_ADD,
    WI_OP_SUB,
    WI_OP_MUL,
    WI_OP_AVG_POOL,
    WI_OP_MAX_POOL,
    WI_OP_MEAN,        /* inputs x, axes (const) */
    WI_OP_SQUEEZE,
    WI_OP_RESHAPE,     /* inputs x, shape (const) */
    WI_OP_SHAPE,
    WI_OP_SOFTMAX,
    WI_OP_MATMUL,
    WI_OP_PAD,         /* inputs x, paddings (const) */
    WI_OP_CONCAT,      /* inputs x0..xn-1 (axis in params) */
    WI_OP_TRANSPOSE,   /* input x; perm in params (ONNX layout changes) */
    WI_OP_CLIP,        /* input x; clamps to [min, max] in params (ONNX Clip) */
    WI_OP_FAKE_QUANT,  /* input x; rounds onto a quantization grid (TFLite activations) */
    WI_OP_KIND_COUNT
} wi_op_kind;

typedef enum wi_padding { WI_PAD_VALID = 0, WI_PAD_SAME = 1 } wi_padding;

/* A TFLite quantization grid (FakeQuant; also a convolution's fused epilogue). */
typedef struct wi_quant_params {
    float scale, zero_point, qmin, qmax;
} wi_quant_params;

/* Conv2D/Depthwise inputs: x, filter (const), and, once a bias is fused, bias (const [C_out]). */
typedef struct wi_conv_params {
    int stride_h, stride_w, dilation_h, dilation_w;
    wi_padding padding;
    int pad_top, pad_left;     /* resolved by prepare */
    float act_min, act_max;    /* fused activation; -INF/+INF when none */
    int channel_multiplier;    /* depthwise only */
    /* A folded batch norm's per-output-channel scale, not yet applied to the filter (owned;
     * NULL: none): the kernel applies it while packing, so a borrowed filter is never
     * copied just to be scaled (ir/conv-absorb.c). */
    float *filter_scale;
    wi_conv_kernel *kernel;    /* packed weights, created after the passes; owned */
    /* Set by the block fusion (ir/fuse-blocks.c) on the project conv of an inverted-residual
     * block: the node then runs expand -> depthwise -> itself in one pass from input 0 (the
     * block input). It owns the block and the kernels of the two nodes it swallowed
     * (block_expand may be NULL). */
    wi_block_kernel *block;
    wi_conv_kernel *block_expand, *block_dw;
    /* The epilogue (ir/fuse-epilogues.c, and a block's shortcut in ir/fuse-blocks.c), in this
     * order: round onto `quant_before`'s grid (a FakeQuant after the conv), add the last
     * input (`residual`: a shortcut Add), round onto `quant_after`'s grid. */
    int residual;
    int has_quant_before, has_quant_after;
    wi_quant_params quant_before, quant_after;
} wi_conv_params;

typedef struct wi_pool_params {
    int kernel_h, kernel_w, stride_h, stride_w;
    wi_padding padding;
    int pad_top, pad_left;     /* resolved by prepare */
} wi_pool_params;

typedef struct wi_reduce_params {
    int keep_dims;
    uint8_t axes[WI_MAX_RANK]; /* 1 where the axis is reduced; resolved by prepare */
} wi_reduce_params;

typedef struct wi_squeeze_params {
    int count;                 /* 0: every size-1 dim */
    int dims[WI_MAX_RANK];
} wi_squeeze_params;

typedef struct wi_matmul_params {
    int transpose_a, transpose_b;
    /* With a constant B (and A not transposed): B packed as the [1,1,K,N] filter of a 1x1
     * convolution over the M rows of A, so the product runs on the fast GEMM and the thread
     * pool. Created after the passes; owned. NULL: the plain loop. */
    wi_conv_kernel *kernel;
} wi_matmul_params;

typedef struct wi_concat_params {
    int axis;                  /* as given (may be negative); resolved by prepare */
} wi_concat_params;

typedef struct wi_batchnorm_params {
    float epsilon;
} wi_batchnorm_params;

typedef struct wi_transpose_params {
    int rank;
    int perm[WI_MAX_RANK];     /* output dim i is input dim perm[i] */
} wi_transpose_params;

typedef struct wi_clip_params {
    float min, max;            /* -INF / +INF when unbounded */
} wi_clip_params;

/* FakeQuant: x -> scale * (clamp(round(x / scale) + zero_point, qmin, qmax) - zero_point),
 * what a TFLite uint8/int8 tensor can hold, in the real-valued domain. */

typedef union wi_op_params {
    wi_conv_params conv;
    wi_pool_params pool;
    wi_reduce_params reduce;
    wi_squeeze_params squeeze;
    wi_matmul_params matmul;
    wi_concat_params concat;
    wi_batchnorm_params batchnorm;
    wi_quant_params quant;
    wi_transpose_params transpose;
    wi_clip_params clip;
} wi_op_params;

typedef struct wi_value {
    char *name;
    wi_dtype dtype;
    int rank;
    int64_t dims[WI_MAX_RANK];
    void *data;       /* constant contents, or NULL for an activation/input */
    /* 0: `data` is owned. 1: `data` points into the model bytes being loaded (any alignment)
     * and is valid only during the load: a loader may borrow a constant instead of copying it,
     * and the model builder copies every borrowed constant except convolution filters, which
     * it packs straight from the file's bytes (runtime/model-build.c). */
    int borrowed;
    int producer;     /* node id, or -1 for constants and inputs */
    int is_input;     /* a graph input, fed by the session */
    int uses;         /* consumer count, refreshed by wi_graph_count_uses */
    size_t arena_offset; /* planned offset of an activation in the session arena */
} wi_value;

#define WI_NODE_LABEL_MAX 96

typedef struct wi_node {
    wi_op_kind op;
    char *name;       /* node name, for messages */
    char *origin;     /* the source op string ("FusedBatchNormV3"), for messages */
    char label[WI_NODE_LABEL_MAX]; /* histogram name after fusion: "Conv2D+BiasAdd+Relu6" */
    int *inputs;      /* value ids */
    int input_count;
    int output;       /* value id */
    int dead;
    wi_op_params params;
} wi_node;

typedef struct wi_graph {
    wi_value *values;
    int value_count, value_cap;
    wi_node *nodes;
    int node_count, node_cap;
    int64_t max_elements; /* limit on any tensor's element count */
} wi_graph;

wi_graph *wi_graph_create(int64_t max_elements);
void wi_graph_free(wi_graph *g); /* accepts NULL; frees values' data and conv kernels */

/* Frees a value's data if it owns it; either way the value has no data afterwards. */
void wi_value_drop_data(wi_value *v);
/* Makes a borrowed value's data its own copy (no-op when it already owns it). */
wi_status wi_value_own_data(wi_value *v, wi_error *err);

/* Adds a value; returns its id or -1 on out of memory. `name` is copied. */
int wi_graph_add_value(wi_graph *g, const char *name);

/* Adds a constant value, copying `data` (may be NULL for zeros). Checks the shape against
 * the limits. Returns WI_OK and the id in *id. */
wi_status wi_graph_add_const(wi_graph *g, const char *name, wi_dtype dtype, int rank,
                             const int64_t *dims, const void *data, int *id, wi_error *err);
/* Adds a constant whose data stays in the model bytes being loaded (wi_value.borrowed): `data`
 * (any alignment) must hold the shape's bytes and outlive the model build. */
wi_status wi_graph_add_borrowed_const(wi_graph *g, const char *name, wi_dtype dtype, int rank,
                                      const int64_t *dims, const void *data, int *id,
                                      wi_error *err);

/* Adds a node with a copy of `inputs`; returns its id or -1 on out of memory. Sets the
 * output value's producer. The label starts as the origin (or the op's name). */
int wi_graph_add_node(wi_graph *g, wi_op_kind op, const char *name, const char *origin,
                      const int *inputs, int input_count, int output);

/* Sets a value's dtype and shape after checking rank, dims and the element limit. */
wi_status wi_value_set_shape(wi_graph *g, wi_value *v, wi_dtype dtype, int rank,
                             const int64_t *dims, wi_error *err);

/* Elements of a value (its shape was checked, so this cannot overflow). */
int64_t wi_value_elements(const wi_value *v);
size_t wi_value_bytes(const wi_value *v);

/* Reads an integer constant (int32 or int64) into out[0..max); returns the count or -1 when
 * the value is not an integer constant or has more than `max` elements. */
int wi_value_const_ints(const wi_value *v, int64_t *out, int max);

/* Recounts wi_value.uses over live nodes; `output` (if >= 0) counts as one more use. */
void wi_graph_count_uses(wi_graph *g, int output);

/* Replaces every use of value `from` by `to` in live nodes. */
void wi_graph_replace_uses(wi_graph *g, int from, int to);

/* Appends "+suffix" to a node's label (truncating quietly: labels are only for display). */
void wi_node_label_append(wi_node *n, const char *suffix);

/* Node `p` absorbs node `q`, which reads p's output: p now produces q's output, q dies, and
 * p's label gains "+suffix". The fusion passes' last step (uses are not recounted). */
void wi_node_absorb(wi_graph *g, int p, int q, const char *suffix);

/* Rebuilds the node array as nodes[order[0]], nodes[order[1]], ... (the rest are freed) and
 * fixes every producer id. Used by the topological sort and to drop dead nodes. */
wi_status wi_graph_reorder(wi_graph *g, const int *order, int count, wi_error *err);

/* Drops dead nodes, keeping the order of the rest. */
wi_status wi_graph_compact(wi_graph *g, wi_error *err);

/* The op's name in messages and histograms ("Conv2D"). */
const char *wi_op_kind_name(wi_op_kind op);

#endif
