#!/usr/bin/env bash
# The test suite: unit tests per module, goldens from TensorFlow, and mpirun runs at
# several rank counts. Built in release mode with the same flags as the binary (the
# kernels are far too slow unoptimised); needs ../shared/ beside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
one_node_mpi_env
quiet_release_build
exec swift test $(scripts/build-flags.sh) "$@"
