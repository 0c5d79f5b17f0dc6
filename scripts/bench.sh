#!/usr/bin/env bash
# bench.sh: dogcat-mpi against its peers, in one run, on the same machine and cores.
#
# Workloads: "photos" (the 2,002 labeled real photos in ../shared/data/photos) and "seed" (the
# Spark blog's 3,000-path list over the 6 seed photos, ../shared/peers/paths_3000.txt).
# Systems, one at a time, nothing else heavy running:
#   dogcat-mpi at -np 1 and -np 2, -np 2 --fast-decode, on the photos -np 2 --schedule dynamic
#     and -np 2 on the same photos as 8 tar shards (make_lists.py shards; no labels, so no accuracy line),
#     on the seed list -np 2 --cache-mb 0
#     (no reuse of the decoded input of a repeated file): wall time of the whole mpirun command
#     (start-up, model load, decode, inference, gather, writing), best of R runs (and median); peak memory
#     per rank; accuracy on the labeled photos (its `accuracy:` line).
#   the peers in ../shared/peers, with --threads = the cores used: Keras predict (batch 64),
#     Keras + tf.data (parallel map, batch 64), ONNX Runtime (2 decode threads, batch 64). Their
#     own timers (TF import, model load and warm-up excluded), best of R invocations. Also the
#     whole python command's wall time and max RSS.
#   the Python pipelines timed as a whole mpirun is (the clock starts before the imports): ONNX
#     Runtime (peer_ort.py; scripts/bench/peer_ort_rgb.py for MobileNetV2's RGB input) and
#     OpenVINO (peer_ov.py: THROUGHPUT hint, 2 threads), PIL decode in 2 threads, on the photos
#     for both models: the "best Python pipeline" each dogcat-mpi row's ratio is taken against.
# Runs during which other processes used CPU are repeated (see scripts/bench/common.sh).
# Workload "mobilenetv2": the real photos through MobileNetV2 (224x224 RGB), dogcat-mpi -np 2 on
# ../shared/models/mobilenetv2_catdog.h5 against ONNX Runtime on its .onnx twin (2 threads,
# 2 decode threads; scripts/bench/run_onnx_mobilenet.py).
# Inference alone (second table), both models: ONNX Runtime and OpenVINO on one real photo's
# input in batches (../shared/peers/engine_only.py, 2 threads; OpenVINO once at its default
# precision, bfloat16 where the CPU has it, and once held to float32) against dogcat-mpi's engine
# timed the same way (engine-bench on the same photo, one process per core, batch 32:
# scripts/bench/engine_per_core.py) and, beside it, inside the -np 2 runs above (images / the
# slower rank's inference seconds in timing.json, where each rank also decodes), best of R runs.
# The header names the CPU, its vector ISA and the build's target CPU (scripts/bench/machine.py).
# Plus the compute ceiling: FLOPs/image of catsordogs (from its layer shapes) x images/s, over
# a one-thread numpy float32 GEMM peak x the cores used (the better of numpy's own OpenBLAS
# kernel and, on AVX-512 CPUs, OpenBLAS's AVX2 one).
#
# Output: bench-results/bench-STAMP.csv, bench-STAMP-inference.csv and bench-STAMP.md (the tables
# are printed at the end too); the raw
# logs, per-run results and timing.json files under bench-results/bench-STAMP/.
#
# With --avx2, on a CPU with AVX-512: a third table, the nearest this machine comes to an AVX2 one
# (Zen 3): the AVX2 build (DOGCAT_TARGET_CPU=x86-64-v3, .build-x86-64-v3/release) against OpenVINO
# held to AVX2 by oneDNN's ONEDNN_MAX_CPU_ISA=AVX2 (so float32: no bfloat16 without AVX-512),
# whole -np 2 runs on the photos for both models and inference alone (scripts/bench/avx2_table.py).
# ONNX Runtime has no such switch: its figures there are its AVX-512 ones.
#
# Usage: scripts/bench.sh [--quick] [--skip-peers] [--repeats R] [--place MODE] [--cores C] [--avx2]
#   --quick       200 photos and 300 seed paths, 1 run each, 256 images per engine-only timing
#                 (for development)
#   --skip-peers  reuse the peer rows of the newest bench-results/bench-*.csv that has them
#                 for the same workload and size (--quick and full runs do not mix), and the
#                 engine-only rows of the newest bench-*-inference.csv that has them
#   --repeats R   runs per configuration (default 3)
#   --place MODE  dogcat-mpi --place (default none: like the peers, no files are linked/copied)
#   --cores C     pin everything to CPUs 0..C-1 (default: 2, this machine's cores)
#   --avx2        also the AVX2 table above (on a CPU with AVX-512; it first builds the AVX2
#                 dogcat-mpi and engine-bench into .build-x86-64-v3/: about 1.5 minutes in a
#                 clean clone after scripts/test.sh, seconds when nothing changed)
# Needs: the release binary (.build/release/dogcat-mpi), models/catsordogs.h5, and a Python 3
# venv in .venv-bench/ which this script creates/fills when something is missing (~3 GB).
set -euo pipefail
source "$(dirname "$0")/bench/common.sh"
cd "$ROOT"
ONNX="$SHARED/models/catsordogs.onnx"
MOBILENET="$SHARED/models/mobilenetv2_catdog"   # .h5 for dogcat-mpi, .onnx for the peers
PEERS="$SHARED/peers"
ENGINE_PHOTO="$SHARED/data/photos/cats/cat.10.jpg"   # the engine-only input (TF's tensor is in goldens/)

