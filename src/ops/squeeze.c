/* Squeeze: drops the listed size-1 dims (squeeze_dims), or every size-1 dim. */
#include "ops/op.h"

static wi_status prepare(wi_graph *g, wi_node *n, wi_error *err) {
    const wi_squeeze_params *p = &n->params.squeeze;
    const wi_value *x = wi_op_in(g, n, 0);
    int drop[WI_MAX_RANK] = {0};
    for (int i = 0; i < p->count; i++) {
        int d = p->dims[i] < 0 ? p->dims[i] + x->rank : p->dims[i];
        if (d < 0 || d >= x->rank)
            return wi_op_fail(err, n, WI_E_MALFORMED, "squeeze dim %d out of range for rank %d",
                              p->dims[i], x->rank);
        if (x->dims[d] != 1)
            return wi_op_fail(err, n, WI_E_MALFORMED, "dim %d has size %lld, not 1", p->dims[i],
                              (long long)x->dims[d]);
        drop[d] = 1;
    }
    int64_t dims[WI_MAX_RANK];
    int rank = 0;
    for (int i = 0; i < x->rank; i++)
        if (!(p->count ? drop[i] : x->dims[i] == 1)) dims[rank++] = x->dims[i];
    return wi_value_set_shape(g, wi_op_out(g, n), x->dtype, rank, dims, err);
}

const wi_op_def wi_op_squeeze = {1, 1, prepare, wi_op_eval_copy, 1};
