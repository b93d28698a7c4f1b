/* output.h - classify results printed the way the native CLI prints them (text or JSON). */
#ifndef WI_HOSTS_WASMHOST_OUTPUT_H
#define WI_HOSTS_WASMHOST_OUTPUT_H

#include "wasinfer.h"

typedef struct wi_host_output {
    int json;
    const wi_labels *labels; /* may be NULL: indices only */
    int printed;             /* results so far */
    double load_ms;          /* model load (into the guest), shown like the CLI's */
} wi_host_output;

void wi_host_output_begin(wi_host_output *out, int json, const wi_labels *labels,
                          const char *model_path, double load_ms);
void wi_host_output_result(wi_host_output *out, const char *image, const wi_class_score *scores,
                           int count, double classify_ms);
void wi_host_output_error(wi_host_output *out, const char *image, const wi_error *err);
void wi_host_output_end(wi_host_output *out);

#endif
