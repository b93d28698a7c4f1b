/*
 * image-internal.h - helpers shared by the image and classify stages (not public API).
 */
#ifndef WI_IMAGE_INTERNAL_H
#define WI_IMAGE_INTERNAL_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "wasinfer.h"

/* Records `status` and a printf-style message in `err` (which may be NULL); returns `status`
 * so callers can write `return wi_image_fail(err, WI_E_LIMIT, "...", ...)`. */
static inline wi_status wi_image_fail(wi_error *err, wi_status status, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->status = status;
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return status;
}

static inline void wi_image_clear_error(wi_error *err)
{
    if (err) {
        err->status = WI_OK;
        err->message[0] = '\0';
    }
}

/* Resizes packed RGB8 `src` [sh, sw, 3] into `dst` [dh, dw, 3] with Pillow's algorithms
 * (Image.resize with NEAREST, BILINEAR or BICUBIC, no reducing_gap), bit for bit. */
wi_status wi_resize_rgb8(const uint8_t *src, int sw, int sh, uint8_t *dst, int dw, int dh,
                         wi_resize_filter filter, wi_error *err);

#endif
