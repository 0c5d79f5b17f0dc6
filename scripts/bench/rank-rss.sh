#!/usr/bin/env bash
# Runs one MPI rank under GNU time and records that rank's peak resident memory.
# Usage (inside mpirun): mpirun -np N scripts/bench/rank-rss.sh DIR PROGRAM ARGS...
# Writes DIR/rss.RANK containing the rank's max RSS in KiB (GNU time %M = ru_maxrss,
# i.e. the kernel's VmHWM of the rank process, taken when it exits).
set -euo pipefail
dir="$1"; shift
rank="${OMPI_COMM_WORLD_RANK:-${PMIX_RANK:-0}}"
exec /usr/bin/time -f '%M' -o "$dir/rss.$rank" "$@"
