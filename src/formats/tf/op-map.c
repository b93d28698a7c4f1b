/* TensorFlow op -> IR node: checks the op's attributes and turns them into plain parameter
 * structs (TFLite Micro's ParseX). An op or attribute value we do not run fails the load. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "formats/tf/tf.h"

typedef wi_status (*parse_fn)(tf_ctx *ctx, const tf_node *n, wi_op_params *p, wi_error *err);

typedef struct tf_op_entry {
    const char *name;
    wi_op_kind kind;
    int min_inputs, max_inputs;
    parse_fn parse; /* may be NULL */
    int float_only; /* attribute T must be DT_FLOAT */
} tf_op_entry;

static wi_status want_nhwc(const tf_node *n, wi_error *err) {
    char fmt[16];
    int found;
    wi_status st = tf_attr_string(n, "data_format", fmt, sizeof fmt, &found, err);
    if (st != WI_OK) return st;
    if (found && strcmp(fmt, "NHWC") != 0)
        return tf_fail(err, n, WI_E_UNSUPPORTED, "unsupported data_format '%s'", fmt);
    return WI_OK;
}

static wi_status parse_padding(const tf_node *n, wi_padding *out, wi_error *err) {
    char pad[16];
    int found;
    wi_status st = tf_attr_string(n, "padding", pad, sizeof pad, &found, err);
    if (st != WI_OK) return st;
    if (!found) return tf_fail(err, n, WI_E_MALFORMED, "missing attribute 'padding'");
    if (strcmp(pad, "SAME") == 0) *out = WI_PAD_SAME;
    else if (strcmp(pad, "VALID") == 0) *out = WI_PAD_VALID;
    else return tf_fail(err, n, WI_E_UNSUPPORTED, "unsupported padding '%s'", pad);
    return WI_OK;
}

/* An NHWC window attribute [1, h, w, 1] (strides, dilations, ksize); `dflt` when absent. */
static wi_status parse_hw(const tf_node *n, const char *key, int dflt, int *h, int *w, wi_error *err) {
    int64_t v[8];
    int count, found;
    wi_status st = tf_attr_int_list(n, key, v, 8, &count, &found, err);
    if (st != WI_OK) return st;
    if (!found) {
        if (dflt > 0) {
            *h = *w = dflt;
            return WI_OK;
        }
        return tf_fail(err, n, WI_E_MALFORMED, "missing attribute '%s'", key);
    }
    if (count != 4) return tf_fail(err, n, WI_E_MALFORMED, "attribute '%s' has %d values, expected 4", key, count);
    if (v[0] != 1 || v[3] != 1)
        return tf_fail(err, n, WI_E_UNSUPPORTED, "unsupported %s on the batch or channel axis", key);
    if (v[1] < 1 || v[2] < 1 || v[1] > 65536 || v[2] > 65536)
        return tf_fail(err, n, WI_E_MALFORMED, "attribute '%s' out of range", key);
    *h = (int)v[1];
    *w = (int)v[2];
    return WI_OK;
}

static wi_status parse_conv(tf_ctx *ctx, const tf_node *n, wi_op_params *p, wi_error *err) {
    wi_conv_params *c = &p->conv;
    wi_status st = want_nhwc(n, err);
    if (st == WI_OK) st = parse_padding(n, &c->padding, err);
    if (st == WI_OK) st = parse_hw(n, "strides", 0, &c->stride_h, &c->stride_w, err);
    if (st == WI_OK) st = parse_hw(n, "dilations", 1, &c->dilation_h, &c->dilation_w, err);
    return st;
}

static wi_status parse_pool(tf_ctx *ctx, const tf_node *n, wi_op_params *p, wi_error *err) {
    wi_pool_params *q = &p->pool;
    wi_status st = want_nhwc(n, err);
    if (st == WI_OK) st = parse_padding(n, &q->padding, err);
    if (st == WI_OK) st = parse_hw(n, "strides", 0, &q->stride_h, &q->stride_w, err);
    if (st == WI_OK) st = parse_hw(n, "ksize", 0, &q->kernel_h, &q->kernel_w, err);
    return st;
}

static wi_status parse_batchnorm(tf_ctx *ctx, const tf_node *n, wi_op_params *p, wi_error *err) {
    int training = 1, found; /* TensorFlow's default is_training is true */
    wi_status st = want_nhwc(n, err);
    if (st == WI_OK) st = tf_attr_bool(n, "is_training", &training, &found, err);
    if (st != WI_OK) return st;
    if (training) return tf_fail(err, n, WI_E_UNSUPPORTED, "unsupported is_training=true");
    p->batchnorm.epsilon = 0.0001f;
    st = tf_attr_float(n, "epsilon", &p->batchnorm.epsilon, &found, err);
    if (st == WI_OK && !(p->batchnorm.epsilon >= 0.0f && isfinite(p->batchnorm.epsilon)))
        return tf_fail(err, n, WI_E_MALFORMED, "bad epsilon");
    return st;
}

