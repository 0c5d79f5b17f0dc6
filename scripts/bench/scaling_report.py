"""Tables and charts for scripts/bench-scaling.sh.

Reads RAW/runs.tsv (experiment, label, images, np, batch, schedule, rep, wall_s, rc, busy_pct,
foreign_cpu_s, contended, dir) and each run's DIR/out/timing.json; writes into OUT:
  scaling.csv      one row per configuration (median over its runs)
  scaling.md       the same as markdown tables (seed sweep, strong scaling, schedules)
  seed-sweep.png   the blog's chart: grouped bars, x = samples, y = seconds, one bar per mode
  speedup.png      strong scaling: speed-up over -np 1 against the ideal, efficiency noted
  schedule.png     per-rank busy seconds, static vs dynamic (only when that experiment ran)
"""
import argparse
import csv
import functools
import json
import os
import statistics
from machine import describe, header_lines, short_label
from runinfo import binary_versions

MODES = {  # seed-sweep label -> legend text
    "python": "python (-np 1, batch 2)",
    "udf": "udf (-np 2, batch 1)",
    "pandas-udf": "pandas-udf (-np 2, batch 64)",
}
FIELDS = ["experiment", "mode", "images", "ranks", "batch_size", "schedule", "oversubscribed", "seconds",
          "images_per_s", "internal_seconds", "speedup", "efficiency", "internal_speedup",
          "internal_efficiency", "busy_seconds_per_rank", "images_per_rank", "imbalance", "runs", "busy_starts", "contended"]


@functools.cache
def machine():
    """'AMD EPYC (family 25 model 17, znver4 = Zen 4), AVX-512' (scripts/bench/machine.py)."""
    return short_label(describe())


def load(raw, cores):
    """One dict per configuration, medians over its successful runs."""
    groups = {}
    for r in csv.DictReader(open(os.path.join(raw, "runs.tsv")), delimiter="\t"):
        key = (r["experiment"], r["label"], int(r["images"]), int(r["np"]), int(r["batch"]), r["schedule"])
        groups.setdefault(key, []).append(r)
    rows = []
    for (exp, label, images, np_, batch, sched), rs in groups.items():
        ok = [r for r in rs if r["rc"] == "0"]
        timings = [json.load(open(os.path.join(r["dir"], "out", "timing.json"))) for r in ok
                   if os.path.exists(os.path.join(r["dir"], "out", "timing.json"))]
        med = lambda xs: statistics.median(xs) if xs else float("nan")
        secs = med([float(r["wall_s"]) for r in ok])
        # per-rank busy seconds: median over runs, rank by rank
        busy, per_rank = [], ""
        if timings:
            per_rank = "/".join(str(rk["images"]) for rk in timings[-1]["ranks"])
            for k in range(len(timings[0]["ranks"])):
                busy.append(med([t["ranks"][k]["busySeconds"] for t in timings if len(t["ranks"]) > k]))
        rows.append(dict(
            experiment=exp, mode=label, images=images, ranks=np_, batch_size=batch,
            schedule="" if sched == "-" else sched, oversubscribed="yes" if np_ > cores else "",
            seconds=secs, images_per_s=images / secs if ok else float("nan"),
            internal_seconds=med([t["wallSeconds"] for t in timings]),
            busy_seconds_per_rank="/".join(f"{b:.2f}" for b in busy), images_per_rank=per_rank,
            imbalance=max(busy) / statistics.mean(busy) if busy and statistics.mean(busy) > 0 else float("nan"),
            runs=f"{len(ok)} ok of {len(rs)}", busy_starts=sum(int(r["busy_pct"] or 0) >= 15 for r in rs),
            contended=sum(r.get("contended") == "yes" for r in rs),
            _busy=busy))
    base = next((r for r in rows if r["experiment"] == "strong" and r["ranks"] == 1), None)
    for r in rows:
        if r["experiment"] == "strong" and base:
            r["speedup"] = base["seconds"] / r["seconds"]
            r["efficiency"] = r["speedup"] / r["ranks"]
            r["internal_speedup"] = base["internal_seconds"] / r["internal_seconds"]
            r["internal_efficiency"] = r["internal_speedup"] / r["ranks"]
    return rows


def f(v, d=2):
    if isinstance(v, float):
        return "" if v != v else f"{v:.{d}f}"
    return "" if v is None else str(v)


