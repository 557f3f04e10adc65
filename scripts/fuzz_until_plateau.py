#!/usr/bin/env python3
"""Runs one built libFuzzer target until its coverage stops growing, then prints one
table row for RELIABILITY.md.

"Plateau" here: libFuzzer's edge count (`cov:`) has not grown for `--quiet` minutes
*and* not in the second half of the inputs run so far. The run also stops at `--max`
minutes (then the row says "no"). New inputs go to a scratch corpus seeded from
`fuzz/corpus/<target>` (merge them back with `-merge=1`, see fuzz/README.md); a crash
stops the run and its input is left in `--artifacts`.

    cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz build          # once, an ASan build
    python3 scripts/fuzz_until_plateau.py zarr_chunk --quiet 10 --max 60
"""

import argparse
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STATUS = re.compile(r"^#(\d+)\s+(\w+)\s+cov: (\d+) ft: (\d+)")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("target")
    p.add_argument("--quiet", type=float, default=10.0, help="minutes without new cov")
    p.add_argument("--max", type=float, default=60.0, help="minutes at most")
    p.add_argument("--work", default=None, help="scratch corpus (default /tmp/fuzz-<target>)")
    p.add_argument("--artifacts", default=None, help="crash folder (default <work>-crashes/)")
    p.add_argument("--log", default=None, help="copy of libFuzzer's output, each line timed")
    args = p.parse_args()

    binary = os.path.join(
        ROOT, "fuzz", "target", "x86_64-unknown-linux-gnu", "release", args.target
    )
    if not os.access(binary, os.X_OK):
        sys.exit(f"{binary}: not built (cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz build)")
    work = args.work or f"/tmp/fuzz-{args.target}"
    artifacts = args.artifacts or f"{work}-crashes/"
    if not os.path.isdir(work):
        shutil.copytree(os.path.join(ROOT, "fuzz", "corpus", args.target), work)
    os.makedirs(artifacts, exist_ok=True)
    cmd = [
        binary,
        work,
        "-rss_limit_mb=4096",
        "-timeout=30",
        "-print_final_stats=1",
        f"-max_total_time={int(args.max * 60)}",
        f"-artifact_prefix={artifacts}",
    ]
    # Keywords of the format (JSON keys, codec and calendar names) reach deep branches
    # sooner than byte mutations alone.
    dictionary = os.path.join(ROOT, "fuzz", "dicts", f"{args.target}.dict")
    if os.path.exists(dictionary):
        cmd.append(f"-dict={dictionary}")
    log = open(args.log, "w", buffering=1) if args.log else None
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                            errors="replace")
    first_cov = cov = ft_first = ft = None
    execs = last_new_exec = 0
    last_new_t = start
    plateau = False
    crashed = False
    lines: queue.Queue = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(x) for x in proc.stderr] + [lines.put(None)])
    reader.start()
    while True:
        # libFuzzer prints only at new coverage and at powers of two of execs: check
        # the plateau on a clock too, not only when a line arrives.
        try:
            line = lines.get(timeout=5)
        except queue.Empty:
            line = ""
        if line is None:
            break
        now = time.monotonic()
        if log and line:
            log.write(f"{now - start:9.1f} {line}")
        m = STATUS.match(line)
        # Coverage counts from INITED, when the corpus has been loaded: the lines before
        # it report the corpus, not what fuzzing found.
        if m and (m[2] == "INITED" or first_cov is not None):
            n, c, f = int(m[1]), int(m[3]), int(m[4])
            execs = n
            if first_cov is None:
                first_cov, ft_first = c, f
            if cov is None or c > cov:
                cov, last_new_t, last_new_exec = c, now, n
            ft = f
        elif line.startswith("stat::number_of_executed_units:"):
            execs = int(line.rsplit(":", 1)[1])
        elif "ERROR: libFuzzer" in line or "ERROR: AddressSanitizer" in line:
            crashed = True
        # Counted in execs, not only in time: on a loaded machine a quiet hour may hold
        # few inputs. `execs` is the last count libFuzzer printed, so this errs late.
        quiet = now - last_new_t
        if (not plateau and first_cov is not None and quiet >= args.quiet * 60
                and execs >= 2 * last_new_exec):
            plateau = True
            proc.send_signal(signal.SIGINT)
    proc.wait()
    wall = time.monotonic() - start
    if log:
        log.close()
    rate = execs / wall if wall else 0
    print(
        f"| `{args.target}` | {execs:,} | {wall / 3600:.2f} h ({wall:.0f} s) | {rate:.0f} "
        f"| {first_cov} -> {cov} | {ft_first} -> {ft} "
        f"| exec {last_new_exec:,} ({(last_new_t - start) / 60:.1f} min) "
        f"| {'yes' if plateau else 'no'} | {'CRASH, see ' + artifacts if crashed else 0} |"
    )
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
