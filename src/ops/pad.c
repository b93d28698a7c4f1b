/* Pad with zeros by constant paddings [rank, 2] (before, after per axis). */
#include <string.h>
#include "core/checked.h"
#include "core/dtype.h"
#include "ops/op.h"

static wi_status prepare(wi_graph *g, wi_node *n, wi_error *err) {
    const wi_value *x = wi_op_in(g, n, 0), *pv = wi_op_in(g, n, 1);
    int64_t pads[2 * WI_MAX_RANK];
    int count = wi_value_const_ints(pv, pads, 2 * WI_MAX_RANK);
    if (count < 0)
        return wi_op_fail(err, n, WI_E_UNSUPPORTED, "paddings '%s' are not an integer constant",
                          pv->name);
    if (count != 2 * x->rank)
        return wi_op_fail(err, n, WI_E_MALFORMED, "%d padding values for rank %d", count, x->rank);
    int64_t dims[WI_MAX_RANK];
    for (int i = 0; i < x->rank; i++) {
        if (pads[2 * i] < 0 || pads[2 * i + 1] < 0 || pads[2 * i] > ((int64_t)1 << 30) ||
            pads[2 * i + 1] > ((int64_t)1 << 30))
            return wi_op_fail(err, n, WI_E_MALFORMED, "bad padding on axis %d", i);
        dims[i] = x->dims[i] + pads[2 * i] + pads[2 * i + 1];
    }
    return wi_value_set_shape(g, wi_op_out(g, n), x->dtype, x->rank, dims, err);
}

static wi_status eval(const wi_graph *g, const wi_node *n, const wi_exec *xe) {
    const wi_value *x = &g->values[n->inputs[0]], *y = &g->values[n->output];
    const wi_value *pv = &g->values[n->inputs[1]];
    int64_t pads[2 * WI_MAX_RANK];
    wi_value_const_ints(pv, pads, 2 * WI_MAX_RANK);
    const size_t esize = wi_dtype_size(x->dtype);
    const uint8_t *in = xe->data[n->inputs[0]];
    uint8_t *out = xe->data[n->output];
    memset(out, 0, wi_value_bytes(y));
    int64_t in_count = wi_value_elements(x);
    if (in_count == 0) return WI_OK;
    if (x->rank == 0) {
        memcpy(out, in, esize);
        return WI_OK;
    }
    /* output strides; copy each innermost row of the input to its padded place */
    int64_t ostride[WI_MAX_RANK], idx[WI_MAX_RANK] = {0}, s = 1;
    for (int i = y->rank - 1; i >= 0; i--) {
        ostride[i] = s;
        s *= y->dims[i];
    }
    const int last = x->rank - 1;
    const int64_t row = x->dims[last];
    for (int64_t i = 0; i < in_count; i += row) {
        int64_t o = pads[2 * last];
        for (int d = 0; d < last; d++) o += (idx[d] + pads[2 * d]) * ostride[d];
        memcpy(out + (size_t)o * esize, in + (size_t)i * esize, (size_t)row * esize);
        for (int d = last - 1; d >= 0; d--) {
            if (++idx[d] < x->dims[d]) break;
            idx[d] = 0;
        }
    }
    return WI_OK;
}

const wi_op_def wi_op_pad = {2, 2, prepare, eval, 1};
