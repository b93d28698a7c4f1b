/* Conv2D and DepthwiseConv2dNative, NHWC with batch 1.
 * Inputs: x [1,H,W,C_in], filter (const) [KH,KW,C_in,C_out] or, depthwise, [KH,KW,C,M], and
 * after bias fusion a const bias [C_out]. The work is done by a wi_conv_kernel created once
 * after the passes (wi_conv_op_create_kernel). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/checked.h"
#include "ops/conv.h"

static wi_status prepare(wi_graph *g, wi_node *n, wi_error *err) {
    wi_conv_params *p = &n->params.conv;
    int depthwise = n->op == WI_OP_DEPTHWISE_CONV2D;
    wi_status st = wi_op_want_float(g, n, 0, 4, err);
    if (st == WI_OK) st = wi_op_want_float(g, n, 1, 4, err);
    if (st != WI_OK) return st;
    const wi_value *x = wi_op_in(g, n, 0), *w = wi_op_in(g, n, 1);
    if (!w->data) return wi_op_fail(err, n, WI_E_UNSUPPORTED, "filter '%s' is not a constant", w->name);
    if (x->dims[0] != 1)
        return wi_op_fail(err, n, WI_E_UNSUPPORTED, "batch %lld (only batch 1 runs)",
                          (long long)x->dims[0]);
    if (x->dims[3] <= 0 || w->dims[3] <= 0)
        return wi_op_fail(err, n, WI_E_MALFORMED, "zero channels");
    if (w->dims[2] != x->dims[3])
        return wi_op_fail(err, n, WI_E_MALFORMED, "filter expects %lld input channels, got %lld",
                          (long long)w->dims[2], (long long)x->dims[3]);
    int64_t out_c = w->dims[3];
    if (depthwise) {
        if (!wi_mul_i64(w->dims[2], w->dims[3], &out_c))
            return wi_op_fail(err, n, WI_E_LIMIT, "too many output channels");
        p->channel_multiplier = (int)w->dims[3];
    }
    if (x->dims[1] > INT32_MAX / 2 || x->dims[2] > INT32_MAX / 2 || out_c > INT32_MAX / 2 ||
        x->dims[3] > INT32_MAX / 2 || out_c <= 0)
        return wi_op_fail(err, n, WI_E_LIMIT, "sizes out of range");
    int64_t oh, ow;
    if (!wi_resolve_padding(x->dims[1], w->dims[0], p->stride_h, p->dilation_h, p->padding, &oh,
                            &p->pad_top) ||
        !wi_resolve_padding(x->dims[2], w->dims[1], p->stride_w, p->dilation_w, p->padding, &ow,
                            &p->pad_left))
        return wi_op_fail(err, n, WI_E_MALFORMED,
                          "window %lldx%lld (stride %d, dilation %d) does not fit input %lldx%lld",
                          (long long)w->dims[0], (long long)w->dims[1], p->stride_h,
                          p->dilation_h, (long long)x->dims[1], (long long)x->dims[2]);
    if (n->input_count > 2) {
        const wi_value *b = wi_op_in(g, n, 2);
        if (!b->data || b->dtype != WI_DTYPE_FLOAT32 || wi_value_elements(b) != out_c)
            return wi_op_fail(err, n, WI_E_INTERNAL, "fused bias '%s' does not match", b->name);
    }
    int64_t dims[4] = {1, oh, ow, out_c};
    return wi_value_set_shape(g, wi_op_out(g, n), WI_DTYPE_FLOAT32, 4, dims, err);
}

void wi_conv_op_geom(const wi_graph *g, const wi_node *n, wi_conv_geom *geom) {
    const wi_conv_params *p = &n->params.conv;
    const wi_value *x = &g->values[n->inputs[0]], *w = &g->values[n->inputs[1]];
    const wi_value *y = &g->values[n->output];
    geom->in_h = (int)x->dims[1];
    geom->in_w = (int)x->dims[2];
    geom->in_c = (int)x->dims[3];
    geom->out_h = (int)y->dims[1];
    geom->out_w = (int)y->dims[2];
    geom->out_c = (int)y->dims[3];
    geom->kernel_h = (int)w->dims[0];
    geom->kernel_w = (int)w->dims[1];
    geom->stride_h = p->stride_h;
    geom->stride_w = p->stride_w;
    geom->dilation_h = p->dilation_h;
    geom->dilation_w = p->dilation_w;
    geom->pad_top = p->pad_top;
    geom->pad_left = p->pad_left;
    geom->depthwise = n->op == WI_OP_DEPTHWISE_CONV2D;
}

/* A depthwise filter [KH,KW,C,M] with M > 1 as the dense [KH,KW,C,C*M] filter of the same
 * convolution (output channel c*M+m reads only input channel c), as kernels.h asks: the
 * kernels run multiplier 1 only. Costs C times the work; such models are rare. */