def markdown(rows, where, cores, script_seconds, skipped, binaries):
    sweep = [r for r in rows if r["experiment"] == "sweep"]
    strong = [r for r in rows if r["experiment"] == "strong"]
    sched = [r for r in rows if r["experiment"] == "schedule"]
    out = [f"## dogcat-mpi scaling ({machine()}, {cores} cores)", "", *header_lines(where), "",
           "Seconds = wall of the whole `mpirun` command (start-up, model load, decode, inference, "
           "gather, writing; `--place none`), median of runs; internal = dogcat-mpi's own wall "
           "(timing.json `wallSeconds`, no mpirun start-up).", "",
           f"dogcat-mpi binary: {', '.join(binaries) or 'unknown'}"
           + (" -- WARNING: it was rebuilt during this benchmark" if len(binaries) > 1 else ""), ""]
    if sweep:
        sizes = sorted({r["images"] for r in sweep})
        modes = [m for m in MODES if any(r["mode"] == m for r in sweep)]
        cell = {(r["mode"], r["images"]): r for r in sweep}
        out += ["### Seed list (the blog's experiment): seconds (img/s)", "",
                "| samples | " + " | ".join(MODES[m] for m in modes) + " |",
                "|---:|" + "---:|" * len(modes)]
        for n in sizes:
            out.append(f"| {n} | " + " | ".join(
                f"{f(cell[m, n]['seconds'])} ({f(cell[m, n]['images_per_s'], 0)})" if (m, n) in cell else ""
                for m in modes) + " |")
        out.append("")
    if strong:
        out += [f"### Strong scaling: {strong[0]['images']} real photos, batch {strong[0]['batch_size']}", "",
                "| ranks | seconds | img/s | speed-up | efficiency | internal s | internal speed-up | "
                "internal efficiency | busy s per rank |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
        for r in sorted(strong, key=lambda r: r["ranks"]):
            label = f"{r['ranks']}" + (f" (oversubscribed: {r['ranks']} ranks on {cores} cores)"
                                       if r["oversubscribed"] else "")
            out.append(f"| {label} | {f(r['seconds'])} | {f(r['images_per_s'], 1)} | {f(r.get('speedup'))} | "
                       f"{f(r.get('efficiency'))} | {f(r['internal_seconds'])} | {f(r.get('internal_speedup'))} | "
                       f"{f(r.get('internal_efficiency'))} | {r['busy_seconds_per_rank']} |")
        out.append("")
    out += [f"### Skewed list ({sched[0]['images'] if sched else ''} real photos sorted by file size, -np 2)", ""]
    if sched:
        out += ["| schedule | seconds | img/s | internal s | busy s per rank | images per rank | max/mean busy |",
                "|---|---:|---:|---:|---|---|---:|"]
        for r in sched:
            out.append(f"| {r['schedule']} | {f(r['seconds'])} | {f(r['images_per_s'], 1)} | "
                       f"{f(r['internal_seconds'])} | {r['busy_seconds_per_rank']} | {r['images_per_rank']} | "
                       f"{f(r['imbalance'])} |")
    else:
        out.append(f"Not run: {skipped or 'no data'}.")
    busy = sum(r["busy_starts"] for r in rows)
    if busy:
        out += ["", f"Warning: {busy} run(s) started while the machine was busy (>= 15% CPU)."]
    contended = [f"{r['experiment']} {r['mode']} n={r['images']}" for r in rows if r["contended"]]
    if contended:
        out += ["", "Warning: other processes used CPU during these runs, even after retries: " + ", ".join(contended) + "."]
    if script_seconds:
        out += ["", f"bench-scaling.sh ran {script_seconds:.0f} s (before writing this report)."]
    return "\n".join(out) + "\n"


def charts(rows, outdir, cores):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    where = f"{machine()}, {cores} cores; wall of the whole mpirun command"
    colors = ["#4c72b0", "#dd8452", "#55a868", "#c44e52"]

    sweep = [r for r in rows if r["experiment"] == "sweep"]
    if sweep:
        sizes = sorted({r["images"] for r in sweep})
        modes = [m for m in MODES if any(r["mode"] == m for r in sweep)]
        cell = {(r["mode"], r["images"]): r["seconds"] for r in sweep}
        flagged = {(r["mode"], r["images"]) for r in sweep if r["contended"]}
        x = np.arange(len(sizes))
        width = 0.8 / len(modes)
        fig, ax = plt.subplots(figsize=(10, 5.5))
        for i, m in enumerate(modes):
            ys = [cell.get((m, n), np.nan) for n in sizes]
            bars = ax.bar(x + (i - (len(modes) - 1) / 2) * width, ys, width, label=MODES[m], color=colors[i])
            ax.bar_label(bars, labels=[f"{y:.1f}" + ("*" if (m, n) in flagged else "") for y, n in zip(ys, sizes)],
                         fontsize=7, padding=2)
        ax.set_xticks(x, [str(n) for n in sizes])
        ax.set_xlabel("Samples (paths from the seed list)")
        ax.set_ylabel("Seconds")
        ax.set_title(f"dogcat-mpi on the Spark blog's seed list\n{where}", fontsize=11)
        ax.legend(title="mode", frameon=False)
        ax.grid(axis="y", alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
        if flagged:
            fig.text(0.01, 0.01, "* other processes used CPU during this run (see scaling.md)", fontsize=8)
        fig.tight_layout(rect=(0, 0.03 if flagged else 0, 1, 1))
        fig.savefig(os.path.join(outdir, "seed-sweep.png"), dpi=120)
        plt.close(fig)

    strong = sorted((r for r in rows if r["experiment"] == "strong" and "speedup" in r), key=lambda r: r["ranks"])
    if strong:
        ranks = [r["ranks"] for r in strong]
        x = np.arange(len(ranks))
        fig, ax = plt.subplots(figsize=(8, 5))
        w = 0.38
        b1 = ax.bar(x - w / 2, [r["speedup"] for r in strong], w, label="mpirun wall", color=colors[0])
        b2 = ax.bar(x + w / 2, [r["internal_speedup"] for r in strong], w, label="dogcat-mpi internal wall",
                    color=colors[2])
        for bars, key in ((b1, "efficiency"), (b2, "internal_efficiency")):
            for bar, r in zip(bars, strong):
                ax.annotate(f"{r['speedup' if key == 'efficiency' else 'internal_speedup']:.2f}x\n"
                            f"eff {100 * r[key]:.0f}%", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                            ha="center", va="bottom", fontsize=8, xytext=(0, 2), textcoords="offset points")
        for bars in (b1, b2):  # hatch the oversubscribed configurations
            for bar, n in zip(bars, ranks):
                if n > cores:
                    bar.set_hatch("//")
                    bar.set_edgecolor("white")
        ax.plot(x, [min(n, cores) for n in ranks], "k--", lw=1, label=f"ideal (capped at {cores} cores)")
        ax.set_xticks(x, [f"{n}" + ("\noversubscribed" if n > cores else "") for n in ranks])
        ax.set_xlabel("MPI ranks (-np)")
        ax.set_ylabel("Speed-up over -np 1")
        ax.set_ylim(0, max(max(r["speedup"] for r in strong), cores) * 1.3)
        ax.set_title(f"dogcat-mpi strong scaling: {strong[0]['images']} real photos\n"
                     f"{machine()}, {cores} cores", fontsize=11)
        ax.legend(frameon=False, loc="upper left")
        ax.grid(axis="y", alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        fig.savefig(os.path.join(outdir, "speedup.png"), dpi=120)
        plt.close(fig)

    sched = [r for r in rows if r["experiment"] == "schedule" and r["_busy"]]
    if sched:
        fig, ax = plt.subplots(figsize=(8, 4.5))
        nr = max(len(r["_busy"]) for r in sched)
        x = np.arange(len(sched))
        w = 0.8 / nr
        for k in range(nr):
            bars = ax.bar(x + (k - (nr - 1) / 2) * w, [r["_busy"][k] if k < len(r["_busy"]) else 0 for r in sched],
                          w, label=f"rank {k} busy", color=colors[k % len(colors)])
            ax.bar_label(bars, fmt="%.2f", fontsize=8, padding=2)
        walls = [r["seconds"] for r in sched]
        ax.hlines(walls, x - 0.42, x + 0.42, colors="k", linewidths=2, zorder=3, label="mpirun wall")
        for xi, wall in zip(x, walls):
            ax.annotate(f"wall {wall:.2f}", (xi, wall), ha="center", va="bottom", fontsize=8,
                        xytext=(0, 3), textcoords="offset points")
        ax.set_ylim(0, max(walls + [b for r in sched for b in r["_busy"]]) * 1.35)
        ax.set_xticks(x, [f"--schedule {r['schedule']}" for r in sched])
        ax.set_ylabel("Seconds")
        ax.set_title(f"Skewed list ({sched[0]['images']} photos, smallest file first), -np 2\n"
                     f"{machine()}, {cores} cores", fontsize=11)
        ax.legend(frameon=False, ncol=min(nr + 1, 3), loc="upper left")
        ax.grid(axis="y", alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        fig.savefig(os.path.join(outdir, "schedule.png"), dpi=120)
        plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("raw")
    ap.add_argument("--out", required=True)
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--script-seconds", type=float, default=0)
    args = ap.parse_args()
    rows = load(args.raw, args.cores)
    skipped_file = os.path.join(args.raw, "schedule-skipped.txt")
    skipped = open(skipped_file).read().strip() if os.path.exists(skipped_file) else ""
    with open(os.path.join(args.out, "scaling.csv"), "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in r.items()})
    with open(os.path.join(args.out, "scaling.md"), "w") as fh:
        dirs = [r["dir"] for r in csv.DictReader(open(os.path.join(args.raw, "runs.tsv")), delimiter="\t")]
        where_file = os.path.join(args.raw, "machine.json")
        where = json.load(open(where_file)) if os.path.exists(where_file) else describe()
        fh.write(markdown(rows, where, args.cores, args.script_seconds, skipped, binary_versions(dirs)))
    charts(rows, args.out, args.cores)


if __name__ == "__main__":
    main()
