#include "dc_gif.h"

#include <gif_lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dc_gif {
    GifFileType *gif;
    const unsigned char *data;
    size_t size;
    size_t offset;
    unsigned char *raster;  // frame 0's colour indices, frame width x height
    size_t raster_size;
    unsigned char *line;    // one line of a later frame
    size_t line_size;
    ColorMapObject *map;    // a copy of frame 0's colour map
    char message[200];
    int truncated;
};

static int read_bytes(GifFileType *gif, GifByteType *target, int length) {
    dc_gif *d = gif->UserData;
    size_t left = d->size - d->offset;
    size_t count = (size_t)length < left ? (size_t)length : left;
    if (count < (size_t)length) d->truncated = 1;
    memcpy(target, d->data + d->offset, count);
    d->offset += count;
    return (int)count;
}

static void close_file(dc_gif *d) {
    if (d->gif) DGifCloseFile(d->gif, NULL);
    d->gif = NULL;
    if (d->map) GifFreeMapObject(d->map);
    d->map = NULL;
}

static int fail(dc_gif *d, const char *message, int code) {
    if (code) snprintf(d->message, sizeof d->message, "%s (%s)", message, GifErrorString(code));
    else snprintf(d->message, sizeof d->message, "%s", message);
    close_file(d);
    return -1;
}

static int grow(unsigned char **buffer, size_t *size, size_t needed) {
    if (*size >= needed) return 0;
    unsigned char *bigger = realloc(*buffer, needed);
    if (!bigger) return -1;
    *buffer = bigger;
    *size = needed;
    return 0;
}

dc_gif *dc_gif_create(void) { return calloc(1, sizeof(dc_gif)); }

void dc_gif_destroy(dc_gif *d) {
    if (!d) return;
    close_file(d);
    free(d->raster);
    free(d->line);
    free(d);
}

const char *dc_gif_message(const dc_gif *d) { return d->message; }

int dc_gif_was_truncated(const dc_gif *d) { return d->truncated; }

int dc_gif_read_header(dc_gif *d, const unsigned char *data, size_t size, int *width, int *height) {
    close_file(d);
    d->message[0] = 0;
    d->truncated = 0;
    d->data = data;
    d->size = size;
    d->offset = 0;
    int code = 0;
    d->gif = DGifOpen(d, read_bytes, &code);
    if (!d->gif) return fail(d, "cannot open GIF", code);
    *width = d->gif->SWidth;
    *height = d->gif->SHeight;
    if (*width <= 0 || *height <= 0) return fail(d, "zero-size logical screen", 0);
    return 0;
}

// Reads one frame's lines: into the raster for frame 0 (deinterlaced), else into a scratch line.
static int read_frame(dc_gif *d, int frame, long max_pixels) {
    GifFileType *gif = d->gif;
    if (DGifGetImageDesc(gif) != GIF_OK) return fail(d, "bad image descriptor", gif->Error);
    int w = gif->Image.Width, h = gif->Image.Height;
    if (w <= 0 || h <= 0) return fail(d, "zero-size frame", 0);
    if ((long)w * (long)h > max_pixels) return fail(d, "frame larger than the pixel limit", 0);
    if (frame == 0) {
        if (grow(&d->raster, &d->raster_size, (size_t)w * (size_t)h)) return fail(d, "out of memory", 0);
        // Interlaced frames store rows 0, 8, 16.., then 4, 12.., then 2, 6.., then 1, 3..
        static const int start[] = {0, 4, 2, 1}, step[] = {8, 8, 4, 2};
        int passes = gif->Image.Interlace ? 4 : 1;
        for (int pass = 0; pass < passes; pass++) {
            int first = passes == 4 ? start[pass] : 0, stride = passes == 4 ? step[pass] : 1;
            for (int y = first; y < h; y += stride) {
                if (DGifGetLine(gif, d->raster + (size_t)y * (size_t)w, w) != GIF_OK)
                    return fail(d, "bad image data in frame 0", gif->Error);
            }
        }
    } else {
        if (grow(&d->line, &d->line_size, (size_t)w)) return fail(d, "out of memory", 0);
        for (int y = 0; y < h; y++) {
            if (DGifGetLine(gif, d->line, w) != GIF_OK) {
                char message[64];
                snprintf(message, sizeof message, "bad image data in frame %d", frame);
                return fail(d, message, gif->Error);
            }
        }
    }
    return 0;
}

int dc_gif_decode(dc_gif *d, long max_pixels, const int *rows, int row_count, unsigned char *out) {
    GifFileType *gif = d->gif;
    if (!gif) return fail(d, "no header read", 0);
    int frames = 0, transparent = NO_TRANSPARENT_COLOR, seen_control_block = 0;
    int left = 0, top = 0, fw = 0, fh = 0;
    GifRecordType type;
    do {
        if (DGifGetRecordType(gif, &type) != GIF_OK) return fail(d, "bad record", gif->Error);
        if (type == IMAGE_DESC_RECORD_TYPE) {
            if (read_frame(d, frames, max_pixels)) return -1;
            if (frames == 0) {
                left = gif->Image.Left, top = gif->Image.Top, fw = gif->Image.Width, fh = gif->Image.Height;
                ColorMapObject *map = gif->Image.ColorMap ? gif->Image.ColorMap : gif->SColorMap;
                if (!map) return fail(d, "missing colour map", 0);
                // A copy: the file's own map is freed with the next descriptor.
                if (!(d->map = GifMakeMapObject(map->ColorCount, map->Colors))) return fail(d, "out of memory", 0);
            }
            frames++;
        } else if (type == EXTENSION_RECORD_TYPE) {
            int code;
            GifByteType *block;
            if (DGifGetExtension(gif, &code, &block) != GIF_OK) return fail(d, "bad extension block", gif->Error);
            // The first graphics control block before frame 0 names its transparent colour.
            if (code == GRAPHICS_EXT_FUNC_CODE && block && frames == 0 && !seen_control_block) {
                GraphicsControlBlock gcb;
                if (DGifExtensionToGCB(block[0], block + 1, &gcb) == GIF_OK) transparent = gcb.TransparentColor;
                seen_control_block = 1;
            }
            while (block) {
                if (DGifGetExtensionNext(gif, &block) != GIF_OK) return fail(d, "bad extension block", gif->Error);
            }
        }
    } while (type != TERMINATE_RECORD_TYPE);
    if (frames == 0) return fail(d, "no image in the file", 0);

    // Frame 0 on the canvas, TensorFlow's way (gif_io.cc): black outside the frame and where
    // it is transparent; a colour index past the map is an error.
    int width = gif->SWidth;
    for (int i = 0; i < row_count; i++) {
        unsigned char *target = out + (size_t)i * (size_t)width * 4;
        memset(target, 0, (size_t)width * 4);
        int y = rows[i];
        if (y < top || y >= top + fh) continue;
        const unsigned char *source = d->raster + (size_t)(y - top) * (size_t)fw;
        int end = left + fw < width ? left + fw : width;
        for (int x = left; x < end; x++) {
            int index = source[x - left];
            if (index == transparent) continue;
            if (index >= d->map->ColorCount) return fail(d, "colour index outside the colour map", 0);
            target[4 * x] = d->map->Colors[index].Red;
            target[4 * x + 1] = d->map->Colors[index].Green;
            target[4 * x + 2] = d->map->Colors[index].Blue;
        }
    }
    close_file(d);
    return 0;
}
