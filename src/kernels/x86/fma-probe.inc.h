/*
 * fma-probe.inc.h - times a fixed run of independent vector FMAs, compiled once per x86 ISA
 * (fma-probe-avx2.c, fma-probe-avx512.c, each with its file's ISA flags). Not a header: the
 * including file defines
 *   WI_PROBE_NAME      the function's name
 *   WI_PROBE_VEC       the vector type (__m256, __m512)
 *   WI_PROBE_SET1      its broadcast intrinsic
 *   WI_PROBE_FMADD     its fused multiply-add intrinsic
 *
 * Why: on some x86 cores a 512-bit FMA costs the same as a 256-bit one (Intel Xeon servers:
 * two 512-bit FMA units), on others twice as much (AMD Zen 4 splits it in two halves). Only
 * in the first case is AVX-512 worth its wider panels' wasted columns on narrow layers
 * (88 channels: 96 with AVX-512, 88 with AVX2). CPUID does not tell; timing does.
 */
#include <immintrin.h>
#include <time.h>

enum { WI_PROBE_CHAINS = 12 };

/* Nanoseconds of the fastest of `reps` runs of WI_PROBE_CHAINS independent chains x `steps`
 * FMAs. 12 chains: more than FMA latency x units on current cores (so the loop measures
 * throughput), and with the two constants they fit the 16 registers of AVX2. */
double WI_PROBE_NAME(int reps, int steps) {
    double best = 1e30;
    volatile float sink = 0.0f;
    for (int r = 0; r < reps; r++) {
        WI_PROBE_VEC acc[WI_PROBE_CHAINS];
        const WI_PROBE_VEC m = WI_PROBE_SET1(0.999f), a = WI_PROBE_SET1(1e-3f);
        for (int j = 0; j < WI_PROBE_CHAINS; j++) acc[j] = WI_PROBE_SET1((float)j);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int s = 0; s < steps; s++)
            for (int j = 0; j < WI_PROBE_CHAINS; j++) acc[j] = WI_PROBE_FMADD(acc[j], m, a);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        float sum = 0.0f; /* the chains' results are used, so none is optimized away */
        for (int j = 0; j < WI_PROBE_CHAINS; j++) sum += ((const float *)&acc[j])[0];
        sink = sink + sum;
        double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
        if (ns < best) best = ns;
    }
    (void)sink;
    return best;
}
