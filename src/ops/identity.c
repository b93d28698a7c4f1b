/* Identity: a copy (the constant folder removes nearly all of them). */
#include "ops/op.h"

static wi_status prepare(wi_graph *g, wi_node *n, wi_error *err) { return wi_op_same_shape(g, n, err); }

const wi_op_def wi_op_identity = {1, 1, prepare, wi_op_eval_copy, 1};
