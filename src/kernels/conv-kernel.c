/*
 * wi_conv_kernel: picks an algorithm per convolution at create time, packs the weights for
 * the chosen ISA's microkernels, and splits the work across the thread pool at run time.
 *
 *   path            when                                    how
 *   GEMM_1X1        1x1, stride 1, no padding               GEMM straight on the NHWC input
 *   IM2COL_GEMM     any other dense conv (the first 3x3)    im2col per row chunk + GEMM
 *   DW3X3           depthwise 3x3, dilation 1, pads >= 0    row kernel, zero row for padding
 *   REF             ISA "ref", and everything else          the scalar reference, by row chunk
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "kernels.h"
#include "conv-kernel-internal.h"

/* Weight bytes of one column block, sized to stay in L2 while rows stream past it. */
enum { WI_GEMM_BLOCK_BYTES = 256 * 1024 };
/* Work items per thread: enough for the dynamic claiming to balance uneven items. */
enum { WI_ITEMS_PER_THREAD = 4 };
/* A threaded 1x1 GEMM with at least this many row tiles per thread splits by rows alone: one
 * contiguous range of output pixels per thread, all columns, so each core writes whole rows
 * and the next layer finds more of its input in that core's own L2 (V2 1.4 with 2 threads:
 * -2 % against (row chunk x column block) items, in-process A/B on the Xeon). */
enum { WI_ROW_SPLIT_MIN_TILES = 4 };
/* im2col larger than this falls back to the reference kernel rather than planning a huge
 * scratch buffer. */
#define WI_IM2COL_MAX_BYTES ((size_t)256 << 20)
/* PATH_DIRECT builds the rows of border pixels (taps partly outside the input) on the stack:
 * at most this many floats (gemm_mr * kernel_h * kernel_w * in_c). */
enum { WI_DIRECT_EDGE_FLOATS = 4096, WI_DIRECT_MAX_SEGMENTS = 64 };
/* Output pixels im2col'd at a time: their rows (up to a few hundred KB) stay in L2. */
enum { WI_IM2COL_CHUNK_ROWS = 512 };

static size_t div_up(size_t a, size_t b) { return (a + b - 1) / b; }

static int geom_valid(const wi_conv_geom *g) {
    if (g->in_h <= 0 || g->in_w <= 0 || g->in_c <= 0 || g->out_h <= 0 || g->out_w <= 0 ||
        g->out_c <= 0 || g->kernel_h <= 0 || g->kernel_w <= 0 || g->stride_h <= 0 ||
        g->stride_w <= 0 || g->dilation_h <= 0 || g->dilation_w <= 0)
        return 0;
    if (g->depthwise && g->out_c != g->in_c) return 0;
    return 1;
}

static enum conv_path choose_path(const wi_conv_geom *g, const wi_f32_ukernels *uk) {
    if (!uk || g->pad_top < 0 || g->pad_left < 0) return PATH_REF;
    if (g->depthwise) {
        if (g->kernel_h == 3 && g->kernel_w == 3 && g->dilation_h == 1 && g->dilation_w == 1)
            return PATH_DW3X3;
        return PATH_REF;
    }
    if (g->kernel_h == 1 && g->kernel_w == 1 && g->stride_h == 1 && g->stride_w == 1 &&
        g->pad_top == 0 && g->pad_left == 0 && g->out_h == g->in_h && g->out_w == g->in_w)
        return PATH_GEMM_1X1;
    size_t k = (size_t)g->kernel_h * g->kernel_w * g->in_c;
    size_t m = (size_t)g->out_h * g->out_w;
    if (k > WI_IM2COL_MAX_BYTES / sizeof(float) / m) return PATH_REF;
    return PATH_IM2COL_GEMM;
}

#if defined(WI_KERNELS_X86)
/* Output columns a GEMM microkernel computes for n real ones: whole panels, and half a
 * panel for a tail of at most one vector (see the half-panel path in f32-ukernels.inc.h). */
