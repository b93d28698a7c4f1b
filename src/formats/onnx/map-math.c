/* Elementwise ops, Gemm/MatMul and Softmax. Elementwise ops run in whichever layout their
 * input already has; a lower-rank operand broadcast against a channel-last tensor is
 * reshaped (and, when its data order changes, transposed) to match. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "formats/onnx/onnx.h"

/* Prefer the layout the tensor already has (channel-last when both exist). */
static wi_status any_layout(onnx_ctx *ctx, const onnx_node *n, onnx_tensor *t, int *vid,
                            int *channel_last) {
    *channel_last = t->nhwc >= 0;
    *vid = *channel_last ? t->nhwc : t->plain;
    (void)ctx;
    (void)n;
    return WI_OK;
}

static wi_status define_like(onnx_ctx *ctx, const onnx_node *n, int out, int channel_last,
                             wi_error *err) {
    return onnx_define_output(ctx, n, channel_last ? -1 : out, channel_last ? out : -1, err);
}

wi_status onnx_map_unary(onnx_ctx *ctx, const onnx_node *n, wi_error *err) {
    onnx_tensor *t;
    int x, cl, out;
    wi_status st = onnx_input(ctx, n, 0, &t, err);
    if (st == WI_OK) st = any_layout(ctx, n, t, &x, &cl);
    if (st == WI_OK) st = onnx_emit(ctx, n, WI_OP_RELU, &x, 1, NULL, NULL, &out, err);
    return st != WI_OK ? st : define_like(ctx, n, out, cl, err);
}

wi_status onnx_map_identity(onnx_ctx *ctx, const onnx_node *n, wi_error *err) {
    onnx_tensor *t;
    wi_status st = onnx_input(ctx, n, 0, &t, err);
    if (st != WI_OK) return st;
    int plain = t->plain, nhwc = t->nhwc; /* the table may move when the output is added */
    return onnx_define_output(ctx, n, plain, nhwc, err);
}

/* A constant float scalar input (Clip's min/max since opset 11). */
static wi_status scalar_input(onnx_ctx *ctx, const onnx_node *n, int i, float *out, wi_error *err) {
    if (!onnx_has_input(n, i)) return WI_OK;
    onnx_tensor *t;
    wi_status st = onnx_input(ctx, n, i, &t, err);
    if (st != WI_OK) return st;
    const wi_value *v = t->plain >= 0 ? &ctx->graph->values[t->plain] : NULL;
    if (!v || !v->data || v->dtype != WI_DTYPE_FLOAT32 || wi_value_elements(v) != 1)
        return onnx_fail(err, n, WI_E_UNSUPPORTED, "input %d is not a constant float scalar", i);
    memcpy(out, v->data, sizeof *out); /* may be borrowed: any alignment */
    return WI_OK;
}

wi_status onnx_map_clip(onnx_ctx *ctx, const onnx_node *n, wi_error *err) {
    wi_op_params p;
    memset(&p, 0, sizeof p);
    p.clip.min = -INFINITY;
    p.clip.max = INFINITY;
    int found;
    wi_status st = WI_OK;
    if (ctx->opset >= 11) {
        st = scalar_input(ctx, n, 1, &p.clip.min, err);
        if (st == WI_OK) st = scalar_input(ctx, n, 2, &p.clip.max, err);
    } else {
        st = onnx_attr_float(n, "min", &p.clip.min, &found, err);
        if (st == WI_OK) st = onnx_attr_float(n, "max", &p.clip.max, &found, err);
    }
    if (st != WI_OK) return st;
    if (isnan(p.clip.min) || isnan(p.clip.max)) return onnx_fail(err, n, WI_E_MALFORMED, "NaN bound");
    /* Relu and Relu6 shapes fuse into the convolution before them */
    wi_op_kind kind = WI_OP_CLIP;
    if (p.clip.min == 0.0f && p.clip.max == 6.0f) kind = WI_OP_RELU6;
    else if (p.clip.min == 0.0f && p.clip.max >= FLT_MAX) kind = WI_OP_RELU;
    onnx_tensor *t;
    int x, cl, out;
    st = onnx_input(ctx, n, 0, &t, err);
    if (st == WI_OK) st = any_layout(ctx, n, t, &x, &cl);
    if (st == WI_OK) st = onnx_emit(ctx, n, kind, &x, 1, &p, NULL, &out, err);
    return st != WI_OK ? st : define_like(ctx, n, out, cl, err);
}

/* Operand `t` of rank < 4 broadcast against a channel-last rank-4 tensor: its shape padded to
 * [1..., d] as NCHW, then moved channel-last (a reshape when the data order allows). */
