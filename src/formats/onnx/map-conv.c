/* Conv, pooling and batch normalization: NCHW ONNX ops onto the engine's NHWC ones.
 * Conv weights OIHW become HWIO (group 1) or depthwise HWC*M (group == channels); ONNX's
 * explicit pads become the engine's SAME or VALID when they compute the same thing for this
 * input size, else a zero Pad before a VALID window. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "formats/onnx/onnx.h"

/* The window attributes shared by Conv and the pools. */
typedef struct window {
    int64_t kernel[2], stride[2], dilation[2], pads[4]; /* pads: top, left, bottom, right */
    char auto_pad[16];
} window;

static wi_status read_pair(const onnx_node *n, const char *name, int64_t dflt, int64_t *out,
                           wi_error *err) {
    int64_t v[4];
    int count, found;
    wi_status st = onnx_attr_ints(n, name, v, 4, &count, &found, err);
    if (st != WI_OK) return st;
    if (!found) {
        out[0] = out[1] = dflt;
        return WI_OK;
    }
    if (count != 2)
        return onnx_fail(err, n, WI_E_UNSUPPORTED, "attribute '%s' has %d values (only 2-D windows run)", name, count);
    for (int i = 0; i < 2; i++) {
        if (v[i] < 1 || v[i] > 65536)
            return onnx_fail(err, n, WI_E_MALFORMED, "attribute '%s' value %lld out of range", name, (long long)v[i]);
        out[i] = v[i];
    }
    return WI_OK;
}

static wi_status read_window(const onnx_node *n, window *w, wi_error *err) {
    int found, count;
    wi_status st = read_pair(n, "strides", 1, w->stride, err);
    if (st == WI_OK) st = read_pair(n, "dilations", 1, w->dilation, err);
    if (st == WI_OK) st = onnx_attr_string(n, "auto_pad", w->auto_pad, sizeof w->auto_pad, &found, err);
    if (st != WI_OK) return st;
    if (!found) strcpy(w->auto_pad, "NOTSET");
    memset(w->pads, 0, sizeof w->pads);
    st = onnx_attr_ints(n, "pads", w->pads, 4, &count, &found, err);
    if (st != WI_OK) return st;
    if (found && count != 4)
        return onnx_fail(err, n, WI_E_UNSUPPORTED, "attribute 'pads' has %d values (only 2-D windows run)", count);
    for (int i = 0; i < 4; i++)
        if (w->pads[i] < 0 || w->pads[i] > 65536)
            return onnx_fail(err, n, WI_E_UNSUPPORTED, "pad %lld out of range", (long long)w->pads[i]);
    return WI_OK;
}

/* Chooses the engine's padding for input [h, w]: *mode SAME or VALID, and *explicit_pad set
 * when a Pad node with w->pads must come first (then the window runs VALID). */
static wi_status resolve_padding(const onnx_node *n, window *w, const int64_t in[2],
                                 wi_padding *mode, int *explicit_pad, wi_error *err) {
    *explicit_pad = 0;
    const int upper = strcmp(w->auto_pad, "SAME_UPPER") == 0; /* TensorFlow's SAME */
    if (strcmp(w->auto_pad, "VALID") == 0) {
        memset(w->pads, 0, sizeof w->pads);
    } else if (upper || strcmp(w->auto_pad, "SAME_LOWER") == 0) {
        for (int a = 0; a < 2; a++) { /* the odd pixel after (UPPER) or before (LOWER) */
            int64_t eff = (w->kernel[a] - 1) * w->dilation[a] + 1, out = (in[a] + w->stride[a] - 1) / w->stride[a];
            int64_t total = (out - 1) * w->stride[a] + eff - in[a];
            if (total < 0) total = 0;
            w->pads[a + (upper ? 2 : 0)] = total - total / 2;
            w->pads[a + (upper ? 0 : 2)] = total / 2;
        }
    } else if (strcmp(w->auto_pad, "NOTSET") != 0) {
        return onnx_fail(err, n, WI_E_UNSUPPORTED, "unsupported auto_pad '%s'", w->auto_pad);
    }
    int same = 1, valid = 1;
    for (int a = 0; a < 2; a++) {
        int64_t eff = (w->kernel[a] - 1) * w->dilation[a] + 1, before = w->pads[a], after = w->pads[a + 2];
        if (in[a] + before + after < eff)
            return onnx_fail(err, n, WI_E_MALFORMED, "window %lld does not fit input %lld with pads %lld+%lld",
                             (long long)eff, (long long)in[a], (long long)before, (long long)after);
        int64_t out = (in[a] + before + after - eff) / w->stride[a] + 1;
        int64_t out_same = (in[a] + w->stride[a] - 1) / w->stride[a];
        int64_t total = (out_same - 1) * w->stride[a] + eff - in[a];
        if (total < 0) total = 0;
        if (!(out == out_same && before == total / 2)) same = 0;
        if (!(before == 0 && in[a] >= eff && out == (in[a] - eff) / w->stride[a] + 1)) valid = 0;
    }
    *mode = valid ? WI_PAD_VALID : WI_PAD_SAME;
    if (!valid && !same) {
        *mode = WI_PAD_VALID;
        *explicit_pad = 1;
    }
    return WI_OK;
}

