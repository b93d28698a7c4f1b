/* onnx-loader.h - the ONNX ModelProto (.onnx) loader. */
#ifndef WI_FORMATS_ONNX_ONNX_LOADER_H
#define WI_FORMATS_ONNX_ONNX_LOADER_H

#include "wasinfer.h"

/* Parses a ModelProto into the graph IR (NCHW tensors moved to the engine's NHWC) and builds
 * a model from it. Messages start "onnx: ". */
wi_status wi_onnx_load(const void *bytes, size_t len, const wi_model_options *opts,
                       wi_model **out, wi_error *err);

#endif
