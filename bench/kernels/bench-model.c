/*
 * bench-model: whole-model latency through the public API, reported both as wall time and as
 * the calling thread's CPU time (with 1 thread, CPU time is what the run would take on an idle
 * core; on a shared, busy machine wall time also counts the time the thread waited for a CPU).
 *
 *   build-x/bench-model MODEL [--threads N] [--runs R] [--dump FILE]
 * --dump writes the output tensor as raw float32 (compare paths: run once per WASINFER_ISA).
 * Environment: WASINFER_ISA=ref|generic|avx2|avx512 forces a lower kernel path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "kernels.h"
#include "wasinfer.h"

static double clock_ms(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s MODEL [--threads N] [--runs R]\n", argv[0]);
        return 2;
    }
    int threads = 1, runs = 30;
    const char *dump = NULL;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--threads")) threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--runs")) runs = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--dump")) dump = argv[i + 1];
    }
    if (runs < 1) runs = 1;
    wi_error err;
    wi_model *model = NULL;
    wi_session *session = NULL;
    if (wi_model_load_file(argv[1], NULL, &model, &err) != WI_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    wi_session_options opts;
    wi_session_options_init(&opts);
    opts.threads = threads;
    if (wi_session_create(model, &opts, &session, &err) != WI_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    wi_tensor_info info;
    wi_model_input_info(model, 0, &info);
    size_t count = 1;
    for (int d = 0; d < info.rank; d++) count *= info.dims[d] > 0 ? (size_t)info.dims[d] : 1;
    float *input = malloc(count * sizeof(float));
    for (size_t i = 0; i < count; i++) input[i] = (float)((i * 7919) % 2001) / 1000.0f - 1.0f;
    double *wall = malloc(sizeof(double) * runs), *cpu = malloc(sizeof(double) * runs);
    wi_session_set_input(session, 0, input, count);
    for (int r = -3; r < runs; r++) {
        double w0 = clock_ms(CLOCK_MONOTONIC), c0 = clock_ms(CLOCK_THREAD_CPUTIME_ID);
        if (wi_session_run(session) != WI_OK) {
            fprintf(stderr, "%s\n", wi_session_errmsg(session));
            return 1;
        }
        if (r >= 0) {
            wall[r] = clock_ms(CLOCK_MONOTONIC) - w0;
            cpu[r] = clock_ms(CLOCK_THREAD_CPUTIME_ID) - c0;
        }
    }
    qsort(wall, runs, sizeof(double), cmp_double);
    qsort(cpu, runs, sizeof(double), cmp_double);
    size_t n = 0;
    const float *out = wi_session_output(session, 0, &n);
    double checksum = 0;
    for (size_t i = 0; i < n; i++) checksum += out[i] * (double)(i % 13 + 1);
    if (dump) {
        FILE *f = fopen(dump, "wb");
        if (!f || fwrite(out, sizeof(float), n, f) != n) {
            fprintf(stderr, "cannot write %s\n", dump);
            return 1;
        }
        fclose(f);
    }
    printf("%s isa %s threads %d runs %d: wall median %.3f ms min %.3f ms, caller cpu median "
           "%.3f ms min %.3f ms, output checksum %.6f\n",
           argv[1], wi_kernels_isa(), threads, runs, wall[runs / 2], wall[0], cpu[runs / 2],
           cpu[0], checksum);
    free(wall);
    free(cpu);
    free(input);
    wi_session_free(session);
    wi_model_free(model);
    return 0;
}
