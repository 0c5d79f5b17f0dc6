"""Turns one scripts/bench.sh run directory into its tables: the pipeline table (CSV), inference
alone (scripts/bench/inference_table.py, a second CSV) and both as markdown under a header that
names the machine (RUN/machine.json, scripts/bench/machine.py).

Reads RUN/runs.tsv (one line per timed mpirun), each configuration's last output
(timing.json, results.csv, stdout with the `accuracy:` line, rss/rss.RANK from GNU time),
the peers' files in RUN/peers (scripts/bench/peer_rows.py), RUN/flops.json and RUN/gemm.json
(scripts/bench/ceiling.py).

Definitions (repeated in the markdown):
  dogcat-mpi seconds = wall of the whole mpirun command measured by bench.sh, best of runs
                       (the same statistic as the peers'; the median is in the notes).
  peer seconds       = the peer's own timer (decode + inference; TF import, model load and
                       warm-up excluded), best of its invocations: the peers' best numbers.
  pipeline seconds   = peer_ort.py / peer_ov.py's clock, started before the imports (as a whole
                       mpirun is timed): imports + model load + decode + inference; best of runs.
  peer e2e seconds   = whole python command wall (GNU time) minus the other peer's pass in that
                       command (run_keras.py times predict and tf.data in one invocation):
                       start-up + imports + model load + warm-up + this pass; best of invocations.
  ratio vs X         = this row's images/s / X's images/s on the same workload; the markdown shows
                       the ratio to the best pipeline and to the best own-timer peer.
  ceiling fraction   = FLOPs/image x images/s / (one-core GEMM GFLOP/s x cores used).
"""
import argparse
import csv
import glob
import json
import os
import re
import statistics
import avx2_table
import inference_table
import machine
import peer_rows
from peer_rows import ALL, PEERS, PIPELINES
from runinfo import binary_versions

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDENS = os.path.abspath(os.path.join(HERE, "..", "..", "..", "shared", "goldens"))

SYSTEMS = {"exact": "dogcat-mpi", "fast": "dogcat-mpi --fast-decode", "nocache": "dogcat-mpi --cache-mb 0",
           "dynamic": "dogcat-mpi --schedule dynamic", "mobilenetv2": "dogcat-mpi MobileNetV2 (.h5)",
           "shards": "dogcat-mpi, the photos as 8 tar shards"}
FIELDS = ["workload", "system", "ranks_threads", "images", "seconds", "images_per_s",
          *[f"ratio_{k}" for k in ALL], "ratio_best_pipeline", "ratio_best_own_timer_peer", "ceiling_fraction", "seconds_kind", "median_seconds", "cores_used",
          "e2e_seconds", "e2e_images_per_s", "internal_seconds", "peak_rss_mb", "rss_mb_per_rank",
          "accuracy", "failed", "vs_keras_golden", "runs", "busy_starts", "contended", "source"]


def goldens():
    """basename -> (Keras catsordogs score, Keras label) for the real and the seed photos."""
    out = {}
    for name in ("keras_predictions.csv", "seed_predictions.csv"):
        path = os.path.join(GOLDENS, name)
        if os.path.exists(path):
            for r in csv.DictReader(open(path)):
                out[os.path.basename(r["file"])] = (float(r["catsordogs_score"]), r["catsordogs_label"])
    return out


def golden_check(results_csv, gold):
    """'labels a/b as Keras, max |score diff| d' for a dogcat-mpi results.csv (raw = sigmoid)."""
    agree = total = 0
    worst = 0.0
    for r in csv.DictReader(open(results_csv)):
        g = gold.get(os.path.basename(r["path"]))
        if g is None or r["status"] != "ok":
            continue
        total += 1
        agree += r["label"] == g[1]
        worst = max(worst, abs(float(r["raw"]) - g[0]))
    return f"labels {agree}/{total} as Keras, max |score diff| {worst:.2g}" if total else ""


