/* wasmhost.h - the wasinfer-wasmhost program's commands and their shared options. */
#ifndef WI_HOSTS_WASMHOST_WASMHOST_H
#define WI_HOSTS_WASMHOST_WASMHOST_H

#include "hosts/wasmhost/guest.h"

typedef struct wi_host_args {
    const char *module_path; /* default: wasm/wasinfer.wasm next to the executable */
    const char *model_path;
    const char *labels_path;
    const char *cache_dir;   /* NULL: default; "" (--no-cache): off */
    int top_k;               /* default 5 */
    int range;               /* wi_pixel_range 0..2 */
    int filter;              /* wi_resize_filter 0..2 */
    int json;
    int runs;                /* bench: timed inferences */
    int epochs;              /* --epochs: compile in epoch checks, as the service does */
    const char **images;
    int image_count;
} wi_host_args;

/* Parses argv[first..] into *args; prints the problem and returns non-zero on bad usage. */
int wi_host_parse_args(int argc, char **argv, int first, wi_host_args *args);

/* Engine for args->module_path with the compiled-module cache; with args->epochs the code
 * carries the service's epoch checks (time budgets), though no budget is ever set here. */
wi_status wi_host_open_engine(const wi_host_args *args, wi_wasm_engine **out, wi_error *err);

int wi_host_cmd_infer(const wi_host_args *args);
int wi_host_cmd_classify(const wi_host_args *args);
int wi_host_cmd_bench(const wi_host_args *args);

#endif
