#!/usr/bin/env bash
# fuzz.sh: damaged photos through the whole program; nothing may crash, hang or go missing.
#
# Makes N variants of the real photos in ../shared/data (bit flips, truncation, repeated,
# deleted or swapped marker segments, bad header fields, markers and garbage in the scan...;
# scripts/fuzz/mutate.py, reproducible with --seed), plus seeds the dev photos lack (grey,
# CMYK/YCCK, restart intervals, other sampling factors: scripts/fuzz/minijpeg.py), and
# F more of the PNG, GIF and WebP files in ../shared/data/formats (chunks damaged with their
# CRC fixed, odd header fields and frame sizes, RIFF sizes...: scripts/fuzz/mutate_formats.py), and
#  1. runs them all through the release binary in one job (mpirun -np 2, one manifest, no
#     --max-failures) under a timeout, and checks: exit status 0 (no crash), no hang, every
#     variant exactly once in results.csv, in order, status ok or error (scripts/fuzz/check.py).
#     A crash or hang is narrowed down to the variants that cause it (bisection, -np 1).
#  2. runs every variant through the decode path alone (scripts/fuzz/decode_harness.c with
#     Sources/CJPEGDecode/dc_jpeg.c and the PNG/GIF/WebP shims, built with clang -fsanitize=address,undefined, output
#     rows and file bytes ending at guard pages): once as the ranks do (one decoder per rank's
#     slice, in order), whose ok/error verdicts must be the program's, and once with a new
#     decoder per file, whose verdicts must be the same (a photo's result must not depend on
#     the photos decoded before it on its rank).
#  3. runs a sample (--asan-sample, default 1000) through the whole program built with
#     AddressSanitizer (.build-asan: swift build -c debug -Xswiftc -sanitize=address
#     -Xcc -fsanitize=address, built when missing) at -np 1.
# Prints the counts and exits 1 on any crash, hang, missing row, sanitizer finding or
# verdict mismatch. Variants that cause a finding are copied, with their mutation log line,
# to bench-results/fuzz-findings-STAMP/ (git-ignored).
#
# Usage: scripts/fuzz.sh [N] [--formats F] [--seed S] [--ranks R] [--asan-sample M] [--no-asan] [--keep DIR]
#   N              JPEG variants (default 10000)
#   --formats F    PNG, GIF and WebP variants (default N / 4)
#   --seed S       mutation seed (default 1)
#   --ranks R      ranks of the main run (default 2)
#   --asan-sample M  variants for the ASan build of the whole program (0: skip it)
#   --no-asan      skip steps 2 and 3
#   --keep DIR     keep all variants, results and logs in DIR
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/lib/common.sh

N=10000 FORMATS="" SEED=1 RANKS=2 ASAN_SAMPLE=1000 ASAN=1 KEEP=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) SEED="$2"; shift ;;
    --formats) FORMATS="$2"; shift ;;
    --ranks) RANKS="$2"; shift ;;
    --asan-sample) ASAN_SAMPLE="$2"; shift ;;
    --no-asan) ASAN=0 ;;
    --keep) KEEP="$2"; shift ;;
    -h|--help) print_usage "$0"; exit 0 ;;
    [0-9]*) N="$1" ;;
    *) echo "fuzz.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

FORMATS=${FORMATS:-$((N / 4))}
one_node_mpi_env
SHARED=${DOGCAT_SHARED:-$ROOT/../shared}
MODEL=${DOGCAT_MODEL:-$ROOT/models/catsordogs.h5}
BIN=$ROOT/.build/release/dogcat-mpi
ASAN_BIN=$ROOT/.build-asan/debug/dogcat-mpi
OVERSUBSCRIBE=""
[ "$RANKS" -gt "$(nproc)" ] && OVERSUBSCRIBE=--oversubscribe

for need in "$SHARED/data/photos" "$MODEL"; do
  [ -e "$need" ] || { echo "fuzz.sh: $need is missing (see README: scripts/setup.sh, ../shared/)" >&2; exit 2; }
done
if [ ! -x "$BIN" ]; then
  echo "== building the release binary"
  quiet_release_build
fi

STAMP=$(date +%Y%m%d-%H%M%S)
if [ -n "$KEEP" ]; then WORK=$KEEP; mkdir -p "$WORK"; else WORK=$(mktemp -d /tmp/dogcat-fuzz.XXXXXX); trap 'rm -rf "$WORK"' EXIT; fi
WORK=$(cd "$WORK" && pwd)
FINDINGS=$ROOT/bench-results/fuzz-findings-$STAMP
START=$(date +%s.%N)
elapsed() { python3 -c "import time,sys; print('%.1f' % (time.time() - float(sys.argv[1])))" "$1"; }

