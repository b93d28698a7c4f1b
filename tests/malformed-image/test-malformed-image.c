/*
 * test-malformed-image.c - broken images give a clean error, never a crash, a hang or a leak
 * (this suite also runs under ASan + UBSan). The corpus is made at test time from the real
 * sample photographs and from synthetic images; nothing is stored.
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

static const char *const REAL[] = {"grace_hopper.jpg", "husky.jpeg", "golden-retriever.jpeg",
                                   "sparrow.png"};
enum { REAL_COUNT = sizeof REAL / sizeof *REAL };

static uint8_t *read_real(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/images/%s", test_data_dir(), name);
    uint8_t *p = test_read_file(path, len);
    if (!p) fail_msg("missing test image %s: set WASINFER_DATA to the folder holding models/ "
                     "images/ labels/", path);
    return p;
}

static uint32_t rng_state;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13, rng_state ^= rng_state >> 17, rng_state ^= rng_state << 5;
    return rng_state;
}

/* Decodes and checks the outcome is one of the clean ones; returns the status. */
static wi_status decode_clean(const uint8_t *p, size_t n, const char *what)
{
    wi_image img;
    wi_error err;
    wi_status st = wi_image_decode(p, n, 0, &img, &err);
    if (st == WI_OK) {
        assert_true(img.width > 0 && img.height > 0 && img.pixels != NULL);
        assert_string_equal(err.message, "");
        wi_image_free(&img);
        return st;
    }
    if (st != WI_E_MALFORMED && st != WI_E_LIMIT && st != WI_E_UNSUPPORTED)
        fail_msg("%s: unexpected status %d (%s)", what, st, err.message);
    assert_null(img.pixels);
    assert_int_equal(err.status, st);
    assert_true(strncmp(err.message, "image: ", 7) == 0);
    return st;
}

static void truncated_images_are_refused(void **state)
{
    for (int i = 0; i < REAL_COUNT; i++) {
        size_t len;
        uint8_t *full = read_real(REAL[i], &len);
        /* every offset in the headers, then ~150 spread over the rest, and the last bytes */
        for (size_t cut = 0; cut < len - 16; cut += cut < 700 ? 1 : len / 150 + 1) {
            uint8_t *copy = malloc(cut ? cut : 1); /* exact size: ASan sees any over-read */
            memcpy(copy, full, cut);
            char what[128];
            snprintf(what, sizeof what, "%s cut at %zu of %zu", REAL[i], cut, len);
            if (decode_clean(copy, cut, what) == WI_OK) fail_msg("%s: decoded", what);
            free(copy);
        }
        /* a PNG cut inside IEND's CRC has all its pixels and may decode */
        size_t last = strstr(REAL[i], ".png") ? len - 4 : len;
        for (size_t cut = len - 16; cut < len; cut++) {
            uint8_t *copy = malloc(cut);
            memcpy(copy, full, cut);
            if (decode_clean(copy, cut, REAL[i]) == WI_OK && cut < last)
                fail_msg("%s cut %zu bytes short: decoded", REAL[i], len - cut);
            free(copy);
        }
        free(full);
    }
}

static void bit_flipped_images_never_crash(void **state)
{
    rng_state = 0x5eed1234u;
    for (int i = 0; i < REAL_COUNT; i++) {
        size_t len;
        uint8_t *full = read_real(REAL[i], &len);
        uint8_t *copy = malloc(len);
        int flips = strstr(REAL[i], ".png") ? 40 : 150; /* the PNG is large: slow under ASan */
        for (int k = 0; k < flips; k++) {
            memcpy(copy, full, len);
            uint32_t seed = rng_state;
            /* half the flips land in the first 1 KiB, where the headers are */
            size_t at = (k & 1) ? rng() % (len < 1024 ? len : 1024) : rng() % len;
            copy[at] ^= (uint8_t)(1u << (rng() % 8));
            char what[160];
            snprintf(what, sizeof what, "%s with bit flipped at %zu (rng seed %u)", REAL[i], at, seed);
            decode_clean(copy, len, what); /* OK (a damaged but readable picture) or an error */
        }
        free(copy);
        free(full);
    }
}

static void random_and_empty_bytes_are_refused(void **state)
{
    wi_image img;
    wi_error err;
    assert_int_equal(wi_image_decode("", 0, 0, &img, &err), WI_E_MALFORMED);
    rng_state = 0xC0FFEEu;
    for (int k = 0; k < 200; k++) {
        size_t n = 1 + rng() % 4096;
        uint8_t *p = malloc(n);
        for (size_t i = 0; i < n; i++) p[i] = (uint8_t)rng();
        assert_int_equal(wi_image_decode(p, n, 0, &img, &err), WI_E_MALFORMED);
        /* the same garbage behind each format's signature */
        static const char *const magic[] = {"\xFF\xD8\xFF", "\x89PNG\r\n\x1a\n", "BM", "GIF89a"};
        for (int m = 0; m < 4; m++) {
            size_t ml = strlen(magic[m]);
            if (n < ml) continue;
            memcpy(p, magic[m], ml);
            char what[64];
            snprintf(what, sizeof what, "random bytes %d behind magic %d", k, m);
            decode_clean(p, n, what);
        }
        free(p);
    }
    /* a signature alone */
    assert_int_equal(wi_image_decode("\xFF\xD8\xFF", 3, 0, &img, &err), WI_E_MALFORMED);
    assert_int_equal(wi_image_decode("\x89PNG\r\n\x1a\n", 8, 0, &img, &err), WI_E_MALFORMED);
    assert_int_equal(wi_image_decode("GIF89a", 6, 0, &img, &err), WI_E_MALFORMED);
    assert_int_equal(wi_image_decode("BM", 2, 0, &img, &err), WI_E_MALFORMED);
}

