/*
 * server-internal.h - the state shared by server.c (HTTP plumbing) and handlers.c (what each
 * route answers). Not part of any interface outside src/server.
 */
#ifndef WI_SERVER_SERVER_INTERNAL_H
#define WI_SERVER_SERVER_INTERNAL_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>

#include "server/buf.h"
#include "server/fetch.h"
#include "server/metrics.h"
#include "server/server.h"
#include "server/work-queue.h"

typedef struct wi_worker {
    struct wi_server *server;
    pthread_t thread;
    int started;
    wi_backend_worker *backend;
    wi_fetcher *fetcher;
    wi_buf fetched; /* reused for every URL this worker downloads */
} wi_worker;

struct wi_server {
    wi_server_config cfg;
    struct MHD_Daemon *daemon;
    int port;
    wi_queue queue;
    wi_worker *workers;
    int worker_count;
    wi_metrics metrics;
    wi_fetch_options fetch;
    wi_tensor_info input_info, output_info;
    int class_count; /* size of the output's last dimension */
    atomic_int draining;
    pthread_mutex_t idle_lock; /* guards in_flight for the drain wait */
    pthread_cond_t idle;
    int in_flight;
};

/* An answer, built by a handler, queued on the connection by server.c. */
typedef struct wi_answer {
    int status;
    const char *content_type; /* static string */
    char *body;               /* malloc'ed */
    size_t len;
    int retry_after;          /* seconds; 0: no header */
    const char *allow;        /* Allow header for 405 */
} wi_answer;

typedef struct wi_request {
    wi_server *server;
    struct MHD_Connection *conn;
    wi_route route;
    char method[16];
    char path[256];
    char client[64];
    double t_start;
    char *content_type; /* the request's Content-Type, or NULL */
    char *query_url;    /* ?url= on "/" */
    int top_k;          /* from ?top_k=, 0: not given */
    char debug_action[16]; /* X-Wasinfer-Debug (tests of the wasm backend's recovery), or "" */
    wi_buf body;
    size_t discarded;   /* body bytes dropped after the limit was passed */
    double t_queued;
    int queued;         /* handed to a worker; the connection is suspended */
    atomic_int done;    /* the worker filled `answer` */
    int responded;      /* an answer was queued on the connection */
    wi_answer answer;
} wi_request;

/* Sets `a` to a JSON error {"error": msg}. */
void wi_answer_error(wi_answer *a, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The answers that need no worker: /healthz, /readyz, /v1/models, /metrics. */
void wi_handle_get_route(wi_server *s, wi_request *r, wi_answer *a);
/* Runs on a worker thread: find the image (body, multipart, JSON or URL), classify, format. */
void wi_handle_classify(wi_server *s, wi_worker *w, wi_request *r, wi_answer *a);

#endif
