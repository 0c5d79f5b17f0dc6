#!/usr/bin/env bash
# The test suite: unit tests per module, goldens from TensorFlow, and mpirun runs at
# several rank counts. Built in release mode with the same flags as the binary (the
# kernels are far too slow unoptimised); needs ../shared/ beside the repository.
# On a CPU with AVX-512 it also builds the AVX2 binary (DOGCAT_TARGET_CPU=x86-64-v3, in
# .build-x86-64-v3/) that CrossISATests compares with the native one; elsewhere that test
# reports itself skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
one_node_mpi_env
quiet_release_build
if [ -z "${DOGCAT_TARGET_CPU:-}" ] && [ "$(uname -m)" = x86_64 ] && grep -qw avx512f /proc/cpuinfo; then
  DOGCAT_TARGET_CPU=x86-64-v3 quiet_release_build --scratch-path .build-x86-64-v3 --product dogcat-mpi
fi
exec swift test $(scripts/build-flags.sh) "$@"
