/*
 * options.c - defaults of wi_classify_options (apart from classify.c so that programs using
 * only the image stage do not link the engine).
 */
#include "wasinfer.h"

void wi_classify_options_init(wi_classify_options *options)
{
    if (!options) return;
    options->top_k = 5;
    options->preprocess.filter = WI_RESIZE_BILINEAR;
    options->preprocess.range = WI_RANGE_MINUS1_1;
    for (int c = 0; c < 3; c++) {
        options->preprocess.mean[c] = 0.0f;
        options->preprocess.std[c] = 1.0f;
    }
    options->max_pixels = WI_DEFAULT_MAX_PIXELS;
}
