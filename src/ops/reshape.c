/* Reshape to a constant shape with at most one -1 (inferred); 0 is a real zero, as in TF. */
#include "core/checked.h"
#include "ops/op.h"

static wi_status prepare(wi_graph *g, wi_node *n, wi_error *err) {
    const wi_value *x = wi_op_in(g, n, 0), *s = wi_op_in(g, n, 1);
    int64_t dims[WI_MAX_RANK];
    if (s->rank > 1) return wi_op_fail(err, n, WI_E_MALFORMED, "shape '%s' is not a vector", s->name);
    int rank = wi_value_const_ints(s, dims, WI_MAX_RANK);
    if (rank < 0)
        return wi_op_fail(err, n, WI_E_UNSUPPORTED,
                          "shape '%s' is not an integer constant of rank <= %d", s->name, WI_MAX_RANK);
    int64_t total = wi_value_elements(x), known = 1;
    int unknown = -1;
    for (int i = 0; i < rank; i++) {
        if (dims[i] == -1 && unknown < 0) {
            unknown = i;
        } else if (dims[i] < 0) {
            return wi_op_fail(err, n, WI_E_MALFORMED, "bad target dimension %lld", (long long)dims[i]);
        } else {
            if (!wi_mul_i64(known, dims[i], &known) || known > g->max_elements)
                return wi_op_fail(err, n, WI_E_LIMIT, "target shape has too many elements");
        }
    }
    if (unknown >= 0) {
        if (known == 0 || total % known)
            return wi_op_fail(err, n, WI_E_MALFORMED, "cannot infer -1 for %lld elements",
                              (long long)total);
        dims[unknown] = total / known;
    } else if (known != total) {
        return wi_op_fail(err, n, WI_E_MALFORMED, "%lld elements cannot become %lld",
                          (long long)total, (long long)known);
    }
    return wi_value_set_shape(g, wi_op_out(g, n), x->dtype, rank, dims, err);
}

const wi_op_def wi_op_reshape = {2, 2, prepare, wi_op_eval_copy, 1};
