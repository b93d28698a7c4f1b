/* checked.h - overflow-checked size arithmetic. Every size computed from input goes through
 * these, so a hostile shape becomes an error instead of a short allocation. */
#ifndef WI_CORE_CHECKED_H
#define WI_CORE_CHECKED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* *out = a * b; false on overflow. */
static inline bool wi_mul_size(size_t a, size_t b, size_t *out) {
    if (a != 0 && b > SIZE_MAX / a) return false;
    *out = a * b;
    return true;
}

/* *out = a + b; false on overflow. */
static inline bool wi_add_size(size_t a, size_t b, size_t *out) {
    if (b > SIZE_MAX - a) return false;
    *out = a + b;
    return true;
}

/* *out = a * b for non-negative a, b; false on overflow or a negative operand. */
static inline bool wi_mul_i64(int64_t a, int64_t b, int64_t *out) {
    if (a < 0 || b < 0) return false;
    if (a != 0 && b > INT64_MAX / a) return false;
    *out = a * b;
    return true;
}

/* Rounds n up to a multiple of `align` (a power of two); false on overflow. */
static inline bool wi_align_size(size_t n, size_t align, size_t *out) {
    if (n > SIZE_MAX - (align - 1)) return false;
    *out = (n + align - 1) & ~(align - 1);
    return true;
}

#endif
