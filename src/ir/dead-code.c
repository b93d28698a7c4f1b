/* Dead-node removal: keeps the nodes the output depends on (walked with an explicit stack),
 * then frees the data of constants no live node reads. */
#include <stdlib.h>
#include "core/error.h"
#include "ir/passes.h"

wi_status wi_pass_dead_code(wi_graph *g, int output, wi_error *err) {
    char *live = calloc((size_t)g->node_count + 1, 1);
    int *stack = malloc(sizeof(int) * ((size_t)g->node_count + 1));
    if (!live || !stack) {
        free(live);
        free(stack);
        return wi_error_set(err, WI_E_OUT_OF_MEMORY, "out of memory removing dead nodes");
    }
    int top = 0;
    int p = g->values[output].producer;
    if (p >= 0 && !g->nodes[p].dead) {
        live[p] = 1;
        stack[top++] = p;
    }
    while (top > 0) {
        const wi_node *n = &g->nodes[stack[--top]];
        for (int j = 0; j < n->input_count; j++) {
            int q = g->values[n->inputs[j]].producer;
            if (q >= 0 && !g->nodes[q].dead && !live[q]) {
                live[q] = 1;
                stack[top++] = q;
            }
        }
    }
    for (int i = 0; i < g->node_count; i++)
        if (!live[i]) g->nodes[i].dead = 1;
    free(live);
    free(stack);
    wi_status st = wi_graph_compact(g, err);
    if (st != WI_OK) return st;
    wi_graph_count_uses(g, output);
    for (int v = 0; v < g->value_count; v++)
        if (g->values[v].uses == 0 && g->values[v].data) wi_value_drop_data(&g->values[v]);
    return WI_OK;
}
