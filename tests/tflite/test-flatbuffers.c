/* The bounds-checked FlatBuffers reader on hand-laid buffers: a well-formed table with a
 * scalar, a string, a vector and a sub-table; then every offset made to point outside the
 * buffer, vtables out of range or malformed, vectors longer than the bytes left. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "formats/flatbuffers.h"

static void put16(uint8_t *b, size_t pos, uint16_t v) { memcpy(b + pos, &v, 2); }
static void put32(uint8_t *b, size_t pos, uint32_t v) { memcpy(b + pos, &v, 4); }

/* Layout (offsets in bytes):
 *  0  root uoffset -> 16
 *  4  vtable: [12 bytes, 20 table bytes, field0 @4, field1 @8, field2 @12, field3 @16]
 * 16  table: soffset 12 (vtable at 4), f0 = i32 -7, f1 -> string @36, f2 -> vector @44,
 *     f3 -> sub-table @64
 * 36  string "abc" (count 3 + bytes + NUL, padded)
 * 44  vector of 3 int32: 10 20 30  (count at 44, data 48..59)
 * 60  sub-table vtable [6, 8, field0 @4]
 * 64  sub-table: soffset 4 (vtable at 60), f0 = u8 9 */
static size_t build(uint8_t *b) {
    memset(b, 0, 80);
    put32(b, 0, 16);
    put16(b, 4, 12), put16(b, 6, 20), put16(b, 8, 4), put16(b, 10, 8), put16(b, 12, 12), put16(b, 14, 16);
    put32(b, 16, 12);
    put32(b, 20, (uint32_t)-7);
    put32(b, 24, 36 - 24);
    put32(b, 28, 44 - 28);
    put32(b, 32, 64 - 32);
    put32(b, 36, 3), memcpy(b + 40, "abc", 4);
    put32(b, 44, 3), put32(b, 48, 10), put32(b, 52, 20), put32(b, 56, 30);
    put16(b, 60, 6), put16(b, 62, 8), put16(b, 64 - 0, 0); /* overwritten below */
    put16(b, 60, 6), put16(b, 62, 8);
    /* the sub-table's vtable needs a third uint16 (field 0 offset): place the table at 68 */
    put32(b, 32, 68 - 32);
    put16(b, 64, 4);
    put32(b, 68, 68 - 60);
    b[72] = 9;
    return 76;
}

