/* server.c - libmicrohttpd plumbing, the worker pool and graceful shutdown (see server.h). */
#include "server/server-internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <sys/socket.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

double wi_now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static wi_route route_of(const char *path) {
    static const struct { const char *path; wi_route route; } table[] = {
        {"/", WI_ROUTE_ROOT},          {"/v1/classify", WI_ROUTE_CLASSIFY},
        {"/v1/models", WI_ROUTE_MODELS}, {"/healthz", WI_ROUTE_HEALTHZ},
        {"/readyz", WI_ROUTE_READYZ},  {"/metrics", WI_ROUTE_METRICS},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(path, table[i].path) == 0)
            return table[i].route;
    return WI_ROUTE_OTHER;
}

static int route_takes_body(wi_route route) {
    return route == WI_ROUTE_ROOT || route == WI_ROUTE_CLASSIFY;
}

/* NULL when `method` is allowed on `route`, else the Allow header value for the 405. */
static const char *method_refusal(wi_route route, const char *method) {
    int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    int post = strcmp(method, "POST") == 0;
    switch (route) {
    case WI_ROUTE_ROOT: return get || post ? NULL : "GET, HEAD, POST";
    case WI_ROUTE_CLASSIFY: return post ? NULL : "POST";
    case WI_ROUTE_OTHER: return NULL;
    default: return get ? NULL : "GET, HEAD";
    }
}

static void worker_done_with(wi_server *s, wi_request *r);

/* ---- answers ---------------------------------------------------------------------------- */

static enum MHD_Result send_answer(wi_request *r, wi_answer *a) {
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(a->len, a->body ? a->body : (void *)"", MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, a->content_type);
    if (a->retry_after > 0) {
        char v[16];
        snprintf(v, sizeof v, "%d", a->retry_after);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, v);
    }
    if (a->allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, a->allow);
    enum MHD_Result ok = MHD_queue_response(r->conn, (unsigned)a->status, resp);
    MHD_destroy_response(resp);
    r->responded = 1;
    return ok;
}

/* Answers now, from the HTTP thread, keeping the answer for the access log. */
static enum MHD_Result answer_now(wi_request *r) { return send_answer(r, &r->answer); }

/* ---- libmicrohttpd callbacks ------------------------------------------------------------ */

static wi_request *request_new(wi_server *s, struct MHD_Connection *conn, const char *url,
                               const char *method) {
    wi_request *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->server = s;
    r->conn = conn;
    r->t_start = wi_now_seconds();
    r->route = route_of(url);
    snprintf(r->method, sizeof r->method, "%s", method);
    snprintf(r->path, sizeof r->path, "%s", url);
    wi_buf_init(&r->body, s->cfg.max_body);
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(r->client, sizeof r->client, "-");
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, r->client, sizeof r->client);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, r->client, sizeof r->client);
    }
    pthread_mutex_lock(&s->idle_lock);
    s->in_flight++;
    pthread_mutex_unlock(&s->idle_lock);
    wi_metrics_add_in_flight(&s->metrics, 1);
    return r;
}

static void request_free(wi_request *r) {
    wi_buf_free(&r->body);
    free(r->content_type);
    free(r->query_url);
    free(r->answer.body);
    free(r);
}

/* Parses ?top_k= on the first call; 0 when fine, else the request's answer is set. */
static int read_query(wi_request *r) {
    const char *k = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "top_k");
    if (k) {
        char *end = NULL;
        errno = 0;
        long v = strtol(k, &end, 10);
        if (errno || end == k || *end || v < 1 || v > 1000) {
            wi_answer_error(&r->answer, 400, "top_k must be an integer from 1 to 1000, not '%.40s'", k);
            return -1;
        }
        r->top_k = (int)v;
    }
    const char *u = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "url");
    if (u && r->route == WI_ROUTE_ROOT && !(r->query_url = strdup(u))) {
        wi_answer_error(&r->answer, 500, "out of memory");
        return -1;
    }
    /* wasm backend debug hook (issue 6, tests only): X-Wasinfer-Debug: trap|spin */
    const char *dbg = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Wasinfer-Debug");
    if (dbg)
        snprintf(r->debug_action, sizeof r->debug_action, "%s", dbg);
    const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (ct && !(r->content_type = strdup(ct))) {
        wi_answer_error(&r->answer, 500, "out of memory");
        return -1;
    }
    return 0;
}

