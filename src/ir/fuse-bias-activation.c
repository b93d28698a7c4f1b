/* Bias and activation fusion: BiasAdd(conv, b), Add(conv, c), Add(c, conv) and Sub(conv, c)
 * with a per-channel constant go into the convolution's bias; Relu and Relu6 after a
 * convolution become its clamp range. */
#include <math.h>
#include <stdlib.h>
#include "core/error.h"
#include "ir/passes.h"

/* For BiasAdd/Add/Sub: the conv feeding it and the per-channel shift it adds. */
static int bias_operands(const wi_graph *g, const wi_node *n, int output, int *konst, int *negate) {
    int sides = n->op == WI_OP_ADD ? 2 : 1; /* BiasAdd and Sub: the conv must be on the left */
    for (int side = 0; side < sides; side++) {
        int c = wi_conv_producer(g, n->inputs[side], output);
        if (c >= 0 && g->values[n->inputs[1 - side]].data) {
            *konst = n->inputs[1 - side];
            *negate = n->op == WI_OP_SUB;
            return c;
        }
    }
    return -1;
}

wi_status wi_pass_fuse_bias_activation(wi_graph *g, int output, wi_error *err) {
    wi_status st = WI_OK;
    float *shift = NULL;
    wi_graph_count_uses(g, output);
    for (int i = 0; i < g->node_count && st == WI_OK; i++) {
        wi_node *n = &g->nodes[i];
        if (n->dead) continue;
        if (n->op == WI_OP_RELU || n->op == WI_OP_RELU6) {
            int conv = wi_conv_producer(g, n->inputs[0], output);
            if (conv < 0) continue;
            g->nodes[conv].params.conv.act_min = 0.0f;
            g->nodes[conv].params.conv.act_max = n->op == WI_OP_RELU6 ? 6.0f : INFINITY;
            st = wi_conv_absorb(g, conv, i, NULL, NULL, n->op == WI_OP_RELU6 ? "Relu6" : "Relu", err);
        } else if (n->op == WI_OP_BIAS_ADD || n->op == WI_OP_ADD || n->op == WI_OP_SUB) {
            int konst, negate;
            int conv = bias_operands(g, n, output, &konst, &negate);
            if (conv < 0) continue;
            const wi_value *y = &g->values[g->nodes[conv].output];
            int64_t channels = y->dims[y->rank - 1];
            free(shift);
            shift = malloc(sizeof(float) * (size_t)channels);
            if (!shift) {
                st = wi_error_set(err, WI_E_OUT_OF_MEMORY, "out of memory fusing '%s'", n->name);
                break;
            }
            if (!wi_per_channel_const(&g->values[konst], channels, y->rank, shift)) continue;
            if (negate)
                for (int64_t c = 0; c < channels; c++) shift[c] = -shift[c];
            st = wi_conv_absorb(g, conv, i, NULL, shift, "BiasAdd", err);
        } else {
            continue;
        }
        wi_graph_count_uses(g, output);
    }
    free(shift);
    return st;
}
