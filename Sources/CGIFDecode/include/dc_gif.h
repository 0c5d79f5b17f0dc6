// A GIF decoder over giflib that gives frame 0 as RGBX rows, the way TensorFlow's
// decode_image(channels=3, expand_animations=False) makes its pixels: the canvas is the
// logical screen; what frame 0 does not cover, and its transparent colour, are black.
// Every later frame is read too (and dropped), so a damaged one fails the file.
#ifndef DOGCAT_DC_GIF_H
#define DOGCAT_DC_GIF_H

#include <stddef.h>

typedef struct dc_gif dc_gif;

/// One decoder per thread; reuse it for every image.
dc_gif *dc_gif_create(void);
void dc_gif_destroy(dc_gif *decoder);

/// The message of the last failure, and whether it was the data ending early.
const char *dc_gif_message(const dc_gif *decoder);
int dc_gif_was_truncated(const dc_gif *decoder);

/// Reads the logical screen size of `data`, which must stay valid until dc_gif_decode
/// returns. 0 on success.
int dc_gif_read_header(dc_gif *decoder, const unsigned char *data, size_t size, int *width, int *height);

/// Decodes frame 0 and reads the rest of the file; writes the rows listed in `rows` (ascending,
/// distinct) into `out`, width * 4 bytes each. A frame of more than `max_pixels` pixels is
/// refused before it is allocated. 0 on success.
int dc_gif_decode(dc_gif *decoder, long max_pixels, const int *rows, int row_count, unsigned char *out);

#endif
