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

void wi_host_output_begin(wi_host_output *out, int json, const wi_labels *labels,
                          const char *model_path, double load_ms) {
    out->json = json;
    out->load_ms = load_ms;
    if (!json) printf("model %s loaded in %.1f ms\n", model_path, load_ms);
    out->labels = labels;
    out->printed = 0;
}

/* docs/cli.md's formats. The guest does not split its time into decode / preprocess / infer,
 * so the timing is one "classify" figure (the whole call into the guest). */
void wi_host_output_result(wi_host_output *out, const char *image, const wi_class_score *scores,
                           int count, double classify_ms) {
    if (out->json) {
        printf("{\"image\": ");
        json_string(image);
        printf(", \"top\": [");
        for (int i = 0; i < count; i++) {
            const char *label = out->labels ? wi_labels_get(out->labels, scores[i].index) : NULL;
            printf("%s{\"index\": %d, \"label\": ", i ? ", " : "", scores[i].index);
            if (label) json_string(label);
            else printf("null");
            printf(", \"prob\": %.6f}", scores[i].prob);
        }
        printf("], \"timing_ms\": {\"load\": %.3f, \"classify\": %.3f}}\n", out->load_ms, classify_ms);
    } else {
        printf("%s\n", image);
        for (int i = 0; i < count; i++) {
            const char *label = out->labels ? wi_labels_get(out->labels, scores[i].index) : NULL;
            printf("  %.4f%6d  %s\n", scores[i].prob, scores[i].index, label ? label : "");
        }
        printf("  classify %.1f ms (in Wasmtime)\n", classify_ms);
    }
    out->printed++;
}

void wi_host_output_error(wi_host_output *out, const char *image, const wi_error *err) {
    fprintf(stderr, "wasinfer-wasmhost: %s: %s\n", image, err->message);
}

void wi_host_output_end(wi_host_output *out) { fflush(stdout); }
