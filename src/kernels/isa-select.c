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