finding() {   # finding KIND PATH: keep the variant and its mutation line
  mkdir -p "$FINDINGS"
  cp -n "$2" "$FINDINGS/" 2>/dev/null || true
  grep -F "$(basename "$2")" "$WORK/variants/mutations.tsv" | sed "s/^/$1\t/" >> "$FINDINGS/findings.tsv" || true
}

# ---------------------------------------------------------------- variants
echo "== making $N JPEG and $FORMATS PNG/GIF/WebP variants (seed $SEED) in $WORK"
mkdir -p "$WORK/seeds"
i=0
for spec in "--components 1" "--components 1 --sampling 2x2 --size 100x77" "--components 4 --adobe-transform 0" \
            "--components 4 --adobe-transform 2" "--components 4" "--components 3 --adobe-transform 0" \
            "--sampling 2x2,1x1,1x1 --restart 3 --size 333x211" "--sampling 2x1,1x1,1x1 --restart 1" \
            "--sampling 1x2,1x1,1x1 --size 64x480" "--sampling 4x1,1x1,1x1 --size 4000x16" "--size 1x1" \
            "--sampling 2x2,1x1,1x1 --size 17x9"; do
  python3 scripts/fuzz/minijpeg.py "$WORK/seeds/mini$i.jpg" $spec
  i=$((i + 1))
done
python3 scripts/fuzz/mutate.py --out "$WORK/variants" --count "$N" --seed "$SEED" \
  "$SHARED/data/photos" "$SHARED/data/seed" "$WORK/seeds"
[ "$FORMATS" -gt 0 ] && python3 scripts/fuzz/mutate_formats.py --out "$WORK/variants" --count "$FORMATS" --seed "$SEED" \
  "$SHARED/data/formats"
N=$((N + FORMATS))   # from here on, N counts every variant
LIST=$WORK/variants/list.txt
echo "   $(du -sh "$WORK/variants" | cut -f1) in $(wc -l < "$LIST") files ($(elapsed "$START") s)"

# ---------------------------------------------------------------- 1. the whole program
TIMEOUT=$((120 + N / 40))
echo "== mpirun -np $RANKS dogcat-mpi over all $N variants (timeout $TIMEOUT s)"
RUN_START=$(date +%s.%N)
set +e
timeout -s KILL "$TIMEOUT" mpirun $OVERSUBSCRIBE -np "$RANKS" "$BIN" --model "$MODEL" --input "$LIST" \
  --output "$WORK/out" --place none --quiet --batch-size 16 > "$WORK/run.log" 2>&1
STATUS=$?
set -e
RUN_SECONDS=$(elapsed "$RUN_START")
CRASHED=0 HUNG=0
if [ "$STATUS" -eq 137 ] || [ "$STATUS" -eq 124 ]; then HUNG=1; elif [ "$STATUS" -ne 0 ]; then CRASHED=1; fi
echo "   exit status $STATUS after $RUN_SECONDS s"
tail -n 8 "$WORK/run.log" | sed 's/^/   | /'
CHECK=0
if [ -f "$WORK/out/results.csv" ]; then
  python3 scripts/fuzz/check.py "$LIST" "$WORK/out/results.csv" --json "$WORK/check.json" | sed 's/^/   /' || CHECK=1
else
  echo "   no results.csv"; CHECK=1
fi

# A crash or hang: which variants? Bisect with -np 1 until single files remain.
CULPRITS=()
runs_clean() {   # runs_clean LIST: true when the program gets through LIST cleanly
  local out; out=$(mktemp -d "$WORK/bisect.XXXXXX")
  timeout -s KILL 120 mpirun -np 1 "$BIN" --model "$MODEL" --input "$1" --output "$out" --place none --quiet > "$out/log" 2>&1 \
    && python3 scripts/fuzz/check.py "$1" "$out/results.csv" > /dev/null 2>&1
  local ok=$?
  rm -rf "$out"
  return $ok
}
bisect() {   # bisect LIST: appends to CULPRITS the variants that fail on their own
  [ "${#CULPRITS[@]}" -ge 20 ] && return
  if runs_clean "$1"; then return; fi
  local n; n=$(wc -l < "$1")
  if [ "$n" -le 1 ]; then CULPRITS+=("$(cat "$1")"); return; fi
  head -n $((n / 2)) "$1" > "$1.a"; tail -n +$((n / 2 + 1)) "$1" > "$1.b"
  bisect "$1.a"; bisect "$1.b"
}
if [ "$CRASHED" -eq 1 ] || [ "$HUNG" -eq 1 ] || [ "$CHECK" -ne 0 ]; then
  echo "== narrowing down the failure (-np 1 bisection)"
  cp "$LIST" "$WORK/bisect-list"
  bisect "$WORK/bisect-list"
  for culprit in "${CULPRITS[@]}"; do echo "   culprit: $culprit"; finding crash-or-hang "$culprit"; done
  mkdir -p "$FINDINGS"
  cp "$WORK/run.log" "$FINDINGS/run.log"
  [ "${#CULPRITS[@]}" -eq 0 ] && echo "   no single variant fails alone (rank interplay?): see $FINDINGS/run.log"
