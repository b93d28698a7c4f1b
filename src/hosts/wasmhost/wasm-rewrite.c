/*
 * Rewrites of a wasm binary for snapshots (see wasm-rewrite.h). Every read goes through a
 * bounds-checked cursor: the module comes from a file, so a truncated or odd one is an error.
 * Sections are copied byte for byte except the ones a rewrite changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hosts/wasmhost/guest.h"
#include "hosts/wasmhost/wasm-rewrite.h"

enum { SEC_IMPORT = 2, SEC_MEMORY = 5, SEC_GLOBAL = 6, SEC_EXPORT = 7, SEC_START = 8,
       SEC_DATA = 11, SEC_DATACOUNT = 12 };
enum { WASM_PAGE = 65536, IMAGE_PAGE = 4096, MAX_GAP_PAGES = 8 };

/* ---- reading ---- */

typedef struct cursor {
    const uint8_t *p, *end;
    int bad;
} cursor;

static uint8_t get_u8(cursor *c) {
    if (c->p >= c->end) {
        c->bad = 1;
        return 0;
    }
    return *c->p++;
}

static uint64_t get_uleb(cursor *c) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        uint8_t b = get_u8(c);
        v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) return v;
    }
    c->bad = 1;
    return 0;
}

static void skip(cursor *c, uint64_t n) {
    if (n > (uint64_t)(c->end - c->p)) {
        c->bad = 1;
        c->p = c->end;
    } else {
        c->p += n;
    }
}

static void skip_name(cursor *c) { skip(c, get_uleb(c)); }

/* A constant expression, up to and including its `end`; 0, or -1 for an op we do not know. */
static int skip_const_expr(cursor *c) {
    for (;;) {
        uint8_t op = get_u8(c);
        if (c->bad) return -1;
        switch (op) {
        case 0x0B: return 0;                                  /* end */
        case 0x41: case 0x42: case 0x23: case 0xD2:           /* i32/i64.const, global.get, ref.func */
        case 0xD0: get_uleb(c); break;                        /* ref.null heaptype */
        case 0x43: skip(c, 4); break;                         /* f32.const */
        case 0x44: skip(c, 8); break;                         /* f64.const */
        case 0x6A: case 0x6B: case 0x6C: case 0x7C: case 0x7D: case 0x7E: break; /* extended const */
        default: return -1;
        }
    }
}

/* Limits of a table or memory: flags, min, [max]. */
static void skip_limits(cursor *c) {
    uint8_t flags = get_u8(c);
    get_uleb(c);
    if (flags & 1) get_uleb(c);
    if (flags & 8) get_uleb(c); /* custom page size */
}

static int is_numeric(uint8_t t) { return t == 0x7F || t == 0x7E || t == 0x7D || t == 0x7C; }

/* ---- writing ---- */

void wi_wasm_buf_free(wi_wasm_buf *b) {
    free(b->data);
    memset(b, 0, sizeof *b);
}

static int put_bytes(wi_wasm_buf *b, const void *src, size_t n) {
    if (n > SIZE_MAX - b->len) return -1;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) cap *= 2;
        uint8_t *grown = realloc(b->data, cap);
        if (!grown) return -1;
        b->data = grown;
        b->cap = cap;
    }
    if (n) memcpy(b->data + b->len, src, n);
    b->len += n;
    return 0;
}

static int put_u8(wi_wasm_buf *b, uint8_t v) { return put_bytes(b, &v, 1); }

static int put_uleb(wi_wasm_buf *b, uint64_t v) {
    uint8_t tmp[10];
    int n = 0;
    do {
        uint8_t byte = v & 0x7F;
        v >>= 7;
        tmp[n++] = byte | (v ? 0x80 : 0);
    } while (v);
    return put_bytes(b, tmp, (size_t)n);
}

static int put_sleb(wi_wasm_buf *b, int64_t v) {
    uint8_t tmp[10];
    int n = 0, more = 1;
    while (more) {
        uint8_t byte = v & 0x7F;
        v >>= 7; /* arithmetic shift: gcc and clang on every target we build for */
        more = !((v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40)));
        tmp[n++] = byte | (more ? 0x80 : 0);
    }
    return put_bytes(b, tmp, (size_t)n);
}

static int put_section(wi_wasm_buf *out, uint8_t id, const wi_wasm_buf *payload) {
    return put_u8(out, id) || put_uleb(out, payload->len) ||
           put_bytes(out, payload->data, payload->len);
}

