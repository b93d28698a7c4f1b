/* protobuf.h - a small bounds-checked reader of the protobuf wire format.
 *
 * Debian ships no protobuf runtime that builds for wasm32-wasi, and we only read a handful of
 * TensorFlow messages, so this walks fields one at a time over a wi_cursor: every length is
 * checked against the bytes left, varints are at most 10 bytes, and nested readers count
 * their depth. The reader never allocates; length-delimited fields point into the input. */
#ifndef WI_FORMATS_PROTOBUF_H
#define WI_FORMATS_PROTOBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/cursor.h"

#define WI_PB_MAX_DEPTH 16

enum { WI_PB_VARINT = 0, WI_PB_FIXED64 = 1, WI_PB_LEN = 2, WI_PB_FIXED32 = 5 };

typedef struct wi_pb_reader {
    wi_cursor cur;
    int depth;
    const char *error; /* static description of the first problem, NULL when none */
} wi_pb_reader;

typedef struct wi_pb_field {
    uint32_t number;
    int wire_type;
    uint64_t value;        /* varint, fixed32 or fixed64 payload */
    const uint8_t *data;   /* WI_PB_LEN: the bytes */
    size_t len;            /* WI_PB_LEN: their count */
} wi_pb_field;

wi_pb_reader wi_pb_reader_make(const void *bytes, size_t len);

/* Reads the next field. Returns true with *f filled, or false at the end of the message
 * (r->error NULL) or on malformed bytes (r->error says what). */
bool wi_pb_next(wi_pb_reader *r, wi_pb_field *f);

/* A reader over a length-delimited field's bytes, one level deeper. Returns false (and sets
 * parent->error) when nesting exceeds WI_PB_MAX_DEPTH or the field is not length-delimited. */
bool wi_pb_sub(wi_pb_reader *parent, const wi_pb_field *f, wi_pb_reader *out);

/* Counts the elements of a packed repeated field of fixed `width` (4 or 8) or of varints
 * (width 0). Returns false when the bytes are not a whole number of elements. */
bool wi_pb_packed_count(const wi_pb_field *f, int width, size_t *count);

/* How wi_pb_repeated_values stores each value it walks. */
typedef enum { WI_PB_AS_FLOAT, WI_PB_AS_INT32, WI_PB_AS_INT64 } wi_pb_value_kind;

/* Walks every occurrence of the repeated scalar field `number` in the message `msg` (its
 * bytes: msg->data, msg->len), packed or not: fixed32 floats for WI_PB_AS_FLOAT, varints
 * otherwise (TensorFlow's and ONNX's TensorProto value fields). Counts them into *count and,
 * when `out` is not NULL, stores the first `limit` of them into `out` as floats, int32s or
 * int64s. Returns false on malformed bytes or a wire type the kind does not allow. */
bool wi_pb_repeated_values(const wi_pb_field *msg, uint32_t number, wi_pb_value_kind kind,
                           void *out, int64_t limit, int64_t *count);

/* Reinterpretations of a varint payload. */
static inline int64_t wi_pb_int64(uint64_t v) { return (int64_t)v; }
float wi_pb_float(uint32_t bits);

#endif
