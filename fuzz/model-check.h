/* model-check.h - the body shared by the model harnesses (fuzz-model-load and one per format). */
#ifndef WI_FUZZ_MODEL_CHECK_H
#define WI_FUZZ_MODEL_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "wasinfer.h"

/* wi_model_load of `data` as `format` (WI_FORMAT_AUTO: detected), then, when it loads:
 * introspection, statistics, a session, one run on a fixed input, the outputs read back.
 * Aborts through fuzz_fail when an API promise is broken. Returns 0. */
int fuzz_model_bytes(const uint8_t *data, size_t size, wi_format format);

#endif
