/* test-http.c - the HTTP layer of `wasinfer serve` with a scripted backend: a real
 * libmicrohttpd server on 127.0.0.1 (port 0), real libcurl clients, a local image server for
 * URL fetching. Routes, every error status, the queue-full 503, concurrency, clients that
 * vanish, and a graceful shutdown with requests in flight. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http-client.h"
#include "scripted-backend.h"
#include "server/fetch.h"
#include "server/server.h"

static char label_text[1001][16];
static const char *labels[1001];

/* ---- a local image server for URL fetching ---------------------------------------------- */

static enum MHD_Result serve_file(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **state) {
    static const char img[] = "BM:class=5";
    static char big[2 << 20];
    const char *body = img;
    size_t len = sizeof img - 1;
    unsigned status = 200;
    const char *location = NULL;
    if (!strcmp(url, "/html")) body = "<html>hello</html>", len = strlen(body);
    else if (!strcmp(url, "/missing")) body = "no", len = 2, status = 404;
    else if (!strcmp(url, "/slow")) sleep(2);
    else if (!strcmp(url, "/big")) memset(big, 'B', sizeof big), body = big, len = sizeof big;
    else if (!strcmp(url, "/redirect")) status = 302, location = "/img";
    else if (!strcmp(url, "/loop")) status = 302, location = "/loop";
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (location)
        MHD_add_response_header(r, "Location", location);
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

static struct MHD_Daemon *files;
static int files_port;

static void url_of(char *dst, size_t size, const char *path) {
    snprintf(dst, size, "http://127.0.0.1:%d%s", files_port, path);
}

/* ---- the service under test -------------------------------------------------------------- */

typedef struct fixture {
    wi_server *server;
    wi_backend *backend;
    int port;
    FILE *log;
} fixture;

static wi_server_config base_config(void) {
    wi_server_config c = {0};
    c.host = "127.0.0.1";
    c.port = 0;
    c.threads = 2;
    c.queue = 64;
    c.max_body = 1 << 20;
    c.max_pixels = 1 << 24;
    c.fetch_timeout_ms = 800;
    c.allow_private_urls = 1;
    c.model_name = "scripted.pb";
    c.labels = labels;
    c.label_count = 1001;
    c.classify_defaults.top_k = 5;
    c.backend_vt = &scripted_backend;
    return c;
}

static void start(fixture *f, wi_server_config c) {
    memset(f, 0, sizeof *f);
    scripted_reset();
    assert_int_equal(scripted_backend.create(NULL, &f->backend, NULL), WI_OK);
    f->log = tmpfile();
    c.access_log = getenv("WI_TEST_VERBOSE") ? stderr : f->log;
    c.backend = f->backend;
    char msg[256];
    if (wi_server_start(&c, &f->server, msg, sizeof msg) != 0)
        fail_msg("server did not start: %s", msg);
    f->port = wi_server_port(f->server);
    assert_true(f->port > 0);
}

static void stop(fixture *f) {
    wi_server_shutdown(f->server, 10.0);
    scripted_backend.destroy(f->backend);
    assert_int_equal(scripted_live_workers(), 0);
    fclose(f->log);
}

static char *url(const fixture *f, const char *path) {
    static __thread char buf[512];
    snprintf(buf, sizeof buf, "http://127.0.0.1:%d%s", f->port, path);
    return buf;
}

static http_reply post(const fixture *f, const char *path, const char *type, const char *body) {
    return http_request("POST", url(f, path), type, body, strlen(body), 0);
}

#define assert_reply(r, code, needle)                                                          \
    do {                                                                                       \
        if ((r).status != (code) || !strstr((r).body, (needle)))                               \
            fail_msg("expected %d with '%s', got %ld: %s %s", (code), (needle), (r).status,    \
                     (r).body, (r).curl_error);                                                \
    } while (0)

/* ---- tests ------------------------------------------------------------------------------- */

static void test_routes(void **state) {
    fixture f;
    start(&f, base_config());
    http_reply r = http_request("GET", url(&f, "/healthz"), NULL, NULL, 0, 0);
    assert_reply(r, 200, "\"ok\"");
    http_reply_free(&r);
    r = http_request("GET", url(&f, "/readyz"), NULL, NULL, 0, 0);
    assert_reply(r, 200, "\"ready\"");
    http_reply_free(&r);
    r = http_request("GET", url(&f, "/v1/models"), NULL, NULL, 0, 0);
    assert_reply(r, 200, "\"name\": \"scripted.pb\"");
    assert_non_null(strstr(r.body, "\"inputs\": [{\"name\": \"input\", \"dtype\": \"float32\", \"shape\": [1, 224, 224, 3]}]"));
    assert_non_null(strstr(r.body, "\"labels\": 1001"));
    assert_string_equal(r.content_type, "application/json");
    http_reply_free(&r);
    r = http_request("GET", url(&f, "/nope"), NULL, NULL, 0, 0);
    assert_reply(r, 404, "{\"error\": \"no route /nope");
    http_reply_free(&r);
    r = http_request("GET", url(&f, "/v1/classify"), NULL, NULL, 0, 0);
    assert_reply(r, 405, "\"error\"");
    assert_string_equal(r.allow, "POST");
    http_reply_free(&r);
    r = http_request("DELETE", url(&f, "/healthz"), NULL, NULL, 0, 0);
    assert_reply(r, 405, "not allowed");
    http_reply_free(&r);
    r = http_request("GET", url(&f, "/metrics"), NULL, NULL, 0, 0);
    assert_reply(r, 200, "wasinfer_http_requests_total{route=\"/healthz\",status=\"200\"} 1\n");
    assert_non_null(strstr(r.body, "wasinfer_http_requests_total{route=\"other\",status=\"404\"} 1\n"));
    assert_non_null(strstr(r.body, "wasinfer_http_requests_in_flight 1\n")); /* this one */
    assert_non_null(strstr(r.body, "wasinfer_workers{backend=\"scripted\"} 2\n"));
    http_reply_free(&r);
    stop(&f);
}

static void test_classify_forms(void **state) {
    fixture f;
    start(&f, base_config());
    /* raw bytes, top_k from the query */
    http_reply r = post(&f, "/v1/classify?top_k=3", "image/bmp", "BM:class=208");
    assert_reply(r, 200, "{\"top\": [{\"index\": 208, \"label\": \"golden retriever\", \"prob\": 0.75}, "
                         "{\"index\": 209, \"label\": \"class 209\", \"prob\": 0.375}, {\"index\": 210");
    assert_non_null(strstr(r.body, "\"model\": \"scripted.pb\""));
    assert_non_null(strstr(r.body, "\"timing_ms\": {\"queue\": "));
    assert_non_null(strstr(r.body, "\"decode\": 1.000, \"preprocess\": 2.000, \"infer\": 3.000, \"total\": "));
    http_reply_free(&r);
    /* default top_k is 5; curl's default form type counts as raw bytes */
    r = post(&f, "/v1/classify", "application/x-www-form-urlencoded", "BM:class=7");
    assert_reply(r, 200, "{\"index\": 11,");
    assert_null(strstr(r.body, "{\"index\": 12,"));
    http_reply_free(&r);
    /* multipart upload with a top_k field */
    r = http_upload(url(&f, "/v1/classify"), "image", "BM:class=42", 11, 2);
    assert_reply(r, 200, "{\"top\": [{\"index\": 42, \"label\": \"class 42\"");
    assert_null(strstr(r.body, "{\"index\": 44,"));
    http_reply_free(&r);
    /* JSON with a URL (fetched from the local image server), top_k in the JSON */
    char u[128], body[256];
    url_of(u, sizeof u, "/img");
    snprintf(body, sizeof body, "{\"url\": \"%s\", \"top_k\": 1}", u);
    r = post(&f, "/v1/classify", "application/json", body);
    assert_reply(r, 200, "{\"top\": [{\"index\": 5, \"label\": \"class 5\", \"prob\": 0.75}], ");
    http_reply_free(&r);
    /* text/plain URL, through a redirect */
    url_of(u, sizeof u, "/redirect");
    r = post(&f, "/v1/classify", "text/plain", u);
    assert_reply(r, 200, "{\"index\": 5,");
    http_reply_free(&r);
    /* the original form: URL in a GET or POST body, or ?url=, answers the label as text */
    url_of(u, sizeof u, "/img");
    r = http_request("GET", url(&f, "/"), "text/plain", u, strlen(u), 0);
    assert_reply(r, 200, "class 5");
    assert_string_equal(r.body, "class 5");
    assert_string_equal(r.content_type, "text/plain; charset=utf-8");
    http_reply_free(&r);
    r = post(&f, "/", NULL, u);
    assert_string_equal(r.body, "class 5");
    http_reply_free(&r);
    char q[300];
    snprintf(q, sizeof q, "/?url=%s", u);
    r = http_request("GET", url(&f, q), NULL, NULL, 0, 0);
    assert_string_equal(r.body, "class 5");
    http_reply_free(&r);
    r = post(&f, "/", "image/jpeg", "BM:class=208");
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "golden retriever");
    http_reply_free(&r);
    stop(&f);
}

