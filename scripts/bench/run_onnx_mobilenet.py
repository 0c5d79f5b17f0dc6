"""ONNX Runtime peer for MobileNetV2 (224x224x3 RGB in [0,1]), in the format of the peer scripts
in ../shared/peers (one CSV row per timed pass: peer, size, run, total_s, decode_s, infer_s).

Preprocessing: PIL decode (ISLOW DCT) + numpy TF-exact bilinear resize + /255
(peer_common.np_load_rgb, the same recipe as the catsordogs ONNX Runtime peer), `--workers`
decode threads; inference: an ONNX Runtime CPU session with `--threads` intra-op threads, batch 64.
"""
import argparse, csv, json, os, sys, time
from concurrent.futures import ThreadPoolExecutor

SHARED = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared"))
sys.path.insert(0, os.path.join(SHARED, "peers"))

ap = argparse.ArgumentParser()
ap.add_argument("--paths", required=True)
ap.add_argument("--model", default=os.path.join(SHARED, "models", "mobilenetv2_catdog.onnx"))
ap.add_argument("--sizes", default="")
ap.add_argument("--repeats", type=int, default=1)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--workers", type=int, default=2)
ap.add_argument("--batch-size", type=int, default=64)
ap.add_argument("--out", required=True)
args = ap.parse_args()

import numpy as np
import onnxruntime as ort
from peer_common import np_load_rgb, read_paths

paths = read_paths(args.paths)
n = int(args.sizes) if args.sizes else len(paths)
paths = paths[:n]
so = ort.SessionOptions()
so.intra_op_num_threads = args.threads
so.inter_op_num_threads = 1
session = ort.InferenceSession(args.model, so, providers=["CPUExecutionProvider"])
name = session.get_inputs()[0].name
pool = ThreadPoolExecutor(args.workers) if args.workers > 1 else None
load = lambda p: np_load_rgb(p, 224).astype(np.float32)
session.run(None, {name: np.stack([load(p) for p in paths[:8]])})   # warm-up
rows = []
for rep in range(args.repeats):
    t0 = time.perf_counter()
    x = np.stack(list(pool.map(load, paths, chunksize=8)) if pool else [load(p) for p in paths])
    t_dec = time.perf_counter() - t0
    t1 = time.perf_counter()
    for i in range(0, len(x), args.batch_size):
        session.run(None, {name: x[i:i + args.batch_size]})
    t_inf = time.perf_counter() - t1
    r = dict(peer=f"onnxruntime_mobilenetv2_dec{args.workers}_bs{args.batch_size}", size=n, run=rep,
             total_s=t_dec + t_inf, decode_s=t_dec, infer_s=t_inf, img_per_s=n / (t_dec + t_inf))
    rows.append(r)
    print(json.dumps({"peer": r["peer"], **{k: round(v, 4) if isinstance(v, float) else v for k, v in r.items() if k != "peer"}}), flush=True)
with open(args.out, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
