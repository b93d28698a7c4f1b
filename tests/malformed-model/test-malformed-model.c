/*
 * The malformed-model corpus, generated here rather than stored: the real TF-Hub model
 * truncated at many offsets and bit-flipped in its structure (outside the weight bytes),
 * random bytes, an empty buffer, and hand-built GraphDefs each with one defect (absurd or
 * huge shapes, dangling inputs, a cycle, unknown ops and attribute values, bad constants...).
 * Every case must return a clean status with a message, never crash or leak (the suite also
 * runs under ASan/UBSan). Offsets are sampled so the test stays fast under sanitizers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include "formats/protobuf.h"
#include "formats/test-data.h"
#include "malformed-model/pb-writer.h"
#include "wasinfer.h"

#define HUB "models/tf/mobilenet_v1_0.25_224_tfhub_frozen.pb"

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Loads; on success also runs once (a model that loads must run safely). Returns the status
 * and checks that a failure carries a message. */
static wi_status try_load(const void *b, size_t n, const char *what) {
    wi_model *m = NULL;
    wi_error err;
    wi_status st = wi_model_load(b, n, NULL, &m, &err);
    if (st != WI_OK) {
        assert_null(m);
        if (err.message[0] == '\0') fail_msg("%s: status %d without a message", what, st);
        if (err.status != st) fail_msg("%s: err.status %d differs from %d", what, err.status, st);
        return st;
    }
    wi_session *s = NULL;
    if (wi_session_create(m, NULL, &s, &err) == WI_OK) {
        size_t count;
        float *in = wi_session_input_buffer(s, 0, &count);
        for (size_t i = 0; i < count; i++) in[i] = 0.5f;
        wi_session_run(s);
        wi_session_free(s);
    }
    wi_model_free(m);
    return st;
}

static void test_empty_and_random(void **state) {
    wi_model *m = NULL;
    wi_error err;
    assert_int_equal(wi_model_load("", 0, NULL, &m, &err), WI_E_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "empty"));
    uint8_t buf[4096];
    int failed = 0;
    for (int i = 0; i < 200; i++) {
        size_t n = 1 + next() % sizeof buf;
        for (size_t k = 0; k < n; k++) buf[k] = (uint8_t)next();
        failed += try_load(buf, n, "random bytes") != WI_OK;
    }
    assert_int_equal(failed, 200);
}

static void test_truncated(void **state) {
    size_t len = 0;
    unsigned char *model = wi_test_read_data(HUB, &len);
    assert_non_null(model);
    int failed = 0, total = 0;
    /* the first bytes one by one, then offsets sampled over the whole file */
    for (size_t cut = 1; cut < 300; cut++, total++) failed += try_load(model, cut, "truncated") != WI_OK;
    for (int i = 0; i < 150; i++, total++) {
        size_t cut = 1 + next() % (len - 1);
        failed += try_load(model, cut, "truncated") != WI_OK;
    }
    /* a cut exactly between two messages can leave a valid smaller graph; nearly all fail */
    assert_true(failed >= total - 5);
    free(model);
}

/* One NodeDef cut short inside a well-formed GraphDef (outer lengths stay consistent), so the
 * truncation reaches the NodeDef, AttrValue and TensorProto readers, not just the top level. */
