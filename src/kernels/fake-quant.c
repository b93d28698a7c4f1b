/* Rounding onto a TFLite quantization grid, for the FakeQuant op and the convolution
 * epilogue (kernels.h). */
#include <stdint.h>
#include "kernels.h"
#include "ukernels.h"

/* The reference. Written so the compiler vectorizes it (no libm call, no branch): v = x /
 * scale + zp is clamped to [qmin, qmax] (NaN compares false and becomes qmin), then rounded
 * by truncating v - qmin + 0.5, which is >= 0.5 and small, so the int conversion is a floor.
 * That rounds ties up (TFLite rounds them away from zero: only an exact tie below the zero
 * point can differ), and multiplies by 1/scale (at most one ulp from dividing). Products and
 * sums stay apart (no fused multiply-add): the per-ISA versions in f32-ukernels.inc.h do the
 * same operations, so every path gives these bits. */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("fp-contract=off")))
#endif
void wi_f32_fake_quant_ref(const float *in, float *out, size_t count, const wi_fake_quant *q) {
#if defined(__clang__)
#pragma clang fp contract(off)
#endif
    const float inv = 1.0f / q->scale, lo = q->qmin, hi = q->qmax, bias = 0.5f - q->qmin;
    const float zp = q->zero_point, scale = q->scale;
    for (size_t i = 0; i < count; i++) {
        float v = in[i] * inv;
        v = v + zp;
        v = v > lo ? v : lo;
        v = v < hi ? v : hi;
        int32_t k = (int32_t)(v + bias); /* floor: the argument is positive */
        float r = (float)k + lo;
        r = r - zp;
        out[i] = r * scale;
    }
}

void wi_f32_fake_quant(const float *in, float *out, size_t count, const wi_fake_quant *q) {
    const wi_f32_ukernels *uk = wi_isa_ukernels(wi_isa_selected());
    if (uk && uk->fake_quant) uk->fake_quant(in, out, count, q);
    else wi_f32_fake_quant_ref(in, out, count, q);
}
