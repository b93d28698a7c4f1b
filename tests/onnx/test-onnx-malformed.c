/* Malformed and unsupported ONNX models: every prefix of a small valid model, every single
 * bit flipped, and hand-built defects. Each load ends in a clean status with a message (no
 * crash, no leak under ASan/UBSan); a flipped model that still loads must also run. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "onnx/onnx-run.h"

/* Conv -> Relu -> GlobalAveragePool -> Flatten -> Gemm -> Softmax on [1,2,4,4]. */
static void small_model(ob *b) {
    static float w[3 * 2 * 9], bias[3], gw[3 * 4], gb[4];
    fill_data(w, sizeof w / 4, 1);
    fill_data(gw, sizeof gw / 4, 2);
    const int64_t xd[4] = {1, 2, 4, 4}, wd[4] = {3, 2, 3, 3}, bd[1] = {3}, gwd[2] = {3, 4}, gbd[1] = {4};
    const int64_t pads[4] = {1, 1, 1, 1};
    ob_init(b, 13);
    ob_input(b, "x", 4, xd);
    ob_init_f32(b, "w", 4, wd, w);
    ob_init_f32(b, "b", 1, bd, bias);
    ob_init_f32(b, "gw", 2, gwd, gw);
    ob_init_f32(b, "gb", 1, gbd, gb);
    pbw a = {0};
    ob_attr_ints(&a, "pads", 4, pads);
    ob_node(b, "Conv", "x,w,b", "c", &a);
    ob_node(b, "Relu", "c", "r", NULL);
    ob_node(b, "GlobalAveragePool", "r", "p", NULL);
    ob_node(b, "Flatten", "p", "f", NULL);
    ob_node(b, "Gemm", "f,gw,gb", "g", NULL);
    ob_node(b, "Softmax", "g", "y", NULL);
    ob_output(b, "y");
    pbw_free(&a);
}

/* Loads bytes; a model that loads is run once. Returns the load status. */
static wi_status try_load(const uint8_t *p, size_t n, wi_error *err) {
    wi_model *m = NULL;
    wi_model_options o;
    wi_model_options_init(&o);
    o.format = WI_FORMAT_ONNX;          /* the bytes may no longer look like ONNX */
    o.max_elements = (int64_t)1 << 22;  /* flipped dims must not allocate gigabytes */
    wi_status st = wi_model_load(p, n, &o, &m, err);
    if (st != WI_OK) {
        assert_null(m);
        assert_true(err->message[0] != '\0');
        return st;
    }
    wi_session *s = NULL;
    if (wi_session_create(m, NULL, &s, err) == WI_OK) {
        size_t count;
        float *in = wi_session_input_buffer(s, 0, &count);
        for (size_t i = 0; i < count; i++) in[i] = 0.5f;
        wi_session_run(s);
    }
    wi_session_free(s);
    wi_model_free(m);
    return st;
}

static void test_valid_then_truncated(void **state) {
    (void)state;
    ob b;
    small_model(&b);
    pbw bytes;
    ob_model(&b, &bytes);
    wi_error err;
    assert_int_equal(try_load(bytes.buf, bytes.len, &err), WI_OK);
    for (size_t n = 1; n < bytes.len; n++) {
        uint8_t *copy = malloc(n); /* exact size: ASan sees any read past the end */
        memcpy(copy, bytes.buf, n);
        if (try_load(copy, n, &err) == WI_OK) fail_msg("a %zu-byte prefix loaded", n);
        free(copy);
    }
    pbw_free(&bytes);
    ob_free(&b);
}

static void test_bit_flips(void **state) {
    (void)state;
    ob b;
    small_model(&b);
    pbw bytes;
    ob_model(&b, &bytes);
    uint8_t *copy = malloc(bytes.len);
    wi_error err;
    int failed = 0, loaded = 0;
    for (size_t i = 0; i < bytes.len; i++)
        for (int bit = 0; bit < 8; bit++) {
            memcpy(copy, bytes.buf, bytes.len);
            copy[i] ^= (uint8_t)(1u << bit);
            if (try_load(copy, bytes.len, &err) == WI_OK) loaded++;
            else failed++;
        }
    /* flips inside weights load fine; flips in structure must fail cleanly */
    assert_true(failed > 0 && loaded > 0);
    free(copy);
    pbw_free(&bytes);
    ob_free(&b);
}

