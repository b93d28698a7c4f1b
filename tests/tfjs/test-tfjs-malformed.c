/* A malformed TF.js corpus generated here: truncated and bit-flipped model.json, wrong JSON
 * types, missing and short weights, huge shapes, deep nesting, unsafe shard paths. Each must
 * be a clean error with a message (and, under ASan, no leak or bad access). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tfjs/tfjs-test-util.h"


static const char *k_input =
    "{\"name\":\"x\",\"op\":\"Placeholder\",\"attr\":{\"dtype\":{\"type\":\"DT_FLOAT\"},"
    "\"shape\":{\"shape\":{\"dim\":[{\"size\":\"1\"},{\"size\":\"4\"}]}}}}";
static const char *k_const_c =
    "{\"name\":\"c\",\"op\":\"Const\",\"attr\":{\"dtype\":{\"type\":\"DT_FLOAT\"}}}";
static const float k_c[4] = {1, 2, 3, 4};

/* Loads nodes (after the input and const 'c') with `weights` as the manifest entries and the
 * bytes of k_c; expects `status` and a message containing `needle`. */
static void expect(const char *nodes, const char *weights, size_t shard_len, wi_status status, const char *needle) {
    char all[8192];
    snprintf(all, sizeof all, "%s,%s%s%s", k_input, k_const_c, nodes[0] ? "," : "", nodes);
    char *json = tj_model(all, weights);
    wi_model *m = NULL;
    wi_error err;
    wi_status st = tj_load(json, k_c, shard_len, &m, &err);
    if (st != status || !strstr(err.message, needle))
        fail_msg("status %d '%s', wanted %d with '%s'\nmodel: %s", st, err.message, status, needle, json);
    assert_null(m);
    free(json);
}

/* Loads a whole model.json text; expects `status` and `needle`. */
static void expect_text(const char *json, wi_status status, const char *needle) {
    wi_model *m = NULL;
    wi_error err;
    wi_status st = tj_load(json, NULL, 0, &m, &err);
    if (st != status || !strstr(err.message, needle))
        fail_msg("status %d '%s', wanted %d with '%s'\nmodel: %s", st, err.message, status, needle, json);
    assert_null(m);
}

#define W_C "{\"name\":\"c\",\"shape\":[4],\"dtype\":\"float32\"}"
#define ADD(inputs) "{\"name\":\"y\",\"op\":\"Add\",\"input\":[" inputs "],\"attr\":{\"T\":{\"type\":\"DT_FLOAT\"}}}"

static void test_the_baseline_loads(void **state) {
    char all[1024];
    snprintf(all, sizeof all, "%s,%s,%s", k_input, k_const_c, ADD("\"x\",\"c\""));
    char *json = tj_model(all, W_C);
    wi_model *m = NULL;
    wi_error err;
    if (tj_load(json, k_c, sizeof k_c, &m, &err) != WI_OK) fail_msg("%s", err.message);
    float x[4] = {1, 1, 1, 1};
    size_t n;
    float *y = tj_run(m, x, &n);
    assert_int_equal(n, 4);
    assert_true(y[0] == 2 && y[3] == 5);
    free(y);
    wi_model_free(m);
    free(json);
}

static void test_unsupported_op_message(void **state) {
    expect("{\"name\":\"y\",\"op\":\"Foo\",\"input\":[\"x\"]}", W_C, sizeof k_c, WI_E_UNSUPPORTED,
           "tfjs: node 'y': unsupported op 'Foo'");
    /* a dead node with an unknown op still fails: every node must be a known op */
    expect(ADD("\"x\",\"c\"") ",{\"name\":\"z\",\"op\":\"Enter\",\"input\":[\"y\"]}", W_C, sizeof k_c,
           WI_E_UNSUPPORTED, "tfjs: node 'z': unsupported op 'Enter'");
}

