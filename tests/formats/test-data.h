/* test-data.h - finding the real models of ../shared/data from C tests (WASINFER_DATA). */
#ifndef WI_TEST_DATA_H
#define WI_TEST_DATA_H

#include <stdio.h>
#include <stdlib.h>

/* Reads $WASINFER_DATA/<rel> (default ../shared/data) into a malloc'd buffer; on failure
 * prints a plain message naming the path and returns NULL. */
static inline unsigned char *wi_test_read_data(const char *rel, size_t *len) {
    const char *dir = getenv("WASINFER_DATA");
    if (!dir || !*dir) dir = "../shared/data";
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "test data missing: cannot open %s (set WASINFER_DATA to the data folder)\n", path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = size > 0 ? malloc((size_t)size) : NULL;
    if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "test data unreadable: %s\n", path);
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *len = (size_t)size;
    return buf;
}

/* The full path of a data file, for wi_model_load_file. */
static inline void wi_test_data_path(const char *rel, char *out, size_t cap) {
    const char *dir = getenv("WASINFER_DATA");
    if (!dir || !*dir) dir = "../shared/data";
    snprintf(out, cap, "%s/%s", dir, rel);
}

#endif
