#!/usr/bin/env python3
"""Makes N damaged PNG, GIF and WebP variants of real files, for scripts/fuzz.sh (standard library only).

    python3 mutate_formats.py --out DIR --count N [--seed S] SEED_DIR_OR_FILE...

Writes DIR/f0000000.EXT ... (one to four mutations each, reproducible from --seed), appends their
paths to DIR/list.txt and their log lines (variant, source, mutations) to DIR/mutations.tsv, as
mutate.py does for JPEG.

Mutations, each aware of the format's structure where it helps:
  bitflip, truncate, garbage, overwrite   any format, anywhere
  pngchunk     PNG: damage a chunk's data and fix its CRC, so the damage reaches zlib and the filters
  pngheader    PNG: set IHDR's width, height, bit depth, colour type or interlace to odd values (CRC fixed)
  pnglength    PNG: change a chunk's length field
  gifdims      GIF: set the screen's or a frame's size or position to 0, 1, 255, 65535...
  gifcodesize  GIF: set a frame's LZW minimum code size to 0..12
  riffsize     WebP: change the RIFF or a chunk's size field
  vp8dims      WebP: set a lossy key frame's width and height
"""
import argparse
import os
import random
import struct
import sys
import zlib

ODD_SIZES = [0, 1, 2, 7, 255, 256, 4096, 16383, 32767, 65535]


def rand_bytes(rng, n):
    return bytes(rng.getrandbits(8) for _ in range(n))


def m_bitflip(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 16)):
        i = rng.randrange(len(data))
        data[i] ^= 1 << rng.randrange(8)
    return bytes(data)


def m_truncate(rng, data):
    return data[: rng.randrange(min(40, len(data)) if rng.random() < 0.2 else len(data))]


def m_garbage(rng, data):
    i = rng.randrange(len(data) + 1)
    return data[:i] + rand_bytes(rng, rng.randint(1, 512)) + data[i:]


def m_overwrite(rng, data):
    i = rng.randrange(len(data))
    n = min(rng.randint(1, 64), len(data) - i)
    return data[:i] + rand_bytes(rng, n) + data[i + n:]


def png_chunks(data):
    """(offset, length, type) of each chunk that fits in the data."""
    chunks, at = [], 8
    while at + 12 <= len(data):
        length = struct.unpack(">I", data[at:at + 4])[0]
        if at + 12 + length > len(data):
            break
        chunks.append((at, length, data[at + 4:at + 8]))
        at += 12 + length
    return chunks


def with_chunk_data(data, at, length, new):
    kind = data[at + 4:at + 8]
    return data[:at] + struct.pack(">I", len(new)) + kind + new + struct.pack(">I", zlib.crc32(kind + new)) + data[at + 12 + length:]


def m_pngchunk(rng, data):
    chunks = [c for c in png_chunks(data) if c[1] > 0]
    if not data.startswith(b"\x89PNG") or not chunks:
        return m_overwrite(rng, data)
    at, length, _ = rng.choice(chunks)
    body = bytearray(data[at + 8:at + 8 + length])
    for _ in range(rng.randint(1, 8)):
        body[rng.randrange(length)] = rng.getrandbits(8)
    return with_chunk_data(data, at, length, bytes(body))


def m_pngheader(rng, data):
    chunks = [c for c in png_chunks(data) if c[2] == b"IHDR" and c[1] == 13]
    if not chunks:
        return m_bitflip(rng, data)
    at, length, _ = chunks[0]
    body = bytearray(data[at + 8:at + 21])
    field = rng.choice(["width", "height", "depth", "colour", "interlace", "filter"])
    if field in ("width", "height"):
        offset = 0 if field == "width" else 4
        body[offset:offset + 4] = struct.pack(">I", rng.choice(ODD_SIZES + [1 << 31, 60000]))
    else:
        body[{"depth": 8, "colour": 9, "filter": 11, "interlace": 12}[field]] = rng.choice([0, 1, 2, 3, 4, 6, 8, 16, 255])
    return with_chunk_data(data, at, length, bytes(body))


def m_pnglength(rng, data):
    chunks = png_chunks(data)
    if not chunks:
        return m_bitflip(rng, data)
    at, length, _ = rng.choice(chunks)
    new = rng.choice([0, 1, length - 1, length + 1, 0x7FFFFFFF, 0xFFFFFFFF, rng.getrandbits(32)]) & 0xFFFFFFFF
    return data[:at] + struct.pack(">I", new) + data[at + 4:]


