/*
 * labels.c - class labels, one per line (row 0 is line 1). CRLF line ends are accepted and
 * a final empty line (the newline ending the file) is not a label.
 */
#include <stdlib.h>
#include <string.h>

#include "classify/read-file.h"
#include "core/error.h"

#define LABELS_MAX_BYTES (64u * 1024u * 1024u)

struct wi_labels {
    int count;
    char *text;   /* one copy of the file, each line NUL-terminated in place */
    char **lines; /* [count] pointers into text */
};

wi_status wi_labels_load(const void *text, size_t len, wi_labels **out, wi_error *err)
{
    wi_error_clear(err);
    if (!out) return wi_error_set(err, WI_E_INVALID_ARGUMENT, "labels: no output pointer");
    *out = NULL;
    if (!text && len > 0) return wi_error_set(err, WI_E_INVALID_ARGUMENT, "labels: NULL text");
    if (len > LABELS_MAX_BYTES)
        return wi_error_set(err, WI_E_LIMIT, "labels: %zu bytes is more than the %u-byte limit",
                             len, LABELS_MAX_BYTES);
    if (len > 0 && memchr(text, '\0', len))
        return wi_error_set(err, WI_E_MALFORMED, "labels: text contains a NUL byte");

    wi_labels *labels = calloc(1, sizeof *labels);
    if (!labels) goto oom;
    labels->text = malloc(len + 1);
    if (!labels->text) goto oom;
    if (len) memcpy(labels->text, text, len);
    labels->text[len] = '\0';

    size_t lines = 1;
    for (size_t i = 0; i < len; i++) lines += labels->text[i] == '\n';
    labels->lines = malloc(lines * sizeof *labels->lines);
    if (!labels->lines) goto oom;

    char *p = labels->text, *end = labels->text + len;
    while (p < end) { /* an empty file, or the empty tail after the last '\n', adds nothing */
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *line_end = nl ? nl : end;
        if (line_end > p && line_end[-1] == '\r') line_end[-1] = '\0';
        *line_end = '\0';
        labels->lines[labels->count++] = p;
        p = line_end + 1;
    }
    *out = labels;
    return WI_OK;
oom:
    wi_labels_free(labels);
    return wi_error_set(err, WI_E_OUT_OF_MEMORY, "labels: out of memory");
}

wi_status wi_labels_load_file(const char *path, wi_labels **out, wi_error *err)
{
    wi_error_clear(err);
    if (!path || !out) return wi_error_set(err, WI_E_INVALID_ARGUMENT, "labels: NULL argument");
    *out = NULL;
    uint8_t *text = NULL;
    size_t len = 0;
    wi_error inner;
    wi_status st = wi_read_whole_file(path, LABELS_MAX_BYTES, &text, &len, &inner);
    if (st != WI_OK) return wi_error_set(err, st, "labels: %s: %s", path, inner.message);
    st = wi_labels_load(text, len, out, err);
    free(text);
    return st;
}

void wi_labels_free(wi_labels *labels)
{
    if (!labels) return;
    free(labels->lines);
    free(labels->text);
    free(labels);
}

int wi_labels_count(const wi_labels *labels) { return labels ? labels->count : 0; }

const char *wi_labels_get(const wi_labels *labels, int index)
{
    if (!labels || index < 0 || index >= labels->count) return NULL;
    return labels->lines[index];
}
