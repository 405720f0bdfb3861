#!/usr/bin/env bash
# The main job on the bundled example data (data/example/), with what the library can do today.
set -euo pipefail
build=${1:-build}
cli="$build/bin/mtmatch"

echo "== The reference"
"$cli" reference
echo
echo "== The C-stretch of HVS-I (16184-16193) and HVS-II (303-315)"
"$cli" reference 16184-16193
"$cli" reference 303-315
