/*
 * classify.c - image bytes -> top classes: decode, resize to the model's input, run, top-k.
 */
#include <stdlib.h>

#include "classify/clock.h"
#include "core/error.h"

/* The model's input 0 must be an image batch of one: float32 [1, H, W, 3]. */
static wi_status image_input_size(const wi_model *model, int *width, int *height, wi_error *err)
{
    wi_tensor_info in;
    if (!model || wi_model_input_count(model) < 1 || wi_model_input_info(model, 0, &in) != WI_OK)
        return wi_error_set(err, WI_E_UNSUPPORTED, "classify: the model has no input");
    const char *name = in.name ? in.name : "?";
    if (in.dtype != WI_DTYPE_FLOAT32)
        return wi_error_set(err, WI_E_UNSUPPORTED,
                             "classify: input '%s' is %s; an image input must be float32", name,
                             wi_dtype_name(in.dtype));
    /* ONNX image models take NCHW [1,3,H,W]: read H and W one axis later */
    const int nchw = wi_model_input_is_nchw(model), h_axis = nchw ? 2 : 1;
    const int64_t channels = nchw ? in.dims[1] : in.dims[3];
    if (in.rank != 4 || in.dims[0] != 1 || channels != 3 || in.dims[h_axis] <= 0 ||
        in.dims[h_axis + 1] <= 0 || in.dims[h_axis] > 16384 || in.dims[h_axis + 1] > 16384)
        return wi_error_set(err, WI_E_UNSUPPORTED,
                             "classify: input '%s' must be [1,H,W,3] (an RGB image, NHWC) or, "
                             "for an NCHW model, [1,3,H,W]", name);
    *height = (int)in.dims[h_axis];
    *width = (int)in.dims[h_axis + 1];
    return WI_OK;
}

wi_status wi_classify(wi_session *session, const void *image_bytes, size_t image_len,
                      const wi_classify_options *options, wi_class_score *out, int capacity,
                      int *out_count, wi_classify_timing *timing, wi_error *err)
{
    wi_error_clear(err);
    if (out_count) *out_count = 0;
    if (timing) *timing = (wi_classify_timing){0, 0, 0};
    if (!session || !out_count || (!out && capacity > 0) || capacity < 0)
        return wi_error_set(err, WI_E_INVALID_ARGUMENT, "classify: NULL or bad argument");
    wi_classify_options defaults;
    if (!options) {
        wi_classify_options_init(&defaults);
        options = &defaults;
    }
    if (options->top_k < 0)
        return wi_error_set(err, WI_E_INVALID_ARGUMENT, "classify: top_k %d < 0", options->top_k);

    const wi_model *model = wi_session_model(session);
    int width = 0, height = 0;
    wi_status st = image_input_size(model, &width, &height, err);
    if (st != WI_OK) return st;
    size_t input_count = 0;
    float *input = wi_session_input_buffer(session, 0, &input_count);
    if (!input || input_count != (size_t)width * (size_t)height * 3)
        return wi_error_set(err, WI_E_INTERNAL,
                             "classify: session input holds %zu floats, expected %dx%dx3",
                             input_count, height, width);

    double t0 = wi_monotonic_ms();
    wi_image image;
    st = wi_image_decode(image_bytes, image_len, options->max_pixels, &image, err);
    if (st != WI_OK) return st;
    double t1 = wi_monotonic_ms();
    /* NCHW models (ONNX): preprocess into [H,W,3] scratch, then lay it out as [3,H,W] */
    const int nchw = wi_model_input_is_nchw(model);
    float *hwc = nchw ? malloc(sizeof(float) * input_count) : input;
    st = hwc ? wi_image_to_tensor(&image, width, height, &options->preprocess, hwc, err)
             : wi_error_set(err, WI_E_OUT_OF_MEMORY, "classify: out of memory");
    wi_image_free(&image);
    if (nchw && st == WI_OK) {
        const size_t plane = (size_t)width * (size_t)height;
        for (size_t p = 0; p < plane; p++)
            for (size_t c = 0; c < 3; c++) input[c * plane + p] = hwc[p * 3 + c];
    }
    if (nchw) free(hwc);
    if (st != WI_OK) return st;
    double t2 = wi_monotonic_ms();
    st = wi_session_run(session);
    if (st != WI_OK) return wi_error_set(err, st, "%s", wi_session_errmsg(session));
    double t3 = wi_monotonic_ms();

    size_t n = 0;
    const float *scores = wi_session_output(session, 0, &n);
    if (!scores || n == 0)
        return wi_error_set(err, WI_E_INTERNAL, "classify: the model produced no output");
    int k = options->top_k < capacity ? options->top_k : capacity;
    *out_count = wi_top_k(scores, n, !wi_model_output_is_probabilities(model), k, out);
    if (timing) *timing = (wi_classify_timing){t1 - t0, t2 - t1, t3 - t2};
    return WI_OK;
}
