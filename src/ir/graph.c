/* Graph IR storage: growing arrays of values and nodes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/checked.h"
#include "core/dtype.h"
#include "core/error.h"
#include "ir/graph.h"
#include "kernels.h"

static const char *const k_op_names[WI_OP_KIND_COUNT] = {
    [WI_OP_IDENTITY] = "Identity",
    [WI_OP_CONV2D] = "Conv2D",
    [WI_OP_DEPTHWISE_CONV2D] = "DepthwiseConv2dNative",
    [WI_OP_BATCHNORM] = "FusedBatchNorm",
    [WI_OP_BIAS_ADD] = "BiasAdd",
    [WI_OP_RELU] = "Relu",
    [WI_OP_RELU6] = "Relu6",
    [WI_OP_ADD] = "Add",
    [WI_OP_SUB] = "Sub",
    [WI_OP_MUL] = "Mul",
    [WI_OP_AVG_POOL] = "AvgPool",
    [WI_OP_MAX_POOL] = "MaxPool",
    [WI_OP_MEAN] = "Mean",
    [WI_OP_SQUEEZE] = "Squeeze",
    [WI_OP_RESHAPE] = "Reshape",
    [WI_OP_SHAPE] = "Shape",
    [WI_OP_SOFTMAX] = "Softmax",
    [WI_OP_MATMUL] = "MatMul",
    [WI_OP_PAD] = "Pad",
    [WI_OP_CONCAT] = "ConcatV2",
    [WI_OP_TRANSPOSE] = "Transpose",
    [WI_OP_CLIP] = "Clip",
    [WI_OP_FAKE_QUANT] = "FakeQuant",
};

const char *wi_op_kind_name(wi_op_kind op) {
    if ((int)op < 0 || op >= WI_OP_KIND_COUNT) return "?";
    return k_op_names[op];
}

static char *dup_string(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

wi_graph *wi_graph_create(int64_t max_elements) {
    wi_graph *g = calloc(1, sizeof *g);
    if (g) g->max_elements = max_elements > 0 ? max_elements : ((int64_t)1 << 28);
    return g;
}

static void free_node(wi_node *n) {
    if ((n->op == WI_OP_CONV2D || n->op == WI_OP_DEPTHWISE_CONV2D) && n->params.conv.kernel) {
        wi_conv_kernel_free(n->params.conv.kernel);
        n->params.conv.kernel = NULL;
    }
    if (n->op == WI_OP_CONV2D || n->op == WI_OP_DEPTHWISE_CONV2D) {
        free(n->params.conv.filter_scale);
        n->params.conv.filter_scale = NULL;
    }
    if (n->op == WI_OP_MATMUL && n->params.matmul.kernel) {
        wi_conv_kernel_free(n->params.matmul.kernel);
        n->params.matmul.kernel = NULL;
    }
    if (n->op == WI_OP_CONV2D && n->params.conv.block) {
        wi_block_kernel_free(n->params.conv.block); /* before the kernels it borrows */
        wi_conv_kernel_free(n->params.conv.block_expand);
        wi_conv_kernel_free(n->params.conv.block_dw);
        n->params.conv.block = NULL;
    }
    free(n->name);
    free(n->origin);
    free(n->inputs);
}

void wi_graph_free(wi_graph *g) {
    if (!g) return;
    for (int i = 0; i < g->value_count; i++) {
        free(g->values[i].name);
        wi_value_drop_data(&g->values[i]);
    }
    for (int i = 0; i < g->node_count; i++) free_node(&g->nodes[i]);
    free(g->values);
    free(g->nodes);
    free(g);
}

void wi_value_drop_data(wi_value *v) {
    if (!v->borrowed) free(v->data);
    v->data = NULL;
    v->borrowed = 0;
}

wi_status wi_value_own_data(wi_value *v, wi_error *err) {
    if (!v->borrowed) return WI_OK;
    size_t bytes = wi_value_bytes(v);
    void *copy = malloc(bytes ? bytes : 1);
    if (!copy) return wi_error_set(err, WI_E_OUT_OF_MEMORY, "out of memory copying '%s'", v->name);
    if (bytes) memcpy(copy, v->data, bytes);
    v->data = copy;
    v->borrowed = 0;
    return WI_OK;
}

