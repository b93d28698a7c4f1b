/* json.c - a strict, bounded reader for small request objects and a string writer. */
#include "server/json.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { JSON_MAX_DEPTH = 32 };

typedef struct cursor {
    const char *p, *end, *start;
    char *msg;
    size_t msg_size;
} cursor;

static int fail(cursor *c, const char *what) {
    snprintf(c->msg, c->msg_size, "json: %s at byte %zu", what, (size_t)(c->p - c->start));
    return -1;
}

static void skip_ws(cursor *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static int expect(cursor *c, char ch) {
    skip_ws(c);
    if (c->p >= c->end || *c->p != ch) {
        char what[32];
        snprintf(what, sizeof what, "expected '%c'", ch);
        return fail(c, what);
    }
    c->p++;
    return 0;
}

static int hex4(cursor *c, unsigned *out) {
    if (c->end - c->p < 4)
        return fail(c, "truncated \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char h = c->p[i];
        v <<= 4;
        if (h >= '0' && h <= '9') v |= (unsigned)(h - '0');
        else if (h >= 'a' && h <= 'f') v |= (unsigned)(h - 'a' + 10);
        else if (h >= 'A' && h <= 'F') v |= (unsigned)(h - 'A' + 10);
        else return fail(c, "bad \\u escape");
    }
    c->p += 4;
    *out = v;
    return 0;
}

static int put_utf8(wi_buf *b, unsigned cp) {
    char u[4];
    size_t n;
    if (cp < 0x80) { u[0] = (char)cp; n = 1; }
    else if (cp < 0x800) { u[0] = (char)(0xC0 | cp >> 6); u[1] = (char)(0x80 | (cp & 0x3F)); n = 2; }
    else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | cp >> 12); u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
    } else {
        u[0] = (char)(0xF0 | cp >> 18); u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); u[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
    }
    return wi_buf_append(b, u, n);
}

/* Reads a string literal; with `out` NULL the value is only validated and skipped. */
static int read_string(cursor *c, wi_buf *out) {
    if (expect(c, '"') != 0)
        return -1;
    while (c->p < c->end) {
        unsigned char ch = (unsigned char)*c->p++;
        if (ch == '"')
            return 0;
        if (ch < 0x20)
            return fail(c, "control character in string");
        if (ch != '\\') {
            if (out && wi_buf_append(out, &ch, 1) != 0)
                return fail(c, "string too long");
            continue;
        }
        if (c->p >= c->end)
            break;
        char e = *c->p++;
        unsigned cp;
        switch (e) {
        case '"': cp = '"'; break;
        case '\\': cp = '\\'; break;
        case '/': cp = '/'; break;
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u':
            if (hex4(c, &cp) != 0)
                return -1;
            if (cp >= 0xD800 && cp <= 0xDBFF) { /* a surrogate pair encodes one code point */
                unsigned lo;
                if (c->end - c->p < 2 || c->p[0] != '\\' || c->p[1] != 'u')
                    return fail(c, "lone surrogate");
                c->p += 2;
                if (hex4(c, &lo) != 0)
                    return -1;
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return fail(c, "bad surrogate pair");
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return fail(c, "lone surrogate");
            }
            if (cp == 0)
                return fail(c, "NUL in string");
            break;
        default:
            return fail(c, "bad escape");
        }
        if (out && put_utf8(out, cp) != 0)
            return fail(c, "string too long");
    }
    return fail(c, "unterminated string");
}

