/* Memory plan: greedy by size (TFLite Micro's GreedyMemoryPlanner). Each activation lives
 * from the node that writes it (graph inputs: from the start) to the last node that reads it
 * (the input and the output: to the end). Largest first, each buffer goes at the lowest 64-byte-aligned
 * offset that does not overlap a placed buffer with an overlapping lifetime. */
#include <stdlib.h>
#include "core/checked.h"
#include "core/error.h"
#include "ir/passes.h"

/* First-fit checks every buffer against every one placed before it, and sorts those whose
 * lifetimes overlap: quadratic in the graph. A 6.7 MB GraphDef (a 199k-node chain) took 18 s
 * to plan and a 1.3 MB one (20k buffers all alive at once) 17 s (found while fuzzing).
 * Past this much work (comparisons + sort steps; about a second) the remaining buffers are
 * placed end to end after everything placed so far: a valid plan (they overlap nothing),
 * found in linear time, that only costs memory. Graphs of up to ~30k buffers never get here. */
#define PLAN_WORK_BUDGET ((int64_t)1 << 29)

static int64_t log2_ceil(int64_t n) {
    int64_t k = 1;
    while (n > 1) n >>= 1, k++;
    return k;
}

typedef struct buffer {
    int value;
    int first, last; /* node indices */
    size_t size, offset;
} buffer;

static int by_size_desc(const void *pa, const void *pb) {
    const buffer *a = pa, *b = pb;
    if (a->size != b->size) return a->size > b->size ? -1 : 1;
    return a->value - b->value; /* deterministic */
}

static int by_offset(const void *pa, const void *pb) {
    const buffer *a = *(const buffer *const *)pa, *b = *(const buffer *const *)pb;
    if (a->offset != b->offset) return a->offset < b->offset ? -1 : 1;
    return a->value - b->value;
}

wi_status wi_pass_plan_memory(wi_graph *g, int output, size_t *arena_bytes, wi_error *err) {
    int *index = malloc(sizeof(int) * ((size_t)g->value_count + 1));
    buffer *bufs = malloc(sizeof(buffer) * ((size_t)g->value_count + 1));
    buffer **placed = malloc(sizeof(buffer *) * ((size_t)g->value_count + 1));
    wi_status st = WI_OK;
    *arena_bytes = 0;
    if (!index || !bufs || !placed) {
        st = wi_error_set(err, WI_E_OUT_OF_MEMORY, "out of memory planning memory");
        goto done;
    }
    int count = 0;
    for (int v = 0; v < g->value_count; v++) {
        index[v] = -1;
        const wi_value *val = &g->values[v];
        if (val->data || (!val->is_input && val->producer < 0)) continue;
        buffer *b = &bufs[count];
        b->value = v;
        b->first = val->is_input ? -1 : val->producer;
        /* the output lives to the end; so does the input, so that running twice on one
         * input gives the same answer */
        b->last = (v == output || val->is_input) ? g->node_count : b->first;
        if (!wi_align_size(wi_value_bytes(val), 64, &b->size)) {
            st = wi_error_set(err, WI_E_LIMIT, "'%s' is too large", val->name);
            goto done;
        }
        index[v] = count++;
    }
    for (int i = 0; i < g->node_count; i++)
        for (int j = 0; j < g->nodes[i].input_count; j++) {
            int k = index[g->nodes[i].inputs[j]];
            if (k >= 0 && bufs[k].last < i) bufs[k].last = i;
        }
    qsort(bufs, (size_t)count, sizeof(buffer), by_size_desc);
    size_t total = 0;
    int64_t work = 0;
    for (int k = 0; k < count; k++) {
        buffer *b = &bufs[k];
        size_t offset = total; /* over the budget: after everything (offsets stay 64-aligned) */
        if (work <= PLAN_WORK_BUDGET) {
            int overlapping = 0;
            for (int m = 0; m < k; m++)
                if (bufs[m].first <= b->last && b->first <= bufs[m].last) placed[overlapping++] = &bufs[m];
            qsort(placed, (size_t)overlapping, sizeof(buffer *), by_offset);
            work += k + 8 * (int64_t)overlapping * log2_ceil(overlapping); /* qsort steps cost more */
            offset = 0;
            for (int m = 0; m < overlapping; m++) {
                if (placed[m]->offset >= offset && placed[m]->offset - offset >= b->size) break;
                size_t end = placed[m]->offset + placed[m]->size;
                if (end > offset) offset = end;
            }
        }
        b->offset = offset;
        size_t end;
        if (!wi_add_size(offset, b->size, &end)) {
            st = wi_error_set(err, WI_E_LIMIT, "arena size overflows");
            goto done;
        }
        if (end > total) total = end;
        g->values[b->value].arena_offset = offset;
    }
    *arena_bytes = total;
done:
    free(index);
    free(bufs);
    free(placed);
    return st;
}
