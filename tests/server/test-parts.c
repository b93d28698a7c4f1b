/* test-parts.c - the service's pure pieces: JSON reader/writer, multipart scan, SSRF address
 * guard, metrics text and the bounded queue. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "server/addr-guard.h"
#include "server/buf.h"
#include "server/json.h"
#include "server/metrics.h"
#include "server/multipart.h"
#include "server/work-queue.h"

/* ---- json ---- */

static int parse(const char *text, wi_json_request *r, char *msg) {
    return wi_json_parse_request(text, strlen(text), r, msg, 128);
}

static void test_json_reads_url_and_top_k(void **state) {
    wi_json_request r;
    char msg[128];
    assert_int_equal(parse(" {\"top_k\": 3, \"extra\": [1, {\"a\": null}, true], \"url\": \"http:\\/\\/x\\u00e9\\ud83d\\ude00\"} ", &r, msg), 0);
    assert_string_equal(r.url, "http://x\xc3\xa9\xf0\x9f\x98\x80");
    assert_true(r.has_top_k);
    assert_true(r.top_k == 3.0);
    wi_json_request_free(&r);
}

static void test_json_rejects_bad_input(void **state) {
    static const char *const bad[] = {
        "", "[]", "{", "{\"url\": }", "{\"url\": \"a\"", "{\"url\": 5}", "{\"top_k\": \"3\"}",
        "{\"url\": \"a\"} x", "{\"url\": \"\\ud800\"}", "{\"url\": \"a\x01\"}", "{\"a\": 01}",
        "{\"a\": tru}", "{\"url\": \"\\u0000\"}", "{\"a\": 1,}", "{\"a\" 1}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wi_json_request r;
        char msg[128] = "";
        if (parse(bad[i], &r, msg) == 0)
            fail_msg("accepted bad JSON #%zu: %s", i, bad[i]);
        assert_true(strncmp(msg, "json: ", 6) == 0);
        wi_json_request_free(&r);
    }
}

static void test_json_depth_is_bounded(void **state) {
    char text[400] = "{\"a\": ";
    for (int i = 0; i < 100; i++)
        strcat(text, "[");
    wi_json_request r;
    char msg[128];
    assert_int_equal(parse(text, &r, msg), -1);
    assert_non_null(strstr(msg, "nested too deeply"));
    wi_json_request_free(&r);
}

static void test_json_put_string_escapes(void **state) {
    wi_buf b;
    wi_buf_init(&b, 0);
    assert_int_equal(wi_json_put_string(&b, "a\"b\\c\n\x01\xc3\xa9"), 0);
    assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\"");
    wi_buf_free(&b);
}

/* ---- buf ---- */

static void test_buf_cap(void **state) {
    wi_buf b;
    wi_buf_init(&b, 10);
    assert_int_equal(wi_buf_append(&b, "0123456789", 10), 0);
    assert_int_equal(wi_buf_append(&b, "x", 1), -1);
    assert_int_equal(b.len, 10);
    size_t n = 0;
    char *p = wi_buf_take(&b, &n);
    assert_int_equal(n, 10);
    assert_string_equal(p, "0123456789");
    free(p);
    assert_null(b.data);
}

/* ---- multipart ---- */

static void test_multipart_finds_file_and_top_k(void **state) {
    char boundary[80];
    assert_int_equal(wi_multipart_boundary("multipart/form-data; boundary=\"XyZ-1\"", boundary, sizeof boundary), 0);
    assert_string_equal(boundary, "XyZ-1");
    static const char body[] =
        "preamble\r\n"
        "--XyZ-1\r\n"
        "Content-Disposition: form-data; name=\"top_k\"\r\n\r\n"
        "3\r\n"
        "--XyZ-1\r\n"
        "Content-Disposition: form-data; name=\"upload\"; filename=\"a.jpg\"\r\n"
        "Content-Type: image/jpeg\r\n\r\n"
        "\xff\xd8\xff\r\n--Xy not a delimiter\r\n"
        "--XyZ-1--\r\n";
    wi_multipart_result m;
    char msg[128];
    assert_int_equal(wi_multipart_find_file(body, sizeof body - 1, boundary, &m, msg, sizeof msg), 0);
    const char expect[] = "\xff\xd8\xff\r\n--Xy not a delimiter";
    assert_int_equal(m.file_len, sizeof expect - 1);
    assert_memory_equal(m.file, expect, sizeof expect - 1);
    assert_int_equal(m.top_k_len, 1);
    assert_memory_equal(m.top_k, "3", 1);
}

