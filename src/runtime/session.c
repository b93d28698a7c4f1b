/* Sessions: one aligned arena per session (planned at load) and a buffer pointer per value;
 * running hands them to the executor, which never allocates. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/checked.h"
#include "core/error.h"
#include "ops/op.h"
#include "runtime/executor.h"
#include "runtime/model.h"

#define WI_ARENA_ALIGN 64

struct wi_session {
    const wi_model *model;
    void *block;        /* the one allocation: arena, then conv scratch */
    void **data;        /* [value_count]: constant data or a slice of the arena */
    void *scratch;
    wi_threadpool *pool;
    int has_output;
    double *node_ms;    /* profiling: per-node totals, or NULL when off */
    int64_t profiled_runs;
    char errmsg[WI_ERROR_MESSAGE_MAX];
};

void wi_session_options_init(wi_session_options *o) {
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->threads = 1;
}

wi_status wi_session_create(const wi_model *model, const wi_session_options *options,
                            wi_session **out, wi_error *err) {
    wi_error_clear(err);
    if (!out) return wi_error_set(err, WI_E_INVALID_ARGUMENT, "out_session is NULL");
    *out = NULL;
    if (!model) return wi_error_set(err, WI_E_INVALID_ARGUMENT, "model is NULL");
    int threads = options ? options->threads : 1;
    if (threads < 1 || threads > 256)
        return wi_error_set(err, WI_E_INVALID_ARGUMENT, "threads must be 1..256, got %d", threads);
    const wi_graph *g = model->graph;
    size_t arena, total, scratch = wi_model_scratch_bytes(model, threads);
    if (!wi_align_size(model->stats.arena_bytes, WI_ARENA_ALIGN, &arena) ||
        !wi_add_size(arena, scratch, &total) ||
        !wi_add_size(total, WI_ARENA_ALIGN, &total))
        return wi_error_set(err, WI_E_LIMIT, "session arena too large");
    wi_session *s = calloc(1, sizeof *s);
    if (!s) return wi_error_set(err, WI_E_OUT_OF_MEMORY, "out of memory creating a session");
    s->model = model;
    s->block = calloc(1, total);
    s->data = calloc((size_t)g->value_count + 1, sizeof(void *));
    if (!s->block || !s->data) {
        wi_session_free(s);
        return wi_error_set(err, WI_E_OUT_OF_MEMORY, "out of memory for a %zu-byte arena", total);
    }
    uint8_t *base = (uint8_t *)(((uintptr_t)s->block + WI_ARENA_ALIGN - 1) & ~(uintptr_t)(WI_ARENA_ALIGN - 1));
    for (int v = 0; v < g->value_count; v++) {
        const wi_value *val = &g->values[v];
        if (val->data) s->data[v] = val->data;
        else if (val->is_input || val->producer >= 0) s->data[v] = base + val->arena_offset;
    }
    s->scratch = scratch ? base + arena : NULL;
    if (threads > 1) s->pool = wi_threadpool_create(threads); /* NULL: run on the caller */
    *out = s;
    return WI_OK;
}

void wi_session_free(wi_session *s) {
    if (!s) return;
    wi_threadpool_free(s->pool);
    free(s->node_ms);
    free(s->data);
    free(s->block);
    free(s);
}

const wi_model *wi_session_model(const wi_session *s) { return s ? s->model : NULL; }

static wi_status session_fail(wi_session *s, wi_status st, const char *msg) {
    size_t n = strlen(msg);
    if (n >= sizeof s->errmsg) n = sizeof s->errmsg - 1;
    memcpy(s->errmsg, msg, n);
    s->errmsg[n] = '\0';
    return st;
}

float *wi_session_input_buffer(wi_session *s, int index, size_t *count) {
    if (!s || index != 0) return NULL;
    const wi_value *v = &s->model->graph->values[s->model->input];
    if (count) *count = (size_t)wi_value_elements(v);
    return s->data[s->model->input];
}

wi_status wi_session_set_input(wi_session *s, int index, const float *data, size_t count) {
    if (!s) return WI_E_INVALID_ARGUMENT;
    s->errmsg[0] = '\0';
    if (index != 0) return session_fail(s, WI_E_INVALID_ARGUMENT, "input index out of range");
    if (!data) return session_fail(s, WI_E_INVALID_ARGUMENT, "input data is NULL");
    size_t expected;
    float *dst = wi_session_input_buffer(s, index, &expected);
    if (count != expected) {
        char msg[128];
        snprintf(msg, sizeof msg, "input has %zu elements, expected %zu", count, expected);
        return session_fail(s, WI_E_INVALID_ARGUMENT, msg);
    }
    memcpy(dst, data, count * sizeof(float));
    return WI_OK;
}

wi_status wi_session_run(wi_session *s) {
    if (!s) return WI_E_INVALID_ARGUMENT;
    s->errmsg[0] = '\0';
    s->has_output = 0;
    wi_exec x = {s->data, s->scratch, s->pool};
    wi_status st = wi_execute(s->model->graph, &x, s->node_ms, s->errmsg, sizeof s->errmsg);
    s->has_output = st == WI_OK;
    if (s->node_ms) s->profiled_runs++;
    return st;
}

wi_status wi_session_set_profiling(wi_session *s, int enabled) {
    if (!s) return WI_E_INVALID_ARGUMENT;
    free(s->node_ms);
    s->node_ms = NULL;
    s->profiled_runs = 0;
    if (!enabled) return WI_OK;
    s->node_ms = calloc((size_t)s->model->graph->node_count + 1, sizeof *s->node_ms);
    return s->node_ms ? WI_OK : session_fail(s, WI_E_OUT_OF_MEMORY, "out of memory for profiling");
}

int wi_session_profile(const wi_session *s, wi_node_profile *out, int cap) {
    if (!s || !s->node_ms) return 0;
    const wi_graph *g = s->model->graph;
    for (int i = 0; out && i < g->node_count && i < cap; i++)
        out[i] = (wi_node_profile){g->nodes[i].name, g->nodes[i].label, s->node_ms[i], s->profiled_runs};
    return g->node_count;
}

const float *wi_session_output(const wi_session *s, int index, size_t *count) {
    if (!s || index != 0 || !s->has_output) return NULL;
    const wi_value *v = &s->model->graph->values[s->model->output];
    if (v->dtype != WI_DTYPE_FLOAT32) return NULL;
    if (count) *count = (size_t)wi_value_elements(v);
    return s->data[s->model->output];
}

const char *wi_session_errmsg(const wi_session *s) { return s ? s->errmsg : ""; }
