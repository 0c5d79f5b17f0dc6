#!/usr/bin/env python3
"""Makes N damaged JPEG variants of real photos, for scripts/fuzz.sh (standard library only).

    python3 mutate.py --out DIR --count N [--seed S] SEED_DIR_OR_FILE...

Writes DIR/v0000000.jpg ... (one to four mutations each, reproducible from --seed), the
manifest DIR/list.txt (one absolute path per line, in order) and DIR/mutations.tsv (variant,
source photo, the mutations applied) so any finding can be reproduced and explained.

Mutations, each aware of the JPEG structure where it helps (segments before the scan, the
entropy-coded data after SOS):
  bitflip      flip 1..16 random bits (half of the time inside the headers)
  truncate     cut the file at a random offset (sometimes within the first bytes)
  dupsegment   insert a copy of a random marker segment (DHT, DQT, SOF, SOS, APPn...)
  delsegment   delete a random marker segment
  swapsegments swap two marker segments
  garbage      insert 1..512 random bytes at a random offset
  overwrite    overwrite a random range with random bytes
  marker       insert a marker (RSTn, SOI, EOI, SOS, DHT, DQT, SOF, FF 00, FF FF) in the scan
  ff00run      a run of FF 00 (stuffed all-ones bits: no valid Huffman code) mid-scan
  zerorun      a run of zero bytes mid-scan
  repeatscan   repeat a chunk of the scan data in place several times
  headerbyte   set a byte of a header segment's payload to 0, 1, FF, 7F, 80 or random
  dims         set the SOF height/width to 0, 1, 7, 8, 9, 255, 256, 4096, 65000, 65535...
  sampling     set a component's sampling factors to random values 0..5
  components   set the SOF/SOS component count (and sometimes the component ids)
  tableids     point a component at another (maybe missing) quantisation/Huffman table
  huffcounts   change a DHT code-length count
  segmentlen   change a segment's length field
  dropeoi      remove the end marker
  restart      insert or damage a DRI restart interval
"""
import argparse
import os
import random
import sys


def segments(data):
    """(start, end, marker) of each marker segment before the entropy-coded data of the
    first scan, the SOS included; and the offset where that scan's data starts."""
    result = []
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            break
        marker = data[i + 1]
        if marker == 0xFF:
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            result.append((i, i + 2, marker))
            i += 2
            continue
        length = (data[i + 2] << 8) | data[i + 3]
        end = min(i + 2 + length, len(data))
        result.append((i, end, marker))
        i = end
        if marker == 0xDA:
            return result, end
        if marker == 0xD9:
            break
    return result, min(i, len(data))


def scan_range(data):
    _, start = segments(data)
    end = len(data) - 2 if data[-2:] == b"\xFF\xD9" else len(data)
    return start, max(start, end)


def rand_bytes(rng, n):
    return bytes(rng.getrandbits(8) for _ in range(n))


def pick_in_scan(rng, data):
    start, end = scan_range(data)
    if end - start < 4:
        return rng.randrange(len(data) + 1)
    return rng.randrange(start, end)


def header_segments(data, markers=None):
    segs, _ = segments(data)
    return [s for s in segs if s[1] - s[0] > 4 and (markers is None or s[2] in markers)]


def m_bitflip(rng, data):
    data = bytearray(data)
    _, scan = segments(data)
    for _ in range(rng.randint(1, 16)):
        limit = scan if rng.random() < 0.5 and scan > 2 else len(data)
        i = rng.randrange(limit)
        data[i] ^= 1 << rng.randrange(8)
    return bytes(data)


def m_truncate(rng, data):
    if rng.random() < 0.15:
        return data[: rng.randrange(min(8, len(data)))]
    return data[: rng.randrange(len(data))]


def m_dupsegment(rng, data):
    segs = header_segments(data)
    if not segs:
        return m_garbage(rng, data)
    s, e, _ = rng.choice(segs)
    where = rng.choice([e, s, rng.choice(segs)[0], pick_in_scan(rng, data)])
    return data[:where] + data[s:e] + data[where:]


def m_delsegment(rng, data):
    segs = header_segments(data)
    if not segs:
        return m_truncate(rng, data)
    s, e, _ = rng.choice(segs)
    return data[:s] + data[e:]


def m_swapsegments(rng, data):
    segs = header_segments(data)
    if len(segs) < 2:
        return m_bitflip(rng, data)
    a, b = sorted(rng.sample(segs, 2))
    return data[: a[0]] + data[b[0]:b[1]] + data[a[1]:b[0]] + data[a[0]:a[1]] + data[b[1]:]


