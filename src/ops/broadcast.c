/* numpy broadcasting over up to WI_MAX_RANK dims, with fast paths for equal shapes and for a
 * right operand that repeats along the leading dims (a per-channel constant). */
#include <stdio.h>
#include <string.h>
#include "ops/broadcast.h"

static wi_status shape_text_fail(wi_error *err, const wi_node *n, const wi_value *a,
                                 const wi_value *b) {
    char sa[128], sb[128];
    size_t o = 0;
    sa[0] = sb[0] = '\0';
    for (int i = 0; i < a->rank && o < sizeof sa - 24; i++)
        o += (size_t)snprintf(sa + o, sizeof sa - o, "%s%lld", i ? "," : "", (long long)a->dims[i]);
    o = 0;
    for (int i = 0; i < b->rank && o < sizeof sb - 24; i++)
        o += (size_t)snprintf(sb + o, sizeof sb - o, "%s%lld", i ? "," : "", (long long)b->dims[i]);
    return wi_op_fail(err, n, WI_E_MALFORMED, "shapes [%s] and [%s] do not broadcast", sa, sb);
}

wi_status wi_broadcast_prepare(wi_graph *g, wi_node *n, wi_error *err) {
    wi_status st = wi_op_want_float(g, n, 0, -1, err);
    if (st == WI_OK) st = wi_op_want_float(g, n, 1, -1, err);
    if (st != WI_OK) return st;
    const wi_value *a = wi_op_in(g, n, 0), *b = wi_op_in(g, n, 1);
    int rank = a->rank > b->rank ? a->rank : b->rank;
    int64_t dims[WI_MAX_RANK];
    for (int i = 0; i < rank; i++) {
        int ia = i - (rank - a->rank), ib = i - (rank - b->rank);
        int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
        if (da != db && da != 1 && db != 1) return shape_text_fail(err, n, a, b);
        dims[i] = da == 1 ? db : da;
    }
    return wi_value_set_shape(g, wi_op_out(g, n), WI_DTYPE_FLOAT32, rank, dims, err);
}

static inline float apply(float a, float b, wi_binary_fn fn) {
    switch (fn) {
    case WI_BINARY_ADD: return a + b;
    case WI_BINARY_SUB: return a - b;
    case WI_BINARY_MUL: return a * b;
    }
    return 0.0f;
}

/* Strides of `v` aligned to the output's rank, 0 along broadcast dims. */
static void broadcast_strides(const wi_value *v, const wi_value *out, int64_t *strides) {
    int64_t s = 1;
    for (int i = out->rank - 1; i >= 0; i--) {
        int iv = i - (out->rank - v->rank);
        int64_t d = iv >= 0 ? v->dims[iv] : 1;
        strides[i] = d == 1 ? 0 : s;
        s *= d;
    }
}

void wi_broadcast_eval(const wi_value *a, const wi_value *b, const wi_value *out,
                       const float *pa, const float *pb, float *po, wi_binary_fn fn) {
    int64_t n = wi_value_elements(out);
    int64_t na = wi_value_elements(a), nb = wi_value_elements(b);
    if (na == n && nb == n) {
        for (int64_t i = 0; i < n; i++) po[i] = apply(pa[i], pb[i], fn);
        return;
    }
    if (out->rank == 0) {
        po[0] = apply(pa[0], pb[0], fn);
        return;
    }
    int64_t sa[WI_MAX_RANK], sb[WI_MAX_RANK], idx[WI_MAX_RANK];
    broadcast_strides(a, out, sa);
    broadcast_strides(b, out, sb);
    memset(idx, 0, sizeof idx);
    const int last = out->rank - 1;
    const int64_t inner = out->dims[last];
    int64_t oa = 0, ob = 0;
    for (int64_t i = 0; i < n; i += inner) {
        /* the innermost axis as a loop, the rest as an odometer */
        for (int64_t k = 0; k < inner; k++)
            po[i + k] = apply(pa[oa + k * sa[last]], pb[ob + k * sb[last]], fn);
        for (int d = last - 1; d >= 0; d--) {
            idx[d]++;
            oa += sa[d];
            ob += sb[d];
            if (idx[d] < out->dims[d]) break;
            oa -= sa[d] * idx[d];
            ob -= sb[d] * idx[d];
            idx[d] = 0;
        }
    }
}
