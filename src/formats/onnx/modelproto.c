/* ONNX loader: reads the ModelProto (opset) and its GraphProto: initializers become
 * constants, the graph input a value in NCHW as the file says, and each node, in the file's
 * order (ONNX requires a topological order), one or a few IR nodes. Then the graph output
 * is picked and the graph handed to the format-neutral model builder. */
#include <stdlib.h>
#include <string.h>
#include "formats/onnx/onnx-loader.h"
#include "formats/onnx/onnx.h"
#include "runtime/model.h"

static void free_ctx(onnx_ctx *ctx) {
    for (int i = 0; i < ctx->tensor_count; i++) free(ctx->tensors[i].name);
    free(ctx->tensors);
    free(ctx->table);
}

static int str_eq(onnx_str s, const char *c) { return strlen(c) == s.len && memcmp(s.p, c, s.len) == 0; }

/* ModelProto: opset of the default domain and the graph. */
static wi_status read_model(onnx_ctx *ctx, const void *bytes, size_t len, wi_pb_field *graph,
                            wi_error *err) {
    wi_pb_reader r = wi_pb_reader_make(bytes, len), o;
    wi_pb_field f, g;
    int have_graph = 0;
    ctx->opset = -1;
    while (wi_pb_next(&r, &f)) {
        if (f.number == 7 && f.wire_type == WI_PB_LEN) {
            *graph = f;
            have_graph = 1;
        } else if (f.number == 8 && f.wire_type == WI_PB_LEN && wi_pb_sub(&r, &f, &o)) {
            int64_t version = -1;
            int default_domain = 1;
            while (wi_pb_next(&o, &g)) {
                if (g.number == 1 && g.wire_type == WI_PB_LEN)
                    default_domain = g.len == 0 || (g.len == 7 && memcmp(g.data, "ai.onnx", 7) == 0);
                else if (g.number == 2 && g.wire_type == WI_PB_VARINT)
                    version = wi_pb_int64(g.value);
            }
            if (o.error) r.error = o.error;
            if (default_domain) ctx->opset = version;
        }
    }
    if (r.error) return wi_error_set(err, WI_E_MALFORMED, "onnx: ModelProto: %s", r.error);
    if (!have_graph) return wi_error_set(err, WI_E_MALFORMED, "onnx: the model has no graph");
    if (ctx->opset < 0) ctx->opset = 1; /* IR version 1-2 models had no opset_import */
    if (ctx->opset > 1000) return wi_error_set(err, WI_E_MALFORMED, "onnx: opset %lld", (long long)ctx->opset);
    return WI_OK;
}

static wi_status read_initializers(onnx_ctx *ctx, const wi_pb_field *graph, wi_error *err) {
    wi_pb_reader r = wi_pb_reader_make(graph->data, graph->len);
    wi_pb_field f;
    int count = 0;
    while (wi_pb_next(&r, &f)) {
        if (f.number != 5 || f.wire_type != WI_PB_LEN) continue;
        if (++count > ONNX_MAX_NODES) return wi_error_set(err, WI_E_LIMIT, "onnx: more than %d initializers", ONNX_MAX_NODES);
        /* the name first, for messages */
        wi_pb_reader t = wi_pb_reader_make(f.data, f.len);
        wi_pb_field h;
        onnx_str name = {NULL, 0};
        while (wi_pb_next(&t, &h))
            if (h.number == 8 && h.wire_type == WI_PB_LEN) name = (onnx_str){(const char *)h.data, h.len};
        if (t.error) return wi_error_set(err, WI_E_MALFORMED, "onnx: initializer #%d: %s", count - 1, t.error);
        if (!name.p || name.len == 0 || name.len > 4096 || memchr(name.p, 0, name.len))
            return wi_error_set(err, WI_E_MALFORMED, "onnx: initializer #%d has no usable name", count - 1);
        char what[4200];
        memcpy(what, name.p, name.len);
        what[name.len] = '\0';
        int vid;
        wi_status st = onnx_decode_tensor(ctx, &f, what, &vid, err);
        if (st == WI_OK) st = onnx_define(ctx, name, vid, -1, err);
        if (st != WI_OK) return st;
    }
    if (r.error) return wi_error_set(err, WI_E_MALFORMED, "onnx: GraphProto: %s", r.error);
    return WI_OK;
}

