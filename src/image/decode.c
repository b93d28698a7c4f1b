/*
 * decode.c - JPEG, PNG, BMP and GIF (first frame) bytes -> RGB8, over stb_image.
 *
 * stb_image is compiled here, once, as static functions (STB_IMAGE_STATIC) so the library
 * exports no stbi_* symbols that could clash with a program embedding its own copy. Only the
 * four formats we promise are built in, and without stdio so the same file builds for
 * wasm32-wasi. stb_image trusts its input more than we do, so this adapter adds:
 *   - a pixel limit checked from the header (stb's own header parser) before any decoding;
 *   - a structural check of JPEG and BMP streams: stb pads a truncated stream with zeros and
 *     returns a half-grey picture, which would be classified as if it were real;
 *   - messages that name the format ("image: corrupt JPEG (bad huffman code)").
 * stb's failure reason is thread-local in C11 builds, so decoding is safe on many threads.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/image-internal.h"

#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_NO_STDIO
#define STBI_ONLY_JPEG
#define STBI_ONLY_PNG
#define STBI_ONLY_BMP
#define STBI_ONLY_GIF
#define STBI_NO_LINEAR
#define STBI_NO_HDR
#define STBI_MALLOC(size) stb_capped_malloc(size)
#define STBI_REALLOC(ptr, size) stb_capped_realloc(ptr, size)
#define STBI_FREE(ptr) free(ptr)

/* A per-call cap on any one allocation stb makes while decoding. stb sizes some buffers from
 * the stream rather than from the picture: its zlib output grows for as long as the deflate
 * data goes on, so a 400 KB PNG of one pixel took 800 MB (a deflate bomb, found while fuzzing;
 * a 10 MB request would take 10 GB). Legitimate buffers are bounded by the header's size,
 * which the pixel limit already bounds: see stb_cap_for. 0 means no cap (header reads). */
static _Thread_local size_t stb_cap;
static _Thread_local int stb_cap_hit;

/* Zeroed: stb_image 2.27 mallocs its JPEG decoder state and decodes a scan with whatever
 * Huffman table the scan names, defined by the file or not; an undefined table's garbage
 * maxcode/delta made it index values[256] at 57394 (found by fuzz-image-decode; upstream
 * 2.28 added a bounds check). A zeroed table decodes nothing out of bounds. */
static void *stb_capped_malloc(size_t size)
{
    if (stb_cap && size > stb_cap) {
        stb_cap_hit = 1;
        return NULL;
    }
    return calloc(1, size ? size : 1);
}

static void *stb_capped_realloc(void *ptr, size_t size)
{
    if (stb_cap && size > stb_cap) {
        stb_cap_hit = 1;
        return NULL; /* stb frees ptr itself on failure */
    }
    return realloc(ptr, size);
}

#if defined(__GNUC__)
/* Not popped: GCC reports unused static functions at the end of the file. */
#pragma GCC diagnostic ignored "-Wunused-function"
#endif
#include <stb_image.h>

typedef enum image_kind { KIND_UNKNOWN, KIND_JPEG, KIND_PNG, KIND_BMP, KIND_GIF } image_kind;

static image_kind sniff(const uint8_t *p, size_t n)
{
    if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF) return KIND_JPEG;
    if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0) return KIND_PNG;
    if (n >= 2 && p[0] == 'B' && p[1] == 'M') return KIND_BMP;
    if (n >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0)) return KIND_GIF;
    return KIND_UNKNOWN;
}

static const char *kind_name(image_kind kind)
{
    switch (kind) {
    case KIND_JPEG: return "JPEG";
    case KIND_PNG: return "PNG";
    case KIND_BMP: return "BMP";
    case KIND_GIF: return "GIF";
    default: return "image";
    }
}

/* Reads the header with the one format's parser: stbi_info_from_memory would try every format
 * in turn and leave the last one's reason ("unknown image type") instead of the real one. */
static int stb_info(const uint8_t *p, size_t len, image_kind kind, int *w, int *h, int *comp)
{
    stbi__context s;
    stbi__start_mem(&s, p, (int)len);
    switch (kind) {
    case KIND_JPEG: return stbi__jpeg_info(&s, w, h, comp);
    case KIND_PNG: return stbi__png_info(&s, w, h, comp);
    case KIND_BMP: return stbi__bmp_info(&s, w, h, comp);
    case KIND_GIF: return stbi__gif_info(&s, w, h, comp);
    default: return stbi__err("unknown image type", "Image not of any known type, or corrupt");
    }
}

static int is_rst_marker(uint8_t m) { return m >= 0xD0 && m <= 0xD7; }

/* Whether the DHT segment whose payload starts at p[at] declares more than 256 codes in a
 * table. stb_image 2.27 (Debian's libstb) writes a table's codes into a 257-byte array
 * without checking the total (fixed upstream in 2.28), which overwrites the rest of its
 * decoder state: found by fuzz/fuzz-image-decode. This reads the bytes exactly as stb's DHT
 * parser does (sequentially, past the segment's end, zeros past the input's end). */
