/* Classify results in the native CLI's formats. */
#include <stdio.h>
#include "hosts/wasmhost/output.h"

static void json_string(const char *s) {
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') printf("\\%c", c);
        else if (c < 0x20) printf("\\u%04x", c);
        else putchar(c);
    }
    putchar('"');
}

void wi_host_output_begin(wi_host_output *out, int json, const wi_labels *labels) {
    out->json = json;
    out->labels = labels;
    out->printed = 0;
}

void wi_host_output_result(wi_host_output *out, const char *image, const wi_class_score *scores,
                           int count) {
    if (out->json) {
        printf("{\"image\":");
        json_string(image);
        printf(",\"top\":[");
        for (int i = 0; i < count; i++) {
            const char *label = out->labels ? wi_labels_get(out->labels, scores[i].index) : NULL;
            printf("%s{\"index\":%d,", i ? "," : "", scores[i].index);
            if (label) {
                printf("\"label\":");
                json_string(label);
                putchar(',');
            }
            printf("\"prob\":%.6f}", scores[i].prob);
        }
        printf("]}\n");
    } else {
        printf("%s\n", image);
        for (int i = 0; i < count; i++) {
            const char *label = out->labels ? wi_labels_get(out->labels, scores[i].index) : NULL;
            printf("  %4d  %.4f  %s\n", scores[i].index, scores[i].prob, label ? label : "");
        }
    }
    out->printed++;
}

void wi_host_output_error(wi_host_output *out, const char *image, const wi_error *err) {
    fprintf(stderr, "wasinfer-wasmhost: %s: %s\n", image, err->message);
}

void wi_host_output_end(wi_host_output *out) { fflush(stdout); }
