/*
 * multipart.h - finds the uploaded file in a multipart/form-data body (RFC 7578).
 *
 * The whole body is already in memory (bounded by --max-body), so this is a bounds-checked
 * scan rather than a streaming parser: it returns borrowed pointers into the body.
 */
#ifndef WI_SERVER_MULTIPART_H
#define WI_SERVER_MULTIPART_H

#include <stddef.h>

typedef struct wi_multipart_result {
    const char *file;  /* borrowed: the first part with a filename, or named "image"/"file" */
    size_t file_len;
    const char *top_k; /* borrowed: the value of a part named "top_k", or NULL */
    size_t top_k_len;
} wi_multipart_result;

/* Extracts the boundary parameter from a Content-Type value into `boundary` (without the
 * leading "--"). Returns 0 on success, -1 when absent or longer than RFC 2046's 70 chars. */
int wi_multipart_boundary(const char *content_type, char *boundary, size_t size);

/* Scans `body`. Returns 0 and fills `out` when a file part was found; -1 with a message
 * otherwise ("multipart: no file part", "multipart: unterminated part"). */
int wi_multipart_find_file(const char *body, size_t len, const char *boundary,
                           wi_multipart_result *out, char *msg, size_t msg_size);

#endif
