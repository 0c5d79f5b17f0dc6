#!/usr/bin/env bash
# Prints the swift build flags for this machine: release mode tuned for the CPU that
# builds it. DOGCAT_TARGET_CPU overrides the CPU (e.g. haswell for a portable AVX2 build,
# or x86-64 for any 64-bit x86); CPUs without FMA get -DDOGCAT_NO_FMA so Swift does not
# turn every fused multiply-add into a libm call.
set -euo pipefail
cpu=${DOGCAT_TARGET_CPU:-native}
flags=(-c release -Xswiftc -target-cpu -Xswiftc "$cpu")
if [ "$cpu" = native ] && [ -r /proc/cpuinfo ] && [ "$(uname -m)" = x86_64 ] && ! grep -qw fma /proc/cpuinfo; then
  flags+=(-Xswiftc -DDOGCAT_NO_FMA)
fi
case "$cpu" in x86-64|core2|nehalem|westmere|sandybridge|ivybridge|corei7|corei7-avx|core-avx-i) flags+=(-Xswiftc -DDOGCAT_NO_FMA) ;; esac
echo "${flags[@]}"
