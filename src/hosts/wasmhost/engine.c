/*
 * The Wasmtime engine and the compiled module, with an on-disk cache of the compiled code.
 *
 * Cranelift takes a second or more for the module on this machine; a serialized artifact
 * loads in milliseconds (deserialize_file maps it, and its data segments become the
 * copy-on-write image of every instance's memory). The cache key is a hash of the module
 * bytes plus the Wasmtime version plus the flags that change code generation, so a rebuilt
 * module or another Wasmtime never picks up a stale artifact; if deserializing fails anyway
 * (a corrupt or foreign file), the module is compiled and the artifact rewritten.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>
#include "hosts/wasmhost/engine-internal.h"

const char *wi_guest_export_name(wi_guest_export which) {
    static const char *const names[WI_GX_COUNT] = {
        [WI_GX_ALLOC] = "alloc",
        [WI_GX_DEALLOC] = "dealloc",
        [WI_GX_INFER_FROM_PTRS] = "infer_from_ptrs",
        [WI_GX_MODEL_LOAD] = "model_load",
        [WI_GX_MODEL_FREE] = "model_free",
        [WI_GX_CLASSIFY] = "classify",
        [WI_GX_RUN] = "run",
        [WI_GX_LAST_ERROR] = "last_error",
        [WI_GX_LAST_ERROR_LEN] = "last_error_len",
        [WI_GX_LAST_STATUS] = "last_status",
        [WI_GX_DEBUG_TRAP] = "debug_trap",
        [WI_GX_DEBUG_SPIN] = "debug_spin",
        [WI_GX_MODEL_INPUT_INFO] = "model_input_info",
        [WI_GX_MODEL_OUTPUT_INFO] = "model_output_info",
        [WI_GX_INITIALIZE] = "_initialize",
    };
    return (unsigned)which < WI_GX_COUNT ? names[which] : "?";
}

wi_status wi_wasmtime_error(wi_error *err, wi_status status, const char *what,
                            wasmtime_error_t *error) {
    wasm_name_t msg;
    wasmtime_error_message(error, &msg);
    wi_host_error(err, status, "%s: %.*s", what, (int)msg.size, msg.data);
    wasm_byte_vec_delete(&msg);
    wasmtime_error_delete(error);
    return status;
}

/* Two FNV-1a lanes with different seeds: a 128-bit key that is cheap and plenty for a cache. */
static void hash_module(const uint8_t *bytes, size_t len, uint64_t out[2]) {
    uint64_t a = 0xcbf29ce484222325ull, b = 0x84222325cbf29ce4ull;
    for (size_t i = 0; i < len; i++) {
        a = (a ^ bytes[i]) * 0x100000001b3ull;
        b = (b ^ bytes[len - 1 - i]) * 0x100000001b3ull;
    }
    out[0] = a;
    out[1] = b ^ len;
}

static int mkdir_p(const char *path) {
    char buf[1024];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf) return -1;
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return mkdir(buf, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

/* The cache directory: options->cache_dir, or $WASINFER_CACHE/wasmtime-modules, or
 * ~/.cache/wasinfer/wasmtime-modules; "" when caching is off. */
static void resolve_cache_dir(const wi_wasm_engine_options *o, char *dir, size_t cap) {
    dir[0] = '\0';
    if (o->cache_dir && !o->cache_dir[0]) return;
    const char *root = getenv("WASINFER_CACHE"), *home = getenv("HOME");
    if (o->cache_dir) snprintf(dir, cap, "%s", o->cache_dir);
    else if (root && root[0]) snprintf(dir, cap, "%s/wasmtime-modules", root);
    else if (home && home[0]) snprintf(dir, cap, "%s/.cache/wasinfer/wasmtime-modules", home);
}

/* Artifacts are tens of MB (a snapshot module carries the model's memory), and every rebuilt
 * module or new model adds one: artifacts unused for this long are removed when a new one is
 * written. Loading an artifact refreshes its time. */
#define WI_CACHE_MAX_AGE_SECONDS (7 * 24 * 3600)

static void cache_prune(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return;
    time_t now = time(NULL);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 6, ".cwasm") != 0) continue;
        char path[2048];
        struct stat st;
        snprintf(path, sizeof path, "%.1000s/%.1000s", dir, e->d_name);
        if (stat(path, &st) == 0 && now - st.st_mtime > WI_CACHE_MAX_AGE_SECONDS) remove(path);
    }
    closedir(d);
}

/* Writes the serialized module next to its final name, then renames: readers never see a
 * half-written artifact, and concurrent writers just replace one good file with another. */
static void cache_store(wasmtime_module_t *module, const char *dir, const char *path) {
    wasm_byte_vec_t bytes;
    wasmtime_error_t *error = wasmtime_module_serialize(module, &bytes);
    if (error) {
        wasmtime_error_delete(error);
        return;
    }
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = mkdir_p(dir) == 0 ? fopen(tmp, "wb") : NULL;
    if (f) {
        int ok = fwrite(bytes.data, 1, bytes.size, f) == bytes.size;
        ok = (fclose(f) == 0) && ok;
        if (!ok || rename(tmp, path) != 0) remove(tmp);
    }
    wasm_byte_vec_delete(&bytes);
    cache_prune(dir);
}

