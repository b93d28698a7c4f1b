/* fuzz-onnx.c - arbitrary bytes loaded as an ONNX ModelProto, then run (model-check.c). */
#include "fuzz.h"
#include "model-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_model_bytes(data, size, WI_FORMAT_ONNX);
}
