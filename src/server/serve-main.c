/* serve-main.c - `wasinfer serve` options, start-up, signals and shutdown (see serve.h). */
#include "server/serve.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/fetch.h"
#include "server/server.h"

static const char USAGE[] =
    "usage: wasinfer serve --model M [options]\n"
    "  --model PATH              model file (loaded once at start)\n"
    "  --labels PATH             labels file, one per line (row i names class i)\n"
    "  --host ADDR               bind address (default 127.0.0.1)\n"
    "  --port N                  port (default 3000; 0 picks a free one)\n"
    "  --threads N               inference workers (default: number of cores)\n"
    "  --queue N                 requests waiting for a worker before 503 (default 16 per worker)\n"
    "  --max-body BYTES          request body and fetched image limit (default 10M; k/M/G suffixes)\n"
    "  --max-pixels N            image pixel limit (default 16M)\n"
    "  --fetch-timeout-ms MS     whole URL fetch (default 10000)\n"
    "  --allow-private-urls      let image URLs reach loopback/private/link-local addresses\n"
    "  --quiet                   no access log\n"
    "  --backend native|wasm     inference backend (default native)\n"
    "  --wasm-module PATH        wasm backend: the wasinfer.wasm module\n"
    "  --wasm-max-memory BYTES   wasm backend: linear-memory cap\n"
    "  --wasm-time-budget-ms MS  wasm backend: per-request time budget\n"
    "  --wasm-debug-exports      wasm backend, tests only: honour X-Wasinfer-Debug: trap|spin\n"
    "  --input NAME, --output NAME  the model's input/output node names\n";

typedef struct serve_options {
    wi_server_config server;
    wi_backend_config backend;
    const char *labels_path;
    const char *backend_name;
} serve_options;

/* "10M" -> 10485760. Binary suffixes k, M, G. 0 on success. */
static int parse_size(const char *s, size_t *out) {
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *s == '-')
        return -1;
    unsigned long long mult = 1;
    if (*end == 'k' || *end == 'K') mult = 1ull << 10, end++;
    else if (*end == 'm' || *end == 'M') mult = 1ull << 20, end++;
    else if (*end == 'g' || *end == 'G') mult = 1ull << 30, end++;
    if (*end || v > SIZE_MAX / mult)
        return -1;
    *out = (size_t)(v * mult);
    return 0;
}

static int parse_int(const char *s, long lo, long hi, long *out) {
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* Fills `o` from argv (argv[0] is "serve"). 0 ok, 1 --help shown, -1 usage error printed. */
static int parse_args(int argc, char **argv, serve_options *o) {
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        char name[64];
        const char *value = NULL;
        const char *eq = strchr(arg, '=');
        if (strncmp(arg, "--", 2) == 0 && eq && (size_t)(eq - arg) < sizeof name) {
            snprintf(name, sizeof name, "%.*s", (int)(eq - arg), arg);
            value = eq + 1;
        } else {
            snprintf(name, sizeof name, "%s", arg);
        }
        if (!strcmp(name, "-h") || !strcmp(name, "--help")) {
            fputs(USAGE, stdout);
            return 1;
        }
        if (!strcmp(name, "--allow-private-urls")) { o->server.allow_private_urls = 1; continue; }
        if (!strcmp(name, "--wasm-debug-exports")) { o->backend.wasm_debug_exports = 1; continue; } /* issue 6: tests only */
        if (!strcmp(name, "--quiet")) { o->server.access_log = NULL; continue; }
        static const char *const with_value[] = {
            "--model", "--labels", "--host", "--port", "--threads", "--queue", "--max-body",
            "--max-pixels", "--fetch-timeout-ms", "--backend", "--wasm-module", "--wasm-max-memory",
            "--wasm-time-budget-ms", "--input", "--output"};
        int known = 0;
        for (size_t k = 0; k < sizeof with_value / sizeof with_value[0]; k++)
            known |= !strcmp(name, with_value[k]);
        if (!known) {
            fprintf(stderr, "wasinfer serve: unknown option '%s'\n%s", arg, USAGE);
            return -1;
        }
        if (!value) {
            if (i + 1 >= argc) {
                fprintf(stderr, "wasinfer serve: %s needs a value\n", name);
                return -1;
            }
            value = argv[++i];
        }
        long n = 0;
        int bad = 0;
        if (!strcmp(name, "--model")) o->backend.model_path = value;
        else if (!strcmp(name, "--labels")) o->labels_path = value;
        else if (!strcmp(name, "--host")) o->server.host = value;
        else if (!strcmp(name, "--port")) bad = parse_int(value, 0, 65535, &n), o->server.port = (int)n;
        else if (!strcmp(name, "--threads")) bad = parse_int(value, 1, 1024, &n), o->server.threads = (int)n;
        else if (!strcmp(name, "--queue")) bad = parse_int(value, 1, 1000000, &n), o->server.queue = (int)n;
        else if (!strcmp(name, "--max-body")) bad = parse_size(value, &o->server.max_body) || !o->server.max_body;
        else if (!strcmp(name, "--max-pixels")) bad = parse_size(value, &o->server.max_pixels) || !o->server.max_pixels;
        else if (!strcmp(name, "--fetch-timeout-ms")) bad = parse_int(value, 1, 3600000, &n), o->server.fetch_timeout_ms = n;
        else if (!strcmp(name, "--backend")) o->backend_name = value;
        else if (!strcmp(name, "--wasm-module")) o->backend.wasm_module = value;
        else if (!strcmp(name, "--wasm-max-memory")) bad = parse_size(value, &o->backend.wasm_max_memory);
        else if (!strcmp(name, "--wasm-time-budget-ms")) bad = parse_int(value, 1, 3600000, &n), o->backend.wasm_time_budget_ms = (double)n;
        else if (!strcmp(name, "--input")) o->backend.input_name = value;
        else if (!strcmp(name, "--output")) o->backend.output_name = value;
        if (bad) {
            fprintf(stderr, "wasinfer serve: bad value '%s' for %s\n", value, name);
            return -1;
        }
    }
    if (!o->backend.model_path) {
        fprintf(stderr, "wasinfer serve: --model is required\n%s", USAGE);
        return -1;
    }
    return 0;
}

