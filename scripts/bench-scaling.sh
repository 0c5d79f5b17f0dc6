#!/usr/bin/env bash
# bench-scaling.sh: how dogcat-mpi scales, as in the seed Spark blog post, plus strong scaling
# and a skewed-list scheduling experiment. Every number is the wall time of the whole mpirun
# command (start-up, model load, work, writing; --place none), measured here.
#
# 1. Seed sweep: the blog's list (../shared/peers/paths_3000.txt over the 6 photos in
#    ../shared/data/seed), first 100, 500, 1000, 1500, 2000, 2500, 3000 paths, in the blog's
#    three modes: "python" (-np 1 --batch-size 2), "udf" (-np 2 --batch-size 1, a row at a
#    time) and "pandas-udf" (-np 2 --batch-size 64).
# 2. Strong scaling on the 2,002 real photos: -np 1, 2, 4 (4 ranks on 2 cores is oversubscribed,
#    and labeled so); speed-up T(1)/T(N) and efficiency speed-up/N, from the mpirun wall and
#    from dogcat-mpi's own wall (timing.json wallSeconds, i.e. without mpirun start-up).
# 3. Skewed list: the real photos sorted by file size (smallest first), -np 2 with
#    --schedule static and --schedule dynamic: wall and per-rank busy seconds (timing.json).
#    Skipped, with a note, when the binary has no --schedule option.
#
# The header names the CPU, its vector ISA and the build's target CPU (scripts/bench/machine.py).
# Output: bench-results/scaling/STAMP/ (and the link bench-results/scaling/latest):
#   scaling.csv, scaling.md (also printed), seed-sweep.png, speedup.png, schedule.png, raw/.
#
# Usage: scripts/bench-scaling.sh [--quick] [--repeats R] [--sweep-repeats R] [--sizes A,B,..]
#   --quick            sizes 100,300; 200 photos; 1 run each (for development)
#   --repeats R        runs per strong-scaling / schedule configuration, median (default 3)
#   --sweep-repeats R  runs per seed-sweep cell, median (default 1, as in the blog)
#   --sizes LIST       seed-sweep sizes (default 100,500,1000,1500,2000,2500,3000)
#   --cores C          pin to CPUs 0..C-1 (default 2, this machine's cores)
# Needs the release binary and models/catsordogs.h5; installs numpy + matplotlib in .venv-bench/.
set -euo pipefail
source "$(dirname "$0")/bench/common.sh"
cd "$ROOT"
LOG_TAG=scaling

QUICK=0 REPEATS="" SWEEP_REPEATS=1 SIZES=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --repeats) REPEATS="$2"; shift ;;
    --sweep-repeats) SWEEP_REPEATS="$2"; shift ;;
    --sizes) SIZES="$2"; shift ;;
    --cores) CORES="$2"; shift ;;
    -h|--help) print_usage "$0"; exit 0 ;;
    *) echo "bench-scaling.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
PHOTO_LIMIT=0
if [ "$QUICK" = 1 ]; then : "${SIZES:=100,300}" "${REPEATS:=1}"; PHOTO_LIMIT=200; fi
: "${SIZES:=100,500,1000,1500,2000,2500,3000}" "${REPEATS:=3}"

STAMP=$(date +%Y%m%d-%H%M%S)
OUT="$RESULTS/scaling/$STAMP"
RAW="$OUT/raw"
START_NS=$(date +%s%N)

# run EXPERIMENT LABEL IMAGES NP BATCH SCHEDULE REP INPUT [extra args]: one timed mpirun,
# appended to raw/runs.tsv.
run() {
  local exp=$1 label=$2 images=$3 np=$4 batch=$5 schedule=$6 rep=$7 input=$8; shift 8
  local dir="$RAW/$exp-$label-n$images-np$np-r$rep" sched=()
  [ "$schedule" = - ] || sched=(--schedule "$schedule")
  dogcat_timed "$dir" "$np" --input "$input" --batch-size "$batch" --place none "${sched[@]}" "$@"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$exp" "$label" "$images" "$np" "$batch" \
    "$schedule" "$rep" "$WALL" "$RC" "$BUSY_PCT" "$FOREIGN_CPU" "$CONTENDED" "$dir" >> "$RAW/runs.tsv"
  log "$exp $label n=$images np=$np bs=$batch${sched[*]:+ ${sched[*]}} run $rep: ${WALL}s (rc $RC)"
}

