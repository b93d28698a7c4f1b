/* Shape inference: every node's prepare, in topological order, each followed by constant
 * folding of that node (so a Reshape whose shape comes from Shape sees a constant). */
#include "ir/passes.h"
#include "ops/op.h"

wi_status wi_pass_infer_shapes(wi_graph *g, wi_error *err) {
    for (int i = 0; i < g->node_count; i++) {
        if (g->nodes[i].dead) continue;
        wi_status st = wi_op_prepare(g, &g->nodes[i], err);
        if (st == WI_OK) st = wi_fold_node(g, i, err);
        if (st != WI_OK) return st;
    }
    return WI_OK;
}