static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

int wi_serve_main(int argc, char **argv) {
    serve_options o = {0};
    o.server.port = 3000;
    o.server.max_body = 10u << 20;
    o.server.max_pixels = 16u << 20;
    o.server.fetch_timeout_ms = 10000;
    o.server.access_log = stderr;
    int pr = parse_args(argc, argv, &o);
    if (pr != 0)
        return pr > 0 ? 0 : 2;

    int rc = 1;
    char msg[WI_ERROR_MESSAGE_MAX + 128];
    wi_error err = {0};
    wi_labels *labels = NULL;
    const char **label_rows = NULL;
    wi_backend *backend = NULL;
    wi_server *server = NULL;
    const wi_backend_vtable *vt = wi_backend_by_name(o.backend_name, msg, sizeof msg);
    if (!vt) {
        fprintf(stderr, "wasinfer serve: %s\n", msg);
        return 1;
    }
    if (o.labels_path) {
        if (wi_labels_load_file(o.labels_path, &labels, &err) != WI_OK) {
            fprintf(stderr, "wasinfer serve: cannot load labels '%s': %s\n", o.labels_path, err.message);
            goto done;
        }
        int n = wi_labels_count(labels);
        label_rows = calloc((size_t)(n > 0 ? n : 1), sizeof *label_rows);
        if (!label_rows) {
            fprintf(stderr, "wasinfer serve: out of memory\n");
            goto done;
        }
        for (int i = 0; i < n; i++)
            label_rows[i] = wi_labels_get(labels, i);
        o.server.labels = label_rows;
        o.server.label_count = n;
    }
    double t0 = wi_now_seconds();
    if (vt->create(&o.backend, &backend, &err) != WI_OK) {
        fprintf(stderr, "wasinfer serve: cannot load model '%s': %s\n", o.backend.model_path, err.message);
        goto done;
    }
    o.server.model_load_seconds = wi_now_seconds() - t0;
    o.server.model_name = base_name(o.backend.model_path);
    o.server.backend_vt = vt;
    o.server.backend = backend;
    wi_classify_options_init(&o.server.classify_defaults);

    /* SIGINT/SIGTERM are taken by sigwait below: block them before any thread starts so every
     * thread inherits the mask and only this one sees them. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (wi_fetch_global_init() != 0) {
        fprintf(stderr, "wasinfer serve: libcurl failed to initialize\n");
        goto done;
    }
    if (wi_server_start(&o.server, &server, msg, sizeof msg) != 0) {
        fprintf(stderr, "wasinfer serve: %s\n", msg);
        wi_fetch_global_cleanup();
        goto done;
    }
    const char *host = o.server.host ? o.server.host : "127.0.0.1";
    int v6 = strchr(host, ':') != NULL;
    printf("Listening on http://%s%s%s:%d\n", v6 ? "[" : "", host, v6 ? "]" : "", wi_server_port(server));
    fflush(stdout);
    if (o.server.access_log)
        fprintf(stderr, "wasinfer serve: model %s (%s backend, loaded in %.0f ms), %d workers\n",
                o.server.model_name, vt->name, o.server.model_load_seconds * 1e3,
                wi_server_workers(server));

    int sig = 0;
    while (sigwait(&stop_signals, &sig) != 0) {
    }
    if (o.server.access_log)
        fprintf(stderr, "wasinfer serve: %s: finishing requests in flight\n",
                sig == SIGINT ? "SIGINT" : "SIGTERM");
    wi_server_shutdown(server, 30.0);
    wi_fetch_global_cleanup();
    rc = 0;
done:
    if (backend)
        vt->destroy(backend);
    free(label_rows);
    wi_labels_free(labels);
    return rc;
}