static size_t computed_columns(const wi_f32_ukernels *uk, size_t n) {
    size_t vlen = uk->gemm_nr / 2, tail = n % uk->gemm_nr;
    return n - tail + (tail == 0 ? 0 : tail <= vlen ? vlen : uk->gemm_nr);
}

/* Where a 512-bit FMA costs as much as two 256-bit ones (AMD Zen 4), AVX2 and AVX-512 have
 * the same throughput per cycle, so the GEMM microkernel wasting the fewest padded columns
 * for n output channels wins: 24 channels run as 16 + 8 with AVX2 instead of 32 with
 * AVX-512. Where AVX-512 runs at full rate (Intel Xeon) it is twice as fast per column and
 * always wins (88 channels: 96 columns at 180 GFLOP/s against 88 at 85 with AVX2, measured
 * with bench-kernels on a Xeon). */
static const wi_f32_ukernels *narrowest_gemm(const wi_f32_ukernels *uk, wi_isa isa, size_t n) {
    if (isa == WI_ISA_AVX512 &&
        computed_columns(&wi_f32_ukernels_avx2, n) < computed_columns(uk, n) &&
        !wi_isa_avx512_full_rate())
        return &wi_f32_ukernels_avx2;
    return uk;
}
#else
static const wi_f32_ukernels *narrowest_gemm(const wi_f32_ukernels *uk, wi_isa isa, size_t n) {
    (void)isa;
    (void)n;
    return uk;
}
#endif

static float *alloc_floats(size_t count) {
    size_t bytes = (count * sizeof(float) + 63) / 64 * 64;
    return aligned_alloc(64, bytes ? bytes : 64);
}

/* Filter element i (of output channel c): read byte-wise, since a borrowed filter may be
 * unaligned, then scaled the way the folded batch norm would have scaled it in place. */
static inline float filter_at(const wi_conv_filter *f, size_t i, size_t c) {
    float x;
    memcpy(&x, (const unsigned char *)f->data + i * sizeof(float), sizeof x);
    return f->scale ? x * f->scale[c] : x;
}

/* HWIO [K][N] + bias -> panels of NR columns: [NR bias][K][NR], zero-padded. The filter is
 * read in blocks of rows, each row once from start to end (walking it panel by panel down all
 * K rows would stride by N floats and miss the cache on every row: 5x slower at load). */
static void pack_gemm(const wi_conv_filter *filter, const float *bias, size_t k_n, size_t n,
                      size_t nr, float *out) {
    enum { ROWS = 16 };
    const size_t panels = div_up(n, nr), panel_floats = nr + k_n * nr;
    for (size_t p = 0; p < panels; p++) {
        float *dst = out + p * panel_floats;
        for (size_t j = 0; j < nr; j++) dst[j] = (p * nr + j < n && bias) ? bias[p * nr + j] : 0.0f;
    }
    for (size_t k0 = 0; k0 < k_n; k0 += ROWS) {
        const size_t k1 = k0 + ROWS < k_n ? k0 + ROWS : k_n;
        for (size_t p = 0; p < panels; p++) {
            const size_t c0 = p * nr, live = n - c0 < nr ? n - c0 : nr;
            float *dst = out + p * panel_floats + nr + k0 * nr;
            for (size_t k = k0; k < k1; k++, dst += nr) {
                size_t j = 0;
                for (; j < live; j++) dst[j] = filter_at(filter, k * n + c0 + j, c0 + j);
                for (; j < nr; j++) dst[j] = 0.0f;
            }
        }
    }
}

/* HWC [9][C] + bias -> tiles of CT channels: [CT bias][9][CT], zero-padded. */
static void pack_dw3x3(const wi_conv_filter *filter, const float *bias, size_t c_n, size_t ct,
                       float *out) {
    for (size_t c0 = 0; c0 < c_n; c0 += ct) {
        for (size_t j = 0; j < ct; j++) *out++ = (c0 + j < c_n && bias) ? bias[c0 + j] : 0.0f;
        for (size_t t = 0; t < 9; t++)
            for (size_t j = 0; j < ct; j++)
                *out++ = c0 + j < c_n ? filter_at(filter, t * c_n + c0 + j, c0 + j) : 0.0f;
    }
}

