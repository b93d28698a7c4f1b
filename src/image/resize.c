/*
 * resize.c - RGB8 resampling that reproduces Pillow's Image.resize bit for bit.
 *
 * The models' reference preprocessing is PIL's `Image.resize(size, Image.BILINEAR)`, whose
 * "bilinear" is a triangle filter whose support grows with the downscale factor (so it
 * antialiases), evaluated separably: a horizontal pass into an 8-bit intermediate, then a
 * vertical pass, with weights normalized per output pixel and converted to 22-bit fixed
 * point. Matching it exactly (not just approximately) keeps our probabilities identical to
 * the reference's. This follows Pillow's libImaging/Resample.c (precompute_coeffs,
 * normalize_coeffs_8bpc, ImagingResampleHorizontal/Vertical_8bpc); NEAREST follows its
 * affine fast path (ImagingScaleAffine).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/image-internal.h"

#define PRECISION_BITS (32 - 8 - 2)

typedef struct resample_filter {
    double (*fn)(double x);
    double support;
} resample_filter;

static double triangle(double x)
{
    if (x < 0.0) x = -x;
    return x < 1.0 ? 1.0 - x : 0.0;
}

static double cubic(double x) /* Keys' cubic with a = -0.5, as Pillow */
{
    const double a = -0.5;
    if (x < 0.0) x = -x;
    if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
    if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
    return 0.0;
}

/* Per output pixel: the first source index, how many taps, and `ksize` fixed-point weights. */
typedef struct coeffs {
    int ksize;
    int *bounds;    /* [out, 2]: xmin, count */
    int32_t *kk;    /* [out, ksize] */
} coeffs;

static void coeffs_free(coeffs *c)
{
    free(c->bounds);
    free(c->kk);
}

static wi_status coeffs_compute(int in_size, int out_size, const resample_filter *filter,
                                coeffs *c, wi_error *err)
{
    double scale = (double)in_size / out_size;
    double filterscale = scale < 1.0 ? 1.0 : scale;
    double support = filter->support * filterscale;
    int ksize = (int)ceil(support) * 2 + 1;
    memset(c, 0, sizeof *c);
    c->ksize = ksize;
    c->bounds = malloc((size_t)out_size * 2 * sizeof *c->bounds);
    c->kk = malloc((size_t)out_size * (size_t)ksize * sizeof *c->kk);
    double *k = malloc((size_t)ksize * sizeof *k);
    if (!c->bounds || !c->kk || !k) {
        free(k);
        coeffs_free(c);
        return wi_error_set(err, WI_E_OUT_OF_MEMORY, "image: out of memory resizing");
    }
    for (int xx = 0; xx < out_size; xx++) {
        double center = (xx + 0.5) * scale;
        double ww = 0.0, ss = 1.0 / filterscale;
        int xmin = (int)(center - support + 0.5); /* truncation, as Pillow */
        if (xmin < 0) xmin = 0;
        int xmax = (int)(center + support + 0.5);
        if (xmax > in_size) xmax = in_size;
        xmax -= xmin;
        int x = 0;
        for (; x < xmax; x++) {
            double w = filter->fn((x + xmin - center + 0.5) * ss);
            k[x] = w;
            ww += w;
        }
        for (x = 0; x < xmax; x++)
            if (ww != 0.0) k[x] /= ww;
        int32_t *kq = c->kk + (size_t)xx * ksize;
        for (x = 0; x < ksize; x++) {
            double v = x < xmax ? k[x] : 0.0;
            kq[x] = (int32_t)(v < 0 ? -0.5 + v * (1 << PRECISION_BITS)
                                    : 0.5 + v * (1 << PRECISION_BITS));
        }
        c->bounds[xx * 2 + 0] = xmin;
        c->bounds[xx * 2 + 1] = xmax;
    }
    free(k);
    return WI_OK;
}

static uint8_t clip8(int32_t v)
{
    if (v >= (255 << PRECISION_BITS)) return 255;
    if (v <= 0) return 0;
    return (uint8_t)(v >> PRECISION_BITS);
}

/* src rows [row0, row0 + rows) of width sw -> dst [rows, dw] */
static void pass_horizontal(const uint8_t *src, int sw, int row0, int rows, uint8_t *dst, int dw,
                            const coeffs *c)
{
    for (int y = 0; y < rows; y++) {
        const uint8_t *in = src + (size_t)(row0 + y) * sw * 3;
        uint8_t *out = dst + (size_t)y * dw * 3;
        for (int xx = 0; xx < dw; xx++) {
            int xmin = c->bounds[xx * 2], count = c->bounds[xx * 2 + 1];
            const int32_t *k = c->kk + (size_t)xx * c->ksize;
            int32_t s0 = 1 << (PRECISION_BITS - 1), s1 = s0, s2 = s0;
            for (int x = 0; x < count; x++) {
                const uint8_t *px = in + (size_t)(xmin + x) * 3;
                s0 += px[0] * k[x];
                s1 += px[1] * k[x];
                s2 += px[2] * k[x];
            }
            out[xx * 3 + 0] = clip8(s0);
            out[xx * 3 + 1] = clip8(s1);
            out[xx * 3 + 2] = clip8(s2);
        }
    }
}

