/* json.h - a strict, bounded JSON reader (RFC 8259) that parses a whole document into one
 * flat array of values, for loaders reading model descriptions (TF.js model.json).
 *
 * - Strict: no comments, trailing commas, leading zeros, bare NaN; strings must be valid
 *   UTF-8 (no overlongs, surrogates or code points above U+10FFFF) and may not contain
 *   NUL (also not as \u0000), so every decoded string is a safe C string.
 * - Bounded: input length, nesting depth and value count are limited; the nesting is walked
 *   with an explicit stack (no recursion: the wasm stack is 64 KiB).
 * - Layout: values in document order (pre-order). A container is followed by its children;
 *   each value knows how many array slots its subtree spans, so the next sibling of `v` is
 *   `v + v->span`. Object members carry their key on the member value.
 * - Ownership: the document owns every value and string; pointers stay valid until
 *   wi_json_free. The input is only read during wi_json_parse. */
#ifndef WI_FORMATS_JSON_H
#define WI_FORMATS_JSON_H

#include <stddef.h>
#include "wasinfer.h"

#define WI_JSON_MAX_DEPTH 64
#define WI_JSON_MAX_BYTES ((size_t)64 << 20)

typedef enum wi_json_type {
    WI_JSON_NULL = 0,
    WI_JSON_FALSE,
    WI_JSON_TRUE,
    WI_JSON_NUMBER,
    WI_JSON_STRING,
    WI_JSON_ARRAY,
    WI_JSON_OBJECT
} wi_json_type;

typedef struct wi_json_value {
    wi_json_type type;
    int span;          /* slots of this value's subtree, itself included (>= 1) */
    int count;         /* array elements or object members */
    const char *key;   /* member key (decoded, NUL-terminated), NULL outside objects */
    const char *str;   /* string: decoded, NUL-terminated; number: its text as written */
    size_t len;        /* bytes of str */
    double number;
} wi_json_value;

typedef struct wi_json_doc {
    wi_json_value *values; /* values[0] is the root */
    int count;
    char *strings;         /* storage of every key and string */
} wi_json_doc;

/* Parses `len` bytes (need not be NUL-terminated). On failure the document is empty and the
 * message says what and where: "json: expected ':' at line 3, column 12". */
wi_status wi_json_parse(const void *text, size_t len, wi_json_doc *doc, wi_error *err);
void wi_json_free(wi_json_doc *doc); /* accepts a zeroed or failed document */

/* The first element/member of a container, or NULL when empty or not a container. */
const wi_json_value *wi_json_first(const wi_json_value *container);
/* The element/member after `v` inside `container`, or NULL after the last. */
const wi_json_value *wi_json_next(const wi_json_value *container, const wi_json_value *v);
/* The member of `object` named `key` (the last one if repeated), or NULL. */
const wi_json_value *wi_json_get(const wi_json_value *object, const char *key);

/* Type helpers; `v` may be NULL. */
int wi_json_is(const wi_json_value *v, wi_json_type type);
const char *wi_json_type_name(wi_json_type type); /* "object", ... */

/* An integer written as a JSON number or as a decimal string (proto3 JSON writes int64 as
 * "123"): 0 on success, -1 when `v` is neither, has a fraction or exponent, or overflows. */
int wi_json_int64(const wi_json_value *v, int64_t *out);

#endif
