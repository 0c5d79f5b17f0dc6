"""The second table of scripts/bench.sh: inference alone, no decoding, per model.

dogcat-mpi's engine, two rows. "dogcat-mpi engine" is timed as the peers are:
scripts/bench/engine_per_core.py (engine-bench on the same photo's input, one process per core,
batch 32), RUN/engine/MODEL-dogcat.rREP.log; the ratios and issue 15's checks use this row.
"dogcat-mpi engine, inside -np 2" comes from the -np 2 runs of the pipeline table (catsordogs:
the photos, exact mode; MobileNetV2: its .h5 on the photos), each repeat's timing.json
(RUN/dogcat/DIR.rREP.timing.json): images / the largest per-rank inferSeconds, i.e. both cores'
inference rate while each rank also decodes its own share, on real photos. Best of the repeats
(the median in the notes).
The peers: ../shared/peers/engine_only.py (ONNX Runtime, 2 intra-op threads; OpenVINO, THROUGHPUT
hint, 2 threads, at its default precision: bfloat16 where the CPU has avx512_bf16 or AMX), one real
photo's input repeated in batches of 64: RUN/engine/MODEL.rREP.log; and OpenVINO again held to
float32 (scripts/bench/openvino_f32.py): RUN/engine/MODEL-f32.rREP.log. Best of the repeats.
Ratios: this row's img/s / the best peer's, and / the best float32 peer's (ONNX Runtime or
OpenVINO float32: the same precision as dogcat-mpi's TF-exact engine).
"""
import csv
import glob
import json
import os
import re
import statistics

# model -> (its dogcat-mpi runs in RUN/dogcat, display name)
MODELS = {"catsordogs": ("photos-exact-np2", "catsordogs (grey 256)"),
          "mobilenetv2": ("mobilenetv2-mobilenetv2-np2", "MobileNetV2 (RGB 224)")}
# (log name suffix, engine_only.py's line prefix) -> display name
ENGINES = {("", "ort-engine"): "ONNX Runtime (2 threads)", ("", "ov-engine"): "OpenVINO (THROUGHPUT, 2 threads)",
           ("-f32", "ov-engine"): "OpenVINO float32 (THROUGHPUT, 2 threads)"}
# The peers that compute in float32 whatever the CPU.
FLOAT32 = {"ONNX Runtime (2 threads)", "OpenVINO float32 (THROUGHPUT, 2 threads)"}
# The row the ratios and targets use, timed as the peers are.
ENGINE = "dogcat-mpi engine"
FIELDS = ["model", "system", "how", "images_per_s", "median_images_per_s", "runs", "ratio_best_peer",
          "ratio_float32_peer", "notes", "source"]


def engine_row(run, model):
    """dogcat-mpi's engine timed as the peers are (engine_per_core.py's 'dogcat-engine:' lines)."""
    rates, note = [], ""
    for log in sorted(glob.glob(os.path.join(run, "engine", f"{model}-dogcat.r*.log"))):
        for rate, rest in re.findall(r"^dogcat-engine: ([\d.]+) img/s(.*)$", open(log).read(), re.M):
            rates.append(float(rate))
            note = re.sub(r"; runs .*", "", rest.strip().strip("()"))
    if not rates:
        return None
    return dict(model=model, system=ENGINE, images_per_s=max(rates), how="engine_per_core.py: engine-bench on the peers' photo, one process per core",
                median_images_per_s=statistics.median(rates), runs=len(rates), notes=note, source="this run")


def pipeline_row(run, model):
    """dogcat-mpi's engine inside the pipeline's -np 2 runs (timing.json)."""
    stem, _ = MODELS[model]
    rates = []
    for path in sorted(glob.glob(os.path.join(run, "dogcat", f"{stem}.r*.timing.json"))):
        t = json.load(open(path))
        slowest = max((r["inferSeconds"] for r in t.get("ranks", [])), default=0)
        if slowest > 0:
            rates.append((t["images"] / slowest, t["images"], len(t["ranks"])))
    if not rates:
        return None
    best = max(rates)
    return dict(model=model, system=f"{ENGINE}, inside -np {best[2]}", images_per_s=best[0],
                how=f"timing.json, `-np {best[2]}` on {best[1]} photos: images / slower rank's inference s",
                median_images_per_s=statistics.median(r[0] for r in rates), runs=len(rates), notes="",
                source="this run")


