/* Scalar reference convolutions: direct loops, written for clarity, not speed. */
#include "kernels.h"

static float clampf(float x, float lo, float hi) { return x < lo ? lo : (x > hi ? hi : x); }

void wi_f32_conv2d_ref(const wi_conv_geom *g, const float *input, const float *filter,
                       const float *bias, float act_min, float act_max, float *output) {
    for (int oy = 0; oy < g->out_h; oy++)
        for (int ox = 0; ox < g->out_w; ox++) {
            float *out = output + ((size_t)oy * g->out_w + ox) * g->out_c;
            for (int oc = 0; oc < g->out_c; oc++) out[oc] = bias ? bias[oc] : 0.0f;
            for (int ky = 0; ky < g->kernel_h; ky++) {
                int iy = oy * g->stride_h - g->pad_top + ky * g->dilation_h;
                if (iy < 0 || iy >= g->in_h) continue;
                for (int kx = 0; kx < g->kernel_w; kx++) {
                    int ix = ox * g->stride_w - g->pad_left + kx * g->dilation_w;
                    if (ix < 0 || ix >= g->in_w) continue;
                    const float *in = input + ((size_t)iy * g->in_w + ix) * g->in_c;
                    const float *w = filter + ((size_t)ky * g->kernel_w + kx) * g->in_c * g->out_c;
                    for (int ic = 0; ic < g->in_c; ic++)
                        for (int oc = 0; oc < g->out_c; oc++)
                            out[oc] += in[ic] * w[(size_t)ic * g->out_c + oc];
                }
            }
            for (int oc = 0; oc < g->out_c; oc++) out[oc] = clampf(out[oc], act_min, act_max);
        }
}

void wi_f32_dwconv2d_ref(const wi_conv_geom *g, const float *input, const float *filter,
                         const float *bias, float act_min, float act_max, float *output) {
    const int c_n = g->in_c;
    for (int oy = 0; oy < g->out_h; oy++)
        for (int ox = 0; ox < g->out_w; ox++) {
            float *out = output + ((size_t)oy * g->out_w + ox) * c_n;
            for (int c = 0; c < c_n; c++) out[c] = bias ? bias[c] : 0.0f;
            for (int ky = 0; ky < g->kernel_h; ky++) {
                int iy = oy * g->stride_h - g->pad_top + ky * g->dilation_h;
                if (iy < 0 || iy >= g->in_h) continue;
                for (int kx = 0; kx < g->kernel_w; kx++) {
                    int ix = ox * g->stride_w - g->pad_left + kx * g->dilation_w;
                    if (ix < 0 || ix >= g->in_w) continue;
                    const float *in = input + ((size_t)iy * g->in_w + ix) * c_n;
                    const float *w = filter + ((size_t)ky * g->kernel_w + kx) * c_n;
                    for (int c = 0; c < c_n; c++) out[c] += in[c] * w[c];
                }
            }
            for (int c = 0; c < c_n; c++) out[c] = clampf(out[c], act_min, act_max);
        }
}