static void test_truncated_nodes(void **state) {
    size_t len = 0;
    unsigned char *model = wi_test_read_data(HUB, &len);
    assert_non_null(model);
    /* the node fields: where each starts (its key) and its payload */
    static struct { size_t key, data, len; } nodes[512];
    int nn = 0;
    wi_pb_reader r = wi_pb_reader_make(model, len);
    wi_pb_field f;
    size_t key = 0;
    while (wi_pb_next(&r, &f)) {
        if (f.number == 1 && nn < 512) {
            nodes[nn].key = key;
            nodes[nn].data = (size_t)(f.data - model);
            nodes[nn].len = f.len;
            nn++;
        }
        key = (size_t)(r.cur.pos - model);
    }
    assert_true(nn > 100);
    pbw w = {0};
    int failed = 0;
    for (int i = 0; i < 300; i++) {
        int k = (int)(next() % (uint64_t)nn);
        size_t cut = nodes[k].len ? next() % nodes[k].len : 0;
        /* a small node is cut anywhere; a large one (a weight) mostly near its start */
        if (nodes[k].len > 512 && next() % 4) cut = next() % 512;
        w.n = 0;
        pbw_bytes(&w, model, nodes[k].key);
        pbw_len(&w, 1, model + nodes[k].data, cut);
        size_t rest = nodes[k].data + nodes[k].len;
        pbw_bytes(&w, model + rest, len - rest);
        failed += try_load(w.p, w.n, "truncated node") != WI_OK;
    }
    free(w.p);
    printf("truncated nodes: %d of 300 refused\n", failed);
    assert_true(failed > 250);
    free(model);
}

/* The spans of tensor_content bytes (weights), so bit flips can aim at the structure. */
static int content_spans(const uint8_t *b, size_t n, size_t (*spans)[2], int cap) {
    int count = 0;
    wi_pb_reader g = wi_pb_reader_make(b, n), node, kv, val, t;
    wi_pb_field f, a, e, v, c;
    while (wi_pb_next(&g, &f)) {
        if (f.number != 1 || !wi_pb_sub(&g, &f, &node)) continue;
        while (wi_pb_next(&node, &a)) {
            if (a.number != 5 || !wi_pb_sub(&node, &a, &kv)) continue;
            while (wi_pb_next(&kv, &e)) {
                if (e.number != 2 || !wi_pb_sub(&kv, &e, &val)) continue;
                while (wi_pb_next(&val, &v)) {
                    if (v.number != 8 || !wi_pb_sub(&val, &v, &t)) continue;
                    while (wi_pb_next(&t, &c))
                        if (c.number == 4 && count < cap) {
                            spans[count][0] = (size_t)(c.data - b);
                            spans[count][1] = (size_t)(c.data - b) + c.len;
                            count++;
                        }
                }
            }
        }
    }
    return count;
}

static void test_bit_flips(void **state) {
    size_t len = 0;
    unsigned char *model = wi_test_read_data(HUB, &len);
    assert_non_null(model);
    static size_t spans[4096][2];
    int ns = content_spans(model, len, spans, 4096);
    assert_true(ns > 20);
    int done = 0, failed = 0;
    while (done < 120) {
        size_t off = next() % len;
        int in_weights = 0;
        for (int s = 0; s < ns && !in_weights; s++) in_weights = off >= spans[s][0] && off < spans[s][1];
        if (in_weights) continue;
        uint8_t bit = (uint8_t)(1u << (next() % 8));
        model[off] ^= bit;
        failed += try_load(model, len, "bit flip") != WI_OK;
        model[off] ^= bit;
        done++;
    }
    /* many flips in names or attribute values still describe a valid graph; many do not */
    printf("bit flips: %d of %d refused\n", failed, done);
    assert_true(failed > 10);
    free(model);
}

/* ---- hand-built GraphDefs: a valid base and one defect at a time ---- */

enum defect {
    OK_BASE, UNKNOWN_OP, EXPLICIT_PADDING, NCHW, TRAINING_BN, DANGLING_INPUT, CYCLE, HUGE_INPUT,
    RANK_9, NEGATIVE_DIM, UNKNOWN_INNER_DIM, HUGE_CONST, CONTENT_SIZE, TOO_MANY_VALUES,
    DUPLICATE_NAME, NO_PLACEHOLDER, TWO_PLACEHOLDERS, SECOND_OUTPUT, STRING_CONST,
    BAD_STRIDES, WRONG_FILTER, ZERO_STRIDE, EMPTY_NAME, DEFECT_COUNT
};