static wi_status create_ref(wi_conv_kernel *k, const wi_conv_filter *filter, const float *bias) {
    const wi_conv_geom *g = &k->geom;
    size_t count = (size_t)g->kernel_h * g->kernel_w * g->in_c * (g->depthwise ? 1 : (size_t)g->out_c);
    k->filter = malloc(count * sizeof(float));
    k->bias = calloc((size_t)g->out_c, sizeof(float));
    if (!k->filter || !k->bias) return WI_E_OUT_OF_MEMORY;
    /* both layouts end in the output channel */
    for (size_t i = 0; i < count; i++) k->filter[i] = filter_at(filter, i, i % (size_t)g->out_c);
    if (bias) memcpy(k->bias, bias, (size_t)g->out_c * sizeof(float));
    k->packed_floats = count + (size_t)g->out_c;
    return WI_OK;
}

static wi_status create_fast(wi_conv_kernel *k, const wi_conv_filter *filter, const float *bias) {
    const wi_conv_geom *g = &k->geom;
    const wi_f32_ukernels *uk = k->uk;
    if (k->path == PATH_DW3X3) {
        size_t c_n = (size_t)g->in_c;
        k->packed_floats = div_up(c_n, uk->dw_ct) * 10 * uk->dw_ct;
        k->packed = alloc_floats(k->packed_floats);
        k->zero_row = calloc((size_t)g->in_w * c_n, sizeof(float));
        if (!k->packed || !k->zero_row) return WI_E_OUT_OF_MEMORY;
        pack_dw3x3(filter, bias, c_n, uk->dw_ct, k->packed);
        return WI_OK;
    }
    size_t n = (size_t)g->out_c;
    k->gemm_k = (size_t)g->kernel_h * g->kernel_w * g->in_c;
    k->packed_floats = div_up(n, uk->gemm_nr) * (uk->gemm_nr + k->gemm_k * uk->gemm_nr);
    k->packed = alloc_floats(k->packed_floats);
    if (!k->packed) return WI_E_OUT_OF_MEMORY;
    pack_gemm(filter, bias, k->gemm_k, n, uk->gemm_nr, k->packed);
    if (k->path == PATH_IM2COL_GEMM)
        k->scratch_bytes = (size_t)g->out_h * g->out_w * k->gemm_k * sizeof(float);
    if (k->path == PATH_DIRECT) {
        k->zero_row = calloc((size_t)g->kernel_w * g->in_c, sizeof(float));
        if (!k->zero_row) return WI_E_OUT_OF_MEMORY;
    }
    return WI_OK;
}

static wi_status create_with_isa(const wi_conv_geom *geom, const wi_conv_filter *filter,
                                 const float *bias, float act_min, float act_max, wi_isa isa,
                                 wi_conv_kernel **out) {
    if (!out) return WI_E_INVALID_ARGUMENT;
    *out = NULL;
    if (!geom || !filter->data || !geom_valid(geom)) return WI_E_INVALID_ARGUMENT;
    const wi_f32_ukernels *uk = wi_isa_ukernels(isa);
    if (isa != WI_ISA_REF && !uk) return WI_E_UNSUPPORTED;
    wi_conv_kernel *k = calloc(1, sizeof *k);
    if (!k) return WI_E_OUT_OF_MEMORY;
    k->geom = *geom;
    k->act_min = act_min;
    k->act_max = act_max;
    k->path = choose_path(geom, uk);
    if (k->path == PATH_GEMM_1X1 || k->path == PATH_IM2COL_GEMM) {
        const wi_f32_ukernels *narrow = narrowest_gemm(uk, isa, (size_t)geom->out_c);
        if (narrow != uk) uk = narrow, isa = WI_ISA_AVX2;
    }
    if (k->path == PATH_IM2COL_GEMM && geom->dilation_w == 1 &&
        uk->gemm_mr * geom->kernel_h <= WI_DIRECT_MAX_SEGMENTS &&
        uk->gemm_mr * geom->kernel_h * geom->kernel_w * (size_t)geom->in_c <= WI_DIRECT_EDGE_FLOATS)
        k->path = PATH_DIRECT;
    k->isa = k->path == PATH_REF ? WI_ISA_REF : isa;
    k->uk = k->path == PATH_REF ? NULL : uk;
    wi_status st = k->path == PATH_REF ? create_ref(k, filter, bias) : create_fast(k, filter, bias);
    if (st != WI_OK) {
        wi_conv_kernel_free(k);
        return st;
    }
    *out = k;
    return WI_OK;
}

