/* TFLite operators -> IR nodes. Each builtin's options table becomes the plain parameter
 * struct of the engine's op; filters are converted from TFLite's layouts (conv OHWI,
 * depthwise 1HW(C*M)) to the engine's HWIO and HWCM. A fused activation becomes the conv's
 * clamp range or a Relu/Relu6 node, and every output on a quantization grid gets a
 * FakeQuant node after it, so the float ops track TFLite's integer kernels. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/checked.h"
#include "formats/tflite/tfl.h"

/* BuiltinOperator codes (schema.fbs) */
enum { OP_ADD = 0, OP_AVERAGE_POOL_2D = 1, OP_CONCATENATION = 2, OP_CONV_2D = 3,
       OP_DEPTHWISE_CONV_2D = 4, OP_DEQUANTIZE = 6, OP_FULLY_CONNECTED = 9, OP_MAX_POOL_2D = 17, OP_MUL = 18,
       OP_RELU = 19, OP_RELU6 = 21, OP_RESHAPE = 22, OP_SOFTMAX = 25, OP_PAD = 34,
       OP_MEAN = 40, OP_SUB = 41, OP_SQUEEZE = 43, OP_QUANTIZE = 114 };
/* BuiltinOptions union tags */
enum { OPT_CONV = 1, OPT_DEPTHWISE = 2, OPT_POOL = 5, OPT_FULLY_CONNECTED = 8, OPT_SOFTMAX = 9, OPT_CONCAT = 10,
       OPT_ADD = 11, OPT_RESHAPE = 17, OPT_MUL = 21, OPT_PAD = 22, OPT_REDUCER = 27,
       OPT_SUB = 28, OPT_SQUEEZE = 30 };
/* ActivationFunctionType, Padding */
enum { ACT_NONE = 0, ACT_RELU = 1, ACT_RELU_N1_TO_1 = 2, ACT_RELU6 = 3 };
enum { PAD_SAME = 0, PAD_VALID = 1 };

typedef struct op_ctx {
    tfl_ctx *c;
    int index;
    int32_t code;
    const char *origin;
    char origin_buf[24];
    wi_fb_vector inputs, outputs;
    wi_fb_table options;
    int has_options;
} op_ctx;

#define FAIL(o, st, ...) tfl_op_fail(err, (o)->index, (o)->code, st, __VA_ARGS__)

/* Tensor index of input k, -1 when absent or marked optional (-1). */
static int in_tensor(const op_ctx *o, uint32_t k) {
    return k < o->inputs.count ? wi_fb_vec_i32(&o->inputs, k) : -1;
}

static wi_status want_inputs(const op_ctx *o, uint32_t min, uint32_t max, wi_error *err) {
    if (o->inputs.count < min || o->inputs.count > max)
        return FAIL(o, WI_E_MALFORMED, "%u inputs (expected %u to %u)", o->inputs.count, min, max);
    for (uint32_t k = 0; k < o->inputs.count; k++) {
        int t = in_tensor(o, k);
        if (t < -1 || t >= o->c->tensor_count || (t == -1 && k < min))
            return FAIL(o, WI_E_MALFORMED, "input %u names tensor %d of %d", k, t, o->c->tensor_count);
    }
    return WI_OK;
}

static const tfl_tensor *tensor(const op_ctx *o, int t) { return &o->c->tensors[t]; }

/* Creates a fresh activation value named "<tensor>/<suffix>". */
static int temp_value(op_ctx *o, int out_t, const char *suffix) {
    char name[WI_ERROR_MESSAGE_MAX / 2];
    snprintf(name, sizeof name, "%.150s/%s", o->c->graph->values[o->c->tensors[out_t].value].name,
             suffix);
    return wi_graph_add_value(o->c->graph, name);
}

/* Adds node kind(inputs) producing tensor out_t, followed by a Relu/Relu6 for `act` (when
 * the op has no clamp of its own) and a FakeQuant when out_t is quantized and `requant`.
 * Returns the main node's id in *node (parameters are set by the caller after this). */
