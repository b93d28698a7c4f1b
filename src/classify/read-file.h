/*
 * read-file.h - reading a whole file into memory, for labels and the CLI (not public API).
 */
#ifndef WI_CLASSIFY_READ_FILE_H
#define WI_CLASSIFY_READ_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "wasinfer.h"

/* Reads the file at `path` into a new malloc'ed buffer (*out, *len bytes; the caller frees
 * it). Files over `limit` bytes give WI_E_LIMIT. On failure the message says what went wrong
 * without the path ("cannot open: No such file or directory"), for the caller to prefix. */
wi_status wi_read_whole_file(const char *path, size_t limit, uint8_t **out, size_t *len,
                             wi_error *err);

#endif
