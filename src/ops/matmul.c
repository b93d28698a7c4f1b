/* MatMul of two rank-2 float tensors with transpose_a / transpose_b. */
#include "ops/op.h"

static wi_status prepare(wi_graph *g, wi_node *n, wi_error *err) {
    const wi_matmul_params *p = &n->params.matmul;
    wi_status st = wi_op_want_float(g, n, 0, 2, err);
    if (st == WI_OK) st = wi_op_want_float(g, n, 1, 2, err);
    if (st != WI_OK) return st;
    const wi_value *a = wi_op_in(g, n, 0), *b = wi_op_in(g, n, 1);
    int64_t m = p->transpose_a ? a->dims[1] : a->dims[0];
    int64_t ka = p->transpose_a ? a->dims[0] : a->dims[1];
    int64_t kb = p->transpose_b ? b->dims[1] : b->dims[0];
    int64_t nn = p->transpose_b ? b->dims[0] : b->dims[1];
    if (ka != kb)
        return wi_op_fail(err, n, WI_E_MALFORMED, "inner dimensions %lld and %lld differ",
                          (long long)ka, (long long)kb);
    int64_t dims[2] = {m, nn};
    return wi_value_set_shape(g, wi_op_out(g, n), WI_DTYPE_FLOAT32, 2, dims, err);
}

static wi_status eval(const wi_graph *g, const wi_node *n, const wi_exec *x) {
    const wi_matmul_params *p = &n->params.matmul;
    const wi_value *a = &g->values[n->inputs[0]], *y = &g->values[n->output];
    const float *pa = x->data[n->inputs[0]], *pb = x->data[n->inputs[1]];
    float *out = x->data[n->output];
    const int64_t m = y->dims[0], nn = y->dims[1];
    const int64_t k = p->transpose_a ? a->dims[0] : a->dims[1];
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < nn; j++) {
            float sum = 0.0f;
            for (int64_t t = 0; t < k; t++) {
                float av = p->transpose_a ? pa[t * m + i] : pa[i * k + t];
                float bv = p->transpose_b ? pb[j * k + t] : pb[t * nn + j];
                sum += av * bv;
            }
            out[i * nn + j] = sum;
        }
    return WI_OK;
}

int64_t wi_matmul_op_macs(const wi_graph *g, const wi_node *n) {
    const wi_value *a = &g->values[n->inputs[0]];
    int64_t k = n->params.matmul.transpose_a ? a->dims[0] : a->dims[1];
    return wi_value_elements(&g->values[n->output]) * k;
}

const wi_op_def wi_op_matmul = {2, 2, prepare, eval, 1};
