/*
 * ukernels.h - the per-ISA microkernels behind wi_conv_kernel, and the ISA choice.
 *
 * One source (f32-ukernels.inc.h, written with GCC/clang vector extensions) is compiled once
 * per ISA with that ISA's flags on that file only: generic/ (no flags: SSE2 on x86-64,
 * SIMD128 in a -msimd128 wasm build, plain scalar code elsewhere), the x86 AVX2 file
 * (-mavx2 -mfma) and the x86 AVX-512 file (-mavx512f ...). Each file exports one
 * wi_f32_ukernels table. The best ISA is chosen once from CPUID; WASINFER_ISA=ref|generic|avx2|avx512 forces a lower one.
 *
 * Packed layouts (made by conv-kernel.c, read by the microkernels):
 *   GEMM weights  panels of NR output channels: per panel [NR bias][K][NR], the last panel
 *                 zero-padded to NR. Panels are contiguous: panel j starts at j*(NR + K*NR).
 *   depthwise 3x3 per channel tile of CT channels: [CT bias][9 taps][CT], zero-padded.
 */
#ifndef WI_UKERNELS_H
#define WI_UKERNELS_H

#include <stddef.h>
#include "kernels.h"

typedef enum wi_isa {
    WI_ISA_REF = 0,     /* the scalar reference kernels */
    WI_ISA_GENERIC = 1, /* vector extensions, baseline flags (SIMD128 in a wasm SIMD build) */
    WI_ISA_AVX2 = 2,    /* x86 AVX2 + FMA */
    WI_ISA_AVX512 = 3,  /* x86 AVX-512F/VL */
    WI_ISA_COUNT
} wi_isa;

/* C[mr x nc] = clamp(A[mr x kc] * W + bias). A rows are a_stride floats apart, C rows
 * c_stride floats apart; w is the first packed panel covering these nc columns.
 * 1 <= mr <= gemm_mr; nc >= 1 (any count: the last panel is stored partially). */
typedef void (*wi_f32_gemm_fn)(size_t mr, size_t nc, size_t kc, const float *a, size_t a_stride,
                               const float *w, float *c, size_t c_stride, float vmin, float vmax);

/* The GEMM over rows given as `ks` segments of `kc` floats each: row i of A is
 * aseg[0 * gemm_mr + i], then aseg[1 * gemm_mr + i], ... (a direct convolution's rows, one
 * segment per kernel row, without an im2col copy). All gemm_mr row pointers must be valid
 * (alias the last row past mr). Same summation order as wi_f32_gemm_fn over the joined row. */
typedef void (*wi_f32_igemm_fn)(size_t mr, size_t nc, size_t ks, size_t kc,
                                const float *const *aseg, const float *w, float *c,
                                size_t c_stride, float vmin, float vmax);

/* One output row of a 3x3 depthwise convolution, dilation 1, over all `channels`.
 * rows[0..2] are the three input rows (a zero row where the row is padding), each in_w
 * pixels of `channels` floats; output pixel ox reads input columns ox*stride - pad_left + kx.
 * Columns outside [0, in_w) are treated as zero (border code; no reads outside the rows). */
typedef void (*wi_f32_dw3x3_row_fn)(const float *const rows[3], size_t in_w, size_t channels,
                                    size_t stride, size_t pad_left, size_t out_w,
                                    const float *packed, float *out, float vmin, float vmax);

/* Two output rows of a 3x3 depthwise convolution at stride 1 from the 4 input rows rows[0..3]
 * (out0 from rows 0-2, out1 from rows 1-3); otherwise as wi_f32_dw3x3_row_fn. */
typedef void (*wi_f32_dw3x3_rows2_fn)(const float *const rows[4], size_t in_w, size_t channels,
                                      size_t pad_left, size_t out_w, const float *packed,
                                      float *out0, float *out1, float vmin, float vmax);

/* out[i] = in[i] rounded onto q's grid (kernels.h, wi_f32_fake_quant: the same bits, vectorized
 * for the ISA); in == out allowed. */
typedef void (*wi_f32_fake_quant_fn)(const float *in, float *out, size_t count,
                                     const wi_fake_quant *q);

typedef struct wi_f32_ukernels {
    const char *name;
    size_t gemm_mr, gemm_nr; /* microkernel tile; nr is also the packing panel width */
    size_t dw_ct;            /* channel tile of the depthwise packing */
    wi_f32_gemm_fn gemm;     /* gemm_mr rows at a time */
    wi_f32_gemm_fn gemm_1;   /* one row at a time (matrix-vector, e.g. the classifier) */
    wi_f32_igemm_fn igemm;   /* gemm_mr segmented rows at a time */
    wi_f32_dw3x3_row_fn dw3x3_row;
    wi_f32_dw3x3_rows2_fn dw3x3_rows2; /* NULL where the registers do not hold two rows */
    wi_f32_fake_quant_fn fake_quant;
} wi_f32_ukernels;

extern const wi_f32_ukernels wi_f32_ukernels_generic;
#if defined(WI_KERNELS_X86)
extern const wi_f32_ukernels wi_f32_ukernels_avx2;
extern const wi_f32_ukernels wi_f32_ukernels_avx512;
#endif

/* The ISA every new kernel uses: the best this CPU runs, lowered by WASINFER_ISA.
 * Decided once (thread-safe), then constant. */
wi_isa wi_isa_selected(void);
#if defined(__x86_64__) || defined(__i386__)
/* Nanoseconds of the fastest of `reps` runs of a fixed count of independent vector FMAs
 * (12 chains x `steps`), on 256-bit and on 512-bit vectors (x86/fma-probe.inc.h; defined in
 * native x86 builds, to be called only where the CPU has the ISA). */
double wi_fma_probe_avx2(int reps, int steps);
double wi_fma_probe_avx512(int reps, int steps);
#endif

/* 1 when this CPU runs a 512-bit FMA as fast as a 256-bit one (Intel Xeon servers), 0 when
 * it costs more (AMD Zen 4, which splits it; Intel client cores with one 512-bit unit) or
 * the CPU has no AVX-512. Timed once on first use (about 0.1 ms, both probes interleaved);
 * WASINFER_AVX512_RATE=full|half sets the answer instead (tests, benchmarks). */
int wi_isa_avx512_full_rate(void);
/* The best ISA this CPU and build support, ignoring WASINFER_ISA. */
wi_isa wi_isa_best_supported(void);
/* "ref", "generic", "avx2", "avx512" (generic is named "wasm-simd128" / "wasm-scalar" in
 * wasm builds). */
const char *wi_isa_name(wi_isa isa);
/* The microkernels of an ISA, or NULL for WI_ISA_REF and for ISAs this CPU/build lacks. */
const wi_f32_ukernels *wi_isa_ukernels(wi_isa isa);

/* wi_conv_kernel_create with an explicit ISA (tests and benchmarks use it to run every path).
 * WI_E_UNSUPPORTED when this CPU or build lacks `isa`. */
wi_status wi_conv_kernel_create_isa(const wi_conv_geom *geom, const float *filter,
                                    const float *bias, float act_min, float act_max, wi_isa isa,
                                    wi_conv_kernel **out);

#endif
