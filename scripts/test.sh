#!/usr/bin/env bash
# The test suite: unit tests per module, goldens from TensorFlow, and mpirun runs at
# several rank counts. Built in release mode with the same flags as the binary (the
# kernels are far too slow unoptimised); needs ../shared/ beside the repository.
# On a CPU with AVX-512 it also builds the AVX2 binary (DOGCAT_TARGET_CPU=x86-64-v3, in
# .build-x86-64-v3/) that CrossISATests compares with the native one; elsewhere that test
# reports itself skipped. The whole suite (no arguments) then runs EngineTests again in each
# other kernel build this CPU can run: AVX2 on an AVX-512 CPU, and the portable build without
# FMA (x86-64, 4 lanes, in .build-x86-64/) on any x86-64 CPU, so every ISA's tile shapes are
# tested against the in-order sums (about 3 minutes each).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
one_node_mpi_env
# The kernel builds besides the native one that this CPU runs (none when a target is chosen).
other_kernel_builds=()
if [ -z "${DOGCAT_TARGET_CPU:-}" ] && [ "$(uname -m)" = x86_64 ]; then
  grep -qw avx512f /proc/cpuinfo && other_kernel_builds+=(x86-64-v3)
  other_kernel_builds+=(x86-64)
fi

quiet_release_build
if [[ " ${other_kernel_builds[*]} " == *" x86-64-v3 "* ]]; then
  DOGCAT_TARGET_CPU=x86-64-v3 quiet_release_build --scratch-path .build-x86-64-v3 --product dogcat-mpi
fi
swift test $(scripts/build-flags.sh) "$@"
[ $# -eq 0 ] || exit 0

for target in "${other_kernel_builds[@]}"; do
  echo "test.sh: EngineTests in the $target build ($(DOGCAT_TARGET_CPU=$target scripts/build-flags.sh | grep -o 'DDOGCAT_[A-Z_0-9]*' | sed 's/^D//'))"
  swift test $(DOGCAT_TARGET_CPU=$target scripts/build-flags.sh) --scratch-path ".build-$target" --filter EngineTests
done
