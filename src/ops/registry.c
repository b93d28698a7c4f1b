/* Maps each op kind to its definition (one per file in src/ops). */
#include "ops/op.h"

extern const wi_op_def wi_op_identity, wi_op_conv2d, wi_op_depthwise_conv2d, wi_op_batchnorm,
    wi_op_bias_add, wi_op_relu, wi_op_relu6, wi_op_add, wi_op_sub, wi_op_mul, wi_op_avg_pool,
    wi_op_max_pool, wi_op_mean, wi_op_squeeze, wi_op_reshape, wi_op_shape, wi_op_softmax,
    wi_op_matmul, wi_op_pad, wi_op_concat;
extern const wi_op_def wi_op_transpose, wi_op_clip; /* ONNX */
extern const wi_op_def wi_op_fake_quant; /* TFLite */

static const wi_op_def *const k_ops[WI_OP_KIND_COUNT] = {
    [WI_OP_IDENTITY] = &wi_op_identity,
    [WI_OP_CONV2D] = &wi_op_conv2d,
    [WI_OP_DEPTHWISE_CONV2D] = &wi_op_depthwise_conv2d,
    [WI_OP_BATCHNORM] = &wi_op_batchnorm,
    [WI_OP_BIAS_ADD] = &wi_op_bias_add,
    [WI_OP_RELU] = &wi_op_relu,
    [WI_OP_RELU6] = &wi_op_relu6,
    [WI_OP_ADD] = &wi_op_add,
    [WI_OP_SUB] = &wi_op_sub,
    [WI_OP_MUL] = &wi_op_mul,
    [WI_OP_AVG_POOL] = &wi_op_avg_pool,
    [WI_OP_MAX_POOL] = &wi_op_max_pool,
    [WI_OP_MEAN] = &wi_op_mean,
    [WI_OP_SQUEEZE] = &wi_op_squeeze,
    [WI_OP_RESHAPE] = &wi_op_reshape,
    [WI_OP_SHAPE] = &wi_op_shape,
    [WI_OP_SOFTMAX] = &wi_op_softmax,
    [WI_OP_MATMUL] = &wi_op_matmul,
    [WI_OP_PAD] = &wi_op_pad,
    [WI_OP_CONCAT] = &wi_op_concat,
    [WI_OP_TRANSPOSE] = &wi_op_transpose,
    [WI_OP_CLIP] = &wi_op_clip,
    [WI_OP_FAKE_QUANT] = &wi_op_fake_quant,
};

const wi_op_def *wi_op_get(wi_op_kind op) {
    if ((int)op < 0 || op >= WI_OP_KIND_COUNT) return NULL;
    return k_ops[op];
}