static wi_status expand_multiplier(const wi_graph *g, const wi_node *n, wi_conv_geom *geom,
                                   float **dense, wi_error *err) {
    const wi_value *w = &g->values[n->inputs[1]];
    const int64_t taps = w->dims[0] * w->dims[1], c_n = w->dims[2], m_n = w->dims[3];
    int64_t count;
    if (!wi_mul_i64(taps * c_n, c_n * m_n, &count) || count > g->max_elements)
        return wi_op_fail(err, n, WI_E_UNSUPPORTED,
                          "channel multiplier %lld over %lld channels is too large to expand",
                          (long long)m_n, (long long)c_n);
    *dense = calloc((size_t)count, sizeof(float));
    if (!*dense) return wi_op_fail(err, n, WI_E_OUT_OF_MEMORY, "out of memory expanding the filter");
    const unsigned char *src = w->data; /* may be borrowed: any alignment */
    const float *scale = n->params.conv.filter_scale;
    for (int64_t t = 0; t < taps; t++)
        for (int64_t c = 0; c < c_n; c++)
            for (int64_t m = 0; m < m_n; m++) {
                float x;
                memcpy(&x, src + sizeof(float) * (size_t)((t * c_n + c) * m_n + m), sizeof x);
                if (scale) x *= scale[c * m_n + m];
                (*dense)[(t * c_n + c) * c_n * m_n + c * m_n + m] = x;
            }
    geom->depthwise = 0;
    return WI_OK;
}

wi_status wi_conv_op_create_kernel(wi_graph *g, wi_node *n, wi_error *err) {
    wi_conv_params *p = &n->params.conv;
    if (p->kernel) return WI_OK;
    /* the filter may still be the model file's bytes, with a folded batch norm's scale
     * pending: the kernel reads it byte-wise and scales it as it packs */
    wi_conv_filter filter = {g->values[n->inputs[1]].data, p->filter_scale};
    if (!filter.data) return wi_op_fail(err, n, WI_E_INTERNAL, "filter data is gone");
    wi_conv_geom geom;
    wi_conv_op_geom(g, n, &geom);
    float *dense = NULL;
    if (n->op == WI_OP_DEPTHWISE_CONV2D && p->channel_multiplier != 1) {
        wi_status st = expand_multiplier(g, n, &geom, &dense, err);
        if (st != WI_OK) return st;
        filter = (wi_conv_filter){dense, NULL}; /* scaled while expanding */
    }
    const float *bias = n->input_count > 2 ? g->values[n->inputs[2]].data : NULL;
    wi_status st = wi_conv_kernel_create_from(&geom, filter, bias, p->act_min, p->act_max, &p->kernel);
    free(dense);
    if (st != WI_OK)
        return wi_op_fail(err, n, st, st == WI_E_OUT_OF_MEMORY ? "out of memory packing the convolution kernel"
                                                               : "cannot create the convolution kernel");
    return WI_OK;
}

int64_t wi_conv_op_macs(const wi_graph *g, const wi_node *n) {
    const wi_value *w = &g->values[n->inputs[1]], *y = &g->values[n->output];
    int64_t per_output = w->dims[0] * w->dims[1] * (n->op == WI_OP_CONV2D ? w->dims[2] : 1);
    return wi_value_elements(y) * per_output;
}

static wi_status eval(const wi_graph *g, const wi_node *n, const wi_exec *x) {
    const wi_conv_params *p = &n->params.conv;
    const wi_conv_kernel *kernel = p->kernel;
    if (!kernel) return WI_E_INTERNAL; /* created by the model builder after the passes */
    const float *residual = p->residual ? x->data[n->inputs[n->input_count - 1]] : NULL;
    if (p->block) { /* a fused inverted-residual block (ir/fuse-blocks.c) */
        wi_block_kernel_run(p->block, x->data[n->inputs[0]], residual, x->data[n->output],
                            x->scratch, x->pool);
        return WI_OK;
    }
    /* the ops folded into the epilogue (ir/fuse-epilogues.c) */
    const wi_quant_params *qp = &p->quant_before, *qa = &p->quant_after;
    const wi_fake_quant before = {qp->scale, qp->zero_point, qp->qmin, qp->qmax};
    const wi_fake_quant after = {qa->scale, qa->zero_point, qa->qmin, qa->qmax};
    const wi_conv_epilogue epi = {p->has_quant_before ? &before : NULL, residual,
                                  p->has_quant_after ? &after : NULL};
    wi_conv_kernel_run_ex(kernel, x->data[n->inputs[0]], &epi, x->data[n->output], x->scratch,
                          x->pool);
    return WI_OK;
}

const wi_op_def wi_op_conv2d = {2, 3, prepare, eval, 0};
const wi_op_def wi_op_depthwise_conv2d = {2, 3, prepare, eval, 0};
