/*
 * test-top-k.c - wi_top_k ordering, ties, k > n, softmax; labels parsing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasinfer.h"

static void best_first_ties_by_lower_index(void **state)
{
    const float s[] = {0.1f, 0.5f, 0.2f, 0.5f, 0.9f, 0.2f};
    wi_class_score out[6];
    assert_int_equal(wi_top_k(s, 6, 0, 4, out), 4);
    const int want[] = {4, 1, 3, 2};
    for (int i = 0; i < 4; i++) assert_int_equal(out[i].index, want[i]);
    assert_float_equal(out[0].prob, 0.9f, 0);
    assert_float_equal(out[3].prob, 0.2f, 0);
}

static void k_larger_than_n_and_degenerate_k(void **state)
{
    const float s[] = {3, 1, 2};
    wi_class_score out[8];
    assert_int_equal(wi_top_k(s, 3, 0, 8, out), 3);
    assert_int_equal(out[0].index, 0);
    assert_int_equal(out[1].index, 2);
    assert_int_equal(out[2].index, 1);
    assert_int_equal(wi_top_k(s, 3, 0, 0, out), 0);
    assert_int_equal(wi_top_k(s, 3, 0, -2, out), 0);
    assert_int_equal(wi_top_k(s, 0, 0, 3, out), 0);
    assert_int_equal(wi_top_k(NULL, 3, 0, 3, out), 0);
}

static void softmax_is_applied_only_on_request(void **state)
{
    const float logits[] = {1.0f, 2.0f, 3.0f};
    wi_class_score out[3];
    assert_int_equal(wi_top_k(logits, 3, 1, 3, out), 3);
    double z = exp(1) + exp(2) + exp(3);
    assert_int_equal(out[0].index, 2);
    assert_float_equal(out[0].prob, exp(3) / z, 1e-6);
    assert_float_equal(out[1].prob, exp(2) / z, 1e-6);
    assert_float_equal(out[2].prob, exp(1) / z, 1e-6);
    /* probabilities in, probabilities out */
    const float probs[] = {0.2f, 0.7f, 0.1f};
    assert_int_equal(wi_top_k(probs, 3, 0, 1, out), 1);
    assert_int_equal(out[0].index, 1);
    assert_float_equal(out[0].prob, 0.7f, 0);
}

static void softmax_is_stable_for_large_logits(void **state)
{
    const float logits[] = {1000.0f, 999.0f, -1000.0f, 1000.0f};
    wi_class_score out[4];
    assert_int_equal(wi_top_k(logits, 4, 1, 4, out), 4);
    double z = 2 + exp(-1);
    assert_int_equal(out[0].index, 0);
    assert_int_equal(out[1].index, 3);
    assert_float_equal(out[0].prob, 1 / z, 1e-6);
    assert_float_equal(out[2].prob, exp(-1) / z, 1e-6);
    assert_float_equal(out[3].prob, 0.0f, 1e-30);
    for (int i = 0; i < 4; i++) assert_false(isnan(out[i].prob));
}

static void nan_scores_rank_last(void **state)
{
    const float s[] = {NAN, 0.3f, NAN, 0.1f};
    wi_class_score out[4];
    assert_int_equal(wi_top_k(s, 4, 0, 4, out), 4);
    assert_int_equal(out[0].index, 1);
    assert_int_equal(out[1].index, 3);
    assert_true(isnan(out[2].prob) && isnan(out[3].prob));
}

static void many_classes_match_a_full_sort(void **state)
{
    enum { N = 1001 };
    float s[N];
    unsigned seed = 12345;
    for (int i = 0; i < N; i++) {
        seed = seed * 1103515245u + 12345u;
        s[i] = (float)((seed >> 16) % 200) / 10.0f; /* many ties */
    }
    wi_class_score out[10];
    assert_int_equal(wi_top_k(s, N, 0, 10, out), 10);
    for (int j = 0; j < 10; j++) { /* out[j] beats every index not already taken */
        for (int i = 0; i < N; i++) {
            int taken = 0;
            for (int t = 0; t <= j; t++) taken |= out[t].index == i;
            if (!taken) assert_true(s[i] < out[j].prob || (s[i] == out[j].prob && i > out[j].index));
        }
    }
}

