/*
 * cmd-inspect.c - `wasinfer inspect M`: what a model takes and gives, and what it costs.
 */
#include <string.h>

#include "cli/cli.h"
#include "kernels/kernels.h" /* wi_kernels_isa */

static const char USAGE[] =
    "usage: wasinfer inspect [--input NAME] [--output NAME] MODEL\n"
    "\n"
    "Prints the model's format, inputs and outputs (name, dtype, shape), the op histogram\n"
    "after optimization, parameter and multiply-accumulate counts, weight bytes and the\n"
    "planned activation arena of one session.\n";

static void print_tensors(const wi_model *model, int outputs)
{
    int n = outputs ? wi_model_output_count(model) : wi_model_input_count(model);
    printf("%s:\n", outputs ? "outputs" : "inputs");
    for (int i = 0; i < n; i++) {
        wi_tensor_info info;
        if ((outputs ? wi_model_output_info(model, i, &info) : wi_model_input_info(model, i, &info)) != WI_OK)
            continue;
        char shape[160];
        cli_format_shape(&info, shape, sizeof shape);
        printf("  %-40s %-8s %s%s\n", info.name ? info.name : "?", wi_dtype_name(info.dtype), shape,
               outputs && i == 0 && wi_model_output_is_probabilities(model) ? "  (probabilities)" : "");
    }
}

static void print_op(const char *op_name, int count, void *user)
{
    (void)user;
    printf("  %-40s %d\n", op_name, count);
}

static void print_count(const char *what, int64_t v)
{
    /* thousands separators by hand: printf's ' flag is not portable to wasi-libc */
    char digits[32], out[48];
    int n = snprintf(digits, sizeof digits, "%lld", (long long)v), j = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && digits[i - 1] != '-' && (n - i) % 3 == 0) out[j++] = ',';
        out[j++] = digits[i];
    }
    out[j] = '\0';
    printf("%-12s %s\n", what, out);
}

int wi_cli_inspect(int argc, char **argv)
{
    const char *input = NULL, *output = NULL;
    const cli_option options[] = {{"--input", &input, NULL}, {"--output", &output, NULL}};
    char *path[1];
    int count = 0;
    int rc = cli_parse(argc, argv, options, 2, USAGE, path, 1, &count);
    if (rc != CLI_EXIT_OK) return rc < 0 ? CLI_EXIT_OK : rc;
    if (count != 1) return cli_usage_error("inspect", "expected one MODEL");

    cli_model m;
    rc = cli_model_open(path[0], input, output, 1, &m);
    if (rc != CLI_EXIT_OK) return rc;
    wi_model_stats stats;
    memset(&stats, 0, sizeof stats);
    wi_model_get_stats(m.model, &stats);

    printf("model        %s\n", path[0]);
    printf("format       %s\n", wi_format_name(wi_model_format(m.model)));
    print_tensors(m.model, 0);
    print_tensors(m.model, 1);
    printf("ops after optimization (%d nodes, %d in the file):\n", stats.node_count,
           stats.source_node_count);
    wi_model_op_histogram(m.model, print_op, NULL);
    print_count("parameters", stats.parameters);
    print_count("MACs", stats.macs);
    /* one line: the kernels' ISA decides the packing (hosts compare the rest across ISAs) */
    printf("%-12s %.2f MB packed for %s kernels\n", "weights", stats.weight_bytes / 1e6,
           wi_kernels_isa());
    printf("%-12s %.2f MB per session\n", "arena", stats.arena_bytes / 1e6);
    printf("%-12s %.1f ms (file read %.1f ms)\n", "load", m.load_ms, m.read_ms);
    cli_model_close(&m);
    return CLI_EXIT_OK;
}
