/*
 * f32-ukernels.inc.h - the GEMM and depthwise microkernels, written once with GCC/clang vector
 * extensions and compiled per ISA. Not a header: an ISA file defines
 *   WI_UK_VLEN   floats per vector (4, 8, 16)
 *   WI_UK_MR     GEMM rows per tile
 *   WI_UK_NV     vectors per GEMM panel (NR = NV * VLEN)
 *   WI_UK_TABLE  the name of the exported wi_f32_ukernels table
 *   WI_UK_NAME   its name string
 *   WI_UK_CLAMP(x, lo, hi)  optional: the ISA's min/max with the reference's NaN behaviour
 *                           (x < lo ? lo : x, then hi < x ? hi : x)
 * and includes this file once.
 *
 * Loads and stores go through memcpy (one unaligned vector move): packed weights are 64-byte
 * aligned, activations may not be. Loops over the tile use constant bounds and unroll
 * pragmas so the accumulators live in registers.
 */
#include <stdint.h>
#include <string.h>
#include "ukernels.h"

#define WI_UK_NR (WI_UK_NV * WI_UK_VLEN)

#if defined(__wasm__)
/* SIMD128 has no fused multiply-add, so `acc += x * w` is a multiply and an add either way (the
 * same bits), but contracted to llvm.fmuladd it is expanded as add(product, acc): the wasm
 * stack then holds every product of a chain before the first add, and Cranelift (Wasmtime),
 * which keeps that order, spills them. Uncontracted, each product is added as it is made. */
#pragma clang fp contract(off)
#endif

typedef float wi_vf __attribute__((vector_size(WI_UK_VLEN * 4)));
typedef int32_t wi_vi __attribute__((vector_size(WI_UK_VLEN * 4)));

/* acc += x * w on vectors. In the relaxed-SIMD wasm build one f32x4.relaxed_madd: V8 runs it
 * as one fused multiply-add where the CPU has FMA (MobileNet V2 1.0 inference in Node 20 with
 * --experimental-wasm-relaxed-simd: min 19.1 -> 15.0 ms), so results differ from the SIMD128
 * build's in the last bits, as native FMA results do. Everywhere else a multiply and an add
 * (native builds contract them into an FMA themselves). Cranelift (Wasmtime 48) emits its FMA
 * with the accumulator copied back on every loop iteration, so Wasmtime keeps the SIMD128
 * build (docs/wasmtime.md). */
#if defined(__wasm_relaxed_simd__)
#define WI_MADD(acc, x, w) ((acc) = __builtin_wasm_relaxed_madd_f32x4((x), (w), (acc)))
#else
#define WI_MADD(acc, x, w) ((acc) += (x) * (w))
#endif

#if WI_UK_VLEN == 4
#define WI_SPLAT(s) ((wi_vf){(s), (s), (s), (s)})
#elif WI_UK_VLEN == 8
#define WI_SPLAT(s) ((wi_vf){(s), (s), (s), (s), (s), (s), (s), (s)})
#elif WI_UK_VLEN == 16
#define WI_SPLAT(s) \
    ((wi_vf){(s), (s), (s), (s), (s), (s), (s), (s), (s), (s), (s), (s), (s), (s), (s), (s)})
#else
#error "WI_UK_VLEN must be 4, 8 or 16"
#endif

#define WI_INLINE static inline __attribute__((always_inline))

/* An A value for a broadcast, loaded so the compiler cannot fold the load into the splat.
 * In wasm clang otherwise emits v128.load32_splat, which V8 runs as one vbroadcastss from
 * memory but Cranelift (Wasmtime 48) as a load into a general register, a move and an integer
 * broadcast; f32.load + f32x4.splat is the reverse: Cranelift broadcasts from memory, V8 needs
 * two instructions. gemm_tile has both forms; gemm_mr picks the faster one on first use. */
WI_INLINE float a_opaque(const float *p) {
#if defined(__wasm__)
    float x;
    __asm__("local.get %1\n\tf32.load 0\n\tlocal.set %0" : "=r"(x) : "r"(p));
    return x;
#else
    return *p;
#endif
}

WI_INLINE wi_vf vload(const float *p) {
    wi_vf v;
    memcpy(&v, p, sizeof v);
    return v;
}
WI_INLINE void vstore(float *p, wi_vf v) { memcpy(p, &v, sizeof v); }

/* Where gemm_tile's A broadcasts come from (a compile-time constant at every call). All forms
 * multiply and add the same values in the same order: the same bits.
 *   WI_A_SPLAT   a scalar load + splat of row i's value (wasm: v128.load32_splat)
 *   WI_A_LOAD    the same through a_opaque (wasm: f32.load + f32x4.splat)
 *   WI_A_PACKED  the tile packed pre-broadcast as [k][MR][VLEN]: one vector load per row and
 *                k step, all at constant offsets from one pointer (Cranelift otherwise
 *                zero-extends and advances each row's 32-bit address separately)
 *   WI_A_PACKED4 the same, 4 k steps per loop iteration. With epoch interruption Wasmtime
 *                checks the epoch at every loop header, and the check's slow path (a call)
 *                makes Cranelift keep the accumulators in memory across it: a store and a
 *                load per accumulator per iteration, which 4 steps share (GEMM 32 -> 22 ms
 *                for MobileNet V2). Without epochs the unrolled loop is slower (Cranelift
 *                issues all its loads first and runs out of registers). */
enum { WI_A_SPLAT, WI_A_LOAD, WI_A_PACKED, WI_A_PACKED4 };

/* Row i's A value at step k: `a` = &row_i[k] (row forms), `pk` = step k of the packed tile. */
WI_INLINE wi_vf a_bcast(const int FORM, const float *a, const float *pk, size_t i) {
    switch (FORM) {
    case WI_A_LOAD: return WI_SPLAT(a_opaque(a));
    case WI_A_PACKED:
    case WI_A_PACKED4: return vload(pk + i * WI_UK_VLEN);
    default: return WI_SPLAT(*a);
    }
}

