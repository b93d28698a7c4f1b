/* Transpose by a constant permutation (params.transpose.perm): output dim i is input dim
 * perm[i]. The ONNX loader uses it to move NCHW tensors into the engine's NHWC layout and
 * back. Copies element by element with an odometer over the output (any rank <= 8). */
#include <string.h>
#include "core/dtype.h"
#include "ops/op.h"

static wi_status prepare(wi_graph *g, wi_node *n, wi_error *err) {
    const wi_transpose_params *p = &n->params.transpose;
    const wi_value *x = wi_op_in(g, n, 0);
    if (p->rank != x->rank)
        return wi_op_fail(err, n, WI_E_MALFORMED, "permutation of %d axes for rank %d", p->rank,
                          x->rank);
    int seen[WI_MAX_RANK] = {0};
    int64_t dims[WI_MAX_RANK];
    for (int i = 0; i < p->rank; i++) {
        int a = p->perm[i];
        if (a < 0 || a >= x->rank || seen[a])
            return wi_op_fail(err, n, WI_E_MALFORMED, "bad permutation entry %d", a);
        seen[a] = 1;
        dims[i] = x->dims[a];
    }
    return wi_value_set_shape(g, wi_op_out(g, n), x->dtype, x->rank, dims, err);
}

static wi_status eval(const wi_graph *g, const wi_node *n, const wi_exec *xe) {
    const wi_transpose_params *p = &n->params.transpose;
    const wi_value *x = &g->values[n->inputs[0]], *y = &g->values[n->output];
    const size_t esize = wi_dtype_size(x->dtype);
    const uint8_t *in = xe->data[n->inputs[0]];
    uint8_t *out = xe->data[n->output];
    const int64_t count = wi_value_elements(y);
    if (count == 0) return WI_OK;
    if (x->rank == 0) {
        memcpy(out, in, esize);
        return WI_OK;
    }
    /* input stride of each output axis; walk the output in order */
    int64_t istride[WI_MAX_RANK], stride_of[WI_MAX_RANK], s = 1;
    for (int i = x->rank - 1; i >= 0; i--) {
        stride_of[i] = s;
        s *= x->dims[i];
    }
    for (int i = 0; i < y->rank; i++) istride[i] = stride_of[p->perm[i]];
    int64_t idx[WI_MAX_RANK] = {0}, src = 0;
    const int last = y->rank - 1;
    if (esize == 4) { /* the common float32 case without a memcpy per element */
        const uint32_t *i32 = (const uint32_t *)in;
        uint32_t *o32 = (uint32_t *)out;
        for (int64_t o = 0; o < count;) {
            for (int64_t k = 0; k < y->dims[last]; k++, o++) o32[o] = i32[src + k * istride[last]];
            for (int d = last - 1; d >= 0; d--) {
                src += istride[d];
                if (++idx[d] < y->dims[d]) break;
                src -= istride[d] * idx[d];
                idx[d] = 0;
            }
        }
        return WI_OK;
    }
    for (int64_t o = 0; o < count;) {
        for (int64_t k = 0; k < y->dims[last]; k++, o++)
            memcpy(out + (size_t)o * esize, in + (size_t)(src + k * istride[last]) * esize, esize);
        for (int d = last - 1; d >= 0; d--) {
            src += istride[d];
            if (++idx[d] < y->dims[d]) break;
            src -= istride[d] * idx[d];
            idx[d] = 0;
        }
    }
    return WI_OK;
}

const wi_op_def wi_op_transpose = {1, 1, prepare, eval, 1};
