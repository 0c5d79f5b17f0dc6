#!/usr/bin/env python3
"""A tiny baseline JPEG writer (Python 3 standard library only) for fuzz seeds.

Every 8x8 block holds only a DC coefficient (no AC), so the image is a blocky picture, but
the file is a real, valid JPEG with any number of components (1 = grey, 3 = YCbCr,
4 = CMYK/YCCK with an Adobe marker), any sampling factors and an optional restart interval:
the colour spaces and layouts the dev photos do not have.

    python3 minijpeg.py OUT.jpg [--components 1|3|4] [--sampling 2x2,1x1,1x1]
                                [--adobe-transform 0|1|2] [--restart N] [--size WxH]
"""
import argparse
import math
import struct


def _segment(marker, payload):
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


class _Bits:
    def __init__(self):
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def put(self, value, length):
        for i in range(length - 1, -1, -1):
            self.acc = (self.acc << 1) | ((value >> i) & 1)
            self.n += 1
            if self.n == 8:
                self.out.append(self.acc)
                if self.acc == 0xFF:
                    self.out.append(0x00)   # byte stuffing
                self.acc = 0
                self.n = 0

    def flush(self):
        if self.n:
            self.put((1 << (8 - self.n)) - 1, 8 - self.n)   # pad with ones


def encode(width, height, components, sampling, levels, adobe_transform=None, restart=0):
    """levels(c, bx, by) -> 0..255: the value of block (bx, by) of component c, in that
    component's own block grid. Returns the JPEG bytes."""
    # A single-component scan is not interleaved: its MCU is one block, whatever the factors.
    hmax = max(h for h, _ in sampling) if components > 1 else 1
    vmax = max(v for _, v in sampling) if components > 1 else 1
    mcux = math.ceil(width / (8 * hmax))
    mcuy = math.ceil(height / (8 * vmax))
    data = bytearray(b"\xFF\xD8")
    data += _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    if adobe_transform is not None:
        data += _segment(0xEE, b"Adobe" + struct.pack(">HHHB", 100, 0, 0, adobe_transform))
    data += _segment(0xDB, b"\x00" + bytes([8] * 64))          # one table, every step 8
    sof = struct.pack(">BHHB", 8, height, width, components)
    for c in range(components):
        h, v = sampling[c]
        sof += bytes([c + 1, (h << 4) | v, 0])
    data += _segment(0xC0, sof)
    # DC table: categories 0..11, every code 4 bits long. AC table: only EOB, code "0".
    counts = [0] * 16
    counts[3] = 12
    data += _segment(0xC4, bytes([0x00]) + bytes(counts) + bytes(range(12)))
    counts = [0] * 16
    counts[0] = 1
    data += _segment(0xC4, bytes([0x10]) + bytes(counts) + b"\x00")
    if restart:
        data += _segment(0xDD, struct.pack(">H", restart))
    sos = bytes([components])
    for c in range(components):
        sos += bytes([c + 1, 0x00])
    data += _segment(0xDA, sos + b"\x00\x3F\x00")
    bits = _Bits()
    predictors = [0] * components
    mcu_index = 0
    restart_number = 0
    for my in range(mcuy):
        for mx in range(mcux):
            if restart and mcu_index and mcu_index % restart == 0:
                bits.flush()
                bits.out += bytes([0xFF, 0xD0 + restart_number])
                restart_number = (restart_number + 1) % 8
                predictors = [0] * components
            mcu_index += 1
            for c in range(components):
                h, v = sampling[c] if components > 1 else (1, 1)
                for by in range(v):
                    for bx in range(h):
                        dc = levels(c, mx * h + bx, my * v + by) - 128   # coefficient / quant step
                        diff = dc - predictors[c]
                        predictors[c] = dc
                        size = abs(diff).bit_length()
                        bits.put(size, 4)
                        if size:
                            bits.put(diff if diff > 0 else diff + (1 << size) - 1, size)
                        bits.put(0, 1)   # EOB
    bits.flush()
    data += bits.out
    data += b"\xFF\xD9"
    return bytes(data)


def pattern(c, bx, by):
    return (37 * c + 11 * bx + 7 * by + (bx * by) % 23) % 256


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--components", type=int, default=3, choices=[1, 3, 4])
    parser.add_argument("--sampling", default="")
    parser.add_argument("--adobe-transform", type=int, default=None)
    parser.add_argument("--restart", type=int, default=0)
    parser.add_argument("--size", default="320x240")
    args = parser.parse_args()
    width, height = (int(x) for x in args.size.split("x"))
    sampling = [tuple(int(x) for x in s.split("x")) for s in args.sampling.split(",")] if args.sampling else [(1, 1)] * args.components
    if len(sampling) != args.components:
        parser.error("--sampling needs one HxV per component")
    with open(args.out, "wb") as f:
        f.write(encode(width, height, args.components, sampling, pattern, args.adobe_transform, args.restart))


if __name__ == "__main__":
    main()
