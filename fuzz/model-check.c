/*
 * model-check.c - what every model harness does with its bytes (model-check.h).
 *
 * Running the loaded model matters: a loader or shape-inference bug that accepts an
 * inconsistent graph shows up as an out-of-bounds access in a kernel, not in the parser.
 * The element limit is lowered so a fuzzed model cannot spend seconds in one convolution.
 */
#include <string.h>

#include "fuzz.h"
#include "model-check.h"

enum { FUZZ_MAX_ELEMENTS = 1 << 16 };

static void count_ops(const char *op_name, int count, void *user)
{
    if (!op_name || !op_name[0] || count <= 0) fuzz_fail("bad op histogram entry");
    *(int *)user += count;
}

static void check_info(const wi_tensor_info *info)
{
    if (!info->name) fuzz_fail("tensor info without a name");
    if (info->rank < 0 || info->rank > WI_MAX_RANK) fuzz_fail("rank %d", info->rank);
    for (int d = 0; d < info->rank; d++)
        if (info->dims[d] < 0) fuzz_fail("negative dimension %lld", (long long)info->dims[d]);
}

static void run_once(const wi_model *model)
{
    wi_session *session = NULL;
    wi_error err;
    if (wi_session_create(model, NULL, &session, &err) != WI_OK) {
        if (!err.message[0]) fuzz_fail("session error without a message");
        return;
    }
    for (int i = 0; i < wi_model_input_count(model); i++) {
        size_t count = 0;
        float *in = wi_session_input_buffer(session, i, &count);
        if (!in) fuzz_fail("no buffer for input %d", i);
        for (size_t k = 0; k < count; k++) in[k] = (float)((int)(k % 17) - 8) * 0.125f;
    }
    wi_status st = wi_session_run(session);
    if (fuzz_verbose())
        fprintf(stderr, "  run: %s\n", st == WI_OK ? "ok" : wi_session_errmsg(session));
    if (st == WI_OK) {
        for (int i = 0; i < wi_model_output_count(model); i++) {
            size_t count = 0;
            const float *out = wi_session_output(session, i, &count);
            if (!out) fuzz_fail("no output %d after a successful run", i);
            volatile float sink = 0; /* read every element: ASan checks the extent */
            for (size_t k = 0; k < count; k++) sink += out[k];
            (void)sink;
        }
    } else if (!wi_session_errmsg(session)[0]) {
        fuzz_fail("run failed without a message");
    }
    wi_session_free(session);
}

int fuzz_model_bytes(const uint8_t *data, size_t size, wi_format format)
{
    wi_model_options opts;
    wi_model_options_init(&opts);
    opts.format = format;
    opts.max_elements = FUZZ_MAX_ELEMENTS;
    wi_model *model = NULL;
    wi_error err;
    wi_status st = wi_model_load(data, size, &opts, &model, &err);
    if (fuzz_verbose()) fprintf(stderr, "  load: %s\n", st == WI_OK ? "ok" : err.message);
    if (st != WI_OK) {
        if (model) fuzz_fail("failed load returned a model");
        if (err.status != st || !err.message[0]) fuzz_fail("load error without a message");
        return 0;
    }
    if (!model) fuzz_fail("successful load without a model");

    wi_tensor_info info;
    for (int i = 0; i < wi_model_input_count(model); i++) {
        if (wi_model_input_info(model, i, &info) != WI_OK) fuzz_fail("input %d info", i);
        check_info(&info);
    }
    for (int i = 0; i < wi_model_output_count(model); i++) {
        if (wi_model_output_info(model, i, &info) != WI_OK) fuzz_fail("output %d info", i);
        check_info(&info);
    }
    wi_model_stats stats;
    wi_model_get_stats(model, &stats);
    int ops = 0;
    wi_model_op_histogram(model, count_ops, &ops);
    (void)wi_model_output_is_probabilities(model);
    (void)wi_format_name(wi_model_format(model));

    run_once(model);
    wi_model_free(model);
    return 0;
}