static void expect_status(fixture *f, const char *path, const char *type, const char *body,
                          int code, const char *needle) {
    http_reply r = post(f, path, type, body);
    assert_reply(r, code, needle);
    assert_string_equal(r.content_type, "application/json");
    http_reply_free(&r);
}

static void test_bad_input_statuses(void **state) {
    wi_server_config c = base_config();
    c.max_body = 64 * 1024;
    fixture f;
    start(&f, c);
    char big[100 * 1024];
    memset(big, 'x', sizeof big);
    memcpy(big, "BM", 2);
    http_reply r = http_request("POST", url(&f, "/v1/classify"), "image/bmp", big, sizeof big, 0);
    assert_reply(r, 413, "over the limit of 65536 bytes"); /* Content-Length checked up front */
    http_reply_free(&r);
    r = http_request("POST", url(&f, "/v1/classify"), "image/bmp", big, sizeof big, 1);
    assert_reply(r, 413, "over the limit"); /* chunked: checked while reading */
    http_reply_free(&r);
    expect_status(&f, "/v1/classify", "text/html", "<html>", 415, "unsupported Content-Type");
    expect_status(&f, "/v1/classify", "image/jpeg", "hello, not an image", 415, "not an image");
    expect_status(&f, "/v1/classify", "image/bmp", "BM:garbage", 422, "not a valid BMP");
    expect_status(&f, "/v1/classify", "image/bmp", "BM:limit", 413, "over the limit");
    expect_status(&f, "/v1/classify", "image/bmp", "BM:trap", 500, "trap");
    expect_status(&f, "/v1/classify", "image/bmp", "BM:timeout", 504, "time budget");
    expect_status(&f, "/v1/classify?top_k=0", "image/bmp", "BM:class=1", 400, "top_k");
    expect_status(&f, "/v1/classify?top_k=x", "image/bmp", "BM:class=1", 400, "top_k");
    expect_status(&f, "/v1/classify", "application/json", "{\"url\": ", 400, "json: ");
    expect_status(&f, "/v1/classify", "application/json", "{\"top_k\": 2}", 400, "\\\"url\\\"");
    expect_status(&f, "/v1/classify", "application/json", "{\"url\": \"x\", \"top_k\": 1.5}", 400, "top_k");
    expect_status(&f, "/v1/classify", "multipart/form-data; boundary=B", "--B\r\n\r\nx\r\n--B--", 400, "no file part");
    expect_status(&f, "/v1/classify", "image/bmp", "", 400, "empty request body");
    expect_status(&f, "/", "text/plain", "  ", 400, "image URL");
    char u[128], body[256];
    static const struct { const char *path; int code; const char *needle; } fetches[] = {
        {"/missing", 502, "answered HTTP 404"},
        {"/html", 415, "not an image"},
        {"/slow", 504, "longer than 800 ms"},
        {"/big", 413, "larger than 65536 bytes"},
        {"/loop", 502, "fetching the url failed"},
    };
    for (size_t i = 0; i < sizeof fetches / sizeof fetches[0]; i++) {
        url_of(u, sizeof u, fetches[i].path);
        snprintf(body, sizeof body, "{\"url\": \"%s\"}", u);
        expect_status(&f, "/v1/classify", "application/json", body, fetches[i].code, fetches[i].needle);
    }
    expect_status(&f, "/v1/classify", "application/json", "{\"url\": \"ftp://127.0.0.1/x.jpg\"}", 400, "only http and https");
    expect_status(&f, "/v1/classify", "application/json", "{\"url\": \"file:///etc/passwd\"}", 400, "only http and https");
    expect_status(&f, "/v1/classify", "application/json", "{\"url\": \"not a url\"}", 400, "URL");
    expect_status(&f, "/v1/classify", "application/json", "{\"url\": \"http://127.0.0.1:1/x.jpg\"}", 502, "failed");
    /* and it still answers correctly afterwards */
    r = post(&f, "/v1/classify?top_k=1", "image/bmp", "BM:class=208");
    assert_reply(r, 200, "\"golden retriever\"");
    http_reply_free(&r);
    stop(&f);
}

