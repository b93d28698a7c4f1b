/* The JSON reader (src/formats/json.h): navigation, strings, numbers, and every refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "formats/json.h"

static wi_status parse(const char *text, wi_json_doc *doc, wi_error *err) {
    return wi_json_parse(text, strlen(text), doc, err);
}

/* Parsing `text` fails with `status` and a message containing `needle`. */
static void refused(const char *text, wi_status status, const char *needle) {
    wi_json_doc doc;
    wi_error err;
    wi_status st = parse(text, &doc, &err);
    if (st != status || !strstr(err.message, needle))
        fail_msg("'%s': status %d message '%s', wanted %d with '%s'", text, st, err.message, status, needle);
    assert_null(doc.values);
    wi_json_free(&doc);
}

static void test_navigation(void **state) {
    wi_json_doc doc;
    wi_error err;
    assert_int_equal(parse(" {\"a\": [1, {\"b\": null}, [], {}], \"c\": \"x\", \"a2\": true} ", &doc, &err), WI_OK);
    const wi_json_value *root = &doc.values[0];
    assert_int_equal(root->type, WI_JSON_OBJECT);
    assert_int_equal(root->count, 3);
    assert_int_equal(root->span, doc.count);
    const wi_json_value *a = wi_json_get(root, "a");
    assert_int_equal(a->type, WI_JSON_ARRAY);
    assert_int_equal(a->count, 4);
    const wi_json_value *e = wi_json_first(a);
    assert_int_equal(e->type, WI_JSON_NUMBER);
    assert_true(e->number == 1.0);
    e = wi_json_next(a, e);
    assert_int_equal(e->type, WI_JSON_OBJECT);
    assert_int_equal(wi_json_get(e, "b")->type, WI_JSON_NULL);
    e = wi_json_next(a, e);
    assert_int_equal(e->type, WI_JSON_ARRAY);
    assert_null(wi_json_first(e));
    e = wi_json_next(a, e);
    assert_int_equal(e->type, WI_JSON_OBJECT);
    assert_int_equal(e->count, 0);
    assert_null(wi_json_next(a, e));
    assert_string_equal(wi_json_get(root, "c")->str, "x");
    assert_int_equal(wi_json_get(root, "a2")->type, WI_JSON_TRUE);
    assert_null(wi_json_get(root, "missing"));
    assert_null(wi_json_get(a, "a")); /* not an object */
    assert_true(wi_json_is(a, WI_JSON_ARRAY));
    assert_false(wi_json_is(NULL, WI_JSON_ARRAY));
    assert_string_equal(wi_json_type_name(WI_JSON_OBJECT), "object");
    wi_json_free(&doc);
    wi_json_free(&doc); /* a freed document is empty: freeing again is harmless */
}

static void test_repeated_key_takes_last(void **state) {
    wi_json_doc doc;
    wi_error err;
    assert_int_equal(parse("{\"k\": 1, \"k\": 2}", &doc, &err), WI_OK);
    assert_true(wi_json_get(&doc.values[0], "k")->number == 2.0);
    wi_json_free(&doc);
}

static void test_scalar_documents(void **state) {
    const char *docs[] = {"0", "-0.5e+3", "\"s\"", "true", "false", "null", "[]", "{}"};
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        wi_json_doc doc;
        wi_error err;
        if (parse(docs[i], &doc, &err) != WI_OK) fail_msg("'%s': %s", docs[i], err.message);
        assert_int_equal(doc.count, 1);
        wi_json_free(&doc);
    }
}

static void test_string_escapes_and_utf8(void **state) {
    wi_json_doc doc;
    wi_error err;
    const char *text = "[\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\", \"\\u00e9\\u20ac\\ud83d\\ude00\", \"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"]";
    assert_int_equal(parse(text, &doc, &err), WI_OK);
    const wi_json_value *a = &doc.values[0], *s = wi_json_first(a);
    assert_string_equal(s->str, "a\"b\\c/d\b\f\n\r\t");
    assert_int_equal(s->len, 12);
    s = wi_json_next(a, s);
    assert_string_equal(s->str, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"); /* escapes become UTF-8 */
    const wi_json_value *raw = wi_json_next(a, s);
    assert_string_equal(raw->str, s->str);
    wi_json_free(&doc);
}

