/*
 * bench-kernels: times every convolution of MobileNet V2 (width 1.0 or 1.4, 224x224, batch 1)
 * through wi_conv_kernel, layer by layer, and prints GFLOP/s per layer and the total: the
 * convolution part of one inference. Not a test.
 *
 *   build-x/bench-kernels [--width 1.0|1.4] [--threads N] [--isa ref|generic|avx2|avx512]
 *                         [--reps R] [--quiet]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "kernels.h"
#include "ukernels.h"

typedef struct layer {
    wi_conv_geom g;
    char what[24];
} layer;

static int make_divisible(double v) {
    int n = (int)(v + 4) / 8 * 8;
    if (n < 8) n = 8;
    if (n < 0.9 * v) n += 8;
    return n;
}

static int add(layer *ls, int n, int hw, int cin, int cout, int k, int s, int dw, const char *what) {
    wi_conv_geom g = {.in_h = hw, .in_w = hw, .in_c = cin, .out_c = dw ? cin : cout,
                      .kernel_h = k, .kernel_w = k, .stride_h = s, .stride_w = s,
                      .dilation_h = 1, .dilation_w = 1, .depthwise = dw};
    g.out_h = g.out_w = (hw + s - 1) / s;
    int total = (g.out_h - 1) * s + k - hw;
    g.pad_top = g.pad_left = total > 0 ? total / 2 : 0;
    ls[n].g = g;
    snprintf(ls[n].what, sizeof ls[n].what, "%s", what);
    return n + 1;
}

/* The convolutions of TF-slim MobileNet V2 at a width multiplier, classifier as a 1x1 conv. */
static int mobilenet_v2(double width, layer *ls) {
    static const int blocks[][4] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                                    {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    int n = 0, hw = 224, c = make_divisible(32 * width);
    n = add(ls, n, hw, 3, c, 3, 2, 0, "conv 3x3 s2");
    hw = 112;
    for (int b = 0; b < 7; b++)
        for (int r = 0; r < blocks[b][2]; r++) {
            int s = r == 0 ? blocks[b][3] : 1, out = make_divisible(blocks[b][1] * width);
            int e = c * blocks[b][0];
            if (blocks[b][0] != 1) n = add(ls, n, hw, c, e, 1, 1, 0, "expand 1x1");
            n = add(ls, n, hw, e, e, 3, s, 1, s == 1 ? "dw 3x3 s1" : "dw 3x3 s2");
            hw = (hw + s - 1) / s;
            n = add(ls, n, hw, e, out, 1, 1, 0, "project 1x1");
            c = out;
        }
    int last = width > 1.0 ? make_divisible(1280 * width) : 1280;
    n = add(ls, n, hw, c, last, 1, 1, 0, "conv 1x1");
    n = add(ls, n, 1, last, 1001, 1, 1, 0, "logits 1x1");
    return n;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    double width = 1.0;
    int threads = 1, reps = 20, quiet = 0, fused = 0;
    wi_isa isa = wi_isa_selected();
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--width") && i + 1 < argc) width = atof(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--quiet")) quiet = 1;
        else if (!strcmp(argv[i], "--fused")) fused = 1;
        else if (!strcmp(argv[i], "--isa") && i + 1 < argc) {
            const char *want = argv[++i];
            int found = 0;
            for (int j = 0; j < WI_ISA_COUNT; j++)
                if (!strcmp(want, wi_isa_name((wi_isa)j))) isa = (wi_isa)j, found = 1;
            if (!found) { fprintf(stderr, "unknown isa '%s'\n", want); return 2; }
        } else {
            fprintf(stderr, "usage: %s [--width W] [--threads N] [--isa I] [--reps R] [--fused] [--quiet]\n",
                    argv[0]);
            return 2;
        }
    }
    if (reps < 1) reps = 1;
    layer ls[80];
    int n = mobilenet_v2(width, ls);
    size_t max_act = 0, max_w = 0, max_scratch = 0;
    for (int i = 0; i < n; i++) {
        const wi_conv_geom *g = &ls[i].g;
        size_t a = (size_t)g->in_h * g->in_w * g->in_c, o = (size_t)g->out_h * g->out_w * g->out_c;
        size_t w = (size_t)9 * g->in_c * (g->depthwise ? 1 : g->out_c) + g->out_c;
        if (a > max_act) max_act = a;
        if (o > max_act) max_act = o;
        if (w > max_w) max_w = w;
    }
    /* 64-byte aligned, as the session arena plans activations */
    float *in = aligned_alloc(64, (max_act * sizeof(float) + 63) / 64 * 64);
    float *out = aligned_alloc(64, (max_act * sizeof(float) + 63) / 64 * 64);
    float *aux = aligned_alloc(64, (max_act * sizeof(float) + 63) / 64 * 64);
    float *w = malloc(max_w * sizeof(float));
    if (!in || !out || !aux || !w) return 1;
    srand(1);
    for (size_t i = 0; i < max_act; i++) in[i] = (float)rand() / RAND_MAX * 2.0f - 1.0f;
    for (size_t i = 0; i < max_w; i++) w[i] = ((float)rand() / RAND_MAX - 0.5f) * 0.2f;
    wi_conv_kernel *ks[80];
    for (int i = 0; i < n; i++) {
        if (wi_conv_kernel_create_isa(&ls[i].g, w, w, 0.0f, 6.0f, isa, &ks[i]) != WI_OK) {
            fprintf(stderr, "layer %d: cannot create a kernel for isa %s\n", i, wi_isa_name(isa));
            return 1;
        }
        size_t s = wi_conv_kernel_scratch_bytes(ks[i]);
        if (s > max_scratch) max_scratch = s;
    }
    /* --fused: expand -> depthwise -> project chains run as one block where that pays */
    wi_block_kernel *blocks[80] = {0};
    int block_end[80] = {0};
    for (int i = 1; fused && i + 1 < n; i++) {
        if (!ls[i].g.depthwise) continue;
        int start = strstr(ls[i - 1].what, "expand") ? i - 1 : i;
        if (wi_block_kernel_create(start < i ? ks[i - 1] : NULL, ks[i], ks[i + 1],
                                   &blocks[start]) != WI_OK)
            continue;
        block_end[start] = i + 1;
        size_t s = wi_block_kernel_scratch_bytes(blocks[start], threads);
        if (s > max_scratch) max_scratch = s;
    }
    void *scratch = aligned_alloc(64, (max_scratch + 64) / 64 * 64);
    wi_threadpool *pool = wi_threadpool_create(threads);
    double *times = malloc(sizeof(double) * reps), total_ms = 0, total_flop = 0;
    printf("MobileNet V2 %.1f convolutions, isa %s, %d thread(s), median of %d\n", width,
           wi_isa_name(isa), wi_threadpool_size(pool), reps);
    /* Layers run in network order, pass after pass, so each layer finds the caches as it
     * would in a real inference (its weights not left hot by a previous run of itself). */
    double *layer_times = malloc(sizeof(double) * (size_t)n * reps);
    if (!layer_times) return 1;
    for (size_t i = 0; i < (size_t)n * reps; i++) layer_times[i] = 0;
    for (int r = -1; r < reps; r++)
        for (int i = 0; i < n; i++) {
            double t0 = now_s();
            float *src = (i & 1) ? out : in, *dst = (i & 1) ? in : out;
            if (blocks[i]) {
                wi_block_kernel_run(blocks[i], src, NULL, src == dst ? aux : dst, scratch, pool);
                if (r >= 0) layer_times[(size_t)i * reps + r] = now_s() - t0;
                i = block_end[i];
                continue;
            }
            wi_conv_kernel_run(ks[i], src, dst, scratch, pool);
            if (r >= 0) layer_times[(size_t)i * reps + r] = now_s() - t0;
        }
    for (int i = 0; i < n; i++) {
        const wi_conv_geom *g = &ls[i].g;
        double flop = 2.0 * g->out_h * g->out_w * g->out_c * g->kernel_h * g->kernel_w *
                      (g->depthwise ? 1 : g->in_c);
        memcpy(times, layer_times + (size_t)i * reps, sizeof(double) * reps);
        qsort(times, reps, sizeof *times, cmp_double);
        double ms = times[reps / 2] * 1e3;
        total_ms += ms;
        total_flop += flop;
        if (!quiet)
            printf("%2d %-12s %3dx%3dx%4d -> %3dx%3dx%4d %8.3f ms %7.1f GFLOP/s  %s%s\n", i,
                   ls[i].what, g->in_h, g->in_w, g->in_c, g->out_h, g->out_w, g->out_c, ms,
                   flop / (ms * 1e-3) / 1e9, wi_conv_kernel_name(ks[i]),
                   blocks[i] ? " (fused block: time of the whole block)" : "");
    }
    free(layer_times);
    printf("total %.3f ms, %.2f GFLOP, %.1f GFLOP/s\n", total_ms, total_flop / 1e9,
           total_flop / (total_ms * 1e-3) / 1e9);
    for (int i = 0; i < n; i++) wi_block_kernel_free(blocks[i]);
    for (int i = 0; i < n; i++) wi_conv_kernel_free(ks[i]);
    wi_threadpool_free(pool);
    free(times);
    free(scratch);
    free(in);
    free(out);
    free(aux);
    free(w);
    return 0;
}
