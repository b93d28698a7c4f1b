/* Rewriting a convolution to absorb the per-channel affine op or activation after it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/error.h"
#include "ir/passes.h"

int wi_conv_producer(const wi_graph *g, int vid, int output) {
    const wi_value *v = &g->values[vid];
    if (vid == output || v->producer < 0 || v->uses != 1) return -1;
    const wi_node *p = &g->nodes[v->producer];
    if (p->dead || (p->op != WI_OP_CONV2D && p->op != WI_OP_DEPTHWISE_CONV2D)) return -1;
    if (p->params.conv.act_min != -INFINITY || p->params.conv.act_max != INFINITY) return -1;
    return v->producer;
}

bool wi_per_channel_const(const wi_value *v, int64_t channels, int max_rank, float *out) {
    if (!v->data || v->dtype != WI_DTYPE_FLOAT32 || v->rank > max_rank) return false;
    int64_t count = wi_value_elements(v);
    const float *d = v->data;
    if (count == 1) {
        for (int64_t c = 0; c < channels; c++) out[c] = d[0];
        return true;
    }
    if (count != channels || v->rank < 1 || v->dims[v->rank - 1] != channels) return false;
    memcpy(out, d, sizeof(float) * (size_t)channels);
    return true;
}

/* Multiplies conv's filter by scale[c] per output channel now, on a filter only this conv
 * owns: a filter other nodes read is copied first, a borrowed one made an owned copy. */
static wi_status scale_filter_now(wi_graph *g, int conv, const float *scale, int64_t channels,
                                  wi_error *err) {
    int filter_id = g->nodes[conv].inputs[1];
    const wi_value *f = &g->values[filter_id];
    if (f->uses != 1) {
        int copy;
        wi_status st = wi_graph_add_const(g, f->name, f->dtype, f->rank, f->dims, f->data, &copy, err);
        if (st != WI_OK) return st;
        g->nodes[conv].inputs[1] = filter_id = copy;
    }
    wi_status st = wi_value_own_data(&g->values[filter_id], err);
    if (st != WI_OK) return st;
    /* both filter layouts end in the output channel: [KH,KW,Cin,Cout] and [KH,KW,C,M]
     * (depthwise output channel c*M+m is the flat index of the last two dims) */
    float *w = g->values[filter_id].data;
    int64_t count = wi_value_elements(&g->values[filter_id]);
    for (int64_t row = 0; row < count; row += channels)
        for (int64_t c = 0; c < channels; c++) w[row + c] *= scale[c];
    return WI_OK;
}

/* Records scale as the conv's pending filter scale, which the kernel applies while packing:
 * the filter (often borrowed from the model bytes) is neither copied nor written. A second
 * scale on the same conv (batch norm, then Mul) applies both to a copy, in order, so the
 * result is the same bits as scaling in place twice. */
static wi_status defer_filter_scale(wi_graph *g, int conv, const float *scale, int64_t channels,
                                    wi_error *err) {
    wi_conv_params *p = &g->nodes[conv].params.conv;
    if (p->filter_scale) {
        wi_status st = scale_filter_now(g, conv, p->filter_scale, channels, err);
        if (st == WI_OK) st = scale_filter_now(g, conv, scale, channels, err);
        p = &g->nodes[conv].params.conv;
        free(p->filter_scale);
        p->filter_scale = NULL;
        return st;
    }
    p->filter_scale = malloc(sizeof(float) * (size_t)channels);
    if (!p->filter_scale)
        return wi_error_set(err, WI_E_OUT_OF_MEMORY, "out of memory fusing '%s'", g->nodes[conv].name);
    memcpy(p->filter_scale, scale, sizeof(float) * (size_t)channels);
    return WI_OK;
}

wi_status wi_conv_absorb(wi_graph *g, int conv, int absorbed, const float *scale,
                         const float *shift, const char *label, wi_error *err) {
    wi_node *c = &g->nodes[conv];
    const wi_value *y = &g->values[c->output];
    const int64_t channels = y->dims[y->rank - 1];
    int new_bias = c->input_count > 2 ? c->inputs[2] : -1;
    if (scale) {
        wi_status st = defer_filter_scale(g, conv, scale, channels, err);
        if (st != WI_OK) return st;
    }
    if (scale || shift) {
        int64_t dims[1] = {channels};
        char name[256];
        snprintf(name, sizeof name, "%s/bias", g->nodes[conv].name);
        int old_bias = new_bias;
        wi_status st = wi_graph_add_const(g, name, WI_DTYPE_FLOAT32, 1, dims, NULL, &new_bias, err);
        if (st != WI_OK) return st;
        float *b = g->values[new_bias].data;
        const float *ob = old_bias >= 0 ? g->values[old_bias].data : NULL;
        for (int64_t k = 0; k < channels; k++) {
            float v = ob ? ob[k] : 0.0f;
            if (scale) v *= scale[k];
            if (shift) v += shift[k];
            b[k] = v;
        }
    }
    c = &g->nodes[conv]; /* adding values never moves nodes, but stay explicit */
    if (c->input_count < 3) {
        int *inputs = realloc(c->inputs, sizeof(int) * 3);
        if (!inputs) return wi_error_set(err, WI_E_OUT_OF_MEMORY, "out of memory fusing '%s'", c->name);
        c->inputs = inputs;
        c->input_count = new_bias >= 0 ? 3 : c->input_count;
    }
    if (new_bias >= 0) c->inputs[2] = new_bias;
    wi_node_absorb(g, conv, absorbed, label);
    return WI_OK;
}
