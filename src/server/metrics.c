/* metrics.c - counters and latency histograms in Prometheus text format (see metrics.h). */
#include "server/metrics.h"

static const double bucket_bounds[WI_METRICS_BUCKETS] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                         0.5,   1.0,  2.5,   5.0,  10.0, 30.0};

const char *wi_route_name(wi_route route) {
    static const char *names[WI_ROUTE_COUNT] = {"/",        "/v1/classify", "/v1/models", "/healthz",
                                                "/readyz",  "/metrics",     "other"};
    return (unsigned)route < WI_ROUTE_COUNT ? names[route] : "other";
}

void wi_metrics_init(wi_metrics *m, const char *backend, int workers, double model_load_seconds) {
    *m = (wi_metrics){0};
    pthread_mutex_init(&m->lock, NULL);
    m->backend = backend;
    m->workers = workers;
    m->model_load_seconds = model_load_seconds;
}

void wi_metrics_destroy(wi_metrics *m) { pthread_mutex_destroy(&m->lock); }

void wi_metrics_request_done(wi_metrics *m, wi_route route, int status, double seconds) {
    if ((unsigned)route >= WI_ROUTE_COUNT)
        route = WI_ROUTE_OTHER;
    pthread_mutex_lock(&m->lock);
    wi_route_metrics *r = &m->route[route];
    for (int i = 0; i < WI_METRICS_STATUS_SLOTS; i++) {
        if (r->status[i] == status || r->status[i] == 0) {
            r->status[i] = status; /* a status seen for the first time takes a free slot */
            r->count[i]++;
            break;
        }
    }
    for (int b = 0; b < WI_METRICS_BUCKETS; b++) {
        if (seconds <= bucket_bounds[b]) {
            r->bucket[b]++;
            break;
        }
    }
    r->observations++;
    r->sum_seconds += seconds;
    pthread_mutex_unlock(&m->lock);
}

void wi_metrics_add_in_flight(wi_metrics *m, int delta) {
    pthread_mutex_lock(&m->lock);
    m->in_flight += delta;
    pthread_mutex_unlock(&m->lock);
}

void wi_metrics_set_queue_depth(wi_metrics *m, int64_t depth) {
    pthread_mutex_lock(&m->lock);
    m->queue_depth = depth;
    pthread_mutex_unlock(&m->lock);
}

void wi_metrics_queue_full(wi_metrics *m) {
    pthread_mutex_lock(&m->lock);
    m->rejected_queue_full++;
    pthread_mutex_unlock(&m->lock);
}

int wi_metrics_render(wi_metrics *m, wi_buf *out) {
    int rc = 0;
    pthread_mutex_lock(&m->lock);
    rc |= wi_buf_puts(out, "# HELP wasinfer_http_requests_total HTTP requests answered, by route and status.\n"
                           "# TYPE wasinfer_http_requests_total counter\n");
    for (int r = 0; r < WI_ROUTE_COUNT; r++)
        for (int i = 0; i < WI_METRICS_STATUS_SLOTS && m->route[r].status[i]; i++)
            rc |= wi_buf_printf(out, "wasinfer_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
                                wi_route_name((wi_route)r), m->route[r].status[i],
                                (unsigned long long)m->route[r].count[i]);
    rc |= wi_buf_puts(out, "# HELP wasinfer_http_request_duration_seconds Time from the request's "
                           "first byte to its answer, by route.\n"
                           "# TYPE wasinfer_http_request_duration_seconds histogram\n");
    for (int r = 0; r < WI_ROUTE_COUNT; r++) {
        if (!m->route[r].observations)
            continue;
        const char *name = wi_route_name((wi_route)r);
        uint64_t cumulative = 0;
        for (int b = 0; b < WI_METRICS_BUCKETS; b++) {
            cumulative += m->route[r].bucket[b];
            rc |= wi_buf_printf(out, "wasinfer_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                                name, bucket_bounds[b], (unsigned long long)cumulative);
        }
        rc |= wi_buf_printf(out, "wasinfer_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n"
                                 "wasinfer_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
                                 "wasinfer_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
                            name, (unsigned long long)m->route[r].observations, name,
                            m->route[r].sum_seconds, name,
                            (unsigned long long)m->route[r].observations);
    }
    rc |= wi_buf_printf(out,
                        "# HELP wasinfer_http_requests_in_flight Requests received and not yet answered.\n"
                        "# TYPE wasinfer_http_requests_in_flight gauge\n"
                        "wasinfer_http_requests_in_flight %lld\n"
                        "# HELP wasinfer_queue_depth Classify jobs waiting for a worker.\n"
                        "# TYPE wasinfer_queue_depth gauge\n"
                        "wasinfer_queue_depth %lld\n"
                        "# HELP wasinfer_queue_rejected_total Requests answered 503 because the queue was full.\n"
                        "# TYPE wasinfer_queue_rejected_total counter\n"
                        "wasinfer_queue_rejected_total %llu\n"
                        "# HELP wasinfer_workers Inference worker threads.\n"
                        "# TYPE wasinfer_workers gauge\n"
                        "wasinfer_workers{backend=\"%s\"} %d\n"
                        "# HELP wasinfer_model_load_seconds Time it took to load the model at start.\n"
                        "# TYPE wasinfer_model_load_seconds gauge\n"
                        "wasinfer_model_load_seconds %.6f\n",
                        (long long)m->in_flight, (long long)m->queue_depth,
                        (unsigned long long)m->rejected_queue_full, m->backend ? m->backend : "",
                        m->workers, m->model_load_seconds);
    pthread_mutex_unlock(&m->lock);
    return rc ? -1 : 0;
}
