/*
 * json.h - the little JSON the service needs: reading a request object such as
 * {"url": "https://...", "top_k": 3} and writing strings with correct escaping.
 *
 * Reading goes through the library's strict, bounded JSON reader (src/formats/json.h); unknown
 * keys are ignored whatever their type, so clients may send extra fields.
 */
#ifndef WI_SERVER_JSON_H
#define WI_SERVER_JSON_H

#include <stddef.h>

#include "server/buf.h"

typedef struct wi_json_request {
    char *url;     /* malloc'ed, NULL when absent */
    int has_top_k;
    double top_k;  /* the number as given; the caller checks it is a small integer */
} wi_json_request;

/* Parses `text` (len bytes, need not be NUL-terminated) as one object. Returns 0 on success;
 * on failure -1 with a short message in `msg` ("json: expected ':' at byte 12").
 * Free the result with wi_json_request_free, also after a failure. */
int wi_json_parse_request(const char *text, size_t len, wi_json_request *out, char *msg,
                          size_t msg_size);
void wi_json_request_free(wi_json_request *req);

/* Appends `s` as a JSON string literal (with quotes); bytes < 0x20, '"' and '\' are escaped,
 * other bytes are copied as they are (labels are UTF-8). 0 on success, -1 when the buffer is full. */
int wi_json_put_string(wi_buf *b, const char *s);

#endif
