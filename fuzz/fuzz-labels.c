/*
 * fuzz-labels.c - wi_labels_load on arbitrary text, then every label read back: each must be
 * a NUL-terminated string without a line break, and the count must match the line structure.
 */
#include <string.h>

#include "fuzz.h"
#include "wasinfer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wi_labels *labels = NULL;
    wi_error err;
    if (wi_labels_load(data, size, &labels, &err) != WI_OK) {
        if (labels) fuzz_fail("failed load returned labels");
        if (!err.message[0]) fuzz_fail("labels error without a message");
        return 0;
    }
    int n = wi_labels_count(labels);
    size_t newlines = 0;
    for (size_t i = 0; i < size; i++) newlines += data[i] == '\n';
    size_t expect = newlines + (size > 0 && data[size - 1] != '\n');
    if ((size_t)n != expect) fuzz_fail("%d labels for %zu newlines in %zu bytes", n, newlines, size);
    for (int i = 0; i < n; i++) {
        const char *s = wi_labels_get(labels, i);
        if (!s) fuzz_fail("label %d is NULL", i);
        if (strchr(s, '\n')) fuzz_fail("label %d holds a newline", i);
    }
    if (wi_labels_get(labels, -1) || wi_labels_get(labels, n)) fuzz_fail("out-of-range label");
    wi_labels_free(labels);
    return 0;
}
