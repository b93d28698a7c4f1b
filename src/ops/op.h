/* op.h - the op interface (TFLite Micro's split): `prepare` validates a node's inputs and
 * parameters and derives everything (output dtype and shape, resolved padding) once at load;
 * `eval` computes the output from buffers the runtime hands it and never allocates.
 *
 * One op per file in src/ops; wi_op_get maps an op kind to its definition. */
#ifndef WI_OPS_OP_H
#define WI_OPS_OP_H

#include "core/error.h"
#include "ir/graph.h"
#include "kernels.h"

/* What eval sees: a buffer per value id (constants' data or a slice of the session arena),
 * the session's conv scratch and thread pool. */
typedef struct wi_exec {
    void *const *data;
    void *scratch;
    wi_threadpool *pool;
} wi_exec;

typedef struct wi_op_def {
    int min_inputs, max_inputs;
    /* Validates the node and sets its output value's dtype and shape (or, for ops whose
     * result is known at load such as Shape, its constant data). */
    wi_status (*prepare)(wi_graph *g, wi_node *n, wi_error *err);
    wi_status (*eval)(const wi_graph *g, const wi_node *n, const wi_exec *x);
    /* May the constant folder evaluate this op at load? */
    int foldable;
} wi_op_def;

const wi_op_def *wi_op_get(wi_op_kind op);

/* Runs the op's input-count check and prepare, prefixing errors with the node's name. */
wi_status wi_op_prepare(wi_graph *g, wi_node *n, wi_error *err);

/* ---- helpers shared by the ops ---- */

/* "node 'NAME' (Origin): <message>" */
wi_status wi_op_fail(wi_error *err, const wi_node *n, wi_status status, const char *fmt, ...)
    WI_PRINTF(4, 5);

static inline wi_value *wi_op_in(wi_graph *g, const wi_node *n, int i) {
    return &g->values[n->inputs[i]];
}
static inline wi_value *wi_op_out(wi_graph *g, const wi_node *n) {
    return &g->values[n->output];
}

/* Checks that input i is float32 with the given rank (-1: any). */
wi_status wi_op_want_float(wi_graph *g, const wi_node *n, int i, int rank, wi_error *err);

/* Resolves TensorFlow SAME/VALID padding along one axis: output size and padding before.
 * Fails (returns false) when the window does not fit (VALID with a kernel larger than the
 * input) or sizes are not positive. */
bool wi_resolve_padding(int64_t in, int64_t kernel, int64_t stride, int64_t dilation,
                        wi_padding padding, int64_t *out, int *pad_before);

/* A node's output shaped like its first input (elementwise ops). */
wi_status wi_op_same_shape(wi_graph *g, wi_node *n, wi_error *err);

/* Copies input 0's bytes to the output when they are different buffers (Identity, Reshape,
 * Squeeze: the layout does not change). */
wi_status wi_op_eval_copy(const wi_graph *g, const wi_node *n, const wi_exec *x);

#endif
