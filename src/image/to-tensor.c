/*
 * to-tensor.c - RGB8 image -> float32 [H, W, 3] model input: resize the whole image (no
 * crop), then scale pixels into the model's range.
 *
 * Resizing happens in 8 bits, as in the reference pipeline (PIL resize, then numpy scaling),
 * so the floats we produce are the reference's exactly.
 */
#include <math.h>
#include <stdlib.h>

#include "image/image-internal.h"

/* Largest side we resize to: far above any model input, small enough that sizes never
 * overflow an int or a 32-bit size_t. */
#define MAX_TENSOR_SIDE 16384

static wi_status check_range(const wi_preprocess_options *o, wi_error *err)
{
    switch (o->range) {
    case WI_RANGE_MINUS1_1:
    case WI_RANGE_0_1:
    case WI_RANGE_0_255:
        return WI_OK;
    case WI_RANGE_MEAN_STD:
        for (int c = 0; c < 3; c++)
            if (!(o->std[c] != 0.0f) || !isfinite(o->std[c]) || !isfinite(o->mean[c]))
                return wi_error_set(err, WI_E_INVALID_ARGUMENT,
                                     "image: mean/std range needs finite values and std != 0 "
                                     "(channel %d: mean %g, std %g)",
                                     c, o->mean[c], o->std[c]);
        return WI_OK;
    default:
        return wi_error_set(err, WI_E_INVALID_ARGUMENT, "image: unknown pixel range %d",
                             (int)o->range);
    }
}

static void scale_pixels(const uint8_t *px, size_t n, const wi_preprocess_options *o, float *dst)
{
    switch (o->range) {
    case WI_RANGE_MINUS1_1:
        for (size_t i = 0; i < n; i++) dst[i] = px[i] / 127.5f - 1.0f;
        break;
    case WI_RANGE_0_1:
        for (size_t i = 0; i < n; i++) dst[i] = px[i] / 255.0f;
        break;
    case WI_RANGE_0_255:
        for (size_t i = 0; i < n; i++) dst[i] = px[i];
        break;
    case WI_RANGE_MEAN_STD:
        for (size_t i = 0; i < n; i++) {
            int c = (int)(i % 3);
            dst[i] = (px[i] / 255.0f - o->mean[c]) / o->std[c];
        }
        break;
    }
}

wi_status wi_image_to_tensor(const wi_image *image, int width, int height,
                             const wi_preprocess_options *options, float *dst, wi_error *err)
{
    wi_error_clear(err);
    if (!image || !image->pixels || !options || !dst)
        return wi_error_set(err, WI_E_INVALID_ARGUMENT, "image: NULL argument to to_tensor");
    if (image->channels != 3 || image->width <= 0 || image->height <= 0)
        return wi_error_set(err, WI_E_INVALID_ARGUMENT,
                             "image: expected an RGB image, got %dx%d with %d channels",
                             image->width, image->height, image->channels);
    if (width <= 0 || height <= 0 || width > MAX_TENSOR_SIDE || height > MAX_TENSOR_SIDE)
        return wi_error_set(err, WI_E_INVALID_ARGUMENT,
                             "image: target size %dx%d outside 1..%d", width, height,
                             MAX_TENSOR_SIDE);
    wi_status st = check_range(options, err);
    if (st != WI_OK) return st;

    size_t n = (size_t)width * (size_t)height * 3;
    uint8_t *resized = malloc(n);
    if (!resized) return wi_error_set(err, WI_E_OUT_OF_MEMORY, "image: out of memory resizing");
    st = wi_resize_rgb8(image->pixels, image->width, image->height, resized, width, height,
                        options->filter, err);
    if (st == WI_OK) scale_pixels(resized, n, options, dst);
    free(resized);
    return st;
}
