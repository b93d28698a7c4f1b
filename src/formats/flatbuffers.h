/* flatbuffers.h - a small bounds-checked FlatBuffers reader (no generated code).
 *
 * A FlatBuffer is a tree of tables reached through 32-bit offsets; each table points (by a
 * signed offset) at a vtable of 16-bit field offsets. Every offset, vtable, vector length and
 * string read here is checked against the buffer before it is used, so a hostile file gives
 * WI_FB_BAD instead of a wild read. Reads use memcpy: nothing assumes alignment.
 *
 * Functions returning wi_fb_result say WI_FB_OK (present and well-formed), WI_FB_ABSENT (the
 * field is not set: use the schema default) or WI_FB_BAD (malformed). */
#ifndef WI_FORMATS_FLATBUFFERS_H
#define WI_FORMATS_FLATBUFFERS_H

#include <stddef.h>
#include <stdint.h>

typedef enum wi_fb_result { WI_FB_BAD = -1, WI_FB_ABSENT = 0, WI_FB_OK = 1 } wi_fb_result;

typedef struct wi_fb_table {
    const uint8_t *buf;
    size_t len;       /* the whole buffer */
    size_t pos;       /* the table's start */
    size_t vtable;    /* its vtable's start */
    uint16_t vtable_len, table_len;
} wi_fb_table;

typedef struct wi_fb_vector {
    const uint8_t *buf;
    size_t len;
    size_t data;      /* offset of element 0 */
    uint32_t count;
    size_t elem_size;
} wi_fb_vector;

/* The root table (the uoffset at byte 0). */
wi_fb_result wi_fb_root(const void *buf, size_t len, wi_fb_table *out);

/* Scalar fields: *out gets the value, or `def` when the field is absent. */
wi_fb_result wi_fb_u8(const wi_fb_table *t, int field, uint8_t def, uint8_t *out);
wi_fb_result wi_fb_i8(const wi_fb_table *t, int field, int8_t def, int8_t *out);
wi_fb_result wi_fb_i32(const wi_fb_table *t, int field, int32_t def, int32_t *out);
wi_fb_result wi_fb_u32(const wi_fb_table *t, int field, uint32_t def, uint32_t *out);
wi_fb_result wi_fb_u64(const wi_fb_table *t, int field, uint64_t def, uint64_t *out);
wi_fb_result wi_fb_f32(const wi_fb_table *t, int field, float def, float *out);

/* A sub-table field (also a union's value). */
wi_fb_result wi_fb_table_field(const wi_fb_table *t, int field, wi_fb_table *out);

/* A vector field of scalars (elem_size 1, 4 or 8) or of tables/strings (elem_size 4, read
 * with wi_fb_vec_table / wi_fb_vec_string). An absent vector reads as count 0. */
wi_fb_result wi_fb_vector_field(const wi_fb_table *t, int field, size_t elem_size,
                                wi_fb_vector *out);

/* A string field: pointer into the buffer and length (not NUL-terminated). */
wi_fb_result wi_fb_string(const wi_fb_table *t, int field, const char **s, size_t *n);

/* Elements of a checked vector (i < count; the caller guarantees it). */
int32_t wi_fb_vec_i32(const wi_fb_vector *v, uint32_t i);
int64_t wi_fb_vec_i64(const wi_fb_vector *v, uint32_t i);
float wi_fb_vec_f32(const wi_fb_vector *v, uint32_t i);
const uint8_t *wi_fb_vec_bytes(const wi_fb_vector *v); /* element 0 */
wi_fb_result wi_fb_vec_table(const wi_fb_vector *v, uint32_t i, wi_fb_table *out);

#endif
