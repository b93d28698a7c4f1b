/* fuzz-tfjs.c - arbitrary bytes loaded as a TF.js graph model in the single-buffer form (model.json, a NUL byte, the weight shards), then run (model-check.c). */
#include "fuzz.h"
#include "model-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_model_bytes(data, size, WI_FORMAT_TFJS);
}
