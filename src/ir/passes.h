/* passes.h - graph rewrites, one file each, run in this order by the runtime's model builder
 * (runtime/model-build.c). `output` is the graph's output value id: passes never remove or
 * rename it. Every pass keeps the graph valid; a failing pass leaves an error in `err`. */
#ifndef WI_IR_PASSES_H
#define WI_IR_PASSES_H

#include "ir/graph.h"

/* Orders nodes so each comes after the producers of its inputs (Kahn's algorithm with an
 * explicit queue: no recursion, so deep graphs fit the 64 KiB wasm stack). Fails on a cycle,
 * naming a node on it. */
wi_status wi_pass_topo_sort(wi_graph *g, wi_error *err);

/* Removes Identity nodes (their users read the input directly). Runs before shapes. */
wi_status wi_pass_fold_constants(wi_graph *g, int output, wi_error *err);

/* Calls every node's prepare in order (output dtypes and shapes, resolved parameters), and
 * right after it wi_fold_node. */
wi_status wi_pass_infer_shapes(wi_graph *g, wi_error *err);

/* Constant folding of one prepared node: if its op is foldable and all its inputs are
 * constants, evaluates it now (Shape of a static tensor, Reshape of a constant, ...), makes
 * its output a constant and marks the node dead. */
wi_status wi_fold_node(wi_graph *g, int index, wi_error *err);

/* Folds FusedBatchNorm, and Mul by a per-channel constant, into the convolution before it
 * (scaling its filter and bias). */
wi_status wi_pass_fold_batchnorm(wi_graph *g, int output, wi_error *err);

/* Fuses BiasAdd / Add / Sub of a per-channel constant into the convolution's bias, then
 * Relu / Relu6 into its activation range. */
wi_status wi_pass_fuse_bias_activation(wi_graph *g, int output, wi_error *err);

/* Drops nodes whose output does not reach `output`, and the data of constants nobody uses. */
wi_status wi_pass_dead_code(wi_graph *g, int output, wi_error *err);

/* After the conv kernels exist: fuses [expand 1x1 ->] depthwise 3x3 -> project 1x1 chains,
 * and the shortcut Add after them, into the project node running a wi_block_kernel
 * (wi_conv_params.block). Chains the kernels do not fuse stay as they are. Compacts. */
wi_status wi_pass_fuse_blocks(wi_graph *g, int output, wi_error *err);

/* After block fusion: the ops that touch each output of a convolution once — a FakeQuant, a
 * shortcut Add, a FakeQuant after that Add — fold into the convolution's epilogue
 * (wi_conv_params, kernels.h wi_conv_epilogue), computed tile by tile while the tile is in
 * cache. Bit-identical to the separate ops. Compacts. */
wi_status wi_pass_fuse_epilogues(wi_graph *g, int output, wi_error *err);

/* Folds the shortcut Add reading conv node `p`'s output (and another activation of its shape
 * computed before p) into p as its residual (ir/fuse-blocks.c). No-op when there is none. */
wi_status wi_fold_shortcut(wi_graph *g, int p, int output, wi_error *err);

/* Greedy-by-size placement of activations (graph inputs and node outputs) in one arena,
 * reusing the space of buffers whose lifetimes ended (TFLite Micro's greedy planner).
 * Sets each activation's arena_offset (64-byte aligned) and *arena_bytes. */
wi_status wi_pass_plan_memory(wi_graph *g, int output, size_t *arena_bytes, wi_error *err);

/* ---- shared by the fusion passes (ir/conv-absorb.c) ---- */

/* If value `vid` is the output of a live Conv2D/Depthwise node with no activation yet, used
 * only once and not the graph output, returns that node's id; else -1. Needs fresh uses. */
int wi_conv_producer(const wi_graph *g, int vid, int output);

/* Reads a float constant that broadcasts per channel against a tensor whose last dim is
 * `channels` (a scalar, or all dims 1 but the last == channels, rank <= `max_rank`) into
 * out[channels]. Returns false if `v` is not such a constant. */
bool wi_per_channel_const(const wi_value *v, int64_t channels, int max_rank, float *out);

/* Makes convolution `conv` compute  conv(x) * scale + shift  (either may be NULL) and take
 * over the output of `absorbed`, which dies. Appends `label` to the conv's label. Needs fresh
 * uses (a filter read only by this conv is scaled in place). */
wi_status wi_conv_absorb(wi_graph *g, int conv, int absorbed, const float *scale,
                         const float *shift, const char *label, wi_error *err);

#endif
