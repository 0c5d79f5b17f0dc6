"""Re-encodes real photos in the PNG, GIF, WebP and BMP variants that ../shared/data/formats lacks,
for scripts/formats-vs-tf.sh.

usage: make_variants.py OUT_DIR PHOTO...
Writes OUT_DIR/files/KIND_K.EXT for each photo K and kind, and OUT_DIR/twins/webp_anim_K.png: the
first frame of each animated WebP as libwebp (through Pillow) decodes it, losslessly, because
TensorFlow's pipeline refuses animated WebP (decode_image(channels=3) decodes them as RGBA).
Pillow cannot write Adam7 PNGs: those are written here (filter 0 rows, one IDAT)."""
import os, struct, sys, zlib
import numpy as np
from PIL import Image


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def adam7_png(pixels, colour_type, bit_depth=8):
    """An interlaced PNG of an (H, W[, C]) uint8 or uint16 array."""
    h, w = pixels.shape[:2]
    raw = b""
    for x0, y0, dx, dy in [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]:
        sub = pixels[y0::dy, x0::dx]
        if sub.size == 0:
            continue
        if bit_depth == 16:
            sub = sub.astype(">u2")
        raw += b"".join(b"\0" + row.tobytes() for row in sub)
    header = struct.pack(">IIBBBBB", w, h, bit_depth, colour_type, 0, 0, 1)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b"")


def write_variants(photo, k, files, twins):
    rgb = Image.open(photo).convert("RGB")
    pixels = np.asarray(rgb)
    name = lambda kind, ext: os.path.join(files, f"{kind}_{k}.{ext}")
    rgb.convert("1").save(name("png_1bit_grey", "png"), bits=1)
    rgb.convert("L").quantize(4).save(name("png_2bit_palette", "png"), bits=2)
    rgb.quantize(16).save(name("png_4bit_palette", "png"), bits=4)
    rgb.quantize(256).save(name("png_palette_trns", "png"), transparency=0)
    rgb.convert("LA").save(name("png_grey_alpha", "png"))
    open(name("png_adam7_rgb", "png"), "wb").write(adam7_png(pixels, 2))
    open(name("png_adam7_grey", "png"), "wb").write(adam7_png(np.asarray(rgb.convert("L")), 0))
    alpha = np.full(pixels.shape[:2] + (1,), 200, np.uint8)
    open(name("png_adam7_rgba16", "png"), "wb").write(adam7_png(np.concatenate([pixels, alpha], 2).astype(np.uint16) * 257 + 3, 6, 16))
    rgb.save(name("gif_interlaced", "gif"), interlace=True)
    rgb.convert("RGBA").save(name("bmp_32bit", "bmp"))
    rgb.convert("RGBA").save(name("webp_lossless_alpha", "webp"), lossless=True)
    anim = name("webp_anim", "webp")
    rgb.save(anim, save_all=True, append_images=[rgb.rotate(90)], duration=100, quality=90)
    first = Image.open(anim)
    first.seek(0)
    first.convert("RGB").save(os.path.join(twins, f"webp_anim_{k}.png"))


def main():
    out, photos = sys.argv[1], sys.argv[2:]
    files, twins = os.path.join(out, "files"), os.path.join(out, "twins")
    os.makedirs(files, exist_ok=True)
    os.makedirs(twins, exist_ok=True)
    for k, photo in enumerate(photos):
        write_variants(photo, k, files, twins)
    print(f"{len(os.listdir(files))} files from {len(photos)} photos in {files}")


if __name__ == "__main__":
    main()
