#!/usr/bin/env bash
# Installs what dogcat-mpi needs on a fresh Debian/Ubuntu machine, fetches the default
# model, and builds the release binary. Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

# 1. Debian packages (apt-get update first, and only when something is missing).
# Image formats beside JPEG: libpng, giflib, libwebp; tar shards: libarchive.
# Slurm and munge: the job script's tests start their own daemons (Tests/EndToEndTests/Slurm*).
packages=(libopenmpi-dev openmpi-bin libturbojpeg0-dev libjpeg62-turbo-dev libhdf5-dev pkg-config python3-pip
          libpng-dev libgif-dev libwebp-dev libarchive-dev slurm-wlm munge)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 2. The default model and its two sample photos, from the catsordogs package on PyPI (MIT).
if [ ! -s models/catsordogs.h5 ] || [ ! -s data/samples/test1.jpeg ] || [ ! -s data/samples/test2.jpeg ]; then
  echo "setup: fetching catsordogs==0.0.9 from PyPI"
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  python3 -m pip download --quiet --no-deps --disable-pip-version-check catsordogs==0.0.9 -d "$tmp"
  python3 - "$tmp"/catsordogs-0.0.9-py3-none-any.whl <<'PY'
import sys, zipfile, os
z = zipfile.ZipFile(sys.argv[1])
os.makedirs("models", exist_ok=True); os.makedirs("data/samples", exist_ok=True)
for member, target in [("catsordogs/model.h5", "models/catsordogs.h5"),
                       ("catsordogs/test1.jpeg", "data/samples/test1.jpeg"),
                       ("catsordogs/test2.jpeg", "data/samples/test2.jpeg")]:
    with z.open(member) as src, open(target + ".part", "wb") as dst:
        dst.write(src.read())
    os.replace(target + ".part", target)
PY
fi

# 3. The release build, tuned for this CPU (see scripts/build-flags.sh).
quiet_release_build
test -x .build/release/dogcat-mpi || { echo "setup: build failed" >&2; exit 1; }
echo "setup: ready: .build/release/dogcat-mpi"
