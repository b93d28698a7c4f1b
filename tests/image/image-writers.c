/* image-writers.c - see image-writers.h. */
#include "image/image-writers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct buf {
    uint8_t *p;
    size_t len, cap;
} buf;

static void put(buf *b, const void *data, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n) cap *= 2;
        b->p = realloc(b->p, cap);
        if (!b->p) abort(); /* test helper: out of memory ends the test */
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void put8(buf *b, uint32_t v)
{
    uint8_t c = (uint8_t)v;
    put(b, &c, 1);
}

static void put16le(buf *b, uint32_t v) { put8(b, v), put8(b, v >> 8); }
static void put32le(buf *b, uint32_t v) { put16le(b, v), put16le(b, v >> 16); }
static void put32be(buf *b, uint32_t v) { put8(b, v >> 24), put8(b, v >> 16), put8(b, v >> 8), put8(b, v); }

static uint32_t crc32_of(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
    }
    return c ^ 0xFFFFFFFFu;
}

static void png_chunk(buf *b, const char *type, const uint8_t *data, size_t n)
{
    put32be(b, (uint32_t)n);
    size_t start = b->len;
    put(b, type, 4);
    if (n) put(b, data, n);
    put32be(b, crc32_of(b->p + start, n + 4));
}

static int png_channels(int color_type)
{
    switch (color_type) {
    case PNG_GREY: case PNG_PALETTE: return 1;
    case PNG_GREY_ALPHA: return 2;
    case PNG_RGB: return 3;
    case PNG_RGBA: return 4;
    }
    return 0;
}

/* Appends the filter-0 scanlines of the sub-image of pixels (x0 + i*dx, y0 + j*dy). */
static void png_scanlines(buf *raw, int w, int h, int ch, int depth, const uint16_t *s,
                          int x0, int y0, int dx, int dy)
{
    for (int y = y0; y < h; y += dy) {
        if (x0 >= w) return;
        put8(raw, 0);
        uint32_t acc = 0;
        int bits = 0;
        for (int x = x0; x < w; x += dx) {
            for (int c = 0; c < ch; c++) {
                uint16_t v = s[((size_t)y * w + x) * ch + c];
                if (depth == 16) {
                    put8(raw, v >> 8), put8(raw, v);
                } else if (depth == 8) {
                    put8(raw, v);
                } else {
                    acc = (acc << depth) | v;
                    bits += depth;
                    if (bits == 8) put8(raw, acc), acc = 0, bits = 0;
                }
            }
        }
        if (bits) put8(raw, acc << (8 - bits));
    }
}

uint8_t *png_write(int w, int h, int color_type, int bit_depth, int interlace,
                   const uint16_t *samples, const uint8_t *palette, int palette_n, size_t *len)
{
    int ch = png_channels(color_type);
    if (!ch || w <= 0 || h <= 0) return NULL;
    buf raw = {0}, z = {0}, out = {0};
    if (interlace) {
        static const int adam7[7][4] = {{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4},
                                        {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}};
        for (int p = 0; p < 7; p++)
            png_scanlines(&raw, w, h, ch, bit_depth, samples, adam7[p][0], adam7[p][1],
                          adam7[p][2], adam7[p][3]);
    } else {
        png_scanlines(&raw, w, h, ch, bit_depth, samples, 0, 0, 1, 1);
    }
    /* zlib stream of stored deflate blocks */
    put8(&z, 0x78), put8(&z, 0x01);
    size_t off = 0;
    do {
        size_t n = raw.len - off > 65535 ? 65535 : raw.len - off;
        put8(&z, off + n == raw.len);
        put16le(&z, (uint32_t)n), put16le(&z, (uint32_t)~n & 0xFFFF);
        if (n) put(&z, raw.p + off, n);
        off += n;
    } while (off < raw.len);
    uint32_t a = 1, b2 = 0;
    for (size_t i = 0; i < raw.len; i++) a = (a + raw.p[i]) % 65521, b2 = (b2 + a) % 65521;
    put32be(&z, b2 << 16 | a);

    put(&out, "\x89PNG\r\n\x1a\n", 8);
    uint8_t ihdr[13] = {0};
    for (int i = 0; i < 4; i++) ihdr[i] = (uint8_t)(w >> (24 - 8 * i)), ihdr[4 + i] = (uint8_t)(h >> (24 - 8 * i));
    ihdr[8] = (uint8_t)bit_depth, ihdr[9] = (uint8_t)color_type, ihdr[12] = (uint8_t)interlace;
    png_chunk(&out, "IHDR", ihdr, 13);
    if (color_type == PNG_PALETTE) png_chunk(&out, "PLTE", palette, (size_t)palette_n * 3);
    png_chunk(&out, "IDAT", z.p, z.len);
    png_chunk(&out, "IEND", NULL, 0);
    free(raw.p);
    free(z.p);
    *len = out.len;
    return out.p;
}

