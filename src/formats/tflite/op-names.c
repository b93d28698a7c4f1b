/* Names of TFLite builtin operators (BuiltinOperator in schema.fbs), for messages and the
 * op histogram. Only the common ones are named; others print as their number. */
#include <stdarg.h>
#include <stdio.h>
#include "formats/tflite/tfl.h"

static const char *const k_names[] = {
    [0] = "ADD", [1] = "AVERAGE_POOL_2D", [2] = "CONCATENATION", [3] = "CONV_2D",
    [4] = "DEPTHWISE_CONV_2D", [5] = "DEPTH_TO_SPACE", [6] = "DEQUANTIZE",
    [7] = "EMBEDDING_LOOKUP", [8] = "FLOOR", [9] = "FULLY_CONNECTED", [11] = "L2_NORMALIZATION",
    [12] = "L2_POOL_2D", [13] = "LOCAL_RESPONSE_NORMALIZATION", [14] = "LOGISTIC",
    [16] = "LSTM", [17] = "MAX_POOL_2D", [18] = "MUL", [19] = "RELU", [20] = "RELU_N1_TO_1",
    [21] = "RELU6", [22] = "RESHAPE", [23] = "RESIZE_BILINEAR", [25] = "SOFTMAX",
    [26] = "SPACE_TO_DEPTH", [28] = "TANH", [31] = "CALL", [32] = "CUSTOM", [34] = "PAD",
    [36] = "GATHER", [37] = "BATCH_TO_SPACE_ND", [38] = "SPACE_TO_BATCH_ND", [39] = "TRANSPOSE",
    [40] = "MEAN", [41] = "SUB", [42] = "DIV", [43] = "SQUEEZE", [45] = "STRIDED_SLICE",
    [47] = "EXP", [49] = "SPLIT", [50] = "LOG_SOFTMAX", [53] = "CAST", [54] = "PRELU",
    [55] = "MAXIMUM", [56] = "ARG_MAX", [57] = "MINIMUM", [60] = "PADV2", [65] = "SLICE",
    [67] = "TRANSPOSE_CONV", [70] = "EXPAND_DIMS", [74] = "SUM", [77] = "SHAPE",
    [80] = "FAKE_QUANT", [82] = "REDUCE_MAX", [83] = "PACK", [88] = "UNPACK",
    [97] = "RESIZE_NEAREST_NEIGHBOR", [98] = "LEAKY_RELU", [101] = "ABS", [114] = "QUANTIZE",
    [117] = "HARD_SWISH",
};

const char *tfl_op_name(int32_t code) {
    if (code < 0 || code >= (int32_t)(sizeof k_names / sizeof k_names[0])) return NULL;
    return k_names[code];
}

wi_status tfl_op_fail(wi_error *err, int index, int32_t code, wi_status st, const char *fmt, ...) {
    char prefix[96];
    const char *name = tfl_op_name(code);
    if (name) snprintf(prefix, sizeof prefix, "tflite: operator %d (%s): ", index, name);
    else snprintf(prefix, sizeof prefix, "tflite: operator %d (builtin %d): ", index, (int)code);
    va_list ap;
    va_start(ap, fmt);
    wi_error_vset(err, st, prefix, fmt, ap);
    va_end(ap);
    return st;
}
