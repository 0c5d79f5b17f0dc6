# What several entry points in scripts/ share (sourced, not run):
#   one_node_mpi_env       mpirun as root on one node, shared memory only (see README)
#   quiet_release_build [ARGS]  the release build with scripts/build-flags.sh (and swift build ARGS),
#                          without progress lines
#   print_usage SCRIPT     SCRIPT's header comment (line 2 up to `set -euo`), for --help
# Each caller cds to the repository root first (quiet_release_build runs scripts/build-flags.sh).

one_node_mpi_env() {
  # mpirun refuses to run as root unless told; one node needs no TCP (MPI_Init is ~10x faster).
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader
}

quiet_release_build() {
  # Fails when the build fails (the pipe into grep used to hide it behind a stale binary).
  local out rc=0
  out=$(swift build $(scripts/build-flags.sh) "$@" 2>&1) || rc=$?
  printf '%s\n' "$out" | grep -vE '^\[[0-9]+/[0-9]+\]' || true
  return "$rc"
}

print_usage() {
  sed -n '2,/^set -euo/p' "$1" | sed '$d; s/^# \{0,1\}//'
}
