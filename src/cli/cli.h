/*
 * cli.h - shared pieces of the `wasinfer` command line (src/cli): subcommands, argument
 * parsing, error lines, file reading, JSON strings, and the few OS-specific calls (kept in
 * cli-platform.c so the same sources build natively and for wasm32-wasi).
 *
 * Exit codes: 0 success, 1 a runtime error (bad file, bad model, failed inference),
 * 2 a usage error. Every error is one line on stderr: "wasinfer: <file>: <problem>".
 */
#ifndef WI_CLI_H
#define WI_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "wasinfer.h"

enum { CLI_EXIT_OK = 0, CLI_EXIT_ERROR = 1, CLI_EXIT_USAGE = 2 };

/* Subcommands: argv[0] is the subcommand's name. */
int wi_cli_classify(int argc, char **argv);
int wi_cli_inspect(int argc, char **argv);
int wi_cli_bench(int argc, char **argv);

/* One option of a subcommand. A flag sets *flag = 1; an option with a value stores it in
 * *value (the last one given wins). */
typedef struct cli_option {
    const char *name; /* "--model" */
    const char **value;
    int *flag;
} cli_option;

/* Parses argv[1..] into options and positional arguments (at most max_positional; "--" ends
 * the options). Returns CLI_EXIT_OK, CLI_EXIT_USAGE after printing the problem, or -1 after
 * printing `usage` for --help. */
int cli_parse(int argc, char **argv, const cli_option *options, int option_count,
              const char *usage, char **positional, int max_positional, int *positional_count);

/* Set while a progress line is on stderr, so cli_fail erases it before writing. */
extern int cli_progress_shown;

/* Prints "wasinfer: " + message as one line on stderr. Returns CLI_EXIT_ERROR. */
int cli_fail(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* Prints a usage problem, then "Try 'wasinfer <cmd> --help'." Returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Parses a whole decimal integer in [min, max]; 0 on anything else. */
int cli_parse_int(const char *s, int min, int max, int *out);

/* Reads a whole file into a malloc'ed buffer; on failure fills err with a message naming the
 * problem (not the path: callers prefix it). */
uint8_t *cli_read_file(const char *path, size_t *len, wi_error *err);

/* Loads the model at `path` (timed from the bytes in memory to a ready session). */
typedef struct cli_model {
    wi_model *model;
    wi_session *session;
    double read_ms, load_ms; /* file read; bytes -> ready session */
} cli_model;
int cli_model_open(const char *path, const char *input_name, const char *output_name, int threads,
                   cli_model *out);
void cli_model_close(cli_model *m);

/* Writes s as a JSON string literal (quotes, escapes, control characters as \u00XX). */
void cli_json_string(FILE *f, const char *s);
/* Writes a finite number with `decimals` decimals, or null. */
void cli_json_number(FILE *f, double v, int decimals);

/* Formats dims as "[1,224,224,3]". */
void cli_format_shape(const wi_tensor_info *info, char *buf, size_t size);

/* Platform (cli-platform.c). */
int cli_stderr_is_terminal(void);
double cli_peak_rss_mb(void); /* -1 where the platform cannot tell */

#endif
