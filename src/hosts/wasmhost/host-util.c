/* Small helpers of the Wasmtime host: errors, whole-file reads, a monotonic clock. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "classify/read-file.h"
#include "hosts/wasmhost/guest.h"

wi_status wi_host_error(wi_error *err, wi_status status, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
        err->status = status;
    }
    return status;
}

/* The library's whole-file reader (src/classify/read-file.c), with the path in the message. */
wi_status wi_host_read_file(const char *path, uint8_t **bytes, size_t *len, wi_error *err) {
    wi_status st = wi_read_whole_file(path, SIZE_MAX, bytes, len, err);
    if (st != WI_OK && err) {
        char reason[sizeof err->message];
        snprintf(reason, sizeof reason, "%s", err->message);
        wi_host_error(err, st, "%s: %s", path, reason);
    }
    return st;
}

double wi_host_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

const char *wi_host_default_module_path(char *buf, size_t cap) {
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        snprintf(buf, cap, "build/wasm/wasinfer.wasm");
        return buf;
    }
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) *slash = '\0';
    snprintf(buf, cap, "%.4000s/wasm/wasinfer.wasm", exe);
    return buf;
}
