/*
 * test-image-resize.c - resize filters on cases worked out by hand, and pixel range scaling.
 * (test-image-pil.c checks the same filters against Pillow on real photographs.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "wasinfer.h"

/* Resizes a [h, w] grey ramp given as one value per pixel (replicated to RGB), range 0..255. */
static void resize_grey(const uint8_t *grey, int w, int h, int dw, int dh, wi_resize_filter f,
                        float *out_grey)
{
    wi_image img = {w, h, 3, malloc((size_t)w * h * 3)};
    for (int i = 0; i < w * h; i++) memset(img.pixels + i * 3, grey[i], 3);
    wi_preprocess_options o = {f, WI_RANGE_0_255, {0, 0, 0}, {1, 1, 1}};
    float *t = malloc(sizeof *t * dw * dh * 3);
    wi_error err;
    assert_int_equal(wi_image_to_tensor(&img, dw, dh, &o, t, &err), WI_OK);
    for (int i = 0; i < dw * dh; i++) {
        assert_float_equal(t[i * 3], t[i * 3 + 1], 0);
        assert_float_equal(t[i * 3], t[i * 3 + 2], 0);
        out_grey[i] = t[i * 3];
    }
    free(t);
    free(img.pixels);
}

static void bilinear_shrink_by_two_antialiases(void **state)
{
    /* Scale 2: support 2, taps at x=0,1,2 with weights .75 .75 .25 (normalized by 1.75), so
     * out[0] = (3a + 3b + c) / 7, not the (a + b) / 2 of a point-sampling bilinear. */
    const uint8_t row[4] = {0, 70, 140, 210};
    float out[2];
    resize_grey(row, 4, 1, 2, 1, WI_RESIZE_BILINEAR, out);
    assert_float_equal(out[0], 50.0f, 0);             /* (0 + 210 + 140) / 7 */
    assert_float_equal(out[1], 160.0f, 0);            /* (70 + 3*140 + 3*210) / 7 */
}

static void bilinear_enlarge_interpolates(void **state)
{
    /* Scale 1/2: centers at .25 and .75 of a source pixel; the first output only sees pixel 0,
     * the second is .75 a + .25 b. */
    const uint8_t row[2] = {0, 200};
    float out[4];
    resize_grey(row, 2, 1, 4, 1, WI_RESIZE_BILINEAR, out);
    assert_float_equal(out[0], 0.0f, 0);
    assert_float_equal(out[1], 50.0f, 0);
    assert_float_equal(out[2], 150.0f, 0);
    assert_float_equal(out[3], 200.0f, 0);
}

static void nearest_picks_centres(void **state)
{
    const uint8_t row[4] = {10, 20, 30, 40};
    float out[2];
    resize_grey(row, 4, 1, 2, 1, WI_RESIZE_NEAREST, out); /* floor((x + .5) * 2) = 1, 3 */
    assert_float_equal(out[0], 20.0f, 0);
    assert_float_equal(out[1], 40.0f, 0);
    float up[3];
    resize_grey(row, 2, 1, 3, 1, WI_RESIZE_NEAREST, up); /* floor((x + .5) * 2/3) = 0, 1, 1 */
    assert_float_equal(up[0], 10.0f, 0);
    assert_float_equal(up[1], 20.0f, 0);
    assert_float_equal(up[2], 20.0f, 0);
}

static void bicubic_overshoot_is_clipped(void **state)
{
    /* A hard edge enlarged with a = -0.5 rings below 0 and above 255: the output clips. */
    const uint8_t row[4] = {0, 0, 255, 255};
    float out[16];
    resize_grey(row, 4, 1, 16, 1, WI_RESIZE_BICUBIC, out);
    int saw0 = 0, saw255 = 0, between = 0;
    for (int i = 0; i < 16; i++) {
        assert_true(out[i] >= 0.0f && out[i] <= 255.0f);
        saw0 |= out[i] == 0.0f;
        saw255 |= out[i] == 255.0f;
        between |= out[i] > 0.0f && out[i] < 255.0f;
    }
    assert_true(saw0 && saw255 && between);
    /* and it is monotone across the edge apart from the clipped ringing */
    for (int i = 1; i < 16; i++) assert_true(out[i] >= out[i - 1]);
}

static void flat_images_stay_flat(void **state)
{
    static const wi_resize_filter filters[] = {WI_RESIZE_BILINEAR, WI_RESIZE_NEAREST, WI_RESIZE_BICUBIC};
    static const int sizes[][2] = {{1, 1}, {7, 3}, {224, 224}, {500, 2}};
    uint8_t grey[37 * 23];
    memset(grey, 123, sizeof grey);
    for (int f = 0; f < 3; f++)
        for (int s = 0; s < 4; s++) {
            int dw = sizes[s][0], dh = sizes[s][1];
            float *out = malloc(sizeof *out * dw * dh);
            resize_grey(grey, 37, 23, dw, dh, filters[f], out);
            for (int i = 0; i < dw * dh; i++) assert_float_equal(out[i], 123.0f, 0);
            free(out);
        }
}

