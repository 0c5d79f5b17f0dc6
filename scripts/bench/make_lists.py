"""Writes the input lists the benchmarks feed to dogcat-mpi and to the peers.

  photos OUTDIR [--limit N]   OUTDIR/photos.csv (path,label; absolute paths, for dogcat-mpi,
                              which then prints its accuracy) and OUTDIR/photos.txt (the same
                              paths, one a line, for the peers' --paths). --limit keeps N photos
                              spread evenly over labels.csv, so cats, dogs and sources stay mixed.
  seed OUTDIR [--sizes A,B..] OUTDIR/seed.txt: paths_3000.txt re-rooted on data/seed (absolute),
                              and OUTDIR/seed_N.txt holding its first N lines for each size.
  by-size OUTDIR              OUTDIR/photos_by_size.txt: every real photo, smallest file first
                              (the skewed list for the static/dynamic schedule experiment).
  shards OUTDIR [--limit N] [--count K]
                              OUTDIR/shards/shard-00000k.tar: the photos of `photos` (same
                              --limit, same order) as K tar shards in WebDataset's layout
                              (NAME.jpg beside NAME.cls holding the label), for dogcat-mpi
                              --input OUTDIR/shards.
Every path list keeps the source order, so all systems see the same images in the same order.
"""
import argparse
import csv
import io
import os
import tarfile

SHARED = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared"))
PHOTOS = os.path.join(SHARED, "data", "photos")
SEED_DIR = os.path.join(SHARED, "data", "seed")
SEED_LIST = os.path.join(SHARED, "peers", "paths_3000.txt")


def labeled_photos():
    """(absolute path, label) for every row of data/photos/labels.csv."""
    with open(os.path.join(PHOTOS, "labels.csv"), newline="") as f:
        return [(os.path.join(PHOTOS, r["file"]), r["label"]) for r in csv.DictReader(f)]


def spread(items, limit):
    """At most `limit` items taken at even steps over the whole list."""
    if not limit or limit >= len(items):
        return items
    return [items[i * len(items) // limit] for i in range(limit)]


def write_lines(path, lines):
    with open(path, "w") as f:
        f.writelines(line + "\n" for line in lines)


def cmd_photos(args):
    rows = spread(labeled_photos(), args.limit)
    with open(os.path.join(args.outdir, "photos.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["path", "label"])
        w.writerows(rows)
    write_lines(os.path.join(args.outdir, "photos.txt"), [p for p, _ in rows])
    print(len(rows))


def cmd_seed(args):
    with open(SEED_LIST) as f:
        paths = [os.path.join(SEED_DIR, os.path.basename(l.strip())) for l in f if l.strip()]
    write_lines(os.path.join(args.outdir, "seed.txt"), paths)
    for n in (int(s) for s in args.sizes.split(",") if s):
        write_lines(os.path.join(args.outdir, f"seed_{n}.txt"), paths[:n])
    print(len(paths))


def cmd_by_size(args):
    paths = sorted((p for p, _ in labeled_photos()), key=lambda p: (os.path.getsize(p), p))
    write_lines(os.path.join(args.outdir, "photos_by_size.txt"), paths)
    print(len(paths))


def cmd_shards(args):
    rows = spread(labeled_photos(), args.limit)
    folder = os.path.join(args.outdir, "shards")
    os.makedirs(folder, exist_ok=True)
    for k in range(args.count):
        chunk = rows[k * len(rows) // args.count:(k + 1) * len(rows) // args.count]
        with tarfile.open(os.path.join(folder, f"shard-{k:06d}.tar"), "w", format=tarfile.PAX_FORMAT) as tar:
            for path, label in chunk:
                name = os.path.basename(path)
                tar.add(path, arcname=name)
                info = tarfile.TarInfo(os.path.splitext(name)[0] + ".cls")
                data = (label + "\n").encode()
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    print(len(rows))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("photos"); p.add_argument("outdir"); p.add_argument("--limit", type=int, default=0)
    p.set_defaults(fn=cmd_photos)
    p = sub.add_parser("seed"); p.add_argument("outdir"); p.add_argument("--sizes", default="")
    p.set_defaults(fn=cmd_seed)
    p = sub.add_parser("by-size"); p.add_argument("outdir"); p.set_defaults(fn=cmd_by_size)
    p = sub.add_parser("shards"); p.add_argument("outdir"); p.add_argument("--limit", type=int, default=0)
    p.add_argument("--count", type=int, default=8); p.set_defaults(fn=cmd_shards)
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    args.fn(args)


if __name__ == "__main__":
    main()