/* The graph input: named by the options, or the only graph input that is not an initializer
 * (older exporters list initializers among the inputs). */
static wi_status read_input(onnx_ctx *ctx, const wi_pb_field *graph, int *input, wi_error *err) {
    wi_pb_reader r = wi_pb_reader_make(graph->data, graph->len);
    wi_pb_field f, chosen = {0};
    int count = 0;
    onnx_str first = {"", 0}, second = {"", 0};
    const char *want = ctx->opts->input_name;
    while (wi_pb_next(&r, &f)) {
        if (f.number != 11 || f.wire_type != WI_PB_LEN) continue;
        wi_pb_reader v = wi_pb_reader_make(f.data, f.len);
        wi_pb_field h;
        onnx_str name = {NULL, 0};
        while (wi_pb_next(&v, &h))
            if (h.number == 1 && h.wire_type == WI_PB_LEN) name = (onnx_str){(const char *)h.data, h.len};
        if (v.error || !name.p) return wi_error_set(err, WI_E_MALFORMED, "onnx: a graph input is malformed or unnamed");
        if (onnx_find(ctx, name.p, name.len)) continue; /* an initializer */
        if (want && !str_eq(name, want)) continue;
        if (count == 0) first = name, chosen = f;
        else if (count == 1) second = name;
        count++;
    }
    if (r.error) return wi_error_set(err, WI_E_MALFORMED, "onnx: GraphProto: %s", r.error);
    if (count == 0)
        return want ? wi_error_set(err, WI_E_NOT_FOUND, "onnx: no graph input named '%s' (input_name)", want)
                    : wi_error_set(err, WI_E_NOT_FOUND, "onnx: the graph has no input");
    if (count > 1)
        return wi_error_set(err, WI_E_INVALID_ARGUMENT, "onnx: the graph has %d inputs ('%.*s', '%.*s', ...); name one with input_name",
                            count, (int)(first.len > 100 ? 100 : first.len), first.p,
                            (int)(second.len > 100 ? 100 : second.len), second.p);
    onnx_str name;
    int rank;
    int64_t dims[WI_MAX_RANK];
    wi_status st = onnx_value_info(&chosen, &name, &rank, dims, err);
    if (st != WI_OK) return st;
    char text[4200];
    memcpy(text, name.p, name.len);
    text[name.len] = '\0';
    *input = wi_graph_add_value(ctx->graph, text);
    if (*input < 0) return wi_error_set(err, WI_E_OUT_OF_MEMORY, "onnx: out of memory");
    st = wi_value_set_shape(ctx->graph, &ctx->graph->values[*input], WI_DTYPE_FLOAT32, rank, dims, err);
    if (st != WI_OK) {
        wi_error_prefix(err, "onnx: ");
        return st;
    }
    ctx->graph->values[*input].is_input = 1;
    return onnx_define(ctx, name, *input, -1, err);
}

static wi_status read_nodes(onnx_ctx *ctx, const wi_pb_field *graph, int *count, wi_error *err) {
    wi_pb_reader r = wi_pb_reader_make(graph->data, graph->len);
    wi_pb_field f;
    wi_status st = WI_OK;
    *count = 0;
    while (st == WI_OK && wi_pb_next(&r, &f)) {
        if (f.number != 1 || f.wire_type != WI_PB_LEN) continue;
        if (*count >= ONNX_MAX_NODES) return wi_error_set(err, WI_E_LIMIT, "onnx: more than %d nodes", ONNX_MAX_NODES);
        onnx_node n;
        st = onnx_parse_node(&f, *count, &n, err);
        if (st == WI_OK) st = onnx_map_node(ctx, &n, err);
        onnx_node_free(&n);
        (*count)++;
    }
    if (st == WI_OK && r.error) return wi_error_set(err, WI_E_MALFORMED, "onnx: GraphProto: %s", r.error);
    if (st == WI_OK && *count == 0) return wi_error_set(err, WI_E_MALFORMED, "onnx: the graph has no nodes");
    return st;
}