static wi_status emit(op_ctx *o, wi_op_kind kind, const int *ins, int count, int out_t, int act,
                      int requant, int *node, wi_error *err) {
    wi_graph *g = o->c->graph;
    const tfl_tensor *t = tensor(o, out_t);
    if (t->value < 0 || g->values[t->value].data || g->values[t->value].producer >= 0 ||
        g->values[t->value].is_input)
        return FAIL(o, WI_E_MALFORMED, "output tensor %d is a constant, the input or already computed", out_t);
    int quant = t->quantized && requant;
    wi_op_kind act_kind = act == ACT_RELU ? WI_OP_RELU : WI_OP_RELU6;
    if (act != ACT_NONE && act != ACT_RELU && act != ACT_RELU6)
        return FAIL(o, WI_E_UNSUPPORTED, "fused activation %d (NONE, RELU and RELU6 are supported)", act);
    int main_out = (act != ACT_NONE || quant) ? temp_value(o, out_t, "raw") : t->value;
    int act_out = act != ACT_NONE ? (quant ? temp_value(o, out_t, "act") : t->value) : main_out;
    if (main_out < 0 || act_out < 0) return FAIL(o, WI_E_OUT_OF_MEMORY, "out of memory");
    const char *name = g->values[t->value].name;
    *node = wi_graph_add_node(g, kind, name, o->origin, ins, count, main_out);
    if (*node < 0) return FAIL(o, WI_E_OUT_OF_MEMORY, "out of memory");
    if (act != ACT_NONE) {
        int id = wi_graph_add_node(g, act_kind, name, wi_op_kind_name(act_kind), &main_out, 1, act_out);
        if (id < 0) return FAIL(o, WI_E_OUT_OF_MEMORY, "out of memory");
        wi_node_label_append(&g->nodes[*node], act == ACT_RELU ? "RELU" : "RELU6");
    }
    if (quant) {
        int id = wi_graph_add_node(g, WI_OP_FAKE_QUANT, name, "FakeQuant", &act_out, 1, t->value);
        if (id < 0) return FAIL(o, WI_E_OUT_OF_MEMORY, "out of memory");
        g->nodes[id].params.quant = t->grid;
    }
    return WI_OK;
}

static int value_of(const op_ctx *o, int t) { return t >= 0 ? tensor(o, t)->value : -1; }

static wi_status want_const(const op_ctx *o, int t, const char *what, wi_error *err) {
    if (t < 0 || !o->c->graph->values[tensor(o, t)->value].data)
        return FAIL(o, WI_E_UNSUPPORTED, "%s (tensor %d) is not a constant", what, t);
    return WI_OK;
}

static wi_status padding_of(const op_ctx *o, uint8_t p, wi_padding *out, wi_error *err) {
    if (p == PAD_SAME) *out = WI_PAD_SAME;
    else if (p == PAD_VALID) *out = WI_PAD_VALID;
    else return FAIL(o, WI_E_UNSUPPORTED, "padding %u", p);
    return WI_OK;
}

static wi_status clamp_of(const op_ctx *o, int8_t act, wi_conv_params *p, wi_error *err) {
    switch (act) {
    case ACT_NONE: p->act_min = -INFINITY; p->act_max = INFINITY; return WI_OK;
    case ACT_RELU: p->act_min = 0.0f; p->act_max = INFINITY; return WI_OK;
    case ACT_RELU_N1_TO_1: p->act_min = -1.0f; p->act_max = 1.0f; return WI_OK;
    case ACT_RELU6: p->act_min = 0.0f; p->act_max = 6.0f; return WI_OK;
    default: return FAIL(o, WI_E_UNSUPPORTED, "fused activation %d", act);
    }
}

/* A new constant holding `data` with `dims`, named "<filter>/<suffix>". */
static wi_status add_filter(op_ctx *o, int src_t, const char *suffix, const int64_t *dims,
                            const float *data, int *id, wi_error *err) {
    char name[WI_ERROR_MESSAGE_MAX / 2];
    snprintf(name, sizeof name, "%.150s/%s", o->c->graph->values[tensor(o, src_t)->value].name, suffix);
    wi_status st = wi_graph_add_const(o->c->graph, name, WI_DTYPE_FLOAT32, 4, dims, data, id, err);
    if (st != WI_OK) wi_error_prefix(err, "tflite: ");
    return st;
}

/* CONV_2D: filter [O,KH,KW,I] -> [KH,KW,I,O]; DEPTHWISE_CONV_2D: [1,KH,KW,C*M] -> [KH,KW,C,M]
 * (the same bytes). Bias (input 2) is optional. */
