/*
 * test-image-decode.c - wi_image_decode on the real sample photographs and on every PNG, BMP
 * and GIF variant we promise, made at test time with known pixels.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image-writers.h"
#include "wasinfer.h"

/* Width and height from the file's own header, read independently of the decoder. */
static int header_size(const uint8_t *p, size_t n, int *w, int *h)
{
    if (n > 24 && memcmp(p, "\x89PNG", 4) == 0) {
        *w = p[16] << 24 | p[17] << 16 | p[18] << 8 | p[19];
        *h = p[20] << 24 | p[21] << 16 | p[22] << 8 | p[23];
        return 1;
    }
    for (size_t i = 2; i + 9 < n;) { /* JPEG: walk segments to the first SOFn */
        if (p[i] != 0xFF) return 0;
        uint8_t m = p[i + 1];
        if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
            *h = p[i + 5] << 8 | p[i + 6];
            *w = p[i + 7] << 8 | p[i + 8];
            return 1;
        }
        i += 2 + (size_t)(p[i + 2] << 8 | p[i + 3]);
    }
    return 0;
}

static void real_images_decode_at_their_size(void **state)
{
    static const char *names[] = {"burger.jpg", "cat.jpg", "cat_720p.jpg", "cats_and_dogs.jpg",
                                  "dogs.jpg", "golden-retriever.jpeg", "grace_hopper.jpg",
                                  "hot_dog.jpg", "husky.jpeg", "husky_original.jpg",
                                  "multi_objects.jpg", "owl.jpg", "parrot.jpg", "sparrow.png"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/images/%s", test_data_dir(), names[i]);
        size_t len = 0;
        uint8_t *bytes = test_read_file(path, &len);
        if (!bytes) fail_msg("missing test image %s: set WASINFER_DATA to the folder holding "
                             "models/ images/ labels/", path);
        int w = 0, h = 0;
        assert_true(header_size(bytes, len, &w, &h));
        wi_image img;
        wi_error err;
        wi_status st = wi_image_decode(bytes, len, 0, &img, &err);
        if (st != WI_OK) fail_msg("%s: %s", names[i], err.message);
        assert_int_equal(img.width, w);
        assert_int_equal(img.height, h);
        assert_int_equal(img.channels, 3);
        /* a real photograph is not a flat grey fill */
        long sum = 0, sq = 0, n = (long)w * h * 3;
        for (long k = 0; k < n; k++) sum += img.pixels[k], sq += (long)img.pixels[k] * img.pixels[k];
        double mean = (double)sum / n, var = (double)sq / n - mean * mean;
        assert_true(var > 100.0);
        /* one pixel less than the image has is refused before decoding */
        wi_image small;
        assert_int_equal(wi_image_decode(bytes, len, (size_t)w * h - 1, &small, &err), WI_E_LIMIT);
        assert_null(small.pixels);
        assert_non_null(strstr(err.message, "exceeds the limit"));
        wi_image_free(&img);
        free(bytes);
    }
}

static uint16_t test_sample(int x, int y, int c, int max) { return (uint16_t)((x * 7 + y * 13 + c * 29) % (max + 1)); }

/* Decodes `png` and checks every pixel against expect(x, y) -> RGB. */
static void check_png(uint8_t *png, size_t len, int w, int h,
                      void (*expect)(int x, int y, uint8_t rgb[3], const void *ctx), const void *ctx)
{
    wi_image img;
    wi_error err;
    wi_status st = wi_image_decode(png, len, 0, &img, &err);
    if (st != WI_OK) fail_msg("decode: %s", err.message);
    assert_int_equal(img.width, w);
    assert_int_equal(img.height, h);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t rgb[3];
            expect(x, y, rgb, ctx);
            const uint8_t *px = img.pixels + ((size_t)y * w + x) * 3;
            if (memcmp(px, rgb, 3) != 0)
                fail_msg("pixel (%d,%d): got %d,%d,%d want %d,%d,%d", x, y, px[0], px[1], px[2],
                         rgb[0], rgb[1], rgb[2]);
        }
    wi_image_free(&img);
    free(png);
}

typedef struct png_case {
    int color_type, depth, interlace;
} png_case;

static void expect_from_samples(int x, int y, uint8_t rgb[3], const void *ctx)
{
    const png_case *pc = ctx;
    int max = (1 << pc->depth) - 1;
    for (int c = 0; c < 3; c++) {
        int channel = (pc->color_type == PNG_GREY || pc->color_type == PNG_GREY_ALPHA) ? 0 : c;
        uint16_t v = test_sample(x, y, channel, max);
        if (pc->depth == 16) rgb[c] = (uint8_t)(v >> 8);
        else if (pc->depth == 8) rgb[c] = (uint8_t)v;
        else rgb[c] = (uint8_t)(v * 255 / max); /* low-bit grey is scaled to 0..255 */
    }
}

static uint8_t *make_png(const png_case *pc, int w, int h, size_t *len)
{
    int ch = pc->color_type == PNG_RGB ? 3 : pc->color_type == PNG_RGBA ? 4
           : pc->color_type == PNG_GREY_ALPHA ? 2 : 1;
    int max = (1 << pc->depth) - 1;
    uint16_t *s = malloc(sizeof *s * w * h * ch);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < ch; c++) s[((size_t)y * w + x) * ch + c] = test_sample(x, y, c, max);
    uint8_t *png = png_write(w, h, pc->color_type, pc->depth, pc->interlace, s, NULL, 0, len);
    free(s);
    return png;
}

