# Shared by scripts/bench.sh and scripts/bench-scaling.sh (sourced, not run).
# Sets the paths, the mpirun environment and these helpers:
#   log MSG...                   progress line on stderr
#   seconds_since NS             seconds since a `date +%s%N` value
#   ensure_venv PKG...           create .venv-bench/ and pip install the packages if any is missing
#   warm_cache LIST              read every file of a path list once (no cold page cache)
#   wait_idle                    wait (up to IDLE_WAIT s) until the CPUs are idle; sets BUSY_PCT
#   dogcat_timed DIR NP ARGS...  one timed mpirun of dogcat-mpi; sets WALL, RC, BUSY_PCT

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SHARED=$(cd "$ROOT/../shared" && pwd)
BIN="$ROOT/.build/release/dogcat-mpi"
MODEL="$ROOT/models/catsordogs.h5"
VENV="$ROOT/.venv-bench"
PY="$VENV/bin/python"
RESULTS="$ROOT/bench-results"
CORES=${CORES:-2}
IDLE_WAIT=${IDLE_WAIT:-120}

# mpirun as root, one node, shared memory only.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader
export TF_CPP_MIN_LOG_LEVEL=2

log() { printf '[%s %s] %s\n' "${LOG_TAG:-bench}" "$(date +%H:%M:%S)" "$*" >&2; }

seconds_since() { echo "$(( $(date +%s%N) - $1 ))" | awk '{printf "%.3f", $1 / 1e9}'; }

ensure_venv() {
  [ -x "$PY" ] || python3 -m venv "$VENV"
  if ! "$VENV/bin/pip" show -q "$@" >/dev/null 2>&1; then
    log "installing into $VENV: $* (TensorFlow alone: ~1.5 min, ~3 GB)"
    "$VENV/bin/pip" install -q "$@"
  fi
}

warm_cache() { tr '\n' '\0' < "$1" | xargs -0 cat > /dev/null; }

# Percent of all CPU time that was busy (user+nice+system+irq+softirq+steal) over 1 s.
cpu_busy_pct() {
  local a b
  a=$(head -1 /proc/stat); sleep 1; b=$(head -1 /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x); split(b, y); busy = 0; total = 0
    for (i = 2; i <= 9; i++) { d = y[i] - x[i]; total += d; if (i != 5 && i != 6) busy += d }
    printf "%.0f", (total > 0 ? 100 * busy / total : 0) }'
}

# Waits until a 1-s sample shows < 15% busy CPU, for at most IDLE_WAIT seconds; the last sample
# is left in BUSY_PCT (the reports flag runs that started on a busy machine).
wait_idle() {
  local waited=0
  BUSY_PCT=$(cpu_busy_pct)
  while [ "$BUSY_PCT" -ge 15 ] && [ "$waited" -lt "$IDLE_WAIT" ]; do
    [ "$waited" = 0 ] && log "machine busy (${BUSY_PCT}% CPU): waiting up to ${IDLE_WAIT}s for it to go idle"
    sleep 4; waited=$((waited + 5))
    BUSY_PCT=$(cpu_busy_pct)
  done
  [ "$BUSY_PCT" -lt 15 ] || log "WARNING: still ${BUSY_PCT}% busy after ${IDLE_WAIT}s: timing anyway"
}

# dogcat_timed DIR NP [dogcat-mpi args...]: waits for an idle machine, then runs
#   mpirun -np NP scripts/bench/rank-rss.sh DIR/rss dogcat-mpi --output DIR/out --model M --quiet ARGS
# pinned to CPUs 0..CORES-1 (--oversubscribe when NP > CORES), stdout/stderr in DIR. WALL = the
# whole command's wall seconds (start-up, model load, work, writing), RC = its exit status.
dogcat_timed() {
  local dir=$1 np=$2 over=() t0; shift 2
  [ "$np" -gt "$CORES" ] && over=(--oversubscribe)
  rm -rf "$dir"; mkdir -p "$dir/rss"
  wait_idle
  RC=0
  t0=$(date +%s%N)
  taskset -c "0-$((CORES - 1))" mpirun "${over[@]}" -np "$np" "$ROOT/scripts/bench/rank-rss.sh" "$dir/rss" \
    "$BIN" --output "$dir/out" --model "$MODEL" --quiet "$@" > "$dir/stdout.txt" 2> "$dir/stderr.txt" || RC=$?
  WALL=$(seconds_since "$t0")
  if [ "$RC" != 0 ]; then log "dogcat-mpi failed (rc $RC), see $dir/stderr.txt"; tail -5 "$dir/stderr.txt" >&2; fi
}