static wi_status map_conv(op_ctx *o, int depthwise, wi_error *err) {
    wi_status st = want_inputs(o, 2, 3, err);
    if (st != WI_OK) return st;
    int x_t = in_tensor(o, 0), w_t = in_tensor(o, 1), b_t = in_tensor(o, 2);
    if ((st = want_const(o, w_t, "the filter", err)) != WI_OK) return st;
    if (b_t >= 0 && (st = want_const(o, b_t, "the bias", err)) != WI_OK) return st;
    const wi_value *w = &o->c->graph->values[tensor(o, w_t)->value];
    if (w->rank != 4 || w->dtype != WI_DTYPE_FLOAT32)
        return FAIL(o, WI_E_MALFORMED, "filter of rank %d (4 expected)", w->rank);
    if (b_t >= 0 && o->c->graph->values[tensor(o, b_t)->value].dtype != WI_DTYPE_FLOAT32)
        return FAIL(o, WI_E_UNSUPPORTED, "bias is not float or quantized");
    int64_t dims[4];
    int filter = -1;
    const float *src = w->data;
    if (!depthwise) {
        const int64_t oc = w->dims[0], kh = w->dims[1], kw = w->dims[2], ic = w->dims[3];
        float *hwio = malloc((size_t)wi_value_elements(w) * sizeof(float) + 1);
        if (!hwio) return FAIL(o, WI_E_OUT_OF_MEMORY, "out of memory");
        for (int64_t a = 0; a < oc; a++)
            for (int64_t k = 0; k < kh * kw * ic; k++) hwio[k * oc + a] = src[a * kh * kw * ic + k];
        dims[0] = kh, dims[1] = kw, dims[2] = ic, dims[3] = oc;
        st = add_filter(o, w_t, "hwio", dims, hwio, &filter, err);
        free(hwio);
    } else {
        const tfl_tensor *x = tensor(o, x_t);
        int64_t c = x->rank == 4 ? x->dims[3] : 0;
        if (w->dims[0] != 1 || c <= 0 || w->dims[3] % c)
            return FAIL(o, WI_E_MALFORMED, "depthwise filter [%lld,%lld,%lld,%lld] for %lld input channels",
                        (long long)w->dims[0], (long long)w->dims[1], (long long)w->dims[2],
                        (long long)w->dims[3], (long long)c);
        dims[0] = w->dims[1], dims[1] = w->dims[2], dims[2] = c, dims[3] = w->dims[3] / c;
        st = add_filter(o, w_t, "hwcm", dims, src, &filter, err);
    }
    if (st != WI_OK) return st;
    int ins[3] = {value_of(o, x_t), filter, value_of(o, b_t)};
    int32_t sw, sh, dw, dh;
    uint8_t pad;
    int8_t act;
    const wi_fb_table *t = &o->options;
    int base = depthwise ? 1 : 0; /* depthwise has depth_multiplier before the activation */
    wi_fb_u8(t, 0, 0, &pad);
    wi_fb_i32(t, 1, 0, &sw);
    wi_fb_i32(t, 2, 0, &sh);
    wi_fb_i8(t, 3 + base, 0, &act);
    wi_fb_i32(t, 4 + base, 1, &dw);
    wi_fb_i32(t, 5 + base, 1, &dh);
    int node = -1;
    st = emit(o, depthwise ? WI_OP_DEPTHWISE_CONV2D : WI_OP_CONV2D, ins, b_t >= 0 ? 3 : 2,
              wi_fb_vec_i32(&o->outputs, 0), ACT_NONE, 1, &node, err);
    if (st != WI_OK) return st;
    wi_conv_params *p = &o->c->graph->nodes[node].params.conv;
    p->stride_h = sh, p->stride_w = sw, p->dilation_h = dh, p->dilation_w = dw;
    if ((st = padding_of(o, pad, &p->padding, err)) != WI_OK) return st;
    if ((st = clamp_of(o, act, p, err)) != WI_OK) return st;
    if (act == ACT_RELU6) wi_node_label_append(&o->c->graph->nodes[node], "RELU6");
    else if (act == ACT_RELU) wi_node_label_append(&o->c->graph->nodes[node], "RELU");
    return WI_OK;
}

