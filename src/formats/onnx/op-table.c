/* ONNX op_type -> mapping function. An op not listed fails the load naming the node. */
#include <string.h>
#include "formats/onnx/onnx.h"

typedef struct onnx_op_entry {
    const char *name;
    onnx_map_fn map;
} onnx_op_entry;

static const onnx_op_entry k_ops[] = {
    {"Conv", onnx_map_conv},
    {"BatchNormalization", onnx_map_batchnorm},
    {"Relu", onnx_map_unary},
    {"Clip", onnx_map_clip},
    {"Add", onnx_map_binary},
    {"Sub", onnx_map_binary},
    {"Mul", onnx_map_binary},
    {"GlobalAveragePool", onnx_map_global_avg_pool},
    {"AveragePool", onnx_map_pool},
    {"MaxPool", onnx_map_pool},
    {"Flatten", onnx_map_flatten},
    {"Reshape", onnx_map_reshape},
    {"Squeeze", onnx_map_squeeze},
    {"Unsqueeze", onnx_map_squeeze},
    {"Gemm", onnx_map_gemm},
    {"MatMul", onnx_map_matmul},
    {"Softmax", onnx_map_softmax},
    {"Concat", onnx_map_concat},
    {"Pad", onnx_map_pad},
    {"Identity", onnx_map_identity},
    {"Dropout", onnx_map_identity}, /* an identity at inference; its mask output is refused */
    {"Transpose", onnx_map_transpose},
    {"Shape", onnx_map_shape},
    {"Gather", onnx_map_gather},
    {"Constant", onnx_map_constant},
};

wi_status onnx_map_node(onnx_ctx *ctx, const onnx_node *n, wi_error *err) {
    for (size_t i = 0; i < sizeof k_ops / sizeof k_ops[0]; i++) {
        if (strcmp(k_ops[i].name, n->op) != 0) continue;
        if (k_ops[i].map == onnx_map_identity && n->output_count > 1 && n->outputs[1].len > 0)
            return onnx_fail(err, n, WI_E_UNSUPPORTED, "output 1 (the dropout mask) is not supported");
        return k_ops[i].map(ctx, n, err);
    }
    return onnx_fail(err, n, WI_E_UNSUPPORTED, "unsupported op '%s'", n->op);
}
