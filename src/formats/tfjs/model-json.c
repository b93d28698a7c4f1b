/* model.json -> model: the topology's nodes become formats/tf nodes (attributes re-encoded as
 * AttrValue bytes), every Const is filled from the weight bytes the manifest points at, and
 * the GraphDef loader's shared graph building does the rest. */
#include <stdlib.h>
#include <string.h>
#include "core/error.h"
#include "formats/tfjs/tfjs-internal.h"
#include "formats/tfjs/tfjs.h"
#include "ir/graph.h"

typedef struct tfjs_load {
    tf_ctx ctx;
    tfjs_manifest manifest;
    const uint8_t *weights;
    size_t weights_len;
    uint8_t **attr_storage; /* one buffer of encoded attributes per node */
    int storage_count;
} tfjs_load;

static wi_status read_node(tfjs_load *L, const wi_json_value *e, int index, wi_error *err) {
    tf_node *n = &L->ctx.nodes[index];
    if (!wi_json_is(e, WI_JSON_OBJECT))
        return wi_error_set(err, WI_E_MALFORMED, "tfjs: node #%d is not an object", index);
    const wi_json_value *name = wi_json_get(e, "name"), *op = wi_json_get(e, "op");
    const wi_json_value *inputs = wi_json_get(e, "input");
    if (!wi_json_is(name, WI_JSON_STRING) || !wi_json_is(op, WI_JSON_STRING))
        return wi_error_set(err, WI_E_MALFORMED, "tfjs: node #%d has no 'name' or 'op' string", index);
    n->name = tf_copy_name(name->str, name->len);
    n->op = tf_copy_name(op->str, op->len);
    if (!n->name || !n->op)
        return wi_error_set(err, WI_E_MALFORMED, "tfjs: node #%d: empty or overlong name or op", index);
    if (inputs && !wi_json_is(inputs, WI_JSON_ARRAY))
        return tf_fail(err, n, WI_E_MALFORMED, "'input' must be an array");
    n->inputs = calloc((size_t)(inputs ? inputs->count : 0) + 1, sizeof(tf_input));
    if (!n->inputs) return tf_fail(err, n, WI_E_OUT_OF_MEMORY, "out of memory");
    return tfjs_encode_attrs(wi_json_get(e, "attr"), n, &L->attr_storage[index], err);
}

static wi_status check_topology(const wi_json_value *topology, wi_error *err) {
    if (!wi_json_is(topology, WI_JSON_OBJECT))
        return wi_error_set(err, WI_E_MALFORMED, "tfjs: model.json has no 'modelTopology' object");
    if (wi_json_get(topology, "class_name") || wi_json_get(topology, "model_config"))
        return wi_error_set(err, WI_E_UNSUPPORTED, "tfjs: a layers model (Keras topology); only graph models "
                                                   "(tensorflowjs_converter --output_format=tfjs_graph_model) run");
    return WI_OK;
}

static wi_status read_nodes(tfjs_load *L, const wi_json_value *topology, wi_error *err) {
    const wi_json_value *nodes = wi_json_get(topology, "node");
    if (!wi_json_is(nodes, WI_JSON_ARRAY) || nodes->count == 0)
        return wi_error_set(err, WI_E_MALFORMED, "tfjs: 'modelTopology' has no 'node' array with nodes");
    if (nodes->count > TF_MAX_NODES) return wi_error_set(err, WI_E_LIMIT, "tfjs: more than %d nodes", TF_MAX_NODES);
    L->attr_storage = calloc((size_t)nodes->count, sizeof(uint8_t *));
    if (!L->attr_storage) return wi_error_set(err, WI_E_OUT_OF_MEMORY, "tfjs: out of memory");
    L->storage_count = nodes->count;
    wi_status st = tf_ctx_alloc(&L->ctx, nodes->count, err);
    int i = 0;
    for (const wi_json_value *e = wi_json_first(nodes); st == WI_OK && e; e = wi_json_next(nodes, e), i++) {
        L->ctx.count++; /* counted before reading, so a half-read node is freed */
        st = read_node(L, e, i, err);
        if (st == WI_OK) st = tf_ctx_index_last(&L->ctx, err);
    }
    i = 0;
    for (const wi_json_value *e = wi_json_first(nodes); st == WI_OK && e; e = wi_json_next(nodes, e), i++) {
        const wi_json_value *inputs = wi_json_get(e, "input");
        for (const wi_json_value *in = wi_json_first(inputs); st == WI_OK && in; in = wi_json_next(inputs, in)) {
            if (!wi_json_is(in, WI_JSON_STRING))
                st = tf_fail(err, &L->ctx.nodes[i], WI_E_MALFORMED, "an input is not a string");
            else
                st = tf_add_input(&L->ctx, &L->ctx.nodes[i], in->str, in->len, err);
        }
    }
    return st;
}