/* Floats per k step of the packed tile. */
WI_INLINE size_t a_packed_step(const int FORM) {
    return FORM >= WI_A_PACKED ? WI_UK_MR * WI_UK_VLEN : 0;
}

/* The packed tile's next k step. The row forms have no tile (pk is NULL) and stay put: even
 * NULL + 0 is undefined behaviour in C (clang's UBSan reports it; found by fuzz-model-load). */
WI_INLINE const float *a_packed_next(const int FORM, const float *pk) {
    return FORM >= WI_A_PACKED ? pk + a_packed_step(FORM) : pk;
}

WI_INLINE wi_vf vclamp(wi_vf x, wi_vf lo, wi_vf hi) {
#ifdef WI_UK_CLAMP
    return WI_UK_CLAMP(x, lo, hi);
#else
    wi_vi below = x < lo;
    x = (wi_vf)((below & (wi_vi)lo) | (~below & (wi_vi)x));
    wi_vi above = hi < x;
    return (wi_vf)((above & (wi_vi)hi) | (~above & (wi_vi)x));
#endif
}

static float clamp1(float x, float lo, float hi) { return x < lo ? lo : (hi < x ? hi : x); }

/* One k step of a tile: acc[i][j] += A[i][k] * W[k][j] (w: the panel's row k). */
WI_INLINE void gemm_kstep(const size_t MR, const int FORM, wi_vf acc[WI_UK_MR][WI_UK_NV],
                          const float *const *ap, size_t k, const float *pk, const float *w) {
    wi_vf b[WI_UK_NV];
    /* One row streams the weights once (the classifier: megabytes from DRAM): ask for them
     * well ahead. Tiles reuse each panel MR times: no need. */
    if (MR == 1) __builtin_prefetch(w + 64 * WI_UK_NR);
#pragma GCC unroll 4
    for (size_t j = 0; j < WI_UK_NV; j++) b[j] = vload(w + j * WI_UK_VLEN);
#pragma GCC unroll 16
    for (size_t i = 0; i < MR; i++) {
        const wi_vf av = a_bcast(FORM, ap[i] + k, pk, i);
#pragma GCC unroll 4
        for (size_t j = 0; j < WI_UK_NV; j++) WI_MADD(acc[i][j], av, b[j]);
    }
}

/* ---- GEMM: C = clamp(A * W + bias) over packed panels ---------------------------------- */

/* One tile of MR rows across all nc columns, panel by panel. `MR` is a compile-time constant
 * at every call, so the tile loops unroll fully. Row i of A is the concatenation of `ks`
 * segments of `kc` floats: aseg[s * WI_UK_MR + i] (plain GEMM: ks = 1; direct convolution:
 * one segment per kernel row). The sum over k runs in the same order as over one contiguous
 * row, so both give identical results. */
WI_INLINE void gemm_tile(const size_t MR, const int FORM, size_t mr, size_t nc, size_t ks,
                         size_t kc, const float *const *aseg, const float *apk, const float *w,
                         float *c, size_t c_stride, float vmin, float vmax) {
    float *cp[WI_UK_MR];
#pragma GCC unroll 16
    for (size_t i = 0; i < MR; i++) cp[i] = c + (i < mr ? i : mr - 1) * c_stride;
    const wi_vf lo = WI_SPLAT(vmin), hi = WI_SPLAT(vmax);
#if WI_UK_NV == 2
    /* A last panel with at most NR/2 live columns (e.g. 16 of 32): only its first vector
     * column is computed, halving the work of narrow layers. */
    const size_t nc_half = nc % WI_UK_NR <= WI_UK_VLEN ? nc % WI_UK_NR : 0;
    nc -= nc_half;
#else
    const size_t nc_half = 0;
#endif
    while (nc > 0) {
        wi_vf acc[WI_UK_MR][WI_UK_NV];
#pragma GCC unroll 4
        for (size_t j = 0; j < WI_UK_NV; j++) acc[0][j] = vload(w + j * WI_UK_VLEN);
#pragma GCC unroll 16
        for (size_t i = 1; i < MR; i++)
#pragma GCC unroll 4
            for (size_t j = 0; j < WI_UK_NV; j++) acc[i][j] = acc[0][j];
        w += WI_UK_NR;
        for (size_t sg = 0; sg < ks; sg++) {
            const float *ap[WI_UK_MR];
#pragma GCC unroll 16
            for (size_t i = 0; i < MR; i++) ap[i] = aseg[sg * WI_UK_MR + i];
            const float *pk = apk;
            size_t k = 0;
            if (FORM == WI_A_PACKED4)
                for (; k + 4 <= kc; k += 4) {
#pragma GCC unroll 4
                    for (size_t u = 0; u < 4; u++) {
                        gemm_kstep(MR, FORM, acc, ap, k + u, pk, w);
                        w += WI_UK_NR;
                        pk = a_packed_next(FORM, pk);
                    }
                }
            for (; k < kc; k++) {
                gemm_kstep(MR, FORM, acc, ap, k, pk, w);
                w += WI_UK_NR;
                pk = a_packed_next(FORM, pk);
            }
        }
        if (nc >= WI_UK_NR) {
#pragma GCC unroll 16
            for (size_t i = MR; i-- > 0;) {
#pragma GCC unroll 4
                for (size_t j = 0; j < WI_UK_NV; j++)
                    vstore(cp[i] + j * WI_UK_VLEN, vclamp(acc[i][j], lo, hi));
                cp[i] += WI_UK_NR;
            }
            nc -= WI_UK_NR;
        } else {
            /* Every row goes to the stack before the first memcpy: with the accumulators
             * dead by then, Cranelift (Wasmtime) no longer spills them on every k step of
             * the loop above to keep them live across the calls (33.9 -> 25.4 ms). */
            float tail[WI_UK_MR][WI_UK_NR];
#pragma GCC unroll 16
            for (size_t i = 0; i < MR; i++)
#pragma GCC unroll 4
                for (size_t j = 0; j < WI_UK_NV; j++)
                    vstore(tail[i] + j * WI_UK_VLEN, vclamp(acc[i][j], lo, hi));
#pragma GCC unroll 16
            for (size_t i = MR; i-- > 0;) memcpy(cp[i], tail[i], nc * sizeof(float));
            nc = 0;
        }
    }
#if WI_UK_NV == 2
    if (nc_half) {
        wi_vf acc[WI_UK_MR];
        acc[0] = vload(w);
#pragma GCC unroll 16
        for (size_t i = 1; i < MR; i++) acc[i] = acc[0];
        w += WI_UK_NR;
        for (size_t sg = 0; sg < ks; sg++) {
            const float *ap[WI_UK_MR];
#pragma GCC unroll 16
            for (size_t i = 0; i < MR; i++) ap[i] = aseg[sg * WI_UK_MR + i];
            const float *pk = apk;
            for (size_t k = 0; k < kc; k++) {
                const wi_vf b = vload(w);
                w += WI_UK_NR;
#pragma GCC unroll 16
                for (size_t i = 0; i < MR; i++) WI_MADD(acc[i], a_bcast(FORM, ap[i] + k, pk, i), b);
                pk = a_packed_next(FORM, pk);
            }
        }
        if (nc_half == WI_UK_VLEN) {
#pragma GCC unroll 16
            for (size_t i = MR; i-- > 0;) vstore(cp[i], vclamp(acc[i], lo, hi));
        } else { /* all rows to the stack first, as above */
            float tail[WI_UK_MR][WI_UK_VLEN];
#pragma GCC unroll 16
            for (size_t i = 0; i < MR; i++) vstore(tail[i], vclamp(acc[i], lo, hi));
#pragma GCC unroll 16
            for (size_t i = MR; i-- > 0;) memcpy(cp[i], tail[i], nc_half * sizeof(float));
        }
    }
#endif
}

