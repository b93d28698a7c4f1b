/* The FMA throughput probe (fma-probe.inc.h) on 512-bit vectors; built with -mavx512f. */
#include "ukernels.h"
#define WI_PROBE_NAME wi_fma_probe_avx512
#define WI_PROBE_VEC __m512
#define WI_PROBE_SET1 _mm512_set1_ps
#define WI_PROBE_FMADD _mm512_fmadd_ps
#include "fma-probe.inc.h"