static void same_size_is_identity(void **state)
{
    uint8_t grey[6 * 5];
    for (int i = 0; i < 30; i++) grey[i] = (uint8_t)(i * 8);
    for (int f = 0; f < 3; f++) {
        float out[30];
        resize_grey(grey, 6, 5, 6, 5, (wi_resize_filter)f, out);
        for (int i = 0; i < 30; i++) assert_float_equal(out[i], grey[i], 0);
    }
}

static void ranges_scale_as_documented(void **state)
{
    uint8_t px[3 * 3] = {0, 51, 255, 255, 127, 0, 10, 20, 30};
    wi_image img = {3, 1, 3, px};
    float t[9];
    wi_error err;
    wi_preprocess_options o = {WI_RESIZE_BILINEAR, WI_RANGE_MINUS1_1, {0, 0, 0}, {1, 1, 1}};
    assert_int_equal(wi_image_to_tensor(&img, 3, 1, &o, t, &err), WI_OK);
    assert_float_equal(t[0], -1.0f, 1e-6);
    assert_float_equal(t[2], 1.0f, 1e-6);
    assert_float_equal(t[4], 127 / 127.5f - 1.0f, 1e-6);
    o.range = WI_RANGE_0_1;
    assert_int_equal(wi_image_to_tensor(&img, 3, 1, &o, t, &err), WI_OK);
    assert_float_equal(t[1], 0.2f, 1e-6);
    assert_float_equal(t[3], 1.0f, 1e-6);
    o.range = WI_RANGE_0_255;
    assert_int_equal(wi_image_to_tensor(&img, 3, 1, &o, t, &err), WI_OK);
    for (int i = 0; i < 9; i++) assert_float_equal(t[i], px[i], 0);
    o.range = WI_RANGE_MEAN_STD;
    const float mean[3] = {0.485f, 0.456f, 0.406f}, std[3] = {0.229f, 0.224f, 0.225f};
    memcpy(o.mean, mean, sizeof mean);
    memcpy(o.std, std, sizeof std);
    assert_int_equal(wi_image_to_tensor(&img, 3, 1, &o, t, &err), WI_OK);
    for (int i = 0; i < 9; i++)
        assert_float_equal(t[i], (px[i] / 255.0f - mean[i % 3]) / std[i % 3], 1e-5);
    o.std[1] = 0.0f;
    assert_int_equal(wi_image_to_tensor(&img, 3, 1, &o, t, &err), WI_E_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "std"));
}

static void bad_arguments_are_errors(void **state)
{
    uint8_t px[3] = {1, 2, 3};
    wi_image img = {1, 1, 3, px};
    float t[3];
    wi_error err;
    wi_preprocess_options o = {WI_RESIZE_BILINEAR, WI_RANGE_0_1, {0, 0, 0}, {1, 1, 1}};
    assert_int_equal(wi_image_to_tensor(&img, 0, 1, &o, t, &err), WI_E_INVALID_ARGUMENT);
    assert_int_equal(wi_image_to_tensor(&img, 1, 100000, &o, t, &err), WI_E_INVALID_ARGUMENT);
    assert_int_equal(wi_image_to_tensor(NULL, 1, 1, &o, t, &err), WI_E_INVALID_ARGUMENT);
    o.filter = (wi_resize_filter)7;
    assert_int_equal(wi_image_to_tensor(&img, 2, 2, &o, t, &err), WI_E_INVALID_ARGUMENT);
    o.filter = WI_RESIZE_BILINEAR;
    o.range = (wi_pixel_range)9;
    assert_int_equal(wi_image_to_tensor(&img, 1, 1, &o, t, &err), WI_E_INVALID_ARGUMENT);
    img.channels = 4;
    o.range = WI_RANGE_0_1;
    assert_int_equal(wi_image_to_tensor(&img, 1, 1, &o, t, &err), WI_E_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bilinear_shrink_by_two_antialiases),
        cmocka_unit_test(bilinear_enlarge_interpolates),
        cmocka_unit_test(nearest_picks_centres),
        cmocka_unit_test(bicubic_overshoot_is_clipped),
        cmocka_unit_test(flat_images_stay_flat),
        cmocka_unit_test(same_size_is_identity),
        cmocka_unit_test(ranges_scale_as_documented),
        cmocka_unit_test(bad_arguments_are_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