/* Rows past `mr` alias the last valid row: they compute and store the same values, never
 * out of bounds. */
WI_INLINE void a_rows(size_t mr, const float *a, size_t a_stride, const float *ap[WI_UK_MR]) {
#pragma GCC unroll 16
    for (size_t i = 0; i < WI_UK_MR; i++) ap[i] = a + (i < mr ? i : mr - 1) * a_stride;
}

WI_INLINE void gemm_mr_form(const int FORM, size_t mr, size_t nc, size_t kc, const float *a,
                            size_t a_stride, const float *w, float *c, size_t c_stride,
                            float vmin, float vmax) {
    const float *ap[WI_UK_MR];
    a_rows(mr, a, a_stride, ap);
    gemm_tile(WI_UK_MR, FORM, mr, nc, 1, kc, ap, NULL, w, c, c_stride, vmin, vmax);
}

/* The same over segmented rows (see gemm_tile); the caller aliases rows past mr itself. */
WI_INLINE void igemm_mr_form(const int FORM, size_t mr, size_t nc, size_t ks, size_t kc,
                             const float *const *aseg, const float *w, float *c, size_t c_stride,
                             float vmin, float vmax) {
    gemm_tile(WI_UK_MR, FORM, mr, nc, ks, kc, aseg, NULL, w, c, c_stride, vmin, vmax);
}

/* One row (matrix-vector: the classifier, the last row of a 7x7 layer): the tile code with
 * MR = 1, so a row's sum runs in the same order whatever tile it lands in and results do not
 * depend on how rows are split across tiles, threads or fused blocks. */
WI_INLINE void gemm_1_form(const int FORM, size_t nc, size_t kc, const float *a,
                           const float *w, float *c, size_t c_stride, float vmin, float vmax) {
    const float *ap[WI_UK_MR] = {a};
    gemm_tile(1, FORM, 1, nc, 1, kc, ap, NULL, w, c, c_stride, vmin, vmax);
}

#if defined(__wasm_simd128__)
#include <stdlib.h>
#include <time.h>

/* wasm: which GEMM form runs fastest depends on the engine (V8 in Node, Cranelift in
 * Wasmtime), so the module measures them on its real work and keeps the fastest (it is
 * single-threaded). gemm_mr: rows-splat, rows-load (WI_A_SPLAT, WI_A_LOAD over the rows in
 * place), packed or packed4 (WI_A_PACKED, WI_A_PACKED4); igemm: the packed form if one won,
 * else like gemm_1 the faster of the two broadcasts. All forms give the same bits.
 * WASINFER_WASM_BROADCAST=splat|load and WASINFER_WASM_GEMM_TILE=rows|packed|packed4 force a
 * choice (benchmarks, and tests comparing the forms). */

/* The packed tile (one at a time: single-threaded). A longer k takes the rows-load form. */
enum { WI_A_PACK_K = 2048 };
static float uk_apack[WI_A_PACK_K * WI_UK_MR * WI_UK_VLEN] __attribute__((aligned(16)));

static void gemm_mr_splat(size_t mr, size_t nc, size_t kc, const float *a, size_t a_stride,
                          const float *w, float *c, size_t c_stride, float vmin, float vmax) {
    gemm_mr_form(WI_A_SPLAT, mr, nc, kc, a, a_stride, w, c, c_stride, vmin, vmax);
}
static void gemm_mr_load(size_t mr, size_t nc, size_t kc, const float *a, size_t a_stride,
                         const float *w, float *c, size_t c_stride, float vmin, float vmax) {
    gemm_mr_form(WI_A_LOAD, mr, nc, kc, a, a_stride, w, c, c_stride, vmin, vmax);
}
/* Packs `ks` segments of `kc` floats per row (aseg as in gemm_tile) one after the other: the
 * packed tile is the rows joined, summed in the same order. */
static void a_pack(size_t ks, size_t kc, const float *const *aseg) {
    float *p = uk_apack;
    for (size_t sg = 0; sg < ks; sg++)
        for (size_t k = 0; k < kc; k++, p += a_packed_step(WI_A_PACKED))
#pragma GCC unroll 16
            for (size_t i = 0; i < WI_UK_MR; i++)
                vstore(p + i * WI_UK_VLEN, WI_SPLAT(aseg[sg * WI_UK_MR + i][k]));
}

