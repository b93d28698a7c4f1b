/*
 * main.c - `wasinfer`: dispatches to the subcommands.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
/* The service is built when src/server has sources (WI_HAVE_SERVER); checking for its header
 * too keeps the CLI building while the server's files land in the tree one by one. */
#if defined(WI_HAVE_SERVER) && defined(__has_include)
#if __has_include("server/serve.h")
#include "server/serve.h"
#define WI_CLI_HAS_SERVE 1
#endif
#endif

static const char USAGE[] =
    "usage: wasinfer <command> [options]\n"
    "\n"
    "commands:\n"
    "  classify --model M [--labels L] [--top K] [--range R] [--resize F] [--json] IMAGE...\n"
    "                      top classes of each image\n"
    "  inspect M           inputs, outputs, ops, parameters, MACs, arena size of a model\n"
    "  bench --model M [--threads N] [--runs R] [--warmup W] [--json]\n"
    "                      load time, first and steady inference latency, peak memory\n"
    "  serve --model M ... the HTTP prediction service (see docs/service.md)\n"
    "\n"
    "`wasinfer <command> --help` describes each command's options.\n";

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(USAGE, stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(USAGE, stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("wasinfer %s\n", WI_VERSION_STRING);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "classify") == 0) return wi_cli_classify(argc - 1, argv + 1);
    if (strcmp(cmd, "inspect") == 0) return wi_cli_inspect(argc - 1, argv + 1);
    if (strcmp(cmd, "bench") == 0) return wi_cli_bench(argc - 1, argv + 1);
    if (strcmp(cmd, "serve") == 0) {
#ifdef WI_CLI_HAS_SERVE
        return wi_serve_main(argc - 1, argv + 1);
#else
        return cli_fail("serve: not available in this build (the HTTP service is native only)");
#endif
    }
    return cli_usage_error(NULL, "unknown command '%s'", cmd);
}
