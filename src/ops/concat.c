/* ConcatV2 along a constant axis (the loader moves the axis input into the params). */
#include <string.h>
#include "core/dtype.h"
#include "ops/op.h"

static wi_status prepare(wi_graph *g, wi_node *n, wi_error *err) {
    wi_concat_params *p = &n->params.concat;
    const wi_value *first = wi_op_in(g, n, 0);
    int rank = first->rank;
    int axis = p->axis < 0 ? p->axis + rank : p->axis;
    if (axis < 0 || axis >= rank)
        return wi_op_fail(err, n, WI_E_MALFORMED, "axis %d out of range for rank %d", p->axis, rank);
    int64_t dims[WI_MAX_RANK];
    memcpy(dims, first->dims, sizeof dims);
    dims[axis] = 0;
    for (int i = 0; i < n->input_count; i++) {
        const wi_value *v = wi_op_in(g, n, i);
        if (v->rank != rank || v->dtype != first->dtype)
            return wi_op_fail(err, n, WI_E_MALFORMED, "input %d '%s' differs in rank or dtype", i,
                              v->name);
        for (int d = 0; d < rank; d++)
            if (d != axis && v->dims[d] != first->dims[d])
                return wi_op_fail(err, n, WI_E_MALFORMED, "input %d '%s' differs on axis %d", i,
                                  v->name, d);
        dims[axis] += v->dims[axis];
        if (dims[axis] > g->max_elements)
            return wi_op_fail(err, n, WI_E_LIMIT, "concatenated axis too large");
    }
    p->axis = axis;
    return wi_value_set_shape(g, wi_op_out(g, n), first->dtype, rank, dims, err);
}

static wi_status eval(const wi_graph *g, const wi_node *n, const wi_exec *x) {
    const wi_value *y = &g->values[n->output];
    const int axis = n->params.concat.axis;
    const size_t esize = wi_dtype_size(y->dtype);
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; d++) outer *= y->dims[d];
    for (int d = axis + 1; d < y->rank; d++) inner *= y->dims[d];
    uint8_t *out = x->data[n->output];
    size_t o = 0;
    for (int64_t r = 0; r < outer; r++)
        for (int i = 0; i < n->input_count; i++) {
            const wi_value *v = &g->values[n->inputs[i]];
            size_t chunk = (size_t)(v->dims[axis] * inner) * esize;
            memcpy(out + o, (const uint8_t *)x->data[n->inputs[i]] + (size_t)r * chunk, chunk);
            o += chunk;
        }
    return WI_OK;
}

const wi_op_def wi_op_concat = {1, 1024, prepare, eval, 1};
