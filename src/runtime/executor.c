/* The executor: the nodes are already in topological order and every buffer is planned, so a
 * run is one pass calling each op's eval. */
#include <stdio.h>
#include "classify/clock.h"
#include "runtime/executor.h"

wi_status wi_execute(const wi_graph *g, const wi_exec *x, double *node_ms, char *errmsg, size_t cap) {
    for (int i = 0; i < g->node_count; i++) {
        const wi_node *n = &g->nodes[i];
        double t0 = node_ms ? wi_monotonic_ms() : 0;
        wi_status st = wi_op_get(n->op)->eval(g, n, x);
        if (node_ms) node_ms[i] += wi_monotonic_ms() - t0;
        if (st != WI_OK) {
            snprintf(errmsg, cap, "node '%s' (%s) failed: %s", n->name, n->origin,
                     wi_status_string(st));
            return st;
        }
    }
    return WI_OK;
}
