/*
 * cli-common.c - argument parsing, error lines, file reading, model opening and JSON output
 * shared by the subcommands.
 */
#include <errno.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "classify/clock.h"
#include "classify/read-file.h"
#include "cli/cli.h"
#include "formats/tfjs/tfjs.h"

int cli_progress_shown;

int cli_fail(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    for (char *p = line; *p; p++) /* one line, whatever the message holds */
        if (*p == '\n' || *p == '\r') *p = ' ';
    if (cli_progress_shown) fputs("\r\033[K", stderr);
    fprintf(stderr, "wasinfer: %s\n", line);
    return CLI_EXIT_ERROR;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (cmd)
        fprintf(stderr, "wasinfer %s: %s (try 'wasinfer %s --help')\n", cmd, line, cmd);
    else
        fprintf(stderr, "wasinfer: %s (try 'wasinfer --help')\n", line);
    return CLI_EXIT_USAGE;
}

int cli_parse(int argc, char **argv, const cli_option *options, int option_count,
              const char *usage, char **positional, int max_positional, int *positional_count)
{
    const char *cmd = argv[0];
    int only_positional = 0;
    *positional_count = 0;
    for (int i = 1; i < argc; i++) {
        char *arg = argv[i];
        if (!only_positional && strcmp(arg, "--") == 0) {
            only_positional = 1;
            continue;
        }
        if (!only_positional && (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)) {
            fputs(usage, stdout);
            return -1;
        }
        if (only_positional || arg[0] != '-' || arg[1] == '\0') {
            if (*positional_count >= max_positional)
                return cli_usage_error(cmd, "unexpected argument '%s'", arg);
            positional[(*positional_count)++] = arg;
            continue;
        }
        /* --name value, or --name=value */
        const char *eq = strchr(arg, '=');
        size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
        const cli_option *opt = NULL;
        for (int k = 0; k < option_count; k++)
            if (strlen(options[k].name) == name_len && strncmp(options[k].name, arg, name_len) == 0)
                opt = &options[k];
        if (!opt) return cli_usage_error(cmd, "unknown option '%.*s'", (int)name_len, arg);
        if (opt->flag) {
            if (eq) return cli_usage_error(cmd, "option '%s' takes no value", opt->name);
            *opt->flag = 1;
        } else if (eq) {
            *opt->value = eq + 1;
        } else {
            if (i + 1 >= argc) return cli_usage_error(cmd, "option '%s' needs a value", opt->name);
            *opt->value = argv[++i];
        }
    }
    return CLI_EXIT_OK;
}

int cli_parse_int(const char *s, int min, int max, int *out)
{
    if (!s || !*s) return 0;
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max) return 0;
    *out = (int)v;
    return 1;
}

uint8_t *cli_read_file(const char *path, size_t *len, wi_error *err)
{
    uint8_t *bytes = NULL;
    if (wi_read_whole_file(path, SIZE_MAX, &bytes, len, err) != WI_OK) return NULL;
    return bytes;
}

int cli_model_open(const char *path, const char *input_name, const char *output_name, int threads,
                   cli_model *out)
{
    memset(out, 0, sizeof *out);
    wi_error err = {0};
    double t0 = wi_monotonic_ms();
    size_t len = 0;
    uint8_t *bytes = cli_read_file(path, &len, &err);
    if (!bytes) return cli_fail("%s: %s", path, err.message);
    double t1 = wi_monotonic_ms();
    wi_model_options mo;
    wi_model_options_init(&mo);
    mo.input_name = input_name;
    mo.output_name = output_name;
    /* a TF.js model.json reads its weight shards from its directory */
    wi_status st = wi_tfjs_sniff(bytes, len) ? wi_model_load_tfjs_file(path, bytes, len, &mo, &out->model, &err)
                                             : wi_model_load(bytes, len, &mo, &out->model, &err);
    free(bytes);
    if (st != WI_OK)
        return cli_fail("%s: %s", path, err.message[0] ? err.message : wi_status_string(st));
    wi_session_options so;
    wi_session_options_init(&so);
    so.threads = threads;
    st = wi_session_create(out->model, &so, &out->session, &err);
    if (st != WI_OK) {
        cli_model_close(out);
        return cli_fail("%s: %s", path, err.message[0] ? err.message : wi_status_string(st));
    }
    out->read_ms = t1 - t0;
    out->load_ms = wi_monotonic_ms() - t1;
    return CLI_EXIT_OK;
}

void cli_model_close(cli_model *m)
{
    wi_session_free(m->session);
    wi_model_free(m->model);
    m->session = NULL;
    m->model = NULL;
}

void cli_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20) fprintf(f, "\\u%04x", *p);
            else fputc(*p, f); /* UTF-8 passes through; JSON allows it */
        }
    }
    fputc('"', f);
}

void cli_json_number(FILE *f, double v, int decimals)
{
    if (v != v || v > 1e300 || v < -1e300) fputs("null", f);
    else fprintf(f, "%.*f", decimals, v);
}

void cli_format_shape(const wi_tensor_info *info, char *buf, size_t size)
{
    size_t n = 0;
    n += (size_t)snprintf(buf + n, size - n, "[");
    for (int d = 0; d < info->rank && n < size; d++)
        n += (size_t)snprintf(buf + n, size - n, d ? ",%lld" : "%lld", (long long)info->dims[d]);
    if (n < size) snprintf(buf + n, size - n, "]");
}
