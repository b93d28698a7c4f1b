/* Clip (ONNX): clamps to [min, max] from the params; Relu/Relu6-shaped clips are mapped to
 * those ops by the loader so the fusion pass can fold them into the convolution. */
#include "ops/op.h"

static wi_status prepare(wi_graph *g, wi_node *n, wi_error *err) {
    wi_status st = wi_op_want_float(g, n, 0, -1, err);
    if (st != WI_OK) return st;
    if (!(n->params.clip.min <= n->params.clip.max))
        return wi_op_fail(err, n, WI_E_MALFORMED, "min %g above max %g", n->params.clip.min,
                          n->params.clip.max);
    return wi_op_same_shape(g, n, err);
}

static wi_status eval(const wi_graph *g, const wi_node *n, const wi_exec *x) {
    const float *in = x->data[n->inputs[0]];
    float *out = x->data[n->output];
    const float lo = n->params.clip.min, hi = n->params.clip.max;
    int64_t count = wi_value_elements(&g->values[n->output]);
    for (int64_t i = 0; i < count; i++) {
        float v = in[i];
        out[i] = v < lo ? lo : (v > hi ? hi : v);
    }
    return WI_OK;
}

const wi_op_def wi_op_clip = {1, 1, prepare, eval, 1};
