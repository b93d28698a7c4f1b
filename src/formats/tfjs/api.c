/* The public entry points of the TF.js loader: options defaults and the size limit, then the
 * loader (model-json.c, load-file.c). */
#include <string.h>
#include "core/checked.h"
#include "core/error.h"
#include "formats/tfjs/tfjs.h"

/* The caller's options with the defaults wi_model_load uses for what is unset. */
static void complete_options(const wi_model_options *options, wi_model_options *opts) {
    if (options) *opts = *options;
    else wi_model_options_init(opts);
    wi_model_options defaults;
    wi_model_options_init(&defaults);
    if (opts->max_model_bytes == 0) opts->max_model_bytes = defaults.max_model_bytes;
    if (opts->max_elements <= 0) opts->max_elements = defaults.max_elements;
    opts->format = WI_FORMAT_TFJS;
}

wi_status wi_model_load_tfjs(const void *model_json, size_t json_len, const void *weights,
                             size_t weights_len, const wi_model_options *options,
                             wi_model **out_model, wi_error *err) {
    wi_error_clear(err);
    if (!out_model) return wi_error_set(err, WI_E_INVALID_ARGUMENT, "out_model is NULL");
    *out_model = NULL;
    if (!model_json || json_len == 0) return wi_error_set(err, WI_E_INVALID_ARGUMENT, "empty model.json (0 bytes)");
    if (!weights && weights_len > 0)
        return wi_error_set(err, WI_E_INVALID_ARGUMENT, "weights is NULL with weights_len %zu", weights_len);
    wi_model_options opts;
    complete_options(options, &opts);
    size_t total;
    if (!wi_add_size(json_len, weights_len, &total) || total > opts.max_model_bytes)
        return wi_error_set(err, WI_E_LIMIT, "model.json and weights of %zu + %zu bytes exceed the limit of %zu",
                            json_len, weights_len, opts.max_model_bytes);
    return wi_tfjs_load(model_json, json_len, weights, weights_len, &opts, out_model, err);
}

wi_status wi_model_load_tfjs_file(const char *path, const void *json, size_t json_len,
                                  const wi_model_options *options, wi_model **out, wi_error *err) {
    wi_model_options opts;
    complete_options(options, &opts);
    return wi_tfjs_load_file(path, json, json_len, &opts, out, err);
}