/* The graph output: named by the options or the only one; in ONNX layout. */
static wi_status read_output(onnx_ctx *ctx, const wi_pb_field *graph, int *output, wi_error *err) {
    wi_pb_reader r = wi_pb_reader_make(graph->data, graph->len);
    wi_pb_field f;
    const char *want = ctx->opts->output_name;
    int count = 0;
    onnx_str first = {"", 0}, second = {"", 0};
    while (wi_pb_next(&r, &f)) {
        if (f.number != 12 || f.wire_type != WI_PB_LEN) continue;
        wi_pb_reader v = wi_pb_reader_make(f.data, f.len);
        wi_pb_field h;
        onnx_str name = {NULL, 0};
        while (wi_pb_next(&v, &h))
            if (h.number == 1 && h.wire_type == WI_PB_LEN) name = (onnx_str){(const char *)h.data, h.len};
        if (v.error || !name.p) return wi_error_set(err, WI_E_MALFORMED, "onnx: a graph output is malformed or unnamed");
        if (want && !str_eq(name, want)) continue;
        if (count == 0) first = name;
        else if (count == 1) second = name;
        count++;
    }
    if (r.error) return wi_error_set(err, WI_E_MALFORMED, "onnx: GraphProto: %s", r.error);
    if (count == 0 && want) first = (onnx_str){want, strlen(want)}; /* any tensor may be read */
    else if (count == 0) return wi_error_set(err, WI_E_NOT_FOUND, "onnx: the graph has no output");
    if (count > 1)
        return wi_error_set(err, WI_E_INVALID_ARGUMENT, "onnx: the graph has %d outputs ('%.*s', '%.*s', ...); name one with output_name",
                            count, (int)(first.len > 100 ? 100 : first.len), first.p,
                            (int)(second.len > 100 ? 100 : second.len), second.p);
    onnx_tensor *t = onnx_find(ctx, first.p, first.len);
    if (!t)
        return wi_error_set(err, WI_E_NOT_FOUND, "onnx: output '%.*s' is computed by no node",
                            (int)(first.len > 200 ? 200 : first.len), first.p);
    /* a stand-in node for messages about the output's layout change */
    onnx_node stand_in;
    memset(&stand_in, 0, sizeof stand_in);
    stand_in.name = "output";
    stand_in.op = "Transpose";
    stand_in.outputs = &first;
    stand_in.output_count = 1;
    return onnx_plain(ctx, &stand_in, t, output, err);
}

wi_status wi_onnx_load(const void *bytes, size_t len, const wi_model_options *opts, wi_model **out,
                       wi_error *err) {
    *out = NULL;
    onnx_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.opts = opts;
    ctx.graph = wi_graph_create(opts->max_elements);
    if (!ctx.graph) return wi_error_set(err, WI_E_OUT_OF_MEMORY, "onnx: out of memory");
    wi_pb_field graph = {0};
    int input = -1, output = -1, count = 0;
    wi_status st = read_model(&ctx, bytes, len, &graph, err);
    if (st == WI_OK) st = read_initializers(&ctx, &graph, err);
    if (st == WI_OK) st = read_input(&ctx, &graph, &input, err);
    if (st == WI_OK) st = read_nodes(&ctx, &graph, &count, err);
    if (st == WI_OK) st = read_output(&ctx, &graph, &output, err);
    /* nodes folded while loading are dead: drop them before the builder sorts the graph */
    if (st == WI_OK) st = wi_graph_compact(ctx.graph, err);
    free_ctx(&ctx);
    if (st == WI_OK && output == input)
        st = wi_error_set(err, WI_E_UNSUPPORTED, "onnx: the output is the input");
    if (st == WI_OK && ctx.graph->values[output].producer < 0)
        st = wi_error_set(err, WI_E_UNSUPPORTED, "onnx: output '%s' is a constant", ctx.graph->values[output].name);
    if (st != WI_OK) {
        wi_graph_free(ctx.graph);
        return st;
    }
    st = wi_model_build(ctx.graph, input, output, count, WI_FORMAT_ONNX, WI_BUILD_DEFAULT, out, err);
    if (st != WI_OK && err && strncmp(err->message, "onnx: ", 6) != 0) wi_error_prefix(err, "onnx: ");
    return st;
}
