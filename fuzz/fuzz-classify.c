/*
 * fuzz-classify.c - wi_classify end to end (decode, resize, normalise, run, top-k) on
 * arbitrary image bytes and options, with a tiny model built in memory on the first call:
 *   x: Placeholder [1,4,4,3] -> Conv2D with a [4,4,3,5] filter, VALID -> [1,1,1,5] -> Softmax
 * so every run is cheap and the classifier's glue (sizes, options, top-k, errors) is what is
 * fuzzed. Input: byte 0 chooses top_k, filter and range; the rest is the image.
 */
#include <string.h>

#include "fuzz.h"
#include "malformed-model/pb-writer.h"
#include "wasinfer.h"

enum { FUZZ_MAX_PIXELS = 1 << 20, CLASSES = 5 };

static wi_model *g_model;     /* built once; reachable until exit, so not a leak */
static wi_session *g_session;

static void build_model(void)
{
    pbw g = {0}, n;
    tf_node_begin(&n, "x", "Placeholder");
    tf_attr_type(&n, "dtype", 1);
    int64_t xd[4] = {1, 4, 4, 3};
    tf_attr_shape(&n, "shape", xd, 4);
    pbw_msg(&g, 1, &n);

    float w[4 * 4 * 3 * CLASSES];
    for (int i = 0; i < (int)(sizeof w / sizeof w[0]); i++) w[i] = (float)((i * 7) % 11 - 5) * 0.01f;
    tf_node_begin(&n, "w", "Const");
    tf_attr_type(&n, "dtype", 1);
    int64_t wd[4] = {4, 4, 3, CLASSES};
    tf_attr_tensor(&n, 1, wd, 4, w, (int)(sizeof w / sizeof w[0]), 1);
    pbw_msg(&g, 1, &n);

    tf_node_begin(&n, "conv", "Conv2D");
    tf_input(&n, "x");
    tf_input(&n, "w");
    tf_attr_type(&n, "T", 1);
    tf_attr_s(&n, "padding", "VALID");
    int64_t strides[4] = {1, 1, 1, 1};
    tf_attr_ints(&n, "strides", strides, 4);
    pbw_msg(&g, 1, &n);

    tf_node_begin(&n, "prob", "Softmax");
    tf_input(&n, "conv");
    tf_attr_type(&n, "T", 1);
    pbw_msg(&g, 1, &n);

    wi_error err;
    if (wi_model_load(g.p, g.n, NULL, &g_model, &err) != WI_OK)
        fuzz_fail("the harness's own model does not load: %s", err.message);
    if (wi_session_create(g_model, NULL, &g_session, &err) != WI_OK)
        fuzz_fail("no session for the harness's model: %s", err.message);
    free(g.p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_model) build_model();
    if (size < 1) return 0;
    wi_classify_options opts;
    wi_classify_options_init(&opts);
    opts.top_k = (data[0] & 7) - 1; /* -1..6: below, at and above the 5 classes */
    opts.preprocess.filter = (wi_resize_filter)((data[0] >> 3) % 3);
    opts.preprocess.range = (wi_pixel_range)((data[0] >> 5) & 3);
    opts.max_pixels = FUZZ_MAX_PIXELS;

    wi_class_score top[8];
    int count = -1;
    int capacity = 1 + (data[0] >> 7) * 7; /* 1 or 8 */
    wi_error err;
    wi_status st = wi_classify(g_session, data + 1, size - 1, &opts, top, capacity, &count, NULL,
                               &err);
    if (st != WI_OK) {
        if (!err.message[0]) fuzz_fail("classify error without a message");
        return 0;
    }
    if (count < 0 || count > capacity || count > CLASSES)
        fuzz_fail("%d results for capacity %d", count, capacity);
    for (int i = 0; i < count; i++) {
        if (top[i].index < 0 || top[i].index >= CLASSES) fuzz_fail("class %d", top[i].index);
        if (!(top[i].prob >= 0.0f && top[i].prob <= 1.0001f)) fuzz_fail("probability %g", top[i].prob);
        if (i > 0 && top[i].prob > top[i - 1].prob) fuzz_fail("results out of order");
    }
    return 0;
}
