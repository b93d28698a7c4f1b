/* wasmtime-test.h - what the Wasmtime tests share: where the artifacts are, expected.tsv rows. */
#ifndef WI_TESTS_WASMTIME_TEST_H
#define WI_TESTS_WASMTIME_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "formats/test-data.h"

/* $WASINFER_WASM_DIR/<name> (set by CTest to <repo>/build/wasm), or NULL with a message saying
 * how to build it when the file is not there. */
static inline const char *wi_wt_wasm_path(const char *name, char *buf, size_t cap) {
    const char *dir = getenv("WASINFER_WASM_DIR");
    snprintf(buf, cap, "%s/%s", dir && *dir ? dir : "build/wasm", name);
    if (access(buf, R_OK) != 0) {
        fprintf(stderr, "wasm module missing: %s (build it with `make wasm`)\n", buf);
        return NULL;
    }
    return buf;
}

/* Wasmtime turns traps into SIGILL/SIGSEGV/SIGBUS/SIGFPE caught by handlers it installs with
 * the first engine. cmocka replaces those handlers around every test (and restores them with
 * signal(), which drops SA_SIGINFO), so a trap would end the test. Each test therefore starts
 * with wi_wt_wasmtime_signals(), which puts Wasmtime's handlers back. */
#include <signal.h>
#include <wasmtime.h>

static const int wi_wt_signals[] = {SIGILL, SIGSEGV, SIGBUS, SIGFPE};
static struct sigaction wi_wt_saved[4];

/* In the group setup: create (and drop) an engine so Wasmtime installs its handlers, save them. */
static inline void wi_wt_save_wasmtime_signals(void) {
    wasm_engine_delete(wasm_engine_new());
    for (int i = 0; i < 4; i++) sigaction(wi_wt_signals[i], NULL, &wi_wt_saved[i]);
}

static inline void wi_wt_wasmtime_signals(void) {
    for (int i = 0; i < 4; i++) sigaction(wi_wt_signals[i], &wi_wt_saved[i], NULL);
}

typedef struct wi_wt_row {
    char model[256], image[256];
    int accepted[4], accepted_count;
} wi_wt_row;

/* The expected.tsv rows whose model is a TensorFlow .pb (what the engine loads), into rows[]
 * (at most cap); returns the count, or -1 (with a message) when the data is missing. */
static inline int wi_wt_expected_pb_rows(wi_wt_row *rows, int cap) {
    size_t len = 0;
    unsigned char *text = wi_test_read_data("expected.tsv", &len);
    if (!text) return -1;
    int n = 0;
    char *save = NULL;
    char *copy = malloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    free(text);
    for (char *line = strtok_r(copy, "\n", &save); line && n < cap; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#') continue;
        char *tab_save = NULL;
        char *model = strtok_r(line, "\t", &tab_save);
        char *image = strtok_r(NULL, "\t", &tab_save);
        char *accepted = strtok_r(NULL, "\t", &tab_save);
        size_t mlen = model ? strlen(model) : 0;
        if (!image || !accepted || mlen < 3 || strcmp(model + mlen - 3, ".pb") != 0) continue;
        wi_wt_row *r = &rows[n++];
        snprintf(r->model, sizeof r->model, "%s", model);
        snprintf(r->image, sizeof r->image, "%s", image);
        r->accepted_count = 0;
        for (char *p = accepted; *p && r->accepted_count < 4;) {
            r->accepted[r->accepted_count++] = (int)strtol(p, &p, 10);
            if (*p == ',') p++;
            else break;
        }
    }
    free(copy);
    return n;
}

/* The pixel range a model was trained on (../shared/data/README.md): TF-Hub's [0,1], else [-1,1]. */
static inline int wi_wt_range(const char *model) { return strstr(model, "tfhub") ? 1 : 0; }
static inline const char *wi_wt_range_flag(const char *model) { return wi_wt_range(model) ? "0,1" : "-1,1"; }

static inline int wi_wt_accepted(const wi_wt_row *r, int index) {
    for (int i = 0; i < r->accepted_count; i++)
        if (r->accepted[i] == index) return 1;
    return 0;
}

#endif
