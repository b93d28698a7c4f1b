/* TFLite tensors: shape, type and quantization; constant buffers become graph constants.
 * Quantized constants (weights, biases) are dequantized to float32 here, per tensor or per
 * channel (real = scale[c] * (q - zero_point[c])), so every op downstream is a float op. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/checked.h"
#include "formats/tflite/tfl.h"

static wi_status tensor_fail(wi_error *err, int index, const char *name, wi_status st,
                             const char *fmt, ...) WI_PRINTF(5, 6);
static wi_status tensor_fail(wi_error *err, int index, const char *name, wi_status st,
                             const char *fmt, ...) {
    char prefix[200];
    snprintf(prefix, sizeof prefix, "tflite: tensor %d '%.120s': ", index, name);
    va_list ap;
    va_start(ap, fmt);
    wi_error_vset(err, st, prefix, fmt, ap);
    va_end(ap);
    return st;
}

static const char *type_name(int type) {
    static const char *const names[] = {"FLOAT32", "FLOAT16", "INT32",  "UINT8", "INT64",
                                        "STRING",  "BOOL",    "INT16",  "COMPLEX64", "INT8",
                                        "FLOAT64"};
    return type >= 0 && type < (int)(sizeof names / sizeof names[0]) ? names[type] : "unknown";
}

static size_t type_size(int type) {
    switch (type) {
    case TFL_FLOAT32: case TFL_INT32: return 4;
    case TFL_FLOAT16: case TFL_INT16: return 2;
    case TFL_UINT8: case TFL_INT8: return 1;
    case TFL_INT64: return 8;
    default: return 0;
    }
}

static float half_to_float(uint16_t h) {
    int exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    float v;
    if (exp == 0) v = ldexpf((float)mant, -24);
    else if (exp == 31) v = mant ? NAN : INFINITY;
    else v = ldexpf((float)(mant | 0x400), exp - 25);
    return (h & 0x8000) ? -v : v;
}

/* Integer element i of a constant of `type`. */
static int64_t int_at(const uint8_t *p, int type, int64_t i) {
    switch (type) {
    case TFL_UINT8: return p[i];
    case TFL_INT8: return (int8_t)p[i];
    case TFL_INT16: { int16_t v; memcpy(&v, p + i * 2, 2); return v; }
    case TFL_INT32: { int32_t v; memcpy(&v, p + i * 4, 4); return v; }
    default: { int64_t v; memcpy(&v, p + i * 8, 8); return v; }
    }
}

/* Checks the quantization vectors of a constant: one scale, or one per slice of the axis. */
static wi_status check_quant(const tfl_tensor *t, int index, const char *name, wi_error *err) {
    uint32_t n = t->scales.count;
    if (t->zero_points.count != 0 && t->zero_points.count != n)
        return tensor_fail(err, index, name, WI_E_MALFORMED, "%u scales but %u zero points", n,
                           t->zero_points.count);
    if (n > 1 && (t->quant_axis < 0 || t->quant_axis >= t->rank || t->dims[t->quant_axis] != n))
        return tensor_fail(err, index, name, WI_E_MALFORMED,
                           "%u scales do not match quantized dimension %d", n, t->quant_axis);
    for (uint32_t i = 0; i < n; i++) {
        float s = wi_fb_vec_f32(&t->scales, i);
        if (!isfinite(s) || s < 0.0f)
            return tensor_fail(err, index, name, WI_E_MALFORMED, "bad scale %g", s);
    }
    return WI_OK;
}

/* real = scale[c] * (q - zp[c]), c the index along the quantized axis: walked as
 * [outer][channel][inner] so no element needs a division. */
static wi_status dequantize(const tfl_tensor *t, int64_t count, float *out) {
    int64_t inner = 1, channels = t->scales.count ? t->scales.count : 1;
    if (channels > 1)
        for (int d = t->quant_axis + 1; d < t->rank; d++) inner *= t->dims[d];
    else
        inner = count;
    float *scale = malloc((size_t)channels * 2 * sizeof(float));
    if (!scale) return WI_E_OUT_OF_MEMORY;
    float *zp = scale + channels;
    for (int64_t c = 0; c < channels; c++) {
        scale[c] = t->scales.count ? wi_fb_vec_f32(&t->scales, (uint32_t)c) : 1.0f;
        zp[c] = t->zero_points.count ? (float)wi_fb_vec_i64(&t->zero_points, (uint32_t)c) : 0.0f;
    }
    for (int64_t i = 0; i < count;)
        for (int64_t c = 0; c < channels; c++)
            for (int64_t j = 0; j < inner; j++, i++)
                out[i] = scale[c] * ((float)int_at(t->data, t->type, i) - zp[c]);
    free(scale);
    return WI_OK;
}