static void test_private_urls_refused_without_flag(void **state) {
    wi_server_config c = base_config();
    c.allow_private_urls = 0;
    fixture f;
    start(&f, c);
    char u[128], body[256];
    url_of(u, sizeof u, "/img");
    snprintf(body, sizeof body, "{\"url\": \"%s\"}", u);
    expect_status(&f, "/v1/classify", "application/json", body, 403, "127.0.0.1 is a loopback");
    expect_status(&f, "/v1/classify", "application/json",
                  "{\"url\": \"http://169.254.169.254/latest/meta-data/\"}", 403, "cloud metadata");
    expect_status(&f, "/v1/classify", "application/json", "{\"url\": \"http://[::1]:9/\"}", 403, "loopback");
    expect_status(&f, "/v1/classify", "application/json", "{\"url\": \"http://10.0.0.1/\"}", 403, "private");
    http_reply r = post(&f, "/", "text/plain", u);
    assert_reply(r, 403, "loopback");
    http_reply_free(&r);
    stop(&f);
}

typedef struct client_arg {
    const fixture *f;
    int id, requests, correct;
    const char *command; /* NULL: each request asks for its own class */
    long status;
} client_arg;

static void *client(void *p) {
    client_arg *a = p;
    for (int i = 0; i < a->requests; i++) {
        char body[32], needle[48];
        int cls = (a->id * 100 + i) % 1000;
        snprintf(body, sizeof body, "%s", a->command ? a->command : "");
        if (!a->command)
            snprintf(body, sizeof body, "BM:class=%d", cls);
        http_reply r = http_request("POST", url(a->f, "/v1/classify?top_k=1"), "image/bmp", body, strlen(body), 0);
        snprintf(needle, sizeof needle, "{\"top\": [{\"index\": %d,", a->command ? 2 : cls);
        a->status = r.status;
        if (r.status == 200 && strstr(r.body, needle))
            a->correct++;
        http_reply_free(&r);
    }
    return NULL;
}

