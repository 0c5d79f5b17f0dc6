#!/usr/bin/env bash
# bench.sh: dogcat-mpi against its peers, in one run, on the same machine and cores.
#
# Workloads: "photos" (the 2,002 labeled real photos in ../shared/data/photos) and "seed" (the
# Spark blog's 3,000-path list over the 6 seed photos, ../shared/peers/paths_3000.txt).
# Systems, one at a time, nothing else heavy running:
#   dogcat-mpi at -np 1 and -np 2, -np 2 --fast-decode, on the photos -np 2 --schedule dynamic,
#     on the seed list -np 2 --cache-mb 0
#     (no reuse of the decoded input of a repeated file): wall time of the whole mpirun command
#     (start-up, model load, decode, inference, gather, writing), best of R runs (and median); peak memory
#     per rank; accuracy on the labeled photos (its `accuracy:` line).
#   the peers in ../shared/peers, with --threads = the cores used: Keras predict (batch 64),
#     Keras + tf.data (parallel map, batch 64), ONNX Runtime (2 decode threads, batch 64). Their
#     own timers (TF import, model load and warm-up excluded), best of R invocations: the numbers
#     any ratio is taken against. Also the whole python command's wall time and max RSS.
# Runs during which other processes used CPU are repeated (see scripts/bench/common.sh).
# Workload "mobilenetv2": the real photos through MobileNetV2 (224x224 RGB), dogcat-mpi -np 2 on
# ../shared/models/mobilenetv2_catdog.h5 against ONNX Runtime on its .onnx twin (2 threads,
# 2 decode threads; scripts/bench/run_onnx_mobilenet.py).
# Plus the compute ceiling: FLOPs/image of catsordogs (from its layer shapes) x images/s, over
# a one-thread numpy float32 GEMM peak x the cores used.
#
# Output: bench-results/bench-STAMP.csv and .md (the table is printed at the end too); the raw
# logs, per-run results and timing.json files under bench-results/bench-STAMP/.
#
# Usage: scripts/bench.sh [--quick] [--skip-peers] [--repeats R] [--place MODE] [--cores C]
#   --quick       200 photos and 300 seed paths, 1 run each (for development)
#   --skip-peers  reuse the peer rows of the newest bench-results/bench-*.csv that has them
#                 for the same workload and size (--quick and full runs do not mix)
#   --repeats R   runs per configuration (default 3)
#   --place MODE  dogcat-mpi --place (default none: like the peers, no files are linked/copied)
#   --cores C     pin everything to CPUs 0..C-1 (default: 2, this machine's cores)
# Needs: the release binary (.build/release/dogcat-mpi), models/catsordogs.h5, and a Python 3
# venv in .venv-bench/ which this script creates/fills when something is missing (~3 GB).
set -euo pipefail
source "$(dirname "$0")/bench/common.sh"
cd "$ROOT"
ONNX="$SHARED/models/catsordogs.onnx"
PEERS="$SHARED/peers"

QUICK=0 SKIP_PEERS=0 REPEATS="" PLACE=none
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --skip-peers) SKIP_PEERS=1 ;;
    --repeats) REPEATS="$2"; shift ;;
    --place) PLACE="$2"; shift ;;
    --cores) CORES="$2"; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ -z "$REPEATS" ]; then REPEATS=3; [ "$QUICK" = 1 ] && REPEATS=1; fi
PHOTO_LIMIT=0 SEED_SIZE=3000
[ "$QUICK" = 1 ] && PHOTO_LIMIT=200 SEED_SIZE=300

STAMP=$(date +%Y%m%d-%H%M%S)
RUN="$RESULTS/bench-$STAMP"
START_NS=$(date +%s%N)

# run_dogcat WORKLOAD INPUT IMAGES SYSTEM NP REP [dogcat args...]: one timed mpirun (each rank
# under GNU time for its peak RSS, see scripts/bench/rank-rss.sh); appends a line to runs.tsv.
run_dogcat() {
  local workload=$1 input=$2 images=$3 system=$4 np=$5 rep=$6; shift 6
  local dir="$RUN/dogcat/$workload-$system-np$np"
  dogcat_timed "$dir" "$np" --input "$input" --place "$PLACE" "$@"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$workload" "$images" "$system" "$np" "$rep" "$WALL" "$RC" \
    "$BUSY_PCT" "$FOREIGN_CPU" "$CONTENDED" "$dir" >> "$RUN/runs.tsv"
  log "dogcat $workload $system np=$np run $rep: ${WALL}s (rc $RC) $(grep -h '^accuracy:' "$dir/stdout.txt" || true)"
}

