#!/bin/bash
# Runs the examples of two builds alternately and prints one line per run: analysis,
# build, budget, then the run's own seconds, peak RSS (MB) and store_read_ratio.
#
#   git worktree add /tmp/old <rev> && (cd /tmp/old && CARGO_TARGET_DIR=/tmp/old-target \
#       cargo build --release --example precipitation --example sea_level)
#   OLD=/tmp/old-target/release/examples ROUNDS=3 bash scripts/ab_examples.sh
#
# Stores (written once): PCP_CONUS from `make_data precipitation <path> --size medium
# --time 3`, PCP_MED from `make_data precipitation <path> --size medium --members 3
# --time 20 --ny 28 --nx 58`, SL_MED from `make_data sea-level <path> --size medium`.
set -euo pipefail
OLD=${OLD:?set OLD to the examples folder of the build to compare against}
NEW=${NEW:-target/release/examples}
ROUNDS=${ROUNDS:-3}
PCP_CONUS=${PCP_CONUS:-/tmp/pcp-conus.zarr}
PCP_MED=${PCP_MED:-/tmp/pcp-med.zarr}
SL_MED=${SL_MED:-/tmp/sl-med.zarr}

pick() {
    python3 -c 'import json,sys; j=json.loads(sys.stdin.read().strip().splitlines()[-1]); print(j["seconds"], j["peak_rss_mb"], j["store_read_ratio"])'
}

run() { # label build-dir example store budget
    local args=(--no-plots --json)
    [ "$5" != default ] && args+=(--memory-limit "$5")
    echo "$1 $(basename "$(dirname "$(dirname "$2")")") $5 $("$2/$3" "$4" "${args[@]}" 2>/dev/null | pick)"
}

for _ in $(seq "$ROUNDS"); do
    for build in "$OLD" "$NEW"; do
        for budget in default 1GiB 512MiB; do
            run conus "$build" precipitation "$PCP_CONUS" "$budget"
        done
        for budget in default 1GiB; do
            run sl-medium "$build" sea_level "$SL_MED" "$budget"
            run pcp-medium "$build" precipitation "$PCP_MED" "$budget"
        done
    done
    echo "floor conus $("$NEW/read_floor" "$PCP_CONUS" pcp t_mean 2>&1 | tail -1)"
done
