#!/usr/bin/env bash
# Runs one MPI rank under GNU time and records that rank's peak resident memory.
# Usage (inside mpirun): mpirun -np N scripts/bench/rank-rss.sh DIR PROGRAM ARGS...
# Writes DIR/rss.RANK: "MAXRSS_KIB USER_S SYS_S" (GNU time %M = ru_maxrss, i.e. the peak
# resident set (VmHWM) of the rank process, taken when it exits; %U/%S its CPU seconds, used to
# tell other processes' CPU use during the run). On failure GNU time writes a status line first.
set -euo pipefail
dir="$1"; shift
rank="${OMPI_COMM_WORLD_RANK:-${PMIX_RANK:-0}}"
exec /usr/bin/time -f '%M %U %S' -o "$dir/rss.$rank" "$@"