/* The first call for a request: route, method and size checks that need no body. Returns 1
 * when an answer is ready to send at once. */
static int first_call(wi_server *s, wi_request *r, const char *method) {
    const char *allow = method_refusal(r->route, method);
    if (r->route == WI_ROUTE_OTHER) {
        wi_answer_error(&r->answer, 404, "no route %.200s (try POST /v1/classify)", r->path);
        return 1;
    }
    if (allow) {
        wi_answer_error(&r->answer, 405, "method %s not allowed on %s", method, r->path);
        r->answer.allow = allow;
        return 1;
    }
    if (!route_takes_body(r->route)) {
        wi_handle_get_route(s, r, &r->answer);
        return 1;
    }
    const char *cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl) {
        char *end = NULL;
        errno = 0;
        unsigned long long n = strtoull(cl, &end, 10);
        if (errno == ERANGE || n > s->cfg.max_body) {
            wi_answer_error(&r->answer, 413, "request body of %s bytes is over the limit of %zu bytes",
                            cl, s->cfg.max_body);
            return 1;
        }
        if (end != cl && *end == '\0' && n > 0)
            wi_buf_reserve(&r->body, (size_t)n); /* one allocation for the whole upload */
    }
    return read_query(r) != 0;
}

/* Hands a complete request to the workers, or answers 503 when the queue is full. */
static enum MHD_Result enqueue(wi_server *s, wi_request *r) {
    if (wi_queue_reserve(&s->queue) != 0) {
        wi_metrics_queue_full(&s->metrics);
        wi_answer_error(&r->answer, 503, "server busy: %d requests already waiting, retry shortly",
                        s->queue.cap);
        r->answer.retry_after = 1;
        return answer_now(r);
    }
    /* Suspend before the job becomes visible to a worker, so its resume cannot come first. */
    r->t_queued = wi_now_seconds();
    r->queued = 1;
    MHD_suspend_connection(r->conn);
    wi_queue_push_reserved(&s->queue, r);
    wi_metrics_set_queue_depth(&s->metrics, wi_queue_depth(&s->queue));
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls) {
    wi_server *s = cls;
    wi_request *r = *con_cls;
    if (!r) {
        r = request_new(s, conn, url, method);
        if (!r)
            return MHD_NO; /* out of memory: drop the connection */
        *con_cls = r;
        if (first_call(s, r, method))
            return answer_now(r);
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (r->discarded == 0 && wi_buf_append(&r->body, upload_data, n) == 0)
            return MHD_YES;
        /* Over the limit with no (or a lying) Content-Length: read and drop the rest so the
         * client gets its 413, but not forever: past twice the limit, hang up. */
        r->discarded += n;
        return r->discarded > s->cfg.max_body ? MHD_NO : MHD_YES;
    }
    if (r->responded)
        return MHD_YES;
    if (atomic_load(&r->done))
        return send_answer(r, &r->answer);
    if (r->queued)
        return MHD_YES; /* still with a worker */
    if (r->discarded) {
        wi_answer_error(&r->answer, 413, "request body is over the limit of %zu bytes", s->cfg.max_body);
        return answer_now(r);
    }
    return enqueue(s, r);
}

static void log_access(wi_server *s, wi_request *r, int status, double ms, int completed) {
    if (!s->cfg.access_log)
        return;
    /* One fprintf per line: stdio locks the stream, so lines from threads never interleave. */
    fprintf(s->cfg.access_log, "%s %s %s %d %zu %.1fms%s\n", r->client, r->method, r->path, status,
            r->responded ? r->answer.len : (size_t)0, ms, completed ? "" : " client-gone");
}

/* Called once per request when libmicrohttpd is done with it, however it ended (answer sent,
 * client gone mid-upload or mid-answer, daemon stopping): the one place requests are freed. */
static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
    wi_server *s = cls;
    wi_request *r = *con_cls;
    if (!r)
        return;
    *con_cls = NULL;
    double seconds = wi_now_seconds() - r->t_start;
    /* 499 (nginx's "client closed request") when the client left before any answer. */
    int status = r->responded ? r->answer.status : 499;
    wi_metrics_request_done(&s->metrics, r->route, status, seconds);
    log_access(s, r, status, seconds * 1e3, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK);
    request_free(r);
    wi_metrics_add_in_flight(&s->metrics, -1);
    pthread_mutex_lock(&s->idle_lock);
    if (--s->in_flight == 0)
        pthread_cond_broadcast(&s->idle);
    pthread_mutex_unlock(&s->idle_lock);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap) {
    wi_server *s = cls;
    if (!s->cfg.access_log)
        return;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    fprintf(s->cfg.access_log, "wasinfer serve: http: %s\n", line);
}

