/*
 * fuzz-json.c - the service's JSON request reader (src/server/json.c, over the library's strict
 * reader src/formats/json.c that TF.js model.json also goes through) on arbitrary bytes.
 *
 * Besides crashes it checks one round trip: a "url" it returns, written back with
 * wi_json_put_string as {"url": ...}, must parse to the same string (the writer's escaping
 * and the reader's unescaping agree for every value the reader can produce).
 */
#include <string.h>

#include "fuzz.h"
#include "server/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy: the reader takes a length and must not need a terminating NUL. */
    char *text = malloc(size ? size : 1);
    if (!text) return 0;
    if (size) memcpy(text, data, size);
    wi_json_request req;
    char msg[160];
    msg[0] = '\0';
    int rc = wi_json_parse_request(text, size, &req, msg, sizeof msg);
    if (rc != 0 && !msg[0]) fuzz_fail("failure without a message");
    if (rc == 0 && req.url) {
        wi_buf b;
        wi_buf_init(&b, 0);
        if (wi_buf_puts(&b, "{\"url\": ") == 0 && wi_json_put_string(&b, req.url) == 0 &&
            wi_buf_puts(&b, "}") == 0) {
            wi_json_request again;
            if (wi_json_parse_request(b.data, b.len, &again, msg, sizeof msg) != 0)
                fuzz_fail("re-reading the written url failed: %s", msg);
            if (!again.url || strcmp(again.url, req.url) != 0)
                fuzz_fail("url changed in a write/read round trip");
            wi_json_request_free(&again);
        }
        wi_buf_free(&b);
    }
    wi_json_request_free(&req);
    free(text);
    return 0;
}
