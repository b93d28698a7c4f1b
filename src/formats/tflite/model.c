/* The TFLite loader: the Model table, operator codes and buffers, the first subgraph's
 * tensors and operators, the input and output, then the format-neutral model builder.
 *
 * The engine runs float32: a quantized model's uint8/int8 input and output are presented in
 * their real-valued domain (real = scale * (q - zero_point)). A FakeQuant right after the
 * input puts the caller's floats on the input's grid, as feeding TFLite the nearest uint8
 * would. */
#include <stdlib.h>
#include <string.h>
#include "formats/tflite/tflite.h"
#include "formats/tflite/tfl.h"
#include "runtime/model.h"

#define OP_CUSTOM 32

static wi_status read_opcodes(tfl_ctx *c, const wi_fb_table *model, wi_error *err) {
    wi_fb_vector codes;
    if (wi_fb_vector_field(model, 1, 4, &codes) == WI_FB_BAD)
        return wi_error_set(err, WI_E_MALFORMED, "tflite: malformed operator_codes");
    c->opcodes = calloc((size_t)codes.count + 1, sizeof(int32_t));
    if (!c->opcodes) return wi_error_set(err, WI_E_OUT_OF_MEMORY, "tflite: out of memory");
    c->opcode_count = codes.count;
    for (uint32_t i = 0; i < codes.count; i++) {
        wi_fb_table t;
        int8_t deprecated;
        int32_t code;
        if (wi_fb_vec_table(&codes, i, &t) != WI_FB_OK || wi_fb_i8(&t, 0, 0, &deprecated) == WI_FB_BAD ||
            wi_fb_i32(&t, 3, 0, &code) == WI_FB_BAD)
            return wi_error_set(err, WI_E_MALFORMED, "tflite: operator code %u: malformed table", i);
        /* schema v3a: codes < 127 are in both fields, newer ones only in builtin_code */
        c->opcodes[i] = code > deprecated ? code : deprecated;
        if (c->opcodes[i] < 0) c->opcodes[i] = OP_CUSTOM;
    }
    return WI_OK;
}

/* The tensor named by the option, or the subgraph's only input/output. */
static wi_status pick(tfl_ctx *c, const wi_fb_table *sg, int field, const char *name,
                      const char *what, int *out, wi_error *err) {
    if (name) {
        for (int i = 0; i < c->tensor_count; i++) {
            int v = c->tensors[i].value;
            if (v >= 0 && strcmp(c->graph->values[v].name, name) == 0) {
                *out = i;
                return WI_OK;
            }
        }
        return wi_error_set(err, WI_E_NOT_FOUND, "tflite: no tensor named '%s' (%s_name)", name, what);
    }
    wi_fb_vector v;
    if (wi_fb_vector_field(sg, field, 4, &v) == WI_FB_BAD)
        return wi_error_set(err, WI_E_MALFORMED, "tflite: malformed subgraph %ss", what);
    if (v.count != 1)
        return wi_error_set(err, v.count ? WI_E_INVALID_ARGUMENT : WI_E_MALFORMED,
                            "tflite: the subgraph has %u %ss; name one with %s_name", v.count, what, what);
    int t = wi_fb_vec_i32(&v, 0);
    if (t < 0 || t >= c->tensor_count)
        return wi_error_set(err, WI_E_MALFORMED, "tflite: %s names tensor %d of %d", what, t, c->tensor_count);
    *out = t;
    return WI_OK;
}

/* The input value becomes float32 of the tensor's shape; a quantized input gets a FakeQuant
 * whose output is what the operators read. */
static wi_status make_input(tfl_ctx *c, int t_index, int *input, wi_error *err) {
    tfl_tensor *t = &c->tensors[t_index];
    wi_graph *g = c->graph;
    if (g->values[t->value].data)
        return wi_error_set(err, WI_E_UNSUPPORTED, "tflite: input '%s' is a constant", g->values[t->value].name);
    if (g->values[t->value].producer >= 0)
        return wi_error_set(err, WI_E_UNSUPPORTED, "tflite: input '%s' is computed by an operator",
                            g->values[t->value].name);
    wi_status st = wi_value_set_shape(g, &g->values[t->value], WI_DTYPE_FLOAT32, t->rank, t->dims, err);
    if (st != WI_OK) {
        wi_error_prefix(err, "tflite: ");
        return st;
    }
    *input = t->value;
    if (!t->quantized) return WI_OK;
    int grid = wi_graph_add_value(g, "input/quantized");
    if (grid < 0) return wi_error_set(err, WI_E_OUT_OF_MEMORY, "tflite: out of memory");
    int node = wi_graph_add_node(g, WI_OP_FAKE_QUANT, "input/quantized", "FakeQuant", input, 1, grid);
    if (node < 0) return wi_error_set(err, WI_E_OUT_OF_MEMORY, "tflite: out of memory");
    g->nodes[node].params.quant = t->grid;
    t->value = grid;
    return WI_OK;
}

