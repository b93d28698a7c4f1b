/* AvgPool and MaxPool, NHWC with batch 1. TF's SAME average excludes the padding from the
 * divisor; max ignores it. */
#include <float.h>
#include "ops/op.h"

static wi_status prepare(wi_graph *g, wi_node *n, wi_error *err) {
    wi_pool_params *p = &n->params.pool;
    wi_status st = wi_op_want_float(g, n, 0, 4, err);
    if (st != WI_OK) return st;
    const wi_value *x = wi_op_in(g, n, 0);
    if (x->dims[0] != 1)
        return wi_op_fail(err, n, WI_E_UNSUPPORTED, "batch %lld (only batch 1 runs)",
                          (long long)x->dims[0]);
    int64_t oh, ow;
    if (!wi_resolve_padding(x->dims[1], p->kernel_h, p->stride_h, 1, p->padding, &oh, &p->pad_top) ||
        !wi_resolve_padding(x->dims[2], p->kernel_w, p->stride_w, 1, p->padding, &ow, &p->pad_left))
        return wi_op_fail(err, n, WI_E_MALFORMED, "window %dx%d (stride %d) does not fit input %lldx%lld",
                          p->kernel_h, p->kernel_w, p->stride_h, (long long)x->dims[1],
                          (long long)x->dims[2]);
    int64_t dims[4] = {1, oh, ow, x->dims[3]};
    return wi_value_set_shape(g, wi_op_out(g, n), WI_DTYPE_FLOAT32, 4, dims, err);
}

static wi_status eval_pool(const wi_graph *g, const wi_node *n, const wi_exec *x, int is_max) {
    const wi_pool_params *p = &n->params.pool;
    const wi_value *xi = &g->values[n->inputs[0]], *y = &g->values[n->output];
    const int in_h = (int)xi->dims[1], in_w = (int)xi->dims[2], c_n = (int)xi->dims[3];
    const int out_h = (int)y->dims[1], out_w = (int)y->dims[2];
    const float *in = x->data[n->inputs[0]];
    float *out = x->data[n->output];
    for (int oy = 0; oy < out_h; oy++)
        for (int ox = 0; ox < out_w; ox++) {
            float *o = out + ((size_t)oy * out_w + ox) * c_n;
            int y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
            int y1 = y0 + p->kernel_h, x1 = x0 + p->kernel_w;
            if (y0 < 0) y0 = 0;
            if (x0 < 0) x0 = 0;
            if (y1 > in_h) y1 = in_h;
            if (x1 > in_w) x1 = in_w;
            for (int c = 0; c < c_n; c++) o[c] = is_max ? -FLT_MAX : 0.0f;
            for (int iy = y0; iy < y1; iy++)
                for (int ix = x0; ix < x1; ix++) {
                    const float *i = in + ((size_t)iy * in_w + ix) * c_n;
                    if (is_max) {
                        for (int c = 0; c < c_n; c++) o[c] = i[c] > o[c] ? i[c] : o[c];
                    } else {
                        for (int c = 0; c < c_n; c++) o[c] += i[c];
                    }
                }
            if (!is_max) {
                float count = (float)((y1 - y0) * (x1 - x0));
                for (int c = 0; c < c_n; c++) o[c] /= count;
            }
        }
    return WI_OK;
}

static wi_status eval_avg(const wi_graph *g, const wi_node *n, const wi_exec *x) {
    return eval_pool(g, n, x, 0);
}
static wi_status eval_max(const wi_graph *g, const wi_node *n, const wi_exec *x) {
    return eval_pool(g, n, x, 1);
}

const wi_op_def wi_op_avg_pool = {1, 1, prepare, eval_avg, 1};
const wi_op_def wi_op_max_pool = {1, 1, prepare, eval_max, 1};
