#!/usr/bin/env bash
# formats-vs-tf.sh: the image variants ../shared/data/formats lacks, read by dogcat-mpi and by
# TensorFlow, compared. Re-encodes N real photos (every kth of ../shared/data/photos, cats and
# dogs alike) as 1-bit grey, 2- and 4-bit palette, palette+tRNS, grey+alpha and Adam7 (RGB, grey,
# 16-bit RGBA) PNGs, interlaced GIFs, 32-bit BMPs, lossless WebPs with alpha and two-frame
# animated WebPs (scripts/formats/make_variants.py); gets TensorFlow's outputs for both models
# with its own decoders (../shared/peers/tf_any.py, the same pipeline as the goldens); runs
# dogcat-mpi -np 2 on them with both models; and checks every file the suite's way: read here,
# |score - TF| <= 1e-4, MobileNetV2 logits within 1e-3 (scripts/formats/compare.py). TensorFlow's
# pipeline refuses animated WebP (decode_image(channels=3) decodes them as RGBA); those are
# compared with their first frame (libwebp through Pillow) saved as a PNG and read by TF.
# Prints one line per kind and exits 1 on any mismatch. Needs TensorFlow: the .venv-bench of
# scripts/bench.sh (made here when missing, ~3 GB).
#
# Usage: scripts/formats-vs-tf.sh [--photos N] [--keep DIR]
#   --photos N   photos to re-encode (default 12)
#   --keep DIR   keep the files, TF's outputs and the results in DIR
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
source scripts/bench/common.sh
LOG_TAG=formats

PHOTOS=12 KEEP=""
while [ $# -gt 0 ]; do
  case "$1" in
    --photos) PHOTOS="$2"; shift ;;
    --keep) KEEP="$2"; shift ;;
    -h|--help) print_usage "$0"; exit 0 ;;
    *) echo "formats-vs-tf.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

MOBILENETV2="$SHARED/models/mobilenetv2_catdog.h5"
for need in "$SHARED/data/photos" "$MODEL" "$MOBILENETV2"; do
  [ -e "$need" ] || { echo "formats-vs-tf.sh: $need is missing (see README: scripts/setup.sh, ../shared/)" >&2; exit 2; }
done
ensure_venv tensorflow-cpu==2.21.0 tf-keras==2.21.0 pillow numpy
quiet_release_build --product dogcat-mpi
one_node_mpi_env

WORK=${KEEP:-$(mktemp -d)}
mkdir -p "$WORK"
[ -n "$KEEP" ] || trap 'rm -rf "$WORK"' EXIT
mapfile -t all < <(find "$SHARED/data/photos" -name '*.jpg' | sort)
step=$(( ${#all[@]} / PHOTOS > 0 ? ${#all[@]} / PHOTOS : 1 ))
photos=()
for ((i = 0; i < ${#all[@]} && ${#photos[@]} < PHOTOS; i += step)); do photos+=("${all[i]}"); done

log "re-encoding ${#photos[@]} photos"
"$PY" scripts/formats/make_variants.py "$WORK" "${photos[@]}" >&2
log "TensorFlow's outputs"
"$PY" "$SHARED/peers/tf_any.py" "$MODEL" "$WORK/tf.csv" "$WORK"/files/* --mobilenetv2 "$MOBILENETV2" > "$WORK/tf.log" 2>&1
"$PY" "$SHARED/peers/tf_any.py" "$MODEL" "$WORK/twins-tf.csv" "$WORK"/twins/* --mobilenetv2 "$MOBILENETV2" >> "$WORK/tf.log" 2>&1
log "dogcat-mpi -np 2, both models"
timeout 300 mpirun -np 2 "$BIN" --input "$WORK/files" --output "$WORK/catsordogs" --place none --quiet --overwrite > "$WORK/dogcat.log" 2>&1
timeout 300 mpirun -np 2 "$BIN" --input "$WORK/files" --model "$MOBILENETV2" --output "$WORK/mobilenetv2" --place none --quiet --overwrite >> "$WORK/dogcat.log" 2>&1
"$PY" scripts/formats/compare.py "$WORK/tf.csv" "$WORK/twins-tf.csv" "$WORK/catsordogs/results.csv" "$WORK/mobilenetv2/results.csv"
