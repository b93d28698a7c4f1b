/* The tensor table (ONNX name -> IR values in each layout) and the conversions between the
 * ONNX layout and channel-last, added on demand and at most once per tensor. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "formats/onnx/onnx.h"
#include "ir/passes.h"
#include "ops/op.h"

static const int k_to_nhwc[4] = {0, 2, 3, 1};   /* NCHW -> NHWC */
static const int k_to_nchw[4] = {0, 3, 1, 2};   /* NHWC -> NCHW */

static uint64_t hash_name(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
    return h;
}

onnx_tensor *onnx_find(onnx_ctx *ctx, const char *name, size_t len) {
    if (!ctx->table) return NULL;
    for (size_t i = hash_name(name, len) & ctx->table_mask;; i = (i + 1) & ctx->table_mask) {
        int k = ctx->table[i];
        if (k < 0) return NULL;
        const char *kn = ctx->tensors[k].name;
        if (strlen(kn) == len && memcmp(kn, name, len) == 0) return &ctx->tensors[k];
    }
}

static void table_insert(onnx_ctx *ctx, int k) {
    const char *s = ctx->tensors[k].name;
    size_t i = hash_name(s, strlen(s)) & ctx->table_mask;
    while (ctx->table[i] >= 0) i = (i + 1) & ctx->table_mask;
    ctx->table[i] = k;
}

/* Keeps the table at most half full. */
static bool grow(onnx_ctx *ctx) {
    if (ctx->tensor_count == ctx->tensor_cap) {
        int cap = ctx->tensor_cap ? ctx->tensor_cap * 2 : 64;
        onnx_tensor *t = realloc(ctx->tensors, sizeof(onnx_tensor) * (size_t)cap);
        if (!t) return false;
        ctx->tensors = t;
        ctx->tensor_cap = cap;
    }
    size_t need = (size_t)(ctx->tensor_count + 1) * 2;
    if (ctx->table && need <= ctx->table_mask + 1) return true;
    size_t cap = 128;
    while (cap < need * 2) cap <<= 1;
    int *table = malloc(sizeof(int) * cap);
    if (!table) return false;
    free(ctx->table);
    ctx->table = table;
    ctx->table_mask = cap - 1;
    for (size_t i = 0; i < cap; i++) table[i] = -1;
    for (int k = 0; k < ctx->tensor_count; k++) table_insert(ctx, k);
    return true;
}

wi_status onnx_define(onnx_ctx *ctx, onnx_str name, int plain, int nhwc, wi_error *err) {
    if (name.len == 0) return WI_OK; /* an unnamed optional output nobody can read */
    const int nl = (int)(name.len > 200 ? 200 : name.len);
    if (onnx_find(ctx, name.p, name.len))
        return wi_error_set(err, WI_E_MALFORMED, "onnx: tensor '%.*s' is defined twice", nl, name.p);
    if (!grow(ctx)) return wi_error_set(err, WI_E_OUT_OF_MEMORY, "onnx: out of memory");
    onnx_tensor *t = &ctx->tensors[ctx->tensor_count];
    t->name = malloc(name.len + 1);
    if (!t->name) return wi_error_set(err, WI_E_OUT_OF_MEMORY, "onnx: out of memory");
    memcpy(t->name, name.p, name.len);
    t->name[name.len] = '\0';
    t->plain = plain;
    t->nhwc = nhwc;
    table_insert(ctx, ctx->tensor_count++);
    return WI_OK;
}

wi_status onnx_input(onnx_ctx *ctx, const onnx_node *n, int i, onnx_tensor **out, wi_error *err) {
    if (!onnx_has_input(n, i)) return onnx_fail(err, n, WI_E_MALFORMED, "input %d is missing", i);
    *out = onnx_find(ctx, n->inputs[i].p, n->inputs[i].len);
    if (!*out)
        return onnx_fail(err, n, WI_E_NOT_FOUND,
                         "input '%.*s' is not an initializer, a graph input, or the output of an "
                         "earlier node", (int)(n->inputs[i].len > 200 ? 200 : n->inputs[i].len),
                         n->inputs[i].p);
    return WI_OK;
}

const wi_value *onnx_shape(const onnx_ctx *ctx, const onnx_tensor *t, int *rank, int64_t *dims) {
    if (t->plain >= 0) {
        const wi_value *v = &ctx->graph->values[t->plain];
        *rank = v->rank;
        memcpy(dims, v->dims, sizeof(int64_t) * (size_t)v->rank);
        return v;
    }
    const wi_value *v = &ctx->graph->values[t->nhwc];
    *rank = 4;
    for (int i = 0; i < 4; i++) dims[k_to_nhwc[i]] = v->dims[i];
    return v;
}

