/* A model.json on disk: its shards are the files the manifest's "paths" name, read from the
 * directory of model.json and concatenated in manifest order. Works under WASI too (plain
 * stdio on the preopened directories). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "classify/read-file.h"
#include "core/checked.h"
#include "core/error.h"
#include "formats/tfjs/tfjs-internal.h"
#include "formats/tfjs/tfjs.h"

/* A shard name must stay inside model.json's directory. */
static int safe_shard_name(const char *s) {
    return s[0] != '\0' && strchr(s, '/') == NULL && strchr(s, '\\') == NULL && strstr(s, "..") == NULL;
}

/* Appends the shard `name` (in directory `dir`, dir_len bytes with its '/') to *all. */
static wi_status read_shard(const char *dir, size_t dir_len, const char *name, size_t limit,
                            uint8_t **all, size_t *all_len, wi_error *err) {
    size_t name_len = strlen(name), path_len;
    if (!wi_add_size(dir_len, name_len + 1, &path_len))
        return wi_error_set(err, WI_E_LIMIT, "tfjs: shard path too long");
    char *path = malloc(path_len);
    if (!path) return wi_error_set(err, WI_E_OUT_OF_MEMORY, "tfjs: out of memory");
    memcpy(path, dir, dir_len);
    memcpy(path + dir_len, name, name_len + 1);
    uint8_t *bytes = NULL;
    size_t len = 0;
    wi_status st = wi_read_whole_file(path, limit - *all_len, &bytes, &len, err);
    free(path);
    if (st != WI_OK) {
        char prefix[300];
        snprintf(prefix, sizeof prefix, "tfjs: shard '%.200s': ", name);
        wi_error_prefix(err, prefix);
        return st;
    }
    if (!*all) { /* the usual single shard: no copy */
        *all = bytes;
        *all_len = len;
        return WI_OK;
    }
    uint8_t *grown = len ? realloc(*all, *all_len + len) : *all;
    if (!grown) {
        free(bytes);
        return wi_error_set(err, WI_E_OUT_OF_MEMORY, "tfjs: out of memory for %zu bytes of shards", *all_len + len);
    }
    memcpy(grown + *all_len, bytes, len);
    free(bytes);
    *all = grown;
    *all_len += len;
    return WI_OK;
}

static wi_status read_shards(const char *json_path, const wi_json_value *root, size_t limit,
                             uint8_t **all, size_t *all_len, wi_error *err) {
    const wi_json_value *manifest = wi_json_get(root, "weightsManifest");
    const char *slash = strrchr(json_path, '/');
    size_t dir_len = slash ? (size_t)(slash - json_path) + 1 : 0;
    wi_status st = WI_OK;
    if (!wi_json_is(manifest, WI_JSON_ARRAY)) return WI_OK; /* the loader reports it */
    for (const wi_json_value *g = wi_json_first(manifest); st == WI_OK && g; g = wi_json_next(manifest, g)) {
        const wi_json_value *paths = wi_json_get(g, "paths");
        if (paths && !wi_json_is(paths, WI_JSON_ARRAY))
            return wi_error_set(err, WI_E_MALFORMED, "tfjs: a weights manifest group's 'paths' is not an array");
        for (const wi_json_value *p = wi_json_first(paths); st == WI_OK && p; p = wi_json_next(paths, p)) {
            if (!wi_json_is(p, WI_JSON_STRING))
                return wi_error_set(err, WI_E_MALFORMED, "tfjs: a shard path is not a string");
            if (!safe_shard_name(p->str))
                return wi_error_set(err, WI_E_MALFORMED,
                                    "tfjs: shard path '%.200s' leaves the model's directory (no '/', '\\' or '..')",
                                    p->str);
            st = read_shard(json_path, dir_len, p->str, limit, all, all_len, err);
        }
    }
    return st;
}

wi_status wi_tfjs_load_file(const char *path, const void *json, size_t json_len,
                            const wi_model_options *opts, wi_model **out, wi_error *err) {
    *out = NULL;
    wi_json_doc doc;
    wi_status st = wi_json_parse(json, json_len, &doc, err);
    if (st != WI_OK) {
        wi_error_prefix(err, "tfjs: model.json: ");
        return st;
    }
    uint8_t *weights = NULL;
    size_t weights_len = 0;
    size_t limit = opts->max_model_bytes > json_len ? opts->max_model_bytes - json_len : 0;
    if (!wi_json_is(&doc.values[0], WI_JSON_OBJECT))
        st = wi_error_set(err, WI_E_MALFORMED, "tfjs: model.json is not an object");
    if (st == WI_OK) st = read_shards(path, &doc.values[0], limit, &weights, &weights_len, err);
    if (st == WI_OK) st = tfjs_load_doc(&doc, weights, weights_len, opts, out, err);
    free(weights);
    wi_json_free(&doc);
    return st;
}
