/* Constant folding, in two parts:
 * - wi_pass_fold_constants (before shape inference): Identity nodes disappear, their users
 *   read the input directly (TF-slim wraps every weight in one).
 * - wi_fold_node (called by shape inference right after each prepare, so later nodes see
 *   constants as constants): a foldable node whose inputs are all constants is evaluated at
 *   load by the op's own eval, so folded and run-time results come from the same code. */
#include <stdlib.h>
#include "core/error.h"
#include "ir/passes.h"
#include "ops/op.h"

wi_status wi_pass_fold_constants(wi_graph *g, int output, wi_error *err) {
    for (int i = 0; i < g->node_count; i++) {
        wi_node *n = &g->nodes[i];
        if (n->dead || n->op != WI_OP_IDENTITY || n->output == output || n->input_count != 1) continue;
        wi_graph_replace_uses(g, n->output, n->inputs[0]);
        n->dead = 1;
        g->values[n->output].producer = -1;
    }
    return WI_OK;
}

wi_status wi_fold_node(wi_graph *g, int index, wi_error *err) {
    wi_node *n = &g->nodes[index];
    wi_value *out = &g->values[n->output];
    if (out->data) { /* prepare already knew the result (Shape) */
        n->dead = 1;
        out->producer = -1;
        return WI_OK;
    }
    if (!wi_op_get(n->op)->foldable || out->is_input) return WI_OK;
    for (int j = 0; j < n->input_count; j++)
        if (!g->values[n->inputs[j]].data) return WI_OK;
    /* ops read typed, aligned data: a constant still borrowed from the model bytes (a loader
     * that folds while it maps, like ONNX's) becomes an owned copy first */
    for (int j = 0; j < n->input_count; j++) {
        wi_status st = wi_value_own_data(&g->values[n->inputs[j]], err);
        if (st != WI_OK) return st;
    }
    /* eval reads buffers by value id: a pointer table with just this node's values filled */
    void **ptrs = calloc((size_t)g->value_count + 1, sizeof(void *));
    size_t bytes = wi_value_bytes(out);
    void *data = calloc(1, bytes ? bytes : 1);
    if (!ptrs || !data) {
        free(ptrs);
        free(data);
        return wi_op_fail(err, n, WI_E_OUT_OF_MEMORY, "out of memory folding a constant");
    }
    for (int j = 0; j < n->input_count; j++) ptrs[n->inputs[j]] = g->values[n->inputs[j]].data;
    ptrs[n->output] = data;
    wi_exec x = {ptrs, NULL, NULL};
    wi_status st = wi_op_get(n->op)->eval(g, n, &x);
    free(ptrs);
    if (st != WI_OK) {
        free(data);
        return wi_op_fail(err, n, st, "constant folding failed");
    }
    out->data = data;
    out->producer = -1;
    n->dead = 1;
    return WI_OK;
}
