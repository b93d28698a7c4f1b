/* A text dump of the live graph, one node per line, for pass tests and debugging:
 *   Conv2D+BatchNorm+Relu6 'conv' (x[1,8,8,3], w[3,3,3,4]*, b[4]*) -> y[1,8,8,4]
 * where * marks a constant. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "ir/dump.h"

static void append(char *buf, size_t cap, size_t *len, const char *fmt, ...) WI_PRINTF(4, 5);

static void append(char *buf, size_t cap, size_t *len, const char *fmt, ...) {
    if (*len >= cap) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *len, cap - *len, fmt, ap);
    va_end(ap);
    if (n > 0) *len += (size_t)n < cap - *len ? (size_t)n : cap - *len - 1;
}

static void value(const wi_graph *g, int id, char *buf, size_t cap, size_t *len) {
    const wi_value *v = &g->values[id];
    append(buf, cap, len, "%s[", v->name);
    for (int i = 0; i < v->rank; i++) append(buf, cap, len, "%s%lld", i ? "," : "", (long long)v->dims[i]);
    append(buf, cap, len, "]%s", v->data || (v->producer < 0 && !v->is_input) ? "*" : "");
}

size_t wi_graph_dump(const wi_graph *g, char *buf, size_t cap) {
    size_t len = 0;
    if (cap) buf[0] = '\0';
    for (int i = 0; i < g->node_count; i++) {
        const wi_node *n = &g->nodes[i];
        if (n->dead) continue;
        append(buf, cap, &len, "%s '%s' (", n->label, n->name);
        for (int j = 0; j < n->input_count; j++) {
            if (j) append(buf, cap, &len, ", ");
            value(g, n->inputs[j], buf, cap, &len);
        }
        append(buf, cap, &len, ") -> ");
        value(g, n->output, buf, cap, &len);
        append(buf, cap, &len, "\n");
    }
    return len;
}
