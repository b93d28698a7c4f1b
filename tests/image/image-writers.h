/*
 * image-writers.h - tiny PNG, BMP and GIF encoders for tests, so every format variant the
 * decoder promises is made at test time with known pixels (no stored image files).
 * Each returns a malloc'ed buffer (*len bytes) or NULL on a bad argument.
 */
#ifndef WI_TEST_IMAGE_WRITERS_H
#define WI_TEST_IMAGE_WRITERS_H

#include <stddef.h>
#include <stdint.h>

enum { PNG_GREY = 0, PNG_RGB = 2, PNG_PALETTE = 3, PNG_GREY_ALPHA = 4, PNG_RGBA = 6 };

/* `samples`: w*h*channels values (channels from color_type; palette: one index), each below
 * 2^bit_depth. `palette`: palette_n RGB triples for PNG_PALETTE. interlace: 1 = Adam7.
 * The image data is stored in uncompressed deflate blocks. */
uint8_t *png_write(int w, int h, int color_type, int bit_depth, int interlace,
                   const uint16_t *samples, const uint8_t *palette, int palette_n, size_t *len);

/* Rewrites the width and height in a PNG's IHDR (and its CRC). */
void png_set_size(uint8_t *png, uint32_t w, uint32_t h);

/* 24-bit uncompressed bottom-up BMP from RGB8 [h, w, 3]. */
uint8_t *bmp_write_rgb(int w, int h, const uint8_t *rgb, size_t *len);

/* GIF89a with a 256-colour global palette (RGB triples) and `frames` frames of w*h indices
 * each (frame f at indices + f*w*h). */
uint8_t *gif_write(int w, int h, const uint8_t *palette, const uint8_t *indices, int frames,
                   size_t *len);

/* Reads a whole file; NULL if it cannot. */
uint8_t *test_read_file(const char *path, size_t *len);

/* $WASINFER_DATA, or ../shared/data relative to the source tree when it is unset. */
const char *test_data_dir(void);

#endif