/* Grows an array of `size`-byte items to hold one more; false on out of memory. */
static bool grow(void **items, int *cap, int count, size_t size) {
    if (count < *cap) return true;
    int new_cap = *cap ? *cap * 2 : 64;
    size_t bytes;
    if (new_cap < *cap || !wi_mul_size((size_t)new_cap, size, &bytes)) return false;
    void *p = realloc(*items, bytes);
    if (!p) return false;
    *items = p;
    *cap = new_cap;
    return true;
}

int wi_graph_add_value(wi_graph *g, const char *name) {
    if (!grow((void **)&g->values, &g->value_cap, g->value_count, sizeof(wi_value))) return -1;
    wi_value *v = &g->values[g->value_count];
    memset(v, 0, sizeof *v);
    v->name = dup_string(name ? name : "");
    if (!v->name) return -1;
    v->producer = -1;
    return g->value_count++;
}

wi_status wi_value_set_shape(wi_graph *g, wi_value *v, wi_dtype dtype, int rank,
                             const int64_t *dims, wi_error *err) {
    if (rank < 0 || rank > WI_MAX_RANK)
        return wi_error_set(err, WI_E_LIMIT, "'%s': rank %d exceeds %d", v->name, rank,
                            WI_MAX_RANK);
    int64_t n = 1;
    for (int i = 0; i < rank; i++) {
        if (dims[i] < 0)
            return wi_error_set(err, WI_E_MALFORMED, "'%s': negative dimension %lld", v->name,
                                (long long)dims[i]);
        if (!wi_mul_i64(n, dims[i], &n) || n > g->max_elements)
            return wi_error_set(err, WI_E_LIMIT, "'%s': more than %lld elements", v->name,
                                (long long)g->max_elements);
    }
    if (wi_dtype_size(dtype) == 0)
        return wi_error_set(err, WI_E_UNSUPPORTED, "'%s': unsupported dtype", v->name);
    v->dtype = dtype;
    v->rank = rank;
    for (int i = 0; i < WI_MAX_RANK; i++) v->dims[i] = i < rank ? dims[i] : 0;
    return WI_OK;
}

int64_t wi_value_elements(const wi_value *v) {
    int64_t n = 1;
    for (int i = 0; i < v->rank; i++) n *= v->dims[i];
    return n;
}

size_t wi_value_bytes(const wi_value *v) {
    return (size_t)wi_value_elements(v) * wi_dtype_size(v->dtype);
}

wi_status wi_graph_add_const(wi_graph *g, const char *name, wi_dtype dtype, int rank,
                             const int64_t *dims, const void *data, int *id, wi_error *err) {
    int vid = wi_graph_add_value(g, name);
    if (vid < 0) return wi_error_set(err, WI_E_OUT_OF_MEMORY, "out of memory adding '%s'", name);
    wi_value *v = &g->values[vid];
    wi_status st = wi_value_set_shape(g, v, dtype, rank, dims, err);
    if (st != WI_OK) return st;
    size_t bytes = wi_value_bytes(v);
    v->data = calloc(1, bytes ? bytes : 1);
    if (!v->data) return wi_error_set(err, WI_E_OUT_OF_MEMORY, "out of memory for '%s'", name);
    if (data && bytes) memcpy(v->data, data, bytes);
    *id = vid;
    return WI_OK;
}

wi_status wi_graph_add_borrowed_const(wi_graph *g, const char *name, wi_dtype dtype, int rank,
                                      const int64_t *dims, const void *data, int *id,
                                      wi_error *err) {
    int vid = wi_graph_add_value(g, name);
    if (vid < 0) return wi_error_set(err, WI_E_OUT_OF_MEMORY, "out of memory adding '%s'", name);
    wi_value *v = &g->values[vid];
    wi_status st = wi_value_set_shape(g, v, dtype, rank, dims, err);
    if (st != WI_OK) return st;
    v->data = (void *)data;
    v->borrowed = 1;
    *id = vid;
    return WI_OK;
}

