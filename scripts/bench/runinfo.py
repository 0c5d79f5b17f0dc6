"""What the benchmark reports say about the runs themselves (shared by report.py and
scaling_report.py)."""
import os


def binary_versions(dirs):
    """Distinct (mtime, size) of the dogcat-mpi binary over the runs' DIR/binary.txt files, as
    readable strings (more than one means the binary was rebuilt during the benchmark)."""
    import datetime
    seen = []
    for d in dirs:
        f = os.path.join(d, "binary.txt")
        if os.path.exists(f):
            mtime, size = open(f).read().split()
            v = f"{datetime.datetime.fromtimestamp(int(mtime)):%Y-%m-%d %H:%M:%S} ({int(size) // 1024} KiB)"
            if v not in seen:
                seen.append(v)
    return seen
