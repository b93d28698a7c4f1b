/* A malformed-TFLite corpus generated from a real model at test time: truncations, bit
 * flips, random bytes, and targeted defects written into a copy of the file (an unknown
 * operator, absurd and negative shapes, a buffer index out of range, a root offset and a
 * vtable outside the buffer, an unsupported activation type). Each must be a clean error
 * with a message (or, for a harmless flip, a model that runs), with no crash or leak under
 * ASan/UBSan. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "formats/flatbuffers.h"
#include "formats/test-data.h"
#include "wasinfer.h"

#define SMALL "models/tflite/mobilenet_v1_0.25_128_quant.tflite"

static unsigned char *g_file;
static size_t g_len;

static int setup(void **state) {
    (void)state;
    g_file = wi_test_read_data(SMALL, &g_len);
    return g_file ? 0 : -1;
}
static int teardown(void **state) {
    (void)state;
    free(g_file);
    return 0;
}

static unsigned char *copy(void) {
    unsigned char *b = malloc(g_len);
    assert_non_null(b);
    memcpy(b, g_file, g_len);
    return b;
}

/* Loads bytes; on success also runs one inference (a flip in the weights still loads). */
static wi_status try_load(const unsigned char *b, size_t len, wi_error *err) {
    wi_model *m = NULL;
    wi_model_options o;
    wi_model_options_init(&o);
    o.format = WI_FORMAT_TFLITE; /* also when a flip hits the magic */
    wi_status st = wi_model_load(b, len, &o, &m, err);
    if (st != WI_OK) {
        assert_true(err->message[0] != '\0');
        assert_null(m);
        return st;
    }
    wi_session *s = NULL;
    if (wi_session_create(m, NULL, &s, err) == WI_OK) {
        size_t n;
        float *x = wi_session_input_buffer(s, 0, &n);
        for (size_t i = 0; i < n; i++) x[i] = (float)(i % 7) / 7.0f;
        wi_session_run(s);
        wi_session_free(s);
    }
    wi_model_free(m);
    return st;
}

static void expect_error(const unsigned char *b, size_t len, const char *needle) {
    wi_error err;
    wi_status st = try_load(b, len, &err);
    if (st == WI_OK) fail_msg("expected an error containing '%s', the model loaded", needle);
    if (!strstr(err.message, needle)) fail_msg("'%s' does not contain '%s'", err.message, needle);
}

static uint16_t rd16(const unsigned char *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t rd32(const unsigned char *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static void wr32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }

/* Byte position of a present field of a table (fails the test when absent). */
static size_t field_at(const wi_fb_table *t, int field) {
    size_t slot = 4 + 2 * (size_t)field;
    assert_true(slot + 2 <= t->vtable_len);
    uint16_t off = rd16(t->buf + t->vtable + slot);
    assert_true(off != 0);
    return t->pos + off;
}

static wi_fb_table subgraph0(const unsigned char *b) {
    wi_fb_table model, sg;
    wi_fb_vector v;
    assert_int_equal(wi_fb_root(b, g_len, &model), WI_FB_OK);
    assert_int_equal(wi_fb_vector_field(&model, 2, 4, &v), WI_FB_OK);
    assert_int_equal(wi_fb_vec_table(&v, 0, &sg), WI_FB_OK);
    return sg;
}

static wi_fb_table tensor(const unsigned char *b, uint32_t i) {
    wi_fb_table sg = subgraph0(b), t;
    wi_fb_vector v;
    assert_int_equal(wi_fb_vector_field(&sg, 0, 4, &v), WI_FB_OK);
    assert_int_equal(wi_fb_vec_table(&v, i, &t), WI_FB_OK);
    return t;
}

/* Runs the model on a fixed input into out[1001]; false when it does not load. */
static int run_fixed(const unsigned char *b, size_t len, float *out) {
    wi_model *m = NULL;
    wi_session *s = NULL;
    wi_error err;
    if (wi_model_load(b, len, NULL, &m, &err) != WI_OK) return 0;
    assert_int_equal(wi_session_create(m, NULL, &s, &err), WI_OK);
    size_t n;
    float *x = wi_session_input_buffer(s, 0, &n);
    for (size_t i = 0; i < n; i++) x[i] = (float)(i % 7) / 7.0f;
    assert_int_equal(wi_session_run(s), WI_OK);
    memcpy(out, wi_session_output(s, 0, &n), 1001 * sizeof(float));
    wi_session_free(s);
    wi_model_free(m);
    return 1;
}

/* Every cut in the first 4 KiB (the root and vtables) is refused; the file ends with bytes
 * no table refers to (~21 KB of metadata in this one), so a later cut may load, and must
 * then compute exactly what the whole file does. */
static void test_truncated(void **state) {
    (void)state;
    float whole[1001], cut[1001];
    assert_true(run_fixed(g_file, g_len, whole));
    int refused = 0, loaded = 0;
    for (size_t len = 1; len < g_len; len += len < 4096 ? 37 : g_len / 61) {
        if (!run_fixed(g_file, len, cut)) {
            wi_error err;
            assert_int_not_equal(try_load(g_file, len, &err), WI_OK); /* and says why */
            refused++;
            continue;
        }
        if (len < 4096) fail_msg("the first %zu of %zu bytes loaded", len, g_len);
        assert_memory_equal(whole, cut, sizeof whole);
        loaded++;
    }
    print_message("truncations: %d refused, %d loaded with identical output\n", refused, loaded);
    assert_true(refused > 100);
}

static void test_bit_flips(void **state) {
    (void)state;
    unsigned char *b = copy();
    uint32_t seed = 12345;
    int errors = 0;
    for (int k = 0; k < 300; k++) {
        seed = seed * 1664525u + 1013904223u;
        /* half of the flips in the first 64 KiB, where the tables and small buffers are */
        size_t pos = (k & 1) ? (seed >> 8) % g_len : (seed >> 8) % (g_len < 65536 ? g_len : 65536);
        unsigned char bit = (unsigned char)(1u << ((seed >> 4) & 7));
        b[pos] ^= bit;
        wi_error err;
        errors += try_load(b, g_len, &err) != WI_OK;
        b[pos] ^= bit;
    }
    print_message("bit flips: %d of 300 refused cleanly, the rest loaded and ran\n", errors);
    free(b);
}

static void test_random_bytes(void **state) {
    (void)state;
    unsigned char b[4096];
    uint32_t seed = 99;
    for (int k = 0; k < 200; k++) {
        size_t len = 8 + (size_t)(k * 19) % (sizeof b - 8);
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1664525u + 1013904223u;
            b[i] = (unsigned char)(seed >> 24);
        }
        memcpy(b + 4, "TFL3", 4);
        if (k % 2) wr32(b, (uint32_t)(k * 4) % (uint32_t)len); /* roots inside the buffer */
        wi_error err;
        assert_int_not_equal(try_load(b, len, &err), WI_OK);
    }
}

