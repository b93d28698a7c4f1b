/* conv.h - what the passes and the runtime need from the convolution op. */
#ifndef WI_OPS_CONV_H
#define WI_OPS_CONV_H

#include "ops/op.h"

/* The kernel geometry of a prepared Conv2D/Depthwise node. */
void wi_conv_op_geom(const wi_graph *g, const wi_node *n, wi_conv_geom *geom);
/* Packs the node's weights into a wi_conv_kernel (after all fusion). */
wi_status wi_conv_op_create_kernel(wi_graph *g, wi_node *n, wi_error *err);
/* Multiply-accumulates of one run. */
int64_t wi_conv_op_macs(const wi_graph *g, const wi_node *n);

/* MatMul with a constant B and A not transposed: packs B into a 1x1 convolution kernel over
 * A's rows (wi_matmul_params.kernel). Leaves other MatMuls on the plain loop (WI_OK). */
wi_status wi_matmul_op_create_kernel(wi_graph *g, wi_node *n, wi_error *err);
/* Multiply-accumulates of one MatMul run. */
int64_t wi_matmul_op_macs(const wi_graph *g, const wi_node *n);

#endif
