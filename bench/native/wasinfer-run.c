/*
 * wasinfer-run: the benchmark harness's native runner. Runs one model on the harness's fixed
 * input file through the public API, prints one JSON line with the same fields as the peer
 * runners (bench/peers/common.mjs) and can dump output 0 for the agreement check.
 *
 *   wasinfer-run --model M.pb --input input_224.f32 [--threads N] [--runs R] [--warmup W]
 *                [--dump OUT.f32]
 *
 * It exists because `wasinfer bench` times its own fixed input, so its output cannot be
 * compared with the peers'. Built by scripts/bench.sh against build/libwasinfer.a.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#include "wasinfer.h"

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* CPU time of the whole process (all threads): what other load on the machine does not add. */
static double cpu_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Linear interpolation between order statistics, as bench/peers/common.mjs does. */
static double quantile(const double *sorted, int n, double q) {
    double pos = (n - 1) * q;
    int lo = (int)pos, hi = lo + (pos > lo ? 1 : 0);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/* Reads a whole file; NULL with a message on failure. */
static void *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "wasinfer-run: cannot open %s\n", path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *data = size > 0 ? malloc((size_t)size) : NULL;
    if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "wasinfer-run: cannot read %s\n", path);
        free(data);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *len = (size_t)size;
    return data;
}

int main(int argc, char **argv) {
    const char *model_path = NULL, *input_path = NULL, *dump_path = NULL;
    int threads = 1, runs = 20, warmup = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--model")) model_path = argv[i + 1];
        else if (!strcmp(argv[i], "--input")) input_path = argv[i + 1];
        else if (!strcmp(argv[i], "--dump")) dump_path = argv[i + 1];
        else if (!strcmp(argv[i], "--threads")) threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--runs")) runs = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--warmup")) warmup = atoi(argv[i + 1]);
        else {
            fprintf(stderr, "wasinfer-run: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (!model_path || !input_path || threads < 1 || runs < 1 || warmup < 0) {
        fprintf(stderr, "usage: wasinfer-run --model M --input F.f32 [--threads N] [--runs R] "
                        "[--warmup W] [--dump OUT.f32]\n");
        return 2;
    }

    int rc = 1;
    size_t model_len = 0, input_len = 0;
    void *model_bytes = read_file(model_path, &model_len);
    float *input = read_file(input_path, &input_len);
    double *times = calloc((size_t)runs, sizeof *times);
    double *cpu_times = calloc((size_t)runs, sizeof *cpu_times);
    wi_model *model = NULL;
    wi_session *session = NULL;
    wi_error err = {0};
    if (!model_bytes || !input || !times || !cpu_times) goto done;

    /* load_ms: model bytes in memory -> session ready, as for the peers. */
    double t0 = now_ms();
    wi_session_options options;
    wi_session_options_init(&options);
    options.threads = threads;
    if (wi_model_load(model_bytes, model_len, NULL, &model, &err) != WI_OK ||
        wi_session_create(model, &options, &session, &err) != WI_OK) {
        fprintf(stderr, "wasinfer-run: %s: %s\n", model_path, err.message);
        goto done;
    }
    double load_ms = now_ms() - t0;

    if (wi_session_set_input(session, 0, input, input_len / sizeof(float)) != WI_OK) {
        fprintf(stderr, "wasinfer-run: input: %s\n", wi_session_errmsg(session));
        goto done;
    }
    t0 = now_ms();
    if (wi_session_run(session) != WI_OK) {
        fprintf(stderr, "wasinfer-run: run: %s\n", wi_session_errmsg(session));
        goto done;
    }
    double first_ms = now_ms() - t0;
    size_t out_count = 0;
    const float *out = wi_session_output(session, 0, &out_count);
    if (dump_path) {
        FILE *f = fopen(dump_path, "wb");
        if (!f || fwrite(out, sizeof(float), out_count, f) != out_count) {
            fprintf(stderr, "wasinfer-run: cannot write %s\n", dump_path);
            if (f) fclose(f);
            goto done;
        }
        fclose(f);
    }
    for (int i = 0; i < warmup + runs; i++) {
        double c0 = cpu_ms();
        t0 = now_ms();
        if (wi_session_set_input(session, 0, input, input_len / sizeof(float)) != WI_OK ||
            wi_session_run(session) != WI_OK) {
            fprintf(stderr, "wasinfer-run: run: %s\n", wi_session_errmsg(session));
            goto done;
        }
        if (i >= warmup) {
            times[i - warmup] = now_ms() - t0;
            cpu_times[i - warmup] = cpu_ms() - c0;
        }
    }

    double *sorted = malloc((size_t)runs * sizeof *sorted);
    if (!sorted) goto done;
    memcpy(sorted, times, (size_t)runs * sizeof *sorted);
    qsort(cpu_times, (size_t)runs, sizeof *cpu_times, cmp_double);
    double cpu_median = quantile(cpu_times, runs, 0.5);
    qsort(sorted, (size_t)runs, sizeof *sorted, cmp_double);
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    printf("{\"runtime\":\"wasinfer-native\",\"threads\":%d,\"load_ms\":%.3f,\"first_ms\":%.3f,"
           "\"median_ms\":%.3f,\"p90_ms\":%.3f,\"min_ms\":%.3f,\"cpu_median_ms\":%.3f,"
           "\"peak_rss_mb\":%.3f,\"runs\":%d,\"warmup\":%d,\"times_ms\":[",
           threads, load_ms, first_ms, quantile(sorted, runs, 0.5), quantile(sorted, runs, 0.9),
           sorted[0], cpu_median, (double)usage.ru_maxrss / 1024.0, runs, warmup);
    for (int i = 0; i < runs; i++) printf("%s%.3f", i ? "," : "", times[i]);
    printf("],\"version\":\"%s\"}\n", WI_VERSION_STRING);
    free(sorted);
    rc = 0;

done:
    wi_session_free(session);
    wi_model_free(model);
    free(times);
    free(cpu_times);
    free(input);
    free(model_bytes);
    return rc;
}
