/* The weights manifest: [{"paths": [shard files], "weights": [{"name", "shape", "dtype",
 * "quantization"?}]}]. Weights are laid out back to back in their group's shards, and the
 * groups one after the other, so with every shard concatenated in manifest order a weight's
 * offset is the sum of the sizes before it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/checked.h"
#include "core/error.h"
#include "formats/tfjs/tfjs-internal.h"

static int by_name(const void *a, const void *b) {
    return strcmp(((const tfjs_weight *)a)->name, ((const tfjs_weight *)b)->name);
}

static wi_status read_number(const wi_json_value *q, const char *key, const char *name, float *out,
                             wi_error *err) {
    const wi_json_value *v = wi_json_get(q, key);
    if (!wi_json_is(v, WI_JSON_NUMBER) || !isfinite(v->number))
        return wi_error_set(err, WI_E_MALFORMED, "tfjs: weight '%s': quantization '%s' must be a finite number",
                            name, key);
    *out = (float)v->number;
    return WI_OK;
}

/* dtype, and how the bytes are stored, from "dtype" and "quantization". */
static wi_status read_storage(const wi_json_value *entry, tfjs_weight *w, size_t *element_bytes,
                              wi_error *err) {
    const wi_json_value *dtype = wi_json_get(entry, "dtype"), *q = wi_json_get(entry, "quantization");
    if (!wi_json_is(dtype, WI_JSON_STRING))
        return wi_error_set(err, WI_E_MALFORMED, "tfjs: weight '%s': 'dtype' must be a string", w->name);
    if (strcmp(dtype->str, "float32") == 0) w->dtype = WI_DTYPE_FLOAT32;
    else if (strcmp(dtype->str, "int32") == 0) w->dtype = WI_DTYPE_INT32;
    else
        return wi_error_set(err, WI_E_UNSUPPORTED, "tfjs: weight '%s': unsupported dtype '%.32s' (float32, int32)",
                            w->name, dtype->str);
    if (!q) {
        w->storage = w->dtype == WI_DTYPE_FLOAT32 ? TFJS_F32 : TFJS_I32;
        *element_bytes = 4;
        return WI_OK;
    }
    const wi_json_value *qd = wi_json_get(q, "dtype");
    if (!wi_json_is(q, WI_JSON_OBJECT) || !wi_json_is(qd, WI_JSON_STRING))
        return wi_error_set(err, WI_E_MALFORMED, "tfjs: weight '%s': 'quantization' needs a 'dtype' string", w->name);
    if (strcmp(qd->str, "float16") == 0) {
        w->storage = TFJS_F16;
        *element_bytes = 2;
        return WI_OK;
    }
    if (strcmp(qd->str, "uint8") == 0) {
        w->storage = TFJS_U8_AFFINE;
        *element_bytes = 1;
    } else if (strcmp(qd->str, "uint16") == 0) {
        w->storage = TFJS_U16_AFFINE;
        *element_bytes = 2;
    } else {
        return wi_error_set(err, WI_E_UNSUPPORTED, "tfjs: weight '%s': unsupported quantization dtype '%.32s'",
                            w->name, qd->str);
    }
    wi_status st = read_number(q, "scale", w->name, &w->scale, err);
    if (st == WI_OK) st = read_number(q, "min", w->name, &w->min, err);
    return st;
}

static wi_status read_weight(const wi_json_value *entry, int64_t max_elements, tfjs_weight *w,
                             size_t *offset, wi_error *err) {
    const wi_json_value *name = wi_json_get(entry, "name"), *shape = wi_json_get(entry, "shape");
    if (!wi_json_is(name, WI_JSON_STRING) || name->len == 0)
        return wi_error_set(err, WI_E_MALFORMED, "tfjs: a weights manifest entry has no 'name' string");
    w->name = name->str;
    if (!wi_json_is(shape, WI_JSON_ARRAY))
        return wi_error_set(err, WI_E_MALFORMED, "tfjs: weight '%s': 'shape' must be an array", w->name);
    if (shape->count > WI_MAX_RANK)
        return wi_error_set(err, WI_E_LIMIT, "tfjs: weight '%s': rank %d above %d", w->name, shape->count, WI_MAX_RANK);
    int64_t elements = 1;
    for (const wi_json_value *d = wi_json_first(shape); d; d = wi_json_next(shape, d)) {
        int64_t size;
        if (wi_json_int64(d, &size) != 0 || size < 0)
            return wi_error_set(err, WI_E_MALFORMED, "tfjs: weight '%s': a dimension is not a non-negative integer", w->name);
        if (!wi_mul_i64(elements, size, &elements) || elements > max_elements)
            return wi_error_set(err, WI_E_LIMIT, "tfjs: weight '%s': more than %lld elements", w->name,
                                (long long)max_elements);
        w->dims[w->rank++] = size;
    }
    size_t element_bytes = 0;
    wi_status st = read_storage(entry, w, &element_bytes, err);
    if (st != WI_OK) return st;
    if (!wi_mul_size((size_t)elements, element_bytes, &w->bytes) || !wi_add_size(*offset, w->bytes, offset))
        return wi_error_set(err, WI_E_LIMIT, "tfjs: weight '%s': sizes overflow", w->name);
    w->offset = *offset - w->bytes;
    return WI_OK;
}