static void test_wrong_types(void **state) {
    expect("{\"name\":5,\"op\":\"Add\"}", W_C, sizeof k_c, WI_E_MALFORMED, "has no 'name' or 'op' string");
    expect("{\"name\":\"y\"}", W_C, sizeof k_c, WI_E_MALFORMED, "has no 'name' or 'op' string");
    expect("{\"name\":\"\",\"op\":\"Add\"}", W_C, sizeof k_c, WI_E_MALFORMED, "empty or overlong name");
    expect("[1]", W_C, sizeof k_c, WI_E_MALFORMED, "is not an object");
    expect("{\"name\":\"y\",\"op\":\"Add\",\"input\":\"x\"}", W_C, sizeof k_c, WI_E_MALFORMED, "'input' must be an array");
    expect("{\"name\":\"y\",\"op\":\"Add\",\"input\":[\"x\",7]}", W_C, sizeof k_c, WI_E_MALFORMED, "an input is not a string");
    expect("{\"name\":\"y\",\"op\":\"Add\",\"input\":[\"x\",\"nope\"]}", W_C, sizeof k_c, WI_E_NOT_FOUND,
           "input 'nope' names no node");
    expect("{\"name\":\"y\",\"op\":\"Add\",\"input\":[\"x\",\"c\"],\"attr\":[]}", W_C, sizeof k_c, WI_E_MALFORMED,
           "'attr' must be an object");
    expect("{\"name\":\"y\",\"op\":\"Add\",\"input\":[\"x\",\"c\"],\"attr\":{\"T\":5}}", W_C, sizeof k_c,
           WI_E_MALFORMED, "attribute 'T': must be an object");
    expect("{\"name\":\"y\",\"op\":\"Add\",\"input\":[\"x\",\"c\"],\"attr\":{\"T\":{\"type\":true}}}", W_C, sizeof k_c,
           WI_E_MALFORMED, "a type value must be a DT_ name");
    expect("{\"name\":\"y\",\"op\":\"Add\",\"input\":[\"x\",\"c\"],\"attr\":{\"T\":{\"type\":\"DT_INT32\"}}}", W_C,
           sizeof k_c, WI_E_UNSUPPORTED, "unsupported dtype 3 for Add");
    expect("{\"name\":\"y\",\"op\":\"Squeeze\",\"input\":[\"x\"],\"attr\":{\"squeeze_dims\":{\"list\":{\"i\":\"1\"}}}}",
           W_C, sizeof k_c, WI_E_MALFORMED, "list members must be arrays");
    expect("{\"name\":\"y\",\"op\":\"Squeeze\",\"input\":[\"x\"],\"attr\":{\"squeeze_dims\":{\"list\":{\"i\":[\"a\"]}}}}",
           W_C, sizeof k_c, WI_E_MALFORMED, "an int value must be an integer");
    expect("{\"name\":\"y\",\"op\":\"Squeeze\",\"input\":[\"x\"],\"attr\":{\"squeeze_dims\":{\"list\":{\"i\":[1.5]}}}}",
           W_C, sizeof k_c, WI_E_MALFORMED, "an int value must be an integer");
    expect("{\"name\":\"y\",\"op\":\"Squeeze\",\"input\":[\"x\"],\"attr\":{\"squeeze_dims\":{\"list\":{\"s\":[\"!!\"]}}}}",
           W_C, sizeof k_c, WI_E_MALFORMED, "bad base64");
    expect("{\"name\":\"y\",\"op\":\"Squeeze\",\"input\":[\"x\"],\"attr\":{\"squeeze_dims\":{\"s\":\"QQ===\"}}}",
           W_C, sizeof k_c, WI_E_MALFORMED, "bad base64 length");
    expect("{\"name\":\"y\",\"op\":\"Squeeze\",\"input\":[\"x\"],\"attr\":{\"squeeze_dims\":{\"list\":{\"f\":[\"x\"]}}}}",
           W_C, sizeof k_c, WI_E_MALFORMED, "a float value must be a number");
    expect("{\"name\":\"y\",\"op\":\"Squeeze\",\"input\":[\"x\"],\"attr\":{\"squeeze_dims\":{\"b\":1}}}",
           W_C, sizeof k_c, WI_E_MALFORMED, "a bool value must be true or false");
    expect("{\"name\":\"y\",\"op\":\"Squeeze\",\"input\":[\"x\"],\"attr\":{\"squeeze_dims\":{\"shape\":{\"dim\":[{\"size\":\"x\"}]}}}}",
           W_C, sizeof k_c, WI_E_MALFORMED, "a shape dim must be");
    /* an attribute of the wrong kind for the op */
    expect("{\"name\":\"y\",\"op\":\"Squeeze\",\"input\":[\"x\"],\"attr\":{\"squeeze_dims\":{\"s\":\"QQ==\"}}}",
           W_C, sizeof k_c, WI_E_MALFORMED, "attribute 'squeeze_dims' is malformed or of the wrong kind");
    expect("{\"name\":\"y\",\"op\":\"Mean\",\"input\":[\"x\",\"c\"],\"attr\":{\"keep_dims\":{}}}",
           W_C, sizeof k_c, WI_E_MALFORMED, "attribute 'keep_dims' is malformed or of the wrong kind");
}

