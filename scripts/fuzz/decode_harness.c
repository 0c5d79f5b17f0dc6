// The decode path of dogcat-mpi, alone, for fuzzing under AddressSanitizer and UBSan.
//
//   decode_harness [--fresh] LIST [MAX_PIXELS]
//   (scripts/fuzz.sh builds it with clang -fsanitize=address,undefined together with
//   Sources/CJPEGDecode/dc_jpeg.c and the PNG, GIF and WebP shims)
//
// PNG, GIF and WebP files (told by their signature, as ImageFormat does) go through their
// shim the same way: read the header, refuse more than MAX_PIXELS, decode the resize's rows.
// BMP is read in Swift, so not here (the ASan build of the whole program covers it).
//
// Like a rank, it uses one decoder for all the files, in order; --fresh makes a new decoder
// for every file, so a verdict that differs between the two depends on the files before it.
// For every path in LIST (one per line) it does what ImagePreprocessor does with a file,
// for a 256x256 model input: read it, check the signature (FF D8 FF), dc_jpeg_read_header,
// refuse more than MAX_PIXELS pixels (default 100 million), dc_jpeg_output_size, the
// source rows of TensorFlow's bilinear resize (ResizeAxis), and dc_jpeg_decode of those
// rows. The rows buffer ends exactly at a PROT_NONE guard page, so a write past it by
// libjpeg itself (which is not instrumented) faults at once. One line per file on stdout:
// "ok W H ROWS CHECKSUM" or "error MESSAGE", so the verdicts can be compared with the
// program's results.csv.
#define _GNU_SOURCE
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dc_gif.h"
#include "dc_jpeg.h"
#include "dc_png.h"
#include "dc_webp.h"

static unsigned char *guarded(size_t size, void **base, size_t *length) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t data = (size + page - 1) / page * page;
    *length = data + page;
    unsigned char *p = mmap(NULL, *length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
    mprotect(p + data, page, PROT_NONE);
    *base = p;
    return p + data - size;   // the buffer's last byte is just before the guard page
}

// ResizeAxis.sourceIndices for input -> 256, in float32 as the Swift code computes it.
static int source_rows(int input, int output, int *rows) {
    float scale = (float)input / (float)output;
    int last = -1, count = 0;
    unsigned char *used = calloc((size_t)input, 1);
    for (int i = 0; i < output; i++) {
        float src = ((float)i + 0.5f) * scale - 0.5f;
        float lower = floorf(src);
        int lo = lower > 0 ? (int)lower : 0;
        float upper = ceilf(src);
        int hi = upper < (float)(input - 1) ? (int)upper : input - 1;
        used[lo] = used[hi] = 1;
        if (hi > last) last = hi;
    }
    for (int r = 0; r <= last; r++) if (used[r]) rows[count++] = r;
    free(used);
    return count;
}

static int starts(const unsigned char *bytes, long size, const char *prefix, long length) {
    return size >= length && memcmp(bytes, prefix, (size_t)length) == 0;
}

// The decoders of the other formats, one of each, reused like a rank's.
typedef struct { dc_png *png; dc_gif *gif; dc_webp *webp; } decoders;

static void open_decoders(decoders *o) { o->png = dc_png_create(); o->gif = dc_gif_create(); o->webp = dc_webp_create(); }

static void close_decoders(decoders *o) { dc_png_destroy(o->png); dc_gif_destroy(o->gif); dc_webp_destroy(o->webp); }

// One PNG, GIF or WebP file, as ImagePreprocessor does it; prints its verdict line.
static void decode_other(decoders *o, char kind, const unsigned char *bytes, long size, long long max_pixels) {
    int width = 0, height = 0, status;
    const char *message;
    int truncated;
    if (kind == 'p') {
        dc_png_header h;
        status = dc_png_read_header(o->png, bytes, (size_t)size, &h);
        width = h.width; height = h.height;
    } else if (kind == 'g') {
        status = dc_gif_read_header(o->gif, bytes, (size_t)size, &width, &height);
    } else {
        status = dc_webp_read_header(o->webp, bytes, (size_t)size, &width, &height);
    }
    if (status == 0 && (long long)width * height > max_pixels) {
        printf("error image too large: %dx%d\n", width, height);
        return;
    }
    if (status == 0) {
        int *rows = malloc(sizeof(int) * (size_t)(height > 0 ? height : 1));
        int count = source_rows(height, 256, rows);
        size_t out_size = (size_t)count * (size_t)width * 4;
        void *out_base; size_t out_length;
        unsigned char *out = guarded(out_size ? out_size : 1, &out_base, &out_length);
        if (kind == 'p') status = dc_png_decode(o->png, rows, count, out);
        else if (kind == 'g') status = dc_gif_decode(o->gif, (long)max_pixels, rows, count, out);
        else status = dc_webp_decode(o->webp, rows, count, out);
        if (status == 0) {
            uint32_t sum = 2166136261u;
            for (size_t i = 0; i < out_size; i++) sum = (sum ^ out[i]) * 16777619u;
            printf("ok %d %d %d %08x\n", width, height, count, sum);
        }
        munmap(out_base, out_length);
        free(rows);
        if (status == 0) return;
    }
    if (kind == 'p') { message = dc_png_message(o->png); truncated = dc_png_was_truncated(o->png); }
    else if (kind == 'g') { message = dc_gif_message(o->gif); truncated = dc_gif_was_truncated(o->gif); }
    else { message = dc_webp_message(o->webp); truncated = dc_webp_was_truncated(o->webp); }
    printf("error %s%s\n", truncated ? "truncated: " : "", message);
}

