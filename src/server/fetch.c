/* fetch.c - libcurl download with limits and the SSRF guard (see fetch.h). */
#include "server/fetch.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "server/addr-guard.h"

struct wi_fetcher {
    CURL *curl;
};

typedef struct transfer {
    wi_buf *out;
    size_t max_bytes;
    int too_large;
    int allow_private;
    const char *refused_why; /* set when the guard refused an address */
    char refused_addr[64];
} transfer;

int wi_fetch_global_init(void) { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1; }
void wi_fetch_global_cleanup(void) { curl_global_cleanup(); }

wi_fetcher *wi_fetcher_create(void) {
    wi_fetcher *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->curl = curl_easy_init();
    if (!f->curl) {
        free(f);
        return NULL;
    }
    return f;
}

void wi_fetcher_free(wi_fetcher *f) {
    if (!f)
        return;
    curl_easy_cleanup(f->curl);
    free(f);
}

static size_t on_data(char *data, size_t size, size_t nmemb, void *user) {
    transfer *t = user;
    size_t n = size * nmemb;
    if (t->out->len + n > t->max_bytes || wi_buf_append(t->out, data, n) != 0) {
        t->too_large = 1;
        return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
    }
    return n;
}

static void format_addr(const struct sockaddr *a, char *dst, size_t size) {
    char host[INET6_ADDRSTRLEN] = "?";
    if (a->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)a)->sin_addr, host, sizeof host);
    else if (a->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)a)->sin6_addr, host, sizeof host);
    snprintf(dst, size, "%s", host);
}

/* Every connection curl makes - first hop, redirects, each address it tries - comes here
 * with the resolved address, so the guard sees what is actually connected to. */
static curl_socket_t open_socket(void *user, curlsocktype purpose, struct curl_sockaddr *a) {
    transfer *t = user;
    if (!t->allow_private) {
        const char *why = wi_addr_refusal(&a->addr, a->addrlen);
        if (why) {
            t->refused_why = why;
            format_addr(&a->addr, t->refused_addr, sizeof t->refused_addr);
            return CURL_SOCKET_BAD;
        }
    }
    return socket(a->family, a->socktype, a->protocol);
}

/* 0 when the URL parses and its scheme is http or https. */
static int check_url(const char *url, char *msg, size_t msg_size) {
    CURLU *u = curl_url();
    if (!u) {
        snprintf(msg, msg_size, "out of memory");
        return 500;
    }
    int status = 0;
    char *scheme = NULL;
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
        snprintf(msg, msg_size, "not a valid absolute URL");
        status = 400;
    } else if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
               (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0)) {
        snprintf(msg, msg_size, "only http and https URLs are fetched");
        status = 400;
    }
    curl_free(scheme);
    curl_url_cleanup(u);
    return status;
}

int wi_fetch(wi_fetcher *f, const char *url, const wi_fetch_options *o, wi_buf *out, char *msg,
             size_t msg_size) {
    out->len = 0;
    int status = check_url(url, msg, msg_size);
    if (status)
        return status;
    transfer t = {.out = out, .max_bytes = o->max_bytes, .allow_private = o->allow_private};
    char curl_err[CURL_ERROR_SIZE] = "";
    CURL *c = f->curl;
    curl_easy_reset(c); /* keeps the connection cache */
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, o->max_redirects);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_bytes);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, o->timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROXY, ""); /* never an http_proxy from the environment */
    curl_easy_setopt(c, CURLOPT_USERAGENT, "wasinfer/" "0.1");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &t);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
    CURLcode rc = curl_easy_perform(c);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    /* curl keeps the pointers it was given: drop them before `t` goes out of scope. */
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, NULL);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, NULL);

    const char *detail = curl_err[0] ? curl_err : curl_easy_strerror(rc);
    if (t.refused_why && rc != CURLE_OK) {
        snprintf(msg, msg_size, "url refused: %s is a %s address (start the service with "
                                "--allow-private-urls to allow it)", t.refused_addr, t.refused_why);
        return 403;
    }
    if (t.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
        snprintf(msg, msg_size, "fetched image is larger than %zu bytes", o->max_bytes);
        return 413;
    }
    if (rc == CURLE_OPERATION_TIMEDOUT) {
        snprintf(msg, msg_size, "fetching the url took longer than %ld ms", o->timeout_ms);
        return 504;
    }
    if (rc == CURLE_UNSUPPORTED_PROTOCOL) {
        snprintf(msg, msg_size, "only http and https URLs are fetched (%s)", detail);
        return 400;
    }
    if (rc != CURLE_OK) {
        snprintf(msg, msg_size, "fetching the url failed: %s", detail);
        return 502;
    }
    if (code < 200 || code > 299) {
        snprintf(msg, msg_size, "fetching the url answered HTTP %ld", code);
        return 502;
    }
    return 0;
}
