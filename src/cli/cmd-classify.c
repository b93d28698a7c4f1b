/*
 * cmd-classify.c - `wasinfer classify`: the top classes of each image. The model is loaded
 * once; each image is decoded, resized to the model's input, run, and reported as text or
 * as one JSON object per line.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char USAGE[] =
    "usage: wasinfer classify --model M [options] IMAGE...\n"
    "\n"
    "  --model M         the model file (TensorFlow frozen GraphDef .pb)\n"
    "  --labels L        labels file, one per line (row 0 = output 0); default: indices only\n"
    "  --top K           how many classes to print (default 5)\n"
    "  --range R         pixel range the model expects: -1,1 (default), 0,1 or 0,255\n"
    "  --resize F        bilinear (default, antialiased like PIL), nearest or bicubic\n"
    "  --input NAME      input node (default: the graph's single Placeholder)\n"
    "  --output NAME     output node (default: the graph's single sink)\n"
    "  --threads N       threads per inference (default 1)\n"
    "  --json            one JSON object per image and line:\n"
    "                    {\"image\": ..., \"top\": [{\"index\", \"label\", \"prob\"}...],\n"
    "                     \"timing_ms\": {\"load\", \"decode\", \"preprocess\", \"infer\"}}\n";

#define MAX_TOP 1000

typedef struct classify_args {
    const char *model, *labels, *top, *range, *resize, *input, *output, *threads;
    int json;
    int top_k, thread_count;
    wi_classify_options options;
} classify_args;

static int parse_range(const char *s, wi_pixel_range *out)
{
    if (strcmp(s, "-1,1") == 0) *out = WI_RANGE_MINUS1_1;
    else if (strcmp(s, "0,1") == 0) *out = WI_RANGE_0_1;
    else if (strcmp(s, "0,255") == 0) *out = WI_RANGE_0_255;
    else return 0;
    return 1;
}

static int parse_filter(const char *s, wi_resize_filter *out)
{
    if (strcmp(s, "bilinear") == 0) *out = WI_RESIZE_BILINEAR;
    else if (strcmp(s, "nearest") == 0) *out = WI_RESIZE_NEAREST;
    else if (strcmp(s, "bicubic") == 0) *out = WI_RESIZE_BICUBIC;
    else return 0;
    return 1;
}

static int check_args(classify_args *a, int image_count)
{
    wi_classify_options_init(&a->options);
    a->top_k = 5;
    a->thread_count = 1;
    if (!a->model) return cli_usage_error("classify", "--model is required");
    if (image_count == 0) return cli_usage_error("classify", "no IMAGE given");
    if (a->top && !cli_parse_int(a->top, 1, MAX_TOP, &a->top_k))
        return cli_usage_error("classify", "--top must be 1..%d, not '%s'", MAX_TOP, a->top);
    if (a->threads && !cli_parse_int(a->threads, 1, 256, &a->thread_count))
        return cli_usage_error("classify", "--threads must be 1..256, not '%s'", a->threads);
    if (a->range && !parse_range(a->range, &a->options.preprocess.range))
        return cli_usage_error("classify", "--range must be -1,1, 0,1 or 0,255, not '%s'", a->range);
    if (a->resize && !parse_filter(a->resize, &a->options.preprocess.filter))
        return cli_usage_error("classify", "--resize must be bilinear, nearest or bicubic, not '%s'",
                               a->resize);
    a->options.top_k = a->top_k;
    return CLI_EXIT_OK;
}

/* The labels must match the model's classes one to one, or every name printed is wrong. */
/* The labels must match the model's classes one to one, or every name printed is wrong. */
static int open_labels(const char *path, const wi_model *model, wi_labels **out)
{
    wi_error err = {0};
    size_t len = 0;
    uint8_t *text = cli_read_file(path, &len, &err);
    if (!text) return cli_fail("%s: %s", path, err.message);
    wi_status st = wi_labels_load(text, len, out, &err);
    free(text);
    if (st != WI_OK) return cli_fail("%s: %s", path, err.message);
    wi_tensor_info info;
    if (wi_model_output_info(model, 0, &info) == WI_OK && info.rank > 0) {
        int64_t classes = info.dims[info.rank - 1];
        int n = wi_labels_count(*out);
        if (classes != n) {
            wi_labels_free(*out);
            *out = NULL;
            return cli_fail("%s: %d labels, but the model has %lld classes", path, n,
                            (long long)classes);
        }
    }
    return CLI_EXIT_OK;
}