def peer_rows(run, model):
    """ONNX Runtime and OpenVINO rows from the engine_only.py logs of this run."""
    found = {k: [] for k in ENGINES}
    notes = {k: "" for k in ENGINES}
    for suffix, prefix in ENGINES:
        for log in sorted(glob.glob(os.path.join(run, "engine", f"{model}{suffix}.r*.log"))):
            for rate, rest in re.findall(rf"^{prefix}: ([\d.]+) img/s(.*)$", open(log).read(), re.M):
                found[suffix, prefix].append(float(rate))
                # OpenVINO prints its precision as "<Type: 'bfloat16'>": keep the name.
                notes[suffix, prefix] = re.sub(r"<Type: '(\w+)'>", r"\1", rest.strip().strip("()"))
    n = re.search(r"--n (\d+)", " ".join(open(p).read() for p in glob.glob(os.path.join(run, "engine", "*.cmd"))))
    rows = []
    for engine, rates in found.items():
        if rates:
            rows.append(dict(model=model, system=ENGINES[engine], images_per_s=max(rates),
                             how="engine_only.py" + (f", {n.group(1)} images a timing" if n else ""),
                             median_images_per_s=statistics.median(rates), runs=len(rates),
                             notes=notes[engine], source="this run"))
    return rows


def reused_peer_rows(paths, model):
    """The peers' rows for `model` from the first earlier bench-*-inference.csv that has them."""
    for path in paths:
        if not os.path.exists(path):
            continue
        rows = [r for r in csv.DictReader(open(path)) if r["model"] == model and r["system"] in ENGINES.values()]
        if rows:
            for r in rows:
                for k in ("images_per_s", "median_images_per_s"):
                    r[k] = float(r[k])
                if not r["source"].startswith("reused"):
                    r["source"] = "reused: " + os.path.basename(path)
            return rows
    return []


def rows(run, reuse_paths=None):
    out = []
    for model in MODELS:
        mine = [r for r in (engine_row(run, model), pipeline_row(run, model)) if r]
        peers = reused_peer_rows(reuse_paths, model) if reuse_paths else peer_rows(run, model)
        best = max((p["images_per_s"] for p in peers), default=float("nan"))
        best_float32 = max((p["images_per_s"] for p in peers if p["system"] in FLOAT32), default=float("nan"))
        for r in mine + peers:
            r["ratio_best_peer"] = r["images_per_s"] / best
            r["ratio_float32_peer"] = r["images_per_s"] / best_float32
            out.append(r)
    return out


def write_csv(path, table):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS, extrasaction="ignore")
        w.writeheader()
        for r in table:
            w.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in r.items()})


def markdown(table):
    def f(v, d=1):
        return "" if v != v else f"{v:.{d}f}"
    out = ["### Inference alone (no decoding), 2 cores", "",
           "- dogcat-mpi engine: timed as the peers are, on the same photo's input: engine-bench, one process per "
           "core, batch 32 (`scripts/bench/engine_per_core.py`), best of runs; the ratios and issue 15's checks use it. "
           "*inside -np 2*: from `timing.json` of the pipeline table's `-np 2` runs (exact mode) on the real photos: images / "
           "the slower rank's inference seconds (each rank also decodes its share, between batches), best of runs. "
           "Peers: `../shared/peers/engine_only.py` (ONNX "
           "Runtime and OpenVINO, 2 threads, one real photo's input repeated in batches of 64), best of runs. "
           "OpenVINO picks its own inference precision (bfloat16 on CPUs with avx512_bf16 or AMX, not "
           "float32 as dogcat-mpi and ONNX Runtime): its notes say which it ran; the float32 row is "
           "OpenVINO held to float32 (`scripts/bench/openvino_f32.py`).",
           "- x best peer = this row's img/s / the best peer's for that model; x float32 peer = / the better "
           "of ONNX Runtime and OpenVINO float32 (the same precision as dogcat-mpi).", "",
           "| model | system | img/s | x best peer | x float32 peer | how | notes |", "|---|---|---:|---:|---:|---|---|"]
    for r in table:
        notes = "; ".join(x for x in (r["notes"], f"median {f(r['median_images_per_s'])} img/s of {r['runs']}",
                                      r["source"] if r["source"] != "this run" else "") if x)
        out.append(f"| {MODELS[r['model']][1]} | {r['system']} | {f(r['images_per_s'])} | "
                   f"{f(r['ratio_best_peer'], 2)} | {f(r['ratio_float32_peer'], 2)} | {r['how']} | {notes} |")
    return out


def ratio(table, model, field="ratio_best_peer"):
    """dogcat-mpi's ratio to the best (or best float32) engine-only peer for one model (nan if either is missing)."""
    return next((r[field] for r in table if r["model"] == model and r["system"] == ENGINE),
                float("nan"))
