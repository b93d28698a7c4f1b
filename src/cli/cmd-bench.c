/*
 * cmd-bench.c - `wasinfer bench`: load time, first inference, then steady-state latency over
 * a fixed deterministic input, and peak memory.
 */
#include <stdlib.h>
#include <string.h>

#include "classify/clock.h"
#include "cli/cli.h"
#include "kernels/kernels.h" /* wi_kernels_isa */

static const char USAGE[] =
    "usage: wasinfer bench --model M [--threads N] [--runs R] [--warmup W] [--profile] [--json]\n"
    "\n"
    "  --model M     the model file\n"
    "  --threads N   threads per inference (default 1)\n"
    "  --runs R      timed runs after warm-up (default 50)\n"
    "  --warmup W    untimed runs after the first (default 5)\n"
    "  --input NAME, --output NAME   node overrides, as in classify\n"
    "  --profile     then R more runs timing each node: a table of the nodes by time\n"
    "                (with --json: \"profile\", [{name, kind, ms}] per node in run order)\n"
    "  --json        one JSON object: load_ms, first_ms, median_ms, p90_ms, peak_rss_mb,\n"
    "                runs, threads, model (and mean_ms, min_ms)\n"
    "\n"
    "load_ms is from the model's bytes in memory to a ready session (reading the file is\n"
    "not counted). peak_rss_mb is -1 where the platform cannot tell (wasm).\n";

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The same input every time: a smooth pattern in [-1, 1], like a normalized image. */
static void fill_input(float *x, size_t n)
{
    uint32_t s = 0x9E3779B9u;
    for (size_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        x[i] = (float)((s >> 8) & 0xFFFF) / 32767.5f - 1.0f;
    }
}

static int run_once(cli_model *m, const char *path, double *ms)
{
    double t0 = wi_monotonic_ms();
    wi_status st = wi_session_run(m->session);
    *ms = wi_monotonic_ms() - t0;
    if (st != WI_OK) return cli_fail("%s: %s", path, wi_session_errmsg(m->session));
    return CLI_EXIT_OK;
}

static int by_time_desc(const void *a, const void *b)
{
    double x = ((const wi_node_profile *)a)->total_ms, y = ((const wi_node_profile *)b)->total_ms;
    return (x < y) - (x > y);
}

/* `runs` more runs with per-node timing, printed as a table (slowest first) or, for --json,
 * as the "profile" member (run order) that the caller's object continues with. */
static int print_profile(cli_model *m, const char *path, int runs, int json)
{
    if (wi_session_set_profiling(m->session, 1) != WI_OK)
        return cli_fail("%s: %s", path, wi_session_errmsg(m->session));
    double ignored;
    for (int i = 0; i < runs; i++) {
        int rc = run_once(m, path, &ignored);
        if (rc != CLI_EXIT_OK) return rc;
    }
    int count = wi_session_profile(m->session, NULL, 0);
    wi_node_profile *nodes = malloc(sizeof *nodes * (size_t)(count > 0 ? count : 1));
    if (!nodes) return cli_fail("out of memory");
    wi_session_profile(m->session, nodes, count);
    double total = 0;
    for (int i = 0; i < count; i++) total += nodes[i].total_ms;
    if (json) {
        fputs(", \"profile\": [", stdout);
        for (int i = 0; i < count; i++) {
            fputs(i ? ", {\"name\": " : "{\"name\": ", stdout);
            cli_json_string(stdout, nodes[i].name);
            fputs(", \"kind\": ", stdout);
            cli_json_string(stdout, nodes[i].kind);
            printf(", \"ms\": %.4f}", nodes[i].total_ms / (double)nodes[i].runs);
        }
        fputs("]", stdout);
    } else {
        qsort(nodes, (size_t)count, sizeof *nodes, by_time_desc);
        printf("profile      %d nodes, %d runs, %.3f ms per run in nodes\n", count, runs,
               total / runs);
        printf("  %9s %6s  %-38s %s\n", "ms/run", "share", "kind", "node");
        for (int i = 0; i < count; i++)
            printf("  %9.4f %5.1f%%  %-38s %s\n", nodes[i].total_ms / runs,
                   total > 0 ? 100.0 * nodes[i].total_ms / total : 0.0, nodes[i].kind, nodes[i].name);
    }
    free(nodes);
    return CLI_EXIT_OK;
}