static void test_fused_op_errors(void **state) {
    expect("{\"name\":\"y\",\"op\":\"_FusedConv2D\",\"input\":[\"x\",\"c\",\"c\"],\"attr\":{\"fused_ops\":{\"list\":"
           "{\"s\":[\"RWx1\"]}},\"num_args\":{\"i\":\"1\"}}}",
           W_C, sizeof k_c, WI_E_UNSUPPORTED, "unsupported fused_ops (first 'Elu'");
    expect("{\"name\":\"y\",\"op\":\"_FusedConv2D\",\"input\":[\"x\",\"c\",\"c\"],\"attr\":{\"fused_ops\":{\"list\":"
           "{\"s\":[\"Qmlhc0FkZA==\",\"RWx1\"]}},\"num_args\":{\"i\":\"1\"}}}",
           W_C, sizeof k_c, WI_E_UNSUPPORTED, "unsupported fused activation 'Elu'");
    expect("{\"name\":\"y\",\"op\":\"_FusedConv2D\",\"input\":[\"x\",\"c\",\"c\"],\"attr\":{\"fused_ops\":{\"list\":"
           "{\"s\":[\"Qmlhc0FkZA==\"]}},\"num_args\":{\"i\":\"2\"}}}",
           W_C, sizeof k_c, WI_E_MALFORMED, "has 3 inputs and num_args 2, expected 3 and 1");
    expect("{\"name\":\"y\",\"op\":\"FusedDepthwiseConv2dNative\",\"input\":[\"x\",\"c\"],\"attr\":{}}",
           W_C, sizeof k_c, WI_E_UNSUPPORTED, "unsupported fused_ops (first ''");
}

