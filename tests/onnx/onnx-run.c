/* Shared ONNX test helpers (see onnx-run.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "onnx/onnx-run.h"

void fill_data(float *p, size_t n, uint32_t seed) {
    uint32_t s = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        p[i] = (float)((s >> 8) & 0xffff) / 32768.0f - 1.0f;
    }
}

float *run_model(const ob *b, const float *input, size_t n_in, size_t *n_out, wi_status *st,
                 wi_error *err) {
    pbw bytes;
    ob_model(b, &bytes);
    wi_model *m = NULL;
    wi_session *s = NULL;
    float *out = NULL;
    *n_out = 0;
    *st = bytes.fail ? WI_E_OUT_OF_MEMORY : wi_model_load(bytes.buf, bytes.len, NULL, &m, err);
    pbw_free(&bytes);
    if (*st == WI_OK) *st = wi_session_create(m, NULL, &s, err);
    if (*st == WI_OK) *st = wi_session_set_input(s, 0, input, n_in);
    if (*st == WI_OK) *st = wi_session_run(s);
    if (*st == WI_OK) {
        size_t n;
        const float *o = wi_session_output(s, 0, &n);
        out = malloc(sizeof(float) * (n ? n : 1));
        if (out) memcpy(out, o, sizeof(float) * n);
        *n_out = n;
    } else if (s && err && err->message[0] == '\0') {
        strncpy(err->message, wi_session_errmsg(s), sizeof err->message - 1);
    }
    wi_session_free(s);
    wi_model_free(m);
    return out;
}

float max_diff(const float *a, const float *b, size_t n) {
    float d = 0.0f;
    for (size_t i = 0; i < n; i++) {
        float e = fabsf(a[i] - b[i]);
        if (!(e <= d)) d = e; /* NaN counts as the largest */
    }
    return d;
}