static void test_multipart_rejects_malformed(void **state) {
    char boundary[80];
    assert_int_equal(wi_multipart_boundary("multipart/form-data", boundary, sizeof boundary), -1);
    assert_int_equal(wi_multipart_boundary("multipart/form-data; boundary=", boundary, sizeof boundary), -1);
    static const char *const bad[] = {
        "", "no boundary here",
        "--B\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\nunterminated",
        "--B\r\nContent-Disposition: form-data; filename=\"a\"", /* headers never end */
        "--B\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nv\r\n--B--", /* no file part */
        "--Bjunk",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wi_multipart_result m;
        char msg[128] = "";
        if (wi_multipart_find_file(bad[i], strlen(bad[i]), "B", &m, msg, sizeof msg) == 0)
            fail_msg("accepted bad multipart #%zu", i);
        assert_true(strncmp(msg, "multipart: ", 11) == 0);
    }
}

/* ---- addr guard ---- */

static const char *v4(const char *text) {
    struct sockaddr_in a = {.sin_family = AF_INET};
    assert_int_equal(inet_pton(AF_INET, text, &a.sin_addr), 1);
    return wi_addr_refusal((struct sockaddr *)&a, sizeof a);
}

static const char *v6(const char *text) {
    struct sockaddr_in6 a = {.sin6_family = AF_INET6};
    assert_int_equal(inet_pton(AF_INET6, text, &a.sin6_addr), 1);
    return wi_addr_refusal((struct sockaddr *)&a, sizeof a);
}

static void test_addr_guard_refuses_internal_ranges(void **state) {
    static const char *const refused4[] = {
        "127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
        "169.254.169.254", "100.64.0.1", "100.127.255.255", "0.0.0.0", "0.1.2.3", "224.0.0.1",
        "255.255.255.255"};
    for (size_t i = 0; i < sizeof refused4 / sizeof refused4[0]; i++)
        if (!v4(refused4[i]))
            fail_msg("%s was allowed", refused4[i]);
    static const char *const allowed4[] = {"8.8.8.8", "1.1.1.1", "172.32.0.1", "172.15.255.255",
                                           "100.128.0.1", "100.63.255.255", "169.253.0.1", "11.0.0.1"};
    for (size_t i = 0; i < sizeof allowed4 / sizeof allowed4[0]; i++)
        if (v4(allowed4[i]))
            fail_msg("%s was refused: %s", allowed4[i], v4(allowed4[i]));
    static const char *const refused6[] = {"::1", "::", "fc00::1", "fd12:3456::1", "fe80::1",
                                           "::ffff:127.0.0.1", "::ffff:169.254.169.254",
                                           "::ffff:10.0.0.1", "64:ff9b::a9fe:a9fe", "ff02::1"};
    for (size_t i = 0; i < sizeof refused6 / sizeof refused6[0]; i++)
        if (!v6(refused6[i]))
            fail_msg("%s was allowed", refused6[i]);
    assert_null(v6("2606:4700:4700::1111"));
    assert_null(v6("::ffff:8.8.8.8"));
    assert_non_null(strstr(v4("169.254.169.254"), "metadata"));
    struct sockaddr other = {.sa_family = AF_UNIX};
    assert_non_null(wi_addr_refusal(&other, sizeof other));
}

/* ---- metrics ---- */