wi_status wi_conv_kernel_create_isa(const wi_conv_geom *geom, const float *filter,
                                    const float *bias, float act_min, float act_max, wi_isa isa,
                                    wi_conv_kernel **out) {
    const wi_conv_filter f = {filter, NULL};
    return create_with_isa(geom, &f, bias, act_min, act_max, isa, out);
}

wi_status wi_conv_kernel_create(const wi_conv_geom *geom, const float *filter, const float *bias,
                                float act_min, float act_max, wi_conv_kernel **out) {
    return wi_conv_kernel_create_isa(geom, filter, bias, act_min, act_max, wi_isa_selected(), out);
}

wi_status wi_conv_kernel_create_from(const wi_conv_geom *geom, wi_conv_filter filter,
                                     const float *bias, float act_min, float act_max,
                                     wi_conv_kernel **out) {
    return create_with_isa(geom, &filter, bias, act_min, act_max, wi_isa_selected(), out);
}

void wi_conv_kernel_free(wi_conv_kernel *k) {
    if (!k) return;
    free(k->filter);
    free(k->bias);
    free(k->packed);
    free(k->zero_row);
    free(k);
}

size_t wi_conv_kernel_scratch_bytes(const wi_conv_kernel *k) { return k ? k->scratch_bytes : 0; }

size_t wi_conv_kernel_weight_bytes(const wi_conv_kernel *k) {
    return k ? k->packed_floats * sizeof(float) : 0;
}

const char *wi_conv_kernel_name(const wi_conv_kernel *k) { return k ? wi_isa_name(k->isa) : "ref"; }

const char *wi_kernels_isa(void) { return wi_isa_name(wi_isa_selected()); }

/* ---- running ------------------------------------------------------------------------- */

/* Splits `count` units into about `want` chunks; returns the chunk size (>= 1). */
static size_t chunk_size(size_t count, size_t want) {
    if (want < 1) want = 1;
    return div_up(count, want < count ? want : count);
}

/* The end of the range of `per` units starting at `begin`, clipped to `total`. */
static size_t range_end(size_t begin, size_t per, size_t total) {
    return begin + per < total ? begin + per : total;
}

/* The epilogue on `count` floats at offset `at` of the output (kernels.h: quantize, add the
 * shortcut, quantize), right after the kernel wrote them. */
static void apply_epilogue(const wi_conv_kernel *k, const wi_conv_epilogue *e, float *output,
                           size_t at, size_t count) {
    wi_f32_fake_quant_fn quant = k->uk && k->uk->fake_quant ? k->uk->fake_quant : wi_f32_fake_quant_ref;
    float *out = output + at;
    if (e->quant_before) quant(out, out, count, e->quant_before);
    if (e->residual) {
        const float *r = e->residual + at;
        for (size_t j = 0; j < count; j++) out[j] += r[j];
    }
    if (e->quant_after) quant(out, out, count, e->quant_after);
}

typedef struct gemm_job {
    const wi_conv_kernel *k;
    const float *input; /* NHWC input (im2col: the conv input) */
    float *a;           /* GEMM A: the input itself, or the im2col scratch */
    float *c;
    const wi_conv_epilogue *epi; /* applied tile by tile; may be NULL */
    size_t m, rows_per_item, panels_per_block, col_blocks;
    int whole_rows; /* items are row ranges over all column blocks */
} gemm_job;