static void png_variants_decode_exactly(void **state)
{
    static const png_case cases[] = {
        {PNG_RGB, 8, 0},  {PNG_RGB, 16, 0},  {PNG_RGB, 8, 1},  {PNG_RGB, 16, 1},
        {PNG_RGBA, 8, 0}, {PNG_RGBA, 16, 1}, {PNG_GREY, 8, 0}, {PNG_GREY, 16, 0},
        {PNG_GREY, 1, 0}, {PNG_GREY, 2, 1},  {PNG_GREY, 4, 0}, {PNG_GREY_ALPHA, 8, 1},
        {PNG_GREY_ALPHA, 16, 0}};
    /* 13x11: odd sizes exercise partial bytes and every Adam7 pass edge */
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t len = 0;
        uint8_t *png = make_png(&cases[i], 13, 11, &len);
        check_png(png, len, 13, 11, expect_from_samples, &cases[i]);
    }
}

typedef struct palette_case {
    const uint8_t *palette;
    const uint16_t *idx;
    int w;
} palette_case;

static void expect_from_palette(int x, int y, uint8_t rgb[3], const void *ctx)
{
    const palette_case *pc = ctx;
    memcpy(rgb, pc->palette + pc->idx[y * pc->w + x] * 3, 3);
}

static void png_palette_decodes_exactly(void **state)
{
    static const int depths[] = {1, 2, 4, 8};
    for (int d = 0; d < 4; d++) {
        for (int interlace = 0; interlace < 2; interlace++) {
            int depth = depths[d], n = 1 << depth, w = 9, h = 7;
            uint8_t palette[256 * 3];
            for (int i = 0; i < n * 3; i++) palette[i] = (uint8_t)(i * 37 + 11);
            uint16_t idx[9 * 7];
            for (int i = 0; i < w * h; i++) idx[i] = (uint16_t)((i * 5 + 3) % n);
            size_t len = 0;
            uint8_t *png = png_write(w, h, PNG_PALETTE, depth, interlace, idx, palette, n, &len);
            palette_case pc = {palette, idx, w};
            check_png(png, len, w, h, expect_from_palette, &pc);
        }
    }
}

static void bmp_decodes_exactly(void **state)
{
    int w = 5, h = 3; /* 15-byte rows: exercises row padding */
    uint8_t rgb[5 * 3 * 3];
    for (int i = 0; i < w * h * 3; i++) rgb[i] = (uint8_t)(i * 17 + 1);
    size_t len = 0;
    uint8_t *bmp = bmp_write_rgb(w, h, rgb, &len);
    wi_image img;
    wi_error err;
    assert_int_equal(wi_image_decode(bmp, len, 0, &img, &err), WI_OK);
    assert_int_equal(img.width, w);
    assert_int_equal(img.height, h);
    assert_memory_equal(img.pixels, rgb, sizeof rgb);
    wi_image_free(&img);
    /* a BMP missing its last row is refused rather than padded */
    assert_int_equal(wi_image_decode(bmp, len - 16, 0, &img, &err), WI_E_MALFORMED);
    assert_non_null(strstr(err.message, "BMP"));
    free(bmp);
}

static void gif_first_frame_decodes_exactly(void **state)
{
    int w = 31, h = 17; /* more than 250 pixels: crosses the writer's clear codes */
    uint8_t palette[256 * 3];
    for (int i = 0; i < 256 * 3; i++) palette[i] = (uint8_t)(i * 7 + 5);
    uint8_t idx[2 * 31 * 17];
    for (int i = 0; i < w * h; i++) idx[i] = (uint8_t)((i * 11) % 256), idx[w * h + i] = (uint8_t)(255 - i % 256);
    size_t len = 0;
    uint8_t *gif = gif_write(w, h, palette, idx, 2, &len);
    wi_image img;
    wi_error err;
    wi_status st = wi_image_decode(gif, len, 0, &img, &err);
    if (st != WI_OK) fail_msg("gif: %s", err.message);
    assert_int_equal(img.width, w);
    assert_int_equal(img.height, h);
    for (int i = 0; i < w * h; i++) assert_memory_equal(img.pixels + i * 3, palette + idx[i] * 3, 3);
    wi_image_free(&img);
    free(gif);
}

static void bad_arguments_are_errors(void **state)
{
    wi_image img;
    wi_error err;
    assert_int_equal(wi_image_decode("x", 0, 0, &img, &err), WI_E_MALFORMED);
    assert_string_equal(err.message, "image: empty (0 bytes)");
    assert_int_equal(wi_image_decode(NULL, 10, 0, &img, &err), WI_E_INVALID_ARGUMENT);
    assert_int_equal(wi_image_decode("abc", 3, 0, NULL, &err), WI_E_INVALID_ARGUMENT);
    assert_int_equal(wi_image_decode("hello world", 11, 0, &img, NULL), WI_E_MALFORMED);
    wi_image_free(NULL);
    wi_image zero = {0};
    wi_image_free(&zero);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(real_images_decode_at_their_size),
        cmocka_unit_test(png_variants_decode_exactly),
        cmocka_unit_test(png_palette_decodes_exactly),
        cmocka_unit_test(bmp_decodes_exactly),
        cmocka_unit_test(gif_first_frame_decodes_exactly),
        cmocka_unit_test(bad_arguments_are_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
