/* Rounding onto a TFLite quantization grid, for the FakeQuant op and the convolution
 * epilogue (kernels.h). */
#include <stdint.h>
#include "kernels.h"

/* Written so the compiler vectorizes it (no libm call, no branch): v = x / scale + zp is
 * clamped to [qmin, qmax] (NaN compares false and becomes qmin), then rounded by truncating
 * v - qmin + 0.5, which is >= 0.5 and small, so the int conversion is a floor. That rounds
 * ties up (TFLite rounds them away from zero: only an exact tie below the zero point can
 * differ), and multiplies by 1/scale (at most one ulp from dividing). */
void wi_f32_fake_quant(const float *in, float *out, size_t count, const wi_fake_quant *q) {
    const float inv = 1.0f / q->scale, lo = q->qmin, hi = q->qmax, bias = 0.5f - q->qmin;
    const float zp = q->zero_point, scale = q->scale;
    for (size_t i = 0; i < count; i++) {
        float v = in[i] * inv;
        v = v + zp;
        v = v > lo ? v : lo;
        v = v < hi ? v : hi;
        int32_t k = (int32_t)(v + bias); /* floor: the argument is positive */
        out[i] = ((float)k + lo - zp) * scale;
    }
}