int wi_graph_add_node(wi_graph *g, wi_op_kind op, const char *name, const char *origin,
                      const int *inputs, int input_count, int output) {
    if (!grow((void **)&g->nodes, &g->node_cap, g->node_count, sizeof(wi_node))) return -1;
    wi_node *n = &g->nodes[g->node_count];
    memset(n, 0, sizeof *n);
    n->op = op;
    n->name = dup_string(name ? name : "");
    n->origin = dup_string(origin ? origin : wi_op_kind_name(op));
    n->inputs = malloc(sizeof(int) * (size_t)(input_count > 0 ? input_count : 1));
    if (!n->name || !n->origin || !n->inputs) {
        free_node(n);
        return -1;
    }
    if (input_count > 0) memcpy(n->inputs, inputs, sizeof(int) * (size_t)input_count);
    n->input_count = input_count;
    n->output = output;
    snprintf(n->label, sizeof n->label, "%s", n->origin);
    if (op == WI_OP_CONV2D || op == WI_OP_DEPTHWISE_CONV2D) {
        n->params.conv.act_min = -INFINITY;
        n->params.conv.act_max = INFINITY;
        n->params.conv.channel_multiplier = 1;
    }
    if (output >= 0 && output < g->value_count) g->values[output].producer = g->node_count;
    return g->node_count++;
}

int wi_value_const_ints(const wi_value *v, int64_t *out, int max) {
    if (!v->data) return -1;
    int64_t n = wi_value_elements(v);
    if (n > max) return -1;
    for (int64_t i = 0; i < n; i++) {
        if (v->dtype == WI_DTYPE_INT32) out[i] = ((const int32_t *)v->data)[i];
        else if (v->dtype == WI_DTYPE_INT64) out[i] = ((const int64_t *)v->data)[i];
        else return -1;
    }
    return (int)n;
}

void wi_graph_count_uses(wi_graph *g, int output) {
    for (int i = 0; i < g->value_count; i++) g->values[i].uses = 0;
    for (int i = 0; i < g->node_count; i++) {
        const wi_node *n = &g->nodes[i];
        if (n->dead) continue;
        for (int j = 0; j < n->input_count; j++) g->values[n->inputs[j]].uses++;
    }
    if (output >= 0) g->values[output].uses++;
}

void wi_graph_replace_uses(wi_graph *g, int from, int to) {
    for (int i = 0; i < g->node_count; i++) {
        wi_node *n = &g->nodes[i];
        if (n->dead) continue;
        for (int j = 0; j < n->input_count; j++)
            if (n->inputs[j] == from) n->inputs[j] = to;
    }
}

void wi_node_label_append(wi_node *n, const char *suffix) {
    size_t len = strlen(n->label);
    snprintf(n->label + len, sizeof n->label - len, "+%s", suffix);
}

void wi_node_absorb(wi_graph *g, int p, int q, const char *suffix) {
    wi_node *pn = &g->nodes[p], *qn = &g->nodes[q];
    g->values[pn->output].producer = -1;
    pn->output = qn->output;
    g->values[qn->output].producer = p;
    qn->dead = 1;
    wi_node_label_append(pn, suffix);
}

wi_status wi_graph_reorder(wi_graph *g, const int *order, int count, wi_error *err) {
    wi_node *nodes = malloc(sizeof(wi_node) * (size_t)(count > 0 ? count : 1));
    char *kept = calloc((size_t)(g->node_count > 0 ? g->node_count : 1), 1);
    if (!nodes || !kept) {
        free(nodes);
        free(kept);
        return wi_error_set(err, WI_E_OUT_OF_MEMORY, "out of memory ordering the graph");
    }
    for (int i = 0; i < count; i++) {
        nodes[i] = g->nodes[order[i]];
        kept[order[i]] = 1;
    }
    for (int i = 0; i < g->node_count; i++)
        if (!kept[i]) free_node(&g->nodes[i]);
    for (int i = 0; i < g->value_count; i++) g->values[i].producer = -1;
    for (int i = 0; i < count; i++) g->values[nodes[i].output].producer = i;
    free(kept);
    free(g->nodes);
    g->nodes = nodes;
    g->node_count = count;
    g->node_cap = count > 0 ? count : 1;
    return WI_OK;
}

wi_status wi_graph_compact(wi_graph *g, wi_error *err) {
    int *order = malloc(sizeof(int) * (size_t)(g->node_count > 0 ? g->node_count : 1));
    if (!order) return wi_error_set(err, WI_E_OUT_OF_MEMORY, "out of memory compacting the graph");
    int count = 0;
    for (int i = 0; i < g->node_count; i++)
        if (!g->nodes[i].dead) order[count++] = i;
    wi_status st = wi_graph_reorder(g, order, count, err);
    free(order);
    return st;
}
