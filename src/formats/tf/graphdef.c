/* GraphDef loader: parses the NodeDefs (any order), resolves input names, turns Const and
 * Placeholder nodes into values and every other node into an IR node, picks the input and
 * output, and hands the graph to the format-neutral model builder. */
#include <stdlib.h>
#include <string.h>
#include "formats/tf/graphdef.h"
#include "formats/tf/tf.h"
#include "runtime/model.h"

static char *copy_name(const uint8_t *p, size_t n) {
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

static void free_ctx(tf_ctx *ctx) {
    for (int i = 0; i < ctx->count; i++) {
        free(ctx->nodes[i].name);
        free(ctx->nodes[i].op);
        free(ctx->nodes[i].inputs);
        free(ctx->nodes[i].attrs);
    }
    free(ctx->nodes);
    free(ctx->table);
}

/* Parses one NodeDef's name, op, attributes, and counts its inputs (resolved later). */
static wi_status parse_node(tf_node *n, const wi_pb_field *msg, int index, wi_error *err) {
    wi_pb_reader r = wi_pb_reader_make(msg->data, msg->len), kv;
    wi_pb_field f, g;
    int attrs = 0, inputs = 0;
    const wi_pb_field *name = NULL, *op = NULL;
    wi_pb_field name_f, op_f;
    while (wi_pb_next(&r, &f)) {
        if (f.wire_type != WI_PB_LEN) continue;
        if (f.number == 1) {
            name_f = f;
            name = &name_f;
        } else if (f.number == 2) {
            op_f = f;
            op = &op_f;
        } else if (f.number == 3) {
            inputs++;
        } else if (f.number == 5) {
            attrs++;
        }
    }
    if (r.error) return wi_error_set(err, WI_E_MALFORMED, "tf: node #%d: %s", index, r.error);
    if (!name || !op) return wi_error_set(err, WI_E_MALFORMED, "tf: node #%d has no name or op", index);
    n->name = copy_name(name->data, name->len);
    n->op = copy_name(op->data, op->len);
    if (!n->name || !n->op)
        return wi_error_set(err, WI_E_MALFORMED, "tf: node #%d: empty, overlong or binary name or op", index);
    n->attrs = calloc((size_t)attrs + 1, sizeof(tf_attr));
    n->inputs = calloc((size_t)inputs + 1, sizeof(tf_input));
    if (!n->attrs || !n->inputs) return wi_error_set(err, WI_E_OUT_OF_MEMORY, "tf: out of memory");
    r = wi_pb_reader_make(msg->data, msg->len);
    while (wi_pb_next(&r, &f)) {
        if (f.number != 5 || f.wire_type != WI_PB_LEN) continue;
        tf_attr *a = &n->attrs[n->attr_count];
        int have_key = 0, have_value = 0;
        if (!wi_pb_sub(&r, &f, &kv)) break;
        while (wi_pb_next(&kv, &g)) {
            if (g.number == 1 && g.wire_type == WI_PB_LEN) {
                a->key = g.data;
                a->key_len = g.len;
                have_key = 1;
            } else if (g.number == 2 && g.wire_type == WI_PB_LEN) {
                a->value = g;
                have_value = 1;
            }
        }
        if (kv.error || !have_key)
            return tf_fail(err, n, WI_E_MALFORMED, "malformed attribute entry");
        if (!have_value) { /* an empty AttrValue: every lookup finds it of the wrong kind */
            static const uint8_t empty[1];
            memset(&a->value, 0, sizeof a->value);
            a->value.data = empty;
        }
        n->attr_count++;
    }
    if (r.error) return tf_fail(err, n, WI_E_MALFORMED, "%s", r.error);
    return WI_OK;
}

/* Resolves "name", "name:k" and drops "^control" inputs. */
static wi_status resolve_inputs(tf_ctx *ctx, tf_node *n, const wi_pb_field *msg, wi_error *err) {
    wi_pb_reader r = wi_pb_reader_make(msg->data, msg->len);
    wi_pb_field f;
    while (wi_pb_next(&r, &f)) {
        if (f.number != 3 || f.wire_type != WI_PB_LEN) continue;
        const char *s = (const char *)f.data;
        size_t len = f.len;
        if (len > 0 && s[0] == '^') continue;
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
                           (int)(f.len > 200 ? 200 : f.len), (const char *)f.data);
        n->inputs[n->input_count].node = src;
        n->inputs[n->input_count].output = output;
        n->input_count++;
    }
    return WI_OK;
}

