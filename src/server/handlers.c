/* handlers.c - what each route answers: the GET routes, and the classify job that runs on a
 * worker thread (find the image, fetch it if it is a URL, classify, format the answer). */
#include "server/server-internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/json.h"
#include "server/multipart.h"

static const char JSON_TYPE[] = "application/json";

static void answer_take(wi_answer *a, int status, const char *type, wi_buf *b) {
    free(a->body);
    a->status = status;
    a->content_type = type;
    a->body = wi_buf_take(b, &a->len);
    if (!a->body) { /* out of memory: an empty 500 still tells the client something is wrong */
        a->status = 500;
        a->len = 0;
    }
}

void wi_answer_error(wi_answer *a, int status, const char *fmt, ...) {
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    wi_buf b;
    wi_buf_init(&b, 0);
    wi_buf_puts(&b, "{\"error\": ");
    wi_json_put_string(&b, msg);
    wi_buf_puts(&b, "}\n");
    answer_take(a, status, JSON_TYPE, &b);
}

/* ---- GET routes ------------------------------------------------------------------------- */

static const char *dtype_name(wi_dtype t) {
    switch (t) {
    case WI_DTYPE_FLOAT32: return "float32";
    case WI_DTYPE_INT32: return "int32";
    case WI_DTYPE_INT64: return "int64";
    case WI_DTYPE_UINT8: return "uint8";
    case WI_DTYPE_INT8: return "int8";
    default: return "invalid";
    }
}

static void put_tensor(wi_buf *b, const wi_tensor_info *t) {
    wi_buf_puts(b, "{\"name\": ");
    wi_json_put_string(b, t->name ? t->name : "");
    wi_buf_printf(b, ", \"dtype\": \"%s\", \"shape\": [", dtype_name(t->dtype));
    for (int i = 0; i < t->rank && i < WI_MAX_RANK; i++)
        wi_buf_printf(b, "%s%lld", i ? ", " : "", (long long)t->dims[i]);
    wi_buf_puts(b, "]}");
}

void wi_handle_get_route(wi_server *s, wi_request *r, wi_answer *a) {
    wi_buf b;
    wi_buf_init(&b, 0);
    switch (r->route) {
    case WI_ROUTE_HEALTHZ:
        wi_buf_puts(&b, "{\"status\": \"ok\"}\n");
        answer_take(a, 200, JSON_TYPE, &b);
        return;
    case WI_ROUTE_READYZ:
        if (atomic_load(&s->draining)) {
            wi_buf_puts(&b, "{\"status\": \"draining\"}\n");
            answer_take(a, 503, JSON_TYPE, &b);
        } else {
            wi_buf_puts(&b, "{\"status\": \"ready\"}\n");
            answer_take(a, 200, JSON_TYPE, &b);
        }
        return;
    case WI_ROUTE_MODELS:
        wi_buf_puts(&b, "{\"name\": ");
        wi_json_put_string(&b, s->cfg.model_name ? s->cfg.model_name : "");
        wi_buf_printf(&b, ", \"backend\": \"%s\", \"inputs\": [", s->cfg.backend_vt->name);
        put_tensor(&b, &s->input_info);
        wi_buf_puts(&b, "], \"outputs\": [");
        put_tensor(&b, &s->output_info);
        wi_buf_printf(&b, "], \"classes\": %d, \"labels\": %d, \"workers\": %d}\n", s->class_count,
                      s->cfg.label_count, s->worker_count);
        answer_take(a, 200, JSON_TYPE, &b);
        return;
    case WI_ROUTE_METRICS:
        wi_metrics_set_queue_depth(&s->metrics, wi_queue_depth(&s->queue));
        if (wi_metrics_render(&s->metrics, &b) != 0) {
            wi_buf_free(&b);
            wi_answer_error(a, 500, "out of memory");
            return;
        }
        answer_take(a, 200, "text/plain; version=0.0.4; charset=utf-8", &b);
        return;
    default:
        wi_buf_free(&b);
        wi_answer_error(a, 404, "no route %.200s", r->path);
        return;
    }
}

/* ---- classify --------------------------------------------------------------------------- */

/* Where the image comes from, as found in the request. */
typedef struct image_source {
    const char *bytes; /* borrowed from the request body or the worker's fetch buffer */
    size_t len;
    char *url;         /* malloc'ed when the request names a URL */
    int top_k;
    double fetch_ms;
} image_source;

/* Content-Type without parameters, compared case-insensitively. */
static int media_is(const char *content_type, const char *type) {
    if (!content_type)
        return 0;
    size_t n = strlen(type);
    if (strncasecmp(content_type, type, n) != 0)
        return 0;
    char c = content_type[n];
    return c == '\0' || c == ';' || c == ' ' || c == '\t';
}

static int media_is_image(const char *content_type) {
    return content_type && strncasecmp(content_type, "image/", 6) == 0;
}

