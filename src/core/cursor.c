/* Bounds-checked reads of varints and fixed-width little-endian integers. */
#include "core/cursor.h"

bool wi_cursor_varint(wi_cursor *c, uint64_t *out) {
    uint64_t value = 0;
    const uint8_t *p = c->pos;
    for (int i = 0; i < 10; i++) {
        if (p >= c->end) return false;
        uint8_t byte = *p++;
        if (i == 9 && byte > 1) return false; /* would overflow 64 bits */
        value |= (uint64_t)(byte & 0x7f) << (7 * i);
        if (!(byte & 0x80)) {
            c->pos = p;
            *out = value;
            return true;
        }
    }
    return false; /* an 11th byte would be needed */
}

bool wi_cursor_fixed32(wi_cursor *c, uint32_t *out) {
    const uint8_t *b;
    if (!wi_cursor_take(c, 4, &b)) return false;
    *out = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return true;
}

bool wi_cursor_fixed64(wi_cursor *c, uint64_t *out) {
    uint32_t lo = 0, hi = 0;
    if (wi_cursor_remaining(c) < 8) return false; /* fail without moving */
    wi_cursor_fixed32(c, &lo);
    wi_cursor_fixed32(c, &hi);
    *out = (uint64_t)lo | (uint64_t)hi << 32;
    return true;
}