static wi_status make_const(tfl_ctx *ctx, tfl_tensor *t, int index, const char *name,
                            wi_error *err) {
    int64_t count = 1;
    for (int d = 0; d < t->rank; d++)
        if (!wi_mul_i64(count, t->dims[d], &count) || count > ctx->graph->max_elements)
            return tensor_fail(err, index, name, WI_E_LIMIT, "too many elements");
    size_t size = type_size(t->type), bytes;
    if (!size) return tensor_fail(err, index, name, WI_E_UNSUPPORTED, "unsupported constant type %s", type_name(t->type));
    if (!wi_mul_size((size_t)count, size, &bytes) || bytes != t->data_len)
        return tensor_fail(err, index, name, WI_E_MALFORMED, "buffer of %zu bytes for %lld %s elements",
                           t->data_len, (long long)count, type_name(t->type));
    int quantized = t->scales.count > 0 && t->type != TFL_FLOAT32 && t->type != TFL_FLOAT16;
    if (quantized) {
        wi_status st = check_quant(t, index, name, err);
        if (st != WI_OK) return st;
    }
    wi_dtype dtype = WI_DTYPE_FLOAT32;
    void *converted = NULL;
    const void *src = t->data;
    if (quantized || t->type == TFL_FLOAT16 || t->type == TFL_FLOAT32) {
        float *f = malloc((size_t)count * sizeof(float) + 1);
        if (!f) return tensor_fail(err, index, name, WI_E_OUT_OF_MEMORY, "out of memory");
        if (quantized) {
            if (dequantize(t, count, f) != WI_OK) {
                free(f);
                return tensor_fail(err, index, name, WI_E_OUT_OF_MEMORY, "out of memory");
            }
        } else if (t->type == TFL_FLOAT16) {
            for (int64_t i = 0; i < count; i++) {
                uint16_t h;
                memcpy(&h, t->data + i * 2, 2);
                f[i] = half_to_float(h);
            }
        } else {
            memcpy(f, t->data, bytes); /* the file's copy may be unaligned */
        }
        src = converted = f;
    } else if (t->type == TFL_INT32) {
        dtype = WI_DTYPE_INT32;
    } else if (t->type == TFL_INT64) {
        dtype = WI_DTYPE_INT64;
    } else {
        return tensor_fail(err, index, name, WI_E_UNSUPPORTED, "%s constant without quantization",
                           type_name(t->type));
    }
    int id;
    wi_status st = wi_graph_add_const(ctx->graph, name, dtype, t->rank, t->dims, src, &id, err);
    free(converted);
    if (st != WI_OK) {
        wi_error_prefix(err, "tflite: ");
        return st;
    }
    t->value = id;
    return WI_OK;
}

/* An activation of an integer type must carry one scale: its grid. */
static wi_status set_grid(tfl_tensor *t, int index, const char *name, wi_error *err) {
    if (t->type == TFL_FLOAT32) return WI_OK;
    float qmin, qmax;
    switch (t->type) {
    case TFL_UINT8: qmin = 0; qmax = 255; break;
    case TFL_INT8: qmin = -128; qmax = 127; break;
    case TFL_INT16: qmin = -32768; qmax = 32767; break;
    default:
        return tensor_fail(err, index, name, WI_E_UNSUPPORTED, "unsupported activation type %s",
                           type_name(t->type));
    }
    if (t->scales.count != 1)
        return tensor_fail(err, index, name, WI_E_UNSUPPORTED,
                           "%s activation with %u scales (one per-tensor scale expected)",
                           type_name(t->type), t->scales.count);
    float scale = wi_fb_vec_f32(&t->scales, 0);
    int64_t zp = t->zero_points.count ? wi_fb_vec_i64(&t->zero_points, 0) : 0;
    if (!(scale > 0.0f) || !isfinite(scale) || zp < (int64_t)qmin || zp > (int64_t)qmax)
        return tensor_fail(err, index, name, WI_E_MALFORMED, "bad quantization (scale %g, zero point %lld)",
                           scale, (long long)zp);
    t->quantized = 1;
    t->grid.scale = scale;
    t->grid.zero_point = (float)zp;
    t->grid.qmin = qmin;
    t->grid.qmax = qmax;
    return WI_OK;
}