def dogcat_rows(run, cores, gold):
    runs = list(csv.DictReader(open(os.path.join(run, "runs.tsv")), delimiter="\t"))
    groups = {}
    for r in runs:
        groups.setdefault((r["workload"], r["system"], int(r["np"])), []).append(r)
    rows = []
    for (workload, system, np_), rs in groups.items():
        if system in avx2_table.SYSTEMS:
            continue   # the AVX2 build's runs have their own table
        d = rs[-1]["dir"]
        ok = [float(r["wall_s"]) for r in rs if r["rc"] == "0"]
        stdout = open(os.path.join(d, "stdout.txt")).read() if os.path.exists(os.path.join(d, "stdout.txt")) else ""
        acc = re.search(r"^accuracy: (.*)$", stdout, re.M)
        failed = re.search(r"(\d+) failed", stdout)
        timing = os.path.join(d, "out", "timing.json")
        tj = json.load(open(timing)) if os.path.exists(timing) else {}
        rss = {}
        for f in glob.glob(os.path.join(d, "rss", "rss.*")):
            lines = open(f).read().strip().splitlines()  # "MAXRSS_KIB USER_S SYS_S", last line
            if lines and lines[-1].split()[0].isdigit():
                rss[int(f.rsplit(".", 1)[1])] = int(lines[-1].split()[0]) / 1024
        images = tj.get("images", int(rs[-1]["images"]))
        # Best of runs, as for the peers: interference from the host only ever slows a run down.
        secs = min(ok) if ok else float("nan")
        over = " (oversubscribed)" if np_ > cores else ""
        results = os.path.join(d, "out", "results.csv")
        rows.append(dict(
            workload=workload, system=SYSTEMS.get(system, system), ranks_threads=f"{np_} rank{'s' * (np_ > 1)}{over}",
            images=images, seconds=secs, images_per_s=images / secs if ok else float("nan"),
            seconds_kind=f"mpirun wall, best of {len(ok)}", cores_used=min(np_, cores),
            median_seconds=statistics.median(ok) if ok else float("nan"),
            e2e_seconds=secs, e2e_images_per_s=images / secs if ok else float("nan"),
            internal_seconds=tj.get("wallSeconds", ""),
            peak_rss_mb=round(max(rss.values()), 1) if rss else "",
            rss_mb_per_rank="/".join(f"{rss[k]:.0f}" for k in sorted(rss)),
            accuracy=acc.group(1) if acc else "", failed=failed.group(1) if failed else "",
            vs_keras_golden=golden_check(results, gold) if os.path.exists(results) and system != "mobilenetv2" else "",
            runs=f"{len(ok)} ok of {len(rs)}", source="this run",
            busy_starts=sum(int(r.get("busy_pct") or 0) >= 15 for r in rs),
            contended=sum(r.get("contended") == "yes" for r in rs)))
    return rows


def fill_ratios(rows, flops, gflops_core):
    for r in rows:
        peers = {p["_key"]: p["images_per_s"] for p in rows if "_key" in p and p["workload"] == r["workload"]}
        for k in ALL:
            r[f"ratio_{k}"] = r["images_per_s"] / peers[k] if k in peers else float("nan")
        for name, group in (("pipeline", PIPELINES), ("own_timer_peer", PEERS)):
            best = max((v for k, v in peers.items() if k in group), default=float("nan"))
            r[f"ratio_best_{name}"] = r["images_per_s"] / best
        r["ceiling_fraction"] = flops * r["images_per_s"] / (gflops_core * 1e9 * r["cores_used"])


