/* The public model API: loading (format detection, then the format's loader), introspection
 * and statistics. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/error.h"
#include "classify/read-file.h"
#include "formats/detect.h"
#include "formats/onnx/onnx-loader.h"
#include "formats/tf/graphdef.h"
#include "formats/tfjs/tfjs.h"
#include "formats/tflite/tflite.h"
#include "runtime/model.h"

void wi_model_options_init(wi_model_options *o) {
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->format = WI_FORMAT_AUTO;
    o->max_model_bytes = (size_t)1 << 30;
    o->max_elements = (int64_t)1 << 28;
}

wi_status wi_model_load(const void *bytes, size_t len, const wi_model_options *options,
                        wi_model **out_model, wi_error *err) {
    wi_error_clear(err);
    if (!out_model) return wi_error_set(err, WI_E_INVALID_ARGUMENT, "out_model is NULL");
    *out_model = NULL;
    if (!bytes || len == 0) return wi_error_set(err, WI_E_INVALID_ARGUMENT, "empty model (0 bytes)");
    wi_model_options opts;
    if (options) opts = *options;
    else wi_model_options_init(&opts);
    if (opts.max_model_bytes == 0) opts.max_model_bytes = (size_t)1 << 30;
    if (opts.max_elements <= 0) opts.max_elements = (int64_t)1 << 28;
    if (len > opts.max_model_bytes)
        return wi_error_set(err, WI_E_LIMIT, "model of %zu bytes exceeds the limit of %zu", len,
                            opts.max_model_bytes);
    wi_format format = opts.format;
    if (format == WI_FORMAT_AUTO) {
        wi_status st = wi_format_detect(bytes, len, &format, err);
        if (st != WI_OK) return st;
    }
    switch (format) {
    case WI_FORMAT_TF_GRAPHDEF: return wi_tf_load_graphdef(bytes, len, &opts, out_model, err);
    case WI_FORMAT_TFLITE: return wi_tflite_load(bytes, len, &opts, out_model, err);
    case WI_FORMAT_TFJS: return wi_tfjs_load(bytes, len, NULL, 0, &opts, out_model, err);
    case WI_FORMAT_ONNX: return wi_onnx_load(bytes, len, &opts, out_model, err);
    default: break; /* formats whose loaders are not built in */
    }
    return wi_error_set(err, WI_E_UNSUPPORTED, "unsupported model format '%s'", wi_format_name(format));
}

wi_status wi_model_load_file(const char *path, const wi_model_options *options,
                             wi_model **out_model, wi_error *err) {
    wi_error_clear(err);
    if (!out_model) return wi_error_set(err, WI_E_INVALID_ARGUMENT, "out_model is NULL");
    *out_model = NULL;
    if (!path) return wi_error_set(err, WI_E_INVALID_ARGUMENT, "path is NULL");
    size_t limit = options && options->max_model_bytes ? options->max_model_bytes : (size_t)1 << 30;
    uint8_t *buf = NULL;
    size_t len = 0;
    wi_status st = wi_read_whole_file(path, limit, &buf, &len, err);
    if (st == WI_OK) {
        /* a TF.js model.json: its weight shards are files next to it */
        int tfjs = (!options || options->format == WI_FORMAT_AUTO || options->format == WI_FORMAT_TFJS) &&
                   wi_tfjs_sniff(buf, len);
        st = tfjs ? wi_model_load_tfjs_file(path, buf, len, options, out_model, err)
                  : wi_model_load(buf, len, options, out_model, err);
    }
    if (st != WI_OK) {
        char prefix[300];
        snprintf(prefix, sizeof prefix, "%s: ", path);
        wi_error_prefix(err, prefix);
    }
    free(buf);
    return st;
}

void wi_model_free(wi_model *model) {
    if (!model) return;
    wi_graph_free(model->graph);
    free(model);
}

wi_format wi_model_format(const wi_model *m) { return m ? m->format : WI_FORMAT_AUTO; }
int wi_model_input_count(const wi_model *m) { return m ? 1 : 0; }
int wi_model_output_count(const wi_model *m) { return m ? 1 : 0; }

static void fill_info(const wi_value *v, wi_tensor_info *info) {
    memset(info, 0, sizeof *info);
    info->name = v->name;
    info->dtype = v->dtype;
    info->rank = v->rank;
    for (int i = 0; i < v->rank; i++) info->dims[i] = v->dims[i];
}

wi_status wi_model_input_info(const wi_model *m, int index, wi_tensor_info *info) {
    if (!m || !info || index != 0) return WI_E_INVALID_ARGUMENT;
    fill_info(&m->graph->values[m->input], info);
    return WI_OK;
}

wi_status wi_model_output_info(const wi_model *m, int index, wi_tensor_info *info) {
    if (!m || !info || index != 0) return WI_E_INVALID_ARGUMENT;
    fill_info(&m->graph->values[m->output], info);
    return WI_OK;
}

int wi_model_output_is_probabilities(const wi_model *m) { return m ? m->output_is_probabilities : 0; }

void wi_model_get_stats(const wi_model *m, wi_model_stats *stats) {
    if (!stats) return;
    if (!m) {
        memset(stats, 0, sizeof *stats);
        return;
    }
    *stats = m->stats;
}

typedef struct label_run {
    const char *label;
    int first; /* node index (of the label's first appearance, once grouped) */
    int count;
} label_run;

static int by_label_then_index(const void *pa, const void *pb) {
    const label_run *a = pa, *b = pb;
    int c = strcmp(a->label, b->label);
    return c ? c : a->first - b->first;
}

static int by_first(const void *pa, const void *pb) {
    return ((const label_run *)pa)->first - ((const label_run *)pb)->first;
}

void wi_model_op_histogram(const wi_model *m, void (*fn)(const char *op_name, int count, void *user),
                           void *user) {
    if (!m || !fn) return;
    const wi_graph *g = m->graph;
    /* distinct labels in order of first appearance: stable and readable. Sorted, not compared
     * pairwise: a graph of many distinct labels stays O(n log n). */
    label_run *runs = malloc(sizeof *runs * (size_t)(g->node_count > 0 ? g->node_count : 1));
    if (!runs) {
        /* no memory for the sort: the pairwise scan, quadratic but allocation-free */
        for (int i = 0; i < g->node_count; i++) {
            const char *label = g->nodes[i].label;
            int seen = 0, count = 0;
            for (int j = 0; j < i && !seen; j++) seen = strcmp(g->nodes[j].label, label) == 0;
            if (seen) continue;
            for (int j = i; j < g->node_count; j++) count += strcmp(g->nodes[j].label, label) == 0;
            fn(label, count, user);
        }
        return;
    }
    for (int i = 0; i < g->node_count; i++) runs[i] = (label_run){g->nodes[i].label, i, 1};
    qsort(runs, (size_t)g->node_count, sizeof *runs, by_label_then_index);
    int groups = 0;
    for (int i = 0; i < g->node_count; i++) {
        if (groups > 0 && strcmp(runs[groups - 1].label, runs[i].label) == 0) runs[groups - 1].count++;
        else runs[groups++] = runs[i]; /* the first of its label: sorted by index within */
    }
    qsort(runs, (size_t)groups, sizeof *runs, by_first);
    for (int i = 0; i < groups; i++) fn(runs[i].label, runs[i].count, user);
    free(runs);
}
