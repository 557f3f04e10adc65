#!/usr/bin/env python3
"""tessera against xarray + dask, side by side: time, memory, the one-pass floor, values.

Generates the stores once at a chosen size (the synthetic datasets of
`examples/make_data`, rewritten by xarray as Zarr v2 with blosc-lz4, as a Pangeo user
would hold them), then runs each analysis alternately in tessera (the release example
binaries, `--json --no-plots`), in Python xarray + dask (`scripts/xarray_examples.py`,
`scripts/dask_simulation_sum.py`: lazy, one `dask.compute`, threaded scheduler, flox
when installed) and as the one-pass floor (`examples/read_floor.rs`: zarrs alone reads,
decodes and sums every stored chunk the analysis needs, on all cores), `--runs` times
each, and prints one table: median seconds, the ratio, peak RSS of every child (from
`wait4`), each analysis as a multiple of the floor, and every result value side by side
with its relative difference.

    python3 scripts/compare.py --size small --runs 1            # CI: a few seconds
    python3 scripts/compare.py --size medium --runs 5 --markdown /tmp/table.md
    python3 scripts/compare.py --size conus --runs 3           # 4 x 3 yr x 224 x 464, 1 GiB

Exits 1 when a value differs by more than `--tolerance` (relative, default 1e-5) or a
run fails; never because of a time. Times are each program's own `seconds` (from its
start to its result, interpreter start-up and imports not included); RSS is the
child's peak resident set (`ru_maxrss`). Needs the release examples (built when
missing: `cargo build --release --examples`), python3 with xarray, dask, zarr,
numcodecs (flox optional).
"""

import argparse
import datetime
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPTS = os.path.join(ROOT, "scripts")
EXAMPLES = ["sea_level", "precipitation", "analysis_parts", "simulation_sum", "make_data",
            "read_floor"]


@dataclass
class Size:
    """What one `--size` generates and how the examples run on it."""

    sea_level: list  # make_data arguments after `sea-level OUT`
    precipitation: list  # make_data arguments after `precipitation OUT`
    simulation: list  # simulation_sum / dask_simulation_sum.py arguments
    memory_limit: str = ""  # tessera's --memory-limit for the store analyses ("" = default)
    note: str = ""


SIZES = {
    "small": Size(
        sea_level=["--size", "small"],
        precipitation=["--size", "small"],
        simulation=["--arrays", "4", "--size", "1024", "--chunk", "512"],
        note="the embedded fixtures' sizes: sea level 730 x 16 x 32, precipitation 2 x 4 yr x 12 x 24",
    ),
    "medium": Size(
        sea_level=["--size", "medium"],
        precipitation=["--size", "medium", "--members", "3", "--time", "20", "--ny", "28", "--nx", "58"],
        simulation=["--arrays", "8", "--size", "4096", "--chunk", "2048"],
        note="sea level 730 x 360 x 720 (5-day chunks), precipitation 3 x 20 yr x 28 x 58",
    ),
    "conus": Size(
        sea_level=["--size", "medium"],
        precipitation=["--size", "medium", "--time", "3"],
        simulation=["--arrays", "16", "--size", "8192", "--chunk", "4096"],
        memory_limit="1GiB",
        note="precipitation on the CONUS grid 4 x 3 yr x 224 x 464 under --memory-limit 1GiB; "
        "sea level as medium",
    ),
}

# The variables along time each stored dataset keeps when xarray rewrites it.
KEEP = {"sea_level": ["sla", "ugosa", "vgosa"], "precipitation": ["pcp", "t_mean", "mask"]}


@dataclass
class Analysis:
    """One analysis: how each side runs it, what the floor reads, which values agree."""

    name: str
    tessera: list  # example name, then arguments ({store}, {dir} substituted)
    python: list  # script name, then arguments
    store: str = ""  # the stored dataset it reads ("" = generated data)
    floor: list = field(default_factory=list)  # variables the floor reads
    values: dict = field(default_factory=dict)  # JSON key -> what it is
    budget: bool = True  # tessera takes the size's --memory-limit


def part(name, tessera_part, store, floor, values):
    """One part of an example alone: `examples/analysis_parts.rs` against the function
    of the same name in `scripts/xarray_examples.py`."""
    return Analysis(
        name,
        ["analysis_parts", tessera_part, "{store}", "--json", "--quiet"],
        ["xarray_examples.py", tessera_part.replace("-", "_"), "{store}"],
        store=store,
        floor=floor,
        values=values,
    )