int wi_cli_bench(int argc, char **argv)
{
    const char *model = NULL, *threads_s = NULL, *runs_s = NULL, *warmup_s = NULL;
    const char *input = NULL, *output = NULL;
    int json = 0, profile = 0, threads = 1, runs = 50, warmup = 5;
    const cli_option options[] = {
        {"--model", &model, NULL},   {"--threads", &threads_s, NULL}, {"--runs", &runs_s, NULL},
        {"--warmup", &warmup_s, NULL}, {"--input", &input, NULL},     {"--output", &output, NULL},
        {"--json", NULL, &json},     {"--profile", NULL, &profile},
    };
    char *extra[1];
    int count = 0;
    int rc = cli_parse(argc, argv, options, (int)(sizeof options / sizeof *options), USAGE, extra, 0,
                       &count);
    if (rc != CLI_EXIT_OK) return rc < 0 ? CLI_EXIT_OK : rc;
    if (!model) return cli_usage_error("bench", "--model is required");
    if (threads_s && !cli_parse_int(threads_s, 1, 256, &threads))
        return cli_usage_error("bench", "--threads must be 1..256, not '%s'", threads_s);
    if (runs_s && !cli_parse_int(runs_s, 1, 1000000, &runs))
        return cli_usage_error("bench", "--runs must be 1..1000000, not '%s'", runs_s);
    if (warmup_s && !cli_parse_int(warmup_s, 0, 1000000, &warmup))
        return cli_usage_error("bench", "--warmup must be 0..1000000, not '%s'", warmup_s);

    cli_model m;
    rc = cli_model_open(model, input, output, threads, &m);
    if (rc != CLI_EXIT_OK) return rc;
    double *times = malloc(sizeof *times * (size_t)runs);
    if (!times) {
        cli_model_close(&m);
        return cli_fail("out of memory");
    }
    for (int i = 0; i < wi_model_input_count(m.model) && rc == CLI_EXIT_OK; i++) {
        size_t n = 0;
        float *x = wi_session_input_buffer(m.session, i, &n);
        if (!x) rc = cli_fail("%s: input %d has no buffer", model, i);
        else fill_input(x, n);
    }
    double first_ms = 0, ignored;
    if (rc == CLI_EXIT_OK) rc = run_once(&m, model, &first_ms);
    for (int i = 0; i < warmup && rc == CLI_EXIT_OK; i++) rc = run_once(&m, model, &ignored);
    for (int i = 0; i < runs && rc == CLI_EXIT_OK; i++) rc = run_once(&m, model, &times[i]);
    if (rc == CLI_EXIT_OK) {
        double mean = 0;
        for (int i = 0; i < runs; i++) mean += times[i] / runs;
        qsort(times, (size_t)runs, sizeof *times, compare_double);
        double median = runs % 2 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
        int p90_index = (runs * 9 + 9) / 10 - 1; /* ceil(0.9 * runs) - 1 */
        double p90 = times[p90_index], rss = cli_peak_rss_mb();
        if (json) {
            fputs("{\"model\": ", stdout);
            cli_json_string(stdout, model);
            printf(", \"threads\": %d, \"runs\": %d, \"load_ms\": %.3f, \"first_ms\": %.3f, "
                   "\"median_ms\": %.3f, \"p90_ms\": %.3f, \"mean_ms\": %.3f, \"min_ms\": %.3f, "
                   "\"peak_rss_mb\": %.1f, \"isa\": \"%s\"",
                   threads, runs, m.load_ms, first_ms, median, p90, mean, times[0], rss,
                   wi_kernels_isa());
            if (profile) rc = print_profile(&m, model, runs, 1);
            puts("}");
        } else {
            printf("model        %s (%d thread%s, kernels %s)\n", model, threads,
                   threads == 1 ? "" : "s", wi_kernels_isa());
            printf("load         %.2f ms (bytes to ready session; file read %.2f ms)\n", m.load_ms,
                   m.read_ms);
            printf("first run    %.2f ms\n", first_ms);
            printf("%d runs      median %.2f ms, p90 %.2f ms, mean %.2f ms, min %.2f ms\n", runs,
                   median, p90, mean, times[0]);
            if (rss >= 0) printf("peak RSS     %.1f MB\n", rss);
            else printf("peak RSS     unknown on this platform\n");
            if (profile) rc = print_profile(&m, model, runs, 0);
        }
    }
    free(times);
    cli_model_close(&m);
    return rc;
}
