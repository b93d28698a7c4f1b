/* multipart.c - bounds-checked scan of a multipart/form-data body (see multipart.h). */
#include "server/multipart.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *find(const char *hay, size_t hay_len, const char *needle, size_t n) {
    if (n == 0 || hay_len < n)
        return NULL;
    const char *last = hay + hay_len - n;
    for (const char *p = hay; p <= last; p++) {
        p = memchr(p, needle[0], (size_t)(last - p) + 1);
        if (!p)
            return NULL;
        if (memcmp(p, needle, n) == 0)
            return p;
    }
    return NULL;
}

int wi_multipart_boundary(const char *content_type, char *boundary, size_t size) {
    const char *p = content_type;
    while ((p = strchr(p, ';')) != NULL) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, "boundary=", 9) != 0)
            continue;
        p += 9;
        size_t n = 0;
        if (*p == '"') {
            p++;
            while (p[n] && p[n] != '"')
                n++;
            if (p[n] != '"')
                return -1;
        } else {
            while (p[n] && p[n] != ';' && p[n] != ' ' && p[n] != '\t')
                n++;
        }
        if (n == 0 || n > 70 || n >= size)
            return -1;
        memcpy(boundary, p, n);
        boundary[n] = '\0';
        return 0;
    }
    return -1;
}

/* The value of parameter `name` (name="x" or filename="y") in a Content-Disposition line. */
static int disposition_param(const char *line, size_t len, const char *name, const char **val,
                             size_t *val_len) {
    size_t n = strlen(name);
    for (size_t i = 0; i + n + 1 < len; i++) {
        /* the parameter must start after ';' or whitespace so "name" does not match "filename" */
        if (i > 0 && line[i - 1] != ';' && line[i - 1] != ' ' && line[i - 1] != '\t')
            continue;
        if (strncasecmp(line + i, name, n) != 0 || line[i + n] != '=')
            continue;
        const char *v = line + i + n + 1;
        const char *end = line + len;
        if (v < end && *v == '"') {
            v++;
            const char *q = memchr(v, '"', (size_t)(end - v));
            if (!q)
                return 0;
            *val = v;
            *val_len = (size_t)(q - v);
        } else {
            const char *q = v;
            while (q < end && *q != ';' && *q != ' ')
                q++;
            *val = v;
            *val_len = (size_t)(q - v);
        }
        return 1;
    }
    return 0;
}

int wi_multipart_find_file(const char *body, size_t len, const char *boundary,
                           wi_multipart_result *out, char *msg, size_t msg_size) {
    memset(out, 0, sizeof *out);
    char delim[80]; /* "\r\n--" + boundary */
    int dn = snprintf(delim, sizeof delim, "\r\n--%s", boundary);
    if (dn < 0 || (size_t)dn >= sizeof delim) {
        snprintf(msg, msg_size, "multipart: bad boundary");
        return -1;
    }
    /* The first delimiter may start the body without the leading CRLF. */
    const char *p = find(body, len, delim + 2, (size_t)dn - 2);
    if (!p) {
        snprintf(msg, msg_size, "multipart: boundary not found in body");
        return -1;
    }
    const char *end = body + len;
    p += dn - 2;
    for (;;) {
        if (end - p >= 2 && p[0] == '-' && p[1] == '-')
            break; /* close delimiter */
        while (p < end && (*p == ' ' || *p == '\t'))
            p++; /* transport padding */
        if (end - p < 2 || p[0] != '\r' || p[1] != '\n') {
            snprintf(msg, msg_size, "multipart: malformed delimiter line");
            return -1;
        }
        p += 2;
        const char *hdr_end = find(p, (size_t)(end - p), "\r\n\r\n", 4);
        const char *content;
        if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
            hdr_end = p - 2; /* a part without headers */
            content = p + 2;
        } else if (!hdr_end) {
            snprintf(msg, msg_size, "multipart: unterminated part headers");
            return -1;
        } else {
            content = hdr_end + 4;
        }
        const char *next = find(content, (size_t)(end - content), delim, (size_t)dn);
        if (!next) {
            snprintf(msg, msg_size, "multipart: unterminated part");
            return -1;
        }
        /* Look at the Content-Disposition header of this part. */
        const char *name = NULL, *filename = NULL;
        size_t name_len = 0, filename_len = 0;
        for (const char *line = p; line < hdr_end;) {
            const char *eol = find(line, (size_t)(hdr_end + 2 - line), "\r\n", 2);
            if (!eol)
                eol = hdr_end;
            size_t ll = (size_t)(eol - line);
            if (ll > 20 && strncasecmp(line, "content-disposition:", 20) == 0) {
                disposition_param(line + 20, ll - 20, "name", &name, &name_len);
                disposition_param(line + 20, ll - 20, "filename", &filename, &filename_len);
            }
            line = eol + 2;
        }
        int is_named_file = name && ((name_len == 5 && strncasecmp(name, "image", 5) == 0) ||
                                     (name_len == 4 && strncasecmp(name, "file", 4) == 0));
        if (!out->file && (filename || is_named_file)) {
            out->file = content;
            out->file_len = (size_t)(next - content);
        } else if (name && name_len == 5 && strncasecmp(name, "top_k", 5) == 0) {
            out->top_k = content;
            out->top_k_len = (size_t)(next - content);
        }
        p = next + dn;
    }
    if (!out->file) {
        snprintf(msg, msg_size, "multipart: no file part (send the image as a part with a "
                                "filename, or named \"image\")");
        return -1;
    }
    return 0;
}