static wi_status broadcast_operand(onnx_ctx *ctx, const onnx_node *n, onnx_tensor *t, int *vid,
                                   wi_error *err) {
    int rank, x;
    int64_t dims[WI_MAX_RANK], s4[4] = {1, 1, 1, 1};
    onnx_shape(ctx, t, &rank, dims);
    wi_status st = onnx_plain(ctx, n, t, &x, err);
    if (st != WI_OK) return st;
    for (int i = 0; i < rank; i++) s4[4 - rank + i] = dims[i];
    const int64_t cl[4] = {s4[0], s4[2], s4[3], s4[1]};
    char name[4200];
    snprintf(name, sizeof name, "%s/nhwc", ctx->graph->values[x].name);
    if (s4[1] == 1 || (s4[2] == 1 && s4[3] == 1)) return onnx_reshape(ctx, n, x, 4, cl, name, vid, err);
    static const int to_nhwc[4] = {0, 2, 3, 1};
    char rname[4200];
    snprintf(rname, sizeof rname, "%s/4d", ctx->graph->values[x].name);
    st = onnx_reshape(ctx, n, x, 4, s4, rname, &x, err);
    return st != WI_OK ? st : onnx_transpose(ctx, n, x, to_nhwc, name, vid, err);
}

wi_status onnx_map_binary(onnx_ctx *ctx, const onnx_node *n, wi_error *err) {
    wi_op_kind kind = strcmp(n->op, "Add") == 0 ? WI_OP_ADD : strcmp(n->op, "Sub") == 0 ? WI_OP_SUB : WI_OP_MUL;
    onnx_tensor *t[2];
    int ranks[2], ins[2], out;
    int64_t dims[WI_MAX_RANK];
    wi_status st = onnx_input(ctx, n, 0, &t[0], err);
    if (st == WI_OK) st = onnx_input(ctx, n, 1, &t[1], err);
    if (st != WI_OK) return st;
    onnx_shape(ctx, t[0], &ranks[0], dims);
    onnx_shape(ctx, t[1], &ranks[1], dims);
    const int rank = ranks[0] > ranks[1] ? ranks[0] : ranks[1];
    const int cl = rank == 4 && (t[0]->nhwc >= 0 || t[1]->nhwc >= 0);
    for (int i = 0; i < 2 && st == WI_OK; i++) {
        if (!cl) st = onnx_plain(ctx, n, t[i], &ins[i], err);
        else if (ranks[i] == 4) st = onnx_nhwc(ctx, n, t[i], &ins[i], err);
        else st = broadcast_operand(ctx, n, t[i], &ins[i], err);
    }
    if (st == WI_OK) st = onnx_emit(ctx, n, kind, ins, 2, NULL, NULL, &out, err);
    return st != WI_OK ? st : define_like(ctx, n, out, cl, err);
}

/* value * factor: a scaled copy of a constant, else a Mul node. */
static wi_status scaled(onnx_ctx *ctx, const onnx_node *n, int vid, float factor, const char *what,
                        int *out, wi_error *err) {
    wi_graph *g = ctx->graph;
    char name[4200];
    snprintf(name, sizeof name, "%s/%s", n->name, what);
    if (factor == 1.0f) {
        *out = vid;
        return WI_OK;
    }
    const int64_t one[1] = {1};
    int fv;
    wi_status st = wi_graph_add_const(g, name, WI_DTYPE_FLOAT32, 0, one, &factor, &fv, err);
    if (st != WI_OK) return st;
    int ins[2] = {vid, fv};
    return onnx_emit(ctx, n, WI_OP_MUL, ins, 2, NULL, name, out, err); /* folds for constants */
}

wi_status onnx_map_gemm(onnx_ctx *ctx, const onnx_node *n, wi_error *err) {
    float alpha = 1.0f, beta = 1.0f;
    int64_t ta = 0, tb = 0;
    int found, a, b, c, out;
    onnx_tensor *t;
    wi_status st = onnx_attr_float(n, "alpha", &alpha, &found, err);
    if (st == WI_OK) st = onnx_attr_float(n, "beta", &beta, &found, err);
    if (st == WI_OK) st = onnx_attr_int(n, "transA", &ta, &found, err);
    if (st == WI_OK) st = onnx_attr_int(n, "transB", &tb, &found, err);
    if (st == WI_OK) st = onnx_input(ctx, n, 0, &t, err);
    if (st == WI_OK) st = onnx_plain_bytes(ctx, n, t, &a, err);
    if (st == WI_OK && ctx->graph->values[a].rank != 2) { /* [1,1,1,C] after pooling */
        const wi_value *v = &ctx->graph->values[a];
        const int64_t flat[2] = {v->dims[0], wi_value_elements(v) / (v->dims[0] ? v->dims[0] : 1)};
        if (v->rank != 4) return onnx_fail(err, n, WI_E_MALFORMED, "A has rank %d, expected 2", v->rank);
        char name[4200];
        snprintf(name, sizeof name, "%s/A2d", n->name);
        st = onnx_reshape(ctx, n, a, 2, flat, name, &a, err);
    }
    if (st == WI_OK) st = onnx_input(ctx, n, 1, &t, err);
    if (st == WI_OK) st = onnx_plain(ctx, n, t, &b, err);
    if (st == WI_OK) st = scaled(ctx, n, b, alpha, "alphaB", &b, err);
    if (st != WI_OK) return st;
    wi_op_params p;
    memset(&p, 0, sizeof p);
    p.matmul.transpose_a = ta != 0;
    p.matmul.transpose_b = tb != 0;
    int ins[2] = {a, b};
    char name[4200];
    snprintf(name, sizeof name, "%.*s%s", (int)n->outputs[0].len, n->outputs[0].p,
             onnx_has_input(n, 2) ? "/matmul" : "");
    if ((st = onnx_emit(ctx, n, WI_OP_MATMUL, ins, 2, &p, name, &out, err)) != WI_OK) return st;
    if (onnx_has_input(n, 2)) {
        st = onnx_input(ctx, n, 2, &t, err);
        if (st == WI_OK) st = onnx_plain(ctx, n, t, &c, err);
        if (st == WI_OK) st = scaled(ctx, n, c, beta, "betaC", &c, err);
        int cins[2] = {out, c};
        if (st == WI_OK) st = onnx_emit(ctx, n, WI_OP_ADD, cins, 2, NULL, NULL, &out, err);
        if (st != WI_OK) return st;
    }
    return onnx_define_output(ctx, n, out, -1, err);
}

