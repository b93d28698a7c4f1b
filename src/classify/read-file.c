/* read-file.c - see read-file.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify/read-file.h"
#include "core/error.h"

wi_status wi_read_whole_file(const char *path, size_t limit, uint8_t **out, size_t *len,
                             wi_error *err)
{
    *out = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return wi_error_set(err, errno == ENOENT ? WI_E_NOT_FOUND : WI_E_IO, "cannot open: %s",
                             strerror(errno));
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    wi_status st = WI_OK;
    while (buf && st == WI_OK) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break; /* end of file or an error, told apart below */
        if (cap > limit) {
            st = wi_error_set(err, WI_E_LIMIT, "larger than the limit of %zu bytes", limit);
            break;
        }
        uint8_t *grown = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
        if (!grown) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = grown;
        cap *= 2;
    }
    if (!buf && st == WI_OK) st = wi_error_set(err, WI_E_OUT_OF_MEMORY, "out of memory reading");
    else if (st == WI_OK && ferror(f)) st = wi_error_set(err, WI_E_IO, "read error");
    fclose(f);
    if (st != WI_OK) {
        free(buf);
        return st;
    }
    *out = buf;
    *len = n;
    return WI_OK;
}