/* ---- the module's layout ---- */

typedef struct section {
    uint8_t id;
    const uint8_t *start, *end; /* payload */
} section;

typedef struct module_layout {
    section sections[64];
    int count;
    uint32_t imported_globals;
    int imports_memory;
} module_layout;

static wi_status parse_layout(const uint8_t *wasm, size_t len, module_layout *m, wi_error *err) {
    memset(m, 0, sizeof *m);
    static const uint8_t header[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
    if (len < 8 || memcmp(wasm, header, 8) != 0) {
        return wi_host_error(err, WI_E_MALFORMED, "wasm rewrite: not a version-1 wasm module");
    }
    cursor c = {wasm + 8, wasm + len, 0};
    while (c.p < c.end) {
        uint8_t id = get_u8(&c);
        uint64_t size = get_uleb(&c);
        const uint8_t *start = c.p;
        skip(&c, size);
        if (c.bad) return wi_host_error(err, WI_E_MALFORMED, "wasm rewrite: truncated section %u", id);
        if (m->count == (int)(sizeof m->sections / sizeof m->sections[0])) {
            return wi_host_error(err, WI_E_UNSUPPORTED, "wasm rewrite: too many sections");
        }
        m->sections[m->count++] = (section){id, start, c.p};
        if (id != SEC_IMPORT) continue;
        cursor ic = {start, c.p, 0};
        uint64_t n = get_uleb(&ic);
        for (uint64_t i = 0; i < n && !ic.bad; i++) {
            skip_name(&ic);
            skip_name(&ic);
            uint8_t kind = get_u8(&ic);
            if (kind == 0) get_uleb(&ic);
            else if (kind == 1) get_u8(&ic), skip_limits(&ic);
            else if (kind == 2) skip_limits(&ic), m->imports_memory = 1;
            else if (kind == 3) get_u8(&ic), get_u8(&ic), m->imported_globals++;
            else if (kind == 4) get_u8(&ic), get_uleb(&ic);
            else ic.bad = 1;
        }
        if (ic.bad) return wi_host_error(err, WI_E_UNSUPPORTED, "wasm rewrite: unreadable import section");
    }
    return WI_OK;
}

/* ---- 1. exporting the mutable globals ---- */

wi_status wi_wasm_export_globals(const uint8_t *wasm, size_t len, wi_wasm_buf *out,
                                 wi_wasm_global **globals, int *count, wi_error *err) {
    memset(out, 0, sizeof *out);
    *globals = NULL;
    *count = 0;
    module_layout m;
    wi_status st = parse_layout(wasm, len, &m, err);
    if (st != WI_OK) return st;
    wi_wasm_global *list = NULL;
    int n = 0, have_exports = 0;
    for (int s = 0; s < m.count; s++) {
        if (m.sections[s].id == SEC_EXPORT) have_exports = 1;
        if (m.sections[s].id != SEC_GLOBAL) continue;
        cursor c = {m.sections[s].start, m.sections[s].end, 0};
        uint64_t total = get_uleb(&c);
        list = calloc(total ? total : 1, sizeof *list);
        if (!list) return wi_host_error(err, WI_E_OUT_OF_MEMORY, "wasm rewrite: out of memory");
        for (uint64_t i = 0; i < total && !c.bad; i++) {
            uint8_t valtype = get_u8(&c), mut = get_u8(&c);
            if (!is_numeric(valtype) || skip_const_expr(&c) != 0) c.bad = 1;
            if (mut == 1) list[n++] = (wi_wasm_global){m.imported_globals + (uint32_t)i, valtype, 0};
        }
        if (c.bad) {
            free(list);
            return wi_host_error(err, WI_E_UNSUPPORTED, "wasm rewrite: a global that is not a plain number");
        }
    }
    if (!have_exports) {
        free(list);
        return wi_host_error(err, WI_E_UNSUPPORTED, "wasm rewrite: the module has no export section");
    }
    int failed = put_bytes(out, wasm, 8);
    for (int s = 0; s < m.count && !failed; s++) {
        const section *sec = &m.sections[s];
        if (sec->id != SEC_EXPORT) {
            failed = put_u8(out, sec->id) || put_uleb(out, (uint64_t)(sec->end - sec->start)) ||
                     put_bytes(out, sec->start, (size_t)(sec->end - sec->start));
            continue;
        }
        cursor c = {sec->start, sec->end, 0};
        uint64_t existing = get_uleb(&c);
        wi_wasm_buf payload = {0};
        failed = put_uleb(&payload, existing + (uint64_t)n) ||
                 put_bytes(&payload, c.p, (size_t)(c.end - c.p));
        for (int g = 0; g < n && !failed; g++) {
            char name[32];
            int name_len = snprintf(name, sizeof name, "__wi_global_%u", (unsigned)list[g].index);
            failed = put_uleb(&payload, (uint64_t)name_len) || put_bytes(&payload, name, (size_t)name_len) ||
                     put_u8(&payload, 0x03) || put_uleb(&payload, list[g].index);
        }
        failed = failed || put_section(out, SEC_EXPORT, &payload);
        wi_wasm_buf_free(&payload);
    }
    if (failed) {
        free(list);
        wi_wasm_buf_free(out);
        return wi_host_error(err, WI_E_OUT_OF_MEMORY, "wasm rewrite: out of memory");
    }
    *globals = list;
    *count = n;
    return WI_OK;
}

/* ---- 2. the snapshot module ---- */

static int put_const(wi_wasm_buf *b, const wi_wasm_global *g) {
    int failed = 0;
    switch (g->valtype) {
    case 0x7F: failed = put_u8(b, 0x41) || put_sleb(b, (int32_t)(uint32_t)g->bits); break;
    case 0x7E: failed = put_u8(b, 0x42) || put_sleb(b, (int64_t)g->bits); break;
    case 0x7D: {
        uint32_t bits = (uint32_t)g->bits;
        failed = put_u8(b, 0x43) || put_bytes(b, &bits, 4); /* little-endian hosts only */
        break;
    }
    default: failed = put_u8(b, 0x44) || put_bytes(b, &g->bits, 8); break;
    }
    return failed || put_u8(b, 0x0B);
}

static const wi_wasm_global *find_global(const wi_wasm_global *g, int n, uint32_t index) {
    for (int i = 0; i < n; i++)
        if (g[i].index == index) return &g[i];
    return NULL;
}

static int page_is_zero(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i]) return 0;
    return 1;
}

