/*
 * kernels.h - the contract between ops and compute kernels.
 *
 * Ops (src/ops) never loop over pixels for convolutions themselves: at prepare time they
 * describe the convolution once (wi_conv_geom) and create a wi_conv_kernel, which packs the
 * weights into whatever layout the fastest kernel for this CPU wants; at run time they call
 * wi_conv_kernel_run. The scalar reference kernels in ref/ define the exact semantics and are
 * the oracle every fast kernel is tested against.
 *
 * Layouts (float32 throughout):
 *   activations   NHWC with N = 1: [H, W, C], rows contiguous, no padding between rows
 *   conv filter   HWIO: [KH, KW, C_in, C_out]              (TensorFlow's Conv2D layout)
 *   depthwise     HWC:  [KH, KW, C]  (channel multiplier 1; other multipliers are expanded
 *                 by the op into a grouped layout before reaching here)
 *   bias          [C_out], may be NULL (zero)
 * After adding the bias every output is clamped to [act_min, act_max] (-INF/+INF: none,
 * 0/+INF: Relu, 0/6: Relu6).
 * Padding: the op resolves SAME/VALID/explicit into pad_top/pad_left; outside the input is 0.
 * Kernels never write outside [0, out_h*out_w*out_c) of the output and never read outside
 * the input buffer.
 */
#ifndef WI_KERNELS_H
#define WI_KERNELS_H

#include <stddef.h>
#include "wasinfer.h"

typedef struct wi_conv_geom {
    int in_h, in_w, in_c;
    int out_h, out_w, out_c;
    int kernel_h, kernel_w;
    int stride_h, stride_w;
    int dilation_h, dilation_w;
    int pad_top, pad_left;
    int depthwise; /* 1: depthwise (out_c == in_c, filter [KH,KW,C]); 0: dense conv */
} wi_conv_geom;

/* A thread pool that splits work items across threads; NULL means "run on the caller". */
typedef struct wi_threadpool wi_threadpool;
wi_threadpool *wi_threadpool_create(int threads); /* NULL on failure or threads <= 1 */
void wi_threadpool_free(wi_threadpool *pool);     /* accepts NULL */
int wi_threadpool_size(const wi_threadpool *pool); /* 1 for NULL */
/* Calls fn(ctx, i) for every i in [0, n), spread over the pool's threads, and waits. One
 * caller at a time per pool (a session owns its pool); the caller runs items too. */
void wi_threadpool_parallel_for(wi_threadpool *pool, size_t n,
                                void (*fn)(void *ctx, size_t i), void *ctx);

/* A convolution with its weights packed for this CPU's best kernel. Immutable once created,
 * so one kernel may run on many threads at once. */
typedef struct wi_conv_kernel wi_conv_kernel;

/* Copies and packs `filter` and `bias`. Returns WI_E_OUT_OF_MEMORY or WI_E_INVALID_ARGUMENT. */
wi_status wi_conv_kernel_create(const wi_conv_geom *geom, const float *filter, const float *bias,
                                float act_min, float act_max, wi_conv_kernel **out);

/* A filter as the model loader hands it over: `data` may sit anywhere (a constant still
 * inside the model file's bytes has no alignment; it is read byte-wise), and when `scale` is
 * not NULL, output channel c is multiplied by scale[c] as it is packed (a batch norm folded
 * into the convolution, applied without first writing a scaled copy of the filter). The
 * result is bit-identical to packing a filter scaled beforehand. */
typedef struct wi_conv_filter {
    const void *data;
    const float *scale;
} wi_conv_filter;
wi_status wi_conv_kernel_create_from(const wi_conv_geom *geom, wi_conv_filter filter,
                                     const float *bias, float act_min, float act_max,
                                     wi_conv_kernel **out);
void wi_conv_kernel_free(wi_conv_kernel *kernel); /* accepts NULL */
/* Bytes of scratch memory wi_conv_kernel_run needs (im2col, etc.); may be 0. */
size_t wi_conv_kernel_scratch_bytes(const wi_conv_kernel *kernel);
/* Bytes of packed weights held by the kernel (for stats). */
size_t wi_conv_kernel_weight_bytes(const wi_conv_kernel *kernel);
/* input [in_h,in_w,in_c] -> output [out_h,out_w,out_c]; `scratch` has scratch_bytes, 64-byte
 * aligned. Never allocates. */
void wi_conv_kernel_run(const wi_conv_kernel *kernel, const float *input, float *output,
                        void *scratch, wi_threadpool *pool);
