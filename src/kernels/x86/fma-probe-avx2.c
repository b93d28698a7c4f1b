/* The FMA throughput probe (fma-probe.inc.h) on 256-bit vectors; built with -mavx2 -mfma. */
#include "ukernels.h"
#define WI_PROBE_NAME wi_fma_probe_avx2
#define WI_PROBE_VEC __m256
#define WI_PROBE_SET1 _mm256_set1_ps
#define WI_PROBE_FMADD _mm256_fmadd_ps
#include "fma-probe.inc.h"
