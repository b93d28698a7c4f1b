/* tflite.h - the TensorFlow Lite (.tflite FlatBuffer) loader. */
#ifndef WI_FORMATS_TFLITE_TFLITE_H
#define WI_FORMATS_TFLITE_TFLITE_H

#include "wasinfer.h"

/* Parses the model's first subgraph into the graph IR (quantized weights dequantized to
 * float32, quantized activations followed by FakeQuant nodes) and builds a model from it.
 * Messages start "tflite: ". */
wi_status wi_tflite_load(const void *bytes, size_t len, const wi_model_options *opts,
                         wi_model **out, wi_error *err);

#endif
