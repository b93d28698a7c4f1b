/*
 * model_load_tfjs: a TensorFlow.js graph model into a handle, from model.json's bytes and its
 * weight shards concatenated in manifest order (the module has no files). docs/wasm-abi.md
 * and docs/tfjs.md are the manual.
 *
 * The handle table belongs to abi-handles.c, whose only door is wi_abi_model_open(bytes, len)
 * over wi_model_load; so the two buffers are joined into the single-buffer TF.js form that
 * wi_model_load understands ("model.json, one NUL byte, the shards"), at the cost of one
 * temporary copy of the weights.
 */
#include <stdlib.h>
#include <string.h>
#include "wasm/abi.h"

/* Loads a TF.js model from [json_ptr, +json_len) and [weights_ptr, +weights_len) (both copied;
 * weights_len may be 0 for a model without weights, weights_ptr is then ignored). Returns a
 * handle > 0, or 0 with last_error() set. */
WI_ABI_EXPORT("model_load_tfjs")
int32_t wi_wasm_model_load_tfjs(uint32_t json_ptr, uint32_t json_len, uint32_t weights_ptr,
                                uint32_t weights_len) {
    wi_abi_clear_error();
    if (wi_abi_check_input("model_load_tfjs: model.json", json_ptr, json_len) != 0) return 0;
    if (weights_len > 0 && wi_abi_check_input("model_load_tfjs: weights", weights_ptr, weights_len) != 0)
        return 0;
    const uint8_t *json = (const uint8_t *)(uintptr_t)json_ptr;
    if (memchr(json, 0, json_len)) {
        wi_abi_fail_code(WI_E_MALFORMED, "model_load_tfjs: model.json holds a NUL byte");
        return 0;
    }
    size_t total = (size_t)json_len + 1;
    if (total < json_len || (size_t)weights_len > SIZE_MAX - total) {
        wi_abi_fail_code(WI_E_LIMIT, "model_load_tfjs: %u + %u bytes do not fit in memory",
                         (unsigned)json_len, (unsigned)weights_len);
        return 0;
    }
    total += weights_len;
    uint8_t *bundle = malloc(total);
    if (!bundle) {
        wi_abi_fail_code(WI_E_OUT_OF_MEMORY, "model_load_tfjs: out of memory for %zu bytes", total);
        return 0;
    }
    memcpy(bundle, json, json_len);
    bundle[json_len] = 0;
    if (weights_len) memcpy(bundle + json_len + 1, (const void *)(uintptr_t)weights_ptr, weights_len);
    int32_t handle = wi_abi_model_open(bundle, total);
    free(bundle);
    return handle;
}
