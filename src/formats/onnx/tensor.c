/* TensorProto decoding (initializers, Constant nodes) and ValueInfoProto shapes. */
#include <stdlib.h>
#include <string.h>
#include "core/dtype.h"
#include "formats/onnx/onnx.h"

/* Counts (data NULL) or stores the values of the repeated field that holds `onnx_type`:
 * float_data (4), int32_data (5) or int64_data (7). */
static bool walk_values(const wi_pb_field *tensor, int onnx_type, void *data, int64_t *count) {
    if (onnx_type == ONNX_FLOAT)
        return wi_pb_repeated_values(tensor, 4, WI_PB_AS_FLOAT, data, INT64_MAX, count);
    if (onnx_type == ONNX_INT32)
        return wi_pb_repeated_values(tensor, 5, WI_PB_AS_INT32, data, INT64_MAX, count);
    return wi_pb_repeated_values(tensor, 7, WI_PB_AS_INT64, data, INT64_MAX, count);
}

wi_status onnx_decode_tensor(onnx_ctx *ctx, const wi_pb_field *tensor, const char *what, int *vid,
                             wi_error *err) {
    wi_pb_reader r = wi_pb_reader_make(tensor->data, tensor->len);
    wi_pb_field f, raw = {0};
    int64_t type = 0, dims[WI_MAX_RANK];
    int rank = 0, have_raw = 0;
    while (wi_pb_next(&r, &f)) {
        switch (f.number) {
        case 1:
            if (f.wire_type == WI_PB_VARINT) {
                if (rank >= WI_MAX_RANK)
                    return wi_error_set(err, WI_E_LIMIT, "onnx: %s has rank above %d", what, WI_MAX_RANK);
                dims[rank++] = wi_pb_int64(f.value);
            } else if (f.wire_type == WI_PB_LEN) {
                wi_cursor c = wi_cursor_make(f.data, f.len);
                uint64_t v;
                while (wi_cursor_remaining(&c) > 0) {
                    if (!wi_cursor_varint(&c, &v))
                        return wi_error_set(err, WI_E_MALFORMED, "onnx: %s: malformed dims", what);
                    if (rank >= WI_MAX_RANK)
                        return wi_error_set(err, WI_E_LIMIT, "onnx: %s has rank above %d", what, WI_MAX_RANK);
                    dims[rank++] = wi_pb_int64(v);
                }
            }
            break;
        case 2: type = wi_pb_int64(f.value); break;
        case 3: return wi_error_set(err, WI_E_UNSUPPORTED, "onnx: %s is segmented (unsupported)", what);
        case 9:
            if (f.wire_type == WI_PB_LEN) raw = f, have_raw = 1;
            break;
        case 13:
            return wi_error_set(err, WI_E_UNSUPPORTED,
                                "onnx: %s uses external data (unsupported: save the model with its "
                                "weights inside the .onnx file)", what);
        case 14:
            if (f.value == 1)
                return wi_error_set(err, WI_E_UNSUPPORTED, "onnx: %s uses external data (unsupported)", what);
            break;
        default: break;
        }
    }
    if (r.error) return wi_error_set(err, WI_E_MALFORMED, "onnx: %s: %s", what, r.error);
    wi_dtype dtype;
    switch (type) {
    case ONNX_FLOAT: dtype = WI_DTYPE_FLOAT32; break;
    case ONNX_INT32: dtype = WI_DTYPE_INT32; break;
    case ONNX_INT64: dtype = WI_DTYPE_INT64; break;
    default:
        return wi_error_set(err, WI_E_UNSUPPORTED, "onnx: %s has unsupported data type %lld", what,
                            (long long)type);
    }
    for (int i = 0; i < rank; i++)
        if (dims[i] < 0) return wi_error_set(err, WI_E_MALFORMED, "onnx: %s has dimension %lld", what, (long long)dims[i]);
    /* float raw_data is borrowed, not copied: the model builder copies what it does not pack
     * straight from the file's bytes (runtime/model-build.c) */
    const int borrow = have_raw && dtype == WI_DTYPE_FLOAT32 && raw.len > 0;
    wi_status st = borrow ? wi_graph_add_borrowed_const(ctx->graph, what, dtype, rank, dims, raw.data, vid, err)
                          : wi_graph_add_const(ctx->graph, what, dtype, rank, dims, NULL, vid, err);
    if (st != WI_OK) {
        wi_error_prefix(err, "onnx: ");
        return st;
    }
    wi_value *v = &ctx->graph->values[*vid];
    size_t bytes = wi_value_bytes(v);
    int64_t elements = wi_value_elements(v);
    if (have_raw) {
        if (raw.len != bytes)
            return wi_error_set(err, WI_E_MALFORMED, "onnx: %s has %zu bytes of raw_data, its shape needs %zu",
                                what, raw.len, bytes);
        if (bytes && !borrow) memcpy(v->data, raw.data, bytes);
        return WI_OK;
    }
    int64_t count;
    if (!walk_values(tensor, (int)type, NULL, &count))
        return wi_error_set(err, WI_E_MALFORMED, "onnx: %s has malformed values", what);
    if (count != elements)
        return wi_error_set(err, WI_E_MALFORMED, "onnx: %s has %lld values for %lld elements", what,
                            (long long)count, (long long)elements);
    walk_values(tensor, (int)type, v->data, &count);
    return WI_OK;
}

