/*
 * wasinfer-wasmhost: runs the wasinfer wasm module in Wasmtime, embedded through its C API.
 *
 *   wasinfer-wasmhost infer    [--module M] --model P --labels L IMAGE...
 *       the original host's flow: alloc in the guest, copy model and image in, call
 *       infer_from_ptrs, print the label.
 *   wasinfer-wasmhost classify [--module M] --model P [--labels L] [--top K] [--range R]
 *                              [--resize F] [--json] IMAGE...
 *       the handle ABI (model_load once, classify per image), with the native CLI's output.
 *   wasinfer-wasmhost bench    [--module M] --model P [--runs N] IMAGE
 *       compile / cache-load / instantiate / snapshot-restore / inference times.
 * Common: --cache-dir D (compiled-module cache), --no-cache, --epochs (the service's epoch
 * checks compiled in: what a request costs under `serve --backend wasm`).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hosts/wasmhost/wasmhost.h"

static void usage(FILE *f) {
    fprintf(f,
            "usage: wasinfer-wasmhost infer    [--module M.wasm] --model M.pb --labels L.txt IMAGE...\n"
            "       wasinfer-wasmhost classify [--module M.wasm] --model M.pb [--labels L.txt]\n"
            "                                  [--top K] [--range -1,1|0,1|0,255]\n"
            "                                  [--resize bilinear|nearest|bicubic] [--json] IMAGE...\n"
            "       wasinfer-wasmhost bench    [--module M.wasm] --model M.pb [--runs N] IMAGE\n"
            "options for all: --cache-dir DIR (compiled-module cache), --no-cache,\n"
            "                 --epochs (compile with epoch interruption, as serve --backend wasm does)\n"
            "the module defaults to wasm/wasinfer.wasm next to this program\n");
}

static int parse_range(const char *s) {
    if (!strcmp(s, "-1,1") || !strcmp(s, "[-1,1]") || !strcmp(s, "minus1_1") || !strcmp(s, "0")) return 0;
    if (!strcmp(s, "0,1") || !strcmp(s, "[0,1]") || !strcmp(s, "1")) return 1;
    if (!strcmp(s, "0,255") || !strcmp(s, "[0,255]") || !strcmp(s, "2")) return 2;
    return -1;
}

static int parse_filter(const char *s) {
    if (!strcmp(s, "bilinear")) return 0;
    if (!strcmp(s, "nearest")) return 1;
    if (!strcmp(s, "bicubic")) return 2;
    return -1;
}

int wi_host_parse_args(int argc, char **argv, int first, wi_host_args *a) {
    memset(a, 0, sizeof *a);
    a->top_k = 5;
    a->runs = 10;
    a->images = calloc((size_t)argc, sizeof *a->images);
    if (!a->images) return fprintf(stderr, "wasinfer-wasmhost: out of memory\n"), 1;
    for (int i = first; i < argc; i++) {
        const char *o = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = !strcmp(o, "--module") || !strcmp(o, "--model") || !strcmp(o, "--labels") ||
                    !strcmp(o, "--top") || !strcmp(o, "--range") || !strcmp(o, "--resize") ||
                    !strcmp(o, "--cache-dir") || !strcmp(o, "--runs");
        if (takes && !v) return fprintf(stderr, "wasinfer-wasmhost: %s needs a value\n", o), 1;
        if (!strcmp(o, "--module")) a->module_path = v;
        else if (!strcmp(o, "--model")) a->model_path = v;
        else if (!strcmp(o, "--labels")) a->labels_path = v;
        else if (!strcmp(o, "--cache-dir")) a->cache_dir = v;
        else if (!strcmp(o, "--no-cache")) a->cache_dir = "";
        else if (!strcmp(o, "--epochs")) a->epochs = 1;
        else if (!strcmp(o, "--json")) a->json = 1;
        else if (!strcmp(o, "--top")) {
            char *end;
            long k = strtol(v, &end, 10);
            if (*end || k < 1 || k > 1000) return fprintf(stderr, "wasinfer-wasmhost: --top '%s' is not in 1..1000\n", v), 1;
            a->top_k = (int)k;
        } else if (!strcmp(o, "--runs")) {
            char *end;
            long k = strtol(v, &end, 10);
            if (*end || k < 1 || k > 100000) return fprintf(stderr, "wasinfer-wasmhost: --runs '%s' is not in 1..100000\n", v), 1;
            a->runs = (int)k;
        } else if (!strcmp(o, "--range")) {
            if ((a->range = parse_range(v)) < 0) return fprintf(stderr, "wasinfer-wasmhost: --range '%s' is not -1,1 0,1 or 0,255\n", v), 1;
        } else if (!strcmp(o, "--resize")) {
            if ((a->filter = parse_filter(v)) < 0) return fprintf(stderr, "wasinfer-wasmhost: --resize '%s' is not bilinear, nearest or bicubic\n", v), 1;
        } else if (o[0] == '-' && o[1]) {
            return fprintf(stderr, "wasinfer-wasmhost: unknown option '%s'\n", o), 1;
        } else {
            a->images[a->image_count++] = o;
            continue;
        }
        if (takes) i++;
    }
    static char module_path[4096];
    if (!a->module_path) a->module_path = wi_host_default_module_path(module_path, sizeof module_path);
    if (!a->model_path) return fprintf(stderr, "wasinfer-wasmhost: --model is required\n"), 1;
    if (a->image_count == 0) return fprintf(stderr, "wasinfer-wasmhost: no image given\n"), 1;
    return 0;
}

wi_status wi_host_open_engine(const wi_host_args *args, wi_wasm_engine **out, wi_error *err) {
    wi_wasm_engine_options eo = {args->module_path, args->cache_dir, args->epochs};
    return wi_wasm_engine_create(&eo, out, err);
}

int main(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    int (*cmd)(const wi_host_args *) = NULL;
    if (!strcmp(argv[1], "infer")) cmd = wi_host_cmd_infer;
    else if (!strcmp(argv[1], "classify")) cmd = wi_host_cmd_classify;
    else if (!strcmp(argv[1], "bench")) cmd = wi_host_cmd_bench;
    if (!cmd) {
        fprintf(stderr, "wasinfer-wasmhost: unknown command '%s'\n", argv[1]);
        usage(stderr);
        return 2;
    }
    wi_host_args args;
    int rc = wi_host_parse_args(argc, argv, 2, &args);
    if (rc == 0) {
        if (cmd == wi_host_cmd_infer && !args.labels_path) {
            fprintf(stderr, "wasinfer-wasmhost: infer needs --labels\n");
            rc = 2;
        } else {
            rc = cmd(&args);
        }
    } else {
        rc = 2;
    }
    free(args.images);
    return rc;
}
