/* tfjs-test-util.h - helpers for the TF.js tests: small model.json documents written in the
 * tests, loading from memory, and running a model on a given input. */
#ifndef WI_TESTS_TFJS_UTIL_H
#define WI_TESTS_TFJS_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "formats/test-data.h"
#include "wasinfer.h"

#define TJ_V1_DIR "models/tfjs/mobilenet_v1_025_224_graph"

/* Reads the real TF.js model's model.json and shard from the test data; 0, or -1 after
 * printing which file is missing. */
static inline int tj_read_v1(unsigned char **json, size_t *jlen, unsigned char **weights, size_t *wlen) {
    *jlen = *wlen = 0;
    *json = wi_test_read_data(TJ_V1_DIR "/model.json", jlen);
    *weights = *json ? wi_test_read_data(TJ_V1_DIR "/group1-shard1of1", wlen) : NULL;
    if (*weights) return 0;
    free(*json);
    return -1;
}

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

/* ---- pieces of model.json for the written models ---- */

/* base64 of attribute strings */
#define B64_SAME "U0FNRQ=="
#define B64_VALID "VkFMSUQ="
#define B64_NHWC "TkhXQw=="
#define B64_BIASADD "Qmlhc0FkZA=="
#define B64_RELU6 "UmVsdTY="
#define B64_RELU "UmVsdQ=="
#define B64_FUSEDBN "RnVzZWRCYXRjaE5vcm0="

#define T_FLOAT "\"T\":{\"type\":\"DT_FLOAT\"}"
#define INPUT(shape) "{\"name\":\"x\",\"op\":\"Placeholder\",\"attr\":{\"dtype\":{\"type\":\"DT_FLOAT\"},\"shape\":{\"shape\":{\"dim\":[" shape "]}}}}"
#define INPUT_6x6x3 INPUT("{\"size\":\"-1\"},{\"size\":\"6\"},{\"size\":\"6\"},{\"size\":\"3\"}")
#define CONST(name) "{\"name\":\"" name "\",\"op\":\"Const\",\"attr\":{\"dtype\":{\"type\":\"DT_FLOAT\"},\"value\":{\"tensor\":{\"dtype\":\"DT_FLOAT\"}}}}"
#define CONV_ATTRS(stride, pad) \
    T_FLOAT ",\"strides\":{\"list\":{\"i\":[\"1\",\"" stride "\",\"" stride "\",\"1\"]}},\"padding\":{\"s\":\"" pad "\"}," \
    "\"data_format\":{\"s\":\"" B64_NHWC "\"},\"dilations\":{\"list\":{\"i\":[\"1\",\"1\",\"1\",\"1\"]}}"
#define FUSED(list, args) ",\"fused_ops\":{\"list\":{\"s\":[" list "]}},\"num_args\":{\"i\":\"" args "\"},\"epsilon\":{\"f\":0.001}"
#define NODE(name, op, inputs, attrs) \
    "{\"name\":\"" name "\",\"op\":\"" op "\",\"input\":[" inputs "],\"attr\":{" attrs "}}"
#define WEIGHT(name, shape) "{\"name\":\"" name "\",\"shape\":[" shape "],\"dtype\":\"float32\"}"

#endif
