/* The executor: the nodes are already in topological order and every buffer is planned, so a
 * run is one pass calling each op's eval. */
#include <stdio.h>
#include "runtime/executor.h"

wi_status wi_execute(const wi_graph *g, const wi_exec *x, char *errmsg, size_t cap) {
    for (int i = 0; i < g->node_count; i++) {
        const wi_node *n = &g->nodes[i];
        wi_status st = wi_op_get(n->op)->eval(g, n, x);
        if (st != WI_OK) {
            snprintf(errmsg, cap, "node '%s' (%s) failed: %s", n->name, n->origin,
                     wi_status_string(st));
            return st;
        }
    }
    return WI_OK;
}