wi_status onnx_emit(onnx_ctx *ctx, const onnx_node *n, wi_op_kind kind, const int *inputs,
                    int count, const wi_op_params *params, const char *out_name, int *out,
                    wi_error *err) {
    wi_graph *g = ctx->graph;
    char name[4200];
    if (out_name) snprintf(name, sizeof name, "%s", out_name);
    else snprintf(name, sizeof name, "%.*s", (int)n->outputs[0].len, n->outputs[0].p);
    int vid = wi_graph_add_value(g, name);
    if (vid < 0) return wi_error_set(err, WI_E_OUT_OF_MEMORY, "onnx: out of memory");
    /* layout changes and pads the loader adds say what they are, not the op they serve */
    const char *origin = kind == WI_OP_TRANSPOSE || kind == WI_OP_PAD ? wi_op_kind_name(kind) : n->op;
    int id = wi_graph_add_node(g, kind, n->name, origin, inputs, count, vid);
    if (id < 0) return wi_error_set(err, WI_E_OUT_OF_MEMORY, "onnx: out of memory");
    wi_node *node = &g->nodes[id];
    if (kind == WI_OP_DEPTHWISE_CONV2D) snprintf(node->label, sizeof node->label, "DepthwiseConv");
    if (params) node->params = *params;
    if (kind == WI_OP_CONV2D || kind == WI_OP_DEPTHWISE_CONV2D) {
        node->params.conv.act_min = -INFINITY;
        node->params.conv.act_max = INFINITY;
        node->params.conv.channel_multiplier = 1;
        node->params.conv.kernel = NULL;
    }
    wi_status st = wi_op_prepare(g, node, err);
    if (st == WI_OK) st = wi_fold_node(g, id, err);
    if (st != WI_OK) {
        if (err && strncmp(err->message, "onnx: ", 6) != 0) wi_error_prefix(err, "onnx: ");
        return st;
    }
    *out = vid;
    return WI_OK;
}

wi_status onnx_const_i64(onnx_ctx *ctx, const char *name, const int64_t *data, int rank,
                         const int64_t *dims, int *vid, wi_error *err) {
    wi_status st = wi_graph_add_const(ctx->graph, name, WI_DTYPE_INT64, rank, dims, data, vid, err);
    if (st != WI_OK) wi_error_prefix(err, "onnx: ");
    return st;
}

wi_status onnx_define_output(onnx_ctx *ctx, const onnx_node *n, int plain, int nhwc, wi_error *err) {
    return onnx_define(ctx, n->outputs[0], plain, nhwc, err);
}

static wi_status transpose(onnx_ctx *ctx, const onnx_node *n, int src, const int *perm,
                           const char *suffix, int *out, wi_error *err) {
    char name[4200];
    snprintf(name, sizeof name, "%s/%s", ctx->graph->values[src].name, suffix);
    return onnx_transpose(ctx, n, src, perm, name, out, err);
}

wi_status onnx_plain(onnx_ctx *ctx, const onnx_node *n, onnx_tensor *t, int *vid, wi_error *err) {
    if (t->plain < 0) {
        int nhwc = t->nhwc; /* t may move if the table grows: keep the index only */
        wi_status st = transpose(ctx, n, nhwc, k_to_nchw, "nchw", &t->plain, err);
        if (st != WI_OK) return st;
    }
    *vid = t->plain;
    return WI_OK;
}

wi_status onnx_nhwc(onnx_ctx *ctx, const onnx_node *n, onnx_tensor *t, int *vid, wi_error *err) {
    if (t->nhwc < 0) {
        const wi_value *v = &ctx->graph->values[t->plain];
        if (v->rank != 4)
            return onnx_fail(err, n, WI_E_UNSUPPORTED, "'%s' has rank %d; %s needs a rank-4 NCHW tensor",
                             v->name, v->rank, n->op);
        wi_status st = transpose(ctx, n, t->plain, k_to_nhwc, "nhwc", &t->nhwc, err);
        if (st != WI_OK) return st;
    }
    *vid = t->nhwc;
    return WI_OK;
}

wi_status onnx_plain_bytes(onnx_ctx *ctx, const onnx_node *n, onnx_tensor *t, int *vid,
                           wi_error *err) {
    if (t->plain < 0) {
        const wi_value *v = &ctx->graph->values[t->nhwc];
        if (v->dims[3] == 1 || (v->dims[1] == 1 && v->dims[2] == 1)) {
            *vid = t->nhwc;
            return WI_OK;
        }
    }
    return onnx_plain(ctx, n, t, vid, err);
}

wi_status onnx_reshape(onnx_ctx *ctx, const onnx_node *n, int src, int rank, const int64_t *dims,
                       const char *out_name, int *out, wi_error *err) {
    char name[4200];
    snprintf(name, sizeof name, "%s/shape", out_name ? out_name : n->name);
    const int64_t sdims[1] = {rank};
    int sv;
    wi_status st = onnx_const_i64(ctx, name, dims, 1, sdims, &sv, err);
    if (st != WI_OK) return st;
    int ins[2] = {src, sv};
    return onnx_emit(ctx, n, WI_OP_RESHAPE, ins, 2, NULL, out_name, out, err);
}

wi_status onnx_transpose(onnx_ctx *ctx, const onnx_node *n, int src, const int *perm,
                         const char *out_name, int *out, wi_error *err) {
    wi_op_params p;
    memset(&p, 0, sizeof p);
    p.transpose.rank = ctx->graph->values[src].rank;
    memcpy(p.transpose.perm, perm, sizeof(int) * (size_t)p.transpose.rank);
    return onnx_emit(ctx, n, WI_OP_TRANSPOSE, &src, 1, &p, out_name, out, err);
}
