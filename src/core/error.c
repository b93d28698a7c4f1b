/* Status strings and error messages. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "core/error.h"

const char *wi_status_string(wi_status status) {
    switch (status) {
    case WI_OK: return "ok";
    case WI_E_INVALID_ARGUMENT: return "invalid argument";
    case WI_E_OUT_OF_MEMORY: return "out of memory";
    case WI_E_MALFORMED: return "malformed input";
    case WI_E_UNSUPPORTED: return "unsupported";
    case WI_E_LIMIT: return "limit exceeded";
    case WI_E_NOT_FOUND: return "not found";
    case WI_E_IO: return "i/o error";
    case WI_E_STATE: return "bad state";
    case WI_E_INTERNAL: return "internal error";
    case WI_E_TIMEOUT: return "timeout";
    case WI_E_TRAP: return "sandbox trap";
    }
    return "unknown status";
}

wi_status wi_error_vset(wi_error *err, wi_status status, const char *prefix, const char *fmt,
                        va_list ap) {
    if (!err) return status;
    err->status = status;
    int n = snprintf(err->message, sizeof err->message, "%s", prefix);
    size_t used = n < 0 ? 0 : (size_t)n < sizeof err->message ? (size_t)n : sizeof err->message - 1;
    vsnprintf(err->message + used, sizeof err->message - used, fmt, ap);
    return status;
}

wi_status wi_error_set(wi_error *err, wi_status status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    wi_error_vset(err, status, "", fmt, ap);
    va_end(ap);
    return status;
}

void wi_error_clear(wi_error *err) {
    if (!err) return;
    err->status = WI_OK;
    err->message[0] = '\0';
}

void wi_error_prefix(wi_error *err, const char *prefix) {
    if (!err) return;
    char tmp[WI_ERROR_MESSAGE_MAX];
    snprintf(tmp, sizeof tmp, "%s%s", prefix, err->message);
    memcpy(err->message, tmp, sizeof tmp);
}