static int read_number(cursor *c, double *out) {
    skip_ws(c);
    const char *s = c->p;
    if (c->p < c->end && *c->p == '-') c->p++;
    if (c->p >= c->end || *c->p < '0' || *c->p > '9')
        return fail(c, "expected a value");
    if (*c->p == '0') c->p++;
    else while (c->p < c->end && *c->p >= '0' && *c->p <= '9') c->p++;
    if (c->p < c->end && *c->p == '.') {
        c->p++;
        if (c->p >= c->end || *c->p < '0' || *c->p > '9')
            return fail(c, "bad number");
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9') c->p++;
    }
    if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
        c->p++;
        if (c->p < c->end && (*c->p == '+' || *c->p == '-')) c->p++;
        if (c->p >= c->end || *c->p < '0' || *c->p > '9')
            return fail(c, "bad number");
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9') c->p++;
    }
    char tmp[64];
    size_t n = (size_t)(c->p - s);
    if (n >= sizeof tmp)
        return fail(c, "number too long");
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    if (out)
        *out = strtod(tmp, NULL);
    return 0;
}

static int literal(cursor *c, const char *word) {
    size_t n = strlen(word);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
        return fail(c, "expected a value");
    c->p += n;
    return 0;
}

static int skip_value(cursor *c, int depth);

static int skip_container(cursor *c, int depth, char close, int is_object) {
    c->p++;
    skip_ws(c);
    if (c->p < c->end && *c->p == close) {
        c->p++;
        return 0;
    }
    for (;;) {
        if (is_object && (read_string(c, NULL) != 0 || expect(c, ':') != 0))
            return -1;
        if (skip_value(c, depth + 1) != 0)
            return -1;
        skip_ws(c);
        if (c->p < c->end && *c->p == ',') { c->p++; continue; }
        return expect(c, close);
    }
}

static int skip_value(cursor *c, int depth) {
    if (depth > JSON_MAX_DEPTH)
        return fail(c, "nested too deeply");
    skip_ws(c);
    if (c->p >= c->end)
        return fail(c, "expected a value");
    switch (*c->p) {
    case '"': return read_string(c, NULL);
    case '{': return skip_container(c, depth, '}', 1);
    case '[': return skip_container(c, depth, ']', 0);
    case 't': return literal(c, "true");
    case 'f': return literal(c, "false");
    case 'n': return literal(c, "null");
    default: return read_number(c, NULL);
    }
}

int wi_json_parse_request(const char *text, size_t len, wi_json_request *out, char *msg,
                          size_t msg_size) {
    memset(out, 0, sizeof *out);
    cursor c = {text, text + len, text, msg, msg_size};
    wi_buf key, val;
    wi_buf_init(&key, 256);
    wi_buf_init(&val, 64 * 1024);
    int rc = -1;
    if (expect(&c, '{') != 0)
        goto done;
    skip_ws(&c);
    if (c.p < c.end && *c.p == '}') {
        c.p++;
    } else {
        for (;;) {
            key.len = 0;
            skip_ws(&c);
            if (read_string(&c, &key) != 0 || expect(&c, ':') != 0)
                goto done;
            skip_ws(&c);
            int is_url = key.len == 3 && memcmp(key.data, "url", 3) == 0;
            int is_top_k = key.len == 5 && memcmp(key.data, "top_k", 5) == 0;
            if (is_url) {
                if (c.p >= c.end || *c.p != '"') { fail(&c, "\"url\" must be a string"); goto done; }
                val.len = 0;
                if (read_string(&c, &val) != 0)
                    goto done;
                free(out->url);
                out->url = wi_buf_take(&val, NULL);
                if (!out->url) { fail(&c, "out of memory"); goto done; }
            } else if (is_top_k) {
                if (c.p >= c.end || !(*c.p == '-' || (*c.p >= '0' && *c.p <= '9'))) {
                    fail(&c, "\"top_k\" must be a number");
                    goto done;
                }
                if (read_number(&c, &out->top_k) != 0)
                    goto done;
                out->has_top_k = 1;
            } else if (skip_value(&c, 1) != 0) {
                goto done;
            }
            skip_ws(&c);
            if (c.p < c.end && *c.p == ',') { c.p++; continue; }
            if (expect(&c, '}') != 0)
                goto done;
            break;
        }
    }
    skip_ws(&c);
    if (c.p != c.end) {
        fail(&c, "trailing characters");
        goto done;
    }
    rc = 0;
done:
    wi_buf_free(&key);
    wi_buf_free(&val);
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
