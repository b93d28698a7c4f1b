/*
 * buf.h - a growable byte buffer with a hard cap, for request bodies, fetched images and
 * response text. Appends fail (return -1) instead of growing past the cap, so a client can
 * never make the service allocate more than the configured limit.
 */
#ifndef WI_SERVER_BUF_H
#define WI_SERVER_BUF_H

#include <stddef.h>

typedef struct wi_buf {
    char *data; /* NUL-terminated when len < cap (always kept one spare byte) */
    size_t len;
    size_t alloc;
    size_t max; /* 0: no cap beyond SIZE_MAX/2 */
} wi_buf;

void wi_buf_init(wi_buf *b, size_t max);
void wi_buf_free(wi_buf *b);
/* Makes room for `extra` more bytes. 0 on success, -1 over the cap or out of memory. */
int wi_buf_reserve(wi_buf *b, size_t extra);
int wi_buf_append(wi_buf *b, const void *data, size_t len);
int wi_buf_puts(wi_buf *b, const char *s);
int wi_buf_printf(wi_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the data to the caller (malloc'ed, NUL-terminated) and resets the buffer. */
char *wi_buf_take(wi_buf *b, size_t *len);

#endif