/* src [.., w] with row bounds already relative to src -> dst [dh, w] */
static void pass_vertical(const uint8_t *src, int w, uint8_t *dst, int dh, const coeffs *c)
{
    size_t stride = (size_t)w * 3;
    for (int yy = 0; yy < dh; yy++) {
        int ymin = c->bounds[yy * 2], count = c->bounds[yy * 2 + 1];
        const int32_t *k = c->kk + (size_t)yy * c->ksize;
        uint8_t *out = dst + (size_t)yy * stride;
        for (size_t i = 0; i < stride; i++) {
            int32_t s = 1 << (PRECISION_BITS - 1);
            for (int y = 0; y < count; y++) s += src[(size_t)(ymin + y) * stride + i] * k[y];
            out[i] = clip8(s);
        }
    }
}

/* Pillow's NEAREST goes through ImagingScaleAffine, which steps the source coordinate by
 * repeated addition from half a step; the rounding of that sum decides exact-boundary cases,
 * so we step the same way instead of computing (x + 0.5) * scale. */
static void nearest_table(int in, int out, int *tab)
{
    double step = (double)in / out, pos = step * 0.5;
    for (int i = 0; i < out; i++, pos += step) {
        int v = pos < 0.0 ? 0 : (int)pos;
        tab[i] = v < in ? v : in - 1;
    }
}

static wi_status resize_nearest(const uint8_t *src, int sw, int sh, uint8_t *dst, int dw, int dh,
                                wi_error *err)
{
    int *xtab = malloc((size_t)dw * sizeof *xtab), *ytab = malloc((size_t)dh * sizeof *ytab);
    if (!xtab || !ytab) {
        free(xtab);
        free(ytab);
        return wi_error_set(err, WI_E_OUT_OF_MEMORY, "image: out of memory resizing");
    }
    nearest_table(sw, dw, xtab);
    nearest_table(sh, dh, ytab);
    for (int y = 0; y < dh; y++)
        for (int x = 0; x < dw; x++)
            memcpy(dst + ((size_t)y * dw + x) * 3, src + ((size_t)ytab[y] * sw + xtab[x]) * 3, 3);
    free(xtab);
    free(ytab);
    return WI_OK;
}

wi_status wi_resize_rgb8(const uint8_t *src, int sw, int sh, uint8_t *dst, int dw, int dh,
                         wi_resize_filter filter, wi_error *err)
{
    if (!src || !dst || sw <= 0 || sh <= 0 || dw <= 0 || dh <= 0)
        return wi_error_set(err, WI_E_INVALID_ARGUMENT, "image: bad resize %dx%d -> %dx%d", sw,
                             sh, dw, dh);
    if (filter == WI_RESIZE_NEAREST) return resize_nearest(src, sw, sh, dst, dw, dh, err);
    resample_filter f;
    if (filter == WI_RESIZE_BILINEAR) f = (resample_filter){triangle, 1.0};
    else if (filter == WI_RESIZE_BICUBIC) f = (resample_filter){cubic, 2.0};
    else return wi_error_set(err, WI_E_INVALID_ARGUMENT, "image: unknown resize filter %d",
                              (int)filter);

    if (sw == dw && sh == dh) { /* Pillow copies when neither pass is needed */
        memcpy(dst, src, (size_t)sw * sh * 3);
        return WI_OK;
    }
    coeffs ch, cv;
    wi_status st = coeffs_compute(sw, dw, &f, &ch, err);
    if (st != WI_OK) return st;
    st = coeffs_compute(sh, dh, &f, &cv, err);
    if (st != WI_OK) {
        coeffs_free(&ch);
        return st;
    }
    /* Only the source rows the vertical pass reads go through the horizontal pass. */
    int row_first = cv.bounds[0];
    int row_last = cv.bounds[dh * 2 - 2] + cv.bounds[dh * 2 - 1];
    uint8_t *tmp = NULL;
    if (sw == dw) {
        pass_vertical(src, sw, dst, dh, &cv);
    } else if (sh == dh) {
        pass_horizontal(src, sw, 0, sh, dst, dw, &ch);
    } else {
        tmp = malloc((size_t)dw * (size_t)(row_last - row_first) * 3);
        if (!tmp) {
            st = wi_error_set(err, WI_E_OUT_OF_MEMORY, "image: out of memory resizing");
        } else {
            for (int i = 0; i < dh; i++) cv.bounds[i * 2] -= row_first;
            pass_horizontal(src, sw, row_first, row_last - row_first, tmp, dw, &ch);
            pass_vertical(tmp, dw, dst, dh, &cv);
        }
    }
    free(tmp);
    coeffs_free(&ch);
    coeffs_free(&cv);
    return st;
}