/* im2col of output pixels [p0, p1): row p of A holds taps (ky, kx, ic), zeros for padding. */
static void im2col_rows(const wi_conv_geom *g, const float *input, float *a, size_t kdim,
                        size_t p0, size_t p1) {
    const size_t cin = (size_t)g->in_c;
    for (size_t p = p0; p < p1; p++) {
        const int oy = (int)(p / (size_t)g->out_w), ox = (int)(p % (size_t)g->out_w);
        float *row = a + p * kdim;
        const int ix0 = ox * g->stride_w - g->pad_left;
        const int row_inside = g->dilation_w == 1 && ix0 >= 0 && ix0 + g->kernel_w <= g->in_w;
        for (int ky = 0; ky < g->kernel_h; ky++) {
            const int iy = oy * g->stride_h - g->pad_top + ky * g->dilation_h;
            if (row_inside && iy >= 0 && iy < g->in_h) {
                /* all taps of this kernel row are one contiguous run of the input row */
                const float *src = input + ((size_t)iy * g->in_w + ix0) * cin;
                for (size_t j = 0; j < (size_t)g->kernel_w * cin; j++) row[j] = src[j];
                row += (size_t)g->kernel_w * cin;
                continue;
            }
            for (int kx = 0; kx < g->kernel_w; kx++, row += cin) {
                const int ix = ox * g->stride_w - g->pad_left + kx * g->dilation_w;
                if (iy < 0 || iy >= g->in_h || ix < 0 || ix >= g->in_w)
                    memset(row, 0, cin * sizeof(float));
                else
                    memcpy(row, input + ((size_t)iy * g->in_w + ix) * cin, cin * sizeof(float));
            }
        }
    }
}

/* Rows [r0, r1) x column block `block` of a GEMM job. */
static void gemm_rows_block(const gemm_job *job, size_t r0, size_t r1, size_t block) {
    const wi_conv_kernel *k = job->k;
    const wi_f32_ukernels *uk = k->uk;
    const size_t n = (size_t)k->geom.out_c, kdim = k->gemm_k, mr = uk->gemm_mr, nr = uk->gemm_nr;
    const size_t panel_floats = nr + kdim * nr;
    const size_t n0 = block * job->panels_per_block * nr;
    const size_t nc = n - n0 < job->panels_per_block * nr ? n - n0 : job->panels_per_block * nr;
    const float *w = k->packed + (n0 / nr) * panel_floats;
    for (size_t m0 = r0; m0 < r1; m0 += mr) {
        size_t rows = r1 - m0 < mr ? r1 - m0 : mr;
        wi_f32_gemm_fn fn = rows == 1 ? uk->gemm_1 : uk->gemm;
        fn(rows, nc, kdim, job->a + m0 * kdim, kdim, w, job->c + m0 * n + n0, n, k->act_min,
           k->act_max);
        if (!job->epi) continue;
        /* the tile is in L1: the epilogue costs one pass over it; whole rows are one
         * contiguous run (fewer calls and vector tails) */
        if (nc == n) apply_epilogue(k, job->epi, job->c, m0 * n, rows * n);
        else
            for (size_t i = 0; i < rows; i++) apply_epilogue(k, job->epi, job->c, (m0 + i) * n + n0, nc);
    }
}

static void gemm_item(void *ctx, size_t item) {
    const gemm_job *job = ctx;
    const wi_conv_kernel *k = job->k;
    const size_t chunk = job->whole_rows ? item : item / job->col_blocks;
    const size_t r0 = chunk * job->rows_per_item, r1 = range_end(r0, job->rows_per_item, job->m);
    if (k->path == PATH_IM2COL_GEMM) im2col_rows(&k->geom, job->input, job->a, k->gemm_k, r0, r1);
    if (!job->whole_rows) {
        gemm_rows_block(job, r0, r1, item % job->col_blocks);
        return;
    }
    for (size_t block = 0; block < job->col_blocks; block++) gemm_rows_block(job, r0, r1, block);
}

void wi_conv_kernel_gemm_rows(const wi_conv_kernel *k, size_t m, const float *a, size_t a_stride,
                              float *c) {
    const wi_f32_ukernels *uk = k->uk;
    const size_t n = (size_t)k->geom.out_c, mr = uk->gemm_mr;
    for (size_t m0 = 0; m0 < m; m0 += mr) {
        size_t rows = m - m0 < mr ? m - m0 : mr;
        (rows == 1 ? uk->gemm_1 : uk->gemm)(rows, n, k->gemm_k, a + m0 * a_stride, a_stride,
                                           k->packed, c + m0 * n, n, k->act_min, k->act_max);
    }
}

