/* Run by ctest with WASINFER_ISA=<argv[1]>: the forced path is the one kernels use. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "kernels.h"
#include "ukernels.h"

static const char *expected;

static void test_forced_isa(void **state) {
    (void)state;
    if (!expected) expected = wi_isa_name(wi_isa_best_supported()); /* no variable set */
    assert_string_equal(wi_kernels_isa(), expected);
    /* a depthwise 3x3 uses the forced path (GEMMs may pick a narrower lower ISA per layer) */
    wi_conv_geom g = {.in_h = 2, .in_w = 2, .in_c = 16, .out_h = 2, .out_w = 2, .out_c = 16,
                      .kernel_h = 3, .kernel_w = 3, .stride_h = 1, .stride_w = 1,
                      .dilation_h = 1, .dilation_w = 1, .pad_top = 1, .pad_left = 1,
                      .depthwise = 1};
    float filter[9 * 16] = {0}, in[64] = {0}, out[64];
    wi_conv_kernel *k = NULL;
    assert_int_equal(wi_conv_kernel_create(&g, filter, NULL, 0.0f, 6.0f, &k), WI_OK);
    assert_string_equal(wi_conv_kernel_name(k), expected);
    wi_conv_kernel_run(k, in, out, NULL, NULL);
    for (int i = 0; i < 64; i++) assert_true(out[i] == 0.0f);
    wi_conv_kernel_free(k);
}

int main(int argc, char **argv) {
    if (argc > 1) {
        /* "generic" is named after its target in wasm builds */
        expected = strcmp(argv[1], "generic") == 0 ? wi_isa_name(WI_ISA_GENERIC) : argv[1];
    }
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_forced_isa)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