static void test_numbers(void **state) {
    wi_json_doc doc;
    wi_error err;
    assert_int_equal(parse("[1.5, -2, 3e2, 0.25E-1, 9007199254740993]", &doc, &err), WI_OK);
    const wi_json_value *a = &doc.values[0], *n = wi_json_first(a);
    assert_true(n->number == 1.5);
    n = wi_json_next(a, n);
    assert_true(n->number == -2.0);
    n = wi_json_next(a, n);
    assert_true(n->number == 300.0);
    n = wi_json_next(a, n);
    assert_true(n->number == 0.025);
    n = wi_json_next(a, n);
    int64_t big;
    assert_int_equal(wi_json_int64(n, &big), 0); /* exact from the text, not the double */
    assert_true(big == 9007199254740993LL);
    wi_json_free(&doc);
}

static void test_int64(void **state) {
    wi_json_doc doc;
    wi_error err;
    assert_int_equal(parse("[\"-1\", \"9223372036854775807\", \"-9223372036854775808\", \"9223372036854775808\","
                           " \"1.0\", 1.5, 2e3, \"\", \"-\", \"12a\", true, 7]",
                           &doc, &err),
                     WI_OK);
    const wi_json_value *a = &doc.values[0], *v = wi_json_first(a);
    int64_t x;
    assert_int_equal(wi_json_int64(v, &x), 0);
    assert_true(x == -1);
    v = wi_json_next(a, v);
    assert_int_equal(wi_json_int64(v, &x), 0);
    assert_true(x == INT64_MAX);
    v = wi_json_next(a, v);
    assert_int_equal(wi_json_int64(v, &x), 0);
    assert_true(x == INT64_MIN);
    for (int i = 0; i < 8; i++) { /* overflow, fraction, exponent, empty, sign only, junk, bool */
        v = wi_json_next(a, v);
        assert_int_equal(wi_json_int64(v, &x), -1);
    }
    v = wi_json_next(a, v);
    assert_int_equal(wi_json_int64(v, &x), 0);
    assert_true(x == 7);
    assert_int_equal(wi_json_int64(NULL, &x), -1);
    wi_json_free(&doc);
}

static void test_refusals(void **state) {
    refused("", WI_E_MALFORMED, "empty document");
    refused("   ", WI_E_MALFORMED, "expected a value");
    refused("{", WI_E_MALFORMED, "unterminated object");
    refused("[1,", WI_E_MALFORMED, "expected a value");
    refused("[1 2]", WI_E_MALFORMED, "expected ',' or ']'");
    refused("{\"a\" 1}", WI_E_MALFORMED, "expected ':'");
    refused("{\"a\":1,}", WI_E_MALFORMED, "expected a member name");
    refused("[1,]", WI_E_MALFORMED, "expected a value");
    refused("{1:2}", WI_E_MALFORMED, "expected a member name");
    refused("[01]", WI_E_MALFORMED, "leading zero");
    refused("[1.]", WI_E_MALFORMED, "bad number");
    refused("[1e]", WI_E_MALFORMED, "bad number");
    refused("[-]", WI_E_MALFORMED, "expected a value");
    refused("[NaN]", WI_E_MALFORMED, "expected a value");
    refused("[tru]", WI_E_MALFORMED, "expected a value");
    refused("[1] x", WI_E_MALFORMED, "trailing characters");
    refused("[1] [2]", WI_E_MALFORMED, "trailing characters");
    refused("// c\n[1]", WI_E_MALFORMED, "expected a value");
    refused("[\"abc", WI_E_MALFORMED, "unterminated string");
    refused("[\"a\tb\"]", WI_E_MALFORMED, "control character");
    refused("[\"\\x\"]", WI_E_MALFORMED, "bad escape");
    refused("[\"\\u12\"]", WI_E_MALFORMED, "bad \\u escape");
    refused("[\"\\u12", WI_E_MALFORMED, "truncated \\u escape");
    refused("[\"\\u0000\"]", WI_E_MALFORMED, "NUL");
    refused("[\"\\ud800\"]", WI_E_MALFORMED, "lone surrogate");
    refused("[\"\\udc00\"]", WI_E_MALFORMED, "lone surrogate");
    refused("[\"\\ud800\\u0041\"]", WI_E_MALFORMED, "bad surrogate pair");
    refused("[\"\xc3\"]", WI_E_MALFORMED, "invalid UTF-8");         /* truncated sequence */
    refused("[\"\xc0\xaf\"]", WI_E_MALFORMED, "invalid UTF-8");     /* overlong '/' */
    refused("[\"\xed\xa0\x80\"]", WI_E_MALFORMED, "invalid UTF-8"); /* encoded surrogate */
    refused("[\"\xf4\x90\x80\x80\"]", WI_E_MALFORMED, "invalid UTF-8"); /* above U+10FFFF */
    refused("[\"\xff\"]", WI_E_MALFORMED, "invalid UTF-8");
    refused("[1, 123456789012345678901234567890123456789012345678901234567890123456789]", WI_E_MALFORMED,
            "number longer");
}