static wi_status map_pool(op_ctx *o, wi_op_kind kind, wi_error *err) {
    wi_status st = want_inputs(o, 1, 1, err);
    if (st != WI_OK) return st;
    uint8_t pad;
    int32_t sw, sh, fw, fh;
    int8_t act;
    wi_fb_u8(&o->options, 0, 0, &pad);
    wi_fb_i32(&o->options, 1, 0, &sw);
    wi_fb_i32(&o->options, 2, 0, &sh);
    wi_fb_i32(&o->options, 3, 0, &fw);
    wi_fb_i32(&o->options, 4, 0, &fh);
    wi_fb_i8(&o->options, 5, 0, &act);
    if (!o->has_options) return FAIL(o, WI_E_MALFORMED, "no pooling options");
    int ins[1] = {value_of(o, in_tensor(o, 0))}, node = -1;
    st = emit(o, kind, ins, 1, wi_fb_vec_i32(&o->outputs, 0), act, 1, &node, err);
    if (st != WI_OK) return st;
    wi_pool_params *p = &o->c->graph->nodes[node].params.pool;
    p->kernel_h = fh, p->kernel_w = fw, p->stride_h = sh, p->stride_w = sw;
    return padding_of(o, pad, &p->padding, err);
}

/* RESHAPE: the shape is input 1 when it is a constant, else the new_shape option. */
static wi_status map_reshape(op_ctx *o, wi_error *err) {
    wi_status st = want_inputs(o, 1, 2, err);
    if (st != WI_OK) return st;
    int shape_t = in_tensor(o, 1), shape = -1;
    if (shape_t >= 0 && o->c->graph->values[tensor(o, shape_t)->value].data) {
        shape = tensor(o, shape_t)->value;
    } else {
        wi_fb_vector ns;
        if (!o->has_options || wi_fb_vector_field(&o->options, 0, 4, &ns) != WI_FB_OK || ns.count > WI_MAX_RANK)
            return FAIL(o, WI_E_UNSUPPORTED, "the new shape is neither a constant input nor an option");
        int32_t dims32[WI_MAX_RANK];
        for (uint32_t i = 0; i < ns.count; i++) dims32[i] = wi_fb_vec_i32(&ns, i);
        int64_t len = ns.count;
        char name[WI_ERROR_MESSAGE_MAX / 2];
        snprintf(name, sizeof name, "operator_%d/new_shape", o->index);
        st = wi_graph_add_const(o->c->graph, name, WI_DTYPE_INT32, 1, &len, dims32, &shape, err);
        if (st != WI_OK) return st;
    }
    int ins[2] = {value_of(o, in_tensor(o, 0)), shape}, node = -1;
    return emit(o, WI_OP_RESHAPE, ins, 2, wi_fb_vec_i32(&o->outputs, 0), ACT_NONE, 1, &node, err);
}

static wi_status map_binary(op_ctx *o, wi_op_kind kind, wi_error *err) {
    wi_status st = want_inputs(o, 2, 2, err);
    if (st != WI_OK) return st;
    int8_t act;
    wi_fb_i8(&o->options, 0, 0, &act);
    int ins[2] = {value_of(o, in_tensor(o, 0)), value_of(o, in_tensor(o, 1))}, node = -1;
    return emit(o, kind, ins, 2, wi_fb_vec_i32(&o->outputs, 0), act, 1, &node, err);
}

/* MEAN (x, axes) with ReducerOptions.keep_dims; PAD (x, paddings). */
static wi_status map_with_const(op_ctx *o, wi_op_kind kind, const char *what, wi_error *err) {
    wi_status st = want_inputs(o, 2, 2, err);
    if (st != WI_OK) return st;
    if ((st = want_const(o, in_tensor(o, 1), what, err)) != WI_OK) return st;
    uint8_t keep = 0;
    wi_fb_u8(&o->options, 0, 0, &keep);
    int ins[2] = {value_of(o, in_tensor(o, 0)), value_of(o, in_tensor(o, 1))}, node = -1;
    st = emit(o, kind, ins, 2, wi_fb_vec_i32(&o->outputs, 0), ACT_NONE, 1, &node, err);
    if (st == WI_OK && kind == WI_OP_MEAN) o->c->graph->nodes[node].params.reduce.keep_dims = keep != 0;
    return st;
}

