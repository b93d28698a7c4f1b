/* Shape-changing ops (Flatten, Reshape, Squeeze/Unsqueeze, Transpose, Concat, Pad) and the
 * constant shape arithmetic exporters emit (Shape, Gather, Constant). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/dtype.h"
#include "formats/onnx/onnx.h"

static const int k_to_nchw[4] = {0, 3, 1, 2};

/* Integer constant input i into out[0..cap); count in *count. */
static wi_status const_ints(onnx_ctx *ctx, const onnx_node *n, int i, int64_t *out, int cap,
                            int *count, wi_error *err) {
    onnx_tensor *t;
    wi_status st = onnx_input(ctx, n, i, &t, err);
    if (st != WI_OK) return st;
    *count = t->plain >= 0 ? wi_value_const_ints(&ctx->graph->values[t->plain], out, cap) : -1;
    if (*count < 0)
        return onnx_fail(err, n, WI_E_UNSUPPORTED, "input %d is not an integer constant of at most %d values", i, cap);
    return WI_OK;
}

wi_status onnx_map_flatten(onnx_ctx *ctx, const onnx_node *n, wi_error *err) {
    onnx_tensor *t;
    int found, rank, x, out;
    int64_t axis = 1, dims[WI_MAX_RANK], flat[2] = {1, 1};
    wi_status st = onnx_attr_int(n, "axis", &axis, &found, err);
    if (st == WI_OK) st = onnx_input(ctx, n, 0, &t, err);
    if (st != WI_OK) return st;
    onnx_shape(ctx, t, &rank, dims);
    if (axis < -rank || axis > rank)
        return onnx_fail(err, n, WI_E_MALFORMED, "axis %lld out of range for rank %d", (long long)axis, rank);
    if (axis < 0) axis += rank;
    for (int i = 0; i < rank; i++) flat[i >= axis] *= dims[i];
    st = onnx_plain_bytes(ctx, n, t, &x, err);
    if (st == WI_OK) st = onnx_reshape(ctx, n, x, 2, flat, NULL, &out, err);
    return st != WI_OK ? st : onnx_define_output(ctx, n, out, -1, err);
}

/* Reshape of input 0 (in ONNX byte order) to `dims`; the output is in ONNX layout. */
static wi_status reshape_out(onnx_ctx *ctx, const onnx_node *n, onnx_tensor *t, int rank,
                             const int64_t *dims, wi_error *err) {
    int x, out;
    wi_status st = onnx_plain_bytes(ctx, n, t, &x, err);
    if (st == WI_OK) st = onnx_reshape(ctx, n, x, rank, dims, NULL, &out, err);
    return st != WI_OK ? st : onnx_define_output(ctx, n, out, -1, err);
}

wi_status onnx_map_reshape(onnx_ctx *ctx, const onnx_node *n, wi_error *err) {
    onnx_tensor *t;
    int found, rank, count;
    int64_t allowzero = 0, dims[WI_MAX_RANK], target[WI_MAX_RANK];
    wi_status st = onnx_attr_int(n, "allowzero", &allowzero, &found, err);
    if (st == WI_OK) st = const_ints(ctx, n, 1, target, WI_MAX_RANK, &count, err);
    if (st == WI_OK) st = onnx_input(ctx, n, 0, &t, err);
    if (st != WI_OK) return st;
    onnx_shape(ctx, t, &rank, dims);
    for (int i = 0; i < count; i++) {
        if (target[i] != 0 || allowzero) continue;
        if (i >= rank) return onnx_fail(err, n, WI_E_MALFORMED, "shape copies dimension %d of a rank-%d input", i, rank);
        target[i] = dims[i]; /* ONNX: 0 copies the input's dimension */
    }
    return reshape_out(ctx, n, t, count, target, err);
}

