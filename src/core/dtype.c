/* Names and sizes of element types and formats. */
#include "core/dtype.h"

const char *wi_dtype_name(wi_dtype dtype) {
    switch (dtype) {
    case WI_DTYPE_FLOAT32: return "float32";
    case WI_DTYPE_INT32: return "int32";
    case WI_DTYPE_INT64: return "int64";
    case WI_DTYPE_UINT8: return "uint8";
    case WI_DTYPE_INT8: return "int8";
    case WI_DTYPE_INVALID: break;
    }
    return "invalid";
}

size_t wi_dtype_size(wi_dtype dtype) {
    switch (dtype) {
    case WI_DTYPE_FLOAT32: return 4;
    case WI_DTYPE_INT32: return 4;
    case WI_DTYPE_INT64: return 8;
    case WI_DTYPE_UINT8: return 1;
    case WI_DTYPE_INT8: return 1;
    case WI_DTYPE_INVALID: break;
    }
    return 0;
}

const char *wi_format_name(wi_format format) {
    switch (format) {
    case WI_FORMAT_AUTO: return "auto";
    case WI_FORMAT_TF_GRAPHDEF: return "tf-graphdef";
    case WI_FORMAT_TFLITE: return "tflite";
    case WI_FORMAT_TFJS: return "tfjs-graph-model";
    case WI_FORMAT_ONNX: return "onnx";
    }
    return "unknown";
}