/* ---- workers ---------------------------------------------------------------------------- */

static void *worker_main(void *arg) {
    wi_worker *w = arg;
    wi_server *s = w->server;
    wi_request *r;
    while ((r = wi_queue_pop(&s->queue)) != NULL) {
        wi_metrics_set_queue_depth(&s->metrics, wi_queue_depth(&s->queue));
        wi_handle_classify(s, w, r, &r->answer);
        worker_done_with(s, r);
    }
    return NULL;
}

static void worker_done_with(wi_server *s, wi_request *r) {
    atomic_store(&r->done, 1);
    /* After this call the HTTP thread may send the answer and free `r` at any time. */
    MHD_resume_connection(r->conn);
}

static void workers_stop(wi_server *s) {
    wi_queue_close(&s->queue);
    for (int i = 0; i < s->worker_count; i++)
        if (s->workers[i].started)
            pthread_join(s->workers[i].thread, NULL);
    for (int i = 0; i < s->worker_count; i++) {
        wi_worker *w = &s->workers[i];
        if (w->backend)
            s->cfg.backend_vt->worker_destroy(w->backend);
        wi_fetcher_free(w->fetcher);
        wi_buf_free(&w->fetched);
        w->backend = NULL;
        w->fetcher = NULL;
        w->started = 0;
    }
}

static int workers_start(wi_server *s, char *msg, size_t msg_size) {
    s->workers = calloc((size_t)s->worker_count, sizeof *s->workers);
    if (!s->workers) {
        snprintf(msg, msg_size, "out of memory");
        return -1;
    }
    for (int i = 0; i < s->worker_count; i++) {
        wi_worker *w = &s->workers[i];
        w->server = s;
        wi_buf_init(&w->fetched, s->cfg.max_body);
        wi_error err = {0};
        if (s->cfg.backend_vt->worker_create(s->cfg.backend, &w->backend, &err) != WI_OK) {
            w->backend = NULL;
            snprintf(msg, msg_size, "creating inference worker %d: %s", i, err.message);
            return -1;
        }
        if (!(w->fetcher = wi_fetcher_create())) {
            snprintf(msg, msg_size, "creating the URL fetcher: out of memory");
            return -1;
        }
    }
    for (int i = 0; i < s->worker_count; i++) {
        if (pthread_create(&s->workers[i].thread, NULL, worker_main, &s->workers[i]) != 0) {
            snprintf(msg, msg_size, "starting worker thread %d failed", i);
            return -1;
        }
        s->workers[i].started = 1;
    }
    return 0;
}

/* ---- lifecycle -------------------------------------------------------------------------- */

static int resolve_bind(const char *host, int port, struct sockaddr_storage *addr, int *is_v6,
                        char *msg, size_t msg_size) {
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int rc = getaddrinfo(host, NULL, &hints, &res);
    if (rc != 0 || !res) {
        snprintf(msg, msg_size, "cannot use --host '%s': %s", host, gai_strerror(rc));
        return -1;
    }
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    *is_v6 = res->ai_family == AF_INET6;
    freeaddrinfo(res);
    if (*is_v6)
        ((struct sockaddr_in6 *)addr)->sin6_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in *)addr)->sin_port = htons((uint16_t)port);
    return 0;
}

static void server_free(wi_server *s) {
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    if (s->workers) {
        workers_stop(s);
        free(s->workers);
    }
    wi_queue_destroy(&s->queue);
    wi_metrics_destroy(&s->metrics);
    pthread_mutex_destroy(&s->idle_lock);
    pthread_cond_destroy(&s->idle);
    free(s);
}

