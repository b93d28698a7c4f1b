/* Conv2D and DepthwiseConv2dNative, NHWC with batch 1.
 * Inputs: x [1,H,W,C_in], filter (const) [KH,KW,C_in,C_out] or, depthwise, [KH,KW,C,M], and
 * after bias fusion a const bias [C_out]. The work is done by a wi_conv_kernel created once
 * after the passes (wi_conv_op_create_kernel); a depthwise channel multiplier above 1 has no
 * kernel and runs the direct loop below. */
#include <math.h>
#include <stdlib.h>
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

wi_status wi_conv_op_create_kernel(wi_graph *g, wi_node *n, wi_error *err) {
    wi_conv_params *p = &n->params.conv;
    if (p->kernel) return WI_OK;
    if (n->op == WI_OP_DEPTHWISE_CONV2D && p->channel_multiplier != 1) return WI_OK;
    wi_conv_geom geom;
    wi_conv_op_geom(g, n, &geom);
    const float *bias = n->input_count > 2 ? g->values[n->inputs[2]].data : NULL;
    wi_status st = wi_conv_kernel_create(&geom, g->values[n->inputs[1]].data, bias, p->act_min,
                                         p->act_max, &p->kernel);
    if (st != WI_OK) return wi_op_fail(err, n, st, "cannot create the convolution kernel");
    return WI_OK;
}

int64_t wi_conv_op_macs(const wi_graph *g, const wi_node *n) {
    const wi_value *w = &g->values[n->inputs[1]], *y = &g->values[n->output];
    int64_t per_output = w->dims[0] * w->dims[1] * (n->op == WI_OP_CONV2D ? w->dims[2] : 1);
    return wi_value_elements(y) * per_output;
}

/* Depthwise with channel multiplier M: output channel c*M+m reads input channel c. */
static void depthwise_multiplier(const wi_conv_geom *g, int mult, const float *in,
                                 const float *filter, const float *bias, float lo, float hi,
                                 float *out) {
    for (int oy = 0; oy < g->out_h; oy++)
        for (int ox = 0; ox < g->out_w; ox++) {
            float *o = out + ((size_t)oy * g->out_w + ox) * g->out_c;
            for (int oc = 0; oc < g->out_c; oc++) o[oc] = bias ? bias[oc] : 0.0f;
            for (int ky = 0; ky < g->kernel_h; ky++) {
                int iy = oy * g->stride_h - g->pad_top + ky * g->dilation_h;
                if (iy < 0 || iy >= g->in_h) continue;
                for (int kx = 0; kx < g->kernel_w; kx++) {
                    int ix = ox * g->stride_w - g->pad_left + kx * g->dilation_w;
                    if (ix < 0 || ix >= g->in_w) continue;
                    const float *i = in + ((size_t)iy * g->in_w + ix) * g->in_c;
                    const float *w = filter + ((size_t)ky * g->kernel_w + kx) * g->out_c;
                    for (int oc = 0; oc < g->out_c; oc++) o[oc] += i[oc / mult] * w[oc];
                }
            }
            for (int oc = 0; oc < g->out_c; oc++) o[oc] = o[oc] < lo ? lo : (o[oc] > hi ? hi : o[oc]);
        }
}

static wi_status eval(const wi_graph *g, const wi_node *n, const wi_exec *x) {
    const wi_conv_params *p = &n->params.conv;
    const float *in = x->data[n->inputs[0]];
    float *out = x->data[n->output];
    if (p->kernel) {
        wi_conv_kernel_run(p->kernel, in, out, x->scratch, x->pool);
        return WI_OK;
    }
    if (n->op != WI_OP_DEPTHWISE_CONV2D) return WI_E_INTERNAL; /* kernel missing */
    wi_conv_geom geom;
    wi_conv_op_geom(g, n, &geom);
    const float *bias = n->input_count > 2 ? x->data[n->inputs[2]] : NULL;
    depthwise_multiplier(&geom, p->channel_multiplier, in, x->data[n->inputs[1]], bias,
                         p->act_min, p->act_max, out);
    return WI_OK;
}

const wi_op_def wi_op_conv2d = {2, 3, prepare, eval, 0};
const wi_op_def wi_op_depthwise_conv2d = {2, 3, prepare, eval, 0};
