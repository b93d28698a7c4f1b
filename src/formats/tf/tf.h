/* tf.h - internals of the GraphDef loader: the parsed NodeDefs (pointing into the model's
 * bytes, which live for the whole load), attribute access and tensor decoding.
 *
 * Field numbers (the .proto files in tensorflow/core/framework):
 *   GraphDef      node=1 (NodeDef), versions=4, library=2
 *   NodeDef       name=1, op=2, input=3, device=4, attr=5 (map<string, AttrValue>: key=1, value=2)
 *   AttrValue     list=1, s=2, i=3, f=4, b=5, type=6, shape=7, tensor=8
 *   ListValue     s=2, i=3, f=4, b=5, type=6, shape=7, tensor=8
 *   TensorProto   dtype=1, tensor_shape=2, tensor_content=4, float_val=5, double_val=6,
 *                 int_val=7, string_val=8, int64_val=10, bool_val=11, half_val=13
 *   TensorShapeProto dim=2 (size=1, name=2), unknown_rank=3
 *   DataType      DT_FLOAT=1, DT_DOUBLE=2, DT_INT32=3, DT_UINT8=4, DT_INT64=9, DT_BOOL=10 */
#ifndef WI_FORMATS_TF_TF_H
#define WI_FORMATS_TF_TF_H

#include "core/error.h"
#include "formats/protobuf.h"
#include "ir/graph.h"

enum { TF_DT_FLOAT = 1, TF_DT_DOUBLE = 2, TF_DT_INT32 = 3, TF_DT_UINT8 = 4, TF_DT_INT64 = 9,
       TF_DT_BOOL = 10 };

#define TF_MAX_NODES 200000

typedef struct tf_attr {
    const uint8_t *key;
    size_t key_len;
    wi_pb_field value; /* the AttrValue message */
} tf_attr;

typedef struct tf_input {
    int node;   /* producer's index */
    int output; /* output index ("name:1" -> 1) */
} tf_input;

typedef struct tf_node {
    char *name;          /* NUL-terminated copy */
    char *op;
    tf_input *inputs;    /* data inputs only; "^control" inputs are dropped */
    int input_count;
    const wi_pb_field *raw_inputs; /* while parsing */
    tf_attr *attrs;
    int attr_count;
} tf_node;

typedef struct tf_ctx {
    tf_node *nodes;
    int count;
    int *table;          /* open-addressing hash: name -> node index, -1 empty */
    size_t table_mask;
    wi_graph *graph;     /* value id i == output 0 of node i */
    size_t const_bytes, const_budget;
    const wi_model_options *opts;
} tf_ctx;

/* "tf: node 'NAME': <message>" */
wi_status tf_fail(wi_error *err, const tf_node *n, wi_status st, const char *fmt, ...) WI_PRINTF(4, 5);

int tf_find_node(const tf_ctx *ctx, const char *name, size_t len);

/* Attribute access. Each returns WI_OK when present and well-formed (*found = 1), WI_OK with
 * *found = 0 when absent, or an error naming the node and attribute. */
wi_status tf_attr_string(const tf_node *n, const char *key, char *out, size_t cap, int *found, wi_error *err);
wi_status tf_attr_int(const tf_node *n, const char *key, int64_t *out, int *found, wi_error *err);
wi_status tf_attr_float(const tf_node *n, const char *key, float *out, int *found, wi_error *err);
wi_status tf_attr_bool(const tf_node *n, const char *key, int *out, int *found, wi_error *err);
wi_status tf_attr_type(const tf_node *n, const char *key, int *out, int *found, wi_error *err);
wi_status tf_attr_int_list(const tf_node *n, const char *key, int64_t *out, int cap, int *count,
                           int *found, wi_error *err);
#define TF_SHORT_STRING 32
/* A list of short strings (fused_ops: "BiasAdd", "Relu6"). */
wi_status tf_attr_string_list(const tf_node *n, const char *key, char (*out)[TF_SHORT_STRING],
                              int cap, int *count, int *found, wi_error *err);
/* Shape: rank -1 for unknown rank; unknown dims are -1. */
wi_status tf_attr_shape(const tf_node *n, const char *key, int64_t *dims, int *rank, int *found,
                        wi_error *err);
wi_status tf_attr_tensor(const tf_node *n, const char *key, wi_pb_field *out, int *found, wi_error *err);

/* Decodes a TensorProto into constant value `vid`. */
wi_status tf_decode_tensor(tf_ctx *ctx, const tf_node *n, const wi_pb_field *tensor, int vid,
                           wi_error *err);

/* Turns node `index` (not Const/Placeholder) into an IR node. */
wi_status tf_map_node(tf_ctx *ctx, int index, wi_error *err);

/* ---- shared by the GraphDef and TF.js front ends (build.c) ---- */

/* A NUL-terminated copy of a node or op name; NULL when empty, over 4096 bytes, holding a
 * NUL, or out of memory. */
char *tf_copy_name(const void *p, size_t n);
/* Allocates room for `count` nodes and the name table (ctx->count stays 0). */
wi_status tf_ctx_alloc(tf_ctx *ctx, int count, wi_error *err);
/* Adds the name of the last node (ctx->nodes[ctx->count - 1]) to the table; fails on a
 * duplicate. */
wi_status tf_ctx_index_last(tf_ctx *ctx, wi_error *err);
/* Frees the nodes and table (not the graph). */
void tf_ctx_free(tf_ctx *ctx);
/* Appends input "name" or "name:k" to n->inputs (room for it allocated by the caller);
 * "^control" inputs are dropped. */
wi_status tf_add_input(tf_ctx *ctx, tf_node *n, const char *s, size_t len, wi_error *err);

/* Fills constant node `index`'s value (value id == index). */
typedef wi_status (*tf_const_fn)(tf_ctx *ctx, int index, void *user, wi_error *err);
/* Every node into the graph (constants through `make_const`), picks the input and output,
 * frees the nodes, and builds the model from ctx->graph, which it takes (also on failure). */
wi_status tf_build_model(tf_ctx *ctx, tf_const_fn make_const, void *user, wi_format format,
                         wi_model **out, wi_error *err);

#endif
