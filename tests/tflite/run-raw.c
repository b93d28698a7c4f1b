/* run-raw MODEL IN.f32 OUT.f32: one inference on a raw little-endian float32 input, the
 * output written the same way. The harness compare-reference.py drives it next to the
 * TFLite interpreter (not a test by itself). */
#include <stdio.h>
#include <stdlib.h>
#include "wasinfer.h"

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: run-raw MODEL IN.f32 OUT.f32\n");
        return 2;
    }
    wi_error err;
    wi_model *m = NULL;
    wi_session *s = NULL;
    if (wi_model_load_file(argv[1], NULL, &m, &err) != WI_OK ||
        wi_session_create(m, NULL, &s, &err) != WI_OK) {
        fprintf(stderr, "run-raw: %s\n", err.message);
        wi_model_free(m);
        return 1;
    }
    size_t n;
    float *x = wi_session_input_buffer(s, 0, &n);
    FILE *f = fopen(argv[2], "rb");
    int ok = f && fread(x, sizeof(float), n, f) == n;
    if (f) fclose(f);
    if (!ok || wi_session_run(s) != WI_OK) {
        fprintf(stderr, "run-raw: cannot read %zu floats from %s or run\n", n, argv[2]);
        ok = 0;
    } else {
        const float *y = wi_session_output(s, 0, &n);
        f = fopen(argv[3], "wb");
        ok = f && fwrite(y, sizeof(float), n, f) == n;
        if (f) fclose(f);
    }
    wi_session_free(s);
    wi_model_free(m);
    return ok ? 0 : 1;
}
