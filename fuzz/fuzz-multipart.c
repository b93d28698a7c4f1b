/*
 * fuzz-multipart.c - the service's multipart/form-data reader (src/server/multipart.c), as
 * handlers.c calls it: the boundary from a Content-Type value, then the file part from a body.
 *
 * Input layout: the Content-Type value up to the first '\n' (NUL-free, as libmicrohttpd hands
 * headers over), the request body after it. With no '\n' the Content-Type is a fixed one and
 * the whole input is the body, so seeds can be plain bodies.
 */
#include <string.h>

#include "fuzz.h"
#include "server/multipart.h"

static void check_span(const char *what, const char *p, size_t n, const char *body, size_t len)
{
    if (!p) return;
    if (p < body || n > len || (size_t)(p - body) > len - n)
        fuzz_fail("%s [%td, +%zu) outside the body of %zu bytes", what, p - body, n, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    char *ctype;
    const uint8_t *body_start = data;
    if (nl && !memchr(data, '\0', (size_t)(nl - data))) {
        size_t n = (size_t)(nl - data);
        ctype = malloc(n + 1);
        if (!ctype) return 0;
        memcpy(ctype, data, n);
        ctype[n] = '\0';
        body_start = nl + 1;
    } else {
        ctype = strdup("multipart/form-data; boundary=XyZ");
        if (!ctype) return 0;
    }
    size_t len = size - (size_t)(body_start - data);
    /* An exact-size copy of the body so reads past its end are caught. */
    char *body = malloc(len ? len : 1);
    if (!body) {
        free(ctype);
        return 0;
    }
    if (len) memcpy(body, body_start, len);

    char boundary[80];
    if (wi_multipart_boundary(ctype, boundary, sizeof boundary) == 0) {
        size_t bn = strlen(boundary);
        if (bn == 0 || bn > 70) fuzz_fail("boundary of %zu bytes accepted", bn);
        wi_multipart_result m;
        char msg[160];
        msg[0] = '\0';
        if (wi_multipart_find_file(len ? body : "", len, boundary, &m, msg, sizeof msg) == 0) {
            if (!m.file) fuzz_fail("success without a file part");
            check_span("file", m.file, m.file_len, body, len);
            check_span("top_k", m.top_k, m.top_k_len, body, len);
        } else if (!msg[0]) {
            fuzz_fail("failure without a message");
        }
    }
    free(body);
    free(ctype);
    return 0;
}
