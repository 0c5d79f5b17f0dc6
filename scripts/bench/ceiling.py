"""The compute ceiling: FLOPs per image of the catsordogs CNN, and one core's float32 GEMM peak.

  flops            prints JSON {"flops_per_image": ..., "layers": [...]} computed from the layer
                   shapes (2 x multiply-adds; pooling, bias and activations are not counted).
  gemm [--n 2048]  times numpy float32 matmul of two NxN matrices on ONE thread (the BLAS thread
                   variables are forced to 1 before numpy loads) and prints JSON with the best
                   GFLOP/s of several runs. Run it pinned to one core (taskset) on an idle machine;
                   OPENBLAS_CORETYPE, if set, picks OpenBLAS's kernel (the JSON says which).
  best --file F    the line of F (JSON lines from `gemm`) with the highest GFLOP/s, plus "tries".
"""
import argparse
import json
import os
import time

# catsordogs (Keras model.h5 of PyPI catsordogs==0.0.9), input 256x256x1:
#   Conv2D 3x3 1->16 (valid) -> 254x254, MaxPool 2 -> 127
#   Conv2D 3x3 16->32       -> 125x125, MaxPool 2 -> 62
#   Conv2D 3x3 32->16       -> 60x60,   MaxPool 2 -> 30, Flatten -> 14400
#   Dense 14400->256, Dense 256->1 (sigmoid)
CONVS = [  # (name, kernel, c_in, c_out, output side)
    ("conv 3x3 1->16 @254x254", 3, 1, 16, 254),
    ("conv 3x3 16->32 @125x125", 3, 16, 32, 125),
    ("conv 3x3 32->16 @60x60", 3, 32, 16, 60),
]
DENSES = [("dense 14400->256", 14400, 256), ("dense 256->1", 256, 1)]


def flops():
    layers = []
    for name, k, cin, cout, side in CONVS:
        layers.append((name, 2 * side * side * cout * k * k * cin))
    for name, nin, nout in DENSES:
        layers.append((name, 2 * nin * nout))
    return {"flops_per_image": sum(f for _, f in layers),
            "layers": [{"layer": n, "flops": f} for n, f in layers]}


def gemm(n, runs):
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
        os.environ[var] = "1"
    import numpy as np
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    c = np.empty((n, n), dtype=np.float32)
    np.matmul(a, b, out=c)  # warm-up (thread pool, page faults)
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        np.matmul(a, b, out=c)
        best = min(best, time.perf_counter() - t)
    return {"n": n, "runs": runs, "best_seconds": best, "gflops_per_core": 2 * n ** 3 / best / 1e9,
            "numpy": np.__version__, "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", "")}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["flops", "gemm", "best"])
    ap.add_argument("--file")
    ap.add_argument("--n", type=int, default=2048)
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    if args.what == "best":
        tries = [json.loads(line) for line in open(args.file) if line.strip()]
        print(json.dumps(max(tries, key=lambda g: g["gflops_per_core"]) | {"tries": len(tries)}))
    else:
        print(json.dumps(flops() if args.what == "flops" else gemm(args.n, args.runs)))


if __name__ == "__main__":
    main()
