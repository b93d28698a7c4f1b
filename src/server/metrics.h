/*
 * metrics.h - the service's counters, rendered in Prometheus text format for GET /metrics.
 *
 * Requests are counted by route and status, latencies go into one histogram per route.
 * Everything is guarded by one mutex: a few hundred nanoseconds per request, nothing next to
 * an inference.
 */
#ifndef WI_SERVER_METRICS_H
#define WI_SERVER_METRICS_H

#include <pthread.h>
#include <stdint.h>

#include "server/buf.h"

/* Routes are a fixed set, so counters are plain arrays. */
typedef enum wi_route {
    WI_ROUTE_ROOT = 0,  /* "/": the original URL-in-body form */
    WI_ROUTE_CLASSIFY,  /* /v1/classify */
    WI_ROUTE_MODELS,    /* /v1/models */
    WI_ROUTE_HEALTHZ,
    WI_ROUTE_READYZ,
    WI_ROUTE_METRICS,
    WI_ROUTE_OTHER,     /* anything else (404) */
    WI_ROUTE_COUNT
} wi_route;

const char *wi_route_name(wi_route route); /* "/v1/classify", ..., "other" */

enum { WI_METRICS_STATUS_SLOTS = 24, WI_METRICS_BUCKETS = 12 };

typedef struct wi_route_metrics {
    int status[WI_METRICS_STATUS_SLOTS]; /* 0: free slot */
    uint64_t count[WI_METRICS_STATUS_SLOTS];
    uint64_t bucket[WI_METRICS_BUCKETS]; /* per bucket here; made cumulative when rendered */
    uint64_t observations;
    double sum_seconds;
} wi_route_metrics;

typedef struct wi_metrics {
    pthread_mutex_t lock;
    wi_route_metrics route[WI_ROUTE_COUNT];
    int64_t in_flight;
    int64_t queue_depth;
    uint64_t rejected_queue_full;
    double model_load_seconds;
    int workers;
    const char *backend;
} wi_metrics;

void wi_metrics_init(wi_metrics *m, const char *backend, int workers, double model_load_seconds);
void wi_metrics_destroy(wi_metrics *m);
void wi_metrics_request_done(wi_metrics *m, wi_route route, int status, double seconds);
void wi_metrics_add_in_flight(wi_metrics *m, int delta);
void wi_metrics_set_queue_depth(wi_metrics *m, int64_t depth);
void wi_metrics_queue_full(wi_metrics *m);
/* Appends the Prometheus text exposition. 0 on success, -1 when out of memory. */
int wi_metrics_render(wi_metrics *m, wi_buf *out);

#endif