QUICK=0 SKIP_PEERS=0 REPEATS="" PLACE=none AVX2=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --skip-peers) SKIP_PEERS=1 ;;
    --repeats) REPEATS="$2"; shift ;;
    --place) PLACE="$2"; shift ;;
    --cores) CORES="$2"; shift ;;
    --avx2) AVX2=1 ;;
    -h|--help) print_usage "$0"; exit 0 ;;
    *) echo "bench.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ -z "$REPEATS" ]; then REPEATS=3; [ "$QUICK" = 1 ] && REPEATS=1; fi
PHOTO_LIMIT=0 SEED_SIZE=3000 ENGINE_IMAGES=1024
[ "$QUICK" = 1 ] && PHOTO_LIMIT=200 SEED_SIZE=300 ENGINE_IMAGES=256

STAMP=$(date +%Y%m%d-%H%M%S)
RUN="$RESULTS/bench-$STAMP"
START_NS=$(date +%s%N)

# run_dogcat WORKLOAD INPUT IMAGES SYSTEM NP REP [dogcat args...]: one timed mpirun (each rank
# under GNU time for its peak RSS, see scripts/bench/rank-rss.sh); appends a line to runs.tsv.
run_dogcat() {
  local workload=$1 input=$2 images=$3 system=$4 np=$5 rep=$6; shift 6
  local dir="$RUN/dogcat/$workload-$system-np$np"
  dogcat_timed "$dir" "$np" --input "$input" --place "$PLACE" "$@"
  # Each repeat's timing.json (DIR is reused): the inference table takes the best repeat.
  cp "$dir/out/timing.json" "$dir.r$rep.timing.json" 2>/dev/null || true
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$workload" "$images" "$system" "$np" "$rep" "$WALL" "$RC" \
    "$BUSY_PCT" "$FOREIGN_CPU" "$CONTENDED" "$dir" >> "$RUN/runs.tsv"
  log "dogcat $workload $system np=$np run $rep: ${WALL}s (rc $RC) $(grep -h '^accuracy:' "$dir/stdout.txt" || true)"
}

# peer_timed BASE REP COMMAND...: invocation REP of one Python peer ($PY COMMAND...), pinned to
# the same CPUs, under GNU time (wall of the whole python command, its max RSS and CPU). An
# invocation during which other processes used CPU is run again (at most TRIES times). Files:
# BASE.rREP.{cmd,log,time} and BASE.runs.tsv (one line per try).
peer_timed() {
  local base=$1 rep=$2 try rc b0 own wall maxrss foreign contended; shift 2
  [ "$rep" = 1 ] && printf 'rep\ttry\twall_s\tmaxrss_kib\tcpu_s\tbusy_pct\tforeign_cpu_s\tcontended\trc\n' > "$base.runs.tsv"
  for try in $(seq 1 "$TRIES"); do
    wait_idle
    rc=0 contended=no
    b0=$(cpu_busy_seconds)
    printf '%q ' "$PY" "$@" > "$base.r$rep.cmd"
    /usr/bin/time -f '%e %M %U %S' -o "$base.r$rep.time" taskset -c "0-$((CORES - 1))" "$PY" "$@" \
      > "$base.r$rep.log" 2>&1 || rc=$?
    read -r wall maxrss own < <(tail -n1 "$base.r$rep.time" | awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }')
    foreign=$(foreign_cpu "$b0" "$(cpu_busy_seconds)" "$own" "$wall") && contended=yes
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rep" "$try" "$wall" "$maxrss" "$own" "$BUSY_PCT" "$foreign" \
      "$contended" "$rc" >> "$base.runs.tsv"
    [ "$rc" = 0 ] || { log "peer $(basename "$base") failed (rc $rc), see $base.r$rep.log"; tail -5 "$base.r$rep.log" >&2; return 1; }
    log "peer $(basename "$base") run $rep: $(grep -hE '^\{"peer"|^[a-z-]+: .*img/s' "$base.r$rep.log" | sed 's/, "max_abs.*//' | tr '\n' ' ')"
    [ "$contended" = yes ] || break
    log "contended: other processes used ${foreign} CPU s during this ${wall} s peer run (try $try of $TRIES)"
  done
}

