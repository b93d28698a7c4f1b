/* model.h - the runtime's view of a loaded model: an optimized, planned, immutable graph. */
#ifndef WI_RUNTIME_MODEL_H
#define WI_RUNTIME_MODEL_H

#include "ir/graph.h"

struct wi_model {
    wi_format format;
    wi_graph *graph;          /* after all passes; nodes in execution order */
    int input;                /* value id of input 0 */
    int output;               /* value id of output 0 */
    int output_is_probabilities;
    size_t scratch_bytes;     /* largest conv kernel scratch */
    wi_model_stats stats;
};

/* Build flags: WI_BUILD_NO_FUSION skips all fusion: batch-norm folding, bias/activation and
 * blocks (tests compare fused and unfused results with it); WI_BUILD_NO_BLOCKS only the
 * inverted-residual block fusion (as does the environment variable WASINFER_NO_BLOCK_FUSION=1). */
enum { WI_BUILD_DEFAULT = 0, WI_BUILD_NO_FUSION = 1, WI_BUILD_NO_BLOCKS = 2 };

/* Scratch a session running on `threads` threads needs: the largest conv kernel's or fused
 * block's (one node runs at a time, so they share it). */
size_t wi_model_scratch_bytes(const wi_model *m, int threads);

/* Runs the passes over `g` (taking ownership of it, also on failure), creates the conv
 * kernels, plans memory and computes the stats. `input`/`output` are value ids. */
wi_status wi_model_build(wi_graph *g, int input, int output, int source_node_count,
                         wi_format format, unsigned flags, wi_model **out, wi_error *err);

#endif
