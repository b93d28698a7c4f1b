/* The part of the TensorFlow loader both front ends share (the GraphDef .pb loader and the
 * TF.js model.json loader, whose nodes are the same NodeDefs written as JSON): the node
 * table, input names, picking the input and output, and turning the parsed nodes into the IR
 * graph handed to the format-neutral model builder. Only constants differ (a TensorProto in
 * the .pb, bytes of a weight shard in TF.js), so the caller supplies them. */
#include <stdlib.h>
#include <string.h>
#include "formats/tf/tf.h"
#include "runtime/model.h"

char *tf_copy_name(const void *p, size_t n) {
    if (n == 0 || n > 4096 || memchr(p, 0, n)) return NULL;
    char *s = malloc(n + 1);
    if (!s) return NULL;
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

static uint64_t hash_name(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
    return h;
}

int tf_find_node(const tf_ctx *ctx, const char *name, size_t len) {
    for (size_t i = hash_name(name, len) & ctx->table_mask;; i = (i + 1) & ctx->table_mask) {
        int k = ctx->table[i];
        if (k < 0) return -1;
        const char *kn = ctx->nodes[k].name;
        if (strlen(kn) == len && memcmp(kn, name, len) == 0) return k;
    }
}

wi_status tf_ctx_alloc(tf_ctx *ctx, int count, wi_error *err) {
    ctx->nodes = calloc((size_t)count, sizeof(tf_node));
    size_t cap = 1;
    while (cap < (size_t)count * 2) cap <<= 1;
    ctx->table = malloc(cap * sizeof(int));
    ctx->table_mask = cap - 1;
    if (!ctx->nodes || !ctx->table)
        return wi_error_set(err, WI_E_OUT_OF_MEMORY, "tf: out of memory for %d nodes", count);
    for (size_t i = 0; i < cap; i++) ctx->table[i] = -1;
    return WI_OK;
}

wi_status tf_ctx_index_last(tf_ctx *ctx, wi_error *err) {
    const tf_node *n = &ctx->nodes[ctx->count - 1];
    size_t nl = strlen(n->name), i = hash_name(n->name, nl) & ctx->table_mask;
    if (tf_find_node(ctx, n->name, nl) >= 0) return tf_fail(err, n, WI_E_MALFORMED, "duplicate node name");
    while (ctx->table[i] >= 0) i = (i + 1) & ctx->table_mask;
    ctx->table[i] = ctx->count - 1;
    return WI_OK;
}

void tf_ctx_free(tf_ctx *ctx) {
    for (int i = 0; i < ctx->count; i++) {
        free(ctx->nodes[i].name);
        free(ctx->nodes[i].op);
        free(ctx->nodes[i].inputs);
        free(ctx->nodes[i].attrs);
    }
    free(ctx->nodes);
    free(ctx->table);
    ctx->nodes = NULL;
    ctx->table = NULL;
    ctx->count = 0;
}

wi_status tf_add_input(tf_ctx *ctx, tf_node *n, const char *s, size_t len, wi_error *err) {
    size_t full = len;
    if (len > 0 && s[0] == '^') return WI_OK;
    int output = 0;
    for (size_t i = len; i > 0; i--) {
        if (s[i - 1] == ':') {
            size_t digits = len - i;
            if (digits == 0 || digits > 4) break;
            int k = 0, ok = 1;
            for (size_t j = i; j < len; j++) {
                if (s[j] < '0' || s[j] > '9') ok = 0;
                else k = k * 10 + (s[j] - '0');
            }
            if (ok) {
                output = k;
                len = i - 1;
            }
            break;
        }
    }
    int src = len ? tf_find_node(ctx, s, len) : -1;
    if (src < 0)
        return tf_fail(err, n, WI_E_NOT_FOUND, "input '%.*s' names no node in the graph",
                       (int)(full > 200 ? 200 : full), s);
    n->inputs[n->input_count].node = src;
    n->inputs[n->input_count].output = output;
    n->input_count++;
    return WI_OK;
}

static wi_status make_placeholder(tf_ctx *ctx, int i, wi_error *err) {
    const tf_node *n = &ctx->nodes[i];
    int t = TF_DT_FLOAT, found, rank;
    int64_t dims[WI_MAX_RANK];
    wi_status st = tf_attr_type(n, "dtype", &t, &found, err);
    if (st != WI_OK) return st;
    if (t != TF_DT_FLOAT) return tf_fail(err, n, WI_E_UNSUPPORTED, "unsupported input dtype %d (float only)", t);
    st = tf_attr_shape(n, "shape", dims, &rank, &found, err);
    if (st != WI_OK) return st;
    if (!found || rank < 0) return tf_fail(err, n, WI_E_UNSUPPORTED, "input without a known rank");
    for (int d = 0; d < rank; d++) {
        if (dims[d] >= 0) continue;
        if (d != 0)
            return tf_fail(err, n, WI_E_UNSUPPORTED, "unknown dimension %d of the input (only the batch may be unknown)", d);
        dims[d] = 1; /* an unknown batch runs as 1 */
    }
    st = wi_value_set_shape(ctx->graph, &ctx->graph->values[i], WI_DTYPE_FLOAT32, rank, dims, err);
    if (st != WI_OK) wi_error_prefix(err, "tf: ");
    return st;
}

/* A NoOp only orders other nodes through control inputs, which inference ignores; it has no
 * value, so a data input naming one is refused by the op reading it (no shape). */
static bool is_noop(const tf_node *n) { return strcmp(n->op, "NoOp") == 0; }

/* The named node, or the only node satisfying `pick`; fails naming the candidates. */
static wi_status choose(tf_ctx *ctx, const char *name, const char *what, const char *option,
                        const char *missing, const char *consumed, int *out, wi_error *err) {
    if (name) {
        int k = tf_find_node(ctx, name, strlen(name));
        if (k < 0) return wi_error_set(err, WI_E_NOT_FOUND, "tf: no node named '%s' (%s)", name, option);
        *out = k;
        return WI_OK;
    }
    int first = -1, second = -1, count = 0;
    for (int i = 0; i < ctx->count; i++) {
        const char *op = ctx->nodes[i].op;
        int is_placeholder = strcmp(op, "Placeholder") == 0;
        int candidate = consumed ? (!consumed[i] && !is_placeholder && strcmp(op, "Const") != 0 &&
                                    !is_noop(&ctx->nodes[i]))
                                 : is_placeholder;
        if (!candidate) continue;
        if (count == 0) first = i;
        else if (count == 1) second = i;
        count++;
    }
    if (count == 0) return wi_error_set(err, WI_E_NOT_FOUND, "tf: %s", missing);
    if (count > 1)
        return wi_error_set(err, WI_E_INVALID_ARGUMENT, "tf: the graph has %d %ss ('%s', '%s', ...); name one with %s",
                            count, what, ctx->nodes[first].name, ctx->nodes[second].name, option);
    *out = first;
    return WI_OK;
}

static wi_status build_graph(tf_ctx *ctx, tf_const_fn make_const, void *user, int *input,
                             int *output, wi_error *err) {
    wi_graph *g = ctx->graph;
    for (int i = 0; i < ctx->count; i++)
        if (wi_graph_add_value(g, ctx->nodes[i].name) != i)
            return wi_error_set(err, WI_E_OUT_OF_MEMORY, "tf: out of memory");
    wi_status st = WI_OK;
    /* constants first: some ops read them while mapping (ConcatV2's axis) */
    for (int i = 0; st == WI_OK && i < ctx->count; i++)
        if (strcmp(ctx->nodes[i].op, "Const") == 0) st = make_const(ctx, i, user, err);
    for (int i = 0; st == WI_OK && i < ctx->count; i++) {
        const char *op = ctx->nodes[i].op;
        if (strcmp(op, "Placeholder") != 0 && strcmp(op, "Const") != 0 && !is_noop(&ctx->nodes[i]))
            st = tf_map_node(ctx, i, err);
    }
    if (st != WI_OK) return st;
    char *consumed = calloc((size_t)ctx->count, 1);
    if (!consumed) return wi_error_set(err, WI_E_OUT_OF_MEMORY, "tf: out of memory");
    for (int i = 0; i < ctx->count; i++)
        for (int j = 0; j < ctx->nodes[i].input_count; j++) consumed[ctx->nodes[i].inputs[j].node] = 1;
    st = choose(ctx, ctx->opts->input_name, "Placeholder", "input_name",
                "the graph has no Placeholder input", NULL, input, err);
    if (st == WI_OK)
        st = choose(ctx, ctx->opts->output_name, "sink", "output_name",
                    "the graph has no output node (every node is consumed)", consumed, output, err);
    free(consumed);
    if (st == WI_OK && strcmp(ctx->nodes[*input].op, "Placeholder") != 0)
        st = wi_error_set(err, WI_E_UNSUPPORTED, "tf: input '%s' is a %s, not a Placeholder",
                          ctx->nodes[*input].name, ctx->nodes[*input].op);
    /* only the chosen Placeholder gets a shape: others (say a training flag) matter only if
     * the output reads them, which the model builder reports */
    if (st == WI_OK) st = make_placeholder(ctx, *input, err);
    return st;
}

wi_status tf_build_model(tf_ctx *ctx, tf_const_fn make_const, void *user, wi_format format,
                         wi_model **out, wi_error *err) {
    int input = -1, output = -1;
    wi_status st = build_graph(ctx, make_const, user, &input, &output, err);
    int source_count = ctx->count;
    tf_ctx_free(ctx);
    if (st != WI_OK) {
        wi_graph_free(ctx->graph);
        ctx->graph = NULL;
        return st;
    }
    st = wi_model_build(ctx->graph, input, output, source_count, format, WI_BUILD_DEFAULT, out, err);
    ctx->graph = NULL; /* the builder owns it, also on failure */
    if (st != WI_OK && err && strncmp(err->message, "tf: ", 4) != 0) wi_error_prefix(err, "tf: ");
    return st;
}
