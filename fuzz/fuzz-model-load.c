/*
 * fuzz-model-load.c - wi_model_load on arbitrary bytes, every format through detection, then
 * everything a caller does next (model-check.c). fuzz-tflite, fuzz-tfjs and fuzz-onnx skip
 * detection so the fuzzer spends its time inside one loader.
 */
#include "fuzz.h"
#include "model-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_model_bytes(data, size, WI_FORMAT_AUTO);
}
