/* The portable vector microkernels: 4-float vectors with the build's baseline flags (SSE2 on
 * x86-64, NEON on aarch64, SIMD128 in a -msimd128 wasm build, its multiply-adds fused with
 * -mrelaxed-simd, scalar code where the target has no vectors). */
#if defined(__wasm_relaxed_simd__)
#include <wasm_simd128.h>
#define WI_UK_NAME "wasm-relaxed-simd"
#define WI_UK_CLAMP(x, lo, hi) wasm_f32x4_pmin(wasm_f32x4_pmax((x), (lo)), (hi))
#elif defined(__wasm_simd128__)
#include <wasm_simd128.h>
#define WI_UK_NAME "wasm-simd128"
/* pmax/pmin are exactly `x < lo ? lo : x` and `hi < x ? hi : x`. */
#define WI_UK_CLAMP(x, lo, hi) wasm_f32x4_pmin(wasm_f32x4_pmax((x), (lo)), (hi))
#elif defined(__wasm__)
#define WI_UK_NAME "wasm-scalar"
#elif defined(__SSE__)
#include <immintrin.h>
#define WI_UK_NAME "generic"
/* maxps(lo, x) = lo > x ? lo : x, minps(hi, x) = hi < x ? hi : x: the reference's clamp. */
#define WI_UK_CLAMP(x, lo, hi) _mm_min_ps((hi), _mm_max_ps((lo), (x)))
#elif defined(__ARM_NEON) && defined(__aarch64__)
#include <arm_neon.h>
#define WI_UK_NAME "neon"
/* Compare and select, not vmaxq_f32/vminq_f32: FMAX(+0, -0) is +0 (a ReLU of -0 would give +0
 * where the reference keeps -0) and FMAX/FMIN return NaN when a bound is NaN (the reference
 * then keeps x). This is the reference's clamp bit for bit; fcmgt + bsl per bound. */
#define WI_UK_CLAMP(x, lo, hi) wi_neon_clamp((x), (lo), (hi))
static inline float32x4_t wi_neon_clamp(float32x4_t x, float32x4_t lo, float32x4_t hi) {
    x = vbslq_f32(vcltq_f32(x, lo), lo, x);
    return vbslq_f32(vcltq_f32(hi, x), hi, x);
}
#else
#define WI_UK_NAME "generic"
#endif
#define WI_UK_VLEN 4
#define WI_UK_MR 4
#define WI_UK_NV 2
#define WI_UK_TABLE wi_f32_ukernels_generic
#include "../f32-ukernels.inc.h"