int wi_server_start(const wi_server_config *config, wi_server **out, char *msg, size_t msg_size) {
    *out = NULL;
    wi_server *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(msg, msg_size, "out of memory");
        return -1;
    }
    s->cfg = *config;
    if (!s->cfg.host)
        s->cfg.host = "127.0.0.1";
    if (s->cfg.threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        s->cfg.threads = n > 0 ? (int)n : 1;
    }
    if (s->cfg.queue <= 0)
        s->cfg.queue = 16 * s->cfg.threads;
    s->worker_count = s->cfg.threads;
    pthread_mutex_init(&s->idle_lock, NULL);
    pthread_cond_init(&s->idle, NULL);
    wi_metrics_init(&s->metrics, s->cfg.backend_vt->name, s->worker_count, s->cfg.model_load_seconds);
    s->fetch = (wi_fetch_options){
        .max_bytes = s->cfg.max_body,
        .timeout_ms = s->cfg.fetch_timeout_ms > 0 ? s->cfg.fetch_timeout_ms : 10000,
        .max_redirects = 5,
        .allow_private = s->cfg.allow_private_urls,
    };
    s->fetch.connect_timeout_ms = s->fetch.timeout_ms < 5000 ? s->fetch.timeout_ms : 5000;

    if (s->cfg.backend_vt->describe(s->cfg.backend, &s->input_info, &s->output_info) != WI_OK) {
        snprintf(msg, msg_size, "the backend cannot describe its model");
        goto fail;
    }
    s->class_count = s->output_info.rank > 0 ? (int)s->output_info.dims[s->output_info.rank - 1] : 0;
    if (wi_queue_init(&s->queue, s->cfg.queue) != 0) {
        snprintf(msg, msg_size, "out of memory");
        goto fail;
    }
    if (workers_start(s, msg, msg_size) != 0)
        goto fail;

    struct sockaddr_storage addr;
    int is_v6 = 0;
    if (resolve_bind(s->cfg.host, s->cfg.port, &addr, &is_v6, msg, msg_size) != 0)
        goto fail;
    /* poll(), not epoll: libmicrohttpd 0.9.75's edge-triggered epoll misses a FIN that arrives
     * together with the last request bytes (a client that sends and hangs up at once), leaving
     * the request open until the connection timeout. Level-triggered poll() sees it. */
    unsigned flags = MHD_USE_POLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (is_v6)
        flags |= MHD_USE_IPv6;
    s->daemon = MHD_start_daemon(flags, (uint16_t)s->cfg.port, NULL, NULL, on_request, s,
                                 MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s, /* must come first */
                                 MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                                 MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                                 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
                                 MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
                                 MHD_OPTION_END);
    if (!s->daemon) {
        snprintf(msg, msg_size, "cannot listen on %s:%d (address in use or not available)",
                 s->cfg.host, s->cfg.port);
        goto fail;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : s->cfg.port;
    *out = s;
    return 0;
fail:
    server_free(s);
    return -1;
}

int wi_server_port(const wi_server *s) { return s->port; }
int wi_server_workers(const wi_server *s) { return s->worker_count; }

/* Waits until no request is in flight or `seconds` have passed. */
static void wait_idle(wi_server *s, double seconds) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    double whole = (double)(time_t)seconds;
    deadline.tv_sec += (time_t)seconds;
    deadline.tv_nsec += (long)((seconds - whole) * 1e9);
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&s->idle_lock);
    while (s->in_flight > 0)
        if (pthread_cond_timedwait(&s->idle, &s->idle_lock, &deadline) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&s->idle_lock);
}

void wi_server_shutdown(wi_server *s, double grace_seconds) {
    if (!s)
        return;
    atomic_store(&s->draining, 1);
    /* Stop accepting. libmicrohttpd stops polling the listening socket but it stays open (and
     * the kernel would keep completing handshakes into its backlog, leaving new clients
     * hanging): shutdown() makes it refuse them now; it is closed after the daemon stops, as
     * libmicrohttpd requires. */
    MHD_socket listen_fd = MHD_quiesce_daemon(s->daemon);
    if (listen_fd != MHD_INVALID_SOCKET)
        shutdown(listen_fd, SHUT_RDWR);
    /* Requests already received run to completion, including ones still uploading. */
    wait_idle(s, grace_seconds);
    /* Workers finish every queued job (and resume its connection) before they exit... */
    workers_stop(s);
    /* ...and the HTTP thread gets a moment to write those answers before the daemon stops. */
    wait_idle(s, 5.0);
    MHD_stop_daemon(s->daemon);
    s->daemon = NULL;
    if (listen_fd != MHD_INVALID_SOCKET)
        close(listen_fd);
    server_free(s);
}