static void labels_parse_lines(void **state)
{
    const char text[] = "background\r\ntench, Tinca tinca\n\ngoldfish\n";
    wi_labels *l = NULL;
    wi_error err;
    assert_int_equal(wi_labels_load(text, strlen(text), &l, &err), WI_OK);
    assert_int_equal(wi_labels_count(l), 4); /* the newline ending the file adds no row */
    assert_string_equal(wi_labels_get(l, 0), "background");
    assert_string_equal(wi_labels_get(l, 1), "tench, Tinca tinca");
    assert_string_equal(wi_labels_get(l, 2), ""); /* an empty row still holds its index */
    assert_string_equal(wi_labels_get(l, 3), "goldfish");
    assert_null(wi_labels_get(l, 4));
    assert_null(wi_labels_get(l, -1));
    wi_labels_free(l);

    assert_int_equal(wi_labels_load("a\nb", 3, &l, &err), WI_OK); /* no final newline */
    assert_int_equal(wi_labels_count(l), 2);
    assert_string_equal(wi_labels_get(l, 1), "b");
    wi_labels_free(l);

    assert_int_equal(wi_labels_load("", 0, &l, &err), WI_OK);
    assert_int_equal(wi_labels_count(l), 0);
    wi_labels_free(l);

    assert_int_equal(wi_labels_load("a\0b", 3, &l, &err), WI_E_MALFORMED);
    assert_null(l);
    wi_labels_free(NULL);
    assert_int_equal(wi_labels_count(NULL), 0);
}

static void labels_file_of_the_models(void **state)
{
    const char *data = getenv("WASINFER_DATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/labels/imagenet_1001.txt", data ? data : "../shared/data");
    wi_labels *l = NULL;
    wi_error err;
    if (wi_labels_load_file(path, &l, &err) != WI_OK)
        fail_msg("%s (set WASINFER_DATA to the folder holding models/ images/ labels/)", err.message);
    assert_int_equal(wi_labels_count(l), 1001);
    assert_string_equal(wi_labels_get(l, 0), "background");
    assert_string_equal(wi_labels_get(l, 653), "military uniform");
    assert_string_equal(wi_labels_get(l, 208), "golden retriever");
    assert_string_equal(wi_labels_get(l, 249), "Eskimo dog, husky");
    wi_labels_free(l);
    assert_int_equal(wi_labels_load_file("/nonexistent/labels.txt", &l, &err), WI_E_NOT_FOUND);
    assert_null(l);
    assert_non_null(strstr(err.message, "/nonexistent/labels.txt"));
}

static void classify_options_defaults(void **state)
{
    wi_classify_options o;
    memset(&o, 0xAB, sizeof o);
    wi_classify_options_init(&o);
    assert_int_equal(o.top_k, 5);
    assert_int_equal(o.preprocess.filter, WI_RESIZE_BILINEAR);
    assert_int_equal(o.preprocess.range, WI_RANGE_MINUS1_1);
    assert_int_equal(o.max_pixels, WI_DEFAULT_MAX_PIXELS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(best_first_ties_by_lower_index),
        cmocka_unit_test(k_larger_than_n_and_degenerate_k),
        cmocka_unit_test(softmax_is_applied_only_on_request),
        cmocka_unit_test(softmax_is_stable_for_large_logits),
        cmocka_unit_test(nan_scores_rank_last),
        cmocka_unit_test(many_classes_match_a_full_sort),
        cmocka_unit_test(labels_parse_lines),
        cmocka_unit_test(labels_file_of_the_models),
        cmocka_unit_test(classify_options_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
