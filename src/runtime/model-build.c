/* From a freshly loaded graph to a runnable model: the pass pipeline, kernel packing, memory
 * plan and statistics. Format-neutral: every loader ends here. */
#include <stdlib.h>
#include <string.h>
#include "core/error.h"
#include "ir/passes.h"
#include "ops/conv.h"
#include "runtime/model.h"

static bool is_conv(const wi_node *n) {
    return n->op == WI_OP_CONV2D || n->op == WI_OP_DEPTHWISE_CONV2D;
}

/* Every value a live node reads must be a constant, the input, or another node's output
 * (another Placeholder is not fed by anyone). */
static wi_status check_fed(const wi_graph *g, int input, wi_error *err) {
    for (int i = 0; i < g->node_count; i++) {
        const wi_node *n = &g->nodes[i];
        for (int j = 0; j < n->input_count; j++) {
            const wi_value *v = &g->values[n->inputs[j]];
            if (!v->data && v->producer < 0 && n->inputs[j] != input)
                return wi_error_set(err, WI_E_NOT_FOUND,
                                    "node '%s' reads '%s', which is neither a constant, the input "
                                    "'%s', nor computed by a node",
                                    n->name, v->name, g->values[input].name);
        }
    }
    return WI_OK;
}

static int probabilities(const wi_graph *g, int output) {
    int p = g->values[output].producer;
    while (p >= 0) {
        const wi_node *n = &g->nodes[p];
        if (n->op == WI_OP_SOFTMAX) return 1;
        if (n->op != WI_OP_RESHAPE && n->op != WI_OP_IDENTITY && n->op != WI_OP_SQUEEZE) return 0;
        p = g->values[n->inputs[0]].producer;
    }
    return 0;
}

static void compute_stats(wi_model *m) {
    const wi_graph *g = m->graph;
    wi_model_stats *s = &m->stats;
    for (int i = 0; i < g->node_count; i++) {
        const wi_node *n = &g->nodes[i];
        if (is_conv(n)) s->macs += wi_conv_op_macs(g, n);
        if (n->op == WI_OP_MATMUL) s->macs += wi_matmul_op_macs(g, n);
    }
    for (int v = 0; v < g->value_count; v++) {
        const wi_value *val = &g->values[v];
        if (val->uses > 0 && val->producer < 0 && !val->is_input && val->dtype == WI_DTYPE_FLOAT32)
            s->parameters += wi_value_elements(val);
    }
    s->node_count = g->node_count;
}

/* A loader may leave constants borrowed from the model's bytes (wi_value.borrowed) rather
 * than copy them: for MobileNet V2 1.4 the copy alone is 24 MB of fresh pages, about half of
 * the load. Convolution kernels read a borrowed filter byte-wise while packing it; every other
 * constant becomes an owned copy here, once Identity nodes are gone and the real consumers
 * are known, so no pass ever reads or writes borrowed bytes. */
static wi_status own_constants_but_filters(wi_graph *g, int output, wi_error *err) {
    char *filter_only = malloc((size_t)g->value_count + 1);
    if (!filter_only) return wi_error_set(err, WI_E_OUT_OF_MEMORY, "out of memory");
    memset(filter_only, 1, (size_t)g->value_count + 1);
    for (int i = 0; i < g->node_count; i++) {
        const wi_node *n = &g->nodes[i];
        if (n->dead) continue;
        for (int j = 0; j < n->input_count; j++)
            if (!(is_conv(n) && j == 1)) filter_only[n->inputs[j]] = 0;
    }
    filter_only[output] = 0;
    wi_status st = WI_OK;
    for (int v = 0; v < g->value_count && st == WI_OK; v++)
        if (g->values[v].borrowed && !filter_only[v]) st = wi_value_own_data(&g->values[v], err);
    free(filter_only);
    return st;
}

/* After packing: whatever is still borrowed (a filter shared with a node that kept it) is
 * copied, as the model outlives the bytes it was loaded from. */
static wi_status own_all_constants(wi_graph *g, wi_error *err) {
    for (int v = 0; v < g->value_count; v++) {
        wi_status st = wi_value_own_data(&g->values[v], err);
        if (st != WI_OK) return st;
    }
    return WI_OK;
}

/* Packs conv (and constant-B MatMul) weights, then frees the graph's copy of constants only a
 * kernel reads. */
