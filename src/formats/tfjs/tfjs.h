/* tfjs.h - the TensorFlow.js graph-model loader (model.json + weight shards). docs/tfjs.md is
 * the manual. Messages start "tfjs: ". */
#ifndef WI_FORMATS_TFJS_TFJS_H
#define WI_FORMATS_TFJS_TFJS_H

#include <stddef.h>
#include "wasinfer.h"

/* The model from model.json's bytes and `weights`, every shard of the manifest concatenated
 * in manifest order (weights may be NULL when weights_len is 0). `opts` must be complete
 * (defaults filled in). Without weights, `json` may also be the single-buffer form
 * "model.json, one NUL byte, the shards" (JSON text never holds a raw NUL byte). */
wi_status wi_tfjs_load(const void *json, size_t json_len, const void *weights, size_t weights_len,
                       const wi_model_options *opts, wi_model **out, wi_error *err);

/* The same for a model.json read from `path` (its bytes in `json`): the shards named in the
 * manifest are read from the same directory. Shard names holding '/', '\' or ".." are refused. */
wi_status wi_tfjs_load_file(const char *path, const void *json, size_t json_len,
                            const wi_model_options *opts, wi_model **out, wi_error *err);

/* wi_model_load_file's TF.js path: wi_tfjs_load_file with `options` as the caller gave them
 * (NULL or partly zero: defaults filled in here). */
wi_status wi_model_load_tfjs_file(const char *path, const void *json, size_t json_len,
                                  const wi_model_options *options, wi_model **out, wi_error *err);

/* Non-zero when `bytes` are a JSON object (after optional white space): the only JSON model
 * format is TF.js's model.json, so the generic loaders hand such bytes to this loader. */
int wi_tfjs_sniff(const void *bytes, size_t len);

#endif