wi_status onnx_map_matmul(onnx_ctx *ctx, const onnx_node *n, wi_error *err) {
    onnx_tensor *t;
    int ins[2], out;
    wi_status st = WI_OK;
    for (int i = 0; i < 2 && st == WI_OK; i++) {
        st = onnx_input(ctx, n, i, &t, err);
        if (st == WI_OK) st = onnx_plain(ctx, n, t, &ins[i], err);
        if (st == WI_OK && ctx->graph->values[ins[i]].rank != 2)
            return onnx_fail(err, n, WI_E_UNSUPPORTED, "input %d has rank %d (only rank-2 MatMul runs)", i,
                             ctx->graph->values[ins[i]].rank);
    }
    wi_op_params p;
    memset(&p, 0, sizeof p);
    if (st == WI_OK) st = onnx_emit(ctx, n, WI_OP_MATMUL, ins, 2, &p, NULL, &out, err);
    return st != WI_OK ? st : onnx_define_output(ctx, n, out, -1, err);
}

wi_status onnx_map_softmax(onnx_ctx *ctx, const onnx_node *n, wi_error *err) {
    onnx_tensor *t;
    int found, rank, x, out;
    int64_t axis = ctx->opset >= 13 ? -1 : 1, dims[WI_MAX_RANK];
    wi_status st = onnx_attr_int(n, "axis", &axis, &found, err);
    if (st == WI_OK) st = onnx_input(ctx, n, 0, &t, err);
    if (st != WI_OK) return st;
    onnx_shape(ctx, t, &rank, dims);
    if (axis < -rank || axis >= rank)
        return onnx_fail(err, n, WI_E_MALFORMED, "axis %lld out of range for rank %d", (long long)axis, rank);
    if (axis < 0) axis += rank;
    /* the engine's softmax runs over the last axis */
    if (rank == 4 && axis == 1 && t->nhwc >= 0 && (ctx->opset >= 13 || (dims[2] == 1 && dims[3] == 1))) {
        st = onnx_emit(ctx, n, WI_OP_SOFTMAX, &t->nhwc, 1, NULL, NULL, &out, err);
        return st != WI_OK ? st : onnx_define_output(ctx, n, -1, out, err);
    }
    if ((st = onnx_plain(ctx, n, t, &x, err)) != WI_OK) return st;
    if (axis == rank - 1) {
        st = onnx_emit(ctx, n, WI_OP_SOFTMAX, &x, 1, NULL, NULL, &out, err);
        return st != WI_OK ? st : onnx_define_output(ctx, n, out, -1, err);
    }
    if (ctx->opset >= 13)
        return onnx_fail(err, n, WI_E_UNSUPPORTED, "softmax over axis %lld of rank %d (the last axis runs)",
                         (long long)axis, rank);
    /* before opset 13: over the dims from `axis` on, flattened */
    int64_t flat[2] = {1, 1};
    for (int i = 0; i < rank; i++) flat[i >= axis] *= dims[i];
    char name[4200];
    snprintf(name, sizeof name, "%s/2d", n->name);
    st = onnx_reshape(ctx, n, x, 2, flat, name, &x, err);
    snprintf(name, sizeof name, "%s/softmax", n->name);
    if (st == WI_OK) st = onnx_emit(ctx, n, WI_OP_SOFTMAX, &x, 1, NULL, name, &x, err);
    if (st == WI_OK) st = onnx_reshape(ctx, n, x, rank, dims, NULL, &out, err);
    return st != WI_OK ? st : onnx_define_output(ctx, n, out, -1, err);
}