void png_set_size(uint8_t *png, uint32_t w, uint32_t h)
{
    uint8_t *ihdr = png + 8 + 8; /* signature, then length and type of IHDR */
    for (int i = 0; i < 4; i++) ihdr[i] = (uint8_t)(w >> (24 - 8 * i)), ihdr[4 + i] = (uint8_t)(h >> (24 - 8 * i));
    uint32_t crc = crc32_of(png + 12, 17);
    for (int i = 0; i < 4; i++) ihdr[13 + i] = (uint8_t)(crc >> (24 - 8 * i));
}

uint8_t *bmp_write_rgb(int w, int h, const uint8_t *rgb, size_t *len)
{
    buf b = {0};
    uint32_t stride = ((uint32_t)w * 3 + 3) & ~3u, size = 54 + stride * (uint32_t)h;
    put(&b, "BM", 2), put32le(&b, size), put32le(&b, 0), put32le(&b, 54);
    put32le(&b, 40), put32le(&b, (uint32_t)w), put32le(&b, (uint32_t)h), put16le(&b, 1), put16le(&b, 24);
    put32le(&b, 0), put32le(&b, stride * (uint32_t)h), put32le(&b, 2835), put32le(&b, 2835);
    put32le(&b, 0), put32le(&b, 0);
    for (int y = h - 1; y >= 0; y--) {
        for (int x = 0; x < w; x++) {
            const uint8_t *px = rgb + ((size_t)y * w + x) * 3;
            put8(&b, px[2]), put8(&b, px[1]), put8(&b, px[0]);
        }
        for (uint32_t pad = (uint32_t)w * 3; pad < stride; pad++) put8(&b, 0);
    }
    *len = b.len;
    return b.p;
}

/* LZW with 8-bit literals only: a clear code every 250 literals keeps the dictionary from
 * growing past 9-bit codes, so the codes can be written without a real compressor. */
static void gif_frame_data(buf *b, int n, const uint8_t *idx)
{
    buf codes = {0};
    uint32_t acc = 0;
    int bits = 0;
#define EMIT(code) do { acc |= (uint32_t)(code) << bits; bits += 9; \
        while (bits >= 8) { put8(&codes, acc); acc >>= 8; bits -= 8; } } while (0)
    for (int i = 0; i < n; i++) {
        if (i % 250 == 0) EMIT(256);
        EMIT(idx[i]);
    }
    EMIT(257);
#undef EMIT
    if (bits) put8(&codes, acc);
    put8(b, 8);
    for (size_t off = 0; off < codes.len; off += 255) {
        size_t k = codes.len - off > 255 ? 255 : codes.len - off;
        put8(b, (uint32_t)k);
        put(b, codes.p + off, k);
    }
    put8(b, 0);
    free(codes.p);
}

uint8_t *gif_write(int w, int h, const uint8_t *palette, const uint8_t *indices, int frames,
                   size_t *len)
{
    buf b = {0};
    put(&b, "GIF89a", 6), put16le(&b, (uint32_t)w), put16le(&b, (uint32_t)h);
    put8(&b, 0xF7), put8(&b, 0), put8(&b, 0); /* global table of 256 colours */
    put(&b, palette, 256 * 3);
    for (int f = 0; f < frames; f++) {
        put8(&b, 0x2C), put16le(&b, 0), put16le(&b, 0), put16le(&b, (uint32_t)w), put16le(&b, (uint32_t)h);
        put8(&b, 0);
        gif_frame_data(&b, w * h, indices + (size_t)f * w * h);
    }
    put8(&b, 0x3B);
    *len = b.len;
    return b.p;
}

uint8_t *test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    buf b = {0};
    uint8_t chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) put(&b, chunk, n);
    fclose(f);
    if (!b.p) b.p = malloc(1);
    *len = b.len;
    return b.p;
}

const char *test_data_dir(void)
{
    const char *d = getenv("WASINFER_DATA");
    return d && *d ? d : "../shared/data";
}