wi_status tfjs_manifest_read(const wi_json_value *manifest, int64_t max_elements, tfjs_manifest *m,
                             wi_error *err) {
    memset(m, 0, sizeof *m);
    if (!manifest) return WI_OK; /* a graph without constants */
    if (!wi_json_is(manifest, WI_JSON_ARRAY))
        return wi_error_set(err, WI_E_MALFORMED, "tfjs: 'weightsManifest' must be an array");
    int total = 0;
    for (const wi_json_value *g = wi_json_first(manifest); g; g = wi_json_next(manifest, g)) {
        const wi_json_value *ws = wi_json_get(g, "weights");
        if (!wi_json_is(g, WI_JSON_OBJECT) || !wi_json_is(ws, WI_JSON_ARRAY))
            return wi_error_set(err, WI_E_MALFORMED, "tfjs: a weights manifest group has no 'weights' array");
        if (ws->count > TF_MAX_NODES - total)
            return wi_error_set(err, WI_E_LIMIT, "tfjs: more than %d weights", TF_MAX_NODES);
        total += ws->count;
    }
    m->weights = calloc((size_t)total + 1, sizeof(tfjs_weight));
    if (!m->weights) return wi_error_set(err, WI_E_OUT_OF_MEMORY, "tfjs: out of memory for %d weights", total);
    wi_status st = WI_OK;
    for (const wi_json_value *g = wi_json_first(manifest); st == WI_OK && g; g = wi_json_next(manifest, g)) {
        const wi_json_value *ws = wi_json_get(g, "weights");
        for (const wi_json_value *e = wi_json_first(ws); st == WI_OK && e; e = wi_json_next(ws, e)) {
            if (!wi_json_is(e, WI_JSON_OBJECT))
                st = wi_error_set(err, WI_E_MALFORMED, "tfjs: a weights manifest entry is not an object");
            else
                st = read_weight(e, max_elements, &m->weights[m->count++], &m->total_bytes, err);
        }
    }
    if (st == WI_OK) {
        qsort(m->weights, (size_t)m->count, sizeof *m->weights, by_name);
        for (int i = 1; st == WI_OK && i < m->count; i++)
            if (strcmp(m->weights[i - 1].name, m->weights[i].name) == 0)
                st = wi_error_set(err, WI_E_MALFORMED, "tfjs: weight '%s' appears twice in the manifest",
                                  m->weights[i].name);
    }
    if (st != WI_OK) tfjs_manifest_free(m);
    return st;
}

void tfjs_manifest_free(tfjs_manifest *m) {
    free(m->weights);
    memset(m, 0, sizeof *m);
}

const tfjs_weight *tfjs_manifest_find(const tfjs_manifest *m, const char *name) {
    tfjs_weight key;
    memset(&key, 0, sizeof key);
    key.name = name;
    if (m->count == 0) return NULL;
    return bsearch(&key, m->weights, (size_t)m->count, sizeof *m->weights, by_name);
}

/* IEEE half -> float, subnormals and specials included. */
static float half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1F, mant = h & 0x3FF, bits;
    if (exp == 0x1F) {
        bits = sign | 0x7F800000u | mant << 13;
    } else if (exp != 0) {
        bits = sign | (exp + 112) << 23 | mant << 13;
    } else if (mant == 0) {
        bits = sign;
    } else { /* subnormal: normalise */
        int shift = 0;
        while (!(mant & 0x400)) {
            mant <<= 1;
            shift++;
        }
        bits = sign | (uint32_t)(113 - shift) << 23 | (mant & 0x3FF) << 13;
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

void tfjs_weight_decode(const tfjs_weight *w, const uint8_t *src, void *dst) {
    size_t count = w->storage == TFJS_F32 || w->storage == TFJS_I32 ? w->bytes / 4
                   : w->storage == TFJS_U8_AFFINE                   ? w->bytes
                                                                    : w->bytes / 2;
    if (w->storage == TFJS_F32 || w->storage == TFJS_I32) {
        memcpy(dst, src, w->bytes); /* little-endian, as on every target we build */
        return;
    }
    for (size_t i = 0; i < count; i++) {
        float v;
        if (w->storage == TFJS_U8_AFFINE) v = src[i] * w->scale + w->min;
        else if (w->storage == TFJS_U16_AFFINE) v = (uint16_t)(src[2 * i] | src[2 * i + 1] << 8) * w->scale + w->min;
        else v = half_to_float((uint16_t)(src[2 * i] | src[2 * i + 1] << 8));
        if (w->dtype == WI_DTYPE_FLOAT32) ((float *)dst)[i] = v;
        else ((int32_t *)dst)[i] = (int32_t)lrintf(fminf(fmaxf(v, -2147483648.0f), 2147483520.0f));
    }
}
