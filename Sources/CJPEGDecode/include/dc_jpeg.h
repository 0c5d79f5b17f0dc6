// A row-selective JPEG decoder over libjpeg-turbo's libjpeg API.
//
// libjpeg reports errors with longjmp, which Swift cannot catch; this file is
// the setjmp boundary and nothing more. Every libjpeg warning (corrupt data,
// premature end of file) is an error here, like TurboJPEG's TJFLAG_STOPONWARNING.
#ifndef DOGCAT_DC_JPEG_H
#define DOGCAT_DC_JPEG_H

#include <stddef.h>

typedef struct dc_jpeg dc_jpeg;

typedef struct dc_jpeg_header {
    int width;            // image size in the file
    int height;
    int components;       // components in the file: 1, 3 or 4
    int is_cmyk;          // 1 when the file is CMYK or YCCK: output is then 4 channels (C, M, Y, K)
    int saw_adobe_marker; // 1 when an Adobe APP14 marker was seen (inverted CMYK)
    int progressive;
} dc_jpeg_header;

/// One decoder per thread; reuse it for every image.
dc_jpeg *dc_jpeg_create(void);
void dc_jpeg_destroy(dc_jpeg *decoder);

/// The message of the last failure, and whether it was the data ending early.
const char *dc_jpeg_message(const dc_jpeg *decoder);
int dc_jpeg_was_truncated(const dc_jpeg *decoder);

/// Reads the header of `data`, which must stay valid until dc_jpeg_decode returns. 0 on success.
int dc_jpeg_read_header(dc_jpeg *decoder, const unsigned char *data, size_t size, dc_jpeg_header *header);

/// The output size at scale 1/scale_denom (1, 2, 4 or 8) after dc_jpeg_read_header.
void dc_jpeg_output_size(dc_jpeg *decoder, int scale_denom, int *width, int *height);

/// Decodes the rows listed in `rows` (ascending, distinct; NULL means all rows in order) into `out`,
/// one packed row of output_width * 4 bytes after another. Rows not listed are skipped without
/// colour conversion or IDCT; the rows produced are identical to a full decode. Pixels are RGBX
/// (RGB plus a padding byte), or CMYK when the header says is_cmyk. 0 on success.
int dc_jpeg_decode(dc_jpeg *decoder, int fast_dct, int scale_denom,
                   const int *rows, int row_count, unsigned char *out);

#endif