static const char *const k_expect[DEFECT_COUNT] = {
    [UNKNOWN_OP] = "unsupported op 'FancyOp'",
    [EXPLICIT_PADDING] = "unsupported padding 'EXPLICIT'",
    [NCHW] = "unsupported data_format 'NCHW'",
    [TRAINING_BN] = "is_training",
    [DANGLING_INPUT] = "'ghost'",
    [CYCLE] = "cycle",
    [HUGE_INPUT] = "elements",
    [RANK_9] = "rank",
    [NEGATIVE_DIM] = "dimension",
    [UNKNOWN_INNER_DIM] = "unknown dimension",
    [HUGE_CONST] = "elements",
    [CONTENT_SIZE] = "tensor_content",
    [TOO_MANY_VALUES] = "values for",
    [DUPLICATE_NAME] = "duplicate",
    [NO_PLACEHOLDER] = "no Placeholder",
    [TWO_PLACEHOLDERS] = "Placeholders",
    [SECOND_OUTPUT] = "output 1",
    [STRING_CONST] = "dtype",
    [BAD_STRIDES] = "strides",
    [WRONG_FILTER] = "input channels",
    [ZERO_STRIDE] = "strides",
    [EMPTY_NAME] = "name",
};

static void build(enum defect d, pbw *g) {
    pbw n;
    memset(g, 0, sizeof *g);
    /* x: Placeholder [1,4,4,3] */
    if (d != NO_PLACEHOLDER) {
        tf_node_begin(&n, d == EMPTY_NAME ? "" : "x", "Placeholder");
        tf_attr_type(&n, "dtype", 1);
        int64_t dims[9] = {1, 4, 4, 3, 1, 1, 1, 1, 1};
        if (d == HUGE_INPUT) dims[1] = dims[2] = (int64_t)1 << 40;
        if (d == NEGATIVE_DIM) dims[2] = -7;
        if (d == UNKNOWN_INNER_DIM) dims[1] = -1;
        tf_attr_shape(&n, "shape", dims, d == RANK_9 ? 9 : 4);
        pbw_msg(g, 1, &n);
    }
    if (d == TWO_PLACEHOLDERS) {
        tf_node_begin(&n, "x2", "Placeholder");
        tf_attr_type(&n, "dtype", 1);
        int64_t dims[4] = {1, 4, 4, 3};
        tf_attr_shape(&n, "shape", dims, 4);
        pbw_msg(g, 1, &n);
    }
    /* w: Const [1,1,3,2] */
    tf_node_begin(&n, d == DUPLICATE_NAME ? "x" : "w", "Const");
    tf_attr_type(&n, "dtype", d == STRING_CONST ? 7 : 1);
    float vals[16] = {1, -1, 0.5f, 2, -0.25f, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    int64_t wd[4] = {1, 1, d == WRONG_FILTER ? 5 : 3, 2};
    if (d == HUGE_CONST) wd[0] = (int64_t)1 << 31;
    int nvals = d == HUGE_CONST ? 1 : (int)(wd[2] * 2);
    if (d == TOO_MANY_VALUES) nvals = 6, wd[2] = 1;
    tf_attr_tensor(&n, d == STRING_CONST ? 7 : 1, wd, 4, vals, nvals, d == CONTENT_SIZE ? 1 : 0);
    if (d == CONTENT_SIZE) { /* rebuild with raw content one float short */
        free(n.p);
        tf_node_begin(&n, "w", "Const");
        tf_attr_type(&n, "dtype", 1);
        tf_attr_tensor(&n, 1, wd, 4, vals, 5, 1);
    }
    pbw_msg(g, 1, &n);
    /* conv: Conv2D(x, w) */
    tf_node_begin(&n, "conv", d == UNKNOWN_OP ? "FancyOp" : "Conv2D");
    tf_input(&n, d == NO_PLACEHOLDER ? "w" : "x");
    tf_input(&n, d == DANGLING_INPUT ? "ghost" : d == DUPLICATE_NAME ? "x" : "w");
    tf_input(&n, "^w"); /* a control dependency, ignored */
    if (d == CYCLE) tf_input(&n, "out");
    tf_attr_type(&n, "T", 1);
    tf_attr_s(&n, "padding", d == EXPLICIT_PADDING ? "EXPLICIT" : "VALID");
    tf_attr_s(&n, "data_format", d == NCHW ? "NCHW" : "NHWC");
    int64_t strides[4] = {1, 1, 1, 1};
    if (d == BAD_STRIDES) strides[0] = 2;
    if (d == ZERO_STRIDE) strides[1] = 0;
    tf_attr_ints(&n, "strides", strides, 4);
    pbw_msg(g, 1, &n);
    if (d == CYCLE) { /* conv reads out, out reads conv: 3 inputs is also wrong, use an Add */
        free(g->p);
        memset(g, 0, sizeof *g);
        tf_node_begin(&n, "x", "Placeholder");
        tf_attr_type(&n, "dtype", 1);
        int64_t dims[2] = {1, 3};
        tf_attr_shape(&n, "shape", dims, 2);
        pbw_msg(g, 1, &n);
        tf_node_begin(&n, "a", "Add");
        tf_input(&n, "x");
        tf_input(&n, "b");
        pbw_msg(g, 1, &n);
        tf_node_begin(&n, "b", "Add");
        tf_input(&n, "a");
        tf_input(&n, "x");
        pbw_msg(g, 1, &n);
        tf_node_begin(&n, "out", "Relu");
        tf_input(&n, "b");
        pbw_msg(g, 1, &n);
        return;
    }
    /* bn: FusedBatchNorm(conv, 4 x Const [2]) then out: Relu6 */
    const char *pn[4] = {"gamma", "beta", "mean", "var"};
    float p2[2] = {1, 0.5f};
    for (int i = 0; i < 4; i++) {
        tf_node_begin(&n, pn[i], "Const");
        tf_attr_type(&n, "dtype", 1);
        int64_t cd[1] = {2};
        tf_attr_tensor(&n, 1, cd, 1, p2, 2, 0);
        pbw_msg(g, 1, &n);
    }
    tf_node_begin(&n, "bn", "FusedBatchNorm");
    tf_input(&n, "conv");
    for (int i = 0; i < 4; i++) tf_input(&n, pn[i]);
    tf_attr_b(&n, "is_training", d == TRAINING_BN);
    pbw_msg(g, 1, &n);
    tf_node_begin(&n, "out", "Relu6");
    tf_input(&n, d == SECOND_OUTPUT ? "bn:1" : "bn:0");
    pbw_msg(g, 1, &n);
}

static void test_handmade_defects(void **state) {
    pbw g;
    build(OK_BASE, &g);
    wi_model *m = NULL;
    wi_error err;
    if (wi_model_load(g.p, g.n, NULL, &m, &err) != WI_OK) fail_msg("the base graph must load: %s", err.message);
    wi_tensor_info out;
    wi_model_output_info(m, 0, &out);
    assert_string_equal(out.name, "out");
    assert_true(out.dims[1] == 4 && out.dims[3] == 2);
    wi_model_free(m);
    free(g.p);
    for (int d = 1; d < DEFECT_COUNT; d++) {
        build((enum defect)d, &g);
        m = NULL;
        wi_status st = wi_model_load(g.p, g.n, NULL, &m, &err);
        free(g.p);
        if (st == WI_OK) fail_msg("defect %d loaded", d);
        assert_null(m);
        if (!strstr(err.message, k_expect[d]))
            fail_msg("defect %d: message '%s' lacks '%s'", d, err.message, k_expect[d]);
        if (strncmp(err.message, "tf: ", 4) != 0) fail_msg("defect %d: '%s' lacks the tf: prefix", d, err.message);
    }
}

/* NoOp nodes (control-dependency anchors) and StopGradient are accepted and vanish. */
static void test_noop_and_stop_gradient(void **state) {
    pbw g, n;
    build(OK_BASE, &g);
    tf_node_begin(&n, "init", "NoOp");
    tf_input(&n, "^out");
    pbw_msg(&g, 1, &n);
    tf_node_begin(&n, "sg", "StopGradient");
    tf_input(&n, "w");
    pbw_msg(&g, 1, &n);
    tf_node_begin(&n, "sg_sink", "Relu");
    tf_input(&n, "sg");
    pbw_msg(&g, 1, &n);
    wi_model_options o;
    wi_model_options_init(&o);
    o.output_name = "out";
    wi_model *m = NULL;
    wi_error err;
    if (wi_model_load(g.p, g.n, &o, &m, &err) != WI_OK) fail_msg("%s", err.message);
    wi_model_free(m);
    /* reading a NoOp as data is refused */
    tf_node_begin(&n, "bad", "Relu");
    tf_input(&n, "init");
    pbw_msg(&g, 1, &n);
    o.output_name = "bad";
    assert_int_not_equal(wi_model_load(g.p, g.n, &o, &m, &err), WI_OK);
    assert_null(m);
    free(g.p);
}

static void test_limits_from_options(void **state) {
    pbw g, g2, n;
    build(OK_BASE, &g);
    wi_model_options o;
    wi_model_options_init(&o);
    o.max_elements = 20; /* the 4x4x3 input has 48 */
    wi_model *m = NULL;
    wi_error err;
    assert_int_equal(wi_model_load(g.p, g.n, &o, &m, &err), WI_E_LIMIT);
    assert_non_null(strstr(err.message, "elements"));
    wi_model_options_init(&o);
    o.input_name = "nope";
    assert_int_equal(wi_model_load(g.p, g.n, &o, &m, &err), WI_E_NOT_FOUND);
    assert_non_null(strstr(err.message, "'nope'"));
    o.input_name = NULL;
    o.output_name = "init"; /* not a tensor at all */
    build(OK_BASE, &g2);
    tf_node_begin(&n, "init", "NoOp");
    pbw_msg(&g2, 1, &n);
    tf_node_begin(&n, "shape", "Shape");
    tf_input(&n, "out");
    pbw_msg(&g2, 1, &n);
    assert_int_equal(wi_model_load(g2.p, g2.n, &o, &m, &err), WI_E_UNSUPPORTED);
    assert_non_null(strstr(err.message, "float32"));
    o.output_name = "shape"; /* int32 */
    assert_int_equal(wi_model_load(g2.p, g2.n, &o, &m, &err), WI_E_UNSUPPORTED);
    assert_non_null(strstr(err.message, "int32"));
    free(g2.p);
    o.output_name = NULL;
    o.input_name = "w"; /* a Const is not an input */
    assert_int_equal(wi_model_load(g.p, g.n, &o, &m, &err), WI_E_UNSUPPORTED);
    free(g.p);
    /* two Placeholders: naming the one the graph reads works, naming the other explains */
    build(TWO_PLACEHOLDERS, &g);
    o.input_name = "x";
    assert_int_equal(wi_model_load(g.p, g.n, &o, &m, &err), WI_OK);
    wi_model_free(m);
    o.input_name = "x2";
    assert_int_equal(wi_model_load(g.p, g.n, &o, &m, &err), WI_E_NOT_FOUND);
    assert_non_null(strstr(err.message, "reads 'x'"));
    free(g.p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_and_random), cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_truncated_nodes),
        cmocka_unit_test(test_bit_flips),        cmocka_unit_test(test_handmade_defects),
        cmocka_unit_test(test_noop_and_stop_gradient),
        cmocka_unit_test(test_limits_from_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