static wi_status parse_bias_add(tf_ctx *ctx, const tf_node *n, wi_op_params *p, wi_error *err) {
    return want_nhwc(n, err);
}

static wi_status parse_mean(tf_ctx *ctx, const tf_node *n, wi_op_params *p, wi_error *err) {
    int keep = 0, found;
    wi_status st = tf_attr_bool(n, "keep_dims", &keep, &found, err);
    p->reduce.keep_dims = keep;
    return st;
}

static wi_status parse_squeeze(tf_ctx *ctx, const tf_node *n, wi_op_params *p, wi_error *err) {
    int64_t dims[WI_MAX_RANK];
    int count, found;
    wi_status st = tf_attr_int_list(n, "squeeze_dims", dims, WI_MAX_RANK, &count, &found, err);
    if (st != WI_OK) return st;
    p->squeeze.count = count;
    for (int i = 0; i < count; i++) {
        if (dims[i] < -WI_MAX_RANK || dims[i] >= WI_MAX_RANK)
            return tf_fail(err, n, WI_E_MALFORMED, "squeeze dim %lld out of range", (long long)dims[i]);
        p->squeeze.dims[i] = (int)dims[i];
    }
    return WI_OK;
}

static wi_status parse_matmul(tf_ctx *ctx, const tf_node *n, wi_op_params *p, wi_error *err) {
    int found;
    wi_status st = tf_attr_bool(n, "transpose_a", &p->matmul.transpose_a, &found, err);
    if (st == WI_OK) st = tf_attr_bool(n, "transpose_b", &p->matmul.transpose_b, &found, err);
    return st;
}

static wi_status parse_concat(tf_ctx *ctx, const tf_node *n, wi_op_params *p, wi_error *err) {
    /* the last input is the axis: it must be a constant scalar */
    const tf_input *in = &n->inputs[n->input_count - 1];
    const wi_value *axis = &ctx->graph->values[in->node];
    int64_t a;
    if (in->output != 0 || wi_value_const_ints(axis, &a, 1) != 1)
        return tf_fail(err, n, WI_E_UNSUPPORTED, "axis '%s' is not a constant scalar", axis->name);
    if (a < -WI_MAX_RANK || a >= WI_MAX_RANK)
        return tf_fail(err, n, WI_E_MALFORMED, "axis %lld out of range", (long long)a);
    p->concat.axis = (int)a;
    return WI_OK;
}

static const tf_op_entry k_ops[] = {
    {"Identity", WI_OP_IDENTITY, 1, 1, NULL, 0},
    /* gradient plumbing that is an identity at inference */
    {"StopGradient", WI_OP_IDENTITY, 1, 1, NULL, 0},
    {"PreventGradient", WI_OP_IDENTITY, 1, 1, NULL, 0},
    {"Snapshot", WI_OP_IDENTITY, 1, 1, NULL, 0},
    {"Conv2D", WI_OP_CONV2D, 2, 2, parse_conv, 1},
    {"DepthwiseConv2dNative", WI_OP_DEPTHWISE_CONV2D, 2, 2, parse_conv, 1},
    {"FusedBatchNorm", WI_OP_BATCHNORM, 5, 5, parse_batchnorm, 1},
    {"FusedBatchNormV2", WI_OP_BATCHNORM, 5, 5, parse_batchnorm, 1},
    {"FusedBatchNormV3", WI_OP_BATCHNORM, 5, 5, parse_batchnorm, 1},
    {"BiasAdd", WI_OP_BIAS_ADD, 2, 2, parse_bias_add, 1},
    {"Relu", WI_OP_RELU, 1, 1, NULL, 1},
    {"Relu6", WI_OP_RELU6, 1, 1, NULL, 1},
    {"Add", WI_OP_ADD, 2, 2, NULL, 1},
    {"AddV2", WI_OP_ADD, 2, 2, NULL, 1},
    {"Sub", WI_OP_SUB, 2, 2, NULL, 1},
    {"Mul", WI_OP_MUL, 2, 2, NULL, 1},
    {"AvgPool", WI_OP_AVG_POOL, 1, 1, parse_pool, 1},
    {"MaxPool", WI_OP_MAX_POOL, 1, 1, parse_pool, 1},
    {"Mean", WI_OP_MEAN, 2, 2, parse_mean, 1},
    {"Squeeze", WI_OP_SQUEEZE, 1, 1, parse_squeeze, 0},
    {"Reshape", WI_OP_RESHAPE, 2, 2, NULL, 0},
    {"Shape", WI_OP_SHAPE, 1, 1, NULL, 0},
    {"Softmax", WI_OP_SOFTMAX, 1, 1, NULL, 1},
    {"MatMul", WI_OP_MATMUL, 2, 2, parse_matmul, 1},
    {"Pad", WI_OP_PAD, 2, 2, NULL, 0},
    {"ConcatV2", WI_OP_CONCAT, 2, 257, parse_concat, 0},
};

