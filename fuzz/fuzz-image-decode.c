/*
 * fuzz-image-decode.c - wi_image_decode (JPEG, PNG, BMP, GIF over stb_image plus our own
 * structural checks) on arbitrary bytes, then wi_image_to_tensor of the decoded picture with
 * each resize filter and pixel range, to a small size chosen by the input's first bytes.
 *
 * The pixel limit is lowered to 2^20 so a header claiming a huge picture is refused quickly
 * (the limit path is what is tested) instead of filling memory.
 */
#include <string.h>

#include "fuzz.h"
#include "wasinfer.h"

enum { FUZZ_MAX_PIXELS = 1 << 20 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wi_image image;
    wi_error err;
    wi_status st = wi_image_decode(data, size, FUZZ_MAX_PIXELS, &image, &err);
    if (fuzz_verbose())
        fprintf(stderr, "  decode: %s\n", st == WI_OK ? "ok" : err.message);
    if (st != WI_OK) {
        if (image.pixels) fuzz_fail("failed decode left pixels");
        if (!err.message[0]) fuzz_fail("decode error without a message");
        return 0;
    }
    if (image.width <= 0 || image.height <= 0 || image.channels != 3 || !image.pixels)
        fuzz_fail("decoded %dx%dx%d", image.width, image.height, image.channels);
    if ((size_t)image.width * (size_t)image.height > FUZZ_MAX_PIXELS)
        fuzz_fail("decoded %dx%d beyond the pixel limit", image.width, image.height);
    volatile unsigned sink = 0; /* read every pixel: ASan checks the buffer's extent */
    for (size_t i = 0; i < (size_t)image.width * image.height * 3; i++) sink += image.pixels[i];
    (void)sink;

    /* Target sizes from bytes the decoder also read, so the corpus steers them: 1..32. */
    int tw = 1 + (size > 8 ? data[size - 1] % 32 : 7);
    int th = 1 + (size > 8 ? data[size - 2] % 32 : 5);
    float *tensor = malloc((size_t)tw * th * 3 * sizeof *tensor);
    if (tensor) {
        static const wi_resize_filter filters[] = {WI_RESIZE_BILINEAR, WI_RESIZE_NEAREST,
                                                   WI_RESIZE_BICUBIC};
        for (size_t f = 0; f < sizeof filters / sizeof filters[0]; f++) {
            wi_preprocess_options pre = {.filter = filters[f],
                                         .range = (wi_pixel_range)(f + (size & 1)),
                                         .mean = {0.485f, 0.456f, 0.406f},
                                         .std = {0.229f, 0.224f, 0.225f}};
            if (wi_image_to_tensor(&image, tw, th, &pre, tensor, &err) != WI_OK)
                fuzz_fail("to_tensor %dx%d -> %dx%d: %s", image.width, image.height, tw, th,
                          err.message);
        }
        free(tensor);
    }
    wi_image_free(&image);
    return 0;
}