static void test_concurrent_clients(void **state) {
    wi_server_config c = base_config();
    c.queue = 16;
    fixture f;
    start(&f, c);
    pthread_t t[16];
    client_arg a[16];
    for (int i = 0; i < 16; i++) {
        a[i] = (client_arg){.f = &f, .id = i, .requests = 25};
        pthread_create(&t[i], NULL, client, &a[i]);
    }
    int correct = 0;
    for (int i = 0; i < 16; i++) {
        pthread_join(t[i], NULL);
        correct += a[i].correct;
    }
    assert_int_equal(correct, 16 * 25);
    stop(&f);
}

static void wait_for(int (*probe)(void), int want) {
    for (int i = 0; i < 2000 && probe() != want; i++)
        usleep(5000);
    int got = probe();
    if (got != want)
        fail_msg("waited 10 s for %d, still %d", want, got);
}

static const fixture *queue_fixture;
static int queue_depth_probe(void) {
    http_reply r = http_request("GET", url(queue_fixture, "/metrics"), NULL, NULL, 0, 0);
    int depth = -1;
    const char *p = r.body ? strstr(r.body, "\nwasinfer_queue_depth ") : NULL;
    if (p)
        depth = atoi(p + 22);
    http_reply_free(&r);
    return depth;
}

static void test_queue_full_answers_503(void **state) {
    wi_server_config c = base_config();
    c.threads = 1;
    c.queue = 1;
    fixture f;
    start(&f, c);
    queue_fixture = &f;
    pthread_t t[2];
    client_arg a[2];
    a[0] = (client_arg){.f = &f, .requests = 1, .command = "BM:block"};
    a[1] = a[0];
    pthread_create(&t[0], NULL, client, &a[0]);
    wait_for(scripted_blocked, 1);   /* the one worker is busy */
    pthread_create(&t[1], NULL, client, &a[1]);
    wait_for(queue_depth_probe, 1);  /* the one queue slot is taken */
    http_reply r = post(&f, "/v1/classify", "image/bmp", "BM:class=3");
    assert_reply(r, 503, "server busy");
    assert_string_equal(r.retry_after, "1");
    http_reply_free(&r);
    scripted_release();
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);
    assert_int_equal(a[0].correct + a[1].correct, 2);
    r = http_request("GET", url(&f, "/metrics"), NULL, NULL, 0, 0);
    assert_reply(r, 200, "wasinfer_queue_rejected_total 1\n");
    assert_non_null(strstr(r.body, "wasinfer_http_requests_total{route=\"/v1/classify\",status=\"503\"} 1\n"));
    http_reply_free(&r);
    stop(&f);
}

