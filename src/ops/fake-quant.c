/* FakeQuant: rounds float values onto a TFLite quantization grid, so a quantized model run
 * on the float kernels sees the same activations TFLite's integer kernels produce (up to
 * rounding ties and float sums; see eval and docs/tflite.md). */
#include <math.h>
#include "kernels.h"
#include "ops/op.h"

static wi_status prepare(wi_graph *g, wi_node *n, wi_error *err) {
    const wi_quant_params *q = &n->params.quant;
    wi_status st = wi_op_want_float(g, n, 0, -1, err);
    if (st != WI_OK) return st;
    if (!(q->scale > 0.0f) || !isfinite(q->scale) || !(q->qmin <= q->zero_point) ||
        !(q->zero_point <= q->qmax))
        return wi_op_fail(err, n, WI_E_MALFORMED, "bad quantization (scale %g, zero point %g)",
                          q->scale, q->zero_point);
    return wi_op_same_shape(g, n, err);
}

static wi_status eval(const wi_graph *g, const wi_node *n, const wi_exec *x) {
    const wi_quant_params *p = &n->params.quant;
    const wi_fake_quant q = {p->scale, p->zero_point, p->qmin, p->qmax};
    wi_f32_fake_quant(x->data[n->inputs[0]], x->data[n->output],
                      (size_t)wi_value_elements(&g->values[n->output]), &q);
    return WI_OK;
}

const wi_op_def wi_op_fake_quant = {1, 1, prepare, eval, 1};