static void test_manifest_errors(void **state) {
    const char *add = ADD("\"x\",\"c\"");
    expect(add, "", 0, WI_E_MALFORMED, "tfjs: node 'c': Const has no entry in the weights manifest");
    expect(add, W_C, sizeof k_c - 1, WI_E_MALFORMED, "tfjs: weight 'c' needs bytes 0..16 of the shards, which hold only 15");
    expect(add, W_C, 0, WI_E_MALFORMED, "none were given");
    expect(add, W_C "," W_C, sizeof k_c, WI_E_MALFORMED, "weight 'c' appears twice");
    expect(add, "{\"name\":\"c\",\"shape\":[4],\"dtype\":\"string\"}", sizeof k_c, WI_E_UNSUPPORTED,
           "weight 'c': unsupported dtype 'string'");
    expect(add, "{\"name\":\"c\",\"shape\":[4]}", sizeof k_c, WI_E_MALFORMED, "'dtype' must be a string");
    expect(add, "{\"name\":\"c\",\"shape\":4,\"dtype\":\"float32\"}", sizeof k_c, WI_E_MALFORMED, "'shape' must be an array");
    expect(add, "{\"name\":\"c\",\"shape\":[-4],\"dtype\":\"float32\"}", sizeof k_c, WI_E_MALFORMED, "not a non-negative integer");
    expect(add, "{\"shape\":[4],\"dtype\":\"float32\"}", sizeof k_c, WI_E_MALFORMED, "has no 'name' string");
    expect(add, "7", sizeof k_c, WI_E_MALFORMED, "entry is not an object");
    expect(add, "{\"name\":\"c\",\"shape\":[1,1,1,1,1,1,1,1,4],\"dtype\":\"float32\"}", sizeof k_c, WI_E_LIMIT, "rank 9 above 8");
    /* huge shapes: refused before any allocation, overflow included */
    expect(add, "{\"name\":\"c\",\"shape\":[100000,100000],\"dtype\":\"float32\"}", sizeof k_c, WI_E_LIMIT,
           "more than 268435456 elements");
    expect(add, "{\"name\":\"c\",\"shape\":[\"9223372036854775807\",\"9223372036854775807\"],\"dtype\":\"float32\"}",
           sizeof k_c, WI_E_LIMIT, "elements");
    expect(add, "{\"name\":\"c\",\"shape\":[4],\"dtype\":\"float32\",\"quantization\":{\"dtype\":\"int4\"}}", sizeof k_c,
           WI_E_UNSUPPORTED, "unsupported quantization dtype 'int4'");
    expect(add, "{\"name\":\"c\",\"shape\":[4],\"dtype\":\"float32\",\"quantization\":{\"dtype\":\"uint8\",\"min\":0}}",
           sizeof k_c, WI_E_MALFORMED, "quantization 'scale' must be a finite number");
    expect(add, "{\"name\":\"c\",\"shape\":[4],\"dtype\":\"float32\",\"quantization\":5}", sizeof k_c, WI_E_MALFORMED,
           "'quantization' needs a 'dtype' string");
    /* the constant's shape is checked by the op using it */
    expect(add, "{\"name\":\"c\",\"shape\":[3],\"dtype\":\"float32\"}", 12, WI_E_MALFORMED, "tfjs: ");
}

static void test_document_errors(void **state) {
    expect_text("[1]", WI_E_MALFORMED, "tfjs: model.json is not an object");
    expect_text("{}", WI_E_MALFORMED, "tfjs: model.json has no 'modelTopology' object");
    expect_text("{\"modelTopology\":{\"node\":[]}}", WI_E_MALFORMED, "has no 'node' array with nodes");
    expect_text("{\"modelTopology\":{\"class_name\":\"Sequential\",\"config\":{}}}", WI_E_UNSUPPORTED,
                "tfjs: a layers model (Keras topology)");
    expect_text("{\"modelTopology\":{\"node\":[{\"name\":\"a\",\"op\":\"NoOp\"}]},\"weightsManifest\":{}}",
                WI_E_MALFORMED, "'weightsManifest' must be an array");
    expect_text("{\"modelTopology\":{\"node\":[{\"name\":\"a\",\"op\":\"NoOp\"}]},\"weightsManifest\":[5]}",
                WI_E_MALFORMED, "group has no 'weights' array");
    expect_text("{\"modelTopology\":{\"node\":[{\"name\":\"a\",\"op\":\"NoOp\"},{\"name\":\"a\",\"op\":\"NoOp\"}]}}",
                WI_E_MALFORMED, "tfjs: node 'a': duplicate node name");
    expect_text("{\"modelTopology\":{\"node\":[{\"name\":\"a\",\"op\":\"NoOp\"}]}", WI_E_MALFORMED,
                "tfjs: model.json: json: unterminated object");
    expect_text("{\"modelTopology\":{\"node\":[{\"name\":\"a\",\"op\":\"NoOp\"}]}}", WI_E_NOT_FOUND,
                "tfjs: the graph has no Placeholder input");
}

/* Deep nesting inside an attribute is refused by the reader's depth limit. */
static void test_deep_nesting(void **state) {
    size_t depth = 5000, len = 0;
    char *json = malloc(depth * 2 + 256);
    len += (size_t)sprintf(json, "{\"modelTopology\":{\"node\":[{\"name\":\"a\",\"op\":\"NoOp\",\"attr\":{\"k\":");
    for (size_t i = 0; i < depth; i++) json[len++] = '[';
    for (size_t i = 0; i < depth; i++) json[len++] = ']';
    strcpy(json + len, "}}]}}");
    expect_text(json, WI_E_LIMIT, "nested too deeply");
    free(json);
}

