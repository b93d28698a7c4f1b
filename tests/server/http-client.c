/* http-client.c - see http-client.h. */
#include "http-client.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct upload {
    const char *data;
    size_t len, pos;
} upload;

static size_t on_body(char *p, size_t size, size_t n, void *user) {
    http_reply *r = user;
    size_t add = size * n;
    char *grown = realloc(r->body, r->len + add + 1);
    if (!grown)
        return 0;
    r->body = grown;
    memcpy(r->body + r->len, p, add);
    r->len += add;
    r->body[r->len] = '\0';
    return add;
}

static void copy_header(const char *line, size_t n, const char *name, char *dst, size_t size) {
    size_t k = strlen(name);
    if (n <= k || strncasecmp(line, name, k) != 0)
        return;
    const char *v = line + k;
    size_t vn = n - k;
    while (vn && (*v == ' ')) v++, vn--;
    while (vn && (v[vn - 1] == '\r' || v[vn - 1] == '\n')) vn--;
    snprintf(dst, size, "%.*s", (int)vn, v);
}

static size_t on_header(char *p, size_t size, size_t n, void *user) {
    http_reply *r = user;
    copy_header(p, size * n, "Content-Type:", r->content_type, sizeof r->content_type);
    copy_header(p, size * n, "Retry-After:", r->retry_after, sizeof r->retry_after);
    copy_header(p, size * n, "Allow:", r->allow, sizeof r->allow);
    return size * n;
}

static size_t on_read(char *dst, size_t size, size_t n, void *user) {
    upload *u = user;
    size_t k = size * n;
    if (k > u->len - u->pos)
        k = u->len - u->pos;
    memcpy(dst, u->data + u->pos, k);
    u->pos += k;
    return k;
}

static CURL *easy(const char *url, http_reply *r) {
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, r->curl_error);
    return c;
}

static void finish(CURL *c, http_reply *r) {
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_cleanup(c);
    if (!r->body)
        r->body = calloc(1, 1);
}

http_reply http_request(const char *method, const char *url, const char *content_type,
                        const void *body, size_t len, int chunked) {
    http_reply r = {0};
    CURL *c = easy(url, &r);
    struct curl_slist *headers = NULL;
    char h[200];
    if (content_type) {
        snprintf(h, sizeof h, "Content-Type: %s", content_type);
        headers = curl_slist_append(headers, h);
    }
    headers = curl_slist_append(headers, "Expect:"); /* no 100-continue round trip */
    upload u = {body, len, 0};
    if (body) {
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, &u);
        if (chunked)
            headers = curl_slist_append(headers, "Transfer-Encoding: chunked");
        else
            curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    }
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    else
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    finish(c, &r);
    curl_slist_free_all(headers);
    return r;
}

http_reply http_upload(const char *url, const char *field, const void *data, size_t len, int top_k) {
    http_reply r = {0};
    CURL *c = easy(url, &r);
    curl_mime *mime = curl_mime_init(c);
    curl_mimepart *part = curl_mime_addpart(mime);
    curl_mime_name(part, field);
    curl_mime_filename(part, "upload.img");
    curl_mime_type(part, "application/octet-stream");
    curl_mime_data(part, data, len);
    if (top_k > 0) {
        char v[16];
        snprintf(v, sizeof v, "%d", top_k);
        part = curl_mime_addpart(mime);
        curl_mime_name(part, "top_k");
        curl_mime_data(part, v, CURL_ZERO_TERMINATED);
    }
    curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
    finish(c, &r);
    curl_mime_free(mime);
    return r;
}

void http_reply_free(http_reply *r) {
    free(r->body);
    r->body = NULL;
}

void raw_send_and_close(int port, const char *head, const void *body, size_t n_body) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
        ssize_t w = send(fd, head, strlen(head), MSG_NOSIGNAL);
        if (w >= 0 && n_body)
            w = send(fd, body, n_body, MSG_NOSIGNAL);
        (void)w;
    }
    close(fd);
}