/* The packed forms (FORM: WI_A_PACKED or WI_A_PACKED4): the tile packed, then the GEMM. */
WI_INLINE void gemm_mr_packed_form(const int FORM, size_t mr, size_t nc, size_t kc,
                                   const float *a, size_t a_stride, const float *w, float *c,
                                   size_t c_stride, float vmin, float vmax) {
    if (kc > WI_A_PACK_K) {
        gemm_mr_form(WI_A_LOAD, mr, nc, kc, a, a_stride, w, c, c_stride, vmin, vmax);
        return;
    }
    const float *ap[WI_UK_MR];
    a_rows(mr, a, a_stride, ap);
    a_pack(1, kc, ap);
    gemm_tile(WI_UK_MR, FORM, mr, nc, 1, kc, ap, uk_apack, w, c, c_stride, vmin, vmax);
}

static void gemm_mr_packed(size_t mr, size_t nc, size_t kc, const float *a, size_t a_stride,
                           const float *w, float *c, size_t c_stride, float vmin, float vmax) {
    gemm_mr_packed_form(WI_A_PACKED, mr, nc, kc, a, a_stride, w, c, c_stride, vmin, vmax);
}

static void gemm_mr_packed4(size_t mr, size_t nc, size_t kc, const float *a, size_t a_stride,
                            const float *w, float *c, size_t c_stride, float vmin, float vmax) {
    gemm_mr_packed_form(WI_A_PACKED4, mr, nc, kc, a, a_stride, w, c, c_stride, vmin, vmax);
}

enum { UK_SPLAT, UK_LOAD, UK_PACKED, UK_PACKED4, UK_FORMS };
static const wi_f32_gemm_fn uk_forms[UK_FORMS] = {gemm_mr_splat, gemm_mr_load, gemm_mr_packed,
                                                  gemm_mr_packed4};

/* How the choice is measured. The forms take turns in batches of consecutive calls (tiles of
 * the same layer: the same shapes for every form); each call of at least UK_MIN_WORK
 * multiply-adds is timed, and a batch's rate is the time per multiply-add of UK_BATCH of them. Nothing is booked in the first UK_WARMUP_MS: V8 runs new code
 * unoptimized first and optimizes hot functions in the background, at a time of its choosing.
 * A window ends when every form has UK_MIN_BATCHES booked batches; each form's rate is its
 * median (which shrugs off batches hit by a preemption). The choice is the lowest rate of a
 * window in which no form got more than 20% faster than in the previous one (the engine is
 * done optimizing), or of the UK_MAX_WINDOWS-th. Until then, and in a program that never gets
 * that far, the forms keep taking turns (the same bits either way). */
enum { UK_BATCH = 8, UK_MIN_BATCHES = 16, UK_MAX_WINDOWS = 8 };
static const double UK_SETTLED = 0.8; /* a form 20% faster than in the last window: not settled */
static const double UK_MIN_WORK = 65536; /* smaller calls are not timed (the clock costs too much) */
static const double UK_WARMUP_MS = 30.0;

typedef struct uk_chooser {
    int form;                 /* the chosen form; -1 while measuring                        */
    int broadcast;            /* WI_A_SPLAT or WI_A_LOAD, for gemm_1 and igemm               */
    unsigned candidates;      /* bit per form in the race                                   */
    int turn;                 /* the form of the current batch                              */
    int in_batch;             /* calls done in the current batch                            */
    double t_start;           /* first call; -1: not started                                */
    double time_batch;        /* time in the calls of the current batch                     */
    double work_batch;        /* their multiply-adds                                        */
    double rate[UK_FORMS][UK_MIN_BATCHES];
    int batches[UK_FORMS];
    double last_median[UK_FORMS]; /* of the previous window                                 */
    int windows;              /* measuring windows done                                     */
} uk_chooser;

static uk_chooser uk = {.form = -1, .broadcast = WI_A_SPLAT, .t_start = -1};

static double uk_now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* The index of the variable's value in `names`, or -1 (unset or unknown: measured). */
static int uk_forced(const char *var, const char *const *names, int count) {
    const char *v = getenv(var);
    for (int i = 0; v && i < count; i++)
        if (strcmp(v, names[i]) == 0) return i;
    return -1;
}

static void uk_start(void) {
    static const char *const broadcasts[] = {"splat", "load"};
    static const char *const tiles[] = {"rows", "packed", "packed4"};
    const int b = uk_forced("WASINFER_WASM_BROADCAST", broadcasts, 2);
    const int t = uk_forced("WASINFER_WASM_GEMM_TILE", tiles, 3);
    const unsigned rows = (1u << UK_SPLAT) | (1u << UK_LOAD);
    uk.candidates = (1u << UK_FORMS) - 1;
    if (b >= 0) uk.candidates &= ~(1u << (b == 0 ? UK_LOAD : UK_SPLAT));
    if (t == 0) uk.candidates &= rows;
    if (t > 0) uk.candidates = 1u << (t == 1 ? UK_PACKED : UK_PACKED4);
    uk.broadcast = b == 1 ? WI_A_LOAD : WI_A_SPLAT;
    uk.turn = __builtin_ctz(uk.candidates);
    uk.t_start = uk_now_ms();
    /* Forced all the way (one candidate, the broadcast known): nothing to measure. */
    if ((uk.candidates & (uk.candidates - 1)) == 0 && (b >= 0 || !(uk.candidates & rows)))
        uk.form = uk.turn;
}

