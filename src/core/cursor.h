/* cursor.h - a bounds-checked reader over a byte range. Every parser reads through one, so
 * no length from a file can move a pointer outside the bytes it was given. */
#ifndef WI_CORE_CURSOR_H
#define WI_CORE_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct wi_cursor {
    const uint8_t *pos;
    const uint8_t *end;
} wi_cursor;

static inline wi_cursor wi_cursor_make(const void *bytes, size_t len) {
    wi_cursor c;
    c.pos = (const uint8_t *)bytes;
    c.end = c.pos + len;
    return c;
}

static inline size_t wi_cursor_remaining(const wi_cursor *c) { return (size_t)(c->end - c->pos); }

/* Takes the next n bytes (*out points at them); false, without moving, if fewer remain. */
static inline bool wi_cursor_take(wi_cursor *c, size_t n, const uint8_t **out) {
    if (n > wi_cursor_remaining(c)) return false;
    *out = c->pos;
    c->pos += n;
    return true;
}

/* Reads a little-endian base-128 varint of at most 10 bytes; false when truncated or too
 * long, or when the 10th byte carries bits beyond 64. */
bool wi_cursor_varint(wi_cursor *c, uint64_t *out);

/* Reads 4 or 8 little-endian bytes. */
bool wi_cursor_fixed32(wi_cursor *c, uint32_t *out);
bool wi_cursor_fixed64(wi_cursor *c, uint64_t *out);

#endif
