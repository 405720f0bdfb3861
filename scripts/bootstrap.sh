#!/usr/bin/env bash
# Installs, from Debian, everything mtmatch needs to build, test, benchmark and run its demo.
# Idempotent: packages already installed are skipped, and apt-get runs only when something is missing.
set -euo pipefail

packages=(
  cmake ninja-build g++ make pkg-config ccache
  libeigen3-dev libtbb-dev libxsimd-dev xtl-dev libcli11-dev libsqlite3-dev libhts-dev zlib1g-dev libxxhash-dev
  pybind11-dev python3-dev python3-pybind11 python3-numpy python3-pytest python3-pandas
  python3-scipy python3-faiss
  libgtest-dev libgmock-dev libbenchmark-dev
)

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "bootstrap: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