/* A TFLite quantization grid: values are rounded onto scale * (q - zero_point), q an integer
 * in [qmin, qmax] (the FakeQuant op). */
typedef struct wi_fake_quant {
    float scale, zero_point, qmin, qmax;
} wi_fake_quant;
/* out[i] = in[i] rounded onto the grid (in == out allowed), vectorized for the selected ISA.
 * The FakeQuant op and the convolution epilogue both use it, and every ISA's version does the
 * reference's operations in the same order: fused and unfused agree bit for bit. */
void wi_f32_fake_quant(const float *in, float *out, size_t count, const wi_fake_quant *q);
/* The scalar reference (tests compare every ISA's version with it). */
void wi_f32_fake_quant_ref(const float *in, float *out, size_t count, const wi_fake_quant *q);

/* What a convolution does to its output right after computing each tile, while the tile is
 * still in L1, instead of separate ops passing over the whole tensor: round onto a grid
 * (`quant_before`: a FakeQuant after the conv), add `residual` (the output's shape: a shortcut
 * Add), round again (`quant_after`: a FakeQuant after the Add). The same float operations in
 * the same order as the separate ops: the same bits. NULL / 0 fields are skipped. */
typedef struct wi_conv_epilogue {
    const wi_fake_quant *quant_before;
    const float *residual;
    const wi_fake_quant *quant_after;
} wi_conv_epilogue;
/* wi_conv_kernel_run with an epilogue (NULL: none). */
void wi_conv_kernel_run_ex(const wi_conv_kernel *kernel, const float *input,
                           const wi_conv_epilogue *epilogue, float *output, void *scratch,
                           wi_threadpool *pool);
/* The name of the kernel variant chosen ("ref", "avx2", ...), for logs and inspect. */
const char *wi_conv_kernel_name(const wi_conv_kernel *kernel);

/* An inverted-residual block as one pass (MobileNet V2): expand 1x1 (optional) -> depthwise
 * 3x3 -> project 1x1, each with its own bias and clamp, computed a few rows at a time so the
 * expanded tensor (e.g. 112x112x96, 4.8 MB) never makes a round trip through memory: each
 * thread keeps 3 expanded rows and one depthwise row in L2. Results are bit-identical to
 * running the three kernels one after the other.
 * The kernels are borrowed (they must outlive the block) and must chain: expand's output
 * shape is the depthwise input, the depthwise output is project's input. Returns
 * WI_E_UNSUPPORTED when the chain is not one the fused path runs (expand/project must be
 * 1x1 stride 1 unpadded, the depthwise 3x3 dilation 1, all on a fast path) or when fusing
 * would not pay (the expanded tensor fits in cache anyway): then run the three kernels. */
typedef struct wi_block_kernel wi_block_kernel;
wi_status wi_block_kernel_create(const wi_conv_kernel *expand /* may be NULL */,
                                 const wi_conv_kernel *depthwise, const wi_conv_kernel *project,
                                 wi_block_kernel **out);
void wi_block_kernel_free(wi_block_kernel *block); /* accepts NULL */
/* Scratch for running on a pool of `threads` threads (wi_threadpool_size of the pool passed
 * to run; 1 for none), 64-byte aligned. */
size_t wi_block_kernel_scratch_bytes(const wi_block_kernel *block, int threads);
/* input: the block input [in_h, in_w, in_c]; output: project's output. `residual`, when not
 * NULL, has the output's shape and is added to it after project's clamp (MobileNet V2's
 * shortcut Add, usually residual == input): output = project(...) + residual, the same
 * float additions as a separate Add. Never allocates. */
void wi_block_kernel_run(const wi_block_kernel *block, const float *input,
                         const float *residual, float *output, void *scratch,
                         wi_threadpool *pool);

/* The ISA new kernels use ("ref", "generic", "avx2", "avx512", "wasm-simd128"): the best this
 * CPU supports, lowered by the environment variable WASINFER_ISA=ref|generic|avx2|avx512.
 * Chosen once per process. For logs, `inspect` and benchmark reports. */
const char *wi_kernels_isa(void);

/* Scalar reference kernels: the semantics, and the test oracle. */
void wi_f32_conv2d_ref(const wi_conv_geom *geom, const float *input, const float *filter,
                       const float *bias, float act_min, float act_max, float *output);
void wi_f32_dwconv2d_ref(const wi_conv_geom *geom, const float *input, const float *filter,
                         const float *bias, float act_min, float act_max, float *output);

#endif
