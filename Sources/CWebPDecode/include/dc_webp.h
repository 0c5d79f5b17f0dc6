// A WebP decoder over libwebp that gives frame 0 as RGBX rows, the way TensorFlow's
// decode_jpeg / decode_webp makes its pixels for channels=3: libwebp's own RGB (its
// default fancy upsampling for lossy files), alpha dropped without blending.
// An animated file gives its first frame as libwebp's animation decoder draws it.
#ifndef DOGCAT_DC_WEBP_H
#define DOGCAT_DC_WEBP_H

#include <stddef.h>

typedef struct dc_webp dc_webp;

/// One decoder per thread; reuse it for every image.
dc_webp *dc_webp_create(void);
void dc_webp_destroy(dc_webp *decoder);

/// The message of the last failure, and whether it was the data ending early.
const char *dc_webp_message(const dc_webp *decoder);
int dc_webp_was_truncated(const dc_webp *decoder);

/// Reads the canvas size of `data`, which must stay valid until dc_webp_decode returns. 0 on success.
int dc_webp_read_header(dc_webp *decoder, const unsigned char *data, size_t size, int *width, int *height);

/// Decodes the image (the first frame of an animation) and writes the rows listed in `rows`
/// (ascending, distinct) into `out`, width * 4 bytes each (R, G, B, 255). 0 on success.
int dc_webp_decode(dc_webp *decoder, const int *rows, int row_count, unsigned char *out);

#endif
