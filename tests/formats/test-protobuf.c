/*
 * The protobuf wire-format reader and the byte cursor under it: varints (1..10 bytes, the
 * 64-bit edge, overlong and truncated ones), fixed-width fields, lengths checked against the
 * bytes left, nesting depth, packed counts, and that a failed read never moves past the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "formats/protobuf.h"

static void test_varints(void **state) {
    const uint8_t one[] = {0x01}, two[] = {0xac, 0x02};
    const uint8_t max[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    const uint8_t over[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
    const uint8_t eleven[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    const uint8_t trunc[] = {0x80, 0x80};
    uint64_t v;
    wi_cursor c = wi_cursor_make(one, sizeof one);
    assert_true(wi_cursor_varint(&c, &v));
    assert_int_equal(v, 1);
    assert_int_equal(wi_cursor_remaining(&c), 0);
    c = wi_cursor_make(two, sizeof two);
    assert_true(wi_cursor_varint(&c, &v));
    assert_int_equal(v, 300);
    c = wi_cursor_make(max, sizeof max);
    assert_true(wi_cursor_varint(&c, &v));
    assert_true(v == UINT64_MAX);
    c = wi_cursor_make(over, sizeof over);
    assert_false(wi_cursor_varint(&c, &v));
    assert_ptr_equal(c.pos, over); /* a failed read does not move */
    c = wi_cursor_make(eleven, sizeof eleven);
    assert_false(wi_cursor_varint(&c, &v));
    c = wi_cursor_make(trunc, sizeof trunc);
    assert_false(wi_cursor_varint(&c, &v));
    c = wi_cursor_make(trunc, 0);
    assert_false(wi_cursor_varint(&c, &v));
}

static void test_fixed(void **state) {
    const uint8_t b[] = {0x00, 0x00, 0x80, 0x3f, 1, 2, 3, 4, 5, 6, 7};
    wi_cursor c = wi_cursor_make(b, sizeof b);
    uint32_t u;
    uint64_t w;
    assert_true(wi_cursor_fixed32(&c, &u));
    assert_true(wi_pb_float(u) == 1.0f);
    assert_false(wi_cursor_fixed64(&c, &w)); /* 7 bytes left */
    assert_int_equal(wi_cursor_remaining(&c), 7);
    assert_true(wi_cursor_fixed32(&c, &u));
    assert_int_equal(u, 0x04030201);
}

static void test_fields(void **state) {
    /* field 1 varint 150, field 2 "hi", field 3 fixed32, field 4 fixed64 */
    const uint8_t msg[] = {0x08, 0x96, 0x01, 0x12, 0x02, 'h', 'i', 0x1d, 1, 0, 0, 0,
                           0x21, 2, 0, 0, 0, 0, 0, 0, 0};
    wi_pb_reader r = wi_pb_reader_make(msg, sizeof msg);
    wi_pb_field f;
    assert_true(wi_pb_next(&r, &f));
    assert_int_equal(f.number, 1);
    assert_int_equal(f.wire_type, WI_PB_VARINT);
    assert_int_equal(f.value, 150);
    assert_true(wi_pb_next(&r, &f));
    assert_int_equal(f.number, 2);
    assert_int_equal(f.len, 2);
    assert_memory_equal(f.data, "hi", 2);
    assert_true(wi_pb_next(&r, &f));
    assert_int_equal(f.wire_type, WI_PB_FIXED32);
    assert_int_equal(f.value, 1);
    assert_true(wi_pb_next(&r, &f));
    assert_int_equal(f.wire_type, WI_PB_FIXED64);
    assert_int_equal(f.value, 2);
    assert_false(wi_pb_next(&r, &f));
    assert_null(r.error); /* a clean end */
}

static void expect_error(const uint8_t *b, size_t n) {
    wi_pb_reader r = wi_pb_reader_make(b, n);
    wi_pb_field f;
    while (wi_pb_next(&r, &f)) {}
    assert_non_null(r.error);
}

static void test_malformed(void **state) {
    const uint8_t long_len[] = {0x12, 0x05, 'a', 'b'};           /* length beyond the end */
    const uint8_t huge_len[] = {0x12, 0xff, 0xff, 0xff, 0xff, 0x0f}; /* 4 GiB length */
    const uint8_t group[] = {0x0b};                              /* wire type 3 */
    const uint8_t field0[] = {0x00, 0x01};                       /* field number 0 */
    const uint8_t trunc_key[] = {0x80};
    const uint8_t trunc_f32[] = {0x0d, 1, 2};
    const uint8_t trunc_varint[] = {0x08, 0x80};
    expect_error(long_len, sizeof long_len);
    expect_error(huge_len, sizeof huge_len);
    expect_error(group, sizeof group);
    expect_error(field0, sizeof field0);
    expect_error(trunc_key, sizeof trunc_key);
    expect_error(trunc_f32, sizeof trunc_f32);
    expect_error(trunc_varint, sizeof trunc_varint);
    /* after an error the reader stays stopped */
    wi_pb_reader r = wi_pb_reader_make(long_len, sizeof long_len);
    wi_pb_field f;
    assert_false(wi_pb_next(&r, &f));
    assert_false(wi_pb_next(&r, &f));
    assert_non_null(r.error);
}