wi_status wi_wasm_compile_cached(wi_wasm_engine *e, const uint8_t *wasm, size_t len,
                                 wasmtime_module_t **out, wi_wasm_engine_stats *stats,
                                 wi_error *err) {
    *out = NULL;
    memset(stats, 0, sizeof *stats);
    if (e->cache_dir[0]) {
        uint64_t h[2];
        hash_module(wasm, len, h);
        snprintf(stats->cache_path, sizeof stats->cache_path,
                 "%.900s/%016llx%016llx-wasmtime-%s-%s.cwasm", e->cache_dir, (unsigned long long)h[0],
                 (unsigned long long)h[1], WASMTIME_VERSION, e->epoch ? "epoch" : "plain");
    }
    if (stats->cache_path[0] && access(stats->cache_path, R_OK) == 0) {
        double t0 = wi_host_now_ms();
        wasmtime_error_t *error = wasmtime_module_deserialize_file(e->engine, stats->cache_path, out);
        if (!error) {
            stats->load_ms = wi_host_now_ms() - t0;
            stats->from_cache = 1;
            utime(stats->cache_path, NULL); /* in use: keep it from pruning */
            return WI_OK;
        }
        wasmtime_error_delete(error); /* stale or corrupt: compile and overwrite it below */
        *out = NULL;
    }
    double t0 = wi_host_now_ms();
    wasmtime_error_t *error = wasmtime_module_new(e->engine, wasm, len, out);
    if (error) return wi_wasmtime_error(err, WI_E_MALFORMED, "wasm module", error);
    stats->compile_ms = wi_host_now_ms() - t0;
    if (stats->cache_path[0]) cache_store(*out, e->cache_dir, stats->cache_path);
    return WI_OK;
}

/* Reads the module and exports its mutable globals (for snapshots) before compiling it; a
 * module the rewrite does not understand is compiled as it is (snapshots then copy memory). */
static wi_status load_module(wi_wasm_engine *e, const char *path, wi_error *err) {
    uint8_t *wasm = NULL;
    size_t len = 0;
    wi_status st = wi_host_read_file(path, &wasm, &len, err);
    if (st != WI_OK) return st;
    wi_wasm_buf instrumented;
    if (wi_wasm_export_globals(wasm, len, &instrumented, &e->globals, &e->global_count, NULL) == WI_OK) {
        free(wasm);
        e->wasm = instrumented.data;
        e->wasm_len = instrumented.len;
        e->rewritable = 1;
    } else {
        e->wasm = wasm;
        e->wasm_len = len;
    }
    st = wi_wasm_compile_cached(e, e->wasm, e->wasm_len, &e->module, &e->stats, err);
    if (st != WI_OK && err) {
        char msg[WI_ERROR_MESSAGE_MAX];
        snprintf(msg, sizeof msg, "%.200s: %.300s", path, err->message);
        snprintf(err->message, sizeof err->message, "%s", msg);
    }
    return st;
}

wi_status wi_wasm_engine_create(const wi_wasm_engine_options *options, wi_wasm_engine **out,
                                wi_error *err) {
    *out = NULL;
    if (!options || !options->module_path) {
        return wi_host_error(err, WI_E_INVALID_ARGUMENT, "wasm engine: no module path");
    }
    wi_wasm_engine *e = calloc(1, sizeof *e);
    if (!e) return wi_host_error(err, WI_E_OUT_OF_MEMORY, "wasm engine: out of memory");
    wasm_config_t *config = wasm_config_new();
    if (options->epoch_interruption) wasmtime_config_epoch_interruption_set(config, true);
    /* WASINFER_WASMTIME_PROFILE=perfmap: /tmp/perf-<pid>.map names the JIT code for `perf`. */
    const char *profile = getenv("WASINFER_WASMTIME_PROFILE");
    if (profile && !strcmp(profile, "perfmap")) {
        wasmtime_config_profiler_set(config, WASMTIME_PROFILING_STRATEGY_PERFMAP);
    }
    e->engine = wasm_engine_new_with_config(config); /* takes the config */
    wi_status st = WI_E_INTERNAL;
    if (!e->engine) {
        wi_host_error(err, st, "wasm engine: wasm_engine_new failed");
        goto fail;
    }
    e->epoch = options->epoch_interruption != 0;
    resolve_cache_dir(options, e->cache_dir, sizeof e->cache_dir);
    st = load_module(e, options->module_path, err);
    if (st != WI_OK) goto fail;
    e->linker = wasmtime_linker_new(e->engine);
    wasmtime_error_t *error = wasmtime_linker_define_wasi(e->linker);
    if (!error) error = wasmtime_linker_instantiate_pre(e->linker, e->module, &e->pre);
    if (error) {
        st = wi_wasmtime_error(err, WI_E_UNSUPPORTED, options->module_path, error);
        goto fail;
    }
    *out = e;
    return WI_OK;
fail:
    wi_wasm_engine_free(e);
    return st;
}

void wi_wasm_engine_free(wi_wasm_engine *e) {
    if (!e) return;
    if (e->pre) wasmtime_instance_pre_delete(e->pre);
    if (e->linker) wasmtime_linker_delete(e->linker);
    if (e->module) wasmtime_module_delete(e->module);
    if (e->engine) wasm_engine_delete(e->engine);
    free(e->wasm);
    free(e->globals);
    free(e);
}

const wi_wasm_engine_stats *wi_wasm_engine_get_stats(const wi_wasm_engine *e) { return &e->stats; }

void wi_wasm_engine_tick(wi_wasm_engine *e) { wasmtime_engine_increment_epoch(e->engine); }