static void test_nul_byte_in_input(void **state) {
    wi_json_doc doc;
    wi_error err;
    assert_int_equal(wi_json_parse("[\"a\0b\"]", 7, &doc, &err), WI_E_MALFORMED);
    assert_non_null(strstr(err.message, "control character"));
    assert_int_equal(wi_json_parse("[1]\0", 4, &doc, &err), WI_E_MALFORMED);
    assert_non_null(strstr(err.message, "trailing"));
}

static void test_error_position(void **state) {
    refused("{\n  \"a\": 1,\n  \"b\" 2\n}", WI_E_MALFORMED, "expected ':' at line 3, column 7");
}

/* Depth is limited without recursion: at the limit it parses, one more is refused. */
static void test_depth_limit(void **state) {
    size_t n = WI_JSON_MAX_DEPTH;
    char *text = malloc(2 * n + 3);
    for (size_t i = 0; i < n; i++) {
        text[i] = '[';
        text[n + i] = ']';
    }
    wi_json_doc doc;
    wi_error err;
    assert_int_equal(wi_json_parse(text, 2 * n, &doc, &err), WI_OK);
    assert_int_equal(doc.count, (int)n);
    wi_json_free(&doc);
    memmove(text + 1, text, 2 * n);
    text[0] = '[';
    text[2 * n + 1] = ']';
    assert_int_equal(wi_json_parse(text, 2 * n + 2, &doc, &err), WI_E_LIMIT);
    assert_non_null(strstr(err.message, "nested too deeply"));
    free(text);
    /* a hostile million-deep document costs no stack */
    size_t deep = 1000000;
    text = malloc(deep);
    memset(text, '[', deep);
    assert_int_equal(wi_json_parse(text, deep, &doc, &err), WI_E_LIMIT);
    free(text);
}

static void test_length_limit(void **state) {
    wi_json_doc doc;
    wi_error err;
    assert_int_equal(wi_json_parse("[]", WI_JSON_MAX_BYTES + 1, &doc, &err), WI_E_LIMIT);
    assert_int_equal(wi_json_parse(NULL, 0, &doc, &err), WI_E_MALFORMED);
}

/* Many values and long strings: the value array grows, string storage always suffices. */
static void test_large_document(void **state) {
    size_t count = 100000, cap = count * 24 + 16, len = 0;
    char *text = malloc(cap);
    text[len++] = '[';
    for (size_t i = 0; i < count; i++)
        len += (size_t)snprintf(text + len, cap - len, "%s\"\\u00e9%zu\",%zu", i ? "," : "", i, i);
    text[len++] = ']';
    wi_json_doc doc;
    wi_error err;
    assert_int_equal(wi_json_parse(text, len, &doc, &err), WI_OK);
    assert_int_equal(doc.values[0].count, (int)(2 * count));
    const wi_json_value *last = &doc.values[doc.count - 1];
    assert_int_equal(last->type, WI_JSON_NUMBER);
    assert_true(last->number == (double)(count - 1));
    assert_string_equal(doc.values[doc.count - 2].str, "\xc3\xa9" "99999");
    wi_json_free(&doc);
    free(text);
}

/* Every prefix of a document that uses every construct either parses or fails cleanly. */
static void test_every_truncation(void **state) {
    const char *text = "{\"a\":[1,-2.5e3,true,false,null,\"x\\u00e9\\n\xc3\xa9\"],\"b\":{\"c\":{}}}";
    size_t len = strlen(text);
    for (size_t n = 0; n < len; n++) {
        char *copy = malloc(n + 1); /* exactly n bytes readable (+1 only for a zero-length malloc) */
        memcpy(copy, text, n);
        wi_json_doc doc;
        wi_error err;
        wi_status st = wi_json_parse(copy, n, &doc, &err);
        assert_int_not_equal(st, WI_OK);
        assert_true(err.message[0] != '\0');
        free(copy);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_navigation),
        cmocka_unit_test(test_repeated_key_takes_last),
        cmocka_unit_test(test_scalar_documents),
        cmocka_unit_test(test_string_escapes_and_utf8),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_int64),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_nul_byte_in_input),
        cmocka_unit_test(test_error_position),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_length_limit),
        cmocka_unit_test(test_large_document),
        cmocka_unit_test(test_every_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