# 1. The blog's experiment: three modes over growing prefixes of the seed list.
seed_sweep() {
  local n rep
  for rep in $(seq 1 "$SWEEP_REPEATS"); do
    for n in ${SIZES//,/ }; do
      run sweep python "$n" 1 2 - "$rep" "$RAW/lists/seed_$n.txt"
      run sweep udf "$n" 2 1 - "$rep" "$RAW/lists/seed_$n.txt"
      run sweep pandas-udf "$n" 2 64 - "$rep" "$RAW/lists/seed_$n.txt"
    done
  done
}

# 2. Strong scaling: the same real photos at 1, 2 and 4 ranks (default batch size).
strong_scaling() {
  local rep np
  for rep in $(seq 1 "$REPEATS"); do
    for np in 1 2 4; do
      run strong "np$np" "$1" "$np" 32 - "$rep" "$RAW/lists/photos.csv"
    done
  done
}

# 3. Skewed list: photos sorted by file size; static vs dynamic schedule at 2 ranks.
schedule_skew() {
  local rep
  if ! "$BIN" --help 2>/dev/null | grep -q -- --schedule; then
    log "dogcat-mpi has no --schedule option yet: skipping the static/dynamic experiment"
    echo "skipped: dogcat-mpi --help lists no --schedule option" > "$RAW/schedule-skipped.txt"
    return 0
  fi
  for rep in $(seq 1 "$REPEATS"); do
    run schedule static "$1" 2 32 static "$rep" "$RAW/lists/skewed.txt"
    run schedule dynamic "$1" 2 32 dynamic "$rep" "$RAW/lists/skewed.txt"
  done
}

main() {
  [ -x "$BIN" ] || { echo "bench-scaling.sh: $BIN missing: build it first (scripts/setup.sh)" >&2; exit 1; }
  [ -s "$MODEL" ] || { echo "bench-scaling.sh: $MODEL missing (scripts/setup.sh fetches it)" >&2; exit 1; }
  ensure_venv numpy matplotlib
  mkdir -p "$RAW/lists"
  "$PY" scripts/bench/machine.py --build-flags "$(scripts/build-flags.sh)" > "$RAW/machine.json"
  printf 'experiment\tlabel\timages\tnp\tbatch\tschedule\trep\twall_s\trc\tbusy_pct\tforeign_cpu_s\tcontended\tdir\n' > "$RAW/runs.tsv"

  local n_photos
  "$PY" scripts/bench/make_lists.py seed "$RAW/lists" --sizes "$SIZES" > /dev/null
  n_photos=$("$PY" scripts/bench/make_lists.py photos "$RAW/lists" --limit "$PHOTO_LIMIT")
  "$PY" scripts/bench/make_lists.py by-size "$RAW/lists" > /dev/null
  if [ "$PHOTO_LIMIT" -gt 0 ]; then   # --quick: the skewed list from the same photo subset
    xargs -d '\n' stat -c '%s %n' < "$RAW/lists/photos.txt" | sort -n -k1,1 | cut -d' ' -f2- > "$RAW/lists/skewed.txt"
  else
    cp "$RAW/lists/photos_by_size.txt" "$RAW/lists/skewed.txt"
  fi
  warm_cache "$RAW/lists/seed.txt"; warm_cache "$RAW/lists/photos.txt"
  log "seed sizes $SIZES (x$SWEEP_REPEATS); $n_photos photos (x$REPEATS); CPUs 0-$((CORES - 1))"

  seed_sweep
  strong_scaling "$n_photos"
  schedule_skew "$n_photos"

  "$PY" scripts/bench/scaling_report.py "$RAW" --out "$OUT" --cores "$CORES" \
    --script-seconds "$(seconds_since "$START_NS")"
  ln -sfn "$STAMP" "$RESULTS/scaling/latest"
  echo
  cat "$OUT/scaling.md"
  echo
  echo "outputs: $OUT (also $RESULTS/scaling/latest)"
  log "bench-scaling.sh took $(seconds_since "$START_NS") s"
}

main