static void test_unknown_op(void **state) {
    (void)state;
    unsigned char *b = copy();
    wi_fb_table model, code;
    wi_fb_vector codes;
    assert_int_equal(wi_fb_root(b, g_len, &model), WI_FB_OK);
    assert_int_equal(wi_fb_vector_field(&model, 1, 4, &codes), WI_FB_OK);
    int patched = 0;
    for (uint32_t i = 0; i < codes.count && !patched; i++) {
        assert_int_equal(wi_fb_vec_table(&codes, i, &code), WI_FB_OK);
        int8_t dep;
        int32_t bc;
        /* CONV_2D (3) is the code to replace: used by operator 0 of every MobileNet */
        if (wi_fb_i8(&code, 0, 0, &dep) != WI_FB_OK || dep != 3) continue;
        b[field_at(&code, 0)] = 40; /* MEAN, which this model's shapes cannot feed */
        if (wi_fb_i32(&code, 3, 0, &bc) == WI_FB_OK) wr32(b + field_at(&code, 3), 40);
        b[field_at(&code, 0)] = 121; /* a code this loader has no name for */
        if (wi_fb_i32(&code, 3, 0, &bc) == WI_FB_OK) wr32(b + field_at(&code, 3), 121);
        patched = 1;
    }
    assert_true(patched);
    expect_error(b, g_len, "tflite: operator 0 (builtin 121): unsupported op");
    free(b);
}

static void test_absurd_shapes(void **state) {
    (void)state;
    wi_fb_table t;
    wi_fb_vector shape;
    for (uint32_t i = 0; i < 4; i++) {
        unsigned char *b = copy();
        t = tensor(b, i);
        assert_int_equal(wi_fb_vector_field(&t, 0, 4, &shape), WI_FB_OK);
        assert_true(shape.count >= 1);
        wr32(b + shape.data, 0x7fffffffu);
        wi_error err;
        assert_int_not_equal(try_load(b, g_len, &err), WI_OK);
        wr32(b + shape.data, (uint32_t)-5);
        expect_error(b, g_len, "dimension 0 is -5");
        wr32(b + shape.data - 4, 1000); /* rank 1000 */
        expect_error(b, g_len, "tflite: ");
        free(b);
    }
}

static void test_buffer_index(void **state) {
    (void)state;
    unsigned char *b = copy();
    wi_fb_table t = tensor(b, 0);
    uint32_t buffer;
    for (uint32_t i = 1; wi_fb_u32(&t, 2, 0, &buffer) != WI_FB_OK; i++) t = tensor(b, i);
    wr32(b + field_at(&t, 2), 0x00ffffffu);
    expect_error(b, g_len, "buffer 16777215 of");
    free(b);
}

static void test_offsets_outside(void **state) {
    (void)state;
    unsigned char *b = copy();
    wr32(b, (uint32_t)g_len + 100);
    expect_error(b, g_len, "tflite: malformed root table");
    free(b);
    b = copy();
    uint32_t root = rd32(b);
    wr32(b + root, 0x80000000u); /* the root's vtable 2 GiB after it */
    expect_error(b, g_len, "tflite: malformed root table");
    free(b);
    /* the subgraph's tensors vector pointing past the end */
    b = copy();
    wi_fb_table sg = subgraph0(b);
    size_t pos = field_at(&sg, 0);
    wr32(b + pos, (uint32_t)(g_len - pos) + 8);
    expect_error(b, g_len, "tflite: the subgraph has no tensors vector");
    free(b);
}

static void test_unsupported_activation_type(void **state) {
    (void)state;
    unsigned char *b = copy();
    wi_fb_table sg = subgraph0(b), t;
    wi_fb_vector inputs;
    assert_int_equal(wi_fb_vector_field(&sg, 1, 4, &inputs), WI_FB_OK);
    t = tensor(b, (uint32_t)wi_fb_vec_i32(&inputs, 0));
    b[field_at(&t, 1)] = 5; /* STRING */
    expect_error(b, g_len, "unsupported activation type STRING");
    free(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_bit_flips),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_unknown_op),
        cmocka_unit_test(test_absurd_shapes),
        cmocka_unit_test(test_buffer_index),
        cmocka_unit_test(test_offsets_outside),
        cmocka_unit_test(test_unsupported_activation_type),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
