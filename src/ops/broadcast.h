/* broadcast.h - numpy-style broadcasting of two float tensors, shared by Add, Sub, Mul and
 * BiasAdd. */
#ifndef WI_OPS_BROADCAST_H
#define WI_OPS_BROADCAST_H

#include "ops/op.h"

typedef enum wi_binary_fn { WI_BINARY_ADD, WI_BINARY_SUB, WI_BINARY_MUL } wi_binary_fn;

/* Sets the output shape to the broadcast of inputs 0 and 1, or fails naming both shapes. */
wi_status wi_broadcast_prepare(wi_graph *g, wi_node *n, wi_error *err);

/* out = a (fn) b with broadcasting; shapes were checked by wi_broadcast_prepare. */
void wi_broadcast_eval(const wi_value *a, const wi_value *b, const wi_value *out,
                       const float *pa, const float *pb, float *po, wi_binary_fn fn);

#endif
