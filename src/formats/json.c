/* A strict, bounded JSON reader into one flat array of values (see json.h). The nesting is
 * tracked with an explicit stack of open containers, so hostile nesting costs no C stack. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "core/error.h"
#include "formats/json.h"

typedef struct parser {
    const unsigned char *start, *p, *end;
    wi_json_doc *doc;
    int cap;             /* slots allocated in doc->values */
    size_t str_used, str_cap;
    int stack[WI_JSON_MAX_DEPTH]; /* indices of the open containers */
    int depth;
    const char *error;   /* static description of the first error */
} parser;

static int fail(parser *ps, const char *what) {
    if (!ps->error) ps->error = what;
    return -1;
}

static void skip_ws(parser *ps) {
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

/* A new value slot (zeroed); -1 when out of memory or past the limit. */
static int add_value(parser *ps, wi_json_type type, const char *key) {
    wi_json_doc *d = ps->doc;
    if (d->count == ps->cap) {
        if (ps->cap >= INT_MAX / 2) return fail(ps, "too many values");
        int cap = ps->cap ? ps->cap * 2 : 256;
        wi_json_value *grown = realloc(d->values, (size_t)cap * sizeof *grown);
        if (!grown) return fail(ps, "out of memory");
        d->values = grown;
        ps->cap = cap;
    }
    wi_json_value *v = &d->values[d->count];
    memset(v, 0, sizeof *v);
    v->type = type;
    v->span = 1;
    v->key = key;
    return d->count++;
}

static int hex4(parser *ps, unsigned *out) {
    if (ps->end - ps->p < 4) return fail(ps, "truncated \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned char h = ps->p[i];
        v <<= 4;
        if (h >= '0' && h <= '9') v |= (unsigned)(h - '0');
        else if (h >= 'a' && h <= 'f') v |= (unsigned)(h - 'a' + 10);
        else if (h >= 'A' && h <= 'F') v |= (unsigned)(h - 'A' + 10);
        else return fail(ps, "bad \\u escape");
    }
    ps->p += 4;
    *out = v;
    return 0;
}

/* Length of the valid UTF-8 sequence at p (lead byte >= 0x80), or 0 if it is not one. */
static int utf8_length(const unsigned char *p, const unsigned char *end) {
    unsigned c = p[0], cp, min;
    int n;
    if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1F; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 3; cp = c & 0x0F; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 4; cp = c & 0x07; min = 0x10000; }
    else return 0;
    if (end - p < n) return 0;
    for (int i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        cp = cp << 6 | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

static void put_utf8(char *o, size_t *n, unsigned cp) {
    if (cp < 0x80) {
        o[(*n)++] = (char)cp;
    } else if (cp < 0x800) {
        o[(*n)++] = (char)(0xC0 | cp >> 6);
        o[(*n)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        o[(*n)++] = (char)(0xE0 | cp >> 12);
        o[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[(*n)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        o[(*n)++] = (char)(0xF0 | cp >> 18);
        o[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
        o[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[(*n)++] = (char)(0x80 | (cp & 0x3F));
    }
}

/* Reads a string literal at p (which is '"') into the string storage. A decoded string with
 * its NUL never takes more bytes than the literal with its quotes, so storage of the input's
 * length always suffices; the check below only guards that reasoning. */
static int read_string(parser *ps, const char **out, size_t *out_len) {
    ps->p++; /* the opening quote */
    char *o = ps->doc->strings + ps->str_used;
    size_t n = 0, room = ps->str_cap - ps->str_used;
    while (ps->p < ps->end) {
        unsigned char ch = *ps->p;
        /* room for the longest step (4 bytes) and the NUL; near the end of the storage, for
         * what the rest of the input can still decode to */
        size_t need = 1 + ((size_t)(ps->end - ps->p) < 4 ? (size_t)(ps->end - ps->p) : 4);
        if (n + need > room) return fail(ps, "string storage exhausted");
        if (ch == '"') {
            ps->p++;
            o[n] = '\0';
            ps->str_used += n + 1;
            *out = o;
            *out_len = n;
            return 0;
        }
        if (ch < 0x20) return fail(ps, "control character in string");
        if (ch >= 0x80) {
            int k = utf8_length(ps->p, ps->end);
            if (k == 0) return fail(ps, "invalid UTF-8 in string");
            memcpy(o + n, ps->p, (size_t)k);
            n += (size_t)k;
            ps->p += k;
            continue;
        }
        ps->p++;
        if (ch != '\\') {
            o[n++] = (char)ch;
            continue;
        }
        if (ps->p >= ps->end) break;
        unsigned char e = *ps->p++;
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
            if (hex4(ps, &cp) != 0) return -1;
            if (cp >= 0xD800 && cp <= 0xDBFF) { /* a surrogate pair encodes one code point */
                unsigned lo;
                if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u')
                    return fail(ps, "lone surrogate in \\u escape");
                ps->p += 2;
                if (hex4(ps, &lo) != 0) return -1;
                if (lo < 0xDC00 || lo > 0xDFFF) return fail(ps, "bad surrogate pair in \\u escape");
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return fail(ps, "lone surrogate in \\u escape");
            }
            if (cp == 0) return fail(ps, "NUL (\\u0000) in string");
            break;
        default:
            return fail(ps, "bad escape in string");
        }
        put_utf8(o, &n, cp);
    }
    return fail(ps, "unterminated string");
}

static int digits(parser *ps) {
    if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') return -1;
    while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') ps->p++;
    return 0;
}

/* A number, kept as text (for exact integers) and as a double. */
static int read_number(parser *ps, const char *key) {
    const unsigned char *s = ps->p;
    if (*ps->p == '-') ps->p++;
    if (ps->p < ps->end && *ps->p == '0') ps->p++;
    else if (digits(ps) != 0) return fail(ps, "expected a value");
    if (ps->p < ps->end && ps->p[0] >= '0' && ps->p[0] <= '9') return fail(ps, "leading zero in number");
    if (ps->p < ps->end && *ps->p == '.') {
        ps->p++;
        if (digits(ps) != 0) return fail(ps, "bad number");
    }
    if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
        ps->p++;
        if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-')) ps->p++;
        if (digits(ps) != 0) return fail(ps, "bad number");
    }
    size_t n = (size_t)(ps->p - s);
    if (n > 64) return fail(ps, "number longer than 64 characters");
    if (n + 1 > ps->str_cap - ps->str_used) return fail(ps, "string storage exhausted");
    int id = add_value(ps, WI_JSON_NUMBER, key);
    if (id < 0) return -1;
    char *o = ps->doc->strings + ps->str_used;
    memcpy(o, s, n);
    o[n] = '\0';
    ps->str_used += n + 1;
    wi_json_value *v = &ps->doc->values[id];
    v->str = o;
    v->len = n;
    v->number = strtod(o, NULL);
    return 0;
}

static int literal(parser *ps, const char *word, wi_json_type type, const char *key) {
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0) return fail(ps, "expected a value");
    ps->p += n;
    return add_value(ps, type, key) < 0 ? -1 : 0;
}

/* Reads `"key" :` inside an object. */
static int read_key(parser *ps, const char **key) {
    size_t len;
    skip_ws(ps);
    if (ps->p >= ps->end || *ps->p != '"') return fail(ps, "expected a member name");
    if (read_string(ps, key, &len) != 0) return -1;
    skip_ws(ps);
    if (ps->p >= ps->end || *ps->p != ':') return fail(ps, "expected ':'");
    ps->p++;
    return 0;
}

/* Reads one value; a container is opened (pushed) and its contents come in later calls. */
static int read_value(parser *ps, const char *key) {
    skip_ws(ps);
    if (ps->p >= ps->end) return fail(ps, "expected a value");
    switch (*ps->p) {
    case '{':
    case '[': {
        if (ps->depth == WI_JSON_MAX_DEPTH) return fail(ps, "nested too deeply");
        int id = add_value(ps, *ps->p == '{' ? WI_JSON_OBJECT : WI_JSON_ARRAY, key);
        if (id < 0) return -1;
        ps->stack[ps->depth++] = id;
        ps->p++;
        return 0;
    }
    case '"': {
        const char *s;
        size_t len;
        if (read_string(ps, &s, &len) != 0) return -1;
        int id = add_value(ps, WI_JSON_STRING, key);
        if (id < 0) return -1;
        ps->doc->values[id].str = s;
        ps->doc->values[id].len = len;
        return 0;
    }
    case 't': return literal(ps, "true", WI_JSON_TRUE, key);
    case 'f': return literal(ps, "false", WI_JSON_FALSE, key);
    case 'n': return literal(ps, "null", WI_JSON_NULL, key);
    default:
        if (*ps->p != '-' && (*ps->p < '0' || *ps->p > '9')) return fail(ps, "expected a value");
        return read_number(ps, key);
    }
}

static int parse_document(parser *ps) {
    if (read_value(ps, NULL) != 0) return -1;
    /* `fresh`: the top container was just opened and may close at once ({} or []) */
    int fresh = ps->depth > 0;
    while (ps->depth > 0) {
        wi_json_value *top = &ps->doc->values[ps->stack[ps->depth - 1]];
        int is_object = top->type == WI_JSON_OBJECT;
        char close = is_object ? '}' : ']';
        skip_ws(ps);
        if (ps->p >= ps->end) return fail(ps, is_object ? "unterminated object" : "unterminated array");
        if (*ps->p == close) { /* after a comma the member was read at once, so no trailing comma */
            ps->p++;
            top->span = ps->doc->count - ps->stack[ps->depth - 1];
            ps->depth--;
            fresh = 0;
            continue;
        }
        if (!fresh) {
            if (*ps->p != ',') return fail(ps, is_object ? "expected ',' or '}'" : "expected ',' or ']'");
            ps->p++;
        }
        const char *key = NULL;
        if (is_object && read_key(ps, &key) != 0) return -1;
        top->count++; /* `top` may move when values grow: bump it before reading */
        int before = ps->depth;
        if (read_value(ps, key) != 0) return -1;
        fresh = ps->depth > before;
    }
    skip_ws(ps);
    if (ps->p != ps->end) return fail(ps, "trailing characters after the document");
    return 0;
}

wi_status wi_json_parse(const void *text, size_t len, wi_json_doc *doc, wi_error *err) {
    memset(doc, 0, sizeof *doc);
    if (!text || len == 0) return wi_error_set(err, WI_E_MALFORMED, "json: empty document");
    if (len > WI_JSON_MAX_BYTES)
        return wi_error_set(err, WI_E_LIMIT, "json: document of %zu bytes exceeds the limit of %zu",
                            len, WI_JSON_MAX_BYTES);
    parser ps;
    memset(&ps, 0, sizeof ps);
    ps.start = ps.p = text;
    ps.end = ps.start + len;
    ps.doc = doc;
    ps.str_cap = len + 2;
    doc->strings = malloc(ps.str_cap);
    if (!doc->strings) return wi_error_set(err, WI_E_OUT_OF_MEMORY, "json: out of memory");
    if (parse_document(&ps) == 0) return WI_OK;
    /* line and column of the failure, counted only now: errors are rare */
    size_t line = 1, column = 1;
    for (const unsigned char *q = ps.start; q < ps.p; q++) {
        if (*q == '\n') {
            line++;
            column = 1;
        } else {
            column++;
        }
    }
    wi_status st = strcmp(ps.error, "out of memory") == 0 ? WI_E_OUT_OF_MEMORY
                   : strcmp(ps.error, "nested too deeply") == 0 || strcmp(ps.error, "too many values") == 0
                       ? WI_E_LIMIT
                       : WI_E_MALFORMED;
    wi_json_free(doc);
    return wi_error_set(err, st, "json: %s at line %zu, column %zu", ps.error, line, column);
}

void wi_json_free(wi_json_doc *doc) {
    if (!doc) return;
    free(doc->values);
    free(doc->strings);
    memset(doc, 0, sizeof *doc);
}

const wi_json_value *wi_json_first(const wi_json_value *c) {
    if (!c || (c->type != WI_JSON_ARRAY && c->type != WI_JSON_OBJECT) || c->count == 0) return NULL;
    return c + 1;
}

const wi_json_value *wi_json_next(const wi_json_value *c, const wi_json_value *v) {
    const wi_json_value *n = v + v->span;
    return n < c + c->span ? n : NULL;
}

const wi_json_value *wi_json_get(const wi_json_value *object, const char *key) {
    if (!object || object->type != WI_JSON_OBJECT) return NULL;
    const wi_json_value *found = NULL;
    for (const wi_json_value *m = wi_json_first(object); m; m = wi_json_next(object, m))
        if (strcmp(m->key, key) == 0) found = m;
    return found;
}

int wi_json_is(const wi_json_value *v, wi_json_type type) { return v && v->type == type; }

const char *wi_json_type_name(wi_json_type type) {
    static const char *const names[] = {"null", "false", "true", "number", "string", "array", "object"};
    return (unsigned)type < sizeof names / sizeof names[0] ? names[type] : "?";
}

int wi_json_int64(const wi_json_value *v, int64_t *out) {
    if (!v || (v->type != WI_JSON_NUMBER && v->type != WI_JSON_STRING)) return -1;
    const char *s = v->str;
    size_t i = 0, n = v->len;
    int negative = 0;
    if (i < n && s[i] == '-') {
        negative = 1;
        i++;
    }
    if (i == n) return -1;
    uint64_t mag = 0, limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (mag > (limit - d) / 10) return -1;
        mag = mag * 10 + d;
    }
    *out = negative ? (int64_t)(0 - mag) : (int64_t)mag;
    return 0;
}