def m_garbage(rng, data):
    i = rng.randrange(len(data) + 1)
    return data[:i] + rand_bytes(rng, rng.randint(1, 512)) + data[i:]


def m_overwrite(rng, data):
    i = rng.randrange(len(data))
    n = min(rng.randint(1, 256), len(data) - i)
    return data[:i] + rand_bytes(rng, n) + data[i + n:]


def m_marker(rng, data):
    marker = rng.choice([0xD0 + rng.randrange(8), 0xD8, 0xD9, 0xDA, 0xC4, 0xDB, 0xC0, 0xC2, 0xDD, 0x00, 0xFF, rng.getrandbits(8)])
    i = pick_in_scan(rng, data)
    return data[:i] + bytes([0xFF, marker]) + data[i:]


def m_ff00run(rng, data):
    i = pick_in_scan(rng, data)
    return data[:i] + b"\xFF\x00" * rng.randint(1, 64) + data[i:]


def m_zerorun(rng, data):
    i = pick_in_scan(rng, data)
    n = rng.randint(1, 2048)
    return data[:i] + bytes(n) + data[i + n:]


def m_repeatscan(rng, data):
    start, end = scan_range(data)
    if end - start < 16:
        return m_garbage(rng, data)
    i = rng.randrange(start, end - 8)
    chunk = data[i:i + rng.randint(1, min(4096, end - i))]
    return data[:i] + chunk * rng.randint(2, 8) + data[i:]


def m_headerbyte(rng, data):
    segs = header_segments(data)
    if not segs:
        return m_bitflip(rng, data)
    s, e, _ = rng.choice(segs)
    i = rng.randrange(s + 4, e) if e > s + 4 else s
    value = rng.choice([0, 1, 0xFF, 0x7F, 0x80, 0x10, 0x11, 0x22, rng.getrandbits(8)])
    data = bytearray(data)
    data[i] = value
    return bytes(data)


def sof(data):
    segs = header_segments(data, markers=set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC})
    return segs[0] if segs else None


def m_dims(rng, data):
    s = sof(data)
    if not s or s[1] - s[0] < 9:
        return m_headerbyte(rng, data)
    values = [0, 1, 2, 7, 8, 9, 15, 16, 17, 255, 256, 1000, 4096, 9999, 20000, 65000, 65535]
    data = bytearray(data)
    for offset in rng.sample([5, 7], rng.randint(1, 2)):
        v = rng.choice(values) if rng.random() < 0.8 else rng.randrange(65536)
        data[s[0] + offset] = v >> 8
        data[s[0] + offset + 1] = v & 0xFF
    return bytes(data)


def m_sampling(rng, data):
    s = sof(data)
    if not s or s[1] - s[0] < 11:
        return m_headerbyte(rng, data)
    data = bytearray(data)
    n = data[s[0] + 9]
    c = rng.randrange(max(n, 1))
    i = s[0] + 10 + 3 * c + 1
    if i < s[1]:
        data[i] = (rng.randrange(6) << 4) | rng.randrange(6)
    return bytes(data)


# Start-of-frame markers (SOF0..SOF15 without DHT, JPG and DAC) and the start of scan.
FRAME_AND_SCAN = {0xDA} | set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def frame_or_scan(rng, data):
    """A random frame or scan header segment (start, end, marker), or None."""
    segs = header_segments(data, markers=FRAME_AND_SCAN)
    return rng.choice(segs) if segs else None


def m_components(rng, data):
    segment = frame_or_scan(rng, data)
    if not segment:
        return m_headerbyte(rng, data)
    data = bytearray(data)
    s, e, marker = segment
    where = s + 4 if marker == 0xDA else s + 9
    if where < e:
        data[where] = rng.choice([0, 1, 2, 4, 5, 255])
    if rng.random() < 0.3 and where + 1 < e:
        data[where + 1] = rng.getrandbits(8)
    return bytes(data)


def m_tableids(rng, data):
    segment = frame_or_scan(rng, data)
    if not segment:
        return m_headerbyte(rng, data)
    data = bytearray(data)
    s, e, marker = segment
    if marker == 0xDA:
        n = data[s + 4]
        i = s + 5 + 2 * rng.randrange(max(n, 1)) + 1
        value = (rng.randrange(5) << 4) | rng.randrange(5)
    else:
        n = data[s + 9]
        i = s + 10 + 3 * rng.randrange(max(n, 1)) + 2
        value = rng.randrange(5)
    if i < e:
        data[i] = value
    return bytes(data)