static wi_status create_kernels(wi_model *m, wi_error *err) {
    wi_graph *g = m->graph;
    for (int i = 0; i < g->node_count; i++) {
        wi_node *n = &g->nodes[i];
        if (!is_conv(n) && n->op != WI_OP_MATMUL) continue;
        wi_status st = is_conv(n) ? wi_conv_op_create_kernel(g, n, err)
                                  : wi_matmul_op_create_kernel(g, n, err);
        if (st != WI_OK) return st;
        const wi_conv_kernel *k = is_conv(n) ? n->params.conv.kernel : n->params.matmul.kernel;
        if (!k) continue; /* a MatMul left on its loop keeps reading its inputs */
        size_t scratch = wi_conv_kernel_scratch_bytes(k);
        if (scratch > m->scratch_bytes) m->scratch_bytes = scratch;
        m->stats.weight_bytes += wi_conv_kernel_weight_bytes(k);
        for (int j = 1; j < n->input_count; j++) {
            wi_value *w = &g->values[n->inputs[j]];
            if (w->uses == 1 && w->data) {
                wi_value_drop_data(w);
                w->uses = 0;
            }
        }
    }
    for (int v = 0; v < g->value_count; v++)
        if (g->values[v].data && g->values[v].uses > 0) m->stats.weight_bytes += wi_value_bytes(&g->values[v]);
    return WI_OK;
}

/* Block and epilogue fusion are on unless the flags or WASINFER_NO_BLOCK_FUSION (set, not "0")
 * turn them off: the unfused path stays reachable so tests and benchmarks compare the two. */
static int blocks_wanted(unsigned flags) {
    if (flags & (WI_BUILD_NO_FUSION | WI_BUILD_NO_BLOCKS)) return 0;
    const char *env = getenv("WASINFER_NO_BLOCK_FUSION");
    return !env || !env[0] || strcmp(env, "0") == 0;
}

size_t wi_model_scratch_bytes(const wi_model *m, int threads) {
    size_t bytes = m->scratch_bytes;
    const wi_graph *g = m->graph;
    for (int i = 0; i < g->node_count; i++) {
        const wi_node *n = &g->nodes[i];
        if (n->op != WI_OP_CONV2D || !n->params.conv.block) continue;
        size_t b = wi_block_kernel_scratch_bytes(n->params.conv.block, threads);
        if (b > bytes) bytes = b;
    }
    return bytes;
}

wi_status wi_model_build(wi_graph *g, int input, int output, int source_node_count,
                         wi_format format, unsigned flags, wi_model **out, wi_error *err) {
    *out = NULL;
    wi_model *m = calloc(1, sizeof *m);
    if (!m) {
        wi_graph_free(g);
        return wi_error_set(err, WI_E_OUT_OF_MEMORY, "out of memory");
    }
    m->graph = g;
    m->format = format;
    m->input = input;
    m->output = output;
    m->stats.source_node_count = source_node_count;
    g->values[input].is_input = 1;
    /* dead branches go first, so nothing the output does not need can fail the load */
    wi_status st = wi_pass_topo_sort(g, err);
    if (st == WI_OK) st = wi_pass_dead_code(g, output, err);
    if (st == WI_OK) st = check_fed(g, input, err);
    if (st == WI_OK) st = wi_pass_fold_constants(g, output, err);
    if (st == WI_OK) st = own_constants_but_filters(g, output, err);
    if (st == WI_OK) st = wi_pass_infer_shapes(g, err);
    if (st == WI_OK && !(flags & WI_BUILD_NO_FUSION)) st = wi_pass_fold_batchnorm(g, output, err);
    if (st == WI_OK && !(flags & WI_BUILD_NO_FUSION)) st = wi_pass_fuse_bias_activation(g, output, err);
    if (st == WI_OK) st = wi_pass_dead_code(g, output, err);
    if (st == WI_OK && g->values[output].dtype != WI_DTYPE_FLOAT32)
        st = wi_error_set(err, WI_E_UNSUPPORTED, "output '%s' is %s; only float32 outputs are supported",
                          g->values[output].name, wi_dtype_name(g->values[output].dtype));
    if (st == WI_OK) {
        compute_stats(m);
        st = create_kernels(m, err);
    }
    if (st == WI_OK && blocks_wanted(flags)) st = wi_pass_fuse_blocks(g, output, err);
    if (st == WI_OK && blocks_wanted(flags)) st = wi_pass_fuse_epilogues(g, output, err);
    m->stats.node_count = g->node_count;
    if (st == WI_OK) st = wi_pass_plan_memory(g, output, &m->stats.arena_bytes, err);
    if (st == WI_OK) st = own_all_constants(g, err);
    if (st != WI_OK) {
        wi_model_free(m);
        return st;
    }
    m->output_is_probabilities = probabilities(g, output);
    *out = m;
    return WI_OK;
}