def analyses(size):
    """The analyses compared at `size`: both examples, three of their parts alone, and the
    simulation sum."""
    sim = size.simulation
    return [
        Analysis(
            "sea level (whole example)",
            ["sea_level", "{store}", "--json", "--no-plots", "--quiet"],
            ["xarray_examples.py", "sea_level", "{store}"],
            store="sea_level",
            floor=["sla", "ugosa", "vgosa"],
            values={
                "gmsl_trend_mm_per_yr": "weighted GMSL + trend",
                "gmsl_plain_trend_mm_per_yr": "plain GMSL + trend",
                "gmsl_annual_amplitude_mm": "monthly climatology of the GMSL",
                "sla_std_mean_m": "sla std over time",
                "eke_mean_cm2_s2": "eddy kinetic energy",
                "n_time": "time steps",
            },
        ),
        part("weighted GMSL + trend", "gmsl-trend", "sea_level", ["sla"],
             {"gmsl_trend_mm_per_yr": "weighted GMSL + trend"}),
        part("monthly climatology + anomaly std of sla", "climatology-anomaly", "sea_level",
             ["sla"], {"sla_climatology_mean_m": "mean of the climatology",
                       "sla_anomaly_std_mean_m": "mean of the anomaly std"}),
        Analysis(
            "precipitation (whole example)",
            ["precipitation", "{store}", "--json", "--no-plots", "--quiet"],
            ["xarray_examples.py", "precipitation", "{store}"],
            store="precipitation",
            floor=["pcp", "t_mean", "mask"],
            values={
                "tmean_trend_c_per_decade": "warming trend",
                "tmean_seasonal_amplitude_c": "monthly climatology of t_mean",
                "tmean_djf_c": "DJF mean",
                "tmean_jja_c": "JJA mean",
                "pcp_annual_total_mm": "annual totals",
                "pcp_ensemble_spread_mm_per_day": "ensemble spread",
            },
        ),
        part("annual totals + ensemble spread", "annual-spread", "precipitation", ["pcp", "mask"],
             {"pcp_annual_total_mm": "annual totals",
              "pcp_ensemble_spread_mm_per_day": "ensemble spread"}),
        Analysis(
            "simulation sum",
            ["simulation_sum", *sim, "--out", "{dir}/sim_tessera.zarr", "--check-chunks", "1",
             "--json", "--quiet"],
            ["dask_simulation_sum.py", *sim, "--out", "{dir}/sim_dask.zarr"],
            values={"sum_total": "sum of every element"},
            budget=False,
        ),
    ]


# --- running children ---------------------------------------------------------------


@dataclass
class Run:
    seconds: float  # the program's own `seconds`
    wall: float  # wall time of the child process
    rss_mb: float  # peak RSS of the child (ru_maxrss)
    values: dict


# A child's ru_maxrss starts at the high-water mark of the process that spawned it (Linux
# carries it over exec), so the peak is taken by GNU time, a small process, when there is
# one; otherwise from wait4, with this script's own few MB as the floor of every figure.
GNU_TIME = shutil.which("time", path="/usr/bin:/bin")


def run_json(cmd, what):
    """Runs `cmd`, returns its last stdout line as JSON with its peak RSS; exits on failure."""
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as rss:
        spawned = [GNU_TIME, "-f", "%M", "-o", rss.name, *cmd] if GNU_TIME else cmd
        started = time.perf_counter()
        child = subprocess.Popen(spawned, stdout=subprocess.PIPE, stderr=err, cwd=ROOT)
        out = child.stdout.read().decode()
        child.stdout.close()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        if child.returncode != 0:
            err.seek(0)
            sys.stderr.write(err.read().decode(errors="replace"))
            sys.exit(f"compare: {what} failed (exit {child.returncode}): {shlex.join(cmd)}")
        peak_kib = int(rss.read().split()[-1]) if GNU_TIME else usage.ru_maxrss
    lines = [line for line in out.splitlines() if line.strip()]
    try:
        values = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        sys.exit(f"compare: {what} printed no JSON line last: {shlex.join(cmd)}\n{out}")
    return Run(values.get("seconds", wall), wall, peak_kib / 1024.0, values)


def substitute(args, **names):
    return [a.format(**names) for a in args]


