/* backend-select.c - --backend NAME to a backend vtable (see backend.h). */
#include "server/backend.h"

#include <stdio.h>
#include <string.h>

const wi_backend_vtable *wi_backend_by_name(const char *name, char *msg, size_t msg_size) {
    if (!name || strcmp(name, "native") == 0)
        return &wi_backend_native;
    if (strcmp(name, "wasm") == 0) {
#ifdef WI_HAVE_WASMTIME
        return &wi_backend_wasm;
#else
        snprintf(msg, msg_size, "wasm backend not built (this build has no Wasmtime C API)");
        return NULL;
#endif
    }
    snprintf(msg, msg_size, "unknown backend '%s' (use native or wasm)", name);
    return NULL;
}