static int cmp_double(const void *x, const void *y) {
    const double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static double uk_median_rate(int form) {
    qsort(uk.rate[form], UK_MIN_BATCHES, sizeof(double), cmp_double);
    return uk.rate[form][UK_MIN_BATCHES / 2];
}

/* Ends the current batch: books its rate, passes the turn, decides once every form is done. */
static void uk_end_batch(double now) {
    if (now - uk.t_start >= UK_WARMUP_MS && uk.batches[uk.turn] < UK_MIN_BATCHES && uk.work_batch > 0)
        uk.rate[uk.turn][uk.batches[uk.turn]++] = uk.time_batch / uk.work_batch;
    uk.in_batch = 0;
    uk.time_batch = uk.work_batch = 0;
    do uk.turn = (uk.turn + 1) % UK_FORMS;
    while (!(uk.candidates >> uk.turn & 1));
    double median[UK_FORMS];
    int best = -1, settled = uk.windows > 0;
    for (int f = 0; f < UK_FORMS; f++) {
        if (!(uk.candidates >> f & 1)) continue;
        if (uk.batches[f] < UK_MIN_BATCHES) return;
    }
    for (int f = 0; f < UK_FORMS; f++) {
        if (!(uk.candidates >> f & 1)) continue;
        median[f] = uk_median_rate(f);
        if (best < 0 || median[f] < median[best]) best = f;
        /* Still getting faster: the engine was optimizing during this window. */
        if (median[f] < UK_SETTLED * uk.last_median[f]) settled = 0;
        uk.last_median[f] = median[f];
        uk.batches[f] = 0;
    }
    uk.windows++;
    if (!settled && uk.windows < UK_MAX_WINDOWS) return;
    uk.form = best;
    if (uk.candidates >> UK_LOAD & 1)
        uk.broadcast = !(uk.candidates >> UK_SPLAT & 1) || median[UK_LOAD] < median[UK_SPLAT]
                           ? WI_A_LOAD
                           : WI_A_SPLAT;
}

static void gemm_mr(size_t mr, size_t nc, size_t kc, const float *a, size_t a_stride,
                    const float *w, float *c, size_t c_stride, float vmin, float vmax) {
    if (uk.t_start < 0) uk_start();
    if (uk.form >= 0) {
        uk_forms[uk.form](mr, nc, kc, a, a_stride, w, c, c_stride, vmin, vmax);
        return;
    }
    const double work = (double)mr * (double)nc * (double)kc;
    if (work < UK_MIN_WORK) {
        uk_forms[uk.turn](mr, nc, kc, a, a_stride, w, c, c_stride, vmin, vmax);
        return;
    }
    const double t0 = uk_now_ms();
    uk_forms[uk.turn](mr, nc, kc, a, a_stride, w, c, c_stride, vmin, vmax);
    const double t1 = uk_now_ms();
    uk.time_batch += t1 - t0;
    uk.work_batch += work;
    if (++uk.in_batch == UK_BATCH) uk_end_batch(t1);
}

static void gemm_1(size_t mr, size_t nc, size_t kc, const float *a, size_t a_stride,
                   const float *w, float *c, size_t c_stride, float vmin, float vmax) {
    if (uk.t_start < 0) uk_start();
    if (uk.broadcast == WI_A_LOAD) gemm_1_form(WI_A_LOAD, nc, kc, a, w, c, c_stride, vmin, vmax);
    else gemm_1_form(WI_A_SPLAT, nc, kc, a, w, c, c_stride, vmin, vmax);
}

static void igemm_mr(size_t mr, size_t nc, size_t ks, size_t kc, const float *const *aseg,
                     const float *w, float *c, size_t c_stride, float vmin, float vmax) {
    if (uk.t_start < 0) uk_start();
    if (uk.form == UK_PACKED && ks * kc <= WI_A_PACK_K) {
        a_pack(ks, kc, aseg);
        gemm_tile(WI_UK_MR, WI_A_PACKED, mr, nc, 1, ks * kc, aseg, uk_apack, w, c, c_stride,
                  vmin, vmax);
    } else if (uk.form == UK_PACKED4 && ks * kc <= WI_A_PACK_K) {
        a_pack(ks, kc, aseg);
        gemm_tile(WI_UK_MR, WI_A_PACKED4, mr, nc, 1, ks * kc, aseg, uk_apack, w, c, c_stride,
                  vmin, vmax);
    } else if (uk.broadcast == WI_A_LOAD)
        igemm_mr_form(WI_A_LOAD, mr, nc, ks, kc, aseg, w, c, c_stride, vmin, vmax);
    else igemm_mr_form(WI_A_SPLAT, mr, nc, ks, kc, aseg, w, c, c_stride, vmin, vmax);
}
#else
static void gemm_mr(size_t mr, size_t nc, size_t kc, const float *a, size_t a_stride,
                    const float *w, float *c, size_t c_stride, float vmin, float vmax) {
    gemm_mr_form(WI_A_SPLAT, mr, nc, kc, a, a_stride, w, c, c_stride, vmin, vmax);
}

static void gemm_1(size_t mr, size_t nc, size_t kc, const float *a, size_t a_stride,
                   const float *w, float *c, size_t c_stride, float vmin, float vmax) {
    gemm_1_form(WI_A_SPLAT, nc, kc, a, w, c, c_stride, vmin, vmax);
}

static void igemm_mr(size_t mr, size_t nc, size_t ks, size_t kc, const float *const *aseg,
                     const float *w, float *c, size_t c_stride, float vmin, float vmax) {
    igemm_mr_form(WI_A_SPLAT, mr, nc, ks, kc, aseg, w, c, c_stride, vmin, vmax);
}
#endif

/* ---- depthwise 3x3 --------------------------------------------------------------------- */

#define WI_DW_CT WI_UK_VLEN
#define WI_DW_TILE (10 * WI_DW_CT) /* floats per packed channel tile: bias + 9 taps */

/* One output pixel whose taps may fall outside the row (ix0 may be negative), channels from
 * c_begin on: the border path, and the channel remainder of interior pixels. */
static void dw_pixel_checked(const float *const rows[3], ptrdiff_t in_w, size_t channels,
                             ptrdiff_t ix0, size_t c_begin, const float *packed, float *o,
                             float vmin, float vmax) {
    const wi_vf lo = WI_SPLAT(vmin), hi = WI_SPLAT(vmax);
    /* the taps inside the row: kx in [kx_lo, kx_hi) */
    const int kx_lo = ix0 < 0 ? (int)-ix0 : 0;
    const int kx_hi = ix0 + 3 > in_w ? (int)(in_w - ix0) : 3;
    size_t c = c_begin;
    for (; c + WI_DW_CT <= channels; c += WI_DW_CT) {
        const float *wp = packed + (c / WI_DW_CT) * WI_DW_TILE;
        wi_vf acc = vload(wp);
        for (int ky = 0; ky < 3; ky++)
            for (int kx = kx_lo; kx < kx_hi; kx++)
                WI_MADD(acc, vload(rows[ky] + (size_t)(ix0 + kx) * channels + c),
                        vload(wp + (size_t)(1 + ky * 3 + kx) * WI_DW_CT));
        vstore(o + c, vclamp(acc, lo, hi));
    }
    for (; c < channels; c++) {
        const float *wp = packed + (c / WI_DW_CT) * WI_DW_TILE + c % WI_DW_CT;
        float acc = wp[0];
        for (int ky = 0; ky < 3; ky++)
            for (int kx = kx_lo; kx < kx_hi; kx++)
                acc += rows[ky][(size_t)(ix0 + kx) * channels + c] *
                       wp[(size_t)(1 + ky * 3 + kx) * WI_DW_CT];
        o[c] = clamp1(acc, vmin, vmax);
    }
}

/* Output pixels per step of the interior loop: each keeps one accumulator chain, and their
 * taps share input loads. 4 where the register file holds them next to the 9 weights. */
#if WI_UK_VLEN >= 16
#define WI_DW_PX 4
#else
#define WI_DW_PX 2
#endif

/* Interior pixels [x_lo, x_hi) of one row. Channel tiles are the outer loop so the tile's 9
 * weights stay in registers while the row streams past (its three input rows, one cache line
 * per pixel, stay in L1). `S` (the stride) and `PX` are constants at each call. */
WI_INLINE void dw_interior_tile(const size_t S, const size_t PX, const float *r0,
                                const float *r1, const float *r2, size_t C, size_t ix,
                                const wi_vf w[9], wi_vf bias, float *o, wi_vf lo, wi_vf hi) {
    wi_vf acc[WI_DW_PX];
#pragma GCC unroll 4
    for (size_t p = 0; p < PX; p++) acc[p] = bias;
    const float *rows[3] = {r0, r1, r2};
#pragma GCC unroll 3
    for (size_t r = 0; r < 3; r++) {
        wi_vf x[(WI_DW_PX - 1) * 2 + 3];
#pragma GCC unroll 16
        for (size_t t = 0; t < (PX - 1) * S + 3; t++) x[t] = vload(rows[r] + (ix + t) * C);
#pragma GCC unroll 4
        for (size_t p = 0; p < PX; p++) {
            WI_MADD(acc[p], x[p * S], w[3 * r]);
            WI_MADD(acc[p], x[p * S + 1], w[3 * r + 1]);
            WI_MADD(acc[p], x[p * S + 2], w[3 * r + 2]);
        }
    }
#pragma GCC unroll 4
    for (size_t p = 0; p < PX; p++) vstore(o + p * C, vclamp(acc[p], lo, hi));
}

/* The same for register files too small for 9 weights + the accumulators (16 x 128-bit
 * registers: SSE, wasm SIMD128 under V8): weights are loaded at each use, once per PX
 * pixels, and each input once per tap. */
WI_INLINE void dw_tap_row(const size_t S, const size_t PX, const float *row, size_t C,
                          size_t ix, const float *wrow, wi_vf acc[4]) {
#pragma GCC unroll 3
    for (size_t kx = 0; kx < 3; kx++) {
        const wi_vf w = vload(wrow + kx * WI_DW_CT);
#pragma GCC unroll 4
        for (size_t p = 0; p < PX; p++) WI_MADD(acc[p], vload(row + (ix + p * S + kx) * C), w);
    }
}

/* ROLLED (wasm): the 3 kernel rows as a loop, so Cranelift, which issues all loads of a block
 * before its arithmetic, holds one row's inputs at a time instead of spilling all three
 * (depthwise 2.75 -> 2.4 ms). With epoch checks, which make it keep loop-carried vectors in
 * memory, the unrolled form is faster. */
WI_INLINE void dw_interior_tile_mem(const int ROLLED, const size_t S, const size_t PX,
                                    const float *r0, const float *r1, const float *r2, size_t C,
                                    size_t ix, const float *wp, float *o, wi_vf lo, wi_vf hi) {
    wi_vf acc[4];
    const wi_vf bias = vload(wp);
#pragma GCC unroll 4
    for (size_t p = 0; p < PX; p++) acc[p] = bias;
    const float *rows[3] = {r0, r1, r2};
#if defined(__wasm__)
    if (ROLLED) {
#pragma clang loop unroll(disable)
        for (size_t r = 0; r < 3; r++)
            dw_tap_row(S, PX, rows[r], C, ix, wp + (1 + 3 * r) * WI_DW_CT, acc);
    } else
#endif
    {
#pragma GCC unroll 3
        for (size_t r = 0; r < 3; r++)
            dw_tap_row(S, PX, rows[r], C, ix, wp + (1 + 3 * r) * WI_DW_CT, acc);
    }
#pragma GCC unroll 4
    for (size_t p = 0; p < PX; p++) vstore(o + p * C, vclamp(acc[p], lo, hi));
}

WI_INLINE void dw_interior(const int ROLLED, const size_t S, const float *const rows[3], size_t in_w,
                           size_t channels, size_t pad_left, size_t x_lo, size_t x_hi,
                           const float *packed, float *out, float vmin, float vmax) {
    const wi_vf lo = WI_SPLAT(vmin), hi = WI_SPLAT(vmax);
    const size_t C = channels, c_full = C - C % WI_DW_CT;
#if WI_UK_VLEN == 4
    for (size_t c = 0; c < c_full; c += WI_DW_CT) {
        const float *wp = packed + (c / WI_DW_CT) * WI_DW_TILE;
        const float *r0 = rows[0] + c, *r1 = rows[1] + c, *r2 = rows[2] + c;
        size_t ox = x_lo;
        for (; ox + 4 <= x_hi; ox += 4)
            dw_interior_tile_mem(ROLLED, S, 4, r0, r1, r2, C, ox * S - pad_left, wp,
                                 out + ox * C + c, lo, hi);
        for (; ox < x_hi; ox++)
            dw_interior_tile_mem(ROLLED, S, 1, r0, r1, r2, C, ox * S - pad_left, wp,
                                 out + ox * C + c, lo, hi);
    }
#else
    for (size_t c = 0; c < c_full; c += WI_DW_CT) {
        const float *wp = packed + (c / WI_DW_CT) * WI_DW_TILE;
        const wi_vf bias = vload(wp);
        wi_vf w[9];
#pragma GCC unroll 9
        for (int t = 0; t < 9; t++) w[t] = vload(wp + (size_t)(1 + t) * WI_DW_CT);
        const float *r0 = rows[0] + c, *r1 = rows[1] + c, *r2 = rows[2] + c;
        size_t ox = x_lo;
        for (; ox + WI_DW_PX <= x_hi; ox += WI_DW_PX)
            dw_interior_tile(S, WI_DW_PX, r0, r1, r2, C, ox * S - pad_left, w, bias,
                             out + ox * C + c, lo, hi);
        for (; ox < x_hi; ox++)
            dw_interior_tile(S, 1, r0, r1, r2, C, ox * S - pad_left, w, bias, out + ox * C + c,
                             lo, hi);
    }
#endif
    if (c_full < C)
        for (size_t ox = x_lo; ox < x_hi; ox++)
            dw_pixel_checked(rows, (ptrdiff_t)in_w, C, (ptrdiff_t)(ox * S - pad_left), c_full,
                             packed, out + ox * C, vmin, vmax);
}

WI_INLINE void dw3x3_row_form(const int ROLLED, const float *const rows[3], size_t in_w,
                              size_t channels, size_t stride, size_t pad_left, size_t out_w,
                              const float *packed, float *out, float vmin, float vmax) {
    /* Interior: every tap inside the row, i.e. ox*stride >= pad_left and
     * ox*stride - pad_left + 2 < in_w. */
    size_t x_lo = (pad_left + stride - 1) / stride;
    size_t x_hi = in_w + pad_left >= 3 ? (in_w + pad_left - 3) / stride + 1 : 0;
    if (x_lo > out_w) x_lo = out_w;
    if (x_hi > out_w) x_hi = out_w;
    if (x_hi < x_lo) x_hi = x_lo;
    for (size_t ox = 0; ox < x_lo; ox++)
        dw_pixel_checked(rows, (ptrdiff_t)in_w, channels,
                         (ptrdiff_t)(ox * stride) - (ptrdiff_t)pad_left, 0, packed,
                         out + ox * channels, vmin, vmax);
    if (stride == 1)
        dw_interior(ROLLED, 1, rows, in_w, channels, pad_left, x_lo, x_hi, packed, out, vmin,
                    vmax);
    else if (stride == 2)
        dw_interior(ROLLED, 2, rows, in_w, channels, pad_left, x_lo, x_hi, packed, out, vmin,
                    vmax);
    else
        for (size_t ox = x_lo; ox < x_hi; ox++)
            dw_pixel_checked(rows, (ptrdiff_t)in_w, channels, (ptrdiff_t)(ox * stride - pad_left),
                             0, packed, out + ox * channels, vmin, vmax);
    for (size_t ox = x_hi; ox < out_w; ox++)
        dw_pixel_checked(rows, (ptrdiff_t)in_w, channels,
                         (ptrdiff_t)(ox * stride) - (ptrdiff_t)pad_left, 0, packed,
                         out + ox * channels, vmin, vmax);
}

static void dw3x3_row(const float *const rows[3], size_t in_w, size_t channels, size_t stride,
                      size_t pad_left, size_t out_w, const float *packed, float *out, float vmin,
                      float vmax) {
#if defined(__wasm_simd128__)
    /* Rolled unless the GEMM measurement picked packed4, the form for epoch checks. */
    if (uk.form != UK_PACKED4) {
        dw3x3_row_form(1, rows, in_w, channels, stride, pad_left, out_w, packed, out, vmin, vmax);
        return;
    }
#endif
    dw3x3_row_form(0, rows, in_w, channels, stride, pad_left, out_w, packed, out, vmin, vmax);
}

#if WI_UK_VLEN >= 16
/* Two output rows at stride 1 (AVX-512: 32 registers hold the 9 weights, 8 accumulators and
 * a row of inputs): rows[0..3] are the 4 input rows; each input vector feeds both output rows,
 * so loads per tap drop by a third. Border pixels and channel remainders take the per-row
 * path. */
static void dw3x3_rows2(const float *const rows[4], size_t in_w, size_t channels,
                        size_t pad_left, size_t out_w, const float *packed, float *out0,
                        float *out1, float vmin, float vmax) {
    const wi_vf lo = WI_SPLAT(vmin), hi = WI_SPLAT(vmax);
    const size_t C = channels, c_full = C - C % WI_DW_CT;
    size_t x_lo = pad_left;
    size_t x_hi = in_w + pad_left >= 3 ? in_w + pad_left - 2 : 0;
    if (x_lo > out_w) x_lo = out_w;
    if (x_hi > out_w) x_hi = out_w;
    if (x_hi < x_lo) x_hi = x_lo;
    const float *const *rows_b = rows + 1;
    for (size_t ox = 0; ox < x_lo; ox++) {
        dw_pixel_checked(rows, (ptrdiff_t)in_w, C, (ptrdiff_t)ox - (ptrdiff_t)pad_left, 0, packed,
                         out0 + ox * C, vmin, vmax);
        dw_pixel_checked(rows_b, (ptrdiff_t)in_w, C, (ptrdiff_t)ox - (ptrdiff_t)pad_left, 0,
                         packed, out1 + ox * C, vmin, vmax);
    }
    for (size_t c = 0; c < c_full; c += WI_DW_CT) {
        const float *wp = packed + (c / WI_DW_CT) * WI_DW_TILE;
        const wi_vf bias = vload(wp);
        wi_vf w[9];
#pragma GCC unroll 9
        for (int t = 0; t < 9; t++) w[t] = vload(wp + (size_t)(1 + t) * WI_DW_CT);
        size_t ox = x_lo;
        for (; ox + 4 <= x_hi; ox += 4) {
            const size_t ix = ox - pad_left;
            wi_vf a0[4], a1[4];
#pragma GCC unroll 4
            for (size_t p = 0; p < 4; p++) a0[p] = a1[p] = bias;
#pragma GCC unroll 4
            for (size_t r = 0; r < 4; r++) {
                wi_vf x[6];
#pragma GCC unroll 6
                for (size_t t = 0; t < 6; t++) x[t] = vload(rows[r] + (ix + t) * C + c);
#pragma GCC unroll 4
                for (size_t p = 0; p < 4; p++) {
                    if (r < 3) {
                        a0[p] += x[p] * w[3 * r];
                        a0[p] += x[p + 1] * w[3 * r + 1];
                        a0[p] += x[p + 2] * w[3 * r + 2];
                    }
                    if (r > 0) {
                        a1[p] += x[p] * w[3 * r - 3];
                        a1[p] += x[p + 1] * w[3 * r - 2];
                        a1[p] += x[p + 2] * w[3 * r - 1];
                    }
                }
            }
#pragma GCC unroll 4
            for (size_t p = 0; p < 4; p++) {
                vstore(out0 + (ox + p) * C + c, vclamp(a0[p], lo, hi));
                vstore(out1 + (ox + p) * C + c, vclamp(a1[p], lo, hi));
            }
        }
        for (; ox < x_hi; ox++) {
            dw_interior_tile(1, 1, rows[0] + c, rows[1] + c, rows[2] + c, C, ox - pad_left, w,
                             bias, out0 + ox * C + c, lo, hi);
            dw_interior_tile(1, 1, rows[1] + c, rows[2] + c, rows[3] + c, C, ox - pad_left, w,
                             bias, out1 + ox * C + c, lo, hi);
        }
    }
    for (size_t ox = x_lo; c_full < C && ox < x_hi; ox++) {
        dw_pixel_checked(rows, (ptrdiff_t)in_w, C, (ptrdiff_t)(ox - pad_left), c_full, packed,
                         out0 + ox * C, vmin, vmax);
        dw_pixel_checked(rows_b, (ptrdiff_t)in_w, C, (ptrdiff_t)(ox - pad_left), c_full, packed,
                         out1 + ox * C, vmin, vmax);
    }
    for (size_t ox = x_hi; ox < out_w; ox++) {
        dw_pixel_checked(rows, (ptrdiff_t)in_w, C, (ptrdiff_t)ox - (ptrdiff_t)pad_left, 0, packed,
                         out0 + ox * C, vmin, vmax);
        dw_pixel_checked(rows_b, (ptrdiff_t)in_w, C, (ptrdiff_t)ox - (ptrdiff_t)pad_left, 0,
                         packed, out1 + ox * C, vmin, vmax);
    }
}
#define WI_UK_DW_ROWS2 dw3x3_rows2
#else
#define WI_UK_DW_ROWS2 NULL
#endif

/* ---- rounding onto a quantization grid (kernels.h, wi_f32_fake_quant) ------------------ */

/* The scalar reference's operations (src/kernels/fake-quant.c) in the same order, lane by
 * lane, so every ISA gives its bits: a product and a sum kept apart (no contraction into a
 * fused multiply-add where the ISA has one), the clamp by compare-and-select with its NaN
 * behaviour, and truncation of a positive value as the floor. */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("fp-contract=off")))
