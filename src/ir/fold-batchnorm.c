/* Batch norm folded into the preceding convolution: FusedBatchNorm(conv(x)) and
 * Mul(conv(x), per-channel constant) become conv'(x) with a scaled filter and a bias. */
#include <stdlib.h>
#include "core/error.h"
#include "ir/passes.h"

void wi_batchnorm_coefficients(float gamma, float beta, float mean, float variance, float epsilon,
                               float *scale, float *shift);

/* Both vectors of a FusedBatchNorm's constants, or false when one is not a constant. */
static bool batchnorm_consts(const wi_graph *g, const wi_node *bn, int64_t channels,
                             float *scale, float *shift) {
    const float *p[4];
    for (int i = 0; i < 4; i++) {
        const wi_value *v = &g->values[bn->inputs[i + 1]];
        if (!v->data || v->dtype != WI_DTYPE_FLOAT32 || wi_value_elements(v) != channels)
            return false;
        p[i] = v->data;
    }
    for (int64_t c = 0; c < channels; c++)
        wi_batchnorm_coefficients(p[0][c], p[1][c], p[2][c], p[3][c], bn->params.batchnorm.epsilon,
                                  &scale[c], &shift[c]);
    return true;
}

/* The constant operand of a Mul whose other operand is a foldable conv output. */
static int mul_operands(const wi_graph *g, const wi_node *n, int output, int *conv) {
    for (int side = 0; side < 2; side++) {
        int c = wi_conv_producer(g, n->inputs[side], output);
        if (c >= 0 && g->values[n->inputs[1 - side]].data) {
            *conv = c;
            return n->inputs[1 - side];
        }
    }
    return -1;
}

wi_status wi_pass_fold_batchnorm(wi_graph *g, int output, wi_error *err) {
    wi_status st = WI_OK;
    float *scale = NULL, *shift = NULL;
    wi_graph_count_uses(g, output);
    for (int i = 0; i < g->node_count && st == WI_OK; i++) {
        wi_node *n = &g->nodes[i];
        if (n->dead || (n->op != WI_OP_BATCHNORM && n->op != WI_OP_MUL)) continue;
        int conv = -1, konst = -1;
        if (n->op == WI_OP_BATCHNORM) conv = wi_conv_producer(g, n->inputs[0], output);
        else konst = mul_operands(g, n, output, &conv);
        if (conv < 0) continue;
        const wi_value *y = &g->values[g->nodes[conv].output];
        int64_t channels = y->dims[y->rank - 1];
        free(scale);
        free(shift);
        scale = malloc(sizeof(float) * (size_t)channels);
        shift = malloc(sizeof(float) * (size_t)channels);
        if (!scale || !shift) {
            st = wi_error_set(err, WI_E_OUT_OF_MEMORY, "out of memory folding '%s'", n->name);
            break;
        }
        if (n->op == WI_OP_BATCHNORM) {
            if (!batchnorm_consts(g, n, channels, scale, shift)) continue;
            st = wi_conv_absorb(g, conv, i, scale, shift, "BatchNorm", err);
        } else {
            if (!wi_per_channel_const(&g->values[konst], channels, y->rank, scale)) continue;
            st = wi_conv_absorb(g, conv, i, scale, NULL, "Mul", err);
        }
        wi_graph_count_uses(g, output);
    }
    free(scale);
    free(shift);
    return st;
}