static int jpeg_dht_overflows(const uint8_t *p, size_t n, size_t at, size_t seglen)
{
    long left = (long)seglen - 2;
    while (left > 0) {
        uint8_t q = at < n ? p[at] : 0;
        if ((q >> 4) > 1 || (q & 15) > 3) return 0; /* stb refuses the table itself */
        long codes = 0;
        for (size_t k = 1; k <= 16; k++) codes += at + k < n ? p[at + k] : 0;
        if (codes > 256) return 1;
        at += 17 + (size_t)codes;
        left -= 17 + codes;
    }
    return 0;
}

/* Walks the JPEG marker segments from SOI to EOI the way libjpeg's next_marker does (stray
 * bytes between segments are skipped); returns 0 when the stream ends before EOI. Every DHT
 * segment stb_image would parse lies on this walk; *bad_dht is set when one would overflow. */
static int jpeg_reaches_eoi(const uint8_t *p, size_t n, int *bad_dht)
{
    size_t i = 2; /* after SOI */
    *bad_dht = 0;
    while (i + 1 < n) {
        if (p[i] != 0xFF || p[i + 1] == 0xFF || p[i + 1] == 0x00) { /* junk or fill bytes */
            i++;
            continue;
        }
        uint8_t marker = p[i + 1];
        if (marker == 0xD9) return 1; /* EOI */
        if (marker == 0x01 || is_rst_marker(marker)) { /* markers without a length */
            i += 2;
            continue;
        }
        if (i + 4 > n) return 0;
        size_t seglen = ((size_t)p[i + 2] << 8) | p[i + 3];
        if (seglen < 2) return 0;
        if (marker == 0xC4 && jpeg_dht_overflows(p, n, i + 4, seglen)) *bad_dht = 1;
        i += 2 + seglen;
        if (marker == 0xDA) { /* SOS: entropy-coded data until the next real marker */
            while (i + 1 < n && !(p[i] == 0xFF && p[i + 1] != 0x00 && p[i + 1] != 0xFF &&
                                  !is_rst_marker(p[i + 1])))
                i++;
        }
    }
    return 0;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* For uncompressed BMPs, whether the file holds every row its header promises. Compressed
 * (RLE) bitmaps are left to stb, which checks its own reads there. */
static int bmp_has_all_rows(const uint8_t *p, size_t n)
{
    if (n < 30) return 0;
    uint32_t offset = le32(p + 10), header = le32(p + 14);
    int64_t w, h;
    uint32_t bpp, compression = 0;
    if (header == 12) {
        w = p[18] | p[19] << 8;
        h = p[20] | p[21] << 8;
        bpp = p[24] | p[25] << 8;
    } else {
        if (n < 34) return 0;
        w = (int32_t)le32(p + 18);
        h = (int32_t)le32(p + 22);
        bpp = p[28] | p[29] << 8;
        compression = le32(p + 30);
    }
    if (compression != 0 && compression != 3) return 1; /* RLE etc.: stb checks */
    if (h < 0) h = -h;
    if (w < 0) return 1; /* stb rejects it with its own reason */
    uint64_t stride = (((uint64_t)w * bpp + 31) / 32) * 4;
    return (uint64_t)offset + stride * (uint64_t)h <= n;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* The first PNG chunk before IEND that claims more bytes than the file has left, or NULL.
 * stb_image grows its IDAT buffer to the claimed length before reading the data, so a
 * 100-byte file claiming a 2 GiB chunk would allocate 2 GiB (found by fuzz-image-decode);
 * stb fails on such a file anyway once the data is missing, so refusing it first changes
 * only the cost. `type` receives the chunk's 4-letter type. */
static int png_chunk_overruns(const uint8_t *p, size_t n, char type[5], uint32_t *claimed)
{
    size_t i = 8; /* after the signature */
    while (i + 8 <= n) {
        uint32_t len = be32(p + i);
        if (memcmp(p + i + 4, "IEND", 4) == 0) return 0;
        if (len > n - (i + 8)) {
            memcpy(type, p + i + 4, 4);
            for (int k = 0; k < 4; k++)
                if (type[k] < 0x20 || type[k] > 0x7E) type[k] = '?';
            type[4] = '\0';
            *claimed = len;
            return 1;
        }
        i += 12 + (size_t)len;
    }
    return 0;
}

/* The largest single buffer decoding a w x h picture from `len` bytes legitimately needs:
 * 16 bytes a pixel covers 16-bit RGBA PNG rows plus the filter byte with room for stb's
 * doubling, and JPEG coefficients (2 bytes a sample, 3 components); the +32 pads JPEG MCUs
 * (at most 4x4 blocks of 8); the input term covers stb's copy of the compressed IDAT data,
 * grown by doubling. */
static size_t stb_cap_for(int w, int h, size_t len)
{
    uint64_t px = ((uint64_t)w + 32) * ((uint64_t)h + 32);
    uint64_t cap = 24 * px + 2 * (uint64_t)len + ((uint64_t)1 << 20);
    return cap > SIZE_MAX ? SIZE_MAX : (size_t)cap;
}

static wi_status stb_failure(wi_error *err, image_kind kind, const char *stage)
{
    const char *reason = stbi_failure_reason();
    if (!reason) reason = "unknown error";
    if (strcmp(reason, "outofmem") == 0)
        return wi_error_set(err, WI_E_OUT_OF_MEMORY, "image: out of memory decoding %s",
                             kind_name(kind));
    if (strcmp(reason, "too large") == 0)
        return wi_error_set(err, WI_E_LIMIT, "image: %s %s too large to decode", kind_name(kind),
                             stage);
    if (kind == KIND_UNKNOWN)
        return wi_error_set(err, WI_E_MALFORMED,
                             "image: unknown format (not JPEG, PNG, BMP or GIF)");
    return wi_error_set(err, WI_E_MALFORMED, "image: corrupt %s (%s)", kind_name(kind), reason);
}

wi_status wi_image_decode(const void *bytes, size_t len, size_t max_pixels, wi_image *out,
                          wi_error *err)
{
    wi_error_clear(err);
    if (!out) return wi_error_set(err, WI_E_INVALID_ARGUMENT, "image: no output image");
    memset(out, 0, sizeof *out);
    if (len == 0) return wi_error_set(err, WI_E_MALFORMED, "image: empty (0 bytes)");
    if (!bytes) return wi_error_set(err, WI_E_INVALID_ARGUMENT, "image: NULL bytes");
    if (len > (size_t)INT_MAX)
        return wi_error_set(err, WI_E_LIMIT, "image: %zu bytes is more than the %d-byte limit",
                             len, INT_MAX);
    if (max_pixels == 0) max_pixels = WI_DEFAULT_MAX_PIXELS;

    const uint8_t *p = bytes;
    image_kind kind = sniff(p, len);
    if (kind == KIND_UNKNOWN)
        return wi_error_set(err, WI_E_MALFORMED,
                             "image: unknown format (not JPEG, PNG, BMP or GIF)");

    int jpeg_eoi = 0, bad_dht = 0; /* checked before stb reads any JPEG table */
    if (kind == KIND_JPEG) jpeg_eoi = jpeg_reaches_eoi(p, len, &bad_dht);
    if (bad_dht)
        return wi_error_set(err, WI_E_MALFORMED,
                             "image: corrupt JPEG (Huffman table with more than 256 codes)");

    int w = 0, h = 0, comp = 0;
    if (!stb_info(p, len, kind, &w, &h, &comp)) return stb_failure(err, kind, "header");
    if (w <= 0 || h <= 0)
        return wi_error_set(err, WI_E_MALFORMED, "image: %s has no pixels (%dx%d)",
                             kind_name(kind), w, h);
    if ((uint64_t)w * (uint64_t)h > (uint64_t)max_pixels)
        return wi_error_set(err, WI_E_LIMIT, "image: %dx%d %s exceeds the limit of %zu pixels", w,
                             h, kind_name(kind), max_pixels);
    if (kind == KIND_JPEG && !jpeg_eoi)
        return wi_error_set(err, WI_E_MALFORMED, "image: truncated JPEG (no end-of-image marker)");
    char chunk[5];
    uint32_t claimed = 0;
    if (kind == KIND_PNG && png_chunk_overruns(p, len, chunk, &claimed))
        return wi_error_set(err, WI_E_MALFORMED,
                             "image: truncated PNG (chunk '%s' claims %u bytes, more than the file holds)",
                             chunk, claimed);
    if (kind == KIND_BMP && !bmp_has_all_rows(p, len))
        return wi_error_set(err, WI_E_MALFORMED, "image: truncated BMP (pixel rows missing)");

    int dw = 0, dh = 0, dcomp = 0;
    stb_cap = stb_cap_for(w, h, len);
    stb_cap_hit = 0;
    uint8_t *pixels = stbi_load_from_memory(p, (int)len, &dw, &dh, &dcomp, 3);
    stb_cap = 0;
    if (!pixels && stb_cap_hit)
        return wi_error_set(err, WI_E_LIMIT,
                             "image: corrupt %s (decoding %dx%d pixels needs more memory than "
                             "that size allows; compressed data expands too far?)",
                             kind_name(kind), w, h);
    if (!pixels) return stb_failure(err, kind, "image");
    if (dw != w || dh != h) { /* the header and the decoder disagree: refuse, never guess */
        stbi_image_free(pixels);
        return wi_error_set(err, WI_E_MALFORMED, "image: corrupt %s (size %dx%d, decoded %dx%d)",
                             kind_name(kind), w, h, dw, dh);
    }
    out->width = w;
    out->height = h;
    out->channels = 3;
    out->pixels = pixels;
    return WI_OK;
}

void wi_image_free(wi_image *image)
{
    if (!image) return;
    if (image->pixels) stbi_image_free(image->pixels);
    memset(image, 0, sizeof *image);
}
