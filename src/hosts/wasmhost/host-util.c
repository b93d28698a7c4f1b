/* Small helpers of the Wasmtime host: errors, whole-file reads, a monotonic clock. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
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

wi_status wi_host_read_file(const char *path, uint8_t **bytes, size_t *len, wi_error *err) {
    *bytes = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        return wi_host_error(err, errno == ENOENT ? WI_E_NOT_FOUND : WI_E_IO, "%s: %s", path,
                             strerror(errno));
    }
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        uint8_t *grown = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
        if (!grown) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = grown;
        cap *= 2;
    }
    int failed = ferror(f);
    fclose(f);
    if (!buf) return wi_host_error(err, WI_E_OUT_OF_MEMORY, "%s: out of memory reading it", path);
    if (failed) {
        free(buf);
        return wi_host_error(err, WI_E_IO, "%s: read error", path);
    }
    *bytes = buf;
    *len = n;
    return WI_OK;
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