static void test_well_formed(void **state) {
    (void)state;
    uint8_t b[80];
    size_t len = build(b);
    wi_fb_table t, sub;
    assert_int_equal(wi_fb_root(b, len, &t), WI_FB_OK);
    int32_t i;
    assert_int_equal(wi_fb_i32(&t, 0, 5, &i), WI_FB_OK);
    assert_int_equal(i, -7);
    assert_int_equal(wi_fb_i32(&t, 9, 5, &i), WI_FB_ABSENT); /* past the vtable: default */
    assert_int_equal(i, 5);
    const char *s;
    size_t n;
    assert_int_equal(wi_fb_string(&t, 1, &s, &n), WI_FB_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(s, "abc", 3);
    wi_fb_vector v;
    assert_int_equal(wi_fb_vector_field(&t, 2, 4, &v), WI_FB_OK);
    assert_int_equal(v.count, 3);
    assert_int_equal(wi_fb_vec_i32(&v, 2), 30);
    assert_int_equal(wi_fb_vector_field(&t, 2, 16, &v), WI_FB_BAD); /* 3 x 16 bytes do not fit */
    assert_int_equal(wi_fb_table_field(&t, 3, &sub), WI_FB_OK);
    uint8_t u;
    assert_int_equal(wi_fb_u8(&sub, 0, 0, &u), WI_FB_OK);
    assert_int_equal(u, 9);
}

static void test_root_outside(void **state) {
    (void)state;
    uint8_t b[80];
    size_t len = build(b);
    wi_fb_table t;
    put32(b, 0, 1000);
    assert_int_equal(wi_fb_root(b, len, &t), WI_FB_BAD);
    put32(b, 0, (uint32_t)len - 2); /* soffset would straddle the end */
    assert_int_equal(wi_fb_root(b, len, &t), WI_FB_BAD);
    assert_int_equal(wi_fb_root(b, 4, &t), WI_FB_BAD);
    assert_int_equal(wi_fb_root(NULL, 0, &t), WI_FB_BAD);
}

static void test_vtable_out_of_range(void **state) {
    (void)state;
    uint8_t b[80];
    size_t len = build(b);
    wi_fb_table t;
    put32(b, 16, 100); /* vtable before the buffer */
    assert_int_equal(wi_fb_root(b, len, &t), WI_FB_BAD);
    put32(b, 16, (uint32_t)-100); /* vtable after the end */
    assert_int_equal(wi_fb_root(b, len, &t), WI_FB_BAD);
    len = build(b);
    put16(b, 4, 200); /* vtable longer than the buffer */
    assert_int_equal(wi_fb_root(b, len, &t), WI_FB_BAD);
    len = build(b);
    put16(b, 4, 3); /* odd, shorter than its header */
    assert_int_equal(wi_fb_root(b, len, &t), WI_FB_BAD);
    len = build(b);
    put16(b, 6, 500); /* table longer than the buffer */
    assert_int_equal(wi_fb_root(b, len, &t), WI_FB_BAD);
}

static void test_field_and_offsets_outside(void **state) {
    (void)state;
    uint8_t b[80];
    size_t len = build(b);
    wi_fb_table t, sub;
    wi_fb_vector v;
    const char *s;
    size_t n;
    int32_t i;
    put16(b, 8, 19); /* field 0 would end past the table's 20 bytes */
    assert_int_equal(wi_fb_root(b, len, &t), WI_FB_OK);
    assert_int_equal(wi_fb_i32(&t, 0, 0, &i), WI_FB_BAD);
    len = build(b);
    put32(b, 24, 1000); /* string offset outside */
    assert_int_equal(wi_fb_root(b, len, &t), WI_FB_OK);
    assert_int_equal(wi_fb_string(&t, 1, &s, &n), WI_FB_BAD);
    len = build(b);
    put32(b, 44, 0xffffffffu); /* vector count far beyond the bytes left */
    assert_int_equal(wi_fb_root(b, len, &t), WI_FB_OK);
    assert_int_equal(wi_fb_vector_field(&t, 2, 4, &v), WI_FB_BAD);
    put32(b, 44, 7); /* 28 bytes from 48: 76 is the end, so 7 fit, 8 do not */
    assert_int_equal(wi_fb_vector_field(&t, 2, 4, &v), WI_FB_OK);
    put32(b, 44, 8);
    assert_int_equal(wi_fb_vector_field(&t, 2, 4, &v), WI_FB_BAD);
    len = build(b);
    put32(b, 32, 0); /* a zero uoffset points at itself: refused */
    assert_int_equal(wi_fb_root(b, len, &t), WI_FB_OK);
    assert_int_equal(wi_fb_table_field(&t, 3, &sub), WI_FB_BAD);
    /* a vector of tables whose element offset points outside */
    len = build(b);
    assert_int_equal(wi_fb_root(b, len, &t), WI_FB_OK);
    assert_int_equal(wi_fb_vector_field(&t, 2, 4, &v), WI_FB_OK);
    assert_int_equal(wi_fb_vec_table(&v, 0, &sub), WI_FB_BAD); /* 48 + 10 is no table */
    assert_int_equal(wi_fb_vec_table(&v, 3, &sub), WI_FB_BAD); /* past the count */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_well_formed),
        cmocka_unit_test(test_root_outside),
        cmocka_unit_test(test_vtable_out_of_range),
        cmocka_unit_test(test_field_and_offsets_outside),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
