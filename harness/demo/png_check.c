/* png_check.c: does a screenshot show anything? (`make report`, after headless Chromium).
 *
 * Usage: png-check FILE.png [--min-colours N] [--colour RRGGBB:MIN_PIXELS]...
 * Decodes the PNG (8-bit RGB or RGBA, not interlaced: what Chromium writes) with zlib and fails
 * (exit 1) when the picture is blank - fewer than N distinct colours (default 16) or almost
 * every pixel the colour of the first one - or when a colour that only the timeline pictures
 * use (the red of a timed-out probe, the green of an answered one) covers fewer than MIN_PIXELS
 * pixels: the page's own HTML never uses them, so without them the <img> pictures did not load.
 * Prints what it counted. Exit 0 pass, 1 fail, 2 unreadable or unsupported file. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define MAX_PNG_BYTES (256L * 1024 * 1024)
#define MAX_COLOURS_ASKED 8

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = n > 0 && n < MAX_PNG_BYTES ? malloc((size_t)n) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = buf ? (size_t)n : 0;
    return buf;
}

static int paeth(int a, int b, int c)
{
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/* Undoes the per-row filters in place; raw holds height rows of 1 + stride bytes. */
static int unfilter(unsigned char *raw, uint32_t height, size_t stride, size_t bpp)
{
    for (uint32_t y = 0; y < height; y++) {
        unsigned char *row = raw + y * (stride + 1);
        unsigned char *cur = row + 1, *prev = y ? raw + (y - 1) * (stride + 1) + 1 : NULL;
        for (size_t x = 0; x < stride; x++) {
            int a = x >= bpp ? cur[x - bpp] : 0, b = prev ? prev[x] : 0;
            int c = prev && x >= bpp ? prev[x - bpp] : 0;
            switch (row[0]) {
            case 0:
                break;
            case 1:
                cur[x] = (unsigned char)(cur[x] + a);
                break;
            case 2:
                cur[x] = (unsigned char)(cur[x] + b);
                break;
            case 3:
                cur[x] = (unsigned char)(cur[x] + (a + b) / 2);
                break;
            case 4:
                cur[x] = (unsigned char)(cur[x] + paeth(a, b, c));
                break;
            default:
                return -1;
            }
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: png-check FILE.png [--min-colours N] [--colour RRGGBB:MIN]...\n");
        return 2;
    }
    long min_colours = 16;
    uint32_t want[MAX_COLOURS_ASKED];
    long want_min[MAX_COLOURS_ASKED], found[MAX_COLOURS_ASKED] = {0};
    size_t wants = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--min-colours") == 0 && i + 1 < argc)
            min_colours = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--colour") == 0 && i + 1 < argc && wants < MAX_COLOURS_ASKED) {
            const char *spec = argv[++i];
            want[wants] = (uint32_t)strtoul(spec, NULL, 16);
            const char *colon = strchr(spec, ':');
            want_min[wants++] = colon ? strtol(colon + 1, NULL, 10) : 1;
        } else {
            fprintf(stderr, "png-check: bad argument %s\n", argv[i]);
            return 2;
        }
    }
    size_t len = 0;
    unsigned char *png = read_file(argv[1], &len);
    if (!png || len < 33 || memcmp(png, "\x89PNG\r\n\x1a\n", 8) != 0) {
        fprintf(stderr, "png-check: %s is not a PNG file\n", argv[1]);
        free(png);
        return 2;
    }
    uint32_t width = be32(png + 16), height = be32(png + 20);
    int depth = png[24], type = png[25], interlace = png[28];
    size_t bpp = type == 6 ? 4 : type == 2 ? 3 : 0;
    if (depth != 8 || bpp == 0 || interlace != 0 || width == 0 || height == 0 || width > 20000 ||
        height > 100000) {
        fprintf(
            stderr,
            "png-check: only 8-bit RGB/RGBA, non-interlaced PNGs (got %ux%u depth %d type %d)\n",
            width, height, depth, type);
        free(png);
        return 2;
    }
    /* the IDAT chunks, joined, then inflated */
    size_t stride = width * bpp, raw_len = (stride + 1) * height;
    unsigned char *idat = malloc(len), *raw = malloc(raw_len);
    size_t idat_len = 0;
    for (size_t p = 8; idat && p + 12 <= len;) {
        uint32_t n = be32(png + p);
        if (p + 12 + n > len)
            break;
        if (memcmp(png + p + 4, "IDAT", 4) == 0) {
            memcpy(idat + idat_len, png + p + 8, n);
            idat_len += n;
        }
        p += 12 + n;
    }
    uLongf out_len = (uLongf)raw_len;
    int ok = idat && raw && uncompress(raw, &out_len, idat, (uLong)idat_len) == Z_OK &&
             out_len == raw_len && unfilter(raw, height, stride, bpp) == 0;
    free(idat);
    free(png);
    if (!ok) {
        fprintf(stderr, "png-check: cannot decode %s\n", argv[1]);
        free(raw);
        return 2;
    }
    /* distinct colours (a 4096-entry sample is plenty to tell blank from not), share of the
     * first pixel's colour, and the colours asked for */
    enum { SEEN = 4096 };
    static uint32_t seen[SEEN];
    size_t distinct = 0;
    uint32_t first = 0;
    unsigned long long same = 0, total = (unsigned long long)width * height;
    for (uint32_t y = 0; y < height; y++) {
        const unsigned char *row = raw + y * (stride + 1) + 1;
        for (uint32_t x = 0; x < width; x++) {
            const unsigned char *px = row + x * bpp;
            uint32_t rgb = (uint32_t)px[0] << 16 | (uint32_t)px[1] << 8 | px[2];
            if (x == 0 && y == 0)
                first = rgb;
            same += rgb == first;
            for (size_t k = 0; k < wants; k++)
                found[k] += rgb == want[k];
            if (distinct < SEEN) {
                size_t k = 0;
                while (k < distinct && seen[k] != rgb)
                    k++;
                if (k == distinct)
                    seen[distinct++] = rgb;
            }
        }
    }
    free(raw);
    int status = 0;
    double share = (double)same / (double)total;
    printf("png-check: %s: %ux%u, %s%zu distinct colours, %.1f%% the colour of the first pixel\n",
           argv[1], width, height, distinct >= SEEN ? "at least " : "", distinct, share * 100);
    if ((long)distinct < min_colours || share > 0.995) {
        printf("png-check: FAIL: the page is blank\n");
        status = 1;
    }
    for (size_t k = 0; k < wants; k++) {
        printf("png-check: colour #%06x: %ld pixels (at least %ld wanted)\n", want[k], found[k],
               want_min[k]);
        if (found[k] < want_min[k]) {
            printf("png-check: FAIL: colour #%06x is missing: the pictures did not load\n",
                   want[k]);
            status = 1;
        }
    }
    return status;
}
