/* Add / AddV2, Sub and Mul with numpy broadcasting. */
#include "ops/broadcast.h"

static wi_status eval_fn(const wi_graph *g, const wi_node *n, const wi_exec *x, wi_binary_fn fn) {
    wi_broadcast_eval(&g->values[n->inputs[0]], &g->values[n->inputs[1]], &g->values[n->output],
                      x->data[n->inputs[0]], x->data[n->inputs[1]], x->data[n->output], fn);
    return WI_OK;
}

static wi_status eval_add(const wi_graph *g, const wi_node *n, const wi_exec *x) {
    return eval_fn(g, n, x, WI_BINARY_ADD);
}
static wi_status eval_sub(const wi_graph *g, const wi_node *n, const wi_exec *x) {
    return eval_fn(g, n, x, WI_BINARY_SUB);
}
static wi_status eval_mul(const wi_graph *g, const wi_node *n, const wi_exec *x) {
    return eval_fn(g, n, x, WI_BINARY_MUL);
}

const wi_op_def wi_op_add = {2, 2, wi_broadcast_prepare, eval_add, 1};
const wi_op_def wi_op_sub = {2, 2, wi_broadcast_prepare, eval_sub, 1};
const wi_op_def wi_op_mul = {2, 2, wi_broadcast_prepare, eval_mul, 1};