wi_status onnx_map_squeeze(onnx_ctx *ctx, const onnx_node *n, wi_error *err) {
    const int unsqueeze = strcmp(n->op, "Unsqueeze") == 0;
    onnx_tensor *t;
    int found = 0, rank, count = 0;
    int64_t axes[WI_MAX_RANK], dims[WI_MAX_RANK], out[WI_MAX_RANK];
    wi_status st = WI_OK;
    if (onnx_has_input(n, 1)) { /* opset 13 */
        st = const_ints(ctx, n, 1, axes, WI_MAX_RANK, &count, err);
        found = 1;
    } else {
        st = onnx_attr_ints(n, "axes", axes, WI_MAX_RANK, &count, &found, err);
    }
    if (st == WI_OK) st = onnx_input(ctx, n, 0, &t, err);
    if (st != WI_OK) return st;
    onnx_shape(ctx, t, &rank, dims);
    const int out_rank = unsqueeze ? rank + count : rank;
    if (unsqueeze && (!found || out_rank > WI_MAX_RANK))
        return onnx_fail(err, n, WI_E_MALFORMED, "Unsqueeze without axes or above rank %d", WI_MAX_RANK);
    char mark[WI_MAX_RANK] = {0};
    for (int i = 0; i < count; i++) {
        int64_t a = axes[i] < 0 ? axes[i] + out_rank : axes[i];
        if (a < 0 || a >= out_rank || mark[a] || (!unsqueeze && dims[a] != 1))
            return onnx_fail(err, n, WI_E_MALFORMED, "bad axis %lld", (long long)axes[i]);
        mark[a] = 1;
    }
    int k = 0;
    if (unsqueeze) {
        for (int i = 0, j = 0; i < out_rank; i++) out[k++] = mark[i] ? 1 : dims[j++];
    } else {
        for (int i = 0; i < rank; i++)
            if (!(found ? mark[i] : dims[i] == 1)) out[k++] = dims[i];
    }
    return reshape_out(ctx, n, t, k, out, err);
}

wi_status onnx_map_transpose(onnx_ctx *ctx, const onnx_node *n, wi_error *err) {
    onnx_tensor *t;
    int found, count, rank, perm[WI_MAX_RANK], out;
    int64_t p64[WI_MAX_RANK], dims[WI_MAX_RANK];
    wi_status st = onnx_attr_ints(n, "perm", p64, WI_MAX_RANK, &count, &found, err);
    if (st == WI_OK) st = onnx_input(ctx, n, 0, &t, err);
    if (st != WI_OK) return st;
    onnx_shape(ctx, t, &rank, dims);
    if (found && count != rank)
        return onnx_fail(err, n, WI_E_MALFORMED, "perm has %d entries for rank %d", count, rank);
    for (int i = 0; i < rank; i++) {
        if (found && (p64[i] < 0 || p64[i] >= rank))
            return onnx_fail(err, n, WI_E_MALFORMED, "bad perm entry %lld", (long long)p64[i]);
        perm[i] = found ? (int)p64[i] : rank - 1 - i;
    }
    const int plain = t->plain, nhwc = t->nhwc;
    /* NHWC -> NCHW of a plain tensor: the output's channel-last form is the input itself
     * (an exporter's layout change, common at the input of converted TensorFlow models) */
    if (plain >= 0 && rank == 4 && memcmp(perm, k_to_nchw, sizeof k_to_nchw) == 0)
        return onnx_define_output(ctx, n, -1, plain, err);
    if (nhwc >= 0) { /* compose with channel-last -> NCHW; identity: nothing to do */
        int c[4], identity = 1;
        for (int i = 0; i < 4; i++) identity &= (c[i] = k_to_nchw[perm[i]]) == i;
        if (identity) return onnx_define_output(ctx, n, nhwc, -1, err);
        if (plain < 0) {
            st = onnx_transpose(ctx, n, nhwc, c, NULL, &out, err);
            return st != WI_OK ? st : onnx_define_output(ctx, n, out, -1, err);
        }
    }
    st = onnx_transpose(ctx, n, plain, perm, NULL, &out, err);
    return st != WI_OK ? st : onnx_define_output(ctx, n, out, -1, err);
}

wi_status onnx_map_concat(onnx_ctx *ctx, const onnx_node *n, wi_error *err) {
    int found, rank = -1, cl = 1, any_cl = 0, out;
    int64_t axis, dims[WI_MAX_RANK];
    wi_status st = onnx_attr_int(n, "axis", &axis, &found, err);
    if (st != WI_OK) return st;
    if (!found) return onnx_fail(err, n, WI_E_MALFORMED, "missing attribute 'axis'");
    if (n->input_count < 1 || n->input_count > 1024)
        return onnx_fail(err, n, WI_E_UNSUPPORTED, "%d inputs (1..1024 run)", n->input_count);
    onnx_tensor *t;
    for (int i = 0; i < n->input_count; i++) {
        if ((st = onnx_input(ctx, n, i, &t, err)) != WI_OK) return st;
        int r;
        onnx_shape(ctx, t, &r, dims);
        if (rank >= 0 && r != rank) return onnx_fail(err, n, WI_E_MALFORMED, "inputs differ in rank");
        rank = r;
        any_cl |= t->nhwc >= 0;
    }
    if (axis < -rank || axis >= rank)
        return onnx_fail(err, n, WI_E_MALFORMED, "axis %lld out of range for rank %d", (long long)axis, rank);
    if (axis < 0) axis += rank;
    cl = rank == 4 && any_cl;
    int *ins = malloc(sizeof(int) * (size_t)n->input_count);
    if (!ins) return wi_error_set(err, WI_E_OUT_OF_MEMORY, "onnx: out of memory");
    for (int i = 0; i < n->input_count && st == WI_OK; i++) {
        st = onnx_input(ctx, n, i, &t, err);
        if (st == WI_OK) st = cl ? onnx_nhwc(ctx, n, t, &ins[i], err) : onnx_plain(ctx, n, t, &ins[i], err);
    }
    wi_op_params p;
    memset(&p, 0, sizeof p);
    p.concat.axis = cl ? onnx_nhwc_pos((int)axis) : (int)axis;
    if (st == WI_OK) st = onnx_emit(ctx, n, WI_OP_CONCAT, ins, n->input_count, &p, NULL, &out, err);
    free(ins);
    return st != WI_OK ? st : onnx_define_output(ctx, n, cl ? -1 : out, cl ? out : -1, err);
}

