#!/usr/bin/env python3
"""Compares the decode harness's verdicts with the program's (standard library only).

    python3 verdicts.py RESULTS_CSV SLICED_OUT FRESH_OUT LIST

SLICED_OUT: decode_harness run as the ranks run (one decoder per rank's slice, in order);
FRESH_OUT: decode_harness --fresh (a new decoder per file). Prints two numbers on stdout:
the variants whose ok/error verdict differs from results.csv's status, and those whose
verdict differs between the two harness runs (it depends on the files decoded before it).
Examples of both go to stderr.
"""
import csv
import os
import sys


def main():
    results, sliced, fresh, listing = sys.argv[1:5]
    rows = list(csv.reader(open(results, newline="", encoding="utf-8")))[1:] if os.path.exists(results) else []
    sliced = [line.rstrip("\n") for line in open(sliced)]
    fresh = [line.rstrip("\n") for line in open(fresh)]
    paths = [line.rstrip("\n") for line in open(listing)]
    verdict = lambda line: line.split(" ", 1)[0]
    unlike = [(p, r, v) for p, r, v in zip(paths, rows, sliced) if r[4] != verdict(v)]
    for p, row, harness in unlike[:10]:
        print("verdict differs: %s: program %s (%s), decode harness %s" % (p, row[4], row[5], harness), file=sys.stderr)
    dependent = [(p, a, b) for p, a, b in zip(paths, sliced, fresh) if verdict(a) != verdict(b)]
    for p, a, b in dependent[:10]:
        print("depends on the files before it: %s: %s; alone: %s" % (p, a, b), file=sys.stderr)
    print(len(unlike) + abs(len(rows) - len(sliced)), len(dependent) + abs(len(sliced) - len(fresh)))


if __name__ == "__main__":
    main()
