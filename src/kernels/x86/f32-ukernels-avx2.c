/* AVX2 + FMA microkernels (this file alone is built with -mavx2 -mfma): GEMM 6x16, depthwise
 * over 8-channel tiles. 6x16 keeps 12 accumulators + 2 weight vectors + 1 broadcast in the
 * 16 ymm registers. */
#include <immintrin.h>
#define WI_UK_NAME "avx2"
#define WI_UK_CLAMP(x, lo, hi) _mm256_min_ps((hi), _mm256_max_ps((lo), (x)))
#define WI_UK_VLEN 8
#define WI_UK_MR 6
#define WI_UK_NV 2
#define WI_UK_TABLE wi_f32_ukernels_avx2
#include "../f32-ukernels.inc.h"
