/* buf.c - growable byte buffer with a cap (see buf.h). */
#include "server/buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void wi_buf_init(wi_buf *b, size_t max) {
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->max = max ? max : SIZE_MAX / 2;
}

void wi_buf_free(wi_buf *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->alloc = 0;
}

int wi_buf_reserve(wi_buf *b, size_t extra) {
    if (extra > b->max || b->len > b->max - extra)
        return -1;
    size_t need = b->len + extra + 1; /* +1 keeps room for a terminating NUL */
    if (need <= b->alloc)
        return 0;
    size_t n = b->alloc ? b->alloc : 256;
    while (n < need)
        n = n > SIZE_MAX / 4 ? need : n * 2;
    char *p = realloc(b->data, n);
    if (!p)
        return -1;
    b->data = p;
    b->alloc = n;
    return 0;
}

int wi_buf_append(wi_buf *b, const void *data, size_t len) {
    if (wi_buf_reserve(b, len) != 0)
        return -1;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

int wi_buf_puts(wi_buf *b, const char *s) { return wi_buf_append(b, s, strlen(s)); }

int wi_buf_printf(wi_buf *b, const char *fmt, ...) {
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    if ((size_t)n < sizeof small)
        return wi_buf_append(b, small, (size_t)n);
    if (wi_buf_reserve(b, (size_t)n) != 0)
        return -1;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

char *wi_buf_take(wi_buf *b, size_t *len) {
    if (!b->data && wi_buf_reserve(b, 0) != 0)
        return NULL;
    char *p = b->data;
    p[b->len] = '\0';
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->alloc = 0;
    return p;
}
