/* http-client.h - a small libcurl client and raw-socket helpers for the service tests. */
#ifndef WI_TEST_HTTP_CLIENT_H
#define WI_TEST_HTTP_CLIENT_H

#include <stddef.h>

typedef struct http_reply {
    long status;      /* 0 when the transfer failed */
    char *body;       /* malloc'ed, NUL-terminated */
    size_t len;
    char content_type[128];
    char retry_after[16];
    char allow[64];
    char curl_error[256];
} http_reply;

/* One request. `content_type` and `body` may be NULL; `chunked` sends the body without a
 * Content-Length. Free with http_reply_free. */
http_reply http_request(const char *method, const char *url, const char *content_type,
                        const void *body, size_t len, int chunked);
/* A multipart/form-data POST with one file part (and a top_k part when top_k > 0). */
http_reply http_upload(const char *url, const char *field, const void *data, size_t len, int top_k);
void http_reply_free(http_reply *r);

/* Opens a TCP connection to 127.0.0.1:port, sends `head` and `n_body` bytes of `body`, then
 * closes without reading (a client that goes away). */
void raw_send_and_close(int port, const char *head, const void *body, size_t n_body);

#endif