static void absurd_dimensions_hit_the_limit(void **state)
{
    wi_image img;
    wi_error err;
    /* PNG whose header claims 100000 x 100000 over a 1 x 1 payload */
    uint16_t px[3] = {1, 2, 3};
    size_t len;
    uint8_t *png = png_write(1, 1, PNG_RGB, 8, 0, px, NULL, 0, &len);
    png_set_size(png, 100000, 100000);
    assert_int_equal(wi_image_decode(png, len, 0, &img, &err), WI_E_LIMIT);
    assert_null(img.pixels);
    png_set_size(png, 9000, 9000); /* under stb's limit, over ours (64 Mi pixels) */
    assert_int_equal(wi_image_decode(png, len, 0, &img, &err), WI_E_LIMIT);
    assert_non_null(strstr(err.message, "9000x9000"));
    png_set_size(png, 300, 300); /* under the limit: the payload is simply too short */
    assert_int_equal(wi_image_decode(png, len, 0, &img, &err), WI_E_MALFORMED);
    png_set_size(png, 0, 5);
    decode_clean(png, len, "PNG 0x5");
    free(png);

    /* JPEG whose SOF0 claims 65535 x 65535 */
    size_t jlen;
    uint8_t *jpg = read_real("golden-retriever.jpeg", &jlen);
    int patched = 0;
    for (size_t i = 2; i + 9 < jlen && !patched;) {
        uint8_t m = jpg[i + 1];
        if (m == 0xC0 || m == 0xC2) {
            jpg[i + 5] = jpg[i + 6] = jpg[i + 7] = jpg[i + 8] = 0xFF;
            patched = 1;
        }
        i += 2 + (size_t)(jpg[i + 2] << 8 | jpg[i + 3]);
    }
    assert_true(patched);
    assert_int_equal(wi_image_decode(jpg, jlen, 0, &img, &err), WI_E_LIMIT);
    assert_non_null(strstr(err.message, "65535x65535"));
    free(jpg);

    /* BMP claiming 100000 x 100000 */
    uint8_t rgb[3] = {9, 8, 7};
    uint8_t *bmp = bmp_write_rgb(1, 1, rgb, &len);
    for (int i = 0; i < 4; i++) bmp[18 + i] = bmp[22 + i] = (uint8_t)(100000 >> (8 * i));
    assert_int_equal(wi_image_decode(bmp, len, 0, &img, &err), WI_E_LIMIT);
    free(bmp);

    /* GIF claiming 65535 x 65535 */
    uint8_t pal[768] = {0}, idx[1] = {0};
    uint8_t *gif = gif_write(1, 1, pal, idx, 1, &len);
    memset(gif + 6, 0xFF, 4);
    decode_clean(gif, len, "GIF 65535x65535"); /* stb may refuse it itself: any clean error */
    wi_status st = wi_image_decode(gif, len, 0, &img, &err);
    assert_true(st == WI_E_LIMIT || st == WI_E_MALFORMED);
    free(gif);
}

static void truncated_synthetic_formats_never_crash(void **state)
{
    uint8_t rgb[17 * 9 * 3], pal[768], idx[17 * 9];
    for (size_t i = 0; i < sizeof rgb; i++) rgb[i] = (uint8_t)(i * 31);
    for (size_t i = 0; i < sizeof pal; i++) pal[i] = (uint8_t)i;
    for (size_t i = 0; i < sizeof idx; i++) idx[i] = (uint8_t)(i * 3);
    uint16_t s16[17 * 9 * 4];
    for (size_t i = 0; i < 17 * 9 * 4; i++) s16[i] = (uint16_t)(i * 997);
    size_t lens[4];
    uint8_t *files[4] = {bmp_write_rgb(17, 9, rgb, &lens[0]), gif_write(17, 9, pal, idx, 1, &lens[1]),
                         png_write(17, 9, PNG_RGBA, 16, 1, s16, NULL, 0, &lens[2]),
                         png_write(17, 9, PNG_GREY, 8, 0, s16, NULL, 0, &lens[3])};
    for (int f = 0; f < 4; f++) {
        for (size_t cut = 0; cut < lens[f]; cut++) {
            uint8_t *copy = malloc(cut ? cut : 1);
            memcpy(copy, files[f], cut);
            char what[64];
            snprintf(what, sizeof what, "file %d cut at %zu of %zu", f, cut, lens[f]);
            wi_status st = decode_clean(copy, cut, what);
            /* GIF: stb pads a short stream; PNG: a cut in IEND's CRC leaves every pixel */
            int may_decode = f == 1 || (f >= 2 && cut >= lens[f] - 4);
            if (!may_decode && st == WI_OK) fail_msg("%s: decoded", what);
            free(copy);
        }
        free(files[f]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(truncated_images_are_refused),
        cmocka_unit_test(bit_flipped_images_never_crash),
        cmocka_unit_test(random_and_empty_bytes_are_refused),
        cmocka_unit_test(absurd_dimensions_hit_the_limit),
        cmocka_unit_test(truncated_synthetic_formats_never_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