/* x (channel-last) padded with zeros by w->pads. */
static wi_status pad_input(onnx_ctx *ctx, const onnx_node *n, const window *w, int *x, wi_error *err) {
    const int64_t pads[8] = {0, 0, w->pads[0], w->pads[2], w->pads[1], w->pads[3], 0, 0};
    const int64_t dims[2] = {4, 2};
    char name[4200];
    snprintf(name, sizeof name, "%s/pads", n->name);
    int pv;
    wi_status st = onnx_const_i64(ctx, name, pads, 2, dims, &pv, err);
    if (st != WI_OK) return st;
    int ins[2] = {*x, pv};
    snprintf(name, sizeof name, "%s/padded", n->name);
    return onnx_emit(ctx, n, WI_OP_PAD, ins, 2, NULL, name, x, err);
}

/* OIHW -> HWIO, or for depthwise [C*M,1,KH,KW] -> [KH,KW,C,M] (output channel c*M+m): both
 * are dst[(tap * cg + ci) * O + o] = src[(o * cg + ci) * taps + tap]. A transpose, done in
 * 32x32 blocks of (o, ci) so that neither side strides through memory a float at a time;
 * the source may be borrowed from the file's bytes (any alignment): read with memcpy. */
static wi_status make_filter(onnx_ctx *ctx, const onnx_node *n, const wi_value *w, int64_t channels,
                             int depthwise, int *fid, wi_error *err) {
    enum { BLOCK = 32 };
    const int64_t O = w->dims[0], cg = w->dims[1], kh = w->dims[2], kw = w->dims[3], taps = kh * kw;
    int64_t dims[4] = {kh, kw, channels, depthwise ? O / channels : O};
    char name[4200];
    snprintf(name, sizeof name, "%s/%s", w->name, depthwise ? "hwcm" : "hwio");
    const unsigned char *src = w->data;
    wi_status st = wi_graph_add_const(ctx->graph, name, WI_DTYPE_FLOAT32, 4, dims, NULL, fid, err);
    if (st != WI_OK) return st;
    float *dst = ctx->graph->values[*fid].data;
    for (int64_t o0 = 0; o0 < O; o0 += BLOCK)
        for (int64_t c0 = 0; c0 < cg; c0 += BLOCK)
            for (int64_t t = 0; t < taps; t++)
                for (int64_t ci = c0; ci < cg && ci < c0 + BLOCK; ci++)
                    for (int64_t o = o0; o < O && o < o0 + BLOCK; o++)
                        memcpy(&dst[(t * cg + ci) * O + o],
                               src + sizeof(float) * (size_t)((o * cg + ci) * taps + t), sizeof(float));
    return WI_OK;
}

