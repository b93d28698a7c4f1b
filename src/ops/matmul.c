/* MatMul of two rank-2 float tensors with transpose_a / transpose_b. With a constant B (a
 * classifier's weights) the product runs as a 1x1 convolution over A's rows, through the conv
 * kernels' GEMM; otherwise (and when folding constants at load) a plain loop. */
#include <math.h>
#include <stdlib.h>
#include "ops/conv.h"

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

wi_status wi_matmul_op_create_kernel(wi_graph *g, wi_node *n, wi_error *err) {
    wi_matmul_params *p = &n->params.matmul;
    const wi_value *a = wi_op_in(g, n, 0), *b = wi_op_in(g, n, 1), *y = wi_op_out(g, n);
    if (p->kernel || p->transpose_a || !b->data || a->data) return WI_OK;
    const int64_t m = y->dims[0], nn = y->dims[1], k = a->dims[1];
    if (m <= 0 || nn <= 0 || k <= 0 || m > INT32_MAX / 2 || nn > INT32_MAX / 2 || k > INT32_MAX / 2)
        return WI_OK;
    wi_conv_geom geom = {.in_h = 1, .in_w = (int)m, .in_c = (int)k,
                         .out_h = 1, .out_w = (int)m, .out_c = (int)nn,
                         .kernel_h = 1, .kernel_w = 1, .stride_h = 1, .stride_w = 1,
                         .dilation_h = 1, .dilation_w = 1};
    const float *filter = b->data; /* [K, N]: already HWIO with H = W = 1 */
    float *transposed = NULL;
    if (p->transpose_b) { /* B is [N, K] */
        transposed = malloc(sizeof(float) * (size_t)(k * nn));
        if (!transposed) return wi_op_fail(err, n, WI_E_OUT_OF_MEMORY, "out of memory packing B");
        for (int64_t j = 0; j < nn; j++)
            for (int64_t t = 0; t < k; t++) transposed[t * nn + j] = ((const float *)b->data)[j * k + t];
        filter = transposed;
    }
    wi_status st = wi_conv_kernel_create(&geom, filter, NULL, -INFINITY, INFINITY, &p->kernel);
    free(transposed);
    if (st != WI_OK)
        return wi_op_fail(err, n, st, st == WI_E_OUT_OF_MEMORY ? "out of memory packing the GEMM kernel"
                                                               : "cannot create the GEMM kernel");
    return WI_OK;
}

static wi_status eval(const wi_graph *g, const wi_node *n, const wi_exec *x) {
    const wi_matmul_params *p = &n->params.matmul;
    if (p->kernel) {
        wi_conv_kernel_run(p->kernel, x->data[n->inputs[0]], x->data[n->output], x->scratch, x->pool);
        return WI_OK;
    }
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
