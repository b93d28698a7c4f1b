/* wi_model_input_is_nchw: whether input 0 is an NCHW image, so a classifier must lay its
 * [H,W,3] pixels out as [3,H,W]. True for an ONNX model whose loader moved the input to the
 * engine's channel-last layout (a Transpose {0,2,3,1} reads it). */
#include "runtime/model.h"

int wi_model_input_is_nchw(const wi_model *m) {
    if (!m || m->format != WI_FORMAT_ONNX) return 0;
    const wi_graph *g = m->graph;
    if (g->values[m->input].rank != 4) return 0;
    for (int i = 0; i < g->node_count; i++) {
        const wi_node *n = &g->nodes[i];
        if (n->op != WI_OP_TRANSPOSE || n->inputs[0] != m->input) continue;
        const int *p = n->params.transpose.perm;
        if (p[0] == 0 && p[1] == 2 && p[2] == 3 && p[3] == 1) return 1;
    }
    return 0;
}