def targets(rows, inference):
    """Issue 15's targets against this run's figures (they hold for a full run on an idle machine)."""
    def mine(workload, system):
        return next((r for r in rows if r["workload"] == workload and r["system"] == system
                     and r["ranks_threads"] == "2 ranks"), None)
    checks = [("inference alone, catsordogs", inference_table.ratio(inference, "catsordogs"), 2.5, "the better of ORT and OpenVINO"),
              ("inference alone, MobileNetV2", inference_table.ratio(inference, "mobilenetv2"), 1.2, "the better of ORT and OpenVINO"),
              ("whole `mpirun -np 2` on the photos", (mine("photos", "dogcat-mpi") or {}).get("ratio_best_pipeline", float("nan")),
               4.5, "the best Python pipeline")]
    contended = sum(1 for r in rows if r.get("contended") or r.get("busy_starts"))
    out = ["", "Against issue 15's targets (this run's figures; they count only from a full run on an idle machine"
           + (f"; {contended} row(s) of this run were contended or started busy" if contended else "") + "):", ""]
    for what, x, goal, against in checks:
        verdict = "no figure" if x != x else ("met" if x >= goal else "not met")
        out.append(f"- {what}: {fmt(x)}x {against} (target >= {goal}x): {verdict}")
    for model in ("catsordogs", "mobilenetv2"):
        x = inference_table.ratio(inference, model, "ratio_float32_peer")
        out.append(f"- (beside the targets) inference alone, {model}: {fmt(x)}x the better of ORT and OpenVINO "
                   "held to float32, dogcat-mpi's precision")
    return out


def fmt(v, digits=2):
    if isinstance(v, float):
        return "" if v != v else f"{v:.{digits}f}"
    return str(v)