/* The body as a URL: surrounding whitespace trimmed, NUL-free. */
static char *body_as_url(const wi_buf *body) {
    const char *p = body->data ? body->data : "";
    size_t n = body->len;
    while (n && isspace((unsigned char)*p)) p++, n--;
    while (n && isspace((unsigned char)p[n - 1])) n--;
    if (n == 0 || memchr(p, '\0', n))
        return NULL;
    return strndup(p, n);
}

static int parse_top_k_text(const char *p, size_t n, int *out) {
    char tmp[16];
    if (n == 0 || n >= sizeof tmp)
        return -1;
    memcpy(tmp, p, n);
    tmp[n] = '\0';
    char *end = NULL;
    long v = strtol(tmp, &end, 10);
    if (end == tmp || *end || v < 1 || v > 1000)
        return -1;
    *out = (int)v;
    return 0;
}

/* Reads the request into `src`. 0 on success; -1 with the error answer set. */
static int find_source(wi_request *r, image_source *src, wi_answer *a) {
    const char *ct = r->content_type;
    char msg[160];
    src->top_k = r->top_k;
    if (media_is(ct, "application/json")) {
        wi_json_request j;
        if (wi_json_parse_request(r->body.data ? r->body.data : "", r->body.len, &j, msg, sizeof msg) != 0) {
            wi_json_request_free(&j);
            wi_answer_error(a, 400, "%s", msg);
            return -1;
        }
        src->url = j.url;
        j.url = NULL;
        if (j.has_top_k) {
            if (j.top_k != (double)(int)j.top_k || j.top_k < 1 || j.top_k > 1000) {
                wi_answer_error(a, 400, "top_k must be an integer from 1 to 1000");
                return -1;
            }
            src->top_k = (int)j.top_k;
        }
        if (!src->url) {
            wi_answer_error(a, 400, "the JSON body needs a \"url\" string");
            return -1;
        }
        return 0;
    }
    if (media_is(ct, "multipart/form-data")) {
        char boundary[80];
        wi_multipart_result m;
        if (wi_multipart_boundary(ct, boundary, sizeof boundary) != 0) {
            wi_answer_error(a, 400, "multipart/form-data without a valid boundary parameter");
            return -1;
        }
        if (wi_multipart_find_file(r->body.data ? r->body.data : "", r->body.len, boundary, &m, msg,
                                   sizeof msg) != 0) {
            wi_answer_error(a, 400, "%s", msg);
            return -1;
        }
        if (m.top_k && parse_top_k_text(m.top_k, m.top_k_len, &src->top_k) != 0) {
            wi_answer_error(a, 400, "top_k must be an integer from 1 to 1000");
            return -1;
        }
        src->bytes = m.file;
        src->len = m.file_len;
        return 0;
    }
    int raw = media_is_image(ct) || media_is(ct, "application/octet-stream");
    int text = media_is(ct, "text/plain");
    if (r->route == WI_ROUTE_ROOT) {
        /* The original form: the body (or ?url=) is the image URL, whatever the type says. */
        if (!raw) {
            src->url = r->query_url && r->body.len == 0 ? strdup(r->query_url) : body_as_url(&r->body);
            if (!src->url) {
                wi_answer_error(a, 400, "send the image URL as the request body (text/plain)");
                return -1;
            }
            return 0;
        }
    } else if (text) {
        if (!(src->url = body_as_url(&r->body))) {
            wi_answer_error(a, 400, "a text/plain body must be an image URL");
            return -1;
        }
        return 0;
    } else if (!raw && ct && !media_is(ct, "application/x-www-form-urlencoded")) {
        /* curl --data-binary sends x-www-form-urlencoded by default: take it as raw bytes. */
        wi_answer_error(a, 415, "unsupported Content-Type '%.100s': send image bytes (image/* or "
                                "application/octet-stream), multipart/form-data or JSON {\"url\": ...}", ct);
        return -1;
    }
    src->bytes = r->body.data;
    src->len = r->body.len;
    return 0;
}

static int looks_like_image(const unsigned char *p, size_t n) {
    if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
        return 1; /* JPEG */
    if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
        return 1;
    if (n >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0))
        return 1;
    if (n >= 2 && p[0] == 'B' && p[1] == 'M')
        return 1;
    return 0;
}

static int status_for(wi_status st) {
    switch (st) {
    case WI_E_INVALID_ARGUMENT: return 400;
    case WI_E_LIMIT: return 413;
    case WI_E_MALFORMED:
    case WI_E_UNSUPPORTED: return 422;
    case WI_E_TIMEOUT: return 504;
    case WI_E_OUT_OF_MEMORY: return 503;
    default: return 500; /* WI_E_TRAP, WI_E_INTERNAL, ... */
    }
}