static int in_flight_probe(void) {
    http_reply r = http_request("GET", url(queue_fixture, "/metrics"), NULL, NULL, 0, 0);
    const char *p = r.body ? strstr(r.body, "\nwasinfer_http_requests_in_flight ") : NULL;
    int n = p ? atoi(p + 34) : -1;
    http_reply_free(&r);
    return n - 1; /* not counting the /metrics request itself */
}

static void test_clients_that_vanish(void **state) {
    fixture f;
    start(&f, base_config());
    queue_fixture = &f;
    /* mid-upload: promises 50000 bytes, sends 1000, hangs up */
    char head[256];
    static char junk[1000];
    memcpy(junk, "BM", 2);
    snprintf(head, sizeof head, "POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Type: image/bmp\r\n"
                                "Content-Length: 50000\r\n\r\n");
    raw_send_and_close(f.port, head, junk, sizeof junk);
    /* mid-request-processing: the whole request, then gone before the answer */
    const char *slow = "BM:sleep=300";
    snprintf(head, sizeof head, "POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Type: image/bmp\r\n"
                                "Content-Length: %zu\r\n\r\n", strlen(slow));
    for (int i = 0; i < 4; i++)
        raw_send_and_close(f.port, head, slow, strlen(slow));
    wait_for(in_flight_probe, 0);
    wait_for(scripted_running, 0);
    http_reply r = post(&f, "/v1/classify?top_k=1", "image/bmp", "BM:class=208");
    assert_reply(r, 200, "golden retriever");
    http_reply_free(&r);
    r = http_request("GET", url(&f, "/metrics"), NULL, NULL, 0, 0);
    assert_reply(r, 200, "wasinfer_http_requests_total{route=\"/v1/classify\",status=\"499\"} 5\n"); /* 1 mid-upload + 4 before the answer */
    http_reply_free(&r);
    stop(&f);
}

static int healthz_status_probe(void) {
    http_reply r = http_request("GET", url(queue_fixture, "/healthz"), NULL, NULL, 0, 0);
    int status = (int)r.status; /* 0: no HTTP answer at all */
    http_reply_free(&r);
    return status;
}

static fixture *drain_fixture;
static void *drain(void *p) {
    wi_server_shutdown(drain_fixture->server, 10.0);
    return NULL;
}

