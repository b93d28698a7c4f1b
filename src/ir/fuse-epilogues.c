/* Epilogue fusion, after the conv kernels exist and after block fusion:
 *   conv [-> FakeQuant] [-> Add(., shortcut) [-> FakeQuant]]
 * becomes the conv alone, its kernel rounding, adding and rounding each output tile right
 * after computing it (wi_conv_epilogue), instead of three more passes over the whole tensor,
 * each on one thread. MobileNet V2 has ten shortcut Adds; a quantized TFLite model a
 * FakeQuant after nearly every op (formats/tflite: 67 in MobileNet V2), so this is what makes
 * it run at the float model's speed. Bit-identical: the kernel calls the same rounding
 * function (wi_f32_fake_quant) and makes the same additions. */
#include <stdlib.h>
#include "core/error.h"
#include "ir/passes.h"
#include "kernels.h"

/* The FakeQuant that is the only reader of conv node `p`'s output, which must not be the
 * graph output; else -1. Needs fresh uses. */
static int only_fake_quant(const wi_graph *g, int p, int output) {
    const int y = g->nodes[p].output;
    if (y == output || g->values[y].uses != 1) return -1;
    for (int i = p + 1; i < g->node_count; i++) {
        const wi_node *q = &g->nodes[i];
        if (q->dead || q->input_count < 1 || q->inputs[0] != y) continue;
        return q->op == WI_OP_FAKE_QUANT ? i : -1;
    }
    return -1;
}

/* Conv node `p` takes over FakeQuant node `q`'s output and rounds onto its grid. */
static void take_fake_quant(wi_graph *g, int p, int q, int after, int output) {
    wi_node *pn = &g->nodes[p], *qn = &g->nodes[q];
    wi_conv_params *pp = &pn->params.conv;
    if (after) {
        pp->has_quant_after = 1;
        pp->quant_after = qn->params.quant;
    } else {
        pp->has_quant_before = 1;
        pp->quant_before = qn->params.quant;
    }
    wi_node_absorb(g, p, q, "FakeQuant");
    wi_graph_count_uses(g, output);
}

wi_status wi_pass_fuse_epilogues(wi_graph *g, int output, wi_error *err) {
    wi_graph_count_uses(g, output);
    for (int p = 0; p < g->node_count; p++) {
        const wi_node *pn = &g->nodes[p];
        const wi_conv_params *pp = &pn->params.conv;
        if (pn->dead || (pn->op != WI_OP_CONV2D && pn->op != WI_OP_DEPTHWISE_CONV2D) ||
            !pp->kernel || pp->block || pp->residual || pp->has_quant_before)
            continue;
        int q = only_fake_quant(g, p, output);
        if (q >= 0) take_fake_quant(g, p, q, 0, output);
        wi_status st = wi_fold_shortcut(g, p, output, err);
        if (st != WI_OK) return st;
        if (!g->nodes[p].params.conv.residual) continue;
        q = only_fake_quant(g, p, output);
        if (q >= 0) take_fake_quant(g, p, q, 1, output);
    }
    return wi_graph_compact(g, err);
}
