"""The peers' rows of the pipeline table (scripts/bench/report.py), from one bench.sh run or reused
from an earlier run's CSV.

Two kinds of peer, both timed by bench.sh's peer_timed (GNU time wall and max RSS per invocation,
RUN/peers/STEM-WORKLOAD.runs.tsv, one line per try; the last try of a repeat is the one kept):
  own-timer peers (PEERS): ../shared/peers' run_*.py and scripts/bench/run_onnx_mobilenet.py; their
      rows in STEM-WORKLOAD.rREP.csv; seconds = their own timer (TF import, model load and warm-up
      excluded); e2e = the python command's wall minus the other peers' passes in it.
  pipelines (PIPELINES): peer_ort.py, peer_ort_rgb.py, peer_ov.py; STEM-WORKLOAD.rREP.log ends
      'NAME: N images S s R img/s', S timed from before the imports (as a whole mpirun is);
      e2e = the python command's wall (Python's own start-up too).
"""
import csv
import os
import re
import statistics

# peer key -> (row name in the peer's CSV, display name, the peer's file stem in RUN/peers)
PEERS = {
    "keras_predict": ("keras_predict_bs64", "Keras predict (bs 64)", "keras"),
    "keras_tfdata": ("keras_tfdata_map2_bs64", "Keras + tf.data (map, bs 64)", "keras"),
    "onnxruntime": ("onnxruntime_numpy_dec2_bs64", "ONNX Runtime (2 decode threads, bs 64)", "onnxruntime"),
    "onnxruntime_mobilenetv2": ("onnxruntime_mobilenetv2_dec2_bs64", "ONNX Runtime MobileNetV2 (2 decode threads, bs 64)", "onnx-mobilenetv2"),
}
# pipeline key -> (the name its last line starts with, display name, file stem in RUN/peers)
PIPELINES = {
    "ort_pipeline": ("ort", "ONNX Runtime pipeline", "ort-pipeline"),
    "ov_pipeline": ("ov", "OpenVINO pipeline (THROUGHPUT)", "ov-pipeline"),
}
ALL = {**PEERS, **PIPELINES}


def kept_tries(path):
    """rep -> the last try of that repeat, from a peer_timed runs.tsv."""
    final = {}
    for t in csv.DictReader(open(path), delimiter="\t"):
        final[t["rep"]] = t
    return final


def own_timer_passes(base, name, final):
    """(own-timer seconds, end-to-end estimate, images) per kept invocation of an own-timer peer."""
    passes = []
    for rep, t in final.items():
        if t["rc"] != "0" or not os.path.exists(f"{base}.r{rep}.csv"):
            continue
        all_rows = list(csv.DictReader(open(f"{base}.r{rep}.csv")))
        mine = [r for r in all_rows if r["peer"] == name]
        if mine:
            own = float(mine[0]["total_s"])
            others = sum(float(r["total_s"]) for r in all_rows) - own
            passes.append((own, float(t["wall_s"]) - others, int(mine[0]["size"])))
    return passes


def pipeline_passes(base, name, final):
    """(seconds from before the imports, whole command wall, images) per kept pipeline invocation."""
    passes = []
    for rep, t in final.items():
        log = f"{base}.r{rep}.log"
        if t["rc"] != "0" or not os.path.exists(log):
            continue
        found = re.findall(rf"^{name}: (\d+) images ([\d.]+) s", open(log).read(), re.M)
        if found:
            images, seconds = found[-1]
            passes.append((float(seconds), float(t["wall_s"]), int(images)))
    return passes


def peer_rows(run, cores, workloads):
    """One row per peer and workload that ran in RUN."""
    rows = []
    for workload in workloads:
        for key, (name, display, stem) in ALL.items():
            base = os.path.join(run, "peers", f"{stem}-{workload}")
            if not os.path.exists(base + ".runs.tsv"):
                continue
            final = kept_tries(base + ".runs.tsv")
            pipeline = key in PIPELINES
            passes = (pipeline_passes if pipeline else own_timer_passes)(base, name, final)
            if not passes:
                continue
            n = passes[0][2]
            best = min(p[0] for p in passes)
            e2e = min(p[1] for p in passes)
            kind = "clock from before the imports" if pipeline else "peer's own timer"
            rows.append(dict(
                workload=workload, system=display, ranks_threads=f"{cores} threads", images=n, seconds=best,
                images_per_s=n / best, seconds_kind=f"{kind}, best of {len(passes)}", cores_used=cores,
                e2e_seconds=e2e, e2e_images_per_s=n / e2e,
                internal_seconds=statistics.median(p[0] for p in passes),
                peak_rss_mb=round(max(int(t["maxrss_kib"]) for t in final.values()) / 1024, 1),
                rss_mb_per_rank="", accuracy="", failed="", vs_keras_golden="", runs=f"{len(passes)}",
                source="this run", _key=key,
                busy_starts=sum(int(t["busy_pct"] or 0) >= 15 for t in final.values()),
                contended=sum(t["contended"] == "yes" for t in final.values())))
    return rows


def reused_peer_rows(paths, wanted, fields):
    """Peer rows for each (workload, images) in `wanted`, from the first of the earlier bench
    CSVs `paths` (newest first) that has any for it."""
    rows = []
    for path in paths:
        found = {(r["workload"], int(r["images"])) for r in reused_rows(path, wanted, fields)}
        rows += [r for r in reused_rows(path, found, fields) if (r["workload"], r["images"]) in wanted]
        wanted = wanted - found
    return rows


def reused_rows(path, wanted, fields):
    rows = []
    for r in csv.DictReader(open(path)):
        key = next((k for k, p in ALL.items() if p[1] == r["system"]), None)
        if key and (r["workload"], int(r["images"])) in wanted:
            r = {k: r.get(k, "") for k in fields}
            for k in ("seconds", "images_per_s", "e2e_seconds", "e2e_images_per_s"):
                r[k] = float(r[k]) if r[k] not in ("", "nan") else float("nan")
            r["images"] = int(r["images"])
            r["cores_used"] = int(r["cores_used"])
            r["busy_starts"] = int(r["busy_starts"] or 0)
            r["contended"] = int(r.get("contended") or 0)
            r["peak_rss_mb"] = float(r["peak_rss_mb"]) if r["peak_rss_mb"] else ""
            if not r["source"].startswith("reused"):
                r["source"] = "reused: " + os.path.basename(path)
            r["_key"] = key
            rows.append(r)
    return rows
