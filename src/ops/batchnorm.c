/* FusedBatchNorm (V1/V2/V3) in inference form over the last (channel) axis:
 *   y = (x - mean) * scale / sqrt(variance + epsilon) + offset
 * Usually folded into the convolution before it (ir/fold-batchnorm.c); this runs otherwise. */
#include <math.h>
#include "ops/op.h"

static wi_status prepare(wi_graph *g, wi_node *n, wi_error *err) {
    wi_status st = wi_op_want_float(g, n, 0, -1, err);
    if (st != WI_OK) return st;
    const wi_value *x = wi_op_in(g, n, 0);
    if (x->rank < 1) return wi_op_fail(err, n, WI_E_MALFORMED, "input is a scalar");
    int64_t c = x->dims[x->rank - 1];
    for (int i = 1; i < 5; i++) {
        if ((st = wi_op_want_float(g, n, i, 1, err)) != WI_OK) return st;
        const wi_value *p = wi_op_in(g, n, i);
        if (p->dims[0] != c)
            return wi_op_fail(err, n, WI_E_MALFORMED, "'%s' has %lld elements for %lld channels",
                              p->name, (long long)p->dims[0], (long long)c);
    }
    return wi_op_same_shape(g, n, err);
}

/* The per-channel scale and shift, as the fold pass also computes them. */
void wi_batchnorm_coefficients(float gamma, float beta, float mean, float variance, float epsilon,
                               float *scale, float *shift) {
    *scale = gamma / sqrtf(variance + epsilon);
    *shift = beta - mean * *scale;
}

static wi_status eval(const wi_graph *g, const wi_node *n, const wi_exec *x) {
    const wi_value *out = &g->values[n->output];
    const float *in = x->data[n->inputs[0]];
    const float *gamma = x->data[n->inputs[1]], *beta = x->data[n->inputs[2]];
    const float *mean = x->data[n->inputs[3]], *var = x->data[n->inputs[4]];
    float *o = x->data[n->output];
    int64_t c = out->dims[out->rank - 1], count = wi_value_elements(out);
    for (int64_t i = 0; i < count; i += c)
        for (int64_t k = 0; k < c; k++) {
            float scale, shift;
            wi_batchnorm_coefficients(gamma[k], beta[k], mean[k], var[k],
                                      n->params.batchnorm.epsilon, &scale, &shift);
            o[i + k] = in[i + k] * scale + shift;
        }
    return WI_OK;
}

const wi_op_def wi_op_batchnorm = {5, 5, prepare, eval, 1};