static void run_gemm(const wi_conv_kernel *k, const float *input, const wi_conv_epilogue *epi,
                     float *output, void *scratch, wi_threadpool *pool) {
    const wi_f32_ukernels *uk = k->uk;
    const size_t m = (size_t)k->geom.out_h * k->geom.out_w, n = (size_t)k->geom.out_c;
    const size_t threads = (size_t)wi_threadpool_size(pool);
    const size_t panels = div_up(n, uk->gemm_nr), row_tiles = div_up(m, uk->gemm_mr);
    size_t ppb = WI_GEMM_BLOCK_BYTES / (k->gemm_k * uk->gemm_nr * sizeof(float));
    if (ppb < 1) ppb = 1;
    if (ppb > panels) ppb = panels;
    size_t row_chunks = 1;
    if (k->path == PATH_IM2COL_GEMM) {
        ppb = panels; /* one im2col per row chunk, used while it is still in cache */
        row_chunks = div_up(m, WI_IM2COL_CHUNK_ROWS);
    }
    const int whole_rows = threads > 1 && k->path == PATH_GEMM_1X1 &&
                           row_tiles >= threads * WI_ROW_SPLIT_MIN_TILES;
    if (whole_rows) {
        row_chunks = threads;
    } else if (threads > 1) {
        const size_t target = threads * WI_ITEMS_PER_THREAD;
        if (k->path != PATH_IM2COL_GEMM && row_tiles * div_up(panels, ppb) < target)
            ppb = chunk_size(panels, div_up(target, row_tiles));
        size_t want = div_up(target, div_up(panels, ppb));
        if (want > row_chunks) row_chunks = want;
    }
    gemm_job job = {
        .k = k, .input = input, .c = output, .epi = epi, .m = m, .panels_per_block = ppb,
        .col_blocks = div_up(panels, ppb),
        .a = k->path == PATH_IM2COL_GEMM ? (float *)scratch : (float *)input,
        .rows_per_item = chunk_size(row_tiles, row_chunks) * uk->gemm_mr,
        .whole_rows = whole_rows,
    };
    size_t items = div_up(m, job.rows_per_item) * (whole_rows ? 1 : job.col_blocks);
    wi_threadpool_parallel_for(pool, items, gemm_item, &job);
}

/* Output pixels [p0, p1) of a direct convolution into `out` (pixel p0 first): each row tile's
 * A rows are the kernel-row segments of the input (kernel_w * in_c contiguous floats each), a
 * zero row for padding rows, or a copy on the stack for pixels whose taps leave the input on
 * the left or right. The epilogue, if any, runs tile by tile on `output`, the whole output
 * tensor, at the tile's own offset (out == output + p0 * out_c then). */