fi

# ---------------------------------------------------------------- 2. the decode path under ASan + UBSan
HARNESS_FINDINGS=0 MISMATCHES=0 ORDER_DEPENDENT=0 HARNESS_DONE=0 HARNESS_SECONDS=0
harness_run() {   # harness_run OUT LIST [--fresh]: one verdict line per file of LIST into OUT
  local out=$1 remaining=$WORK/harness-remaining status done bad
  cp "$2" "$remaining"
  : > "$out"
  while [ -s "$remaining" ]; do
    set +e
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
      "$HARNESS" ${3:-} "$remaining" > "$WORK/harness.part" 2> "$WORK/harness.err"
    status=$?
    set -e
    done=$(wc -l < "$WORK/harness.part")
    cat "$WORK/harness.part" >> "$out"
    if [ "$status" -eq 0 ] && ! grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' "$WORK/harness.err"; then break; fi
    # Go on from the file after the one it stopped on, so one finding does not hide others.
    bad=$(sed -n "$((done + 1))p" "$remaining")
    HARNESS_FINDINGS=$((HARNESS_FINDINGS + 1))
    echo "   FINDING (status $status) on ${bad:-after the last file}:"
    grep -E 'ERROR|runtime error|SUMMARY|#[0-9] ' "$WORK/harness.err" | head -n 12 | sed 's/^/   | /'
    [ -z "$bad" ] && break   # a leak report at exit: every file was done
    finding sanitizer "$bad"
    cp "$WORK/harness.err" "$FINDINGS/$(basename "$bad").sanitizer.txt"
    echo "error sanitizer finding" >> "$out"
    tail -n +$((done + 2)) "$remaining" > "$remaining.next"
    mv "$remaining.next" "$remaining"
  done
}
if [ "$ASAN" -eq 1 ]; then
  echo "== the decode path (the C shims + libjpeg-turbo, libpng, giflib, libwebp) under -fsanitize=address,undefined, all $N variants"
  HARNESS=$WORK/decode_harness
  clang -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
    -I Sources/CJPEGDecode/include -I Sources/CPNGDecode/include -I Sources/CGIFDecode/include -I Sources/CWebPDecode/include \
    scripts/fuzz/decode_harness.c Sources/CJPEGDecode/dc_jpeg.c Sources/CPNGDecode/dc_png.c Sources/CGIFDecode/dc_gif.c \
    Sources/CWebPDecode/dc_webp.c -ljpeg -lpng -lgif -lwebp -lwebpdemux -lm \
    -o "$HARNESS" 2> "$WORK/harness-build.log" || { cat "$WORK/harness-build.log"; exit 2; }
  H_START=$(date +%s.%N)
  # As the ranks do: one decoder per rank's slice of the list (--schedule static), in order.
  : > "$WORK/harness.out"
  COUNT=$(wc -l < "$LIST")
  for ((r = 0; r < RANKS; r++)); do
    first=$((r * COUNT / RANKS)) last=$(((r + 1) * COUNT / RANKS))
    [ "$last" -gt "$first" ] || continue
    sed -n "$((first + 1)),${last}p" "$LIST" > "$WORK/slice$r"
    harness_run "$WORK/slice$r.out" "$WORK/slice$r"
    cat "$WORK/slice$r.out" >> "$WORK/harness.out"
  done
  # And with a new decoder for every file: a verdict must not depend on the files before it.
  harness_run "$WORK/harness-fresh.out" "$LIST" --fresh
  HARNESS_SECONDS=$(elapsed "$H_START")
  HARNESS_DONE=$(wc -l < "$WORK/harness.out")
  read -r MISMATCHES ORDER_DEPENDENT < <(python3 scripts/fuzz/verdicts.py "$WORK/out/results.csv" \
    "$WORK/harness.out" "$WORK/harness-fresh.out" "$LIST" 2> "$WORK/verdicts.txt")
  sed 's/^/   /' "$WORK/verdicts.txt"
  echo "   $HARNESS_DONE files (twice) in $HARNESS_SECONDS s; sanitizer findings: $HARNESS_FINDINGS;" \
       "verdicts unlike the program's: $MISMATCHES; verdicts that depend on the files before: $ORDER_DEPENDENT"
fi

