"""dogcat-mpi's engine on inference alone, timed as ../shared/peers/engine_only.py times the peers:
one engine-bench process per core (pinned there, as mpirun pins ranks), each on the same photo's
model input in batches, N images a run, 3 runs. A run's rate is all processes' images / the slowest
process's seconds for that run (the processes start together, so their runs overlap); the best run
is printed as 'dogcat-engine: R img/s (...)', the line format of the peers.

usage: engine_per_core.py ENGINE_BENCH MODEL PHOTO [--cores 2] [--n 1024] [--batch 32]
"""
import argparse
import re
import subprocess


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("engine_bench")
    ap.add_argument("model")
    ap.add_argument("photo")
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--n", type=int, default=1024)
    ap.add_argument("--batch", type=int, default=32, help="the pipeline's default batch size")
    a = ap.parse_args()
    command = [a.engine_bench, a.model, "--photo", a.photo, "--batch-size", str(a.batch), "--throughput", str(a.n), "--runs", "3"]
    processes = [subprocess.Popen(["taskset", "-c", str(core)] + command, stdout=subprocess.PIPE, text=True)
                 for core in range(a.cores)]
    runs = []   # per process: (images a run, [seconds of each run])
    for p in processes:
        out, _ = p.communicate()
        if p.returncode != 0:
            raise SystemExit(f"engine_per_core.py: {' '.join(command)} failed (rc {p.returncode})")
        m = re.search(r"^throughput: (\d+) images a run, seconds ([\d. ]+)$", out, re.M)
        if not m:
            raise SystemExit(f"engine_per_core.py: no throughput line in:\n{out}")
        runs.append((int(m.group(1)), [float(s) for s in m.group(2).split()]))
    images = sum(n for n, _ in runs)
    rates = [images / max(seconds[i] for _, seconds in runs) for i in range(len(runs[0][1]))]
    print(f"dogcat-engine: {max(rates):.1f} img/s  ({a.cores} processes, one per core, batch {a.batch}, {images} images a timing; "
          f"runs {' '.join(f'{r:.1f}' for r in rates)})")


if __name__ == "__main__":
    main()
