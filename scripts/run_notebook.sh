#!/usr/bin/env bash
# Executes examples/notebooks/sea_level.ipynb headless with the evcxr Rust kernel, saves
# the outputs into the notebook, and fails if any cell raised an error.
#
# Besides error outputs, any stderr line other than tessera's progress lines fails the run:
# evcxr prints an error returned through `?` (or a panic in a task) on stderr and carries on.
#
# Needs (not installed by this script):
#   cargo install evcxr_jupyter --locked && evcxr_jupyter --install   # the kernel ("rust")
#   pip install jupyter nbconvert                                       # the runner
#
#   scripts/run_notebook.sh            # executes in place (outputs saved)
#   scripts/run_notebook.sh OUT.ipynb  # writes the executed notebook elsewhere
#   EVCXR_TMPDIR=/tmp/evcxr scripts/run_notebook.sh   # keeps the kernel's build for reruns
#
# Not run in CI: CI has 60 minutes on 2 cores and already uses 30-45 of them; installing the
# kernel alone took 18.6 min. Recorded run (2026-12-07, 2 shared cores, rustc 1.95.0):
# `cargo install evcxr_jupyter --locked` (evcxr_jupyter 0.22.0) 18 min 37 s; the notebook
# 330 s, of which the first cell (the kernel building tessera with `:opt 0` and features
# zarr, plot, progress, dependencies included) 286 s; a rerun with EVCXR_TMPDIR kept 60 s
# (133 s when tessera itself had changed).
# The saved notebook holds text/html (Dataset, LazyArray, DataArray), image/png (LinePlot,
# da.plot()), the trend line on stdout and 10 progress lines on stderr; 0 errors.
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
outs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
errors = [o for o in outs if o.get("output_type") == "error"]
# evcxr reports an error returned through `?` (and a panic in a task) as text on stderr,
# not as an error output: any stderr line but tessera's progress lines fails the run too.
stderr = [line for o in outs if o.get("output_type") == "stream" and o.get("name") == "stderr"
          for line in "".join(o.get("text", "")).splitlines()
          if line.strip() and not line.startswith("tessera: ")]
progress = sum(1 for o in outs if o.get("output_type") == "stream" and o.get("name") == "stderr"
               for line in "".join(o.get("text", "")).splitlines() if line.startswith("tessera: "))
kinds = sorted({k for o in outs for k in o.get("data", {})})
print(f"{len(nb['cells'])} cells, output kinds {kinds}, {progress} progress lines, "
      f"{len(errors)} errors, {len(stderr)} other stderr lines")
for e in errors:
    print(e.get("ename"), e.get("evalue"), file=sys.stderr)
for line in stderr[:20]:
    print("stderr:", line, file=sys.stderr)
sys.exit(1 if errors or stderr else 0)
PY