wi_status onnx_map_pad(onnx_ctx *ctx, const onnx_node *n, wi_error *err) {
    char mode[16] = "constant";
    int found, count, rank, x, out;
    int64_t pads[2 * WI_MAX_RANK], dims[WI_MAX_RANK], pairs[2 * WI_MAX_RANK];
    float value = 0.0f;
    onnx_tensor *t;
    wi_status st = onnx_attr_string(n, "mode", mode, sizeof mode, &found, err);
    if (st != WI_OK) return st;
    if (strcmp(mode, "constant") != 0) return onnx_fail(err, n, WI_E_UNSUPPORTED, "unsupported mode '%s'", mode);
    if (ctx->opset >= 11) {
        if (onnx_has_input(n, 3)) return onnx_fail(err, n, WI_E_UNSUPPORTED, "unsupported 'axes' input");
        st = const_ints(ctx, n, 1, pads, 2 * WI_MAX_RANK, &count, err);
        if (st == WI_OK && onnx_has_input(n, 2)) {
            if ((st = onnx_input(ctx, n, 2, &t, err)) != WI_OK) return st;
            const wi_value *v = t->plain >= 0 ? &ctx->graph->values[t->plain] : NULL;
            if (!v || !v->data || v->dtype != WI_DTYPE_FLOAT32 || wi_value_elements(v) != 1)
                return onnx_fail(err, n, WI_E_UNSUPPORTED, "constant_value is not a constant float scalar");
            memcpy(&value, v->data, sizeof value); /* may be borrowed: any alignment */
        }
    } else {
        st = onnx_attr_ints(n, "pads", pads, 2 * WI_MAX_RANK, &count, &found, err);
        if (st == WI_OK) st = onnx_attr_float(n, "value", &value, &found, err);
    }
    if (st == WI_OK) st = onnx_input(ctx, n, 0, &t, err);
    if (st != WI_OK) return st;
    if (value != 0.0f) return onnx_fail(err, n, WI_E_UNSUPPORTED, "constant_value %g (only zero padding runs)", value);
    onnx_shape(ctx, t, &rank, dims);
    if (count != 2 * rank) return onnx_fail(err, n, WI_E_MALFORMED, "%d pads for rank %d", count, rank);
    const int cl = rank == 4 && t->nhwc >= 0;
    for (int i = 0; i < rank; i++) { /* ONNX [begins..., ends...] -> engine [rank, 2] */
        int a = cl ? onnx_nhwc_axis(i) : i;
        pairs[2 * i] = pads[a];
        pairs[2 * i + 1] = pads[a + rank];
    }
    st = cl ? onnx_nhwc(ctx, n, t, &x, err) : onnx_plain(ctx, n, t, &x, err);
    char name[4200];
    snprintf(name, sizeof name, "%s/paddings", n->name);
    const int64_t pdims[2] = {rank, 2};
    int pv = -1;
    if (st == WI_OK) st = onnx_const_i64(ctx, name, pairs, 2, pdims, &pv, err);
    int ins[2] = {x, pv};
    if (st == WI_OK) st = onnx_emit(ctx, n, WI_OP_PAD, ins, 2, NULL, NULL, &out, err);
    return st != WI_OK ? st : onnx_define_output(ctx, n, cl ? -1 : out, cl ? out : -1, err);
}

wi_status onnx_map_shape(onnx_ctx *ctx, const onnx_node *n, wi_error *err) {
    onnx_tensor *t;
    int rank, found, v;
    int64_t dims[WI_MAX_RANK], start = 0, end = WI_MAX_RANK;
    wi_status st = onnx_input(ctx, n, 0, &t, err);
    if (st == WI_OK) st = onnx_attr_int(n, "start", &start, &found, err);
    if (st == WI_OK) st = onnx_attr_int(n, "end", &end, &found, err);
    if (st != WI_OK) return st;
    onnx_shape(ctx, t, &rank, dims);
    if (start < 0) start += rank;
    if (end < 0) end += rank;
    start = start < 0 ? 0 : start > rank ? rank : start;
    end = end < start ? start : end > rank ? rank : end;
    const int64_t len[1] = {end - start};
    char name[4200];
    snprintf(name, sizeof name, "%.*s", (int)n->outputs[0].len, n->outputs[0].p);
    st = onnx_const_i64(ctx, name, dims + start, 1, len, &v, err);
    return st != WI_OK ? st : onnx_define_output(ctx, n, v, -1, err);
}

