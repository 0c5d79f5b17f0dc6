#!/usr/bin/env bash
# Prints the swift build flags for this machine: release mode tuned for the CPU that
# builds it. DOGCAT_TARGET_CPU overrides the CPU (e.g. x86-64-v3 or haswell for a portable
# AVX2 build, x86-64-v4 for AVX-512, or x86-64 for any 64-bit x86).
# The target's vector ISA picks the kernels' vector width and register tiles
# (Sources/Engine/Kernels/Vector.swift, KernelShapes.swift):
#   -DDOGCAT_AVX512 (16 floats, 32 registers), -DDOGCAT_AVX2 (8 floats, 16 registers, needs FMA),
#   neither: portable (4 floats; SSE or NEON).
# CPUs without FMA also get -DDOGCAT_NO_FMA so Swift does not turn every fused
# multiply-add into a libm call (their results then differ in the last bits).
set -euo pipefail
cpu=${DOGCAT_TARGET_CPU:-native}
# swiftc knows LLVM's CPU names, not the x86-64 micro-architecture levels: the nearest CPU with the same features.
case "$cpu" in
  x86-64-v2) swift_cpu=nehalem ;;
  x86-64-v3) swift_cpu=haswell ;;
  x86-64-v4) swift_cpu=skylake-avx512 ;;
  *) swift_cpu=$cpu ;;
esac
flags=(-c release -Xswiftc -target-cpu -Xswiftc "$swift_cpu")

# The target's features: /proc/cpuinfo for this machine, else what clang defines for that CPU.
features=""
if [ "$(uname -m)" = x86_64 ]; then
  if [ "$cpu" = native ] && [ -r /proc/cpuinfo ]; then
    flagline=$(grep -m1 '^flags' /proc/cpuinfo || true)
    for f in avx512f avx2 fma; do
      if grep -qw "$f" <<<"$flagline"; then features+=" $f"; fi
    done
  elif command -v clang >/dev/null 2>&1 && macros=$(echo | clang -march="$cpu" -dM -E - 2>/dev/null); then
    grep -q '__AVX512F__' <<<"$macros" && features+=" avx512f"
    grep -q '__AVX2__' <<<"$macros" && features+=" avx2"
    grep -q '__FMA__' <<<"$macros" && features+=" fma"
  else
    # No clang to ask: the CPUs known to lack FMA stay portable, any other is taken as AVX2.
    case "$cpu" in
      x86-64|x86-64-v2|core2|nehalem|westmere|sandybridge|ivybridge|corei7|corei7-avx|core-avx-i) ;;
      *) features=" avx2 fma" ;;
    esac
  fi
  has() { grep -qw "$1" <<<"$features"; }
  if ! has fma; then
    flags+=(-Xswiftc -DDOGCAT_NO_FMA)
  elif has avx512f; then
    flags+=(-Xswiftc -DDOGCAT_AVX512)
  elif has avx2; then
    flags+=(-Xswiftc -DDOGCAT_AVX2)
  fi
fi
# aarch64 (NEON, always with FMA) and other architectures: the portable kernels.
echo "${flags[@]}"
