/* Run by ctest with WASINFER_AVX512_RATE=full|half (argv[1]) or unset: the GEMM of a narrow
 * layer takes AVX2 exactly when AVX-512 is there but not at full rate. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "kernels.h"
#include "ukernels.h"

static const char *forced; /* "full", "half" or NULL */

/* 24 output channels: AVX2 computes 16 + 8 columns, AVX-512 one 32-column panel. */
static const char *narrow_gemm_isa(void) {
    wi_conv_geom g = {.in_h = 3, .in_w = 3, .in_c = 8, .out_h = 3, .out_w = 3, .out_c = 24,
                      .kernel_h = 1, .kernel_w = 1, .stride_h = 1, .stride_w = 1,
                      .dilation_h = 1, .dilation_w = 1};
    float filter[8 * 24], in[9 * 8], out[9 * 24];
    for (int i = 0; i < 8 * 24; i++) filter[i] = (float)(i % 7) - 3.0f;
    for (int i = 0; i < 9 * 8; i++) in[i] = (float)(i % 5);
    wi_conv_kernel *k = NULL;
    assert_int_equal(wi_conv_kernel_create(&g, filter, NULL, -INFINITY, INFINITY, &k), WI_OK);
    wi_conv_kernel_run(k, in, out, NULL, NULL);
    for (int p = 0; p < 9; p++)
        for (int c = 0; c < 24; c++) {
            float want = 0.0f;
            for (int i = 0; i < 8; i++) want += in[p * 8 + i] * filter[i * 24 + c];
            assert_float_equal(out[p * 24 + c], want, 1e-4);
        }
    static char name[16];
    strncpy(name, wi_conv_kernel_name(k), sizeof name - 1);
    wi_conv_kernel_free(k);
    return name;
}

static void test_choice_follows_rate(void **state) {
    (void)state;
    int full = wi_isa_avx512_full_rate();
    assert_true(full == 0 || full == 1);
    assert_int_equal(wi_isa_avx512_full_rate(), full); /* decided once */
    if (forced) assert_int_equal(full, strcmp(forced, "full") == 0);
    if (wi_isa_best_supported() < WI_ISA_AVX512 && !forced) assert_int_equal(full, 0); /* nothing to measure */
    const int has512 = wi_isa_selected() == WI_ISA_AVX512;
    const char *isa = narrow_gemm_isa();
    if (has512) assert_string_equal(isa, full ? "avx512" : "avx2");
}

static void test_probes_time_something(void **state) {
    (void)state;
#if defined(__x86_64__)
    if (wi_isa_best_supported() >= WI_ISA_AVX2) assert_true(wi_fma_probe_avx2(2, 64) > 0.0);
    if (wi_isa_best_supported() >= WI_ISA_AVX512) assert_true(wi_fma_probe_avx512(2, 64) > 0.0);
#endif
}

int main(int argc, char **argv) {
    forced = argc > 1 ? argv[1] : NULL;
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_choice_follows_rate),
                                       cmocka_unit_test(test_probes_time_something)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