static void direct_pixels(const wi_conv_kernel *k, const float *input, const wi_conv_epilogue *epi,
                          float *output, float *out, size_t p0, size_t p1) {
    const wi_conv_geom *g = &k->geom;
    const wi_f32_ukernels *uk = k->uk;
    const size_t mr = uk->gemm_mr, kh = (size_t)g->kernel_h, cin = (size_t)g->in_c;
    const size_t seg = (size_t)g->kernel_w * cin, n = (size_t)g->out_c;
    const float *aseg[WI_DIRECT_MAX_SEGMENTS];
    float edge[WI_DIRECT_EDGE_FLOATS];
    /* (oy, ox) of pixel p0, then stepped along without dividing per pixel */
    int oy = (int)(p0 / (size_t)g->out_w), ox = (int)(p0 % (size_t)g->out_w);
    for (size_t m0 = p0; m0 < p1; m0 += mr) {
        const size_t rows = p1 - m0 < mr ? p1 - m0 : mr;
        for (size_t i = 0; i < mr; i++) {
            if (i >= rows) { /* alias the last row: same pointers */
                for (size_t ky = 0; ky < kh; ky++) aseg[ky * mr + i] = aseg[ky * mr + rows - 1];
                continue;
            }
            const int ix0 = ox * g->stride_w - g->pad_left;
            for (size_t ky = 0; ky < kh; ky++) {
                const int iy = oy * g->stride_h - g->pad_top + (int)ky * g->dilation_h;
                const float **slot = &aseg[ky * mr + i];
                if (iy < 0 || iy >= g->in_h) {
                    *slot = k->zero_row;
                } else if (ix0 >= 0 && ix0 + g->kernel_w <= g->in_w) {
                    *slot = input + ((size_t)iy * g->in_w + (size_t)ix0) * cin;
                } else {
                    float *dst = edge + (i * kh + ky) * seg;
                    for (int kx = 0; kx < g->kernel_w; kx++) {
                        const int ix = ix0 + kx;
                        for (size_t c = 0; c < cin; c++)
                            dst[(size_t)kx * cin + c] =
                                ix < 0 || ix >= g->in_w
                                    ? 0.0f
                                    : input[((size_t)iy * g->in_w + (size_t)ix) * cin + c];
                    }
                    *slot = dst;
                }
            }
            if (++ox == g->out_w) ox = 0, oy++;
        }
        uk->igemm(rows, n, kh, seg, aseg, k->packed, out + (m0 - p0) * n, n, k->act_min,
                  k->act_max);
        if (epi) apply_epilogue(k, epi, output, m0 * n, rows * n);
    }
}

void wi_conv_kernel_direct_row(const wi_conv_kernel *k, const float *input, size_t y, float *row) {
    const size_t w = (size_t)k->geom.out_w;
    direct_pixels(k, input, NULL, NULL, row, y * w, (y + 1) * w);
}

typedef struct rows_job {
    const wi_conv_kernel *k;
    const float *input;
    const wi_conv_epilogue *epi; /* may be NULL */
    float *output;
    size_t rows_per_item;
} rows_job;

static void dw3x3_item(void *ctx, size_t item) {
    const rows_job *job = ctx;
    const wi_conv_kernel *k = job->k;
    const wi_conv_geom *g = &k->geom;
    const size_t c_n = (size_t)g->in_c, row_floats = (size_t)g->in_w * c_n;
    const size_t y0 = item * job->rows_per_item;
    const size_t y1 = range_end(y0, job->rows_per_item, (size_t)g->out_h);
    /* two rows at a time where the ISA has it (stride 1: they share 2 of their 4 input rows) */
    const int pairs = k->uk->dw3x3_rows2 && g->stride_h == 1 && g->stride_w == 1;
    for (size_t oy = y0; oy < y1;) {
        const float *rows[4];
        for (int ky = 0; ky < 4; ky++) {
            ptrdiff_t iy = (ptrdiff_t)oy * g->stride_h - g->pad_top + ky;
            rows[ky] = iy < 0 || iy >= g->in_h ? k->zero_row : job->input + (size_t)iy * row_floats;
        }
        float *out = job->output + oy * g->out_w * c_n;
        if (pairs && oy + 1 < y1) {
            k->uk->dw3x3_rows2(rows, (size_t)g->in_w, c_n, (size_t)g->pad_left, (size_t)g->out_w,
                               k->packed, out, out + (size_t)g->out_w * c_n, k->act_min,
                               k->act_max);
            if (job->epi) apply_epilogue(k, job->epi, job->output, oy * g->out_w * c_n, 2 * g->out_w * c_n);
            oy += 2;
            continue;
        }
        k->uk->dw3x3_row(rows, (size_t)g->in_w, c_n, (size_t)g->stride_w, (size_t)g->pad_left,
                         (size_t)g->out_w, k->packed, out, k->act_min, k->act_max);
        if (job->epi) apply_epilogue(k, job->epi, job->output, oy * g->out_w * c_n, g->out_w * c_n);
        oy++;
    }
}