#endif
static void fake_quant(const float *in, float *out, size_t count, const wi_fake_quant *q) {
#if defined(__clang__)
#pragma clang fp contract(off)
#endif
    const float inv = 1.0f / q->scale, lo = q->qmin, hi = q->qmax, bias = 0.5f - q->qmin;
    const float zp = q->zero_point, scale = q->scale;
    const wi_vf vinv = WI_SPLAT(inv), vzp = WI_SPLAT(zp), vlo = WI_SPLAT(lo), vhi = WI_SPLAT(hi);
    const wi_vf vbias = WI_SPLAT(bias), vscale = WI_SPLAT(scale);
    size_t i = 0;
    for (; i + WI_UK_VLEN <= count; i += WI_UK_VLEN) {
        wi_vf v = vload(in + i) * vinv;
        v = v + vzp;
        wi_vi m = v > vlo;
        v = (wi_vf)((m & (wi_vi)v) | (~m & (wi_vi)vlo));
        m = v < vhi;
        v = (wi_vf)((m & (wi_vi)v) | (~m & (wi_vi)vhi));
        wi_vi k = __builtin_convertvector(v + vbias, wi_vi);
        wi_vf r = __builtin_convertvector(k, wi_vf) + vlo;
        r = r - vzp;
        vstore(out + i, r * vscale);
    }
    for (; i < count; i++) {
        float v = in[i] * inv;
        v = v + zp;
        v = v > lo ? v : lo;
        v = v < hi ? v : hi;
        int32_t k = (int32_t)(v + bias);
        float r = (float)k + lo;
        r = r - zp;
        out[i] = r * scale;
    }
}

const wi_f32_ukernels WI_UK_TABLE = {
    .name = WI_UK_NAME,
    .gemm_mr = WI_UK_MR,
    .gemm_nr = WI_UK_NR,
    .dw_ct = WI_DW_CT,
    .gemm = gemm_mr,
    .gemm_1 = gemm_1,
    .igemm = igemm_mr,
    .dw3x3_row = dw3x3_row,
    .dw3x3_rows2 = WI_UK_DW_ROWS2,
    .fake_quant = fake_quant,
};
