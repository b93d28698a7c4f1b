/* FakeQuant: rounds float values onto a TFLite quantization grid, so a quantized model run
 * on the float kernels sees the same activations TFLite's integer kernels produce (up to
 * rounding ties and float sums; see eval and docs/tflite.md). */
#include <math.h>
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

/* Written so the compiler vectorizes it (no libm call, no branch): v = x / scale + zp is
 * clamped to [qmin, qmax] (NaN compares false and becomes qmin), then rounded by truncating
 * v - qmin + 0.5, which is >= 0.5 and small, so the int conversion is a floor. That rounds
 * ties up (TFLite rounds them away from zero: only an exact tie below the zero point can
 * differ), and multiplies by 1/scale (at most one ulp from dividing). */
static wi_status eval(const wi_graph *g, const wi_node *n, const wi_exec *x) {
    const wi_quant_params q = n->params.quant;
    const float inv = 1.0f / q.scale, lo = q.qmin, hi = q.qmax, bias = 0.5f - q.qmin;
    const float *in = x->data[n->inputs[0]];
    float *out = x->data[n->output];
    int64_t count = wi_value_elements(&g->values[n->output]);
    for (int64_t i = 0; i < count; i++) {
        float v = in[i] * inv + q.zero_point;
        v = v > lo ? v : lo;
        v = v < hi ? v : hi;
        int32_t k = (int32_t)(v + bias); /* floor: the argument is positive */
        out[i] = ((float)k + lo - q.zero_point) * q.scale;
    }
    return WI_OK;
}

const wi_op_def wi_op_fake_quant = {1, 1, prepare, eval, 1};
