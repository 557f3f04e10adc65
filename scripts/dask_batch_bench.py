"""The batch of short simulations (USECASES.md §4) with dask.delayed, as an experienced
user writes it: one delayed call per simulation, one dask.compute, threaded scheduler.
Prints one JSON line with the same keys as `examples/batch.rs --json`.

    python3 scripts/dask_batch_bench.py --tasks 10000
"""
import argparse
import json
import time

import dask
from dask import delayed

STEPS = 20
M = (1 << 64) - 1


def simulate(k, r):
    x, total, mx = 0.5, 0.0, -1e308
    seed = (k * 6364136223846793005 + 1) & M
    for _ in range(STEPS):
        seed = (seed * 6364136223846793005 + 1442695040888963407) & M
        noise = ((seed >> 11) / float(1 << 53) - 0.5) * 1e-3
        x = min(max(r * x * (1.0 - x) + noise, 0.0), 1.0)
        total += x
        mx = max(mx, x)
    return x, total / STEPS, mx


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tasks", type=int, default=10_000)
    n = p.parse_args().tasks
    rate = lambda k: 2.5 + 1.5 * k / max(n - 1, 1)
    t0 = time.perf_counter()
    tasks = [delayed(simulate)(k, rate(k)) for k in range(n)]
    results = dask.compute(*tasks, scheduler="threads")
    elapsed = time.perf_counter() - t0
    checksum = sum(a + b + c for a, b, c in results)
    print(json.dumps({"tasks": n, "tasks_per_s": round(n / elapsed), "seconds": round(elapsed, 3),
                      "us_per_task": round(elapsed * 1e6 / n, 1), "result_checksum": checksum}))


if __name__ == "__main__":
    main()
