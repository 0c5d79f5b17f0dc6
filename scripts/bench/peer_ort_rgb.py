"""ONNX Runtime pipeline peer for either model: ../shared/peers/peer_ort.py with peer_ov.py's --rgb.
usage: peer_ort_rgb.py LIST MODEL.onnx [--workers 2] [--batch 64] [--rgb 224] -> prints 'ort: N images S s R img/s'
peer_ort.py reads the grey 256 input only; this is the same pipeline (PIL decode + TF-exact resize
in N threads, ORT on 2 intra-op threads, the clock started before the imports) with the RGB input
of peer_ov.py for MobileNetV2, so the ORT and OpenVINO pipeline rows have the same form."""
import os, sys, time, argparse
PEERS = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "peers")); sys.path.insert(0, PEERS)
ap = argparse.ArgumentParser(); ap.add_argument("list"); ap.add_argument("model")
ap.add_argument("--workers", type=int, default=2); ap.add_argument("--batch", type=int, default=64)
ap.add_argument("--rgb", type=int, default=0, help="RGB model input size (MobileNetV2: 224); 0 = grey 256")
a = ap.parse_args()
t0 = time.perf_counter()
import numpy as np, onnxruntime as ort
from concurrent.futures import ThreadPoolExecutor
from peer_common import np_load_gray256, pil_decode_rgb, np_resize_bilinear_tf
paths = [l.strip() for l in open(a.list) if l.strip()]
so = ort.SessionOptions(); so.intra_op_num_threads = 2; so.inter_op_num_threads = 1
s = ort.InferenceSession(a.model, so, providers=["CPUExecutionProvider"]); name = s.get_inputs()[0].name
load = (lambda p: (np_resize_bilinear_tf(pil_decode_rgb(p), a.rgb, a.rgb) / np.float32(255)).astype(np.float32)) if a.rgb else np_load_gray256
out = []
with ThreadPoolExecutor(a.workers) as ex:
    for i in range(0, len(paths), a.batch):
        x = np.stack(list(ex.map(load, paths[i:i + a.batch])))
        out.append(s.run(None, {name: x})[0])
dt = time.perf_counter() - t0
print(f"ort: {len(paths)} images {dt:.2f} s {len(paths)/dt:.1f} img/s")