wi_status onnx_value_info(const wi_pb_field *msg, onnx_str *name, int *rank, int64_t *dims,
                          wi_error *err) {
    wi_pb_reader r = wi_pb_reader_make(msg->data, msg->len), tr, tt, sh, dm;
    wi_pb_field f, g, h, s, d;
    int64_t elem = 0;
    int have_shape = 0;
    *rank = 0;
    name->p = NULL;
    name->len = 0;
    while (wi_pb_next(&r, &f)) {
        if (f.number == 1 && f.wire_type == WI_PB_LEN) {
            name->p = (const char *)f.data;
            name->len = f.len;
        }
        if (f.number != 2 || !wi_pb_sub(&r, &f, &tr)) continue;
        while (wi_pb_next(&tr, &g)) {
            if (g.number != 1 || !wi_pb_sub(&tr, &g, &tt)) continue;
            while (wi_pb_next(&tt, &h)) {
                if (h.number == 1 && h.wire_type == WI_PB_VARINT) elem = wi_pb_int64(h.value);
                if (h.number != 2 || !wi_pb_sub(&tt, &h, &sh)) continue;
                have_shape = 1;
                *rank = 0;
                while (wi_pb_next(&sh, &s)) {
                    if (s.number != 1 || !wi_pb_sub(&sh, &s, &dm)) continue;
                    if (*rank >= WI_MAX_RANK)
                        return wi_error_set(err, WI_E_LIMIT, "onnx: input '%.*s' has rank above %d",
                                            (int)(name->len > 200 ? 200 : name->len), name->p ? name->p : "", WI_MAX_RANK);
                    int64_t size = -1;
                    while (wi_pb_next(&dm, &d))
                        if (d.number == 1 && d.wire_type == WI_PB_VARINT) size = wi_pb_int64(d.value);
                    if (dm.error) sh.error = dm.error;
                    dims[(*rank)++] = size;
                }
                if (sh.error) tt.error = sh.error;
            }
            if (tt.error) tr.error = tt.error;
        }
        if (tr.error) r.error = tr.error;
    }
    if (r.error) return wi_error_set(err, WI_E_MALFORMED, "onnx: graph input or output: %s", r.error);
    if (!name->p || name->len == 0 || name->len > 4096 || memchr(name->p, 0, name->len))
        return wi_error_set(err, WI_E_MALFORMED, "onnx: a graph input or output has no usable name");
    const int nl = (int)(name->len > 200 ? 200 : name->len);
    if (elem != ONNX_FLOAT)
        return wi_error_set(err, WI_E_UNSUPPORTED, "onnx: input '%.*s' has element type %lld (float only)",
                            nl, name->p, (long long)elem);
    if (!have_shape)
        return wi_error_set(err, WI_E_UNSUPPORTED, "onnx: input '%.*s' has no shape", nl, name->p);
    for (int i = 0; i < *rank; i++) {
        if (dims[i] > 0) continue;
        if (dims[i] == 0 && i != 0)
            return wi_error_set(err, WI_E_MALFORMED, "onnx: input '%.*s' has a zero dimension", nl, name->p);
        if (i != 0)
            return wi_error_set(err, WI_E_UNSUPPORTED,
                                "onnx: input '%.*s': unknown dimension %d (only the batch may be unknown)",
                                nl, name->p, i);
        dims[i] = 1; /* an unknown batch runs as 1 */
    }
    return WI_OK;
}
