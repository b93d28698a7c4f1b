/*
 * image-internal.h - the image stage's internal interface (not public API).
 */
#ifndef WI_IMAGE_INTERNAL_H
#define WI_IMAGE_INTERNAL_H

#include <stdint.h>

#include "core/error.h" /* wi_error_set, wi_error_clear */
#include "wasinfer.h"

/* Resizes packed RGB8 `src` [sh, sw, 3] into `dst` [dh, dw, 3] with Pillow's algorithms
 * (Image.resize with NEAREST, BILINEAR or BICUBIC, no reducing_gap), bit for bit. */
wi_status wi_resize_rgb8(const uint8_t *src, int sw, int sh, uint8_t *dst, int dw, int dh,
                         wi_resize_filter filter, wi_error *err);

#endif
