/*
 * fetch.h - downloading an image URL for a request, with libcurl, safely.
 *
 * http and https only (also after redirects), a redirect limit, a size limit enforced while
 * receiving, connect and total timeouts, no proxies from the environment, and the SSRF guard
 * (addr-guard.h) applied to every address a socket is opened to. One fetcher per worker thread
 * (it keeps a curl handle and its connection cache).
 */
#ifndef WI_SERVER_FETCH_H
#define WI_SERVER_FETCH_H

#include <stddef.h>

#include "server/buf.h"

typedef struct wi_fetch_options {
    size_t max_bytes;        /* larger bodies are refused (413) */
    long timeout_ms;         /* whole transfer (504 when exceeded) */
    long connect_timeout_ms;
    long max_redirects;
    int allow_private;       /* skip the SSRF guard (tests serve images on 127.0.0.1) */
} wi_fetch_options;

typedef struct wi_fetcher wi_fetcher;

/* Call once per process before threads start (wraps curl_global_init). 0 on success. */
int wi_fetch_global_init(void);
void wi_fetch_global_cleanup(void);

wi_fetcher *wi_fetcher_create(void); /* NULL when out of memory */
void wi_fetcher_free(wi_fetcher *f); /* accepts NULL */

/* Downloads `url` into `out` (cleared first). Returns 0 on success, otherwise the HTTP status
 * the service should answer with and a message in `msg`:
 * 400 not an http(s) URL, 403 address refused by the guard, 413 too large, 502 connection
 * failed or non-2xx answer, 504 timed out, 500 internal. */
int wi_fetch(wi_fetcher *f, const char *url, const wi_fetch_options *options, wi_buf *out,
             char *msg, size_t msg_size);

#endif
