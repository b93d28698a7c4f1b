/* executor.h - runs a planned graph's nodes in order over buffers set up by a session. */
#ifndef WI_RUNTIME_EXECUTOR_H
#define WI_RUNTIME_EXECUTOR_H

#include <stddef.h>
#include "ops/op.h"

/* Evaluates every node of `g` in order. Never allocates. On failure writes
 * "node 'NAME' (Op) failed: <status>" into errmsg (cap bytes) and returns the status.
 * `node_ms` (NULL: no timing) gets each node's wall time added to its entry. */
wi_status wi_execute(const wi_graph *g, const wi_exec *x, double *node_ms, char *errmsg, size_t cap);

#endif