# run_peer NAME WORKLOAD LIST IMAGES REP SCRIPT [args...]: invocation REP of one peer, one timed
# pass (--repeats 1) pinned to the same CPUs, under GNU time (wall of the whole python command,
# its max RSS and CPU). An invocation during which other processes used CPU is run again (at
# most TRIES times). Files: NAME-WORKLOAD.rREP.{csv,log,time}, NAME-WORKLOAD.runs.tsv.
run_peer() {
  local name=$1 workload=$2 list=$3 images=$4 rep=$5 script=$6; shift 6
  local base="$RUN/peers/$name-$workload" try rc b0 own wall foreign contended
  [ "$rep" = 1 ] && printf 'rep\ttry\twall_s\tmaxrss_kib\tcpu_s\tbusy_pct\tforeign_cpu_s\tcontended\trc\n' > "$base.runs.tsv"
  for try in $(seq 1 "$TRIES"); do
    wait_idle
    rc=0 contended=no
    b0=$(cpu_busy_seconds)
    /usr/bin/time -f '%e %M %U %S' -o "$base.r$rep.time" taskset -c "0-$((CORES - 1))" "$PY" "$PEERS/$script" \
      --paths "$list" --sizes "$images" --repeats 1 --threads "$CORES" --out "$base.r$rep.csv" "$@" \
      > "$base.r$rep.log" 2>&1 || rc=$?
    read -r wall maxrss own < <(tail -n1 "$base.r$rep.time" | awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }')
    foreign=$(foreign_cpu "$b0" "$(cpu_busy_seconds)" "$own" "$wall") && contended=yes
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rep" "$try" "$wall" "$maxrss" "$own" "$BUSY_PCT" "$foreign" \
      "$contended" "$rc" >> "$base.runs.tsv"
    [ "$rc" = 0 ] || { log "peer $name failed (rc $rc), see $base.r$rep.log"; tail -5 "$base.r$rep.log" >&2; return 1; }
    log "peer $name $workload run $rep: $(grep -h '^{"peer"' "$base.r$rep.log" | sed 's/, "max_abs.*//' | tr '\n' ' ')"
    [ "$contended" = yes ] || break
    log "contended: other processes used ${foreign} CPU s during this ${wall} s peer run (try $try of $TRIES)"
  done
}

main() {
  [ -x "$BIN" ] || { echo "bench.sh: $BIN missing: build it first (scripts/setup.sh)" >&2; exit 1; }
  [ -s "$MODEL" ] || { echo "bench.sh: $MODEL missing (scripts/setup.sh fetches it)" >&2; exit 1; }
  local reuse=()
  if [ "$SKIP_PEERS" = 1 ]; then
    mapfile -t reuse < <(ls -t "$RESULTS"/bench-*.csv 2>/dev/null || true)
    [ "${#reuse[@]}" -gt 0 ] || { echo "bench.sh: --skip-peers but no bench-results/bench-*.csv yet" >&2; exit 1; }
    ensure_venv numpy
  else
    ensure_venv tensorflow-cpu==2.21.0 tf-keras==2.21.0 onnxruntime pillow numpy
  fi
  mkdir -p "$RUN/lists" "$RUN/peers" "$RUN/dogcat"
  printf 'workload\timages\tsystem\tnp\trep\twall_s\trc\tbusy_pct\tforeign_cpu_s\tcontended\tdir\n' > "$RUN/runs.tsv"

  local n_photos n_seed
  n_photos=$("$PY" scripts/bench/make_lists.py photos "$RUN/lists" --limit "$PHOTO_LIMIT")
  "$PY" scripts/bench/make_lists.py seed "$RUN/lists" --sizes "$SEED_SIZE" > /dev/null
  n_seed=$SEED_SIZE
  warm_cache "$RUN/lists/photos.txt"; warm_cache "$RUN/lists/seed_$n_seed.txt"
  log "workloads: photos $n_photos images, seed $n_seed paths; $REPEATS run(s) each; CPUs 0-$((CORES - 1)); --place $PLACE"

  "$PY" scripts/bench/ceiling.py flops > "$RUN/flops.json"
  local try
  for try in $(seq 1 "$TRIES"); do   # a peak: the best of TRIES measurements, each on an idle machine
    wait_idle
    taskset -c 0 "$PY" scripts/bench/ceiling.py gemm >> "$RUN/gemm-tries.jsonl"
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
    run_dogcat photos "$RUN/lists/photos.csv" "$n_photos" fast 2 "$rep" --fast-decode
    run_dogcat seed "$RUN/lists/seed_$n_seed.txt" "$n_seed" exact 1 "$rep"
    run_dogcat seed "$RUN/lists/seed_$n_seed.txt" "$n_seed" exact 2 "$rep"
    run_dogcat seed "$RUN/lists/seed_$n_seed.txt" "$n_seed" fast 2 "$rep" --fast-decode
    run_dogcat seed "$RUN/lists/seed_$n_seed.txt" "$n_seed" nocache 2 "$rep" --cache-mb 0
    run_dogcat mobilenetv2 "$RUN/lists/photos.csv" "$n_photos" mobilenetv2 2 "$rep" --model "$SHARED/models/mobilenetv2_catdog.h5"
    [ "$SKIP_PEERS" = 0 ] || continue
    for w in photos seed; do
      if [ "$w" = photos ]; then list="$RUN/lists/photos.txt" n=$n_photos
      else list="$RUN/lists/seed_$n_seed.txt" n=$n_seed; fi
      run_peer keras "$w" "$list" "$n" "$rep" run_keras.py --model "$MODEL" --batch-sizes 64 --tfdata
      run_peer onnxruntime "$w" "$list" "$n" "$rep" run_onnxruntime.py --model "$ONNX" --workers 2
    done
    PEERS="$ROOT/scripts/bench" run_peer onnx-mobilenetv2 mobilenetv2 "$RUN/lists/photos.txt" "$n_photos" "$rep" run_onnx_mobilenet.py --workers 2
  done

  local csv="$RESULTS/bench-$STAMP.csv" md="$RESULTS/bench-$STAMP.md"
  "$PY" scripts/bench/report.py "$RUN" --cores "$CORES" --csv "$csv" --md "$md" \
    ${reuse[@]:+--reuse-peers "${reuse[@]}"} --script-seconds "$(seconds_since "$START_NS")"
  echo
  cat "$md"
  echo
  echo "CSV: $csv"
  echo "raw: $RUN"
  log "bench.sh took $(seconds_since "$START_NS") s"
}

main
