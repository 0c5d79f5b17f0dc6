// A PNG decoder over libpng that gives the rows it is asked for as RGBX, the way
// TensorFlow's decode_png(channels=3) makes its pixels: palettes and grey expanded to RGB,
// 16-bit samples cut to their high byte, alpha (and tRNS) dropped, no gamma or ICC.
//
// libpng reports errors with longjmp, which Swift cannot catch; this file is the setjmp
// boundary and nothing more. libpng's warnings (bad ancillary chunks) are ignored, as TF does.
#ifndef DOGCAT_DC_PNG_H
#define DOGCAT_DC_PNG_H

#include <stddef.h>

typedef struct dc_png dc_png;

typedef struct dc_png_header {
    int width;
    int height;
    int bit_depth;   // 1, 2, 4, 8 or 16
    int color_type;  // PNG_COLOR_TYPE_*
    int interlaced;  // 1 for Adam7: the whole image is then decoded before rows are picked
} dc_png_header;

/// One decoder per thread; reuse it for every image.
dc_png *dc_png_create(void);
void dc_png_destroy(dc_png *decoder);

/// The message of the last failure, and whether it was the data ending early.
const char *dc_png_message(const dc_png *decoder);
int dc_png_was_truncated(const dc_png *decoder);

/// Reads the header of `data`, which must stay valid until dc_png_decode returns. 0 on success.
int dc_png_read_header(dc_png *decoder, const unsigned char *data, size_t size, dc_png_header *header);

/// Decodes the rows listed in `rows` (ascending, distinct) into `out`, one packed row of
/// width * 4 bytes (R, G, B, 255) after another. Every row is decompressed (zlib has no
/// seek); only the listed ones are kept; then the chunks up to IEND are read. 0 on success.
int dc_png_decode(dc_png *decoder, const int *rows, int row_count, unsigned char *out);

#endif