static wi_status make_const(tf_ctx *ctx, int index, void *user, wi_error *err) {
    const tfjs_load *L = user;
    const tf_node *n = &ctx->nodes[index];
    const tfjs_weight *w = tfjs_manifest_find(&L->manifest, n->name);
    if (!w) return tf_fail(err, n, WI_E_MALFORMED, "Const has no entry in the weights manifest");
    wi_value *v = &ctx->graph->values[index];
    wi_status st = wi_value_set_shape(ctx->graph, v, w->dtype, w->rank, w->dims, err);
    if (st != WI_OK) {
        wi_error_prefix(err, "tf: ");
        return st;
    }
    size_t bytes = wi_value_bytes(v);
    if (w->storage == TFJS_F32 && w->dtype == WI_DTYPE_FLOAT32 && bytes > 0) {
        /* borrowed from the shard bytes, not copied: the model builder copies what it does not
         * pack straight from them (runtime/model-build.c) */
        v->data = (void *)(L->weights + w->offset);
        v->borrowed = 1;
        return WI_OK;
    }
    v->data = malloc(bytes ? bytes : 1);
    if (!v->data) return tf_fail(err, n, WI_E_OUT_OF_MEMORY, "out of memory for a %zu-byte constant", bytes);
    tfjs_weight_decode(w, L->weights + w->offset, v->data);
    return WI_OK;
}

/* The shard bytes must be exactly what the manifest describes; a short one names the first
 * weight that does not fit. */
static wi_status check_sizes(const tfjs_load *L, wi_error *err) {
    const tfjs_manifest *m = &L->manifest;
    if (m->total_bytes == L->weights_len) return WI_OK;
    if (L->weights_len == 0)
        return wi_error_set(err, WI_E_MALFORMED,
                            "tfjs: the manifest describes %zu bytes of weights in shards, none were given "
                            "(load model.json with wi_model_load_file from its directory, or wi_model_load_tfjs)",
                            m->total_bytes);
    if (m->total_bytes < L->weights_len)
        return wi_error_set(err, WI_E_MALFORMED, "tfjs: the shards hold %zu bytes, the manifest describes %zu",
                            L->weights_len, m->total_bytes);
    const tfjs_weight *first = NULL;
    for (int i = 0; i < m->count; i++) {
        const tfjs_weight *w = &m->weights[i];
        if (w->offset + w->bytes > L->weights_len && (!first || w->offset < first->offset)) first = w;
    }
    return wi_error_set(err, WI_E_MALFORMED,
                        "tfjs: weight '%s' needs bytes %zu..%zu of the shards, which hold only %zu bytes",
                        first->name, first->offset, first->offset + first->bytes, L->weights_len);
}

/* Messages from the shared TensorFlow code say "tf: "; this is the TF.js loader. */
static void retag(wi_error *err) {
    if (!err || strncmp(err->message, "tf: ", 4) != 0) return;
    size_t len = strlen(err->message);
    if (len + 2 >= sizeof err->message) len = sizeof err->message - 3;
    memmove(err->message + 4, err->message + 2, len - 2);
    err->message[len + 2] = '\0';
    memcpy(err->message, "tfjs", 4);
}

wi_status tfjs_load_doc(const wi_json_doc *doc, const void *weights, size_t weights_len,
                        const wi_model_options *opts, wi_model **out, wi_error *err) {
    *out = NULL;
    const wi_json_value *root = &doc->values[0];
    if (!wi_json_is(root, WI_JSON_OBJECT)) return wi_error_set(err, WI_E_MALFORMED, "tfjs: model.json is not an object");
    tfjs_load L;
    memset(&L, 0, sizeof L);
    L.weights = weights;
    L.weights_len = weights_len;
    L.ctx.opts = opts;
    wi_status st = check_topology(wi_json_get(root, "modelTopology"), err);
    if (st == WI_OK) st = tfjs_manifest_read(wi_json_get(root, "weightsManifest"), opts->max_elements, &L.manifest, err);
    if (st == WI_OK) st = check_sizes(&L, err);
    if (st == WI_OK) {
        L.ctx.graph = wi_graph_create(opts->max_elements);
        if (!L.ctx.graph) st = wi_error_set(err, WI_E_OUT_OF_MEMORY, "tfjs: out of memory");
    }
    if (st == WI_OK) st = read_nodes(&L, wi_json_get(root, "modelTopology"), err);
    if (st == WI_OK) {
        st = tf_build_model(&L.ctx, make_const, &L, WI_FORMAT_TFJS, out, err);
    } else {
        tf_ctx_free(&L.ctx);
        wi_graph_free(L.ctx.graph);
    }
    for (int i = 0; i < L.storage_count; i++) free(L.attr_storage[i]);
    free(L.attr_storage);
    tfjs_manifest_free(&L.manifest);
    if (st != WI_OK) retag(err);
    return st;
}

wi_status wi_tfjs_load(const void *json, size_t json_len, const void *weights, size_t weights_len,
                       const wi_model_options *opts, wi_model **out, wi_error *err) {
    *out = NULL;
    /* one buffer "model.json NUL shards" (JSON never holds a raw NUL): what wi_model_load and
     * the wasm model_load receive when a host passes a TF.js model as a single blob */
    const char *nul = weights_len == 0 ? memchr(json, 0, json_len) : NULL;
    if (nul) {
        weights = nul + 1;
        weights_len = json_len - (size_t)(nul + 1 - (const char *)json);
        json_len = (size_t)(nul - (const char *)json);
    }
    wi_json_doc doc;
    wi_status st = wi_json_parse(json, json_len, &doc, err);
    if (st != WI_OK) {
        wi_error_prefix(err, "tfjs: model.json: ");
        return st;
    }
    st = tfjs_load_doc(&doc, weights, weights_len, opts, out, err);
    wi_json_free(&doc);
    return st;
}

int wi_tfjs_sniff(const void *bytes, size_t len) {
    const char *p = bytes;
    size_t i = 0;
    while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r')) i++;
    return i < len && p[i] == '{';
}
