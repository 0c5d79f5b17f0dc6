#!/usr/bin/env python3
"""Checks a dogcat-mpi results.csv against the manifest it came from (standard library only).

    python3 check.py LIST RESULTS_CSV [--json OUT.json]

Every listed path must appear exactly once, in list order, with status ok (a label and finite
score and raw values) or error (a non-empty error text, no label, no raw). Prints the counts
(ok, error, errors by kind) and exits 1 when a row is missing, extra, out of order, duplicated
or malformed.
"""
import argparse
import collections
import csv
import json
import math
import re
import sys


def unescape(text):
    """results.csv writes a byte that is not UTF-8 as \\xHH and a backslash as \\\\."""
    out = bytearray()
    raw = text.encode("utf-8")
    i = 0
    while i < len(raw):
        if raw[i] == 0x5C and i + 1 < len(raw):
            if raw[i + 1] == 0x5C:
                out.append(0x5C)
                i += 2
                continue
            if raw[i + 1] == 0x78 and i + 3 < len(raw) and re.fullmatch(rb"[0-9A-Fa-f]{2}", raw[i + 2:i + 4]):
                out.append(int(raw[i + 2:i + 4], 16))
                i += 4
                continue
        out.append(raw[i])
        i += 1
    return bytes(out)


def kind(error):
    """The error's category: its text up to the first ':' or '(' (e.g. 'corrupt JPEG')."""
    return re.split(r"[:(]", error, maxsplit=1)[0].strip()


def check(list_path, results_path):
    with open(list_path, "rb") as f:
        expected = [line.rstrip(b"\r") for line in f.read().split(b"\n") if line.rstrip(b"\r")]
    problems = []
    counts = collections.Counter()
    kinds = collections.Counter()
    messages = collections.Counter()
    with open(results_path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if not rows or rows[0] != ["path", "label", "score", "raw", "status", "error"]:
        problems.append("bad or missing header: %r" % (rows[:1],))
        rows = [[]] + rows
    body = rows[1:]
    for n, row in enumerate(body):
        if len(row) != 6:
            problems.append("row %d has %d fields: %r" % (n + 1, len(row), row))
            continue
        path, label, score, raw, status, error = row
        if n < len(expected) and unescape(path) != expected[n]:
            problems.append("row %d is %r, expected %r" % (n + 1, path, expected[n]))
        if status == "ok":
            try:
                values = [float(v) for v in raw.split(";")]
                ok = label != "" and error == "" and all(math.isfinite(v) for v in values) and math.isfinite(float(score))
            except ValueError:
                ok = False
            if not ok:
                problems.append("row %d: malformed ok row %r" % (n + 1, row))
            counts["ok"] += 1
        elif status == "error":
            if error == "" or label != "" or raw != "":
                problems.append("row %d: malformed error row %r" % (n + 1, row))
            counts["error"] += 1
            kinds[kind(error)] += 1
            messages[error] += 1
        else:
            problems.append("row %d: status %r" % (n + 1, status))
    if len(body) != len(expected):
        problems.append("%d rows for %d listed paths" % (len(body), len(expected)))
    seen = collections.Counter(unescape(r[0]) for r in body if r)
    missing = [p for p in expected if seen[p] == 0]
    duplicated = [p for p, c in seen.items() if c > 1]
    return {
        "variants": len(expected), "rows": len(body), "ok": counts["ok"], "error": counts["error"],
        "missing": len(missing), "duplicated": len(duplicated), "problems": problems,
        "kinds": dict(kinds.most_common()), "messages": dict(messages.most_common()),
        "missing_paths": [p.decode("utf-8", "backslashreplace") for p in missing[:20]],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("list")
    parser.add_argument("results")
    parser.add_argument("--json")
    args = parser.parse_args()
    report = check(args.list, args.results)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
    print("rows: %(rows)d for %(variants)d paths; ok %(ok)d, error %(error)d, missing %(missing)d, duplicated %(duplicated)d" % report)
    for k, c in report["kinds"].items():
        print("  %6d  %s" % (c, k))
    for p in report["problems"][:20]:
        print("problem: " + p)
    sys.exit(1 if report["problems"] or report["missing"] or report["duplicated"] else 0)


if __name__ == "__main__":
    main()
