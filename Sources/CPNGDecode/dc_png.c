#include "dc_png.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dc_png {
    png_structp png;
    png_infop info;
    const unsigned char *data;
    size_t size;
    size_t offset;
    char message[200];
    int truncated;
};

static void on_error(png_structp png, png_const_charp message) {
    dc_png *d = png_get_error_ptr(png);
    snprintf(d->message, sizeof d->message, "%s", message);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

static void read_bytes(png_structp png, png_bytep target, size_t length) {
    dc_png *d = png_get_io_ptr(png);
    if (d->size - d->offset < length) {
        d->truncated = 1;
        png_error(png, "premature end of PNG data");
    }
    memcpy(target, d->data + d->offset, length);
    d->offset += length;
}

static void release(dc_png *d) {
    if (d->png) png_destroy_read_struct(&d->png, &d->info, NULL);
    d->png = NULL;
    d->info = NULL;
}

dc_png *dc_png_create(void) { return calloc(1, sizeof(dc_png)); }

void dc_png_destroy(dc_png *d) {
    if (!d) return;
    release(d);
    free(d);
}

const char *dc_png_message(const dc_png *d) { return d->message; }

int dc_png_was_truncated(const dc_png *d) { return d->truncated; }

int dc_png_read_header(dc_png *d, const unsigned char *data, size_t size, dc_png_header *header) {
    release(d);
    d->message[0] = 0;
    d->truncated = 0;
    d->data = data;
    d->size = size;
    d->offset = 0;
    d->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, d, on_error, on_warning);
    if (!d->png || !(d->info = png_create_info_struct(d->png))) {
        snprintf(d->message, sizeof d->message, "out of memory");
        release(d);
        return -1;
    }
    if (setjmp(png_jmpbuf(d->png))) {
        release(d);
        return -1;
    }
    png_set_read_fn(d->png, d, read_bytes);
    png_read_info(d->png, d->info);
    png_uint_32 width, height;
    int bit_depth, color_type, interlace;
    png_get_IHDR(d->png, d->info, &width, &height, &bit_depth, &color_type, &interlace, NULL, NULL);
    header->width = (int)width;
    header->height = (int)height;
    header->bit_depth = bit_depth;
    header->color_type = color_type;
    header->interlaced = interlace != PNG_INTERLACE_NONE;
    return 0;
}

// TensorFlow's channels=3 transforms (tensorflow/core/lib/png/png_io.cc), with a filler byte
// after each pixel so every row is RGBX like the JPEG decoder's.
static void set_transforms(png_structp png, png_infop info, int bit_depth, int color_type) {
    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (bit_depth == 16) png_set_strip_16(png);
    if ((color_type & PNG_COLOR_MASK_ALPHA) || png_get_valid(png, info, PNG_INFO_tRNS)) png_set_strip_alpha(png);
    if (!(color_type & PNG_COLOR_MASK_COLOR)) png_set_gray_to_rgb(png);
    png_set_filler(png, 0xFF, PNG_FILLER_AFTER);
}

int dc_png_decode(dc_png *d, const int *rows, int row_count, unsigned char *out) {
    if (!d->png) {
        snprintf(d->message, sizeof d->message, "no header read");
        return -1;
    }
    unsigned char *volatile scratch = NULL;
    png_bytep *volatile pointers = NULL;
    if (setjmp(png_jmpbuf(d->png))) {
        free(scratch);
        free(pointers);
        release(d);
        return -1;
    }
    png_uint_32 width = png_get_image_width(d->png, d->info), height = png_get_image_height(d->png, d->info);
    int interlaced = png_get_interlace_type(d->png, d->info) != PNG_INTERLACE_NONE;
    set_transforms(d->png, d->info, png_get_bit_depth(d->png, d->info), png_get_color_type(d->png, d->info));
    png_set_interlace_handling(d->png);
    png_read_update_info(d->png, d->info);
    size_t stride = (size_t)width * 4;
    if (png_get_rowbytes(d->png, d->info) != stride) png_error(d->png, "unexpected row size after the transforms");

    if (interlaced) {
        // Adam7 spreads every row over seven passes: decode the whole image, keep the rows asked for.
        scratch = malloc(stride * height);
        pointers = scratch ? malloc(sizeof(png_bytep) * height) : NULL;
        if (!pointers) png_error(d->png, "out of memory");
        for (png_uint_32 y = 0; y < height; y++) pointers[y] = scratch + y * stride;
        png_read_image(d->png, pointers);
        free(pointers);
        pointers = NULL;
        for (int i = 0; i < row_count; i++) memcpy(out + (size_t)i * stride, scratch + (size_t)rows[i] * stride, stride);
    } else {
        scratch = malloc(stride);
        if (!scratch) png_error(d->png, "out of memory");
        int next = 0;
        for (png_uint_32 y = 0; y < height; y++) {
            int wanted = next < row_count && (png_uint_32)rows[next] == y;
            png_read_row(d->png, wanted ? out + (size_t)next * stride : scratch, NULL);
            next += wanted;
        }
    }
    // Then on to IEND, as TensorFlow does: a file cut after its image data fails there too
    // (bytes after IEND are not read).
    png_read_end(d->png, NULL);
    free(scratch);
    scratch = NULL;
    release(d);
    return 0;
}