def m_huffcounts(rng, data):
    segs = header_segments(data, markers={0xC4})
    if not segs:
        return m_headerbyte(rng, data)
    s, e, _ = rng.choice(segs)
    i = s + 5 + rng.randrange(16)
    data = bytearray(data)
    if i < e:
        data[i] = rng.choice([0, 1, 2, 16, 255, rng.getrandbits(8)])
    return bytes(data)


def m_segmentlen(rng, data):
    segs = header_segments(data)
    if not segs:
        return m_bitflip(rng, data)
    s, e, _ = rng.choice(segs)
    length = (data[s + 2] << 8) | data[s + 3]
    length = rng.choice([0, 1, 2, 3, length - 1, length + 1, length + rng.randint(2, 300), 0xFFFF, rng.randrange(65536)])
    length = max(0, min(0xFFFF, length))
    return data[:s + 2] + bytes([length >> 8, length & 0xFF]) + data[s + 4:]


def m_dropeoi(rng, data):
    return data[:-2] if data[-2:] == b"\xFF\xD9" else data + b"\xFF"


def m_restart(rng, data):
    segs, scan = segments(data)
    dri = [s for s in segs if s[2] == 0xDD]
    if dri and rng.random() < 0.5:
        s = dri[0]
        v = rng.choice([0, 1, 2, 3, 0xFFFF, rng.randrange(65536)])
        return data[:s[0] + 4] + bytes([v >> 8, v & 0xFF]) + data[s[0] + 6:]
    where = next((s[0] for s in segs if s[2] == 0xDA), None)
    if where is None:
        return m_marker(rng, data)
    v = rng.choice([1, 2, 3, 7, 100, rng.randrange(65536)])
    return data[:where] + bytes([0xFF, 0xDD, 0, 4, v >> 8, v & 0xFF]) + data[where:]


MUTATIONS = [
    (m_bitflip, 14), (m_truncate, 10), (m_dupsegment, 5), (m_delsegment, 5), (m_swapsegments, 3),
    (m_garbage, 6), (m_overwrite, 6), (m_marker, 8), (m_ff00run, 4), (m_zerorun, 4), (m_repeatscan, 4),
    (m_headerbyte, 10), (m_dims, 6), (m_sampling, 5), (m_components, 4), (m_tableids, 4), (m_huffcounts, 4),
    (m_segmentlen, 5), (m_dropeoi, 2), (m_restart, 3),
]


def mutate(rng, data, mutations):
    """Applies one to four of `mutations` ((function, weight) pairs, drawn by weight) in turn;
    returns the bytes and the names of the mutations applied."""
    functions = [m for m, _ in mutations]
    weights = [w for _, w in mutations]
    applied = []
    for m in rng.choices(functions, weights, k=rng.choice([1, 1, 1, 2, 2, 3, 4])):
        if len(data) < 4:
            break
        data = m(rng, data)
        applied.append(m.__name__[2:])
    return data, applied


def seed_files(paths):
    files = []
    for path in paths:
        if os.path.isdir(path):
            for root, _, names in os.walk(path):
                files += [os.path.join(root, n) for n in names if n.lower().endswith((".jpg", ".jpeg"))]
        else:
            files.append(path)
    return sorted(files)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-seed-bytes", type=int, default=200_000, help="skip seed photos larger than this")
    parser.add_argument("seeds", nargs="+")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    sources = [f for f in seed_files(args.seeds) if os.path.getsize(f) <= args.max_seed_bytes]
    if not sources:
        sys.exit("mutate.py: no seed photos")
    cache = {}
    os.makedirs(args.out, exist_ok=True)
    out = os.path.abspath(args.out)
    with open(os.path.join(out, "list.txt"), "w") as listing, open(os.path.join(out, "mutations.tsv"), "w") as log:
        log.write("variant\tsource\tmutations\n")
        for n in range(args.count):
            source = rng.choice(sources)
            if source not in cache:
                with open(source, "rb") as f:
                    cache[source] = f.read()
            data, applied = mutate(rng, cache[source], MUTATIONS)
            name = os.path.join(out, "v%07d.jpg" % n)
            with open(name, "wb") as f:
                f.write(data)
            listing.write(name + "\n")
            log.write("%s\t%s\t%s\n" % (os.path.basename(name), source, ",".join(applied)))


if __name__ == "__main__":
    main()