def tessera_cmd(bins, a, store, work, size):
    cmd = [os.path.join(bins, a.tessera[0]), *substitute(a.tessera[1:], store=store, dir=work)]
    if a.budget and size.memory_limit:
        cmd += ["--memory-limit", size.memory_limit]
    return cmd


def python_cmd(a, store, work):
    return [sys.executable, os.path.join(SCRIPTS, a.python[0]),
            *substitute(a.python[1:], store=store, dir=work)]


# --- stores ---------------------------------------------------------------------------


def ensure_binaries(bins):
    missing = [e for e in EXAMPLES if not os.path.exists(os.path.join(bins, e))]
    if missing:
        cmd = ["cargo", "build", "--release"] + [x for e in missing for x in ("--example", e)]
        print(f"building {', '.join(missing)}: {shlex.join(cmd)}", flush=True)
        subprocess.run(cmd, cwd=ROOT, check=True)


def rewrite_with_xarray(raw, out, keep):
    """Rewrites the store `raw` with xarray as Zarr v2, blosc-lz4 + shuffle, same chunks
    and packing; of the variables along time it keeps `keep` (the others are not read)."""
    import dask
    import numcodecs
    import xarray as xr

    ds = xr.open_zarr(raw)
    ds = ds.drop_vars([n for n, v in ds.data_vars.items() if "time" in v.dims and n not in keep])
    blosc = numcodecs.Blosc(cname="lz4", clevel=5, shuffle=numcodecs.Blosc.SHUFFLE)
    carried = ("dtype", "scale_factor", "add_offset", "_FillValue", "units", "calendar")
    encoding = {}
    for name, var in ds.variables.items():
        enc = {k: v for k, v in var.encoding.items() if k in carried}
        if name in ds.data_vars:
            enc["chunks"] = tuple(c[0] for c in var.chunks)
            enc["compressors"] = [blosc]
        encoding[name] = enc
        var.encoding = {}
    with dask.config.set(scheduler="threads"):
        ds.to_zarr(out, mode="w", zarr_format=2, consolidated=True, encoding=encoding)


def ensure_store(kind, args, bins, work):
    """The store of `kind` at this size under `work`, generated once (a `.complete` file
    marks a finished one)."""
    out = os.path.join(work, f"{kind}.zarr")
    if os.path.exists(os.path.join(out, ".complete")):
        return out
    raw = os.path.join(work, f"{kind}_raw.zarr")
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run(
        [os.path.join(bins, "make_data"), kind.replace("_", "-"), raw, *args, "--overwrite"],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
    )
    # In a child, so that this process stays small (see GNU_TIME).
    subprocess.run([sys.executable, __file__, "--rewrite", raw, out, ",".join(KEEP[kind])],
                   check=True)
    shutil.rmtree(raw)
    open(os.path.join(out, ".complete"), "w").close()
    print(f"wrote {out} in {time.perf_counter() - started:.1f} s (make_data, then xarray)",
          flush=True)
    return out


# --- comparing ------------------------------------------------------------------------


def rel_diff(a, b):
    """|a - b| relative to the larger magnitude; 0 for equal values (None included)."""
    if a is None or b is None:
        return 0.0 if a is b else float("inf")
    if a == b:
        return 0.0
    return abs(a - b) / max(abs(a), abs(b))


@dataclass
class Result:
    analysis: Analysis
    tessera: list
    python: list
    floor: list

    def worst(self, key):
        return max(rel_diff(t.values.get(key), p.values.get(key))
                   for t, p in zip(self.tessera, self.python))


def measure(a, size, bins, stores, work, runs):
    store = stores.get(a.store, "")
    floor_cmd = ([os.path.join(bins, "read_floor"), store, *a.floor, "--json"]
                 if a.floor else None)
    result = Result(a, [], [], [])
    for i in range(runs):
        print(f"{a.name}: run {i + 1}/{runs}", flush=True)
        result.tessera.append(run_json(tessera_cmd(bins, a, store, work, size), f"tessera {a.name}"))
        result.python.append(run_json(python_cmd(a, store, work), f"xarray {a.name}"))
        if floor_cmd:
            result.floor.append(run_json(floor_cmd, f"the floor of {a.name}"))
    return result


def median(runs, attr):
    return statistics.median(getattr(r, attr) for r in runs) if runs else None


def fmt(x, spec=".3g"):
    if x is None:
        return "—"
    if isinstance(x, float):
        return format(x, spec)
    return str(x)


