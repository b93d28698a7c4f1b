/* Topological order with cycle detection (Kahn's algorithm, iterative). */
#include <stdlib.h>
#include "core/error.h"
#include "ir/passes.h"

wi_status wi_pass_topo_sort(wi_graph *g, wi_error *err) {
    const int n = g->node_count;
    if (n == 0) return WI_OK;
    int *indegree = calloc((size_t)n, sizeof(int));
    int *first = calloc((size_t)g->value_count + 1, sizeof(int)); /* CSR: value -> consumers */
    int edges = 0;
    for (int i = 0; i < n; i++) edges += g->nodes[i].input_count;
    int *consumers = malloc(sizeof(int) * (size_t)(edges ? edges : 1));
    int *fill = calloc((size_t)g->value_count + 1, sizeof(int));
    int *order = malloc(sizeof(int) * (size_t)n);
    wi_status st = WI_OK;
    if (!indegree || !first || !consumers || !fill || !order) {
        st = wi_error_set(err, WI_E_OUT_OF_MEMORY, "out of memory sorting the graph");
        goto done;
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < g->nodes[i].input_count; j++) {
            int v = g->nodes[i].inputs[j];
            if (g->values[v].producer >= 0) {
                indegree[i]++;
                first[v + 1]++;
            }
        }
    for (int v = 0; v < g->value_count; v++) first[v + 1] += first[v];
    for (int i = 0; i < n; i++)
        for (int j = 0; j < g->nodes[i].input_count; j++) {
            int v = g->nodes[i].inputs[j];
            if (g->values[v].producer >= 0) consumers[first[v] + fill[v]++] = i;
        }
    /* `order` doubles as the FIFO queue: [head, tail) are ready, [0, head) are placed */
    int head = 0, tail = 0;
    for (int i = 0; i < n; i++)
        if (indegree[i] == 0) order[tail++] = i;
    while (head < tail) {
        int v = g->nodes[order[head++]].output;
        for (int k = first[v]; k < first[v + 1]; k++)
            if (--indegree[consumers[k]] == 0) order[tail++] = consumers[k];
    }
    if (tail < n) {
        for (int i = 0; i < n; i++)
            if (indegree[i] > 0) {
                st = wi_error_set(err, WI_E_MALFORMED, "graph has a cycle through node '%s'",
                                  g->nodes[i].name);
                goto done;
            }
    }
    st = wi_graph_reorder(g, order, n, err);
done:
    free(indegree);
    free(first);
    free(consumers);
    free(fill);
    free(order);
    return st;
}
