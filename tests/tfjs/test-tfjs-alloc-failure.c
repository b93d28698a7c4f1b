/*
 * Allocation failures in the TF.js loader (as tests/malformed-model/test-alloc-failure.c does
 * for GraphDefs): malloc/calloc/realloc are wrapped at link time so the Nth call fails; for
 * every N until a load succeeds, wi_model_load_tfjs of a small fused model plus a session
 * must return a clean status and leak nothing (checked under ASan's leak detector).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "alloc-sweep.h"
#include "tfjs/tfjs-test-util.h"


static const char *k_nodes =
    INPUT("{\"size\":\"-1\"},{\"size\":\"4\"},{\"size\":\"4\"},{\"size\":\"2\"}") "," CONST("w") "," CONST("b") ","
    NODE("conv", "_FusedConv2D", "\"x\",\"w\",\"b\"",
         CONV_ATTRS("2", B64_SAME) FUSED("\"" B64_BIASADD "\",\"" B64_RELU6 "\"", "1")) ","
    NODE("out", "Mean", "\"conv\",\"axes\"", T_FLOAT ",\"keep_dims\":{\"b\":false}") ","
    "{\"name\":\"axes\",\"op\":\"Const\",\"attr\":{\"dtype\":{\"type\":\"DT_INT32\"}}}";

struct tfjs_model { const char *json; const uint8_t *shard; size_t shard_len; };

static wi_status load_model(void *ctx, wi_model **out, wi_error *err) {
    const struct tfjs_model *tm = ctx;
    return tj_load(tm->json, tm->shard, tm->shard_len, out, err);
}

static void test_sweep(void **state) {
    const char *weights = WEIGHT("w", "1,1,2,3") "," WEIGHT("b", "3") ",{\"name\":\"axes\",\"shape\":[2],\"dtype\":\"int32\"}";
    char *json = tj_model(k_nodes, weights);
    uint8_t shard[6 * 4 + 3 * 4 + 2 * 4];
    float w[6] = {1, -1, 0.5f, 2, 0, -2}, b[3] = {0.1f, 0.2f, -0.3f};
    int32_t axes[2] = {1, 2};
    memcpy(shard, w, sizeof w);
    memcpy(shard + sizeof w, b, sizeof b);
    memcpy(shard + sizeof w + sizeof b, axes, sizeof axes);
    struct tfjs_model tm = {json, shard, sizeof shard};
    wi_test_alloc_sweep(load_model, &tm);
    free(json);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_sweep)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