# run_peer NAME WORKLOAD LIST IMAGES REP SCRIPT [args...]: a peer with the common interface of
# ../shared/peers (one timed pass, --repeats 1); its rows in RUN/peers/NAME-WORKLOAD.rREP.csv.
run_peer() {
  local name=$1 workload=$2 list=$3 images=$4 rep=$5 script=$6; shift 6
  local base="$RUN/peers/$name-$workload"
  peer_timed "$base" "$rep" "$PEERS/$script" --paths "$list" --sizes "$images" --repeats 1 --threads "$CORES" \
    --out "$base.r$rep.csv" "$@"
}

# run_pipeline NAME WORKLOAD LIST REP SCRIPT MODEL [args...]: a whole Python pipeline (decode
# and inference, clock started before the imports), which prints 'NAME: N images S s R img/s'.
run_pipeline() {
  local name=$1 workload=$2 list=$3 rep=$4 script=$5 model=$6; shift 6
  peer_timed "$RUN/peers/$name-$workload" "$rep" "$script" "$list" "$model" --workers 2 "$@"
}

# run_dogcat_engine MODEL_NAME REP MODEL: dogcat-mpi's engine on inference alone, timed as the
# peers below are (engine-bench, one process per core: scripts/bench/engine_per_core.py).
run_dogcat_engine() {
  peer_timed "$RUN/engine/$1-dogcat" "$2" scripts/bench/engine_per_core.py "$ENGINE_BENCH" "$3" "$ENGINE_PHOTO" \
    --cores "$CORES" --n "$ENGINE_IMAGES"
}

# run_engine_only MODEL_NAME REP ONNX [args...]: ONNX Runtime and OpenVINO on inference alone,
# then again with OpenVINO held to float32 (scripts/bench/openvino_f32.py).
run_engine_only() {
  local name=$1 rep=$2 onnx=$3; shift 3
  peer_timed "$RUN/engine/$name" "$rep" "$PEERS/engine_only.py" "$onnx" "$ENGINE_PHOTO" --n "$ENGINE_IMAGES" "$@"
  peer_timed "$RUN/engine/$name-f32" "$rep" scripts/bench/openvino_f32.py "$PEERS/engine_only.py" "$onnx" "$ENGINE_PHOTO" \
    --n "$ENGINE_IMAGES" "$@"
}

# run_avx2 REP: the --avx2 table's runs, interleaved with the others (called from main, whose
# n_photos it reads). The AVX2 build in place of the native one (BIN, ENGINE_BENCH), and
# OpenVINO held to AVX2 and float32.
run_avx2() {
  local rep=$1
  BIN=$AVX2_BIN run_dogcat photos "$RUN/lists/photos.csv" "$n_photos" avx2 2 "$rep"
  BIN=$AVX2_BIN run_dogcat mobilenetv2 "$RUN/lists/photos.csv" "$n_photos" avx2-mobilenetv2 2 "$rep" --model "$MOBILENET.h5"
  ENGINE_BENCH=$AVX2_ENGINE_BENCH run_dogcat_engine catsordogs-avx2 "$rep" "$MODEL"
  ENGINE_BENCH=$AVX2_ENGINE_BENCH run_dogcat_engine mobilenetv2-avx2 "$rep" "$MOBILENET.h5"
  [ "$SKIP_PEERS" = 0 ] || return 0
  (
    export ONEDNN_MAX_CPU_ISA=AVX2
    local f32=scripts/bench/openvino_f32.py
    peer_timed "$RUN/avx2/ov-pipeline-photos" "$rep" "$f32" "$PEERS/peer_ov.py" "$RUN/lists/photos.txt" "$ONNX" --workers 2
    peer_timed "$RUN/avx2/ov-pipeline-mobilenetv2" "$rep" "$f32" "$PEERS/peer_ov.py" "$RUN/lists/photos.txt" "$MOBILENET.onnx" \
      --workers 2 --rgb 224
    peer_timed "$RUN/avx2/engine-catsordogs" "$rep" "$f32" "$PEERS/engine_only.py" "$ONNX" "$ENGINE_PHOTO" --n "$ENGINE_IMAGES"
    peer_timed "$RUN/avx2/engine-mobilenetv2" "$rep" "$f32" "$PEERS/engine_only.py" "$MOBILENET.onnx" "$ENGINE_PHOTO" \
      --n "$ENGINE_IMAGES" --rgb 224
  )
}

