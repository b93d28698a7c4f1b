/* tfjs-internal.h - the pieces of the TF.js graph-model loader.
 *
 * A TF.js graph model is a GraphDef written as JSON (proto3's JSON mapping: int64 as strings,
 * bytes as base64, enums by name) whose constants live in separate weight shards described by
 * a weights manifest. The loader turns each node's JSON attributes back into AttrValue
 * protobuf bytes, so the GraphDef loader's op mapping (formats/tf) reads them unchanged, and
 * fills each Const from the shard bytes the manifest points at. */
#ifndef WI_FORMATS_TFJS_INTERNAL_H
#define WI_FORMATS_TFJS_INTERNAL_H

#include <stdint.h>
#include "formats/json.h"
#include "formats/tf/tf.h"

/* How a weight is stored in the shards. */
typedef enum tfjs_storage {
    TFJS_F32 = 0,
    TFJS_I32,
    TFJS_U8_AFFINE,  /* quantized: q * scale + min */
    TFJS_U16_AFFINE,
    TFJS_F16
} tfjs_storage;

typedef struct tfjs_weight {
    const char *name;   /* borrowed from the JSON document */
    wi_dtype dtype;     /* what the constant becomes: float32 or int32 */
    tfjs_storage storage;
    int rank;
    int64_t dims[WI_MAX_RANK];
    size_t offset, bytes; /* in the concatenation of every shard, in manifest order */
    float scale, min;
} tfjs_weight;

typedef struct tfjs_manifest {
    tfjs_weight *weights; /* sorted by name */
    int count;
    size_t total_bytes;
} tfjs_manifest;

/* Reads `weightsManifest` (an array of groups {paths, weights}); checks names are unique and
 * sizes add up without overflow. Messages start "tfjs: ". */
wi_status tfjs_manifest_read(const wi_json_value *manifest, int64_t max_elements, tfjs_manifest *m,
                             wi_error *err);
void tfjs_manifest_free(tfjs_manifest *m);
const tfjs_weight *tfjs_manifest_find(const tfjs_manifest *m, const char *name);
/* Converts a weight's shard bytes into `dst` (elements of w->dtype), dequantizing. */
void tfjs_weight_decode(const tfjs_weight *w, const uint8_t *src, void *dst);

/* Encodes node `n`'s JSON attribute object `attrs` as AttrValue messages in one new buffer
 * (*storage, freed by the caller) and points n->attrs at them. */
wi_status tfjs_encode_attrs(const wi_json_value *attrs, tf_node *n, uint8_t **storage, wi_error *err);

/* The model from a parsed model.json and the shard bytes. */
wi_status tfjs_load_doc(const wi_json_doc *doc, const void *weights, size_t weights_len,
                        const wi_model_options *opts, wi_model **out, wi_error *err);

#endif
