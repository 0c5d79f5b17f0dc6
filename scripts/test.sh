#!/usr/bin/env bash
# The test suite: unit tests per module, goldens from TensorFlow, and mpirun runs at
# several rank counts. Built in release mode with the same flags as the binary (the
# kernels are far too slow unoptimised); needs ../shared/ beside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
# mpirun refuses to run as root unless told; one node, shared memory only (see README).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader
swift build $(scripts/build-flags.sh) 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
exec swift test $(scripts/build-flags.sh) "$@"
