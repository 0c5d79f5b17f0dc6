#include "dc_webp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <webp/decode.h>
#include <webp/demux.h>

struct dc_webp {
    const unsigned char *data;
    size_t size;
    int width;
    int height;
    int animated;
    unsigned char *pixels;  // the whole decoded image, RGBA
    size_t pixels_size;
    char message[200];
    int truncated;
};

static int fail(dc_webp *d, int truncated, const char *message) {
    snprintf(d->message, sizeof d->message, "%s", message);
    d->truncated = truncated;
    return -1;
}

static const char *status_text(VP8StatusCode status) {
    switch (status) {
    case VP8_STATUS_OUT_OF_MEMORY: return "out of memory";
    case VP8_STATUS_INVALID_PARAM: return "invalid parameter";
    case VP8_STATUS_BITSTREAM_ERROR: return "bitstream error";
    case VP8_STATUS_UNSUPPORTED_FEATURE: return "unsupported feature";
    case VP8_STATUS_SUSPENDED: return "suspended";
    case VP8_STATUS_USER_ABORT: return "aborted";
    case VP8_STATUS_NOT_ENOUGH_DATA: return "premature end of WebP data";
    default: return "unknown error";
    }
}

dc_webp *dc_webp_create(void) { return calloc(1, sizeof(dc_webp)); }

void dc_webp_destroy(dc_webp *d) {
    if (!d) return;
    free(d->pixels);
    free(d);
}

const char *dc_webp_message(const dc_webp *d) { return d->message; }

int dc_webp_was_truncated(const dc_webp *d) { return d->truncated; }

int dc_webp_read_header(dc_webp *d, const unsigned char *data, size_t size, int *width, int *height) {
    d->message[0] = 0;
    d->truncated = 0;
    d->data = data;
    d->size = size;
    WebPBitstreamFeatures features;
    VP8StatusCode status = WebPGetFeatures(data, size, &features);
    if (status != VP8_STATUS_OK) return fail(d, status == VP8_STATUS_NOT_ENOUGH_DATA, status_text(status));
    // The RIFF size field says how long the file is; less data than that is a cut file.
    if (size >= 8) {
        size_t riff = (size_t)data[4] | (size_t)data[5] << 8 | (size_t)data[6] << 16 | (size_t)data[7] << 24;
        if (riff + 8 > size) return fail(d, 1, "premature end of WebP data");
    }
    d->width = *width = features.width;
    d->height = *height = features.height;
    d->animated = features.has_animation;
    if (d->width <= 0 || d->height <= 0) return fail(d, 0, "zero-size image");
    return 0;
}

static int decode_still(dc_webp *d, size_t stride) {
    WebPDecoderConfig config;
    if (!WebPInitDecoderConfig(&config)) return fail(d, 0, "libwebp version mismatch");
    config.output.colorspace = MODE_RGBA;
    config.output.is_external_memory = 1;
    config.output.u.RGBA.rgba = d->pixels;
    config.output.u.RGBA.stride = (int)stride;
    config.output.u.RGBA.size = stride * (size_t)d->height;
    VP8StatusCode status = WebPDecode(d->data, d->size, &config);
    WebPFreeDecBuffer(&config.output);
    if (status != VP8_STATUS_OK) return fail(d, status == VP8_STATUS_NOT_ENOUGH_DATA, status_text(status));
    return 0;
}

static int decode_first_frame(dc_webp *d, size_t stride) {
    WebPData data = {d->data, d->size};
    WebPAnimDecoderOptions options;
    if (!WebPAnimDecoderOptionsInit(&options)) return fail(d, 0, "libwebp version mismatch");
    options.color_mode = MODE_RGBA;
    options.use_threads = 0;
    WebPAnimDecoder *decoder = WebPAnimDecoderNew(&data, &options);
    if (!decoder) return fail(d, 0, "bad animation");
    uint8_t *frame = NULL;
    int timestamp = 0;
    int ok = WebPAnimDecoderGetNext(decoder, &frame, &timestamp);
    if (ok) memcpy(d->pixels, frame, stride * (size_t)d->height);
    WebPAnimDecoderDelete(decoder);
    return ok ? 0 : fail(d, 0, "bad first frame");
}

int dc_webp_decode(dc_webp *d, const int *rows, int row_count, unsigned char *out) {
    size_t stride = (size_t)d->width * 4, needed = stride * (size_t)d->height;
    if (d->pixels_size < needed) {
        free(d->pixels);
        d->pixels_size = 0;
        if (!(d->pixels = malloc(needed))) return fail(d, 0, "out of memory");
        d->pixels_size = needed;
    }
    if ((d->animated ? decode_first_frame(d, stride) : decode_still(d, stride)) != 0) return -1;
    for (int i = 0; i < row_count; i++) {
        unsigned char *target = out + (size_t)i * stride;
        memcpy(target, d->pixels + (size_t)rows[i] * stride, stride);
        for (int x = 0; x < d->width; x++) target[4 * x + 3] = 255;
    }
    // A huge photo's buffer is not kept for the next, usually small, one.
    if (d->pixels_size > ((size_t)64 << 20)) {
        free(d->pixels);
        d->pixels = NULL;
        d->pixels_size = 0;
    }
    return 0;
}