/* Active segments for memory 0 covering every non-zero 4 KiB page; runs separated by a few
 * zero pages are merged so the segment count stays small. */
static int put_data(wi_wasm_buf *b, const uint8_t *mem, size_t len, uint32_t *segments) {
    wi_wasm_buf body = {0};
    uint32_t count = 0;
    size_t pages = (len + IMAGE_PAGE - 1) / IMAGE_PAGE, i = 0;
    int failed = 0;
    while (i < pages && !failed) {
        size_t chunk = i * IMAGE_PAGE;
        if (page_is_zero(mem + chunk, len - chunk < IMAGE_PAGE ? len - chunk : IMAGE_PAGE)) {
            i++;
            continue;
        }
        size_t first = i, last = i, gap = 0;
        for (i++; i < pages && gap <= MAX_GAP_PAGES; i++) {
            size_t off = i * IMAGE_PAGE, n = len - off < IMAGE_PAGE ? len - off : IMAGE_PAGE;
            if (page_is_zero(mem + off, n)) gap++;
            else last = i, gap = 0;
        }
        i = last + 1;
        size_t start = first * IMAGE_PAGE, end = (last + 1) * IMAGE_PAGE;
        if (end > len) end = len;
        failed = put_u8(&body, 0x00) || put_u8(&body, 0x41) ||
                 put_sleb(&body, (int32_t)(uint32_t)start) || put_u8(&body, 0x0B) ||
                 put_uleb(&body, end - start) || put_bytes(&body, mem + start, end - start);
        count++;
    }
    failed = failed || put_uleb(b, count) || put_bytes(b, body.data, body.len);
    wi_wasm_buf_free(&body);
    *segments = count;
    return failed;
}

/* Checks the original data segments are all active ones for memory 0: then nothing in the
 * code (memory.init, data.drop) can refer to them by index, and replacing them is safe. */
static int data_all_active(const section *s) {
    cursor c = {s->start, s->end, 0};
    uint64_t n = get_uleb(&c);
    for (uint64_t i = 0; i < n && !c.bad; i++) {
        if (get_u8(&c) != 0 || skip_const_expr(&c) != 0) return 0;
        skip(&c, get_uleb(&c));
    }
    return !c.bad;
}