static wi_status map_squeeze(op_ctx *o, wi_error *err) {
    wi_status st = want_inputs(o, 1, 1, err);
    if (st != WI_OK) return st;
    wi_fb_vector dims;
    if (wi_fb_vector_field(&o->options, 0, 4, &dims) == WI_FB_BAD || dims.count > WI_MAX_RANK)
        return FAIL(o, WI_E_MALFORMED, "bad squeeze_dims");
    int ins[1] = {value_of(o, in_tensor(o, 0))}, node = -1;
    st = emit(o, WI_OP_SQUEEZE, ins, 1, wi_fb_vec_i32(&o->outputs, 0), ACT_NONE, 1, &node, err);
    if (st != WI_OK) return st;
    wi_squeeze_params *p = &o->c->graph->nodes[node].params.squeeze;
    p->count = (int)dims.count;
    for (uint32_t i = 0; i < dims.count; i++) p->dims[i] = wi_fb_vec_i32(&dims, i);
    return WI_OK;
}

static wi_status map_softmax(op_ctx *o, wi_error *err) {
    wi_status st = want_inputs(o, 1, 1, err);
    if (st != WI_OK) return st;
    float beta;
    wi_fb_f32(&o->options, 0, 0.0f, &beta);
    if (beta != 1.0f) return FAIL(o, WI_E_UNSUPPORTED, "beta %g (only 1 is supported)", beta);
    int ins[1] = {value_of(o, in_tensor(o, 0))}, node = -1;
    return emit(o, WI_OP_SOFTMAX, ins, 1, wi_fb_vec_i32(&o->outputs, 0), ACT_NONE, 1, &node, err);
}

static wi_status map_concat(op_ctx *o, wi_error *err) {
    wi_status st = want_inputs(o, 1, 64, err);
    if (st != WI_OK) return st;
    int32_t axis;
    int8_t act;
    int ins[64], node = -1;
    wi_fb_i32(&o->options, 0, 0, &axis);
    wi_fb_i8(&o->options, 1, 0, &act);
    for (uint32_t k = 0; k < o->inputs.count; k++) ins[k] = value_of(o, in_tensor(o, k));
    st = emit(o, WI_OP_CONCAT, ins, (int)o->inputs.count, wi_fb_vec_i32(&o->outputs, 0), act, 1, &node, err);
    if (st == WI_OK) o->c->graph->nodes[node].params.concat.axis = axis;
    return st;
}

/* FULLY_CONNECTED: weights [out, in] (the default format), optional bias [out]. Becomes
 * Reshape to [-1, in] (when x is not rank 2), MatMul with transpose_b, then Add of the bias
 * carrying the activation and the rounding. */