main() {
  local avx512=0
  grep -qw avx512f /proc/cpuinfo && avx512=1
  [ -x "$BIN" ] && [ -x "$ENGINE_BENCH" ] || { echo "bench.sh: $BIN or $ENGINE_BENCH missing: build them first (scripts/setup.sh)" >&2; exit 1; }
  if [ "$AVX2" = 1 ]; then
    [ "$avx512" = 1 ] || { echo "bench.sh: --avx2 is for CPUs with AVX-512; on this one the native build is already the AVX2 (or portable) one: run bench.sh without it" >&2; exit 2; }
    log "building the AVX2 dogcat-mpi and engine-bench (DOGCAT_TARGET_CPU=x86-64-v3, in .build-x86-64-v3/)"
    local product
    for product in dogcat-mpi engine-bench; do
      DOGCAT_TARGET_CPU=x86-64-v3 quiet_release_build --scratch-path .build-x86-64-v3 --product "$product"
    done
  fi
  [ -s "$MODEL" ] || { echo "bench.sh: $MODEL missing (scripts/setup.sh fetches it)" >&2; exit 1; }
  local reuse=()
  if [ "$SKIP_PEERS" = 1 ]; then
    mapfile -t reuse < <(ls -t "$RESULTS"/bench-*.csv 2>/dev/null | grep -v -- '-inference\.csv$' || true)
    [ "${#reuse[@]}" -gt 0 ] || { echo "bench.sh: --skip-peers but no bench-results/bench-*.csv yet" >&2; exit 1; }
    ensure_venv numpy
  else
    ensure_venv tensorflow-cpu==2.21.0 tf-keras==2.21.0 onnxruntime openvino pillow numpy
  fi
  mkdir -p "$RUN/lists" "$RUN/peers" "$RUN/engine" "$RUN/dogcat" "$RUN/avx2"
  "$PY" scripts/bench/machine.py --build-flags "$(scripts/build-flags.sh)" > "$RUN/machine.json"
  printf 'workload\timages\tsystem\tnp\trep\twall_s\trc\tbusy_pct\tforeign_cpu_s\tcontended\tdir\n' > "$RUN/runs.tsv"

  local n_photos n_seed
  n_photos=$("$PY" scripts/bench/make_lists.py photos "$RUN/lists" --limit "$PHOTO_LIMIT")
  "$PY" scripts/bench/make_lists.py seed "$RUN/lists" --sizes "$SEED_SIZE" > /dev/null
  "$PY" scripts/bench/make_lists.py shards "$RUN/lists" --limit "$PHOTO_LIMIT" --count 8 > /dev/null
  n_seed=$SEED_SIZE
  warm_cache "$RUN/lists/photos.txt"; warm_cache "$RUN/lists/seed_$n_seed.txt"; cat "$RUN/lists/shards"/*.tar > /dev/null
  log "workloads: photos $n_photos images, seed $n_seed paths; $REPEATS run(s) each; CPUs 0-$((CORES - 1)); --place $PLACE"

  "$PY" scripts/bench/ceiling.py flops > "$RUN/flops.json"
  local try
  for try in $(seq 1 "$TRIES"); do   # a peak: the best of TRIES measurements, each on an idle machine
    wait_idle
    taskset -c 0 "$PY" scripts/bench/ceiling.py gemm >> "$RUN/gemm-tries.jsonl"
    # And OpenBLAS's AVX2 kernel, which numpy does not pick on AVX-512 CPUs but which is the
    # faster one on a Zen 4 (110 against 103 GFLOP/s): the peak is the best this BLAS does.
    if [ "$avx512" = 1 ]; then
      wait_idle
      OPENBLAS_CORETYPE=Haswell taskset -c 0 env -u OPENBLAS_L2_SIZE "$PY" scripts/bench/ceiling.py gemm >> "$RUN/gemm-tries.jsonl"
    fi
  done
  "$PY" scripts/bench/ceiling.py best --file "$RUN/gemm-tries.jsonl" > "$RUN/gemm.json"
  log "FLOPs/image $(cut -c1-40 "$RUN/flops.json")...; GEMM $(cat "$RUN/gemm.json")"

  # Repeat by repeat, every dogcat-mpi configuration and then every peer once: a slow spell of
  # the machine (other tenants) falls on all systems alike, and each keeps its best run.
  local rep w list n
  for rep in $(seq 1 "$REPEATS"); do
    run_dogcat photos "$RUN/lists/photos.csv" "$n_photos" exact 1 "$rep"
    run_dogcat photos "$RUN/lists/photos.csv" "$n_photos" exact 2 "$rep"
    run_dogcat photos "$RUN/lists/photos.csv" "$n_photos" dynamic 2 "$rep" --schedule dynamic
    run_dogcat photos "$RUN/lists/shards" "$n_photos" shards 2 "$rep"
    run_dogcat photos "$RUN/lists/photos.csv" "$n_photos" fast 2 "$rep" --fast-decode
    run_dogcat seed "$RUN/lists/seed_$n_seed.txt" "$n_seed" exact 1 "$rep"
    run_dogcat seed "$RUN/lists/seed_$n_seed.txt" "$n_seed" exact 2 "$rep"
    run_dogcat seed "$RUN/lists/seed_$n_seed.txt" "$n_seed" fast 2 "$rep" --fast-decode
    run_dogcat seed "$RUN/lists/seed_$n_seed.txt" "$n_seed" nocache 2 "$rep" --cache-mb 0
    run_dogcat mobilenetv2 "$RUN/lists/photos.csv" "$n_photos" mobilenetv2 2 "$rep" --model "$MOBILENET.h5"
    run_dogcat_engine catsordogs "$rep" "$MODEL"
    run_dogcat_engine mobilenetv2 "$rep" "$MOBILENET.h5"
    [ "$AVX2" = 0 ] || run_avx2 "$rep"
    [ "$SKIP_PEERS" = 0 ] || continue
    for w in photos seed; do
      if [ "$w" = photos ]; then list="$RUN/lists/photos.txt" n=$n_photos
      else list="$RUN/lists/seed_$n_seed.txt" n=$n_seed; fi
      run_peer keras "$w" "$list" "$n" "$rep" run_keras.py --model "$MODEL" --batch-sizes 64 --tfdata
      run_peer onnxruntime "$w" "$list" "$n" "$rep" run_onnxruntime.py --model "$ONNX" --workers 2
    done
    PEERS="$ROOT/scripts/bench" run_peer onnx-mobilenetv2 mobilenetv2 "$RUN/lists/photos.txt" "$n_photos" "$rep" run_onnx_mobilenet.py --workers 2
    run_pipeline ort-pipeline photos "$RUN/lists/photos.txt" "$rep" "$PEERS/peer_ort.py" "$ONNX"
    run_pipeline ov-pipeline photos "$RUN/lists/photos.txt" "$rep" "$PEERS/peer_ov.py" "$ONNX"
    run_pipeline ort-pipeline mobilenetv2 "$RUN/lists/photos.txt" "$rep" scripts/bench/peer_ort_rgb.py "$MOBILENET.onnx" --rgb 224
    run_pipeline ov-pipeline mobilenetv2 "$RUN/lists/photos.txt" "$rep" "$PEERS/peer_ov.py" "$MOBILENET.onnx" --rgb 224
    run_engine_only catsordogs "$rep" "$ONNX"
    run_engine_only mobilenetv2 "$rep" "$MOBILENET.onnx" --rgb 224
  done

  local csv="$RESULTS/bench-$STAMP.csv" md="$RESULTS/bench-$STAMP.md"
  "$PY" scripts/bench/report.py "$RUN" --cores "$CORES" --csv "$csv" --inference-csv "${csv%.csv}-inference.csv" \
    --md "$md" ${reuse[@]:+--reuse-peers "${reuse[@]}"} --script-seconds "$(seconds_since "$START_NS")"
  echo
  cat "$md"
  echo
  echo "CSV: $csv, ${csv%.csv}-inference.csv"
  echo "raw: $RUN"
  log "bench.sh took $(seconds_since "$START_NS") s"
}

main