static void print_text(const char *image, const wi_class_score *top, int n, const wi_labels *labels,
                       const wi_classify_timing *t)
{
    printf("%s\n", image);
    for (int i = 0; i < n; i++) {
        const char *label = wi_labels_get(labels, top[i].index);
        printf("  %.4f  %4d  %s\n", top[i].prob, top[i].index, label ? label : "");
    }
    printf("  decode %.1f ms, preprocess %.1f ms, infer %.1f ms\n", t->decode_ms,
           t->preprocess_ms, t->infer_ms);
}

static void print_json(const char *image, const wi_class_score *top, int n, const wi_labels *labels,
                       double load_ms, const wi_classify_timing *t)
{
    fputs("{\"image\": ", stdout);
    cli_json_string(stdout, image);
    fputs(", \"top\": [", stdout);
    for (int i = 0; i < n; i++) {
        const char *label = wi_labels_get(labels, top[i].index);
        printf("%s{\"index\": %d, \"label\": ", i ? ", " : "", top[i].index);
        if (label) cli_json_string(stdout, label);
        else fputs("null", stdout);
        fputs(", \"prob\": ", stdout);
        cli_json_number(stdout, top[i].prob, 6);
        fputs("}", stdout);
    }
    fputs("], \"timing_ms\": {\"load\": ", stdout);
    cli_json_number(stdout, load_ms, 3);
    fputs(", \"decode\": ", stdout);
    cli_json_number(stdout, t->decode_ms, 3);
    fputs(", \"preprocess\": ", stdout);
    cli_json_number(stdout, t->preprocess_ms, 3);
    fputs(", \"infer\": ", stdout);
    cli_json_number(stdout, t->infer_ms, 3);
    fputs("}}\n", stdout);
}

/* Classifies one image file; returns CLI_EXIT_OK or CLI_EXIT_ERROR (after its error line). */
static int classify_one(const classify_args *a, cli_model *m, const wi_labels *labels,
                        const char *path)
{
    wi_error err = {0};
    size_t len = 0;
    uint8_t *bytes = cli_read_file(path, &len, &err);
    if (!bytes) return cli_fail("%s: %s", path, err.message);
    wi_class_score top[MAX_TOP];
    int n = 0;
    wi_classify_timing timing;
    wi_status st = wi_classify(m->session, bytes, len, &a->options, top, MAX_TOP, &n, &timing, &err);
    free(bytes);
    if (st != WI_OK)
        return cli_fail("%s: %s", path, err.message[0] ? err.message : wi_status_string(st));
    if (a->json) print_json(path, top, n, labels, m->load_ms, &timing);
    else print_text(path, top, n, labels, &timing);
    fflush(stdout);
    return CLI_EXIT_OK;
}

int wi_cli_classify(int argc, char **argv)
{
    classify_args a;
    memset(&a, 0, sizeof a);
    const cli_option options[] = {
        {"--model", &a.model, NULL},     {"--labels", &a.labels, NULL},
        {"--top", &a.top, NULL},         {"--range", &a.range, NULL},
        {"--resize", &a.resize, NULL},   {"--input", &a.input, NULL},
        {"--output", &a.output, NULL},   {"--threads", &a.threads, NULL},
        {"--json", NULL, &a.json},
    };
    char **images = malloc(sizeof *images * (size_t)(argc > 0 ? argc : 1));
    if (!images) return cli_fail("out of memory");
    int image_count = 0;
    int rc = cli_parse(argc, argv, options, (int)(sizeof options / sizeof *options), USAGE, images,
                       argc, &image_count);
    if (rc == CLI_EXIT_OK) rc = check_args(&a, image_count);
    if (rc != CLI_EXIT_OK) {
        free(images);
        return rc < 0 ? CLI_EXIT_OK : rc;
    }

    cli_model m;
    wi_labels *labels = NULL;
    rc = cli_model_open(a.model, a.input, a.output, a.thread_count, &m);
    if (rc == CLI_EXIT_OK && a.labels) rc = open_labels(a.labels, m.model, &labels);
    if (rc == CLI_EXIT_OK) {
        if (!a.json) printf("model %s loaded in %.1f ms\n", a.model, m.load_ms);
        int progress = cli_stderr_is_terminal() && image_count > 1;
        cli_progress_shown = progress;
        for (int i = 0; i < image_count; i++) {
            if (progress) fprintf(stderr, "\r[%d/%d] %s\033[K", i + 1, image_count, images[i]);
            /* a bad image is reported and skipped; the exit code still says something failed */
            if (classify_one(&a, &m, labels, images[i]) != CLI_EXIT_OK) rc = CLI_EXIT_ERROR;
        }
        if (progress) fputs("\r\033[K", stderr);
        cli_progress_shown = 0;
    }
    wi_labels_free(labels);
    cli_model_close(&m);
    free(images);
    return rc;
}
