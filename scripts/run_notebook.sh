#!/usr/bin/env bash
# Executes examples/notebooks/sea_level.ipynb headless with the evcxr Rust kernel, saves
# the outputs into the notebook, and fails if any cell raised an error.
#
# Needs (not installed by this script):
#   cargo install evcxr_jupyter --locked && evcxr_jupyter --install   # the kernel ("rust")
#   pip install jupyter nbconvert                                       # the runner
# The first cell compiles tessera inside the kernel: allow ~10-20 min on 2 cores.
#
#   scripts/run_notebook.sh            # executes in place (outputs saved)
#   scripts/run_notebook.sh OUT.ipynb  # writes the executed notebook elsewhere
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
nb="$root/examples/notebooks/sea_level.ipynb"
out="${1:-$nb}"
command -v evcxr_jupyter >/dev/null || { echo "evcxr_jupyter not found: cargo install evcxr_jupyter --locked" >&2; exit 2; }
jupyter kernelspec list 2>/dev/null | grep -q '^ *rust ' || evcxr_jupyter --install
cd "$root/examples/notebooks"
jupyter nbconvert --to notebook --execute \
  --ExecutePreprocessor.timeout=3600 --ExecutePreprocessor.kernel_name=rust \
  --output "$(basename "$out")" --output-dir "$(dirname "$(realpath -m "$out")")" "$nb"
python3 - "$out" <<'PY'
import json, sys
nb = json.load(open(sys.argv[1]))
errors = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])
          if o.get("output_type") == "error"]
kinds = sorted({k for c in nb["cells"] for o in c.get("outputs", []) for k in o.get("data", {})})
print(f"{len(nb['cells'])} cells, output kinds {kinds}, {len(errors)} errors")
for e in errors:
    print(e.get("ename"), e.get("evalue"), file=sys.stderr)
sys.exit(1 if errors else 0)
PY
