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
    /* a 1x1 conv uses the forced path */
    wi_conv_geom g = {.in_h = 2, .in_w = 2, .in_c = 3, .out_h = 2, .out_w = 2, .out_c = 4,
                      .kernel_h = 1, .kernel_w = 1, .stride_h = 1, .stride_w = 1,
                      .dilation_h = 1, .dilation_w = 1};
    float filter[12] = {0}, in[12] = {0}, out[16];
    wi_conv_kernel *k = NULL;
    assert_int_equal(wi_conv_kernel_create(&g, filter, NULL, 0.0f, 6.0f, &k), WI_OK);
    assert_string_equal(wi_conv_kernel_name(k), expected);
    wi_conv_kernel_run(k, in, out, NULL, NULL);
    for (int i = 0; i < 16; i++) assert_true(out[i] == 0.0f);
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
