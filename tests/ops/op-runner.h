/* op-runner.h - builds small graphs in C and runs them through the real model builder and
 * session (TFLite Micro's KernelRunner idea): no model file needed. */
#ifndef WI_TEST_OP_RUNNER_H
#define WI_TEST_OP_RUNNER_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ir/dump.h"
#include "ir/graph.h"
#include "runtime/model.h"

static uint64_t og_rng = 88172645463325252ull;
static uint64_t og_seed = 88172645463325252ull;

static inline void og_reseed(uint64_t seed) { og_rng = og_seed = seed ? seed : 1; }
static inline float og_rand(float lo, float hi) {
    og_rng ^= og_rng << 13;
    og_rng ^= og_rng >> 7;
    og_rng ^= og_rng << 17;
    return lo + (hi - lo) * (float)(og_rng >> 40) / (float)(1 << 24);
}
static inline float *og_rand_buf(size_t n, float lo, float hi) {
    float *p = malloc((n ? n : 1) * sizeof(float));
    for (size_t i = 0; i < n; i++) p[i] = og_rand(lo, hi);
    return p;
}

static inline int og_input(wi_graph *g, int rank, const int64_t *dims) {
    int id = wi_graph_add_value(g, "x");
    if (id < 0 || wi_value_set_shape(g, &g->values[id], WI_DTYPE_FLOAT32, rank, dims, NULL) != WI_OK) return -1;
    return id;
}

static inline int og_const(wi_graph *g, const char *name, wi_dtype dtype, int rank,
                           const int64_t *dims, const void *data) {
    int id = -1;
    if (wi_graph_add_const(g, name, dtype, rank, dims, data, &id, NULL) != WI_OK) return -1;
    return id;
}

static inline int og_const_ints(wi_graph *g, const char *name, int count, const int32_t *data) {
    int64_t dims[1] = {count};
    return og_const(g, name, WI_DTYPE_INT32, 1, dims, data);
}

/* Adds node `op` reading `inputs`; returns its output value's id. */
static inline int og_node(wi_graph *g, wi_op_kind op, const char *name, const int *inputs,
                          int count, const wi_op_params *params) {
    char vname[128];
    snprintf(vname, sizeof vname, "%s", name);
    int out = wi_graph_add_value(g, vname);
    int id = wi_graph_add_node(g, op, name, NULL, inputs, count, out);
    if (id < 0) return -1;
    if (params) g->nodes[id].params = *params;
    return out;
}

static inline wi_op_params og_conv_params(int stride_h, int stride_w, int dil_h, int dil_w,
                                          wi_padding padding) {
    wi_op_params p;
    memset(&p, 0, sizeof p);
    p.conv.stride_h = stride_h;
    p.conv.stride_w = stride_w;
    p.conv.dilation_h = dil_h;
    p.conv.dilation_w = dil_w;
    p.conv.padding = padding;
    p.conv.act_min = -INFINITY;
    p.conv.act_max = INFINITY;
    p.conv.channel_multiplier = 1;
    return p;
}

/* Builds a model from `g` (consumed), runs it on x and returns a malloc'd copy of the output
 * (count in *count), or NULL with the message printed. `dump` (optional) gets the optimized
 * graph as text. */
static inline float *og_run(wi_graph *g, int input, int output, const float *x, size_t *count,
                            unsigned flags, char *dump, size_t dump_cap) {
    wi_model *m = NULL;
    wi_error err;
    if (wi_model_build(g, input, output, 1, WI_FORMAT_TF_GRAPHDEF, flags, &m, &err) != WI_OK) {
        fprintf(stderr, "build failed: %s\n", err.message);
        return NULL;
    }
    if (dump) wi_graph_dump(m->graph, dump, dump_cap);
    wi_session *s = NULL;
    float *copy = NULL;
    size_t n = 0;
    if (wi_session_create(m, NULL, &s, &err) != WI_OK) {
        fprintf(stderr, "session failed: %s\n", err.message);
    } else {
        float *in = wi_session_input_buffer(s, 0, &n);
        memcpy(in, x, n * sizeof(float));
        if (wi_session_run(s) != WI_OK) {
            fprintf(stderr, "run failed: %s\n", wi_session_errmsg(s));
        } else {
            const float *out = wi_session_output(s, 0, count);
            copy = malloc((*count ? *count : 1) * sizeof(float));
            memcpy(copy, out, *count * sizeof(float));
        }
    }
    wi_session_free(s);
    wi_model_free(m);
    return copy;
}

/* Prepares `g` up to shapes and reports the first error (for rejection tests). */
static inline wi_status og_build_error(wi_graph *g, int input, int output, wi_error *err) {
    wi_model *m = NULL;
    wi_status st = wi_model_build(g, input, output, 1, WI_FORMAT_TF_GRAPHDEF, 0, &m, err);
    wi_model_free(m);
    return st;
}

#endif