def markdown(rows, inference, avx2, where, flops, gemm, cores, script_seconds, binaries):
    ceiling = gemm["gflops_per_core"] * 1e9 / flops
    out = [f"## dogcat-mpi vs peers ({cores} cores)", "", *machine.header_lines(where),
           f"- dogcat-mpi binary: {', '.join(binaries) or 'unknown'}"
           + (" -- WARNING: it was rebuilt during this benchmark" if len(binaries) > 1 else ""),
           f"- FLOPs/image (catsordogs, 2 x MACs of 3 convs + 2 dense): {flops / 1e6:.1f} MFLOP",
           f"- GEMM peak: {gemm['gflops_per_core']:.1f} GFLOP/s per core (numpy float32 "
           f"{gemm['n']}x{gemm['n']} matmul, 1 thread, best of {gemm['runs']} x {gemm.get('tries', 1)} "
           f"tries, OpenBLAS kernel {gemm.get('openblas_coretype') or 'numpy default'}) -> ceiling "
           f"{ceiling:.0f} img/s per core, {ceiling * cores:.0f} img/s on {cores} cores",
           "- dogcat-mpi seconds: wall of the whole `mpirun` command (start-up, model load, decode, "
           "inference, gather, writing), best of runs (its median is in the notes). Pipeline seconds "
           "(`../shared/peers/peer_ort.py`, `peer_ov.py`, and `scripts/bench/peer_ort_rgb.py` for "
           "MobileNetV2's RGB input: PIL decode in 2 threads, 2 inference threads): their "
           "clock starts before the imports, as a whole mpirun is timed. Own-timer peers (Keras, the "
           "older ONNX Runtime scripts): decode + inference; TF import, model load and warm-up "
           "excluded. Best of runs (one pass per python invocation). Runs of all systems are "
           "interleaved, repeat by repeat, so a slow spell of the machine falls on all of them alike.",
           "- x best pipeline = this row's img/s / the faster pipeline's (same workload); x best "
           "own-timer peer = the same against the fastest own-timer peer (every ratio is in the "
           "CSV). % ceiling = FLOPs/image "
           "x img/s / (GEMM peak x cores used). Peak RSS: GNU time max RSS of each rank process "
           "(dogcat-mpi, max over ranks) or of the python process (peers).", ""]
    head = ["workload", "system", "ranks/threads", "images", "seconds", "img/s",
            "x best pipeline", "x best own-timer peer", "% ceiling", "peak RSS MB", "accuracy", "notes"]
    out += ["| " + " | ".join(head) + " |", "|" + "---|" * 2 + "---|" + "---:|" * 8 + "---|"]
    for r in rows:
        median = r.get("median_seconds")
        notes = "; ".join(x for x in (r["vs_keras_golden"], r["source"] if r["source"] != "this run" else "",
                                      f"median {median:.2f} s ({r['images'] / median:.1f} img/s)"
                                      if isinstance(median, float) and median == median else "",
                                      f"{r['failed']} failed" if r["failed"] not in ("", "0") else "",
                                      f"{int(r['busy_starts'])} run(s) started on a busy machine"
                                      if r.get("busy_starts") else "",
                                      f"{int(r['contended'])} run(s) contended (other processes used CPU)"
                                      if r.get("contended") else "") if x)
        out.append("| " + " | ".join([
            r["workload"], r["system"], r["ranks_threads"], str(r["images"]), fmt(r["seconds"]),
            fmt(r["images_per_s"], 1), fmt(r["ratio_best_pipeline"]), fmt(r["ratio_best_own_timer_peer"]),
            fmt(100 * r["ceiling_fraction"], 1) if r["workload"] != "mobilenetv2" else "",
            fmt(r["peak_rss_mb"], 0), r["accuracy"], notes]) + " |")
    peers = [r for r in rows if "_key" in r]
    if peers:
        out += ["", "Peers end to end: the whole python command's wall (Python start, imports, model load, "
                "warm-up, one pass) minus the other peer's pass timed in the same command (run_keras.py "
                "times predict and tf.data in one invocation), best of invocations:", "",
                "| workload | system | own timer s | img/s | e2e s | e2e img/s | max RSS MB |",
                "|---|---|---:|---:|---:|---:|---:|"]
        for r in peers:
            out.append(f"| {r['workload']} | {r['system']} | {fmt(r['seconds'])} | {fmt(r['images_per_s'], 1)} | "
                       f"{fmt(r['e2e_seconds'])} | {fmt(r['e2e_images_per_s'], 1)} | {fmt(r['peak_rss_mb'], 0)} |")
    out += ["", *inference_table.markdown(inference), *targets(rows, inference), *avx2]
    if script_seconds:
        out += ["", f"bench.sh ran {script_seconds:.0f} s (before writing this report)."]
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run")
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--csv", required=True)
    ap.add_argument("--inference-csv", required=True)
    ap.add_argument("--md", required=True)
    ap.add_argument("--reuse-peers", nargs="+", help="take the peer rows from these earlier bench CSVs (newest first), "
                    "and the engine-only rows from their -inference.csv twins")
    ap.add_argument("--script-seconds", type=float, default=0)
    args = ap.parse_args()
    flops = json.load(open(os.path.join(args.run, "flops.json")))["flops_per_image"]
    gemm = json.load(open(os.path.join(args.run, "gemm.json")))

    rows = dogcat_rows(args.run, args.cores, goldens())
    wanted = {(r["workload"], r["images"]) for r in rows}
    if args.reuse_peers:
        rows += peer_rows.reused_peer_rows(args.reuse_peers, wanted, FIELDS)
    else:
        rows += peer_rows.peer_rows(args.run, args.cores, dict.fromkeys(w for w, _ in wanted))
    order = {w: i for i, w in enumerate(dict.fromkeys(r["workload"] for r in rows))}
    rows.sort(key=lambda r: (order[r["workload"]], "_key" in r))
    fill_ratios(rows, flops, gemm["gflops_per_core"])
    twins = [p[:-len(".csv")] + "-inference.csv" for p in args.reuse_peers or []]
    inference = inference_table.rows(args.run, twins if args.reuse_peers else None)
    inference_table.write_csv(args.inference_csv, inference)
    where_file = os.path.join(args.run, "machine.json")
    where = json.load(open(where_file)) if os.path.exists(where_file) else machine.describe()

    with open(args.csv, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in r.items()})
    with open(args.md, "w") as f:
        runs = list(csv.DictReader(open(os.path.join(args.run, "runs.tsv")), delimiter="\t"))
        native = [r["dir"] for r in runs if r["system"] not in avx2_table.SYSTEMS]
        avx2_build = "DOGCAT_TARGET_CPU=x86-64-v3, binary " + ", ".join(
            binary_versions([r["dir"] for r in runs if r["system"] in avx2_table.SYSTEMS]))
        avx2 = avx2_table.markdown(avx2_table.rows(args.run), avx2_build)
        f.write(markdown(rows, inference, avx2, where, flops, gemm, args.cores, args.script_seconds, binary_versions(native)))


if __name__ == "__main__":
    main()