/* Loads a model built by `build` and checks the status and a piece of the message. */
static void expect(void (*build)(ob *), wi_status want, const char *text) {
    ob b;
    build(&b);
    pbw bytes;
    ob_model(&b, &bytes);
    wi_error err;
    wi_model *m = NULL;
    wi_status st = wi_model_load(bytes.buf, bytes.len, NULL, &m, &err);
    if (st != want || !strstr(err.message, text))
        fail_msg("want status %d with '%s', got %d: %s", want, text, st, err.message);
    assert_null(m);
    pbw_free(&bytes);
    ob_free(&b);
}

static void with_input(ob *b) {
    const int64_t xd[4] = {1, 2, 4, 4};
    ob_init(b, 13);
    ob_input(b, "x", 4, xd);
}

static void dangling(ob *b) {
    with_input(b);
    ob_node(b, "Add", "x,nope", "y", NULL);
    ob_output(b, "y");
}
static void out_of_order(ob *b) {
    with_input(b);
    ob_node(b, "Relu", "later", "y", NULL);
    ob_node(b, "Relu", "x", "later", NULL);
    ob_output(b, "y");
}
static void unknown_op(ob *b) {
    with_input(b);
    ob_node(b, "Foo", "x", "y", NULL);
    ob_output(b, "y");
}
static void absurd_dims(ob *b) {
    const int64_t d[3] = {1 << 20, 1 << 20, 1 << 20};
    with_input(b);
    pbw t = {0};
    for (int i = 0; i < 3; i++) pbw_uint(&t, 1, (uint64_t)d[i]);
    pbw_uint(&t, 2, 1);
    pbw_str(&t, 8, "huge");
    pbw_bytes(&t, 9, "1234", 4);
    pbw_msg(&b->graph, 5, &t);
    pbw_free(&t);
    ob_node(b, "Add", "x,huge", "y", NULL);
    ob_output(b, "y");
}
static void absurd_input(ob *b) {
    const int64_t xd[4] = {1, 3, (int64_t)1 << 40, (int64_t)1 << 40};
    ob_init(b, 13);
    ob_input(b, "x", 4, xd);
    ob_node(b, "Relu", "x", "y", NULL);
    ob_output(b, "y");
}
static void external_tensor(ob *b, int location_field) {
    with_input(b);
    pbw t = {0}, kv = {0};
    pbw_uint(&t, 1, 4);
    pbw_uint(&t, 2, 1);
    pbw_str(&t, 8, "w");
    if (location_field) {
        pbw_uint(&t, 14, 1);
    } else {
        pbw_str(&kv, 1, "location");
        pbw_str(&kv, 2, "weights.bin");
        pbw_msg(&t, 13, &kv);
    }
    pbw_msg(&b->graph, 5, &t);
    pbw_free(&t);
    pbw_free(&kv);
    ob_node(b, "Add", "x,w", "y", NULL);
    ob_output(b, "y");
}
static void external_data(ob *b) { external_tensor(b, 0); }
static void external_location(ob *b) { external_tensor(b, 1); }
static void raw_size_mismatch(ob *b) {
    with_input(b);
    const int64_t d[1] = {4};
    pbw t = {0};
    pbw_uint(&t, 1, (uint64_t)d[0]);
    pbw_uint(&t, 2, 1);
    pbw_str(&t, 8, "w");
    pbw_bytes(&t, 9, "12345678", 8);
    pbw_msg(&b->graph, 5, &t);
    pbw_free(&t);
    ob_node(b, "Add", "x,w", "y", NULL);
    ob_output(b, "y");
}
static void defined_twice(ob *b) {
    with_input(b);
    ob_node(b, "Relu", "x", "y", NULL);
    ob_node(b, "Relu", "x", "y", NULL);
    ob_output(b, "y");
}
static void two_inputs(ob *b) {
    const int64_t xd[4] = {1, 2, 4, 4};
    with_input(b);
    ob_input(b, "x2", 4, xd);
    ob_node(b, "Add", "x,x2", "y", NULL);
    ob_output(b, "y");
}
static void no_nodes(ob *b) {
    with_input(b);
    ob_output(b, "x");
}
static void missing_output(ob *b) {
    with_input(b);
    ob_node(b, "Relu", "x", "y", NULL);
    ob_output(b, "z");
}
static void int_input(ob *b) {
    ob_init(b, 13);
    pbw tensor = {0}, type = {0}, vi = {0};
    pbw_uint(&tensor, 1, 7); /* INT64 */
    pbw_msg(&type, 1, &tensor);
    pbw_str(&vi, 1, "x");
    pbw_msg(&vi, 2, &type);
    pbw_msg(&b->graph, 11, &vi);
    pbw_free(&tensor), pbw_free(&type), pbw_free(&vi);
    ob_node(b, "Relu", "x", "y", NULL);
    ob_output(b, "y");
}
static void other_domain(ob *b) {
    with_input(b);
    pbw node = {0};
    pbw_str(&node, 1, "x");
    pbw_str(&node, 2, "y");
    pbw_str(&node, 3, "custom");
    pbw_str(&node, 4, "Relu");
    pbw_str(&node, 7, "com.example");
    pbw_msg(&b->graph, 1, &node);
    pbw_free(&node);
    ob_output(b, "y");
}
static void conv3d(ob *b) {
    static const float w[2 * 2 * 3] = {0};
    const int64_t wd[3] = {2, 2, 3};
    with_input(b);
    ob_init_f32(b, "w", 3, wd, w);
    ob_node(b, "Conv", "x,w", "y", NULL);
    ob_output(b, "y");
}