wi_status onnx_map_conv(onnx_ctx *ctx, const onnx_node *n, wi_error *err) {
    wi_graph *g = ctx->graph;
    onnx_tensor *tx, *tw, *tb = NULL;
    int xv;
    wi_status st = onnx_input(ctx, n, 0, &tx, err);
    if (st == WI_OK) st = onnx_input(ctx, n, 1, &tw, err);
    if (st == WI_OK && onnx_has_input(n, 2)) st = onnx_input(ctx, n, 2, &tb, err);
    if (st == WI_OK) st = onnx_nhwc(ctx, n, tx, &xv, err);
    if (st != WI_OK) return st;
    const wi_value *w = tw->plain >= 0 ? &g->values[tw->plain] : NULL;
    if (!w || !w->data || w->dtype != WI_DTYPE_FLOAT32 || w->rank != 4)
        return onnx_fail(err, n, WI_E_UNSUPPORTED, "weights are not a constant 4-D float tensor (only 2-D convolutions run)");
    window win;
    int64_t group = 1, ks[4];
    int found, count;
    if ((st = read_window(n, &win, err)) != WI_OK) return st;
    if ((st = onnx_attr_int(n, "group", &group, &found, err)) != WI_OK) return st;
    if ((st = onnx_attr_ints(n, "kernel_shape", ks, 4, &count, &found, err)) != WI_OK) return st;
    win.kernel[0] = w->dims[2];
    win.kernel[1] = w->dims[3];
    if (found && (count != 2 || ks[0] != w->dims[2] || ks[1] != w->dims[3]))
        return onnx_fail(err, n, WI_E_MALFORMED, "kernel_shape does not match the weights");
    const int64_t channels = g->values[xv].dims[3], O = w->dims[0];
    int depthwise = 0;
    if (group == 1) {
        if (w->dims[1] != channels)
            return onnx_fail(err, n, WI_E_MALFORMED, "weights expect %lld input channels, got %lld",
                             (long long)w->dims[1], (long long)channels);
    } else if (group == channels && w->dims[1] == 1 && O % channels == 0) {
        depthwise = 1;
    } else {
        return onnx_fail(err, n, WI_E_UNSUPPORTED,
                         "unsupported grouped convolution (group %lld over %lld channels; only 1 or depthwise run)",
                         (long long)group, (long long)channels);
    }
    wi_op_params p;
    memset(&p, 0, sizeof p);
    int explicit_pad;
    const int64_t in[2] = {g->values[xv].dims[1], g->values[xv].dims[2]};
    if ((st = resolve_padding(n, &win, in, &p.conv.padding, &explicit_pad, err)) != WI_OK) return st;
    if (explicit_pad && (st = pad_input(ctx, n, &win, &xv, err)) != WI_OK) return st;
    p.conv.stride_h = (int)win.stride[0];
    p.conv.stride_w = (int)win.stride[1];
    p.conv.dilation_h = (int)win.dilation[0];
    p.conv.dilation_w = (int)win.dilation[1];
    int fid, out;
    if ((st = make_filter(ctx, n, w, channels, depthwise, &fid, err)) != WI_OK) return st;
    int ins[2] = {xv, fid};
    char name[4200];
    snprintf(name, sizeof name, "%.*s%s", (int)n->outputs[0].len, n->outputs[0].p, tb ? "/conv" : "");
    st = onnx_emit(ctx, n, depthwise ? WI_OP_DEPTHWISE_CONV2D : WI_OP_CONV2D, ins, 2, &p, name, &out, err);
    if (st != WI_OK) return st;
    if (tb) {
        int bv;
        if ((st = onnx_plain(ctx, n, tb, &bv, err)) != WI_OK) return st;
        int bins[2] = {out, bv};
        if ((st = onnx_emit(ctx, n, WI_OP_BIAS_ADD, bins, 2, NULL, NULL, &out, err)) != WI_OK) return st;
    }
    return onnx_define_output(ctx, n, -1, out, err);
}

static wi_status no_second_output(const onnx_node *n, wi_error *err) {
    for (int i = 1; i < n->output_count; i++)
        if (n->outputs[i].len > 0)
            return onnx_fail(err, n, WI_E_UNSUPPORTED, "output %d (indices or training statistics) is not supported", i);
    return WI_OK;
}

wi_status onnx_map_pool(onnx_ctx *ctx, const onnx_node *n, wi_error *err) {
    const int is_max = strcmp(n->op, "MaxPool") == 0;
    onnx_tensor *tx;
    int xv, found, count;
    wi_status st = no_second_output(n, err);
    if (st == WI_OK) st = onnx_input(ctx, n, 0, &tx, err);
    if (st == WI_OK) st = onnx_nhwc(ctx, n, tx, &xv, err);
    if (st != WI_OK) return st;
    window win;
    int64_t ceil_mode = 0, include_pad = 0;
    if ((st = read_window(n, &win, err)) != WI_OK) return st;
    if ((st = onnx_attr_ints(n, "kernel_shape", win.kernel, 2, &count, &found, err)) != WI_OK) return st;
    if (!found || count != 2) return onnx_fail(err, n, WI_E_UNSUPPORTED, "kernel_shape must give 2 sizes");
    for (int a = 0; a < 2; a++)
        if (win.kernel[a] < 1 || win.kernel[a] > 65536 || win.dilation[a] != 1)
            return onnx_fail(err, n, WI_E_UNSUPPORTED, "kernel size out of range or dilated pooling");
    if ((st = onnx_attr_int(n, "ceil_mode", &ceil_mode, &found, err)) != WI_OK) return st;
    if (ceil_mode) return onnx_fail(err, n, WI_E_UNSUPPORTED, "unsupported ceil_mode=1");
    if ((st = onnx_attr_int(n, "count_include_pad", &include_pad, &found, err)) != WI_OK) return st;
    wi_op_params p;
    memset(&p, 0, sizeof p);
    int explicit_pad;
    const int64_t in[2] = {ctx->graph->values[xv].dims[1], ctx->graph->values[xv].dims[2]};
    if ((st = resolve_padding(n, &win, in, &p.pool.padding, &explicit_pad, err)) != WI_OK) return st;
    /* the engine's SAME average excludes the padding (count_include_pad=0) and max ignores it;
     * averaging over zeros (count_include_pad=1) is a zero Pad before a VALID window */
    if (!is_max && include_pad && p.pool.padding == WI_PAD_SAME) explicit_pad = 1;
    if (explicit_pad) {
        if (is_max || !include_pad)
            return onnx_fail(err, n, WI_E_UNSUPPORTED,
                             "pads %lld,%lld,%lld,%lld are neither SAME nor VALID for this input",
                             (long long)win.pads[0], (long long)win.pads[1], (long long)win.pads[2],
                             (long long)win.pads[3]);
        if ((st = pad_input(ctx, n, &win, &xv, err)) != WI_OK) return st;
        p.pool.padding = WI_PAD_VALID;
    }
    p.pool.kernel_h = (int)win.kernel[0];
    p.pool.kernel_w = (int)win.kernel[1];
    p.pool.stride_h = (int)win.stride[0];
    p.pool.stride_w = (int)win.stride[1];
    int out;
    st = onnx_emit(ctx, n, is_max ? WI_OP_MAX_POOL : WI_OP_AVG_POOL, &xv, 1, &p, NULL, &out, err);
    return st != WI_OK ? st : onnx_define_output(ctx, n, -1, out, err);
}

