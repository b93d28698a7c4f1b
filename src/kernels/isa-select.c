/* The ISA choice: once per process, from CPUID natively (compile time in wasm), lowered by
 * WASINFER_ISA so tests and benchmarks can exercise every path on one machine. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "ukernels.h"

static const char *const isa_names[WI_ISA_COUNT] = {"ref", "generic", "avx2", "avx512"};

const char *wi_isa_name(wi_isa isa) {
    if (isa == WI_ISA_GENERIC) return wi_f32_ukernels_generic.name; /* "neon", "wasm-simd128" */
    return (unsigned)isa < WI_ISA_COUNT ? isa_names[isa] : "unknown";
}

wi_isa wi_isa_best_supported(void) {
#if defined(WI_KERNELS_X86) && (defined(__x86_64__) || defined(__i386__))
    __builtin_cpu_init();
    /* libgcc/compiler-rt also check that the OS saves the wider registers (XGETBV). */
    int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl"))
        return WI_ISA_AVX512;
    if (avx2) return WI_ISA_AVX2;
#endif
    return WI_ISA_GENERIC;
}

static atomic_int selected = -1;

wi_isa wi_isa_selected(void) {
    int s = atomic_load_explicit(&selected, memory_order_acquire);
    if (s >= 0) return (wi_isa)s;
    wi_isa isa = wi_isa_best_supported();
    const char *want = getenv("WASINFER_ISA");
    if (want) {
        /* Only lowers: asking for more than the CPU has keeps the best it has. Unknown names
         * are ignored (the choice is visible through wi_kernels_isa()). */
        for (int i = 0; i < WI_ISA_COUNT; i++)
            if ((strcmp(want, isa_names[i]) == 0 || strcmp(want, wi_isa_name((wi_isa)i)) == 0) &&
                (wi_isa)i < isa)
                isa = (wi_isa)i;
    }
    /* Every thread computes the same answer, so a race here is harmless. */
    atomic_store_explicit(&selected, (int)isa, memory_order_release);
    return isa;
}

const wi_f32_ukernels *wi_isa_ukernels(wi_isa isa) {
    if (isa > wi_isa_best_supported()) return NULL;
    switch (isa) {
    case WI_ISA_GENERIC: return &wi_f32_ukernels_generic;
#if defined(WI_KERNELS_X86)
    case WI_ISA_AVX2: return &wi_f32_ukernels_avx2;
    case WI_ISA_AVX512: return &wi_f32_ukernels_avx512;
#endif
    default: return NULL;
    }
}

static atomic_int avx512_full_rate = -1;

#if defined(WI_KERNELS_X86) && (defined(__x86_64__) || defined(__i386__))
/* Full rate when 512-bit FMAs take at most 1.4x the time of as many 256-bit ones: the two
 * cases are 1x and 2x, so the threshold is far from both. The probes alternate, each the
 * fastest of its runs, so a preemption or a frequency change hits both alike. */
static int measure_avx512_full_rate(void) {
    if (wi_isa_best_supported() < WI_ISA_AVX512) return 0;
    double t256 = 1e30, t512 = 1e30;
    for (int round = 0; round < 4; round++) {
        double a = wi_fma_probe_avx2(3, 256), b = wi_fma_probe_avx512(3, 256);
        if (a < t256) t256 = a;
        if (b < t512) t512 = b;
    }
    return t512 <= 1.4 * t256;
}
#else
static int measure_avx512_full_rate(void) { return 0; }
#endif

int wi_isa_avx512_full_rate(void) {
    int r = atomic_load_explicit(&avx512_full_rate, memory_order_acquire);
    if (r >= 0) return r;
    const char *want = getenv("WASINFER_AVX512_RATE");
    if (want && strcmp(want, "full") == 0) r = 1;
    else if (want && strcmp(want, "half") == 0) r = 0;
    else r = measure_avx512_full_rate();
    /* A race measures twice; the last store wins, and both answers are valid choices. */
    atomic_store_explicit(&avx512_full_rate, r, memory_order_release);
    return r;
}