static wi_status parse_nodes(tf_ctx *ctx, const void *bytes, size_t len, wi_error *err) {
    wi_pb_reader r = wi_pb_reader_make(bytes, len);
    wi_pb_field f;
    int count = 0;
    while (wi_pb_next(&r, &f))
        if (f.number == 1 && f.wire_type == WI_PB_LEN && ++count > TF_MAX_NODES)
            return wi_error_set(err, WI_E_LIMIT, "tf: more than %d nodes", TF_MAX_NODES);
    if (r.error) return wi_error_set(err, WI_E_MALFORMED, "tf: GraphDef: %s", r.error);
    if (count == 0) return wi_error_set(err, WI_E_MALFORMED, "tf: the GraphDef has no nodes");
    ctx->nodes = calloc((size_t)count, sizeof(tf_node));
    wi_pb_field *msgs = calloc((size_t)count, sizeof(wi_pb_field));
    size_t cap = 1;
    while (cap < (size_t)count * 2) cap <<= 1;
    ctx->table = malloc(cap * sizeof(int));
    ctx->table_mask = cap - 1;
    wi_status st = WI_OK;
    if (!ctx->nodes || !msgs || !ctx->table) {
        free(msgs);
        return wi_error_set(err, WI_E_OUT_OF_MEMORY, "tf: out of memory for %d nodes", count);
    }
    for (size_t i = 0; i < cap; i++) ctx->table[i] = -1;
    r = wi_pb_reader_make(bytes, len);
    while (st == WI_OK && wi_pb_next(&r, &f)) {
        if (f.number != 1 || f.wire_type != WI_PB_LEN) continue;
        tf_node *n = &ctx->nodes[ctx->count];
        msgs[ctx->count] = f;
        st = parse_node(n, &f, ctx->count, err);
        ctx->count++;
        if (st != WI_OK) break;
        size_t nl = strlen(n->name), i = hash_name(n->name, nl) & ctx->table_mask;
        if (tf_find_node(ctx, n->name, nl) >= 0) {
            st = tf_fail(err, n, WI_E_MALFORMED, "duplicate node name");
            break;
        }
        while (ctx->table[i] >= 0) i = (i + 1) & ctx->table_mask;
        ctx->table[i] = ctx->count - 1;
    }
    for (int i = 0; st == WI_OK && i < ctx->count; i++)
        st = resolve_inputs(ctx, &ctx->nodes[i], &msgs[i], err);
    free(msgs);
    return st;
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

static wi_status make_const(tf_ctx *ctx, int i, wi_error *err) {
    const tf_node *n = &ctx->nodes[i];
    wi_pb_field tensor;
    int found;
    wi_status st = tf_attr_tensor(n, "value", &tensor, &found, err);
    if (st != WI_OK) return st;
    if (!found) return tf_fail(err, n, WI_E_MALFORMED, "Const without a value");
    return tf_decode_tensor(ctx, n, &tensor, i, err);
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

static wi_status build_graph(tf_ctx *ctx, int *input, int *output, wi_error *err) {
    wi_graph *g = ctx->graph;
    for (int i = 0; i < ctx->count; i++)
        if (wi_graph_add_value(g, ctx->nodes[i].name) != i)
            return wi_error_set(err, WI_E_OUT_OF_MEMORY, "tf: out of memory");
    wi_status st = WI_OK;
    /* constants first: some ops read them while mapping (ConcatV2's axis) */
    for (int i = 0; st == WI_OK && i < ctx->count; i++)
        if (strcmp(ctx->nodes[i].op, "Const") == 0) st = make_const(ctx, i, err);
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

wi_status wi_tf_load_graphdef(const void *bytes, size_t len, const wi_model_options *opts,
                              wi_model **out, wi_error *err) {
    *out = NULL;
    tf_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.opts = opts;
    /* repeated-value constants can expand; bound them by the file's size */
    ctx.const_budget = len > ((size_t)1 << 28) ? len * 2 : len * 2 + ((size_t)64 << 20);
    ctx.graph = wi_graph_create(opts->max_elements);
    if (!ctx.graph) return wi_error_set(err, WI_E_OUT_OF_MEMORY, "tf: out of memory");
    int input = -1, output = -1;
    wi_status st = parse_nodes(&ctx, bytes, len, err);
    if (st == WI_OK) st = build_graph(&ctx, &input, &output, err);
    int source_count = ctx.count;
    free_ctx(&ctx);
    if (st != WI_OK) {
        wi_graph_free(ctx.graph);
        return st;
    }
    st = wi_model_build(ctx.graph, input, output, source_count, WI_FORMAT_TF_GRAPHDEF,
                        WI_BUILD_DEFAULT, out, err);
    if (st != WI_OK && err && strncmp(err->message, "tf: ", 4) != 0) wi_error_prefix(err, "tf: ");
    return st;
}