# ---------------------------------------------------------------- 3. the whole program built with ASan
SWIFT_ASAN_FINDINGS=0 SWIFT_ASAN_STATUS=skipped SWIFT_ASAN_SECONDS=0
if [ "$ASAN" -eq 1 ] && [ "$ASAN_SAMPLE" -gt 0 ]; then
  echo "== the whole program built with AddressSanitizer (.build-asan, debug), $ASAN_SAMPLE variants, -np 1"
  # Incremental: quick when .build-asan is up to date (the first build takes minutes).
  swift build -c debug --scratch-path .build-asan -Xswiftc -sanitize=address -Xcc -fsanitize=address \
    --product dogcat-mpi 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]|warning:|^ *[0-9]* *\||^ *`-' | tail -n 3 | sed 's/^/   /' || true
  [ -x "$ASAN_BIN" ] || { echo "fuzz.sh: no $ASAN_BIN" >&2; exit 2; }
  # An evenly spread sample, the same every time for a given N.
  awk -v n="$N" -v m="$ASAN_SAMPLE" 'NR % int((n + m - 1) / m) == 1 || m >= n' "$LIST" | head -n "$ASAN_SAMPLE" > "$WORK/asan-list.txt"
  S_START=$(date +%s.%N)
  set +e
  ASAN_OPTIONS=detect_leaks=0:halt_on_error=1 timeout -s KILL $((300 + ASAN_SAMPLE)) \
    mpirun -np 1 "$ASAN_BIN" --model "$MODEL" --input "$WORK/asan-list.txt" --output "$WORK/asan-out" \
    --place none --quiet --batch-size 16 > "$WORK/asan.log" 2>&1
  SWIFT_ASAN_STATUS=$?
  set -e
  SWIFT_ASAN_SECONDS=$(elapsed "$S_START")
  if [ "$SWIFT_ASAN_STATUS" -ne 0 ] || grep -q AddressSanitizer "$WORK/asan.log"; then
    SWIFT_ASAN_FINDINGS=1
    grep -E 'ERROR|SUMMARY|#[0-9] ' "$WORK/asan.log" | head -n 15 | sed 's/^/   | /'
    mkdir -p "$FINDINGS"; cp "$WORK/asan.log" "$FINDINGS/asan-whole-program.log"
  fi
  python3 scripts/fuzz/check.py "$WORK/asan-list.txt" "$WORK/asan-out/results.csv" > "$WORK/asan-check.txt" 2>&1 || SWIFT_ASAN_FINDINGS=1
  sed 's/^/   /' "$WORK/asan-check.txt" | grep -v '^    ' || true
  echo "   exit status $SWIFT_ASAN_STATUS after $SWIFT_ASAN_SECONDS s; ASan findings: $SWIFT_ASAN_FINDINGS"
fi

# ---------------------------------------------------------------- summary
python3 - "$WORK/check.json" <<EOF
import json, os
r = json.load(open("$WORK/check.json")) if os.path.exists("$WORK/check.json") else {"ok": 0, "error": 0, "missing": $N, "kinds": {}, "problems": ["no results.csv"]}
print("== fuzz summary (seed $SEED)")
print("variants %d, ok %d, error %d, crashed %d, hung %d, missing %d, malformed or misplaced rows %d"
      % ($N, r["ok"], r["error"], $CRASHED, $HUNG, r["missing"], len(r["problems"])))
print("errors by kind: " + ", ".join("%s %d" % kv for kv in r["kinds"].items()))
print("whole run: $RUN_SECONDS s at -np $RANKS (%.0f variants/s); total $(elapsed "$START") s" % ($N / max(float("$RUN_SECONDS"), 1e-9)))
if $ASAN:
    print("decode path under ASan+UBSan: %s files, %d findings, %s verdicts unlike the program's, %s that depend on the photos before ($HARNESS_SECONDS s)"
          % ("$HARNESS_DONE", $HARNESS_FINDINGS, "$MISMATCHES", "$ORDER_DEPENDENT"))
    print("whole program under ASan: %s sample, exit status %s, %d findings ($SWIFT_ASAN_SECONDS s)" % ("$ASAN_SAMPLE", "$SWIFT_ASAN_STATUS", $SWIFT_ASAN_FINDINGS))
EOF
[ -d "$FINDINGS" ] && echo "findings kept in $FINDINGS"
if [ "$CRASHED" -ne 0 ] || [ "$HUNG" -ne 0 ] || [ "$CHECK" -ne 0 ] || [ "$HARNESS_FINDINGS" -ne 0 ] \
   || [ "${MISMATCHES:-0}" != 0 ] || [ "${ORDER_DEPENDENT:-0}" != 0 ] || [ "$SWIFT_ASAN_FINDINGS" -ne 0 ]; then
  echo "fuzz: FAIL"
  exit 1
fi
echo "fuzz: PASS"