/* Adds one IR node for source node `n` reading `count` value ids into `output`; `label` (if
 * not NULL) replaces the origin as the histogram name. */
static wi_status add_node(tf_ctx *ctx, const tf_node *n, wi_op_kind kind, const wi_op_params *params,
                          const int *inputs, int count, int output, const char *label, wi_error *err) {
    int id = wi_graph_add_node(ctx->graph, kind, n->name, n->op, inputs, count, output);
    if (id < 0) return tf_fail(err, n, WI_E_OUT_OF_MEMORY, "out of memory");
    wi_node *node = &ctx->graph->nodes[id];
    if (kind == WI_OP_CONV2D || kind == WI_OP_DEPTHWISE_CONV2D) {
        wi_op_params p = *params;
        p.conv.act_min = node->params.conv.act_min;
        p.conv.act_max = node->params.conv.act_max;
        p.conv.channel_multiplier = 1;
        node->params = p;
    } else {
        node->params = *params;
    }
    if (label) snprintf(node->label, sizeof node->label, "%s", label);
    return WI_OK;
}

/* A fresh value for the output of one step of a fused op ("NAME/BiasAdd"). */
static int step_value(tf_ctx *ctx, const tf_node *n, const char *step) {
    char name[WI_NODE_LABEL_MAX + 4200];
    snprintf(name, sizeof name, "%s/%s", n->name, step);
    return wi_graph_add_value(ctx->graph, name);
}

/* Grappler's and the TF.js converter's fused ops (_FusedConv2D, FusedDepthwiseConv2dNative,
 * _FusedMatMul): inputs x, filter, then num_args arguments of fused_ops = [BiasAdd] (bias) or
 * [FusedBatchNorm] (scale, offset, mean, variance), optionally followed by Relu or Relu6.
 * They are unfolded into the plain nodes, which the passes fuse into one convolution again. */
static wi_status map_fused(tf_ctx *ctx, int index, wi_op_kind kind, const char *base, wi_error *err) {
    const tf_node *n = &ctx->nodes[index];
    char fused[4][TF_SHORT_STRING];
    int count, found, t;
    int64_t num_args = 0;
    wi_status st = tf_attr_string_list(n, "fused_ops", fused, 4, &count, &found, err);
    if (st == WI_OK) st = tf_attr_int(n, "num_args", &num_args, &found, err);
    if (st == WI_OK) st = tf_attr_type(n, "T", &t, &found, err);
    if (st != WI_OK) return st;
    if (found && t != TF_DT_FLOAT)
        return tf_fail(err, n, WI_E_UNSUPPORTED, "unsupported dtype %d for %s (float only)", t, n->op);
    int batchnorm = count >= 1 && strcmp(fused[0], "FusedBatchNorm") == 0;
    if (count < 1 || (!batchnorm && strcmp(fused[0], "BiasAdd") != 0))
        return tf_fail(err, n, WI_E_UNSUPPORTED, "unsupported fused_ops (first '%s'; BiasAdd or FusedBatchNorm run)",
                       count >= 1 ? fused[0] : "");
    wi_op_kind act = WI_OP_IDENTITY;
    if (count >= 2 && strcmp(fused[1], "Relu") == 0) act = WI_OP_RELU;
    else if (count >= 2 && strcmp(fused[1], "Relu6") == 0) act = WI_OP_RELU6;
    else if (count >= 2) return tf_fail(err, n, WI_E_UNSUPPORTED, "unsupported fused activation '%s'", fused[1]);
    if (count > 2) return tf_fail(err, n, WI_E_UNSUPPORTED, "unsupported fused op '%s'", fused[2]);
    int args = batchnorm ? 4 : 1;
    if (num_args != args || n->input_count != 2 + args)
        return tf_fail(err, n, WI_E_MALFORMED, "%s with %s has %d inputs and num_args %lld, expected %d and %d",
                       n->op, fused[0], n->input_count, (long long)num_args, 2 + args, args);
    for (int i = 0; i < n->input_count; i++)
        if (n->inputs[i].output != 0)
            return tf_fail(err, n, WI_E_UNSUPPORTED, "reads output %d of '%s' (only output 0 is supported)",
                           n->inputs[i].output, ctx->nodes[n->inputs[i].node].name);
    wi_op_params params;
    memset(&params, 0, sizeof params);
    st = kind == WI_OP_MATMUL ? parse_matmul(ctx, n, &params, err) : parse_conv(ctx, n, &params, err);
    if (st != WI_OK) return st;
    int base_out = step_value(ctx, n, base);
    int affine_out = act == WI_OP_IDENTITY ? index : step_value(ctx, n, fused[0]);
    if (base_out < 0 || affine_out < 0) return tf_fail(err, n, WI_E_OUT_OF_MEMORY, "out of memory");
    int in[6] = {n->inputs[0].node, n->inputs[1].node};
    st = add_node(ctx, n, kind, &params, in, 2, base_out, base, err);
    if (st != WI_OK) return st;
    in[0] = base_out;
    for (int i = 0; i < args; i++) in[1 + i] = n->inputs[2 + i].node;
    memset(&params, 0, sizeof params);
    if (batchnorm) {
        params.batchnorm.epsilon = 0.0001f;
        st = tf_attr_float(n, "epsilon", &params.batchnorm.epsilon, &found, err);
        if (st != WI_OK) return st;
        if (!(params.batchnorm.epsilon >= 0.0f && isfinite(params.batchnorm.epsilon)))
            return tf_fail(err, n, WI_E_MALFORMED, "bad epsilon");
    }
    st = add_node(ctx, n, batchnorm ? WI_OP_BATCHNORM : WI_OP_BIAS_ADD, &params, in, 1 + args,
                  affine_out, fused[0], err);
    if (st != WI_OK || act == WI_OP_IDENTITY) return st;
    in[0] = affine_out;
    return add_node(ctx, n, act, &params, in, 1, index, fused[1], err);
}