def timing_table(results):
    rows = [
        "| analysis | tessera s | xarray + dask s | xarray / tessera | tessera peak RSS MiB "
        "| xarray peak RSS MiB | floor s | tessera / floor | xarray / floor |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        t, p, f = (median(x, "seconds") for x in (r.tessera, r.python, r.floor))
        rows.append(
            f"| {r.analysis.name} | {t:.3f} | {p:.3f} | **{times(p, t, '.2f')}** "
            f"| {median(r.tessera, 'rss_mb'):.0f} | {median(r.python, 'rss_mb'):.0f} "
            f"| {fmt(f, '.3f')} | {times(t, f, '.2f')} | {times(p, f, '.1f')} |"
        )
    return rows


def times(a, b, spec):
    """a as a multiple of b ("—" without a b)."""
    return f"{a / b:{spec}}×" if b else "—"


def value_table(results, tolerance):
    rows = ["| analysis | key | what | tessera | xarray + dask | max rel diff |",
            "|---|---|---|---|---|---|"]
    failed = []
    for r in results:
        for key, what in r.analysis.values.items():
            worst = r.worst(key)
            flag = ""
            if worst > tolerance:
                failed.append(f"{r.analysis.name}: {key}")
                flag = " **MISMATCH**"
            rows.append(
                f"| {r.analysis.name} | `{key}` | {what} | {fmt(r.tessera[-1].values.get(key), '.10g')} "
                f"| {fmt(r.python[-1].values.get(key), '.10g')} | {worst:.1e}{flag} |"
            )
    return rows, failed


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    mem = next((int(line.split()[1]) / 2**20 for line in open("/proc/meminfo")
                if line.startswith("MemTotal")), 0)
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, {platform.system()} {platform.release()}"


def versions():
    """The Python side's versions, read without importing them (see GNU_TIME)."""
    from importlib import metadata

    def version(name):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    return ", ".join(f"{n} {version(n)}" for n in ("xarray", "dask", "zarr", "flox"))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", choices=sorted(SIZES), default="small")
    p.add_argument("--runs", type=int, default=3, help="runs of each side (default 3)")
    p.add_argument("--dir", help="where the stores go (default target/compare/SIZE; reused)")
    p.add_argument("--bin-dir", help="the release examples (default target/release/examples)")
    p.add_argument("--markdown", help="also write the tables to this file")
    p.add_argument("--tolerance", type=float, default=1e-5, help="largest relative difference")
    p.add_argument("--only", help="comma-separated words: run the analyses whose name has one")
    p.add_argument("--rewrite", nargs=3, metavar=("RAW", "OUT", "KEEP"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.rewrite:
        raw, out, keep = args.rewrite
        rewrite_with_xarray(raw, out, keep.split(","))
        return 0
    if args.runs < 1:
        p.error("--runs must be at least 1")
    size = SIZES[args.size]
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    bins = args.bin_dir or os.path.join(target, "release", "examples")
    work = os.path.abspath(args.dir or os.path.join(target, "compare", args.size))
    os.makedirs(work, exist_ok=True)
    ensure_binaries(bins)

    chosen = analyses(size)
    if args.only:
        words = args.only.split(",")
        chosen = [a for a in chosen if any(w in a.name for w in words)]
        if not chosen:
            p.error(f"--only {args.only}: no analysis name has any of these words")
    stores = {kind: ensure_store(kind, getattr(size, kind), bins, work)
              for kind in sorted({a.store for a in chosen if a.store})}
    load_before = os.getloadavg()[0]
    results = [measure(a, size, bins, stores, work, args.runs) for a in chosen]
    load_after = os.getloadavg()[0]

    values, failed = value_table(results, args.tolerance)
    header = [
        f"`python3 scripts/compare.py {' '.join(sys.argv[1:])}` — "
        f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, {machine()}, "
        f"load average {load_before:.1f} before / {load_after:.1f} after; {versions()}.",
        "",
        f"Size `{args.size}`: {size.note}. Medians of {args.runs} alternating run(s) each; "
        "seconds are each program's own (start-up and imports excluded), RSS the child's peak "
        f"({'GNU time' if GNU_TIME else 'wait4'}).",
        "",
    ]
    text = "\n".join(header + timing_table(results) + [""] + values) + "\n"
    print()
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text)
    if failed:
        print(f"compare: values differ by more than {args.tolerance:g}: {'; '.join(failed)}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
