/* TensorProto decoding: raw little-endian tensor_content, or the repeated-value form where
 * fewer values than elements means the last one repeats (and none means zeros). */
#include <stdlib.h>
#include <string.h>
#include "core/checked.h"
#include "core/dtype.h"
#include "formats/tf/tf.h"

/* Counts (data NULL) or stores up to `limit` values of the repeated field that holds
 * `dtype`: float_val (5), int_val (7) or int64_val (10). */
static bool walk_values(const wi_pb_field *tensor, wi_dtype dtype, void *data, int64_t limit,
                        int64_t *count) {
    if (dtype == WI_DTYPE_FLOAT32)
        return wi_pb_repeated_values(tensor, 5, WI_PB_AS_FLOAT, data, limit, count);
    if (dtype == WI_DTYPE_INT32)
        return wi_pb_repeated_values(tensor, 7, WI_PB_AS_INT32, data, limit, count);
    return wi_pb_repeated_values(tensor, 10, WI_PB_AS_INT64, data, limit, count);
}

wi_status tf_decode_tensor(tf_ctx *ctx, const tf_node *n, const wi_pb_field *tensor, int vid,
                           wi_error *err) {
    wi_pb_reader r = wi_pb_reader_make(tensor->data, tensor->len), sr, dr;
    wi_pb_field f, s, d;
    int tf_dtype = 0, rank = 0;
    int64_t dims[WI_MAX_RANK];
    const wi_pb_field *content = NULL;
    wi_pb_field content_field;
    while (wi_pb_next(&r, &f)) {
        if (f.number == 1 && f.wire_type == WI_PB_VARINT) {
            tf_dtype = f.value > 1000 ? -1 : (int)f.value;
        } else if (f.number == 4 && f.wire_type == WI_PB_LEN) {
            content_field = f;
            content = &content_field;
        } else if (f.number == 2 && f.wire_type == WI_PB_LEN) {
            if (!wi_pb_sub(&r, &f, &sr)) break;
            rank = 0;
            while (wi_pb_next(&sr, &s)) {
                if (s.number == 3 && s.wire_type == WI_PB_VARINT && s.value)
                    return tf_fail(err, n, WI_E_MALFORMED, "constant has an unknown rank");
                if (s.number != 2) continue;
                if (!wi_pb_sub(&sr, &s, &dr)) break;
                if (rank >= WI_MAX_RANK)
                    return tf_fail(err, n, WI_E_LIMIT, "constant has rank above %d", WI_MAX_RANK);
                int64_t size = 0;
                while (wi_pb_next(&dr, &d))
                    if (d.number == 1 && d.wire_type == WI_PB_VARINT) size = wi_pb_int64(d.value);
                if (dr.error) return tf_fail(err, n, WI_E_MALFORMED, "constant shape: %s", dr.error);
                if (size < 0) return tf_fail(err, n, WI_E_MALFORMED, "constant has dimension %lld", (long long)size);
                dims[rank++] = size;
            }
            if (sr.error) return tf_fail(err, n, WI_E_MALFORMED, "constant shape: %s", sr.error);
        }
    }
    if (r.error) return tf_fail(err, n, WI_E_MALFORMED, "constant: %s", r.error);
    wi_dtype dtype;
    switch (tf_dtype) {
    case TF_DT_FLOAT: dtype = WI_DTYPE_FLOAT32; break;
    case TF_DT_INT32: dtype = WI_DTYPE_INT32; break;
    case TF_DT_INT64: dtype = WI_DTYPE_INT64; break;
    default:
        return tf_fail(err, n, WI_E_UNSUPPORTED, "unsupported constant dtype %d", tf_dtype);
    }
    wi_graph *g = ctx->graph;
    wi_value *v = &g->values[vid];
    wi_status st = wi_value_set_shape(g, v, dtype, rank, dims, err);
    if (st != WI_OK) {
        wi_error_prefix(err, "tf: ");
        return st;
    }
    size_t bytes = wi_value_bytes(v);
    int64_t elements = wi_value_elements(v);
    if (!wi_add_size(ctx->const_bytes, bytes, &ctx->const_bytes) || ctx->const_bytes > ctx->const_budget)
        return tf_fail(err, n, WI_E_LIMIT, "constants expand beyond %zu bytes", ctx->const_budget);
    if (content) {
        if (content->len != bytes)
            return tf_fail(err, n, WI_E_MALFORMED, "tensor_content has %zu bytes, the shape needs %zu",
                           content->len, bytes);
        if (bytes > 0) { /* little-endian on every target we build */
            /* borrowed, not copied: the model builder copies what it does not pack straight
             * from these bytes (runtime/model-build.c) */
            v->data = (void *)content->data;
            v->borrowed = 1;
            return WI_OK;
        }
    }
    v->data = calloc(1, bytes ? bytes : 1);
    if (!v->data) return tf_fail(err, n, WI_E_OUT_OF_MEMORY, "out of memory for a %zu-byte constant", bytes);
    if (content) return WI_OK; /* an empty tensor */
    int64_t count;
    if (!walk_values(tensor, dtype, NULL, 0, &count))
        return tf_fail(err, n, WI_E_MALFORMED, "malformed constant values");
    if (count > elements)
        return tf_fail(err, n, WI_E_MALFORMED, "%lld values for %lld elements", (long long)count,
                       (long long)elements);
    if (count == 0) return WI_OK; /* zeros */
    walk_values(tensor, dtype, v->data, count, &count);
    size_t esize = wi_dtype_size(dtype);
    for (int64_t k = count; k < elements; k++)
        memcpy((uint8_t *)v->data + (size_t)k * esize, (uint8_t *)v->data + (size_t)(count - 1) * esize, esize);
    return WI_OK;
}