static void format_result(wi_server *s, wi_request *r, const image_source *src,
                          const wi_class_score *top, int n, const wi_classify_timing *t,
                          double queue_ms, wi_answer *a) {
    wi_buf b;
    wi_buf_init(&b, 0);
    if (r->route == WI_ROUTE_ROOT) {
        /* The original answer: the top-1 label as plain text. */
        const char *label = n > 0 && top[0].index < s->cfg.label_count ? s->cfg.labels[top[0].index] : NULL;
        if (label)
            wi_buf_puts(&b, label);
        else
            wi_buf_printf(&b, "%d", n > 0 ? top[0].index : -1);
        answer_take(a, 200, "text/plain; charset=utf-8", &b);
        return;
    }
    wi_buf_puts(&b, "{\"top\": [");
    for (int i = 0; i < n; i++) {
        wi_buf_printf(&b, "%s{\"index\": %d, \"label\": ", i ? ", " : "", top[i].index);
        if (top[i].index >= 0 && top[i].index < s->cfg.label_count)
            wi_json_put_string(&b, s->cfg.labels[top[i].index]);
        else
            wi_buf_puts(&b, "null");
        wi_buf_printf(&b, ", \"prob\": %.6g}", (double)top[i].prob);
    }
    wi_buf_puts(&b, "], \"model\": ");
    wi_json_put_string(&b, s->cfg.model_name ? s->cfg.model_name : "");
    wi_buf_printf(&b, ", \"timing_ms\": {\"queue\": %.3f, \"fetch\": %.3f, \"decode\": %.3f, "
                      "\"preprocess\": %.3f, \"infer\": %.3f, \"total\": %.3f}}\n",
                  queue_ms, src->fetch_ms, t->decode_ms, t->preprocess_ms, t->infer_ms,
                  (wi_now_seconds() - r->t_start) * 1e3);
    answer_take(a, 200, JSON_TYPE, &b);
}

/* X-Wasinfer-Debug: runs the backend's test hook (a trap or an endless loop in the wasm
 * sandbox) under the request limits, so tests see the 500/504 and the recovery over HTTP.
 * The backend refuses unless started with --wasm-debug-exports. */
static void handle_debug(wi_server *s, wi_worker *w, wi_request *r, wi_answer *a) {
    if (!s->cfg.backend_vt->debug) {
        wi_answer_error(a, 400, "the %s backend has no debug actions", s->cfg.backend_vt->name);
        return;
    }
    wi_error err = {0};
    wi_status st = s->cfg.backend_vt->debug(w->backend, r->debug_action, &err);
    if (st == WI_OK) {
        wi_buf b;
        wi_buf_init(&b, 0);
        wi_buf_puts(&b, "{\"debug\": \"ok\"}\n");
        answer_take(a, 200, JSON_TYPE, &b);
        return;
    }
    wi_answer_error(a, st == WI_E_STATE ? 403 : status_for(st), "%s",
                    err.message[0] ? err.message : "debug action failed");
}

void wi_handle_classify(wi_server *s, wi_worker *w, wi_request *r, wi_answer *a) {
    double queue_ms = (wi_now_seconds() - r->t_queued) * 1e3;
    if (r->debug_action[0]) {
        handle_debug(s, w, r, a);
        return;
    }
    image_source src = {0};
    wi_class_score *top = NULL;
    if (find_source(r, &src, a) != 0)
        goto done;
    if (src.url) {
        char msg[400];
        double t0 = wi_now_seconds();
        int status = wi_fetch(w->fetcher, src.url, &s->fetch, &w->fetched, msg, sizeof msg);
        src.fetch_ms = (wi_now_seconds() - t0) * 1e3;
        if (status) {
            wi_answer_error(a, status, "%s", msg);
            goto done;
        }
        src.bytes = w->fetched.data;
        src.len = w->fetched.len;
    }
    if (src.len == 0) {
        wi_answer_error(a, 400, src.url ? "the url answered an empty body" : "empty request body: send an image");
        goto done;
    }
    if (!looks_like_image((const unsigned char *)src.bytes, src.len)) {
        wi_answer_error(a, 415, "%s is not an image (JPEG, PNG, GIF or BMP expected)",
                        src.url ? "the url's content" : "the body");
        goto done;
    }
    int k = src.top_k > 0 ? src.top_k : (r->route == WI_ROUTE_ROOT ? 1 : 5);
    if (s->class_count > 0 && k > s->class_count)
        k = s->class_count;
    top = calloc((size_t)k, sizeof *top);
    if (!top) {
        wi_answer_error(a, 503, "out of memory");
        goto done;
    }
    wi_classify_options opts = s->cfg.classify_defaults;
    opts.top_k = k;
    opts.max_pixels = s->cfg.max_pixels;
    wi_classify_timing timing = {0};
    wi_error err = {0};
    int n = 0;
    wi_status st = s->cfg.backend_vt->classify(w->backend, src.bytes, src.len, &opts, top, k, &n,
                                               &timing, &err);
    if (st != WI_OK) {
        wi_answer_error(a, status_for(st), "%s", err.message[0] ? err.message : "classification failed");
        goto done;
    }
    format_result(s, r, &src, top, n, &timing, queue_ms, a);
done:
    free(top);
    free(src.url);
}