static void test_nesting_depth(void **state) {
    const uint8_t inner[] = {0x0a, 0x00};
    wi_pb_reader r = wi_pb_reader_make(inner, sizeof inner), sub;
    wi_pb_field f;
    assert_true(wi_pb_next(&r, &f));
    for (int d = 0; d < WI_PB_MAX_DEPTH; d++) {
        assert_true(wi_pb_sub(&r, &f, &sub));
        r.depth = sub.depth;
    }
    assert_false(wi_pb_sub(&r, &f, &sub));
    assert_non_null(r.error);
    /* a varint field cannot be opened as a message */
    const uint8_t v[] = {0x08, 0x01};
    r = wi_pb_reader_make(v, sizeof v);
    assert_true(wi_pb_next(&r, &f));
    assert_false(wi_pb_sub(&r, &f, &sub));
}

static void test_packed_counts(void **state) {
    const uint8_t varints[] = {0x1a, 0x04, 0x01, 0x96, 0x01, 0x02};
    const uint8_t bad[] = {0x1a, 0x02, 0x01, 0x80};
    wi_pb_reader r = wi_pb_reader_make(varints, sizeof varints);
    wi_pb_field f;
    size_t n;
    assert_true(wi_pb_next(&r, &f));
    assert_true(wi_pb_packed_count(&f, 0, &n));
    assert_int_equal(n, 3);
    assert_true(wi_pb_packed_count(&f, 4, &n));
    assert_int_equal(n, 1);
    assert_false(wi_pb_packed_count(&f, 8, &n)); /* 4 bytes are not whole fixed64s */
    r = wi_pb_reader_make(bad, sizeof bad);
    assert_true(wi_pb_next(&r, &f));
    assert_false(wi_pb_packed_count(&f, 0, &n));
}

/* A TensorProto-like message: float field 5 as one plain value and then a packed run of two,
 * an unrelated field, int field 7 the same way, int64 field 10 holding -1. */
static const uint8_t tensor_values[] = {
    0x2d, 0x00, 0x00, 0x80, 0x3f,                                     /* 5: 1.0f (fixed32) */
    0x2a, 0x08, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x40, 0x40,       /* 5: [2.0f, 3.0f] */
    0x48, 0x01,                                                       /* 9: 1 */
    0x38, 0x05,                                                       /* 7: 5 */
    0x3a, 0x03, 0x06, 0xac, 0x02,                                     /* 7: [6, 300] */
    0x50, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, /* 10: -1 */
};

static wi_pb_field whole(const uint8_t *bytes, size_t len) {
    return (wi_pb_field){.wire_type = WI_PB_LEN, .data = bytes, .len = len};
}

static void test_repeated_values(void **state) {
    const wi_pb_field msg = whole(tensor_values, sizeof tensor_values);
    int64_t n = -1;
    float fl[3] = {-7, -7, -7};
    assert_true(wi_pb_repeated_values(&msg, 5, WI_PB_AS_FLOAT, NULL, 0, &n)); /* counting */
    assert_int_equal(n, 3);
    assert_true(wi_pb_repeated_values(&msg, 5, WI_PB_AS_FLOAT, fl, 3, &n));
    assert_true(fl[0] == 1.0f && fl[1] == 2.0f && fl[2] == 3.0f);
    fl[1] = fl[2] = -7; /* a limit stops the stores, not the count, also inside a packed run */
    assert_true(wi_pb_repeated_values(&msg, 5, WI_PB_AS_FLOAT, fl, 2, &n));
    assert_int_equal(n, 3);
    assert_true(fl[0] == 1.0f && fl[1] == 2.0f && fl[2] == -7.0f);

    int32_t i32[3] = {0};
    assert_true(wi_pb_repeated_values(&msg, 7, WI_PB_AS_INT32, i32, 3, &n));
    assert_int_equal(n, 3);
    assert_int_equal(i32[0], 5);
    assert_int_equal(i32[1], 6);
    assert_int_equal(i32[2], 300);
    int64_t i64 = 0;
    assert_true(wi_pb_repeated_values(&msg, 10, WI_PB_AS_INT64, &i64, 1, &n));
    assert_int_equal(n, 1);
    assert_true(i64 == -1);
    assert_true(wi_pb_repeated_values(&msg, 11, WI_PB_AS_INT64, &i64, 1, &n)); /* absent: none */
    assert_int_equal(n, 0);

    /* refused: a float field as a varint, a packed float run of 3 bytes, a varint cut short,
     * a float field as fixed64, and a message that itself ends mid-field */
    const uint8_t varint_float[] = {0x28, 0x01}, short_floats[] = {0x2a, 0x03, 0, 0, 0},
                  cut_varint[] = {0x3a, 0x01, 0x80}, fixed64_float[] = {0x29, 1, 2, 3, 4, 5, 6, 7, 8},
                  cut_message[] = {0x2d, 0x00, 0x00};
    wi_pb_field bad = whole(varint_float, sizeof varint_float);
    assert_false(wi_pb_repeated_values(&bad, 5, WI_PB_AS_FLOAT, fl, 3, &n));
    bad = whole(short_floats, sizeof short_floats);
    assert_false(wi_pb_repeated_values(&bad, 5, WI_PB_AS_FLOAT, fl, 3, &n));
    bad = whole(cut_varint, sizeof cut_varint);
    assert_false(wi_pb_repeated_values(&bad, 7, WI_PB_AS_INT32, i32, 3, &n));
    bad = whole(fixed64_float, sizeof fixed64_float);
    assert_false(wi_pb_repeated_values(&bad, 5, WI_PB_AS_FLOAT, fl, 3, &n));
    bad = whole(cut_message, sizeof cut_message);
    assert_false(wi_pb_repeated_values(&bad, 5, WI_PB_AS_FLOAT, fl, 3, &n));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_varints),     cmocka_unit_test(test_fixed),
        cmocka_unit_test(test_fields),      cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_nesting_depth), cmocka_unit_test(test_packed_counts),
        cmocka_unit_test(test_repeated_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
