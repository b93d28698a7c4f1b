/* AVX-512F microkernels (this file alone is built with -mavx512f ...): GEMM 8x32, depthwise
 * over 16-channel tiles. 8x32 uses 16 of the 32 zmm registers for accumulators. */
#include <immintrin.h>
#define WI_UK_NAME "avx512"
#define WI_UK_CLAMP(x, lo, hi) _mm512_min_ps((hi), _mm512_max_ps((lo), (x)))
#define WI_UK_VLEN 16
#define WI_UK_MR 8
#define WI_UK_NV 2
#define WI_UK_TABLE wi_f32_ukernels_avx512
#include "../f32-ukernels.inc.h"
