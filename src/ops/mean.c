/* Mean over constant axes (reduction_indices), with keep_dims. Sums in input order so native
 * and wasm builds agree bit for bit. */
#include <string.h>
#include "ops/op.h"

static wi_status prepare(wi_graph *g, wi_node *n, wi_error *err) {
    wi_reduce_params *p = &n->params.reduce;
    wi_status st = wi_op_want_float(g, n, 0, -1, err);
    if (st != WI_OK) return st;
    const wi_value *x = wi_op_in(g, n, 0), *a = wi_op_in(g, n, 1);
    int64_t axes[WI_MAX_RANK];
    int count = wi_value_const_ints(a, axes, WI_MAX_RANK);
    if (count < 0)
        return wi_op_fail(err, n, WI_E_UNSUPPORTED, "axes '%s' are not a small integer constant",
                          a->name);
    memset(p->axes, 0, sizeof p->axes);
    for (int i = 0; i < count; i++) {
        int64_t ax = axes[i] < 0 ? axes[i] + x->rank : axes[i];
        if (ax < 0 || ax >= x->rank)
            return wi_op_fail(err, n, WI_E_MALFORMED, "axis %lld out of range for rank %d",
                              (long long)axes[i], x->rank);
        p->axes[ax] = 1;
    }
    int64_t dims[WI_MAX_RANK];
    int rank = 0;
    for (int i = 0; i < x->rank; i++) {
        if (!p->axes[i]) dims[rank++] = x->dims[i];
        else if (p->keep_dims) dims[rank++] = 1;
    }
    return wi_value_set_shape(g, wi_op_out(g, n), WI_DTYPE_FLOAT32, rank, dims, err);
}

static wi_status eval(const wi_graph *g, const wi_node *n, const wi_exec *x) {
    const wi_reduce_params *p = &n->params.reduce;
    const wi_value *xi = &g->values[n->inputs[0]], *y = &g->values[n->output];
    const float *in = x->data[n->inputs[0]];
    float *out = x->data[n->output];
    int64_t out_count = wi_value_elements(y), in_count = wi_value_elements(xi);
    /* output stride of each input axis (0 along reduced axes) */
    int64_t ostride[WI_MAX_RANK], idx[WI_MAX_RANK] = {0}, s = 1;
    for (int i = xi->rank - 1; i >= 0; i--) {
        ostride[i] = p->axes[i] ? 0 : s;
        if (!p->axes[i]) s *= xi->dims[i];
    }
    for (int64_t i = 0; i < out_count; i++) out[i] = 0.0f;
    int64_t o = 0;
    for (int64_t i = 0; i < in_count; i++) {
        out[o] += in[i];
        for (int d = xi->rank - 1; d >= 0; d--) {
            idx[d]++;
            o += ostride[d];
            if (idx[d] < xi->dims[d]) break;
            o -= ostride[d] * idx[d];
            idx[d] = 0;
        }
    }
    float reduced = out_count ? (float)(in_count / out_count) : 1.0f;
    for (int64_t i = 0; i < out_count; i++) out[i] /= reduced;
    return WI_OK;
}

const wi_op_def wi_op_mean = {2, 2, prepare, eval, 1};
