/* GraphDef loader: parses the NodeDefs (any order), resolves input names, turns Const and
 * Placeholder nodes into values and every other node into an IR node, picks the input and
 * output, and hands the graph to the format-neutral model builder. */
#include <stdlib.h>
#include <string.h>
#include "formats/tf/graphdef.h"
#include "formats/tf/tf.h"

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
    n->name = tf_copy_name(name->data, name->len);
    n->op = tf_copy_name(op->data, op->len);
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

/* Resolves the NodeDef's input names ("name", "name:k"; "^control" inputs are dropped). */
static wi_status resolve_inputs(tf_ctx *ctx, tf_node *n, const wi_pb_field *msg, wi_error *err) {
    wi_pb_reader r = wi_pb_reader_make(msg->data, msg->len);
    wi_pb_field f;
    wi_status st = WI_OK;
    while (st == WI_OK && wi_pb_next(&r, &f))
        if (f.number == 3 && f.wire_type == WI_PB_LEN)
            st = tf_add_input(ctx, n, (const char *)f.data, f.len, err);
    return st;
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
    wi_pb_field *msgs = calloc((size_t)count, sizeof(wi_pb_field));
    wi_status st = tf_ctx_alloc(ctx, count, err);
    if (st == WI_OK && !msgs) st = wi_error_set(err, WI_E_OUT_OF_MEMORY, "tf: out of memory for %d nodes", count);
    if (st != WI_OK) {
        free(msgs);
        return st;
    }
    r = wi_pb_reader_make(bytes, len);
    while (st == WI_OK && wi_pb_next(&r, &f)) {
        if (f.number != 1 || f.wire_type != WI_PB_LEN) continue;
        tf_node *n = &ctx->nodes[ctx->count];
        msgs[ctx->count] = f;
        st = parse_node(n, &f, ctx->count, err);
        ctx->count++;
        if (st != WI_OK) break;
        st = tf_ctx_index_last(ctx, err);
    }
    for (int i = 0; st == WI_OK && i < ctx->count; i++)
        st = resolve_inputs(ctx, &ctx->nodes[i], &msgs[i], err);
    free(msgs);
    return st;
}

static wi_status make_const(tf_ctx *ctx, int i, void *user, wi_error *err) {
    const tf_node *n = &ctx->nodes[i];
    wi_pb_field tensor;
    int found;
    wi_status st = tf_attr_tensor(n, "value", &tensor, &found, err);
    if (st != WI_OK) return st;
    if (!found) return tf_fail(err, n, WI_E_MALFORMED, "Const without a value");
    return tf_decode_tensor(ctx, n, &tensor, i, err);
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
    wi_status st = parse_nodes(&ctx, bytes, len, err);
    if (st != WI_OK) {
        tf_ctx_free(&ctx);
        wi_graph_free(ctx.graph);
        return st;
    }
    return tf_build_model(&ctx, make_const, NULL, WI_FORMAT_TF_GRAPHDEF, out, err);
}