static void test_shutdown_finishes_requests_in_flight(void **state) {
    fixture f;
    start(&f, base_config());
    pthread_t t[3];
    client_arg a[3];
    for (int i = 0; i < 3; i++) {
        a[i] = (client_arg){.f = &f, .requests = 1, .command = "BM:block"};
        pthread_create(&t[i], NULL, client, &a[i]);
    }
    queue_fixture = &f;
    wait_for(scripted_blocked, 2);  /* two workers busy... */
    wait_for(queue_depth_probe, 1); /* ...and the third request accepted and queued, not still
                                       in the listen backlog that shutdown resets */
    drain_fixture = &f;
    pthread_t d;
    pthread_create(&d, NULL, drain, NULL);
    /* the listening socket closes: new clients are refused (the drain thread may take a while
       to get there on a loaded machine, so poll rather than sleep a fixed time) */
    wait_for(healthz_status_probe, 0);
    scripted_release();
    for (int i = 0; i < 3; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(a[i].correct, 1);
    }
    pthread_join(d, NULL);
    scripted_backend.destroy(f.backend);
    assert_int_equal(scripted_live_workers(), 0);
    fclose(f.log);
}

static void test_access_log(void **state) {
    fixture f;
    start(&f, base_config());
    http_reply r = http_request("GET", url(&f, "/healthz"), NULL, NULL, 0, 0);
    http_reply_free(&r);
    r = post(&f, "/v1/classify", "text/html", "x");
    http_reply_free(&r);
    FILE *log = f.log;
    f.log = tmpfile(); /* stop() closes this one; keep the real log to read */
    wi_server_shutdown(f.server, 10.0);
    scripted_backend.destroy(f.backend);
    fclose(f.log);
    rewind(log);
    char line[512];
    char client[64], method[16], path[64], ms[32];
    int status;
    size_t bytes;
    assert_non_null(fgets(line, sizeof line, log));
    assert_int_equal(sscanf(line, "%63s %15s %63s %d %zu %31s", client, method, path, &status, &bytes, ms), 6);
    assert_string_equal(client, "127.0.0.1");
    assert_string_equal(method, "GET");
    assert_string_equal(path, "/healthz");
    assert_int_equal(status, 200);
    assert_int_equal(bytes, strlen("{\"status\": \"ok\"}\n"));
    assert_non_null(strstr(ms, "ms"));
    assert_non_null(fgets(line, sizeof line, log));
    assert_int_equal(sscanf(line, "%63s %15s %63s %d", client, method, path, &status), 4);
    assert_string_equal(path, "/v1/classify");
    assert_int_equal(status, 415);
    assert_null(fgets(line, sizeof line, log));
    fclose(log);
}

int main(void) {
    for (int i = 0; i < 1001; i++) {
        snprintf(label_text[i], sizeof label_text[i], "class %d", i);
        labels[i] = label_text[i];
    }
    labels[208] = "golden retriever";
    if (wi_fetch_global_init() != 0)
        return 1;
    struct sockaddr_in loopback = {.sin_family = AF_INET, .sin_port = 0};
    loopback.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    files = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL,
                             NULL, serve_file, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&loopback,
                             MHD_OPTION_END);
    if (!files) {
        fprintf(stderr, "cannot start the local image server\n");
        return 1;
    }
    files_port = MHD_get_daemon_info(files, MHD_DAEMON_INFO_BIND_PORT)->port;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routes),
        cmocka_unit_test(test_classify_forms),
        cmocka_unit_test(test_bad_input_statuses),
        cmocka_unit_test(test_private_urls_refused_without_flag),
        cmocka_unit_test(test_concurrent_clients),
        cmocka_unit_test(test_queue_full_answers_503),
        cmocka_unit_test(test_clients_that_vanish),
        cmocka_unit_test(test_shutdown_finishes_requests_in_flight),
        cmocka_unit_test(test_access_log),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    MHD_stop_daemon(files);
    wi_fetch_global_cleanup();
    return failed;
}
