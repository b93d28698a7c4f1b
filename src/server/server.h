/*
 * server.h - the HTTP service around one loaded backend (libmicrohttpd + a worker pool).
 *
 * Threads: libmicrohttpd's one internal polling thread accepts connections, reads request
 * bodies into memory and writes answers; N worker threads, each owning one backend worker
 * (a wi_session natively), take classify jobs from a bounded queue. A request waiting for a
 * worker has its connection suspended (MHD_suspend_connection), so no thread blocks on it;
 * the worker stores the answer and resumes the connection. When the queue is full the request
 * is answered 503 with Retry-After at once.
 *
 * This layer knows nothing of the inference library beyond the backend vtable, so tests can
 * drive it with a scripted backend.
 */
#ifndef WI_SERVER_SERVER_H
#define WI_SERVER_SERVER_H

#include <stddef.h>
#include <stdio.h>

#include "server/backend.h"

typedef struct wi_server_config {
    const char *host;          /* bind address (numeric or a name); default 127.0.0.1          */
    int port;                  /* 0: pick a free port (see wi_server_port)                      */
    int threads;               /* inference workers; <= 0: number of online cores               */
    int queue;                 /* jobs waiting for a worker before 503; <= 0: 16 per worker     */
    size_t max_body;           /* request body and fetched image limit in bytes                 */
    size_t max_pixels;         /* image pixel limit                                             */
    long fetch_timeout_ms;     /* whole URL fetch                                               */
    int allow_private_urls;    /* let URLs reach loopback/private/link-local addresses          */
    FILE *access_log;          /* one line per request; NULL: none (--quiet)                    */
    const char *model_name;    /* shown in answers and /v1/models                               */
    const char *const *labels; /* borrowed; label_count rows, row i names class i               */
    int label_count;
    wi_classify_options classify_defaults; /* preprocessing etc.; top_k/max_pixels set per request */
    const wi_backend_vtable *backend_vt;   /* with `backend` already created by the caller      */
    wi_backend *backend;
    double model_load_seconds;
} wi_server_config;

typedef struct wi_server wi_server;

/* Creates the workers (one backend worker each) and starts listening. The config's pointers
 * must outlive the server. Returns 0, or -1 with a one-line message in `msg`. */
int wi_server_start(const wi_server_config *config, wi_server **out, char *msg, size_t msg_size);

/* Monotonic clock in seconds, for timings. */
double wi_now_seconds(void);

int wi_server_port(const wi_server *server); /* the bound port (useful with port 0) */
int wi_server_workers(const wi_server *server);

/* Graceful stop: /readyz turns 503 and the listening socket closes at once; requests already
 * received are answered (waiting at most `grace_seconds`), then workers and the daemon stop
 * and everything is freed. */
void wi_server_shutdown(wi_server *server, double grace_seconds);

#endif