/* Every prefix of the real model.json (dense at the start, sampled after) fails cleanly. */
static void test_truncated_real_model(void **state) {
    size_t jlen, wlen;
    unsigned char *json, *weights;
    assert_int_equal(tj_read_v1(&json, &jlen, &weights, &wlen), 0);
    int tried = 0;
    for (size_t n = 1; n < jlen; n += n < 1024 ? 1 : 257) {
        unsigned char *prefix = malloc(n);
        memcpy(prefix, json, n);
        wi_model *m = NULL;
        wi_error err;
        wi_status st = wi_model_load_tfjs(prefix, n, weights, wlen, NULL, &m, &err);
        if (st == WI_OK || m || !strstr(err.message, "tfjs: "))
            fail_msg("prefix of %zu bytes: status %d '%s'", n, st, err.message);
        free(prefix);
        tried++;
    }
    assert_true(tried > 1200);
    free(json);
    free(weights);
}

/* Bit flips in the real model.json: either a model or a clean error, never a crash. */
static void test_bit_flips_real_model(void **state) {
    size_t jlen, wlen;
    unsigned char *json, *weights;
    assert_int_equal(tj_read_v1(&json, &jlen, &weights, &wlen), 0);
    unsigned char *copy = malloc(jlen);
    uint32_t s = 12345;
    int loaded = 0, refused = 0;
    for (int i = 0; i < 300; i++) {
        memcpy(copy, json, jlen);
        for (int k = 0; k < 1 + i % 3; k++) {
            s = s * 1664525u + 1013904223u;
            copy[(s >> 8) % jlen] ^= (unsigned char)(1u << (s % 8));
        }
        wi_model *m = NULL;
        wi_error err;
        if (wi_model_load_tfjs(copy, jlen, weights, wlen, NULL, &m, &err) == WI_OK) {
            loaded++;
            wi_model_free(m);
        } else {
            assert_null(m);
            assert_true(err.message[0] != '\0');
            refused++;
        }
    }
    assert_int_equal(loaded + refused, 300);
    assert_true(refused > 0);
    free(copy);
    free(json);
    free(weights);
}

/* From files: shard names may not leave the directory; a missing shard names itself. */
static void test_shard_files(void **state) {
    char dir[] = "/tmp/wi-tfjs-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[512], shard[512];
    snprintf(path, sizeof path, "%s/model.json", dir);
    snprintf(shard, sizeof shard, "%s/w.bin", dir);
    FILE *f = fopen(shard, "wb");
    fwrite(k_c, 1, sizeof k_c, f);
    fclose(f);
    static const char *paths[] = {"../w.bin", "sub/w.bin", "/etc/passwd", "..", "a\\\\b", "", "missing.bin", "w.bin"};
    static const char *wants[] = {"leaves the model's directory", "leaves the model's directory",
                                  "leaves the model's directory", "leaves the model's directory",
                                  "leaves the model's directory", "leaves the model's directory",
                                  "tfjs: shard 'missing.bin': cannot open", NULL};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        f = fopen(path, "w");
        fprintf(f, "{\"modelTopology\":{\"node\":[%s,%s,%s]},\"weightsManifest\":[{\"paths\":[\"%s\"],\"weights\":[%s]}]}",
                k_input, k_const_c, ADD("\"x\",\"c\""), paths[i], W_C);
        fclose(f);
        wi_model *m = NULL;
        wi_error err;
        wi_status st = wi_model_load_file(path, NULL, &m, &err);
        if (!wants[i]) {
            if (st != WI_OK) fail_msg("%s: %s", paths[i], err.message);
            wi_model_free(m);
        } else if (st == WI_OK || !strstr(err.message, wants[i])) {
            fail_msg("shard path '%s': status %d '%s'", paths[i], st, err.message);
        }
    }
    unlink(path);
    unlink(shard);
    rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_baseline_loads),
        cmocka_unit_test(test_unsupported_op_message),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_fused_op_errors),
        cmocka_unit_test(test_manifest_errors),
        cmocka_unit_test(test_document_errors),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_truncated_real_model),
        cmocka_unit_test(test_bit_flips_real_model),
        cmocka_unit_test(test_shard_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
