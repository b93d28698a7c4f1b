/* wi_conv_kernel: for now every convolution runs the scalar reference kernels.
 * Fast per-ISA kernels plug in here (see kernels.h). */
#include <stdlib.h>
#include <string.h>
#include "kernels.h"

struct wi_conv_kernel {
    wi_conv_geom geom;
    float *filter; /* copy of the filter in the reference layout */
    float *bias;   /* [out_c], never NULL */
    float act_min, act_max;
    size_t filter_count;
};

wi_status wi_conv_kernel_create(const wi_conv_geom *geom, const float *filter, const float *bias,
                                float act_min, float act_max, wi_conv_kernel **out) {
    *out = NULL;
    if (!geom || !filter) return WI_E_INVALID_ARGUMENT;
    size_t count = (size_t)geom->kernel_h * geom->kernel_w * geom->in_c *
                   (geom->depthwise ? 1 : (size_t)geom->out_c);
    wi_conv_kernel *k = calloc(1, sizeof *k);
    if (!k) return WI_E_OUT_OF_MEMORY;
    k->geom = *geom;
    k->filter_count = count;
    k->filter = malloc(count * sizeof(float));
    k->bias = calloc((size_t)geom->out_c, sizeof(float));
    if (!k->filter || !k->bias) { wi_conv_kernel_free(k); return WI_E_OUT_OF_MEMORY; }
    memcpy(k->filter, filter, count * sizeof(float));
    if (bias) memcpy(k->bias, bias, (size_t)geom->out_c * sizeof(float));
    k->act_min = act_min;
    k->act_max = act_max;
    *out = k;
    return WI_OK;
}

void wi_conv_kernel_free(wi_conv_kernel *k) {
    if (!k) return;
    free(k->filter);
    free(k->bias);
    free(k);
}

size_t wi_conv_kernel_scratch_bytes(const wi_conv_kernel *k) { (void)k; return 0; }

size_t wi_conv_kernel_weight_bytes(const wi_conv_kernel *k) {
    return (k->filter_count + (size_t)k->geom.out_c) * sizeof(float);
}

const char *wi_conv_kernel_name(const wi_conv_kernel *k) { (void)k; return "ref"; }

void wi_conv_kernel_run(const wi_conv_kernel *k, const float *input, float *output,
                        void *scratch, wi_threadpool *pool) {
    (void)scratch; (void)pool;
    if (k->geom.depthwise)
        wi_f32_dwconv2d_ref(&k->geom, input, k->filter, k->bias, k->act_min, k->act_max, output);
    else
        wi_f32_conv2d_ref(&k->geom, input, k->filter, k->bias, k->act_min, k->act_max, output);
}
