/* backend-native.c - the in-process backend: one wi_model shared read-only by all workers,
 * one wi_session per worker thread (see backend.h). */
#include "server/backend.h"

#include "core/error.h"

#include <stdlib.h>

struct wi_backend {
    wi_model *model;
};

struct wi_backend_worker {
    wi_session *session;
};

static wi_status native_create(const wi_backend_config *config, wi_backend **out, wi_error *err) {
    *out = NULL;
    wi_backend *b = calloc(1, sizeof *b);
    if (!b)
        return wi_error_set(err, WI_E_OUT_OF_MEMORY, "native backend: out of memory");
    wi_model_options options;
    wi_model_options_init(&options);
    options.input_name = config->input_name;
    options.output_name = config->output_name;
    wi_status st = wi_model_load_file(config->model_path, &options, &b->model, err);
    if (st != WI_OK) {
        free(b);
        return st;
    }
    *out = b;
    return WI_OK;
}

static void native_destroy(wi_backend *b) {
    if (!b)
        return;
    wi_model_free(b->model);
    free(b);
}

static wi_status native_describe(wi_backend *b, wi_tensor_info *input, wi_tensor_info *output) {
    wi_status st = wi_model_input_info(b->model, 0, input);
    return st != WI_OK ? st : wi_model_output_info(b->model, 0, output);
}

static wi_status native_worker_create(wi_backend *b, wi_backend_worker **out, wi_error *err) {
    *out = NULL;
    wi_backend_worker *w = calloc(1, sizeof *w);
    if (!w)
        return wi_error_set(err, WI_E_OUT_OF_MEMORY, "native backend: out of memory");
    wi_status st = wi_session_create(b->model, NULL, &w->session, err);
    if (st != WI_OK) {
        free(w);
        return st;
    }
    *out = w;
    return WI_OK;
}

static void native_worker_destroy(wi_backend_worker *w) {
    if (!w)
        return;
    wi_session_free(w->session);
    free(w);
}

static wi_status native_classify(wi_backend_worker *w, const void *image, size_t image_len,
                                 const wi_classify_options *options, wi_class_score *out,
                                 int capacity, int *out_count, wi_classify_timing *timing,
                                 wi_error *err) {
    return wi_classify(w->session, image, image_len, options, out, capacity, out_count, timing, err);
}

const wi_backend_vtable wi_backend_native = {
    .name = "native",
    .create = native_create,
    .destroy = native_destroy,
    .describe = native_describe,
    .worker_create = native_worker_create,
    .worker_destroy = native_worker_destroy,
    .classify = native_classify,
};
