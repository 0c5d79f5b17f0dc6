"""The third table of scripts/bench.sh, with --avx2 on a CPU with AVX-512: the nearest this machine
comes to an AVX2 one (a Zen 3). dogcat-mpi's AVX2 build (DOGCAT_TARGET_CPU=x86-64-v3) against
OpenVINO held to AVX2 by oneDNN's ONEDNN_MAX_CPU_ISA=AVX2, and so to float32 (it has no bfloat16
without AVX-512; scripts/bench/openvino_f32.py says so to OpenVINO, which would otherwise still ask
for it). ONNX Runtime has no such switch: its figures (its pipeline from the pipeline table, and its
line of engine_only.py here) are its AVX-512 ones, shown beside.

Files in RUN (bench.sh's run_avx2):
  runs.tsv, systems "avx2" and "avx2-mobilenetv2": whole mpirun -np 2 wall on the photos;
  avx2/ov-pipeline-WORKLOAD.*: peer_ov.py under openvino_f32.py, timed by its own clock from
      before its imports (the wrapper patches OpenVINO as peer_ov.py imports it), as in the
      pipeline table;
  engine/MODEL-avx2-dogcat.rREP.log: engine_per_core.py with the AVX2 engine-bench;
  avx2/engine-MODEL.rREP.log: engine_only.py under openvino_f32.py (its 'ov-engine' line is
      OpenVINO held to AVX2; its 'ort-engine' line is ONNX Runtime at AVX-512).
Best of the repeats; the median in the notes.
"""
import csv
import glob
import os
import re
import statistics

import peer_rows
from inference_table import engine_row

# workload -> (dogcat-mpi system in runs.tsv, display name, the target for the ratio or None)
PIPELINES = {"photos": ("avx2", "catsordogs, whole `mpirun -np 2` on the photos", 4.5),
             "mobilenetv2": ("avx2-mobilenetv2", "MobileNetV2, whole `mpirun -np 2` on the photos", None)}
# model -> (display name, target)
ENGINES = {"catsordogs": ("catsordogs, inference alone", 2.5), "mobilenetv2": ("MobileNetV2, inference alone", 1.2)}
SYSTEMS = {system for system, _, _ in PIPELINES.values()}


def best_and_median(values):
    return (max(values), statistics.median(values), len(values)) if values else None


def dogcat_pipeline(run, system):
    """images/s of the AVX2 build's whole -np 2 runs (best, median, runs)."""
    rates = [int(r["images"]) / float(r["wall_s"]) for r in csv.DictReader(open(os.path.join(run, "runs.tsv")), delimiter="\t")
             if r["system"] == system and r["rc"] == "0"]
    return best_and_median(rates)


def pipeline(base, name):
    """images/s of a Python pipeline peer (its clock, from before the imports)."""
    if not os.path.exists(base + ".runs.tsv"):
        return None
    passes = peer_rows.pipeline_passes(base, name, peer_rows.kept_tries(base + ".runs.tsv"))
    return best_and_median([images / seconds for seconds, _, images in passes])


def engine_only(run, model, prefix):
    """engine_only.py's PREFIX line ('ov-engine' or 'ort-engine') under the AVX2 hold."""
    rates = []
    for log in glob.glob(os.path.join(run, "avx2", f"engine-{model}.r*.log")):
        rates += [float(x) for x in re.findall(rf"^{prefix}: ([\d.]+) img/s", open(log).read(), re.M)]
    return best_and_median(rates)


def rows(run):
    """The table's rows (empty when the run had no --avx2)."""
    out = []
    for workload, (system, what, target) in PIPELINES.items():
        mine = dogcat_pipeline(run, system)
        if mine:
            out.append(dict(what=what, mine=mine, openvino=pipeline(os.path.join(run, "avx2", f"ov-pipeline-{workload}"), "ov"),
                            ort=pipeline(os.path.join(run, "peers", f"ort-pipeline-{workload}"), "ort"), target=target))
    for model, (what, target) in ENGINES.items():
        mine = engine_row(run, f"{model}-avx2")
        if mine:
            out.append(dict(what=what, mine=(mine["images_per_s"], mine["median_images_per_s"], mine["runs"]),
                            openvino=engine_only(run, model, "ov-engine"), ort=engine_only(run, model, "ort-engine"),
                            target=target))
    return out


def markdown(table, build):
    if not table:
        return []
    def rate(x):
        return f"{x[0]:.1f}" if x else ""
    def ratio(a, b):
        return f"{a[0] / b[0]:.2f}x" if a and b else ""
    out = ["", "### The AVX2 build on this CPU, against OpenVINO held to AVX2 (the nearest to an AVX2 machine here)", "",
           f"- dogcat-mpi: the AVX2 build ({build}), timed as in the tables above. OpenVINO: the same scripts with "
           "`ONEDNN_MAX_CPU_ISA=AVX2`, so float32 (no bfloat16 without AVX-512; "
           "`scripts/bench/openvino_f32.py`). ONNX Runtime cannot be held to AVX2: its column is its AVX-512 figure. "
           "Not a Zen 3's figures: this CPU runs the same instructions at its own clock, caches and memory.",
           "- x OpenVINO = dogcat-mpi's img/s / OpenVINO's held to AVX2; target: issue 15's, for comparison.", "",
           "| what | dogcat-mpi AVX2 build, img/s | OpenVINO held to AVX2, img/s | x OpenVINO | ONNX Runtime (AVX-512) | x ONNX Runtime | target | notes |",
           "|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in table:
        notes = "; ".join(f"{name} median {x[1]:.1f} of {x[2]}" for name, x in
                          (("dogcat-mpi", r["mine"]), ("OpenVINO", r["openvino"]), ("ONNX Runtime", r["ort"])) if x)
        target = f"{r['target']}x" if r["target"] else ""
        out.append(f"| {r['what']} | {rate(r['mine'])} | {rate(r['openvino'])} | {ratio(r['mine'], r['openvino'])} | "
                   f"{rate(r['ort'])} | {ratio(r['mine'], r['ort'])} | {target} | {notes} |")
    return out