def gif_descriptors(data):
    """Offsets of the image descriptors (0x2C) found by walking the blocks."""
    if len(data) < 13 or not data.startswith(b"GIF"):
        return []
    at = 13 + (3 << ((data[10] & 7) + 1) if data[10] & 0x80 else 0)
    found = []
    while at < len(data):
        if data[at] == 0x21 and at + 2 < len(data):
            at += 2
        elif data[at] == 0x2C and at + 10 <= len(data):
            found.append(at)
            flags = data[at + 9]
            at += 10 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0) + 1
        else:
            break
        while at < len(data) and data[at] != 0:   # sub-blocks
            at += data[at] + 1
        at += 1
    return found


def m_gifdims(rng, data):
    descriptors = gif_descriptors(data)
    targets = [6, 8] + [d + k for d in descriptors for k in (1, 3, 5, 7)]
    if len(data) < 13:
        return m_bitflip(rng, data)
    at = rng.choice(targets)
    if at + 2 > len(data):
        return m_bitflip(rng, data)
    return data[:at] + struct.pack("<H", rng.choice(ODD_SIZES)) + data[at + 2:]


def m_gifcodesize(rng, data):
    descriptors = gif_descriptors(data)
    if not descriptors:
        return m_bitflip(rng, data)
    d = rng.choice(descriptors)
    flags = data[d + 9]
    at = d + 10 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    if at >= len(data):
        return m_truncate(rng, data)
    return data[:at] + bytes([rng.randrange(13)]) + data[at + 1:]


def m_riffsize(rng, data):
    if not data.startswith(b"RIFF") or len(data) < 20:
        return m_bitflip(rng, data)
    at = rng.choice([4, 16])
    old = struct.unpack("<I", data[at:at + 4])[0]
    new = rng.choice([0, 1, old - 1, old + 1, old * 2, 0xFFFFFFFF, rng.getrandbits(32)]) & 0xFFFFFFFF
    return data[:at] + struct.pack("<I", new) + data[at + 4:]


def m_vp8dims(rng, data):
    if data[12:16] != b"VP8 " or len(data) < 30:
        return m_riffsize(rng, data)
    dims = struct.pack("<HH", rng.choice(ODD_SIZES) & 0x3FFF | rng.randrange(4) << 14, rng.choice(ODD_SIZES) & 0x3FFF)
    return data[:26] + dims + data[30:]


GENERIC = [(m_bitflip, 3), (m_truncate, 3), (m_garbage, 1), (m_overwrite, 2)]
BY_FORMAT = {
    "png": GENERIC + [(m_pngchunk, 4), (m_pngheader, 2), (m_pnglength, 1)],
    "gif": GENERIC + [(m_gifdims, 2), (m_gifcodesize, 1)],
    "webp": GENERIC + [(m_riffsize, 2), (m_vp8dims, 2)],
}


def format_of(data):
    if data.startswith(b"\x89PNG"):
        return "png"
    if data.startswith(b"GIF8"):
        return "gif"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "webp"
    return None


def seed_files(paths):
    files = []
    for path in paths:
        if os.path.isdir(path):
            for root, _, names in os.walk(path):
                files += [os.path.join(root, n) for n in names]
        else:
            files.append(path)
    return sorted(files)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("seeds", nargs="+")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    sources = []
    for path in seed_files(args.seeds):
        with open(path, "rb") as f:
            data = f.read()
        if format_of(data):
            sources.append((path, data))
    if not sources:
        sys.exit("mutate_formats.py: no PNG, GIF or WebP seed files")
    os.makedirs(args.out, exist_ok=True)
    out = os.path.abspath(args.out)
    new_log = not os.path.exists(os.path.join(out, "mutations.tsv"))
    with open(os.path.join(out, "list.txt"), "a") as listing, open(os.path.join(out, "mutations.tsv"), "a") as log:
        if new_log:
            log.write("variant\tsource\tmutations\n")
        for n in range(args.count):
            source, data = rng.choice(sources)
            kind = format_of(data)
            functions, weights = zip(*BY_FORMAT[kind])
            applied = []
            for m in rng.choices(functions, weights, k=rng.choice([1, 1, 1, 2, 2, 3, 4])):
                if len(data) < 4:
                    break
                data = m(rng, data)
                applied.append(m.__name__[2:])
            name = os.path.join(out, "f%07d.%s" % (n, kind))
            with open(name, "wb") as f:
                f.write(data)
            listing.write(name + "\n")
            log.write("%s\t%s\t%s\n" % (os.path.basename(name), source, ",".join(applied)))


if __name__ == "__main__":
    main()