static void test_defects(void **state) {
    (void)state;
    expect(dangling, WI_E_NOT_FOUND, "onnx: node 'y': input 'nope' is not an initializer");
    expect(out_of_order, WI_E_NOT_FOUND, "input 'later'");
    expect(unknown_op, WI_E_UNSUPPORTED, "onnx: node 'y': unsupported op 'Foo'");
    expect(absurd_dims, WI_E_LIMIT, "huge");
    expect(absurd_input, WI_E_LIMIT, "");
    expect(external_data, WI_E_UNSUPPORTED, "external data");
    expect(external_location, WI_E_UNSUPPORTED, "external data");
    expect(raw_size_mismatch, WI_E_MALFORMED, "8 bytes of raw_data, its shape needs 16");
    expect(defined_twice, WI_E_MALFORMED, "tensor 'y' is defined twice");
    expect(two_inputs, WI_E_INVALID_ARGUMENT, "name one with input_name");
    expect(no_nodes, WI_E_MALFORMED, "no nodes");
    expect(missing_output, WI_E_NOT_FOUND, "output 'z'");
    expect(int_input, WI_E_UNSUPPORTED, "float only");
    expect(other_domain, WI_E_UNSUPPORTED, "unsupported op 'com.example.Relu'");
    expect(conv3d, WI_E_UNSUPPORTED, "only 2-D convolutions run");
}

static void test_detection(void **state) {
    (void)state;
    ob b;
    small_model(&b);
    pbw bytes;
    ob_model(&b, &bytes);
    wi_model *m = NULL;
    wi_error err;
    assert_int_equal(bytes.buf[0], 0x08); /* ir_version first */
    assert_int_equal(wi_model_load(bytes.buf, bytes.len, NULL, &m, &err), WI_OK);
    assert_int_equal(wi_model_format(m), WI_FORMAT_ONNX);
    wi_model_free(m);
    /* an ONNX file handed to the TensorFlow loader fails cleanly too */
    wi_model_options o;
    wi_model_options_init(&o);
    o.format = WI_FORMAT_TF_GRAPHDEF;
    assert_int_not_equal(wi_model_load(bytes.buf, bytes.len, &o, &m, &err), WI_OK);
    assert_null(m);
    pbw_free(&bytes);
    ob_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_then_truncated),
        cmocka_unit_test(test_bit_flips),
        cmocka_unit_test(test_defects),
        cmocka_unit_test(test_detection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
