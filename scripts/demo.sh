#!/usr/bin/env bash
# The main job on the bundled example data (data/example/): read and canonicalise the profiles,
# classify them, match every remains against every maternal relative with the engine, rank families.
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
cli="$build/bin/mtmatch"

echo "== mtmatch $("$cli" --version) on data/example (simulated: no real person)"
echo
echo "== Canonical notation (first remains, as written and as canonicalised)"
head -n 3 data/example/remains.hsd | tail -n 2 | cut -f1-2,4- | cut -c1-110 | sed 's/^/as written   /'
"$cli" normalize data/example/remains.hsd 2>/dev/null | sed -n '2,3p' | cut -f1-2,4- | cut -c1-110 | sed 's/^/canonical    /' 
echo
PYTHONPATH="$build/python" /usr/bin/python3 "$here/scripts/demo.py" data/example
