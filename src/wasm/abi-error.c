/* last_error / last_error_len, and the debug exports that let hosts test their sandboxing. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "wasm/abi.h"

static char g_last_error[WI_ERROR_MESSAGE_MAX + 128];
static wi_status g_last_status;

void wi_abi_clear_error(void) {
    g_last_error[0] = '\0';
    g_last_status = WI_OK;
}

static int fail_v(wi_status status, const char *fmt, va_list ap) {
    vsnprintf(g_last_error, sizeof g_last_error, fmt, ap);
    g_last_status = status;
    return -1;
}

int wi_abi_fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fail_v(WI_E_INVALID_ARGUMENT, fmt, ap);
    va_end(ap);
    return -1;
}

int wi_abi_fail_code(wi_status status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fail_v(status, fmt, ap);
    va_end(ap);
    return -1;
}

int wi_abi_fail_status(const char *what, wi_status status, const wi_error *err) {
    const char *detail = (err && err->message[0]) ? err->message : wi_status_string(status);
    return wi_abi_fail_code(status, "%s: %s", what, detail);
}

/* The message of the most recent exported call that failed ("" after a call that succeeded).
 * Borrowed, NUL-terminated, valid until the next exported call. */
WI_ABI_EXPORT("last_error") const char *wi_wasm_last_error(void) { return g_last_error; }

WI_ABI_EXPORT("last_error_len") int32_t wi_wasm_last_error_len(void) {
    return (int32_t)strlen(g_last_error);
}

/* The wi_status (include/wasinfer.h) of the most recent failed call, 0 after a success: lets a
 * host map failures to its own errors (malformed image -> 415, too large -> 413). */
WI_ABI_EXPORT("last_status") int32_t wi_wasm_last_status(void) { return (int32_t)g_last_status; }

/* Executes `unreachable` on purpose: hosts use it to test that a trap is contained. */
WI_ABI_EXPORT("debug_trap") void wi_wasm_debug_trap(void) { __builtin_trap(); }

/* Busy-loops `iterations` times (<= 0: forever) and returns the count: hosts use it to test
 * their time budgets (epoch interruption, fuel). The volatile counter keeps the loop real. */
WI_ABI_EXPORT("debug_spin") int32_t wi_wasm_debug_spin(int32_t iterations) {
    if (iterations <= 0) {
        volatile uint32_t spin = 0; /* unsigned: wrapping around is defined */
        for (;;) spin = spin + 1;
    }
    volatile int32_t done = 0;
    while (done < iterations) done = done + 1;
    return done;
}
