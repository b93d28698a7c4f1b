/* conv-kernel-internal.h - the inside of wi_conv_kernel, shared by conv-kernel.c and the
 * fused block kernel (block-kernel.c), which drives the same packed weights row by row. */
#ifndef WI_CONV_KERNEL_INTERNAL_H
#define WI_CONV_KERNEL_INTERNAL_H

#include "kernels.h"
#include "ukernels.h"

enum conv_path {
    PATH_REF,         /* the scalar reference, by row chunk */
    PATH_GEMM_1X1,    /* 1x1 stride 1 unpadded: GEMM straight on the NHWC input */
    PATH_IM2COL_GEMM, /* other dense convolutions: im2col chunks + GEMM */
    PATH_DW3X3,       /* depthwise 3x3 dilation 1: the row kernel */
    PATH_DIRECT       /* small dense KxK (the first conv): GEMM over kernel-row segments */
};

struct wi_conv_kernel {
    wi_conv_geom geom;
    enum conv_path path;
    wi_isa isa;
    const wi_f32_ukernels *uk; /* NULL for PATH_REF */
    float act_min, act_max;
    float *filter, *bias;   /* PATH_REF: copies in the reference layout (bias never NULL) */
    float *packed;          /* fast paths: weights packed for uk (64-byte aligned) */
    size_t packed_floats;
    float *zero_row;        /* zeros standing in for padding rows: in_w * in_c floats
                             * (PATH_DW3X3), kernel_w * in_c (PATH_DIRECT) */
    size_t gemm_k;          /* GEMM depth: in_c, or kh*kw*in_c for im2col */
    size_t scratch_bytes;
};

/* C[m x out_c] = clamp(A[m x gemm_k] * W + bias) on the calling thread, A rows a_stride floats
 * apart, C rows out_c apart: all columns, in row tiles. */
void wi_conv_kernel_gemm_rows(const wi_conv_kernel *k, size_t m, const float *a, size_t a_stride,
                              float *c);

/* Output row y (out_w * out_c floats) of a PATH_DIRECT kernel into `row`, on the calling
 * thread, without an epilogue: the same tiles and sums as wi_conv_kernel_run, so the same
 * bits (the fused block's first convolution). */
void wi_conv_kernel_direct_row(const wi_conv_kernel *k, const float *input, size_t y, float *row);

/* wi_block_kernel_create, optionally also for blocks too small to pay (tests use it). */
wi_status wi_block_kernel_create_ex(const wi_conv_kernel *expand, const wi_conv_kernel *dw,
                                    const wi_conv_kernel *project, int even_if_small,
                                    wi_block_kernel **out);

#endif
