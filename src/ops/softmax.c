/* Softmax over the last axis: exp(x - max) / sum, summed in order (deterministic). */
#include <math.h>
#include "ops/op.h"

static wi_status prepare(wi_graph *g, wi_node *n, wi_error *err) {
    wi_status st = wi_op_want_float(g, n, 0, -1, err);
    if (st != WI_OK) return st;
    if (wi_op_in(g, n, 0)->rank < 1) return wi_op_fail(err, n, WI_E_MALFORMED, "input is a scalar");
    return wi_op_same_shape(g, n, err);
}

static wi_status eval(const wi_graph *g, const wi_node *n, const wi_exec *x) {
    const wi_value *y = &g->values[n->output];
    const float *in = x->data[n->inputs[0]];
    float *out = x->data[n->output];
    int64_t depth = y->dims[y->rank - 1], count = wi_value_elements(y);
    if (depth == 0) return WI_OK;
    for (int64_t r = 0; r < count; r += depth) {
        float max = in[r];
        for (int64_t i = 1; i < depth; i++) max = in[r + i] > max ? in[r + i] : max;
        float sum = 0.0f;
        for (int64_t i = 0; i < depth; i++) {
            out[r + i] = expf(in[r + i] - max);
            sum += out[r + i];
        }
        for (int64_t i = 0; i < depth; i++) out[r + i] /= sum;
    }
    return WI_OK;
}

const wi_op_def wi_op_softmax = {1, 1, prepare, eval, 1};