int main(int argc, char **argv) {
    int fresh = argc > 1 && strcmp(argv[1], "--fresh") == 0;
    if (fresh) { argv++; argc--; }
    if (argc < 2) { fprintf(stderr, "usage: %s [--fresh] LIST [MAX_PIXELS]\n", argv[0]); return 2; }
    long long max_pixels = argc > 2 ? atoll(argv[2]) : 100000000LL;
    FILE *list = fopen(argv[1], "r");
    if (!list) { perror(argv[1]); return 2; }
    dc_jpeg *d = dc_jpeg_create();
    decoders others;
    open_decoders(&others);
    char *line = NULL;
    size_t capacity = 0;
    ssize_t n;
    while ((n = getline(&line, &capacity, list)) > 0) {
        if (line[n - 1] == '\n') line[--n] = 0;
        if (n == 0) continue;
        fflush(stdout);   // every finished file's verdict is out before the next one starts
        if (fresh) { dc_jpeg_destroy(d); d = dc_jpeg_create(); close_decoders(&others); open_decoders(&others); }
        FILE *f = fopen(line, "rb");
        if (!f) { printf("error cannot open\n"); continue; }
        fseek(f, 0, SEEK_END);
        long size = ftell(f);
        fseek(f, 0, SEEK_SET);
        void *file_base; size_t file_length;
        // The file bytes end at a guard page too: libjpeg must never read past them.
        unsigned char *bytes = size > 0 ? guarded((size_t)size, &file_base, &file_length) : NULL;
        if (size <= 0 || !bytes || fread(bytes, 1, (size_t)size, f) != (size_t)size) {
            fclose(f);
            if (bytes) munmap(file_base, file_length);
            printf("error empty or unreadable\n");
            continue;
        }
        fclose(f);
        char other = starts(bytes, size, "\x89PNG\r\n\x1a\n", 8) ? 'p'
                   : starts(bytes, size, "GIF87a", 6) || starts(bytes, size, "GIF89a", 6) ? 'g'
                   : starts(bytes, size, "RIFF", 4) && size >= 12 && memcmp(bytes + 8, "WEBP", 4) == 0 ? 'w' : 0;
        if (other) {
            decode_other(&others, other, bytes, size, max_pixels);
            munmap(file_base, file_length);
            continue;
        }
        if (size < 3 || bytes[0] != 0xFF || bytes[1] != 0xD8 || bytes[2] != 0xFF) {
            munmap(file_base, file_length);
            printf("error unsupported format\n");
            continue;
        }
        dc_jpeg_header h;
        if (dc_jpeg_read_header(d, bytes, (size_t)size, &h) != 0) {
            printf("error %s%s\n", dc_jpeg_was_truncated(d) ? "truncated: " : "", dc_jpeg_message(d));
            munmap(file_base, file_length);
            continue;
        }
        if ((long long)h.width * h.height > max_pixels) {
            printf("error image too large: %dx%d\n", h.width, h.height);
            munmap(file_base, file_length);
            continue;
        }
        int width, height;
        dc_jpeg_output_size(d, 1, &width, &height);
        int *rows = malloc(sizeof(int) * (size_t)(height > 0 ? height : 1));
        int count = source_rows(height, 256, rows);
        size_t out_size = (size_t)count * (size_t)width * 4;
        void *out_base; size_t out_length;
        unsigned char *out = guarded(out_size ? out_size : 1, &out_base, &out_length);
        if (dc_jpeg_decode(d, 1, 1, rows, count, out) != 0) {
            printf("error %s%s\n", dc_jpeg_was_truncated(d) ? "truncated: " : "", dc_jpeg_message(d));
        } else {
            uint32_t sum = 2166136261u;
            for (size_t i = 0; i < out_size; i++) sum = (sum ^ out[i]) * 16777619u;
            printf("ok %d %d %d %08x\n", width, height, count, sum);
        }
        munmap(out_base, out_length);
        munmap(file_base, file_length);
        free(rows);
    }
    free(line);
    fclose(list);
    dc_jpeg_destroy(d);
    close_decoders(&others);
    return 0;
}
