/* Helpers shared by the ops: messages, padding, shape checks. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "core/dtype.h"
#include "core/error.h"
#include "ops/op.h"

wi_status wi_op_fail(wi_error *err, const wi_node *n, wi_status status, const char *fmt, ...) {
    char prefix[WI_ERROR_MESSAGE_MAX];
    snprintf(prefix, sizeof prefix, "node '%s' (%s): ", n->name, n->origin);
    va_list ap;
    va_start(ap, fmt);
    wi_error_vset(err, status, prefix, fmt, ap);
    va_end(ap);
    return status;
}

wi_status wi_op_want_float(wi_graph *g, const wi_node *n, int i, int rank, wi_error *err) {
    const wi_value *v = wi_op_in(g, n, i);
    if (v->dtype != WI_DTYPE_FLOAT32)
        return wi_op_fail(err, n, WI_E_UNSUPPORTED, "input %d '%s' is %s, expected float32", i,
                          v->name, wi_dtype_name(v->dtype));
    if (rank >= 0 && v->rank != rank)
        return wi_op_fail(err, n, WI_E_MALFORMED, "input %d '%s' has rank %d, expected %d", i,
                          v->name, v->rank, rank);
    return WI_OK;
}

bool wi_resolve_padding(int64_t in, int64_t kernel, int64_t stride, int64_t dilation,
                        wi_padding padding, int64_t *out, int *pad_before) {
    if (in <= 0 || kernel <= 0 || stride <= 0 || dilation <= 0) return false;
    if (kernel > 65536 || stride > 65536 || dilation > 65536 || in > ((int64_t)1 << 31))
        return false;
    int64_t effective = (kernel - 1) * dilation + 1;
    if (padding == WI_PAD_VALID) {
        if (effective > in) return false;
        *out = (in - effective) / stride + 1;
        *pad_before = 0;
        return true;
    }
    *out = (in + stride - 1) / stride;
    int64_t total = (*out - 1) * stride + effective - in;
    if (total < 0) total = 0;
    *pad_before = (int)(total / 2); /* TF puts the odd pixel after */
    return true;
}

wi_status wi_op_same_shape(wi_graph *g, wi_node *n, wi_error *err) {
    wi_value *in = wi_op_in(g, n, 0);
    return wi_value_set_shape(g, wi_op_out(g, n), in->dtype, in->rank, in->dims, err);
}

wi_status wi_op_eval_copy(const wi_graph *g, const wi_node *n, const wi_exec *x) {
    const void *src = x->data[n->inputs[0]];
    void *dst = x->data[n->output];
    if (src != dst) memcpy(dst, src, wi_value_bytes(&g->values[n->output]));
    return WI_OK;
}

wi_status wi_op_prepare(wi_graph *g, wi_node *n, wi_error *err) {
    const wi_op_def *def = wi_op_get(n->op);
    if (!def) return wi_op_fail(err, n, WI_E_INTERNAL, "no definition for op kind %d", n->op);
    if (n->input_count < def->min_inputs || n->input_count > def->max_inputs)
        return wi_op_fail(err, n, WI_E_MALFORMED, "has %d inputs, expected %d to %d",
                          n->input_count, def->min_inputs, def->max_inputs);
    for (int i = 0; i < n->input_count; i++) {
        const wi_value *v = wi_op_in(g, n, i);
        if (v->dtype == WI_DTYPE_INVALID)
            return wi_op_fail(err, n, WI_E_MALFORMED, "input %d '%s' has no known shape", i,
                              v->name);
    }
    return def->prepare(g, n, err);
}
