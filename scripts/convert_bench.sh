#!/usr/bin/env bash
# Converting to analysis-ready Zarr (BENCHMARKS.md): a (time, lat, lon) float32 store
# chunked (1, 720, 1440) -- 1040 steps, 4.0 GiB decoded -- rechunked to whole time
# series (NT, 30, 30) under a 512 MiB budget, by `tessera convert` and by rechunker +
# dask; peak RSS and wall time from /usr/bin/time -v; xarray then checks that both
# results equal the source (a sample of time series, one map, the coordinates).
#
#   cargo build --release --bin tessera
#   scripts/convert_bench.sh [WORKDIR] [NT]         # defaults: /tmp/tessera-convert-bench 1040
#
# rechunker needs zarr 2: it runs from a virtualenv ($RECHUNKER_PY, default
# /tmp/rechunker-venv/bin/python, made with
# `python3 -m venv --system-site-packages /tmp/rechunker-venv && /tmp/rechunker-venv/bin/pip install rechunker`)
# so that the system's zarr 3 stays. Everything written under WORKDIR is deleted at the end.
set -euo pipefail
WORK=${1:-/tmp/tessera-convert-bench}
NT=${2:-1040}
BIN=${TESSERA_BIN:-target/release/tessera}
PY=${RECHUNKER_PY:-/tmp/rechunker-venv/bin/python}
HERE=$(dirname "$0")
rm -rf "$WORK" && mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT

python3 "$HERE/convert_bench.py" make "$WORK/src.zarr" "$NT"
echo "source on disk: $(du -sh "$WORK/src.zarr" | cut -f1)"

report() { grep -E "Elapsed|Maximum resident" "$1" | sed 's/^\s*/    /'; }

echo "== tessera convert --memory-limit 512MiB"
/usr/bin/time -v "$BIN" convert "$WORK/src.zarr" "$WORK/tessera.zarr" \
    --chunks "time=$NT,lat=30,lon=30" --memory-limit 512MiB --compressor zstd:1 --quiet \
    2> "$WORK/tessera.time"
report "$WORK/tessera.time"
python3 "$HERE/convert_bench.py" compare "$WORK/src.zarr" "$WORK/tessera.zarr"
rm -rf "$WORK/tessera.zarr"

echo "== rechunker + dask, max_mem=512MB"
/usr/bin/time -v "$PY" "$HERE/convert_bench.py" rechunker "$WORK/src.zarr" "$WORK/rechunker.zarr" \
    "$WORK/rechunker-tmp.zarr" "$NT" 512MB > "$WORK/rechunker.out" 2> "$WORK/rechunker.time"
tail -1 "$WORK/rechunker.out"
report "$WORK/rechunker.time"
python3 "$HERE/convert_bench.py" compare "$WORK/src.zarr" "$WORK/rechunker.zarr"