static wi_status map_fully_connected(op_ctx *o, wi_error *err) {
    wi_status st = want_inputs(o, 2, 3, err);
    if (st != WI_OK) return st;
    int x_t = in_tensor(o, 0), w_t = in_tensor(o, 1), b_t = in_tensor(o, 2), out_t = wi_fb_vec_i32(&o->outputs, 0);
    if ((st = want_const(o, w_t, "the weights", err)) != WI_OK) return st;
    if (b_t >= 0 && (st = want_const(o, b_t, "the bias", err)) != WI_OK) return st;
    int8_t act;
    uint8_t format, keep;
    wi_fb_i8(&o->options, 0, 0, &act);
    wi_fb_u8(&o->options, 1, 0, &format);
    wi_fb_u8(&o->options, 2, 0, &keep);
    wi_graph *g = o->c->graph;
    const wi_value *w = &g->values[tensor(o, w_t)->value];
    if (format != 0) return FAIL(o, WI_E_UNSUPPORTED, "weights format %u (only DEFAULT)", format);
    if (w->rank != 2 || w->dtype != WI_DTYPE_FLOAT32)
        return FAIL(o, WI_E_MALFORMED, "weights of rank %d (2 expected)", w->rank);
    const tfl_tensor *x = tensor(o, x_t);
    if (keep && x->rank != 2) return FAIL(o, WI_E_UNSUPPORTED, "keep_num_dims with a rank-%d input", x->rank);
    int a = value_of(o, x_t);
    if (x->rank != 2) {
        int32_t shape[2] = {-1, (int32_t)w->dims[1]};
        int64_t two = 2;
        int shape_id, flat = temp_value(o, out_t, "flat");
        char name[WI_ERROR_MESSAGE_MAX / 2];
        snprintf(name, sizeof name, "operator_%d/flat_shape", o->index);
        if ((st = wi_graph_add_const(g, name, WI_DTYPE_INT32, 1, &two, shape, &shape_id, err)) != WI_OK) return st;
        int ins[2] = {a, shape_id};
        if (flat < 0 || wi_graph_add_node(g, WI_OP_RESHAPE, g->values[flat].name, "RESHAPE", ins, 2, flat) < 0)
            return FAIL(o, WI_E_OUT_OF_MEMORY, "out of memory");
        a = flat;
    }
    int ins[2] = {a, tensor(o, w_t)->value}, node = -1;
    if (b_t < 0) {
        st = emit(o, WI_OP_MATMUL, ins, 2, out_t, act, 1, &node, err);
        if (st == WI_OK) g->nodes[node].params.matmul.transpose_b = 1;
        return st;
    }
    int product = temp_value(o, out_t, "matmul");
    if (product < 0) return FAIL(o, WI_E_OUT_OF_MEMORY, "out of memory");
    node = wi_graph_add_node(g, WI_OP_MATMUL, g->values[product].name, o->origin, ins, 2, product);
    if (node < 0) return FAIL(o, WI_E_OUT_OF_MEMORY, "out of memory");
    g->nodes[node].params.matmul.transpose_b = 1;
    int sum[2] = {product, tensor(o, b_t)->value};
    return emit(o, WI_OP_ADD, sum, 2, out_t, act, 1, &node, err);
}

/* QUANTIZE (float or another grid -> this grid) is the FakeQuant itself; DEQUANTIZE (grid ->
 * float) is nothing in the real-valued domain; RELU/RELU6 standalone. */
static wi_status map_unary(op_ctx *o, wi_op_kind kind, wi_error *err) {
    wi_status st = want_inputs(o, 1, 1, err);
    if (st != WI_OK) return st;
    int out_t = wi_fb_vec_i32(&o->outputs, 0), ins[1] = {value_of(o, in_tensor(o, 0))}, node = -1;
    if (kind == WI_OP_FAKE_QUANT && !tensor(o, out_t)->quantized)
        return FAIL(o, WI_E_UNSUPPORTED, "output tensor %d has no quantization grid", out_t);
    st = emit(o, kind, ins, 1, out_t, ACT_NONE, kind != WI_OP_FAKE_QUANT, &node, err);
    if (st == WI_OK && kind == WI_OP_FAKE_QUANT) o->c->graph->nodes[node].params.quant = tensor(o, out_t)->grid;
    return st;
}

static const struct { int32_t code; int options_tag; } k_expected_options[] = {
    {OP_CONV_2D, OPT_CONV}, {OP_DEPTHWISE_CONV_2D, OPT_DEPTHWISE}, {OP_AVERAGE_POOL_2D, OPT_POOL},
    {OP_MAX_POOL_2D, OPT_POOL}, {OP_SOFTMAX, OPT_SOFTMAX}, {OP_CONCATENATION, OPT_CONCAT},
    {OP_ADD, OPT_ADD}, {OP_RESHAPE, OPT_RESHAPE}, {OP_MUL, OPT_MUL}, {OP_PAD, OPT_PAD},
    {OP_MEAN, OPT_REDUCER}, {OP_SUB, OPT_SUB}, {OP_SQUEEZE, OPT_SQUEEZE},
    {OP_FULLY_CONNECTED, OPT_FULLY_CONNECTED},
};