static wi_status parse_named(tfl_ctx *ctx, const wi_fb_table *tt, int index, const char *name,
                             wi_error *err) {
    tfl_tensor *t = &ctx->tensors[index];
    wi_fb_vector shape;
    wi_fb_table q;
    uint8_t type;
    uint32_t buffer;
    t->value = -1;
    if (wi_fb_vector_field(tt, 0, 4, &shape) == WI_FB_BAD || wi_fb_u8(tt, 1, 0, &type) == WI_FB_BAD ||
        wi_fb_u32(tt, 2, 0, &buffer) == WI_FB_BAD)
        return wi_error_set(err, WI_E_MALFORMED, "tflite: tensor %d: malformed table", index);
    t->type = type;
    if (shape.count > WI_MAX_RANK)
        return tensor_fail(err, index, name, WI_E_UNSUPPORTED, "rank %u (at most %d)", shape.count, WI_MAX_RANK);
    t->rank = (int)shape.count;
    for (int d = 0; d < t->rank; d++) {
        t->dims[d] = wi_fb_vec_i32(&shape, (uint32_t)d);
        if (t->dims[d] < 0)
            return tensor_fail(err, index, name, WI_E_UNSUPPORTED, "dimension %d is %lld", d,
                               (long long)t->dims[d]);
    }
    wi_fb_result qr = wi_fb_table_field(tt, 4, &q);
    if (qr == WI_FB_BAD)
        return tensor_fail(err, index, name, WI_E_MALFORMED, "malformed quantization table");
    if (qr == WI_FB_OK &&
        (wi_fb_vector_field(&q, 2, 4, &t->scales) == WI_FB_BAD ||
         wi_fb_vector_field(&q, 3, 8, &t->zero_points) == WI_FB_BAD ||
         wi_fb_i32(&q, 6, 0, &t->quant_axis) == WI_FB_BAD))
        return tensor_fail(err, index, name, WI_E_MALFORMED, "malformed quantization table");
    if (buffer >= ctx->buffers.count && buffer != 0)
        return tensor_fail(err, index, name, WI_E_MALFORMED, "buffer %u of %u", buffer, ctx->buffers.count);
    if (buffer > 0) {
        wi_fb_table bt;
        wi_fb_vector data;
        uint64_t offset;
        if (wi_fb_vec_table(&ctx->buffers, buffer, &bt) != WI_FB_OK ||
            wi_fb_vector_field(&bt, 0, 1, &data) == WI_FB_BAD || wi_fb_u64(&bt, 1, 0, &offset) == WI_FB_BAD)
            return tensor_fail(err, index, name, WI_E_MALFORMED, "malformed buffer %u", buffer);
        if (offset > 1)
            return tensor_fail(err, index, name, WI_E_UNSUPPORTED,
                               "buffer %u is stored outside the FlatBuffer (models over 2 GB)", buffer);
        if (data.count > 0) {
            t->data = wi_fb_vec_bytes(&data);
            t->data_len = data.count;
        }
    }
    if (t->data) return make_const(ctx, t, index, name, err);
    wi_status st = set_grid(t, index, name, err);
    if (st != WI_OK) return st;
    t->value = wi_graph_add_value(ctx->graph, name);
    if (t->value < 0) return wi_error_set(err, WI_E_OUT_OF_MEMORY, "tflite: out of memory");
    return WI_OK;
}

/* Names are copied NUL-terminated (TF2 converters write long ones, "a;b;c" lists); an empty,
 * binary or longer than 4096 bytes name becomes "tensor_N". */
static wi_status parse_tensor(tfl_ctx *ctx, const wi_fb_table *tt, int index, wi_error *err) {
    const char *s;
    size_t n;
    if (wi_fb_string(tt, 3, &s, &n) == WI_FB_BAD)
        return wi_error_set(err, WI_E_MALFORMED, "tflite: tensor %d: malformed name", index);
    char *name = malloc(n > 32 ? n + 1 : 33);
    if (!name) return wi_error_set(err, WI_E_OUT_OF_MEMORY, "tflite: out of memory");
    if (n == 0 || n > 4096 || memchr(s, 0, n)) {
        snprintf(name, 33, "tensor_%d", index);
    } else {
        memcpy(name, s, n);
        name[n] = '\0';
    }
    wi_status st = parse_named(ctx, tt, index, name, err);
    free(name);
    return st;
}

wi_status tfl_load_tensors(tfl_ctx *ctx, const wi_fb_table *subgraph, wi_error *err) {
    wi_fb_vector tensors;
    if (wi_fb_vector_field(subgraph, 0, 4, &tensors) != WI_FB_OK)
        return wi_error_set(err, WI_E_MALFORMED, "tflite: the subgraph has no tensors vector");
    if (tensors.count == 0 || tensors.count > TFL_MAX_TENSORS)
        return wi_error_set(err, WI_E_LIMIT, "tflite: %u tensors (1 to %d supported)", tensors.count,
                            TFL_MAX_TENSORS);
    ctx->tensors = calloc(tensors.count, sizeof(tfl_tensor));
    if (!ctx->tensors) return wi_error_set(err, WI_E_OUT_OF_MEMORY, "tflite: out of memory");
    ctx->tensor_count = (int)tensors.count;
    for (uint32_t i = 0; i < tensors.count; i++) {
        wi_fb_table tt;
        if (wi_fb_vec_table(&tensors, i, &tt) != WI_FB_OK)
            return wi_error_set(err, WI_E_MALFORMED, "tflite: tensor %u: malformed table", i);
        wi_status st = parse_tensor(ctx, &tt, (int)i, err);
        if (st != WI_OK) return st;
    }
    return WI_OK;
}
