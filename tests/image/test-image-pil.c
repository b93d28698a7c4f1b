/*
 * test-image-pil.c - our resize filters against real Pillow on real photographs.
 *
 * The fixture image-pil-reference (make-pil-reference.py) saves Pillow's decode of each photo
 * as PNG and Pillow's Image.resize output as raw RGB; we decode the same PNG and resize it.
 * Resize must agree within 1 grey level (it is meant to be bit-exact). Separately we report
 * how far stb_image's JPEG decode is from Pillow's (libjpeg) and bound the mean difference
 * through decode + resize, which is what the probabilities see.
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

static wi_resize_filter filter_named(const char *name)
{
    if (strcmp(name, "nearest") == 0) return WI_RESIZE_NEAREST;
    if (strcmp(name, "bicubic") == 0) return WI_RESIZE_BICUBIC;
    return WI_RESIZE_BILINEAR;
}

/* Resizes `img` and returns the max and mean |ours - pil| over all samples. */
static void compare(const wi_image *img, const char *filter, int w, int h, const uint8_t *pil,
                    int *max_diff, double *mean_diff)
{
    wi_preprocess_options o = {filter_named(filter), WI_RANGE_0_255, {0, 0, 0}, {1, 1, 1}};
    size_t n = (size_t)w * h * 3;
    float *t = malloc(n * sizeof *t);
    wi_error err;
    if (wi_image_to_tensor(img, w, h, &o, t, &err) != WI_OK) fail_msg("%s", err.message);
    int mx = 0;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        int d = abs((int)t[i] - pil[i]);
        if (d > mx) mx = d;
        sum += d;
    }
    free(t);
    *max_diff = mx;
    *mean_diff = sum / n;
}

static void resize_matches_pillow(void **state)
{
    const char *dir = getenv("WI_PIL_REFERENCE");
    if (!dir) fail_msg("WI_PIL_REFERENCE is not set (run through ctest)");
    char manifest[1024];
    snprintf(manifest, sizeof manifest, "%s/manifest.txt", dir);
    FILE *f = fopen(manifest, "r");
    if (!f) fail_msg("missing %s: the image-pil-reference fixture did not run (needs python3 "
                     "with Pillow: python3 -m pip install -r tools/requirements.txt)", manifest);
    char src[1024], png[1024], rgb[1024], filter[32];
    int w, h, cases = 0;
    while (fscanf(f, "%1023s %1023s %1023s %31s %d %d", src, png, rgb, filter, &w, &h) == 6) {
        size_t png_len, rgb_len, src_len;
        uint8_t *png_bytes = test_read_file(png, &png_len);
        uint8_t *pil = test_read_file(rgb, &rgb_len);
        uint8_t *src_bytes = test_read_file(src, &src_len);
        assert_non_null(png_bytes);
        assert_non_null(pil);
        assert_non_null(src_bytes);
        assert_int_equal(rgb_len, (size_t)w * h * 3);
        wi_image same, ours;
        wi_error err;
        assert_int_equal(wi_image_decode(png_bytes, png_len, 0, &same, &err), WI_OK);
        assert_int_equal(wi_image_decode(src_bytes, src_len, 0, &ours, &err), WI_OK);

        int max_resize, max_pipeline;
        double mean_resize, mean_pipeline;
        compare(&same, filter, w, h, pil, &max_resize, &mean_resize);
        compare(&ours, filter, w, h, pil, &max_pipeline, &mean_pipeline);
        printf("%-22s %-8s %3dx%-3d resize max|d| %d mean %.4f; stb decode + resize max|d| %d "
               "mean %.3f\n", strrchr(src, '/') + 1, filter, w, h, max_resize, mean_resize,
               max_pipeline, mean_pipeline);
        if (max_resize > 1) fail_msg("%s %s %dx%d: resize differs from Pillow by %d levels", src,
                                     filter, w, h, max_resize);
        /* JPEG decoders differ in IDCT and chroma upsampling; on average by well under 2. */
        assert_true(mean_pipeline < 2.0);
        wi_image_free(&same);
        wi_image_free(&ours);
        free(png_bytes);
        free(pil);
        free(src_bytes);
        cases++;
    }
    fclose(f);
    assert_true(cases >= 18);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(resize_matches_pillow)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
