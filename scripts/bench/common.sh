# Shared by scripts/bench.sh and scripts/bench-scaling.sh (sourced, not run).
# Sets the paths, the mpirun environment and these helpers:
#   log MSG...                   progress line on stderr
#   seconds_since NS             seconds since a `date +%s%N` value
#   ensure_venv PKG...           create .venv-bench/ and pip install those of the packages that are missing
#   warm_cache LIST              read every file of a path list once (no cold page cache)
#   wait_idle                    wait (up to IDLE_WAIT s) until the CPUs are idle; sets BUSY_PCT
#   cpu_busy_seconds             busy CPU seconds of the whole machine since boot (/proc/stat)
#   dogcat_timed DIR NP ARGS...  one timed mpirun of dogcat-mpi; sets WALL, RC, BUSY_PCT,
#                                FOREIGN_CPU, CONTENDED (yes/no)
#
# Interference check: the machine has few cores and other people's work may run on it. Around
# each timed command the machine's busy CPU seconds are read from /proc/stat; FOREIGN_CPU = that
# minus the CPU time of the command's own processes (GNU time user+sys). A dogcat-mpi run whose
# FOREIGN_CPU exceeds 0.3 s + 5% of wall x cores is run again (at most TRIES times in all); the
# reports flag what stayed contended.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SHARED=$(cd "$ROOT/../shared" && pwd)
BIN="$ROOT/.build/release/dogcat-mpi"
ENGINE_BENCH="$ROOT/.build/release/engine-bench"
AVX2_BIN="$ROOT/.build-x86-64-v3/release/dogcat-mpi"   # the AVX2 build (bench.sh --avx2)
AVX2_ENGINE_BENCH="$ROOT/.build-x86-64-v3/release/engine-bench"
MODEL="$ROOT/models/catsordogs.h5"
VENV="$ROOT/.venv-bench"
PY="$VENV/bin/python"
RESULTS="$ROOT/bench-results"
CORES=${CORES:-2}
IDLE_WAIT=${IDLE_WAIT:-120}
TRIES=${TRIES:-3}
RUN_TIMEOUT=${RUN_TIMEOUT:-600}   # seconds before a hung mpirun is killed (recorded as rc 124)

source "$ROOT/scripts/lib/common.sh"
one_node_mpi_env
export TF_CPP_MIN_LOG_LEVEL=2

log() { printf '[%s %s] %s\n' "${LOG_TAG:-bench}" "$(date +%H:%M:%S)" "$*" >&2; }

seconds_since() { echo "$(( $(date +%s%N) - $1 ))" | awk '{printf "%.3f", $1 / 1e9}'; }

ensure_venv() {
  local missing=() p
  [ -x "$PY" ] || python3 -m venv "$VENV"
  # One at a time: `pip show A B` succeeds when any of them is installed.
  for p in "$@"; do "$VENV/bin/pip" show -q "${p%%[=<>]*}" >/dev/null 2>&1 || missing+=("$p"); done
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing into $VENV: ${missing[*]} (TensorFlow alone: ~1.5 min, ~3 GB)"
    "$VENV/bin/pip" install -q "${missing[@]}"
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

cpu_busy_seconds() { awk '/^cpu /{ printf "%.2f", ($2 + $3 + $4 + $7 + $8 + $9) / 100; exit }' /proc/stat; }

# foreign_cpu B0 B1 OWN WALL: CPU seconds used by others between two cpu_busy_seconds readings
# (never below 0), and whether that counts as contended (exit status 0 = contended).
foreign_cpu() {
  awk -v b0="$1" -v b1="$2" -v own="$3" -v wall="$4" -v cores="$CORES" 'BEGIN {
    f = b1 - b0 - own; if (f < 0) f = 0; printf "%.2f", f; exit !(f > 0.3 + 0.05 * wall * cores) }'
}

# dogcat_timed DIR NP [dogcat-mpi args...]: waits for an idle machine, then runs
#   mpirun -np NP scripts/bench/rank-rss.sh DIR/rss dogcat-mpi --output DIR/out --model M --quiet ARGS
# pinned to CPUs 0..CORES-1 (--oversubscribe when NP > CORES), stdout/stderr in DIR. WALL = the
# whole command's wall seconds (start-up, model load, work, writing), RC = its exit status,
# FOREIGN_CPU = other processes' CPU seconds meanwhile (a contended run is retried, see above).
dogcat_timed() {
  local dir=$1 np=$2 over=() t0 b0 own try; shift 2
  [ "$np" -gt "$CORES" ] && over=(--oversubscribe)
  for try in $(seq 1 "$TRIES"); do
    rm -rf "$dir"; mkdir -p "$dir/rss"
    wait_idle
    stat -c '%Y %s' "$BIN" > "$dir/binary.txt"   # mtime and size: the reports warn if it changed
    RC=0
    b0=$(cpu_busy_seconds); t0=$(date +%s%N)
    timeout -k 10 "$RUN_TIMEOUT" taskset -c "0-$((CORES - 1))" mpirun "${over[@]}" -np "$np" "$ROOT/scripts/bench/rank-rss.sh" "$dir/rss" \
      "$BIN" --output "$dir/out" --model "$MODEL" --quiet "$@" > "$dir/stdout.txt" 2> "$dir/stderr.txt" || RC=$?
    WALL=$(seconds_since "$t0")
    own=$( { tail -qn1 "$dir"/rss/rss.* 2>/dev/null || true; } | awk '{ s += $2 + $3 } END { printf "%.2f", s }')
    CONTENDED=no
    if FOREIGN_CPU=$(foreign_cpu "$b0" "$(cpu_busy_seconds)" "$own" "$WALL"); then
      CONTENDED=yes
      log "contended: other processes used ${FOREIGN_CPU} CPU s during this ${WALL} s run (try $try of $TRIES)"
    else
      break
    fi
  done
  if [ "$RC" != 0 ]; then log "dogcat-mpi failed (rc $RC), see $dir/stderr.txt"; tail -5 "$dir/stderr.txt" >&2; fi
}
