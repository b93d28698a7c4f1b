/* error.h - filling a wi_error: one status plus a formatted message naming what is wrong. */
#ifndef WI_CORE_ERROR_H
#define WI_CORE_ERROR_H

#include <stdarg.h>
#include "wasinfer.h"

#if defined(__GNUC__) || defined(__clang__)
#define WI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define WI_PRINTF(a, b)
#endif

/* Sets err (if not NULL) to `status` with a printf-style message and returns `status`,
 * so callers can write `return wi_error_set(err, WI_E_MALFORMED, "...", ...);`. */
wi_status wi_error_set(wi_error *err, wi_status status, const char *fmt, ...) WI_PRINTF(3, 4);

/* The same with a va_list, after `prefix` (a plain string, "" for none). */
wi_status wi_error_vset(wi_error *err, wi_status status, const char *prefix, const char *fmt,
                        va_list ap);

/* Resets err (if not NULL) to WI_OK with an empty message. */
void wi_error_clear(wi_error *err);

/* Prefixes the message already in err with `prefix` ("tf: " ...), keeping the status. */
void wi_error_prefix(wi_error *err, const char *prefix);

#endif