static int rewrite_memory(const section *s, uint64_t pages, wi_wasm_buf *payload) {
    cursor c = {s->start, s->end, 0};
    if (get_uleb(&c) != 1) return -1;
    uint8_t flags = get_u8(&c);
    uint64_t min = get_uleb(&c), max = (flags & 1) ? get_uleb(&c) : 0;
    if (c.bad || (flags & ~1u) || min > pages || ((flags & 1) && max < pages)) return -1;
    return put_uleb(payload, 1) || put_u8(payload, flags) || put_uleb(payload, pages) ||
           ((flags & 1) && put_uleb(payload, max)) ? -1 : 0;
}

static int rewrite_globals(const section *s, uint32_t imported, const wi_wasm_global *globals,
                           int count, wi_wasm_buf *payload) {
    cursor c = {s->start, s->end, 0};
    uint64_t n = get_uleb(&c);
    if (put_uleb(payload, n)) return -1;
    for (uint64_t i = 0; i < n; i++) {
        const uint8_t *entry = c.p;
        uint8_t valtype = get_u8(&c), mut = get_u8(&c);
        if (skip_const_expr(&c) != 0 || c.bad) return -1;
        const wi_wasm_global *g = mut == 1 ? find_global(globals, count, imported + (uint32_t)i) : NULL;
        int failed = g ? (g->valtype != valtype || put_u8(payload, valtype) || put_u8(payload, mut) ||
                          put_const(payload, g))
                       : put_bytes(payload, entry, (size_t)(c.p - entry));
        if (failed) return -1;
    }
    return 0;
}

wi_status wi_wasm_snapshot_module(const uint8_t *wasm, size_t len, const uint8_t *memory,
                                  size_t memory_len, const wi_wasm_global *globals, int count,
                                  wi_wasm_buf *out, wi_error *err) {
    memset(out, 0, sizeof *out);
    module_layout m;
    wi_status st = parse_layout(wasm, len, &m, err);
    if (st != WI_OK) return st;
    if (m.imports_memory || memory_len % WASM_PAGE) {
        return wi_host_error(err, WI_E_UNSUPPORTED, "wasm snapshot: imported or odd-sized memory");
    }
    int have_memory = 0, have_data = 0;
    for (int s = 0; s < m.count; s++) {
        have_memory |= m.sections[s].id == SEC_MEMORY;
        if (m.sections[s].id == SEC_DATA) {
            have_data = 1;
            if (!data_all_active(&m.sections[s])) {
                return wi_host_error(err, WI_E_UNSUPPORTED, "wasm snapshot: passive data segments");
            }
        }
    }
    if (!have_memory || !have_data) {
        return wi_host_error(err, WI_E_UNSUPPORTED, "wasm snapshot: no memory or data section");
    }
    uint32_t segments = 0;
    wi_wasm_buf data = {0};
    int failed = put_bytes(out, wasm, 8) || put_data(&data, memory, memory_len, &segments);
    for (int s = 0; s < m.count && !failed; s++) {
        const section *sec = &m.sections[s];
        wi_wasm_buf payload = {0};
        switch (sec->id) {
        case SEC_START: break; /* its effects are in the snapshot */
        case SEC_MEMORY:
            failed = rewrite_memory(sec, memory_len / WASM_PAGE, &payload) || put_section(out, sec->id, &payload);
            break;
        case SEC_GLOBAL:
            failed = rewrite_globals(sec, m.imported_globals, globals, count, &payload) ||
                     put_section(out, sec->id, &payload);
            break;
        case SEC_DATA: failed = put_section(out, sec->id, &data); break;
        case SEC_DATACOUNT:
            failed = put_uleb(&payload, segments) || put_section(out, sec->id, &payload);
            break;
        default:
            failed = put_u8(out, sec->id) || put_uleb(out, (uint64_t)(sec->end - sec->start)) ||
                     put_bytes(out, sec->start, (size_t)(sec->end - sec->start));
        }
        wi_wasm_buf_free(&payload);
    }
    wi_wasm_buf_free(&data);
    if (failed) {
        wi_wasm_buf_free(out);
        return wi_host_error(err, WI_E_UNSUPPORTED, "wasm snapshot: cannot rewrite the module "
                                                    "(unexpected memory/global layout, or out of memory)");
    }
    return WI_OK;
}