wi_status tf_map_node(tf_ctx *ctx, int index, wi_error *err) {
    const tf_node *n = &ctx->nodes[index];
    if (strcmp(n->op, "_FusedConv2D") == 0) return map_fused(ctx, index, WI_OP_CONV2D, "Conv2D", err);
    if (strcmp(n->op, "FusedDepthwiseConv2dNative") == 0)
        return map_fused(ctx, index, WI_OP_DEPTHWISE_CONV2D, "DepthwiseConv2dNative", err);
    if (strcmp(n->op, "_FusedMatMul") == 0) return map_fused(ctx, index, WI_OP_MATMUL, "MatMul", err);
    const tf_op_entry *e = NULL;
    for (size_t i = 0; i < sizeof k_ops / sizeof k_ops[0]; i++)
        if (strcmp(k_ops[i].name, n->op) == 0) e = &k_ops[i];
    if (!e) return tf_fail(err, n, WI_E_UNSUPPORTED, "unsupported op '%s'", n->op);
    if (n->input_count < e->min_inputs || n->input_count > e->max_inputs)
        return tf_fail(err, n, WI_E_MALFORMED, "%s has %d inputs, expected %d..%d", n->op,
                       n->input_count, e->min_inputs, e->max_inputs);
    int t, found;
    wi_status st = tf_attr_type(n, "T", &t, &found, err);
    if (st != WI_OK) return st;
    if (found && e->float_only && t != TF_DT_FLOAT)
        return tf_fail(err, n, WI_E_UNSUPPORTED, "unsupported dtype %d for %s (float only)", t, n->op);
    if (n->op[0] == 'S' && strcmp(n->op, "Shape") == 0) {
        st = tf_attr_type(n, "out_type", &t, &found, err);
        if (st != WI_OK) return st;
        if (found && t != TF_DT_INT32)
            return tf_fail(err, n, WI_E_UNSUPPORTED, "unsupported out_type %d (int32 only)", t);
    }
    wi_op_params params;
    memset(&params, 0, sizeof params);
    if (e->parse && (st = e->parse(ctx, n, &params, err)) != WI_OK) return st;
    int inputs[257]; /* small: the wasm stack is 64 KiB */
    int count = e->kind == WI_OP_CONCAT ? n->input_count - 1 : n->input_count;
    for (int i = 0; i < count; i++) {
        if (n->inputs[i].output != 0)
            return tf_fail(err, n, WI_E_UNSUPPORTED, "reads output %d of '%s' (only output 0 is supported)",
                           n->inputs[i].output, ctx->nodes[n->inputs[i].node].name);
        inputs[i] = n->inputs[i].node;
    }
    return add_node(ctx, n, e->kind, &params, inputs, count, index, NULL, err);
}