static void direct_item(void *ctx, size_t item) {
    const rows_job *job = ctx;
    const wi_conv_geom *g = &job->k->geom;
    const size_t pixels = (size_t)g->out_h * g->out_w;
    const size_t p0 = item * job->rows_per_item;
    const size_t p1 = range_end(p0, job->rows_per_item, pixels);
    direct_pixels(job->k, job->input, job->epi, job->output,
                  job->output + p0 * (size_t)g->out_c, p0, p1);
}

/* The reference kernel on output rows [y0, y1): the same convolution with the output window
 * shifted, so threads can share it. */
static void ref_item(void *ctx, size_t item) {
    const rows_job *job = ctx;
    const wi_conv_kernel *k = job->k;
    wi_conv_geom sub = k->geom;
    const size_t y0 = item * job->rows_per_item;
    const size_t y1 = range_end(y0, job->rows_per_item, (size_t)sub.out_h);
    sub.out_h = (int)(y1 - y0);
    sub.pad_top -= (int)y0 * sub.stride_h;
    float *out = job->output + y0 * (size_t)sub.out_w * sub.out_c;
    if (sub.depthwise)
        wi_f32_dwconv2d_ref(&sub, job->input, k->filter, k->bias, k->act_min, k->act_max, out);
    else
        wi_f32_conv2d_ref(&sub, job->input, k->filter, k->bias, k->act_min, k->act_max, out);
    const size_t row_floats = (size_t)sub.out_w * sub.out_c;
    if (job->epi) apply_epilogue(k, job->epi, job->output, y0 * row_floats, (y1 - y0) * row_floats);
}

/* `per_thread` items per thread: 1 gives each thread one contiguous range of rows. */
static void run_rows(const wi_conv_kernel *k, const float *input, const wi_conv_epilogue *epi,
                     float *output, wi_threadpool *pool, void (*fn)(void *, size_t),
                     size_t per_thread) {
    const size_t out_h = (size_t)k->geom.out_h;
    const size_t threads = (size_t)wi_threadpool_size(pool);
    rows_job job = {.k = k, .input = input, .epi = epi, .output = output,
                    .rows_per_item = threads > 1 ? chunk_size(out_h, threads * per_thread) : out_h};
    wi_threadpool_parallel_for(pool, div_up(out_h, job.rows_per_item), fn, &job);
}

void wi_conv_kernel_run_ex(const wi_conv_kernel *k, const float *input,
                           const wi_conv_epilogue *epi, float *output, void *scratch,
                           wi_threadpool *pool) {
    if (epi && !epi->quant_before && !epi->residual && !epi->quant_after) epi = NULL;
    switch (k->path) {
    case PATH_GEMM_1X1:
    case PATH_IM2COL_GEMM: run_gemm(k, input, epi, output, scratch, pool); break;
    /* one contiguous range of rows per thread: with the row-split GEMM before it, each core
     * reads mostly rows its own L2 holds (MobileNet V2 with 2 threads: 3-5 % faster than 4
     * dynamically claimed items per thread, docs/kernels.md) */
    case PATH_DW3X3: run_rows(k, input, epi, output, pool, dw3x3_item, 1); break;
    case PATH_DIRECT: {
        /* items of whole row tiles (output pixels), about 4 per thread */
        const size_t pixels = (size_t)k->geom.out_h * k->geom.out_w, mr = k->uk->gemm_mr;
        const size_t threads = (size_t)wi_threadpool_size(pool);
        rows_job job = {.k = k, .input = input, .epi = epi, .output = output,
                        .rows_per_item = chunk_size(div_up(pixels, mr),
                                                    threads > 1 ? threads * WI_ITEMS_PER_THREAD
                                                                : 1) * mr};
        wi_threadpool_parallel_for(pool, div_up(pixels, job.rows_per_item), direct_item, &job);
        break;
    }
    case PATH_REF: run_rows(k, input, epi, output, pool, ref_item, WI_ITEMS_PER_THREAD); break;
    }
}

void wi_conv_kernel_run(const wi_conv_kernel *k, const float *input, float *output,
                        void *scratch, wi_threadpool *pool) {
    wi_conv_kernel_run_ex(k, input, NULL, output, scratch, pool);
}