wi_status onnx_map_gather(onnx_ctx *ctx, const onnx_node *n, wi_error *err) {
    onnx_tensor *t;
    int found, count, v;
    int64_t axis = 0, idx[WI_MAX_RANK], data[WI_MAX_RANK], picked[WI_MAX_RANK];
    wi_status st = onnx_attr_int(n, "axis", &axis, &found, err);
    if (st == WI_OK) st = onnx_input(ctx, n, 0, &t, err);
    if (st != WI_OK) return st;
    const wi_value *d = t->plain >= 0 ? &ctx->graph->values[t->plain] : NULL;
    int len = d && d->rank == 1 ? wi_value_const_ints(d, data, WI_MAX_RANK) : -1;
    if (len < 0 || (axis != 0 && axis != -1))
        return onnx_fail(err, n, WI_E_UNSUPPORTED, "Gather runs only on small constant integer vectors (shape arithmetic)");
    const wi_dtype dtype = d->dtype;
    if ((st = const_ints(ctx, n, 1, idx, WI_MAX_RANK, &count, err)) != WI_OK) return st;
    if ((st = onnx_input(ctx, n, 1, &t, err)) != WI_OK) return st;
    const int scalar = ctx->graph->values[t->plain].rank == 0;
    for (int i = 0; i < count; i++) {
        int64_t k = idx[i] < 0 ? idx[i] + len : idx[i];
        if (k < 0 || k >= len) return onnx_fail(err, n, WI_E_MALFORMED, "index %lld out of range", (long long)idx[i]);
        picked[i] = data[k];
    }
    char name[4200];
    snprintf(name, sizeof name, "%.*s", (int)n->outputs[0].len, n->outputs[0].p);
    const int64_t dims[1] = {count};
    if (dtype == WI_DTYPE_INT32) {
        int32_t p32[WI_MAX_RANK];
        for (int i = 0; i < count; i++) p32[i] = (int32_t)picked[i];
        st = wi_graph_add_const(ctx->graph, name, dtype, scalar ? 0 : 1, dims, p32, &v, err);
    } else {
        st = wi_graph_add_const(ctx->graph, name, WI_DTYPE_INT64, scalar ? 0 : 1, dims, picked, &v, err);
    }
    return st != WI_OK ? st : onnx_define_output(ctx, n, v, -1, err);
}

wi_status onnx_map_constant(onnx_ctx *ctx, const onnx_node *n, wi_error *err) {
    wi_pb_field tensor;
    int found, v, count;
    char name[4200];
    snprintf(name, sizeof name, "%.*s", (int)n->outputs[0].len, n->outputs[0].p);
    wi_status st = onnx_attr_tensor(n, "value", &tensor, &found, err);
    if (st != WI_OK) return st;
    if (found) {
        if ((st = onnx_decode_tensor(ctx, &tensor, name, &v, err)) != WI_OK) return st;
        return onnx_define_output(ctx, n, v, -1, err);
    }
    float f;
    int64_t ints[WI_MAX_RANK * 2];
    const int64_t one[1] = {1};
    if ((st = onnx_attr_float(n, "value_float", &f, &found, err)) != WI_OK) return st;
    if (found) {
        st = wi_graph_add_const(ctx->graph, name, WI_DTYPE_FLOAT32, 0, one, &f, &v, err);
        return st != WI_OK ? st : onnx_define_output(ctx, n, v, -1, err);
    }
    if ((st = onnx_attr_int(n, "value_int", ints, &found, err)) != WI_OK) return st;
    if (found) {
        st = onnx_const_i64(ctx, name, ints, 0, one, &v, err);
        return st != WI_OK ? st : onnx_define_output(ctx, n, v, -1, err);
    }
    if ((st = onnx_attr_ints(n, "value_ints", ints, WI_MAX_RANK * 2, &count, &found, err)) != WI_OK) return st;
    if (found) {
        const int64_t dims[1] = {count};
        st = onnx_const_i64(ctx, name, ints, 1, dims, &v, err);
        return st != WI_OK ? st : onnx_define_output(ctx, n, v, -1, err);
    }
    return onnx_fail(err, n, WI_E_UNSUPPORTED, "Constant without a supported value attribute");
}