static wi_status parse(tfl_ctx *c, const void *bytes, size_t len, int *input, int *output,
                       int *op_count, wi_error *err) {
    wi_fb_table model, sg;
    wi_fb_vector subgraphs;
    uint32_t version;
    if (wi_fb_root(bytes, len, &model) != WI_FB_OK)
        return wi_error_set(err, WI_E_MALFORMED, "tflite: malformed root table");
    if (wi_fb_u32(&model, 0, 0, &version) == WI_FB_BAD || version != 3)
        return wi_error_set(err, WI_E_UNSUPPORTED, "tflite: schema version %u (3 expected)", version);
    wi_status st = read_opcodes(c, &model, err);
    if (st != WI_OK) return st;
    if (wi_fb_vector_field(&model, 4, 4, &c->buffers) == WI_FB_BAD)
        return wi_error_set(err, WI_E_MALFORMED, "tflite: malformed buffers");
    if (wi_fb_vector_field(&model, 2, 4, &subgraphs) != WI_FB_OK || subgraphs.count == 0)
        return wi_error_set(err, WI_E_MALFORMED, "tflite: the model has no subgraph");
    if (wi_fb_vec_table(&subgraphs, 0, &sg) != WI_FB_OK)
        return wi_error_set(err, WI_E_MALFORMED, "tflite: subgraph 0: malformed table");
    if (wi_fb_vector_field(&sg, 3, 4, &c->operators) == WI_FB_BAD || c->operators.count > TFL_MAX_OPERATORS)
        return wi_error_set(err, WI_E_MALFORMED, "tflite: malformed or oversized operators");
    *op_count = (int)c->operators.count;
    if ((st = tfl_load_tensors(c, &sg, err)) != WI_OK) return st;
    int in_t, out_t;
    if ((st = pick(c, &sg, 1, c->opts->input_name, "input", &in_t, err)) != WI_OK) return st;
    if ((st = pick(c, &sg, 2, c->opts->output_name, "output", &out_t, err)) != WI_OK) return st;
    if ((st = make_input(c, in_t, input, err)) != WI_OK) return st;
    for (int i = 0; i < (int)c->operators.count; i++)
        if ((st = tfl_map_operator(c, i, err)) != WI_OK) return st;
    *output = c->tensors[out_t].value;
    return WI_OK;
}

/* Softmax, then only ops that keep probabilities probabilities (the builder's own check
 * does not know FakeQuant). */
static int ends_in_softmax(const wi_graph *g, int output) {
    int p = g->values[output].producer;
    while (p >= 0) {
        const wi_node *n = &g->nodes[p];
        if (n->op == WI_OP_SOFTMAX) return 1;
        if (n->op != WI_OP_RESHAPE && n->op != WI_OP_IDENTITY && n->op != WI_OP_SQUEEZE &&
            n->op != WI_OP_FAKE_QUANT)
            return 0;
        p = g->values[n->inputs[0]].producer;
    }
    return 0;
}

wi_status wi_tflite_load(const void *bytes, size_t len, const wi_model_options *opts,
                         wi_model **out, wi_error *err) {
    *out = NULL;
    tfl_ctx c;
    memset(&c, 0, sizeof c);
    c.opts = opts;
    c.graph = wi_graph_create(opts->max_elements);
    if (!c.graph) return wi_error_set(err, WI_E_OUT_OF_MEMORY, "tflite: out of memory");
    int input = -1, output = -1, op_count = 0;
    wi_status st = parse(&c, bytes, len, &input, &output, &op_count, err);
    free(c.opcodes);
    free(c.tensors);
    if (st != WI_OK) {
        wi_graph_free(c.graph);
        return st;
    }
    st = wi_model_build(c.graph, input, output, op_count, WI_FORMAT_TFLITE, WI_BUILD_DEFAULT, out, err);
    if (st != WI_OK) {
        if (err && strncmp(err->message, "tflite: ", 8) != 0) wi_error_prefix(err, "tflite: ");
        return st;
    }
    if (!(*out)->output_is_probabilities)
        (*out)->output_is_probabilities = ends_in_softmax((*out)->graph, (*out)->output);
    return WI_OK;
}