/* Reads the operator's code, inputs, outputs and options table (checking its union tag). */
static wi_status parse_operator(tfl_ctx *c, int index, op_ctx *o, wi_error *err) {
    wi_fb_table t;
    uint32_t opcode;
    uint8_t tag;
    memset(o, 0, sizeof *o);
    o->c = c;
    o->index = index;
    o->code = -1;
    if (wi_fb_vec_table(&c->operators, (uint32_t)index, &t) != WI_FB_OK ||
        wi_fb_u32(&t, 0, 0, &opcode) == WI_FB_BAD || wi_fb_vector_field(&t, 1, 4, &o->inputs) == WI_FB_BAD ||
        wi_fb_vector_field(&t, 2, 4, &o->outputs) == WI_FB_BAD || wi_fb_u8(&t, 3, 0, &tag) == WI_FB_BAD)
        return wi_error_set(err, WI_E_MALFORMED, "tflite: operator %d: malformed table", index);
    if (opcode >= c->opcode_count)
        return wi_error_set(err, WI_E_MALFORMED, "tflite: operator %d: opcode index %u of %u", index,
                            opcode, c->opcode_count);
    o->code = c->opcodes[opcode];
    const char *name = tfl_op_name(o->code);
    if (!name) {
        snprintf(o->origin_buf, sizeof o->origin_buf, "builtin_%d", (int)o->code);
        name = o->origin_buf;
    }
    o->origin = name;
    wi_fb_result r = wi_fb_table_field(&t, 4, &o->options);
    if (r == WI_FB_BAD) return FAIL(o, WI_E_MALFORMED, "malformed options table");
    o->has_options = r == WI_FB_OK;
    if (!o->has_options) { /* schema defaults: read from an empty table */
        static const uint8_t empty_table[8] = {4, 0, 4, 0, 4, 0, 0, 0}; /* vtable [4,4] then soffset 4 */
        o->options.buf = empty_table;
        o->options.len = sizeof empty_table;
        o->options.pos = 4;
        o->options.vtable = 0;
        o->options.vtable_len = 4;
        o->options.table_len = 4;
    }
    for (size_t i = 0; o->has_options && i < sizeof k_expected_options / sizeof k_expected_options[0]; i++)
        if (k_expected_options[i].code == o->code && tag != k_expected_options[i].options_tag)
            return FAIL(o, WI_E_MALFORMED, "options of type %u (expected %d)", tag,
                        k_expected_options[i].options_tag);
    if (o->outputs.count != 1) return FAIL(o, WI_E_UNSUPPORTED, "%u outputs (1 supported)", o->outputs.count);
    int out_t = wi_fb_vec_i32(&o->outputs, 0);
    if (out_t < 0 || out_t >= c->tensor_count)
        return FAIL(o, WI_E_MALFORMED, "output names tensor %d of %d", out_t, c->tensor_count);
    return WI_OK;
}

wi_status tfl_map_operator(tfl_ctx *c, int index, wi_error *err) {
    op_ctx o;
    wi_status st = parse_operator(c, index, &o, err);
    if (st != WI_OK) return st;
    switch (o.code) {
    case OP_CONV_2D: return map_conv(&o, 0, err);
    case OP_DEPTHWISE_CONV_2D: return map_conv(&o, 1, err);
    case OP_AVERAGE_POOL_2D: return map_pool(&o, WI_OP_AVG_POOL, err);
    case OP_MAX_POOL_2D: return map_pool(&o, WI_OP_MAX_POOL, err);
    case OP_RESHAPE: return map_reshape(&o, err);
    case OP_SQUEEZE: return map_squeeze(&o, err);
    case OP_SOFTMAX: return map_softmax(&o, err);
    case OP_ADD: return map_binary(&o, WI_OP_ADD, err);
    case OP_SUB: return map_binary(&o, WI_OP_SUB, err);
    case OP_MUL: return map_binary(&o, WI_OP_MUL, err);
    case OP_MEAN: return map_with_const(&o, WI_OP_MEAN, "the axes", err);
    case OP_PAD: return map_with_const(&o, WI_OP_PAD, "the paddings", err);
    case OP_CONCATENATION: return map_concat(&o, err);
    case OP_FULLY_CONNECTED: return map_fully_connected(&o, err);
    case OP_QUANTIZE: return map_unary(&o, WI_OP_FAKE_QUANT, err);
    case OP_DEQUANTIZE: return map_unary(&o, WI_OP_IDENTITY, err);
    case OP_RELU: return map_unary(&o, WI_OP_RELU, err);
    case OP_RELU6: return map_unary(&o, WI_OP_RELU6, err);
    default: break;
    }
    return FAIL(&o, WI_E_UNSUPPORTED, "unsupported op");
}
