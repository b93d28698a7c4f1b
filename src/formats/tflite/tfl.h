/* tfl.h - internals of the TFLite loader: the parsed tensors and the load context.
 *
 * Field numbers (tensorflow/compiler/mlir/lite/schema/schema.fbs; a table's fields are
 * numbered from 0 in declaration order):
 *   Model          version=0, operator_codes=1, subgraphs=2, description=3, buffers=4
 *   OperatorCode   deprecated_builtin_code=0 (byte), custom_code=1, version=2, builtin_code=3
 *   SubGraph       tensors=0, inputs=1, outputs=2, operators=3, name=4
 *   Tensor         shape=0, type=1, buffer=2, name=3, quantization=4
 *   Quantization   min=0, max=1, scale=2, zero_point=3 (long), quantized_dimension=6
 *   Operator       opcode_index=0, inputs=1, outputs=2, builtin_options_type=3,
 *                  builtin_options=4
 *   Buffer         data=0, offset=1, size=2 (data outside the FlatBuffer: not supported)
 *   TensorType     FLOAT32=0, FLOAT16=1, INT32=2, UINT8=3, INT64=4, INT16=7, INT8=9 */
#ifndef WI_FORMATS_TFLITE_TFL_H
#define WI_FORMATS_TFLITE_TFL_H

#include "core/error.h"
#include "formats/flatbuffers.h"
#include "ir/graph.h"

enum { TFL_FLOAT32 = 0, TFL_FLOAT16 = 1, TFL_INT32 = 2, TFL_UINT8 = 3, TFL_INT64 = 4,
       TFL_INT16 = 7, TFL_INT8 = 9 };

#define TFL_MAX_TENSORS 1000000
#define TFL_MAX_OPERATORS 200000

typedef struct tfl_tensor {
    int type;                 /* TensorType */
    int rank;
    int64_t dims[WI_MAX_RANK];
    const uint8_t *data;      /* constant bytes in the file, or NULL */
    size_t data_len;
    wi_fb_vector scales;      /* quantization (count 0: none) */
    wi_fb_vector zero_points;
    int32_t quant_axis;
    int quantized;            /* an activation on a uint8/int8/int16 grid */
    wi_quant_params grid;     /* its grid (per-tensor) */
    int value;                /* the value id its readers read */
} tfl_tensor;

typedef struct tfl_ctx {
    const wi_model_options *opts;
    wi_graph *graph;
    wi_fb_vector buffers, operators;
    int32_t *opcodes;         /* builtin code per operator_codes entry (-1: custom) */
    uint32_t opcode_count;
    tfl_tensor *tensors;
    int tensor_count;
    int input_tensor, output_tensor;
} tfl_ctx;

/* "tflite: operator N (NAME): <message>" */
wi_status tfl_op_fail(wi_error *err, int index, int32_t code, wi_status st, const char *fmt, ...)
    WI_PRINTF(5, 6);

/* The builtin operator's schema name ("CONV_2D"), or NULL for one this table lacks. */
const char *tfl_op_name(int32_t code);

/* Parses every tensor of the subgraph: shapes, types, quantization; constants become graph
 * constants (dequantized to float32 where quantized), the rest plain values. */
wi_status tfl_load_tensors(tfl_ctx *ctx, const wi_fb_table *subgraph, wi_error *err);

/* Turns operator `index` into IR nodes. */
wi_status tfl_map_operator(tfl_ctx *ctx, int index, wi_error *err);

#endif