wi_status onnx_map_global_avg_pool(onnx_ctx *ctx, const onnx_node *n, wi_error *err) {
    onnx_tensor *tx;
    int xv, axes, out;
    wi_status st = onnx_input(ctx, n, 0, &tx, err);
    if (st == WI_OK) st = onnx_nhwc(ctx, n, tx, &xv, err);
    if (st != WI_OK) return st;
    const int64_t hw[2] = {1, 2}, dims[1] = {2};
    char name[4200];
    snprintf(name, sizeof name, "%s/axes", n->name);
    if ((st = onnx_const_i64(ctx, name, hw, 1, dims, &axes, err)) != WI_OK) return st;
    wi_op_params p;
    memset(&p, 0, sizeof p);
    p.reduce.keep_dims = 1;
    int ins[2] = {xv, axes};
    st = onnx_emit(ctx, n, WI_OP_MEAN, ins, 2, &p, NULL, &out, err);
    return st != WI_OK ? st : onnx_define_output(ctx, n, -1, out, err);
}

wi_status onnx_map_batchnorm(onnx_ctx *ctx, const onnx_node *n, wi_error *err) {
    onnx_tensor *t;
    int ins[5], found, rank;
    int64_t training = 0, dims[WI_MAX_RANK];
    wi_op_params p;
    memset(&p, 0, sizeof p);
    p.batchnorm.epsilon = 1e-5f;
    wi_status st = no_second_output(n, err);
    if (st == WI_OK) st = onnx_attr_int(n, "training_mode", &training, &found, err);
    if (st == WI_OK) st = onnx_attr_float(n, "epsilon", &p.batchnorm.epsilon, &found, err);
    if (st == WI_OK) st = onnx_input(ctx, n, 0, &t, err);
    if (st != WI_OK) return st;
    if (training) return onnx_fail(err, n, WI_E_UNSUPPORTED, "unsupported training_mode=1");
    if (!(p.batchnorm.epsilon >= 0.0f && p.batchnorm.epsilon < 1e30f))
        return onnx_fail(err, n, WI_E_MALFORMED, "bad epsilon");
    onnx_shape(ctx, t, &rank, dims);
    int channel_last = rank == 4;
    if (rank != 4 && rank != 2)
        return onnx_fail(err, n, WI_E_UNSUPPORTED, "input of rank %d (2 or 4 run)", rank);
    st = channel_last ? onnx_nhwc(ctx, n, t, &ins[0], err) : onnx_plain(ctx, n, t, &ins[0], err);
    for (int i = 1; st == WI_OK && i < 5; i++) {
        if ((st = onnx_input(ctx, n, i, &t, err)) == WI_OK) st = onnx_plain(ctx, n, t, &ins[i], err);
    }
    int out;
    if (st == WI_OK) st = onnx_emit(ctx, n, WI_OP_BATCHNORM, ins, 5, &p, NULL, &out, err);
    if (st != WI_OK) return st;
    return onnx_define_output(ctx, n, channel_last ? -1 : out, channel_last ? out : -1, err);
}
