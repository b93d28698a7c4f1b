/* Inverted-residual block fusion (MobileNet V2), run after the conv kernels exist:
 *   [Conv2D 1x1 (expand)] -> DepthwiseConv2dNative 3x3 -> Conv2D 1x1 (project) [-> Add(., x)]
 * becomes the project node alone, running a wi_block_kernel from the block input, so the
 * expanded tensor (up to 112x112x144 floats) is never written to the arena. The block is
 * bit-identical to the unfused nodes. The intermediates must have no other reader and must not
 * be the graph output; the kernels decide whether the chain is one they fuse and whether it
 * pays (WI_E_UNSUPPORTED: the nodes stay as they are). */
#include <stdio.h>
#include <stdlib.h>
#include "core/error.h"
#include "ir/passes.h"
#include "kernels.h"

/* The live node of kind `op` producing `vid`, read only by one node, not the graph output and
 * not already a fused block; else -1. Needs fresh uses. */
static int single_use_producer(const wi_graph *g, int vid, int output, wi_op_kind op) {
    const wi_value *v = &g->values[vid];
    if (vid == output || v->producer < 0 || v->uses != 1) return -1;
    const wi_node *n = &g->nodes[v->producer];
    if (n->dead || n->op != op || !n->params.conv.kernel || n->params.conv.block) return -1;
    return v->producer;
}

/* The Add reading project's output `y` together with another activation of y's shape computed
 * before node `project` (the shortcut): its node id, and that operand in *residual; else -1. */
static int shortcut_add(const wi_graph *g, int project, int output, int *residual) {
    const int y = g->nodes[project].output;
    const wi_value *yv = &g->values[y];
    if (y == output || yv->uses != 1) return -1;
    for (int i = project + 1; i < g->node_count; i++) {
        const wi_node *a = &g->nodes[i];
        if (a->dead || a->op != WI_OP_ADD || a->input_count != 2) continue;
        int side = a->inputs[0] == y ? 0 : a->inputs[1] == y ? 1 : -1;
        if (side < 0) continue;
        const int r = a->inputs[1 - side];
        const wi_value *rv = &g->values[r];
        if (r == y || rv->data || rv->dtype != WI_DTYPE_FLOAT32 || rv->rank != yv->rank) return -1;
        for (int d = 0; d < yv->rank; d++)
            if (rv->dims[d] != yv->dims[d]) return -1;
        if (!rv->is_input && !(rv->producer >= 0 && rv->producer < project)) return -1;
        *residual = r;
        return i;
    }
    return -1;
}

/* Rewrites project node `p` into the block: input 0 becomes the block input, the expand and
 * depthwise nodes die (their kernels move to `p`), and a shortcut Add folds in when there is
 * one. */
static wi_status take_over(wi_graph *g, int p, int e, int d, wi_block_kernel *block, int output,
                           wi_error *err) {
    wi_node *pn = &g->nodes[p], *dn = &g->nodes[d];
    wi_conv_params *pp = &pn->params.conv;
    pn->inputs[0] = e >= 0 ? g->nodes[e].inputs[0] : dn->inputs[0];
    pp->block = block;
    pp->block_dw = dn->params.conv.kernel;
    dn->params.conv.kernel = NULL;
    dn->dead = 1;
    if (e >= 0) {
        pp->block_expand = g->nodes[e].params.conv.kernel;
        g->nodes[e].params.conv.kernel = NULL;
        g->nodes[e].dead = 1;
    }
    snprintf(pn->label, sizeof pn->label, "%s", e >= 0 ? "Block:Conv2D>Depthwise>Conv2D"
                                                       : "Block:Depthwise>Conv2D");
    wi_graph_count_uses(g, output);
    return wi_fold_shortcut(g, p, output, err);
}

/* The Add's other operand becomes p's last input (a block, or a plain conv's epilogue). */
wi_status wi_fold_shortcut(wi_graph *g, int p, int output, wi_error *err) {
    wi_node *pn = &g->nodes[p];
    wi_conv_params *pp = &pn->params.conv;
    int residual;
    int add = shortcut_add(g, p, output, &residual);
    if (add < 0) return WI_OK;
    int *inputs = realloc(pn->inputs, sizeof(int) * (size_t)(pn->input_count + 1));
    if (!inputs) return wi_error_set(err, WI_E_OUT_OF_MEMORY, "out of memory fusing '%s'", pn->name);
    pn->inputs = inputs;
    pn->inputs[pn->input_count++] = residual;
    pp->residual = 1;
    wi_node_absorb(g, p, add, "Add");
    wi_graph_count_uses(g, output);
    return WI_OK;
}

wi_status wi_pass_fuse_blocks(wi_graph *g, int output, wi_error *err) {
    wi_graph_count_uses(g, output);
    for (int p = 0; p < g->node_count; p++) {
        const wi_node *pn = &g->nodes[p];
        if (pn->dead || pn->op != WI_OP_CONV2D || !pn->params.conv.kernel || pn->params.conv.block)
            continue;
        int d = single_use_producer(g, pn->inputs[0], output, WI_OP_DEPTHWISE_CONV2D);
        if (d < 0) continue;
        int e = single_use_producer(g, g->nodes[d].inputs[0], output, WI_OP_CONV2D);
        wi_block_kernel *block = NULL;
        wi_status st = WI_E_UNSUPPORTED;
        if (e >= 0)
            st = wi_block_kernel_create(g->nodes[e].params.conv.kernel,
                                        g->nodes[d].params.conv.kernel, pn->params.conv.kernel, &block);
        if (st == WI_E_UNSUPPORTED || st == WI_E_INVALID_ARGUMENT) {
            /* no expand conv, or one the block cannot run (not 1x1): the depthwise reads the
             * expanded tensor from the arena and the rest still fuses */
            e = -1;
            st = wi_block_kernel_create(NULL, g->nodes[d].params.conv.kernel,
                                        pn->params.conv.kernel, &block);
        }
        if (st == WI_E_UNSUPPORTED || st == WI_E_INVALID_ARGUMENT) continue;
        if (st != WI_OK)
            return wi_error_set(err, st, "node '%s': cannot create the fused block", pn->name);
        st = take_over(g, p, e, d, block, output, err);
        if (st != WI_OK) return st;
    }
    return wi_graph_compact(g, err);
}
