/* json.c - the request fields from a JSON body, and a JSON string writer (see json.h). */
#include "server/json.h"

#include "formats/json.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The reading is the library's strict reader (src/formats/json.h); this picks the fields. */
int wi_json_parse_request(const char *text, size_t len, wi_json_request *out, char *msg,
                          size_t msg_size) {
    memset(out, 0, sizeof *out);
    wi_json_doc doc = {0};
    wi_error err = {0};
    if (wi_json_parse(text, len, &doc, &err) != WI_OK) {
        snprintf(msg, msg_size, "%s", err.message);
        return -1;
    }
    int rc = -1;
    const wi_json_value *root = doc.values;
    const wi_json_value *url = wi_json_get(root, "url");
    const wi_json_value *top_k = wi_json_get(root, "top_k");
    if (!wi_json_is(root, WI_JSON_OBJECT)) {
        snprintf(msg, msg_size, "json: the body must be an object, not %s", wi_json_type_name(root->type));
    } else if (url && !wi_json_is(url, WI_JSON_STRING)) {
        snprintf(msg, msg_size, "json: \"url\" must be a string");
    } else if (top_k && !wi_json_is(top_k, WI_JSON_NUMBER)) {
        snprintf(msg, msg_size, "json: \"top_k\" must be a number");
    } else if (url && !(out->url = strdup(url->str))) {
        snprintf(msg, msg_size, "json: out of memory");
    } else {
        if (top_k) {
            out->has_top_k = 1;
            out->top_k = top_k->number;
        }
        rc = 0;
    }
    wi_json_free(&doc);
    return rc;
}

void wi_json_request_free(wi_json_request *req) {
    free(req->url);
    req->url = NULL;
}

int wi_json_put_string(wi_buf *b, const char *s) {
    if (wi_buf_append(b, "\"", 1) != 0)
        return -1;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int rc;
        if (*p == '"') rc = wi_buf_append(b, "\\\"", 2);
        else if (*p == '\\') rc = wi_buf_append(b, "\\\\", 2);
        else if (*p == '\n') rc = wi_buf_append(b, "\\n", 2);
        else if (*p == '\r') rc = wi_buf_append(b, "\\r", 2);
        else if (*p == '\t') rc = wi_buf_append(b, "\\t", 2);
        else if (*p < 0x20) rc = wi_buf_printf(b, "\\u%04x", *p);
        else rc = wi_buf_append(b, p, 1);
        if (rc != 0)
            return -1;
    }
    return wi_buf_append(b, "\"", 1);
}
