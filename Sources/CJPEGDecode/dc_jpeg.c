#include "dc_jpeg.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

struct dc_jpeg {
    struct jpeg_decompress_struct cinfo;
    struct jpeg_error_mgr err;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
    int truncated;
};

static void fail(j_common_ptr cinfo) {
    dc_jpeg *d = (dc_jpeg *)cinfo->client_data;
    cinfo->err->format_message(cinfo, d->message);
    d->truncated = cinfo->err->msg_code == JWRN_JPEG_EOF;
    longjmp(d->jump, 1);
}

// Level -1 is a corrupt-data warning (bad Huffman code, premature end, extraneous bytes):
// an error here. A newer JFIF revision number is no damage: ignored, as are trace messages.
static void on_message(j_common_ptr cinfo, int level) {
    if (level < 0 && cinfo->err->msg_code != JWRN_JFIF_MAJOR) fail(cinfo);
}

dc_jpeg *dc_jpeg_create(void) {
    dc_jpeg *d = calloc(1, sizeof(dc_jpeg));
    if (!d) return NULL;
    d->cinfo.err = jpeg_std_error(&d->err);
    d->err.error_exit = fail;
    d->err.emit_message = on_message;
    d->cinfo.client_data = d;
    if (setjmp(d->jump)) {
        free(d);
        return NULL;
    }
    jpeg_create_decompress(&d->cinfo);
    return d;
}

void dc_jpeg_destroy(dc_jpeg *d) {
    if (!d) return;
    jpeg_destroy_decompress(&d->cinfo);
    free(d);
}

const char *dc_jpeg_message(const dc_jpeg *d) { return d->message; }

int dc_jpeg_was_truncated(const dc_jpeg *d) { return d->truncated; }

int dc_jpeg_read_header(dc_jpeg *d, const unsigned char *data, size_t size, dc_jpeg_header *header) {
    d->message[0] = 0;
    d->truncated = 0;
    if (setjmp(d->jump)) {
        jpeg_abort_decompress(&d->cinfo);
        return -1;
    }
    // A fresh decompressor per image: libjpeg keeps quantisation and Huffman tables across
    // images, and a file that uses a table it never defines must fail, as it would alone.
    jpeg_destroy_decompress(&d->cinfo);
    jpeg_create_decompress(&d->cinfo);
    jpeg_mem_src(&d->cinfo, data, (unsigned long)size);
    jpeg_read_header(&d->cinfo, TRUE);
    header->width = (int)d->cinfo.image_width;
    header->height = (int)d->cinfo.image_height;
    header->components = d->cinfo.num_components;
    header->is_cmyk = d->cinfo.jpeg_color_space == JCS_CMYK || d->cinfo.jpeg_color_space == JCS_YCCK;
    header->saw_adobe_marker = d->cinfo.saw_Adobe_marker;
    header->progressive = d->cinfo.progressive_mode;
    return 0;
}

static void configure(dc_jpeg *d, int fast_dct, int scale_denom) {
    struct jpeg_decompress_struct *c = &d->cinfo;
    // RGBX: the same pixels as RGB (the same conversion) with a padding byte, so every
    // pixel is 4 bytes and the caller's loops vectorise.
    c->out_color_space = (c->jpeg_color_space == JCS_CMYK || c->jpeg_color_space == JCS_YCCK) ? JCS_CMYK : JCS_EXT_RGBX;
    c->dct_method = fast_dct ? JDCT_IFAST : JDCT_ISLOW;
    c->do_fancy_upsampling = TRUE;
    c->scale_num = 1;
    c->scale_denom = (unsigned int)scale_denom;
}

void dc_jpeg_output_size(dc_jpeg *d, int scale_denom, int *width, int *height) {
    configure(d, 1, scale_denom);
    jpeg_calc_output_dimensions(&d->cinfo);
    *width = (int)d->cinfo.output_width;
    *height = (int)d->cinfo.output_height;
}

int dc_jpeg_decode(dc_jpeg *d, int fast_dct, int scale_denom,
                   const int *rows, int row_count, unsigned char *out) {
    struct jpeg_decompress_struct *c = &d->cinfo;
    if (setjmp(d->jump)) {
        jpeg_abort_decompress(c);
        return -1;
    }
    configure(d, fast_dct, scale_denom);
    jpeg_start_decompress(c);
    size_t stride = (size_t)c->output_width * (size_t)c->output_components;
    for (int i = 0; i < row_count; i++) {
        JDIMENSION row = rows ? (JDIMENSION)rows[i] : (JDIMENSION)i;
        if (row >= c->output_height || row < c->output_scanline) {
            snprintf(d->message, sizeof d->message, "row %u requested out of order", (unsigned)row);
            jpeg_abort_decompress(c);
            return -1;
        }
        if (row > c->output_scanline) jpeg_skip_scanlines(c, row - c->output_scanline);
        JSAMPROW line = out + (size_t)i * stride;
        if (jpeg_read_scanlines(c, &line, 1) != 1) {
            snprintf(d->message, sizeof d->message, "premature end of JPEG data at row %u", (unsigned)row);
            d->truncated = 1;
            jpeg_abort_decompress(c);
            return -1;
        }
    }
    // Decode the rows after the last one we need (a few at most when shrinking)
    // so that damage at the end of the file is reported as a full decode would:
    // skipping to the end would stop reading the data there.
    if (c->output_scanline < c->output_height) {
        JSAMPARRAY scratch = (*c->mem->alloc_sarray)((j_common_ptr)c, JPOOL_IMAGE, (JDIMENSION)stride, 1);
        while (c->output_scanline < c->output_height) {
            if (jpeg_read_scanlines(c, scratch, 1) != 1) {
                snprintf(d->message, sizeof d->message, "premature end of JPEG data");
                d->truncated = 1;
                jpeg_abort_decompress(c);
                return -1;
            }
        }
    }
    jpeg_finish_decompress(c);
    return 0;
}
