/* Bounds-checked FlatBuffers reader: see flatbuffers.h. Layout (flatbuffers.dev, "Internals"):
 * a table starts with an int32 soffset, vtable = table - soffset; the vtable is uint16
 * [vtable bytes, table bytes, field offsets...], offset 0 meaning absent; offset fields hold
 * a uint32 relative to their own position; vectors and strings start with a uint32 count. */
#include <string.h>
#include "formats/flatbuffers.h"

static uint16_t rd16(const uint8_t *p) {
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return v;
}
static uint32_t rd32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* FlatBuffers are little-endian; every supported target (x86-64, aarch64, wasm32) is too. */
static wi_fb_result table_at(const uint8_t *buf, size_t len, size_t pos, wi_fb_table *out) {
    if (len < 4 || pos > len - 4) return WI_FB_BAD;
    int32_t soff = (int32_t)rd32(buf + pos);
    int64_t vt = (int64_t)pos - soff;
    if (vt < 0 || (uint64_t)vt > len - 4) return WI_FB_BAD;
    uint16_t vt_len = rd16(buf + vt), t_len = rd16(buf + vt + 2);
    if (vt_len < 4 || (vt_len & 1) || (size_t)vt_len > len - (size_t)vt) return WI_FB_BAD;
    if (t_len < 4 || (size_t)t_len > len - pos) return WI_FB_BAD;
    out->buf = buf;
    out->len = len;
    out->pos = pos;
    out->vtable = (size_t)vt;
    out->vtable_len = vt_len;
    out->table_len = t_len;
    return WI_FB_OK;
}

wi_fb_result wi_fb_root(const void *buf, size_t len, wi_fb_table *out) {
    if (!buf || len < 8) return WI_FB_BAD;
    return table_at(buf, len, rd32(buf), out);
}

/* The absolute position of a field of `size` bytes inside the table, or 0 when absent. */
static wi_fb_result field_pos(const wi_fb_table *t, int field, size_t size, size_t *pos) {
    size_t slot = 4 + 2 * (size_t)field;
    if (field < 0 || slot + 2 > t->vtable_len) return WI_FB_ABSENT; /* older writer */
    uint16_t off = rd16(t->buf + t->vtable + slot);
    if (off == 0) return WI_FB_ABSENT;
    if (off < 4 || (size_t)off + size > t->table_len) return WI_FB_BAD;
    *pos = t->pos + off;
    return WI_FB_OK;
}

#define SCALAR_GETTER(fn, type)                                                              \
    wi_fb_result fn(const wi_fb_table *t, int field, type def, type *out) {                   \
        size_t pos;                                                                          \
        wi_fb_result r = field_pos(t, field, sizeof(type), &pos);                             \
        *out = def;                                                                          \
        if (r == WI_FB_OK) memcpy(out, t->buf + pos, sizeof(type));                           \
        return r;                                                                            \
    }
SCALAR_GETTER(wi_fb_u8, uint8_t)
SCALAR_GETTER(wi_fb_i8, int8_t)
SCALAR_GETTER(wi_fb_i32, int32_t)
SCALAR_GETTER(wi_fb_u32, uint32_t)
SCALAR_GETTER(wi_fb_u64, uint64_t)
SCALAR_GETTER(wi_fb_f32, float)

/* Follows the uoffset stored at `pos` (a field or a vector element). */
static wi_fb_result follow(const uint8_t *buf, size_t len, size_t pos, size_t *target) {
    if (len < 4 || pos > len - 4) return WI_FB_BAD;
    uint32_t off = rd32(buf + pos);
    if (off == 0 || off > len - pos) return WI_FB_BAD;
    *target = pos + off;
    return WI_FB_OK;
}

wi_fb_result wi_fb_table_field(const wi_fb_table *t, int field, wi_fb_table *out) {
    size_t pos, target;
    wi_fb_result r = field_pos(t, field, 4, &pos);
    if (r != WI_FB_OK) return r;
    if (follow(t->buf, t->len, pos, &target) != WI_FB_OK) return WI_FB_BAD;
    return table_at(t->buf, t->len, target, out);
}

wi_fb_result wi_fb_vector_field(const wi_fb_table *t, int field, size_t elem_size,
                                wi_fb_vector *out) {
    size_t pos, target;
    memset(out, 0, sizeof *out);
    out->buf = t->buf;
    out->len = t->len;
    out->elem_size = elem_size;
    wi_fb_result r = field_pos(t, field, 4, &pos);
    if (r != WI_FB_OK) return r;
    if (follow(t->buf, t->len, pos, &target) != WI_FB_OK || target > t->len - 4) return WI_FB_BAD;
    uint32_t count = rd32(t->buf + target);
    size_t room = t->len - target - 4;
    if (elem_size == 0 || (uint64_t)count > room / elem_size) return WI_FB_BAD;
    out->data = target + 4;
    out->count = count;
    return WI_FB_OK;
}

wi_fb_result wi_fb_string(const wi_fb_table *t, int field, const char **s, size_t *n) {
    wi_fb_vector v;
    wi_fb_result r = wi_fb_vector_field(t, field, 1, &v);
    *s = "";
    *n = 0;
    if (r != WI_FB_OK) return r;
    *s = (const char *)(v.buf + v.data);
    *n = v.count;
    return WI_FB_OK;
}

int32_t wi_fb_vec_i32(const wi_fb_vector *v, uint32_t i) {
    return (int32_t)rd32(v->buf + v->data + (size_t)i * 4);
}

int64_t wi_fb_vec_i64(const wi_fb_vector *v, uint32_t i) {
    int64_t x;
    memcpy(&x, v->buf + v->data + (size_t)i * 8, sizeof x);
    return x;
}

float wi_fb_vec_f32(const wi_fb_vector *v, uint32_t i) {
    float x;
    memcpy(&x, v->buf + v->data + (size_t)i * 4, sizeof x);
    return x;
}

const uint8_t *wi_fb_vec_bytes(const wi_fb_vector *v) { return v->buf + v->data; }

wi_fb_result wi_fb_vec_table(const wi_fb_vector *v, uint32_t i, wi_fb_table *out) {
    size_t target;
    if (i >= v->count || v->elem_size != 4) return WI_FB_BAD;
    if (follow(v->buf, v->len, v->data + (size_t)i * 4, &target) != WI_FB_OK) return WI_FB_BAD;
    return table_at(v->buf, v->len, target, out);
}
