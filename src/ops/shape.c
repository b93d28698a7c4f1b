/* Shape: every shape is static after shape inference, so the result is a constant at load. */
#include <stdlib.h>
#include "ops/op.h"

static wi_status prepare(wi_graph *g, wi_node *n, wi_error *err) {
    const wi_value *x = wi_op_in(g, n, 0);
    wi_value *y = wi_op_out(g, n);
    int64_t dims[1] = {x->rank};
    wi_status st = wi_value_set_shape(g, y, WI_DTYPE_INT32, 1, dims, err);
    if (st != WI_OK) return st;
    int32_t *data = malloc(sizeof(int32_t) * (size_t)(x->rank ? x->rank : 1));
    if (!data) return wi_op_fail(err, n, WI_E_OUT_OF_MEMORY, "out of memory");
    for (int i = 0; i < x->rank; i++) {
        if (x->dims[i] > INT32_MAX) {
            free(data);
            return wi_op_fail(err, n, WI_E_LIMIT, "dimension does not fit int32");
        }
        data[i] = (int32_t)x->dims[i];
    }
    free(y->data);
    y->data = data;
    return WI_OK;
}

static wi_status eval(const wi_graph *g, const wi_node *n, const wi_exec *x) {
    (void)g; (void)n; (void)x;
    return WI_OK; /* the output is the constant prepare computed */
}

const wi_op_def wi_op_shape = {1, 1, prepare, eval, 1};
