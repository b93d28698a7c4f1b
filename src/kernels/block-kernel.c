/*
 * wi_block_kernel: expand 1x1 -> depthwise 3x3 -> project 1x1 in one pass over the rows.
 * The expansion may also be a small dense convolution on the direct path (MobileNet V2's first
 * 3x3 stride-2 convolution, which feeds the first block's depthwise): its rows are produced
 * the same way, and its 112x112x32..48 output never goes through the arena either.
 *
 * Each work item owns a contiguous range of output rows and a slice of scratch holding a ring
 * of 3 expanded input rows and one depthwise output row. For each output row it expands the
 * input rows the 3x3 window newly reaches (rows only move forward, so each is expanded once
 * per item), runs the depthwise row kernel on the ring, then projects that row straight into
 * the output. The only extra work is at item boundaries (up to 2 expanded rows recomputed),
 * so there is one item per thread.
 */
#include <stdint.h>
#include <stdlib.h>
#include "conv-kernel-internal.h"

/* Below this many bytes the expanded tensor stays in L2 between the layers anyway. */
enum { WI_BLOCK_MIN_EXPANDED_BYTES = 1 << 20 };

struct wi_block_kernel {
    const wi_conv_kernel *expand, *dw, *project; /* borrowed; expand may be NULL */
    size_t ring_row_floats, dw_row_floats;       /* each rounded up to 64 bytes */
};

static size_t round_floats(size_t n) { return (n + 15) / 16 * 16; }

static int is_gemm_1x1(const wi_conv_kernel *k) { return k && k->path == PATH_GEMM_1X1; }
static int is_direct(const wi_conv_kernel *k) { return k && k->path == PATH_DIRECT; }

wi_status wi_block_kernel_create(const wi_conv_kernel *expand, const wi_conv_kernel *dw,
                                 const wi_conv_kernel *project, wi_block_kernel **out) {
    return wi_block_kernel_create_ex(expand, dw, project, 0, out);
}

wi_status wi_block_kernel_create_ex(const wi_conv_kernel *expand, const wi_conv_kernel *dw,
                                    const wi_conv_kernel *project, int even_if_small,
                                    wi_block_kernel **out) {
    if (!out) return WI_E_INVALID_ARGUMENT;
    *out = NULL;
    if (!dw || !project) return WI_E_INVALID_ARGUMENT;
    if (dw->path != PATH_DW3X3 || !is_gemm_1x1(project) ||
        (expand && !is_gemm_1x1(expand) && !is_direct(expand)))
        return WI_E_UNSUPPORTED;
    const wi_conv_geom *d = &dw->geom, *p = &project->geom;
    if (expand) {
        const wi_conv_geom *e = &expand->geom;
        if (e->out_h != d->in_h || e->out_w != d->in_w || e->out_c != d->in_c)
            return WI_E_INVALID_ARGUMENT;
    }
    if (p->in_h != d->out_h || p->in_w != d->out_w || p->in_c != d->out_c)
        return WI_E_INVALID_ARGUMENT;
    size_t expanded = (size_t)d->in_h * d->in_w * d->in_c * sizeof(float);
    if (expanded < WI_BLOCK_MIN_EXPANDED_BYTES && !even_if_small) return WI_E_UNSUPPORTED;
    wi_block_kernel *b = calloc(1, sizeof *b);
    if (!b) return WI_E_OUT_OF_MEMORY;
    b->expand = expand;
    b->dw = dw;
    b->project = project;
    b->ring_row_floats = round_floats((size_t)d->in_w * d->in_c);
    b->dw_row_floats = round_floats((size_t)d->out_w * d->out_c);
    *out = b;
    return WI_OK;
}

void wi_block_kernel_free(wi_block_kernel *b) { free(b); }

static size_t item_floats(const wi_block_kernel *b) {
    return (b->expand ? 3 * b->ring_row_floats : 0) + b->dw_row_floats;
}

size_t wi_block_kernel_scratch_bytes(const wi_block_kernel *b, int threads) {
    if (!b) return 0;
    return (size_t)(threads < 1 ? 1 : threads) * item_floats(b) * sizeof(float);
}

typedef struct block_job {
    const wi_block_kernel *b;
    const float *input;
    const float *residual; /* may be NULL */
    float *output;
    float *scratch;
    size_t rows_per_item;
} block_job;

static void block_item(void *ctx, size_t item) {
    const block_job *job = ctx;
    const wi_block_kernel *b = job->b;
    const wi_conv_kernel *dw = b->dw;
    const wi_conv_geom *g = &dw->geom;
    const size_t in_w = (size_t)g->in_w, e_c = (size_t)g->in_c;
    const size_t in_row = in_w * (b->expand ? (size_t)b->expand->geom.in_c : e_c);
    float *ring = job->scratch + item * item_floats(b);
    float *dw_row = ring + (b->expand ? 3 * b->ring_row_floats : 0);
    const size_t y0 = item * job->rows_per_item;
    size_t y1 = y0 + job->rows_per_item;
    if (y1 > (size_t)g->out_h) y1 = (size_t)g->out_h;
    ptrdiff_t next_row = PTRDIFF_MIN; /* first input row not yet expanded in this item */
    for (size_t y = y0; y < y1; y++) {
        const float *rows[3];
        for (int ky = 0; ky < 3; ky++) {
            ptrdiff_t iy = (ptrdiff_t)y * g->stride_h - g->pad_top + ky;
            if (iy < 0 || iy >= g->in_h) {
                rows[ky] = dw->zero_row;
                continue;
            }
            if (!b->expand) { /* no expansion: the depthwise reads the block input */
                rows[ky] = job->input + (size_t)iy * in_row;
                continue;
            }
            float *slot = ring + (size_t)(iy % 3) * b->ring_row_floats;
            if (iy >= next_row) { /* the window only moves down: rows below are done */
                if (b->expand->path == PATH_DIRECT) /* its input rows are not row iy's */
                    wi_conv_kernel_direct_row(b->expand, job->input, (size_t)iy, slot);
                else
                    wi_conv_kernel_gemm_rows(b->expand, in_w, job->input + (size_t)iy * in_row,
                                             (size_t)b->expand->gemm_k, slot);
                next_row = iy + 1;
            }
            rows[ky] = slot;
        }
        dw->uk->dw3x3_row(rows, in_w, e_c, (size_t)g->stride_w, (size_t)g->pad_left,
                          (size_t)g->out_w, dw->packed, dw_row, dw->act_min, dw->act_max);
        const size_t row_floats = (size_t)g->out_w * b->project->geom.out_c;
        float *out = job->output + y * row_floats;
        wi_conv_kernel_gemm_rows(b->project, (size_t)g->out_w, dw_row, e_c, out);
        if (job->residual) { /* the shortcut Add, while the row is in L1 */
            const float *res = job->residual + y * row_floats;
            for (size_t i = 0; i < row_floats; i++) out[i] += res[i];
        }
    }
}

void wi_block_kernel_run(const wi_block_kernel *b, const float *input, const float *residual,
                         float *output, void *scratch, wi_threadpool *pool) {
    const size_t out_h = (size_t)b->dw->geom.out_h;
    size_t threads = (size_t)wi_threadpool_size(pool);
    if (threads > out_h) threads = out_h;
    block_job job = {.b = b, .input = input, .residual = residual, .output = output,
                     .scratch = scratch,
                     .rows_per_item = (out_h + threads - 1) / threads};
    wi_threadpool_parallel_for(pool, (out_h + job.rows_per_item - 1) / job.rows_per_item,
                               block_item, &job);
}
