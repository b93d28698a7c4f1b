/* Relu and Relu6: clamps to [0, +INF) and [0, 6]. Usually fused into the convolution before
 * it; these run when the producer is something else. */
#include "ops/op.h"

static wi_status prepare(wi_graph *g, wi_node *n, wi_error *err) {
    wi_status st = wi_op_want_float(g, n, 0, -1, err);
    return st != WI_OK ? st : wi_op_same_shape(g, n, err);
}

static void clamp(const wi_graph *g, const wi_node *n, const wi_exec *x, float hi) {
    const float *in = x->data[n->inputs[0]];
    float *out = x->data[n->output];
    int64_t count = wi_value_elements(&g->values[n->output]);
    for (int64_t i = 0; i < count; i++) {
        float v = in[i];
        out[i] = v < 0.0f ? 0.0f : (v > hi ? hi : v);
    }
}

static wi_status eval_relu(const wi_graph *g, const wi_node *n, const wi_exec *x) {
    clamp(g, n, x, __builtin_inff());
    return WI_OK;
}
static wi_status eval_relu6(const wi_graph *g, const wi_node *n, const wi_exec *x) {
    clamp(g, n, x, 6.0f);
    return WI_OK;
}

const wi_op_def wi_op_relu = {1, 1, prepare, eval_relu, 1};
const wi_op_def wi_op_relu6 = {1, 1, prepare, eval_relu6, 1};
