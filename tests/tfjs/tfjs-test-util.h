/* tfjs-test-util.h - helpers for the TF.js tests: small model.json documents written in the
 * tests, loading from memory, and running a model on a given input. */
#ifndef WI_TESTS_TFJS_UTIL_H
#define WI_TESTS_TFJS_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "wasinfer.h"

/* A model.json with `nodes` (the inside of the node array) and one weights group of
 * `weights` (the inside of its weights array). Free with free(). */
static inline char *tj_model(const char *nodes, const char *weights) {
    const char *fmt = "{\"format\":\"graph-model\",\"modelTopology\":{\"node\":[%s],\"library\":{},"
                      "\"versions\":{}},\"weightsManifest\":[{\"paths\":[\"group1-shard1of1.bin\"],"
                      "\"weights\":[%s]}]}";
    size_t n = strlen(fmt) + strlen(nodes) + strlen(weights) + 1;
    char *s = malloc(n);
    if (s) snprintf(s, n, fmt, nodes, weights);
    return s;
}

static inline wi_status tj_load(const char *json, const void *weights, size_t weights_len, wi_model **model,
                                wi_error *err) {
    return wi_model_load_tfjs(json, strlen(json), weights, weights_len, NULL, model, err);
}

/* Runs `model` once on `input` (its whole input tensor); returns a malloc'd copy of output 0
 * (count in *n), or NULL. */
static inline float *tj_run(const wi_model *model, const float *input, size_t *n) {
    wi_session *s = NULL;
    if (wi_session_create(model, NULL, &s, NULL) != WI_OK) return NULL;
    size_t in_count;
    float *in = wi_session_input_buffer(s, 0, &in_count);
    memcpy(in, input, in_count * sizeof(float));
    float *copy = NULL;
    if (wi_session_run(s) == WI_OK) {
        const float *out = wi_session_output(s, 0, n);
        copy = malloc(*n * sizeof(float));
        if (copy) memcpy(copy, out, *n * sizeof(float));
    }
    wi_session_free(s);
    return copy;
}

/* Deterministic pseudo-random floats in [lo, hi). */
static inline void tj_fill(float *x, size_t n, unsigned seed, float lo, float hi) {
    uint32_t s = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        x[i] = lo + (hi - lo) * (float)(s >> 8) / 16777216.0f;
    }
}

static inline float tj_max_abs_diff(const float *a, const float *b, size_t n) {
    float m = 0.0f;
    for (size_t i = 0; i < n; i++) {
        float d = a[i] > b[i] ? a[i] - b[i] : b[i] - a[i];
        if (!(d <= m)) m = d; /* NaN counts as a difference */
    }
    return m;
}

#endif
