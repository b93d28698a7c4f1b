/* BiasAdd: x [..., C] + bias [C] (NHWC only). */
#include "ops/broadcast.h"

static wi_status prepare(wi_graph *g, wi_node *n, wi_error *err) {
    wi_status st = wi_op_want_float(g, n, 0, -1, err);
    if (st == WI_OK) st = wi_op_want_float(g, n, 1, 1, err);
    if (st != WI_OK) return st;
    const wi_value *x = wi_op_in(g, n, 0), *b = wi_op_in(g, n, 1);
    if (x->rank < 1 || x->dims[x->rank - 1] != b->dims[0])
        return wi_op_fail(err, n, WI_E_MALFORMED, "bias has %lld elements for %lld channels",
                          (long long)b->dims[0], (long long)(x->rank ? x->dims[x->rank - 1] : 0));
    return wi_op_same_shape(g, n, err);
}

static wi_status eval(const wi_graph *g, const wi_node *n, const wi_exec *x) {
    wi_broadcast_eval(&g->values[n->inputs[0]], &g->values[n->inputs[1]], &g->values[n->output],
                      x->data[n->inputs[0]], x->data[n->inputs[1]], x->data[n->output],
                      WI_BINARY_ADD);
    return WI_OK;
}

const wi_op_def wi_op_bias_add = {2, 2, prepare, eval, 1};