static void test_metrics_render(void **state) {
    wi_metrics m;
    wi_metrics_init(&m, "native", 2, 0.25);
    wi_metrics_request_done(&m, WI_ROUTE_CLASSIFY, 200, 0.02);
    wi_metrics_request_done(&m, WI_ROUTE_CLASSIFY, 200, 0.2);
    wi_metrics_request_done(&m, WI_ROUTE_CLASSIFY, 413, 0.001);
    wi_metrics_add_in_flight(&m, 3);
    wi_metrics_set_queue_depth(&m, 2);
    wi_metrics_queue_full(&m);
    wi_buf b;
    wi_buf_init(&b, 0);
    assert_int_equal(wi_metrics_render(&m, &b), 0);
    const char *t = b.data;
    assert_non_null(strstr(t, "wasinfer_http_requests_total{route=\"/v1/classify\",status=\"200\"} 2\n"));
    assert_non_null(strstr(t, "wasinfer_http_requests_total{route=\"/v1/classify\",status=\"413\"} 1\n"));
    assert_non_null(strstr(t, "wasinfer_http_request_duration_seconds_bucket{route=\"/v1/classify\",le=\"0.005\"} 1\n"));
    assert_non_null(strstr(t, "wasinfer_http_request_duration_seconds_bucket{route=\"/v1/classify\",le=\"0.025\"} 2\n"));
    assert_non_null(strstr(t, "wasinfer_http_request_duration_seconds_bucket{route=\"/v1/classify\",le=\"+Inf\"} 3\n"));
    assert_non_null(strstr(t, "wasinfer_http_request_duration_seconds_count{route=\"/v1/classify\"} 3\n"));
    assert_non_null(strstr(t, "wasinfer_http_requests_in_flight 3\n"));
    assert_non_null(strstr(t, "wasinfer_queue_depth 2\n"));
    assert_non_null(strstr(t, "wasinfer_queue_rejected_total 1\n"));
    assert_non_null(strstr(t, "wasinfer_model_load_seconds 0.250000\n"));
    assert_null(strstr(t, "route=\"/healthz\"")); /* no observations, no series */
    wi_buf_free(&b);
    wi_metrics_destroy(&m);
}

/* ---- queue ---- */

static void test_queue_reserve_bounds(void **state) {
    wi_queue q;
    assert_int_equal(wi_queue_init(&q, 2), 0);
    int a = 1, b = 2;
    assert_int_equal(wi_queue_reserve(&q), 0);
    assert_int_equal(wi_queue_reserve(&q), 0);
    assert_int_equal(wi_queue_reserve(&q), -1); /* full: reservations count */
    assert_int_equal(wi_queue_depth(&q), 2);
    wi_queue_push_reserved(&q, &a);
    wi_queue_push_reserved(&q, &b);
    assert_ptr_equal(wi_queue_pop(&q), &a);
    assert_int_equal(wi_queue_reserve(&q), 0);
    wi_queue_push_reserved(&q, &a);
    wi_queue_close(&q);
    assert_int_equal(wi_queue_reserve(&q), -1); /* closed */
    assert_ptr_equal(wi_queue_pop(&q), &b);     /* what was queued still drains */
    assert_ptr_equal(wi_queue_pop(&q), &a);
    assert_null(wi_queue_pop(&q));
    wi_queue_destroy(&q);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_reads_url_and_top_k),
        cmocka_unit_test(test_json_rejects_bad_input),
        cmocka_unit_test(test_json_depth_is_bounded),
        cmocka_unit_test(test_json_put_string_escapes),
        cmocka_unit_test(test_buf_cap),
        cmocka_unit_test(test_multipart_finds_file_and_top_k),
        cmocka_unit_test(test_multipart_rejects_malformed),
        cmocka_unit_test(test_addr_guard_refuses_internal_ranges),
        cmocka_unit_test(test_metrics_render),
        cmocka_unit_test(test_queue_reserve_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
