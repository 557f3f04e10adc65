#!/usr/bin/env bash
# Runs the sea-level, simulation-sum and batch examples as one process and under
# `mpirun -n 1`, `-n 2` and `-n 3`, and checks that every result key agrees with the
# single-process run (to 1e-12 relative; timings and memory are not compared).
# Needs the examples built with the mpi feature:
#   cargo build --release --features mpi --example sea_level --example simulation_sum --example batch
# (BIN=target/debug/examples for a debug build.)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release/examples}
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
# Open MPI refuses root without these (CI runs as root); oversubscribe: 3 ranks on 2 cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
MPIRUN="mpirun --oversubscribe"

run() { # name ranks args...
    local name=$1 ranks=$2; shift 2
    local out="$OUT/$name-$ranks"
    if [ "$ranks" = 0 ]; then
        "$BIN/$name" --json --out "$out" "$@" | tail -1
    else
        $MPIRUN -n "$ranks" "$BIN/$name" --json --out "$out" "$@" | tail -1
    fi
}

check() { # name args...
    local name=$1; shift
    local single; single="$(run "$name" 0 "$@")"
    echo "$name, one process: $single"
    for n in 1 2 3; do
        local multi; multi="$(run "$name" "$n" "$@")"
        echo "$name, mpirun -n $n: $multi"
        python3 - "$single" "$multi" <<'PY'
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
skip = {"seconds", "peak_rss_mb", "tasks_per_s", "overhead_us_per_task", "store_read_ratio"}
bad = []
for k, v in a.items():
    if k in skip:
        continue
    w = b.get(k)
    if isinstance(v, (int, float)) and isinstance(w, (int, float)):
        if abs(v - w) > 1e-12 * max(abs(v), abs(w)):
            bad.append(f"{k}: {v} vs {w}")
    elif v != w:
        bad.append(f"{k}: {v!r} vs {w!r}")
if bad:
    sys.exit("results differ from the single-process run: " + "; ".join(bad))
PY
    done
}

check sea_level --no-plots --quiet
check simulation_sum --arrays 4 --size 1500 --chunk 512 --memory-limit 64MiB --quiet
check batch --tasks 20000
echo "MPI runs agree with the single-process runs"
