/*
 * make-model-seeds.c - writes the TFLite and ONNX seeds of fuzz/corpus/{tflite,onnx}/ with
 * the test suites' own model writers (tests/tflite/tflite-builder.h, tests/onnx/onnx-build.c),
 * so no FlatBuffer or protobuf library and no shared test data is needed. The GraphDef and
 * TF.js seeds come from fuzz/make-corpus.py.
 *
 *   cmake --build build --target fuzz-make-model-seeds && build/tests/fuzz/fuzz-make-model-seeds fuzz/corpus
 */
#include <stdio.h>
#include <stdlib.h>

#include "onnx/onnx-build.h"
#include "tflite/tflite-builder.h"

enum { T_FLOAT32 = 0 };
enum { OP_FC = 9, OP_SOFTMAX = 25 };

static int write_file(const char *dir, const char *target, const char *name, const void *b, size_t n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/seed-%s", dir, target, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "make-model-seeds: cannot write %s\n", path);
        return 1;
    }
    return 0;
}

static int tflite_seeds(const char *dir)
{
    static const float w[3][4] = {{1, -2, 0.5f, 3}, {0, 1, 1, -1}, {-1, 0.25f, 2, 0}};
    static const float bias[3] = {0.5f, -4, 1};
    tb_tensor t[5] = {
        {"x", T_FLOAT32, 2, {1, 4}, NULL, 0, 0, 0, 0},
        {"w", T_FLOAT32, 2, {3, 4}, w, sizeof w, 0, 0, 0},
        {"b", T_FLOAT32, 1, {3}, bias, sizeof bias, 0, 0, 0},
        {"fc", T_FLOAT32, 2, {1, 3}, NULL, 0, 0, 0, 0},
        {"prob", T_FLOAT32, 2, {1, 3}, NULL, 0, 0, 0, 0},
    };
    tb_op ops[2] = {
        {OP_FC, {0, 1, 2}, 3, 3, 8, 1, {1 /* RELU */}},
        {OP_SOFTMAX, {3}, 1, 4, 9, 1, {0x3F800000 /* beta 1.0f */}},
    };
    size_t len;
    uint8_t *fc = tb_model(t, 4, ops, 1, 0, 3, &len);
    int bad = !fc || write_file(dir, "tflite", "fc-relu.tflite", fc, len);
    free(fc);
    uint8_t *sm = tb_model(t, 5, ops, 2, 0, 4, &len);
    bad |= !sm || write_file(dir, "tflite", "fc-softmax.tflite", sm, len);
    if (sm) bad |= write_file(dir, "model-load", "tflite-fc-softmax.tflite", sm, len);
    free(sm);
    return bad;
}

static int onnx_seeds(const char *dir)
{
    ob b;
    ob_init(&b, 13);
    int64_t xd[4] = {1, 3, 5, 5};
    ob_input(&b, "x", 4, xd);
    float w[4 * 3 * 3 * 3], wb[4] = {0.1f, -0.1f, 0.2f, 0};
    for (int i = 0; i < 108; i++) w[i] = (float)((i * 7) % 13 - 6) * 0.05f;
    int64_t wd[4] = {4, 3, 3, 3}, bd[1] = {4};
    ob_init_f32(&b, "W", 4, wd, w);
    ob_init_f32(&b, "B", 1, bd, wb);
    pbw attrs = {0};
    int64_t st[2] = {2, 2}, ks[2] = {3, 3}, pads[4] = {1, 1, 1, 1};
    ob_attr_ints(&attrs, "strides", 2, st);
    ob_attr_ints(&attrs, "kernel_shape", 2, ks);
    ob_attr_ints(&attrs, "pads", 4, pads);
    ob_node(&b, "Conv", "x,W,B", "c", &attrs);
    pbw_free(&attrs);
    ob_node(&b, "Relu", "c", "r", NULL);
    ob_node(&b, "GlobalAveragePool", "r", "g", NULL);
    pbw flat = {0};
    ob_attr_int(&flat, "axis", 1);
    ob_node(&b, "Flatten", "g", "f", &flat);
    pbw_free(&flat);
    float fw[4 * 2] = {1, -1, 0.5f, 2, -0.5f, 1, 0, 0.25f};
    int64_t fwd[2] = {4, 2};
    ob_init_f32(&b, "FW", 2, fwd, fw);
    ob_node(&b, "MatMul", "f,FW", "m", NULL);
    ob_node(&b, "Softmax", "m", "y", NULL);
    ob_output(&b, "y");
    pbw model = {0};
    ob_model(&b, &model);
    int bad = model.fail || write_file(dir, "onnx", "conv-gap-matmul-softmax.onnx", model.buf, model.len);
    if (!model.fail)
        bad |= write_file(dir, "model-load", "onnx-conv-gap-matmul-softmax.onnx", model.buf, model.len);
    pbw_free(&model);
    ob_free(&b);
    return bad;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR (fuzz/corpus)\n", argv[0]);
        return 2;
    }
    return tflite_seeds(argv[1]) | onnx_seeds(argv[1]);
}
