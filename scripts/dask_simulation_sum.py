"""The simulation sum (USECASES.md §3) with dask.array, as an experienced user writes
it: each swath a `map_blocks` generator over its chunk grid, `da.stack(...).sum(axis=0)`,
one compute (threaded scheduler), the result written to Zarr or kept in memory. The
generator is the same function as `tessera::synthetic::Swath`, so `sum_total` agrees
with `examples/simulation_sum.rs --json` (to float32 rounding).

    python3 scripts/dask_simulation_sum.py --arrays 16 --size 16384 --chunk 4096 [--in-memory]

Prints one JSON line with the example's keys plus `seconds` and `peak_rss_mb`.
"""
import argparse
import json
import resource
import shutil
import time
import warnings

import dask
import dask.array as da
import numpy as np

# splitmix64 multiplies modulo 2**64 on purpose.
warnings.filterwarnings("ignore", "overflow encountered", RuntimeWarning)
U64 = np.uint64
GOLDEN = U64(0x9E3779B97F4A7C15)
FOOTPRINTS = 64
REACH_SIGMAS = 4.0
NOISE = 0.01


def splitmix(z):
    z = np.asarray(z, dtype=U64) + GOLDEN
    z = (z ^ (z >> U64(30))) * U64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> U64(27))) * U64(0x94D049BB133111EB)
    return z ^ (z >> U64(31))


def uniform(seed, stream, at):
    h = U64(seed) ^ (U64(stream) * GOLDEN)
    for i in at:
        h = splitmix(h ^ U64(i))
    return ((int(h) >> 11) + 0.5) / float(1 << 53)


class Swath:
    def __init__(self, index, size, seed):
        n = float(size)
        h = lambda salt: uniform(seed, 0x51574154, [index, salt])
        row0, slope = h(1) * n, (h(2) - 0.5) * 1.2
        self.footprints = []
        for f in range(FOOTPRINTS):
            col = (f + 0.5) * n / FOOTPRINTS
            self.footprints.append((row0 + slope * col, col, 1.0 + 0.2 * (h(10 + f) - 0.5)))
        self.index, self.size, self.seed = index, size, seed
        self.sigma = max(n / 256.0, 0.5)

    def block(self, rows, cols):
        stream = splitmix(U64(self.seed) ^ U64(self.index))
        at = (np.arange(rows[0], rows[1], dtype=U64)[:, None] * U64(self.size)
              + np.arange(cols[0], cols[1], dtype=U64)[None, :])
        u = (splitmix(stream ^ at) >> U64(11)).astype(np.float64) / float(1 << 53)
        out = (NOISE * (u - 0.5)).astype(np.float32)
        reach, two_var = REACH_SIGMAS * self.sigma, 2.0 * self.sigma ** 2
        clamp = lambda x, r: int(min(max(x, r[0]), r[1]))
        for r, c, amp in self.footprints:
            r_lo, r_hi = clamp(np.floor(r - reach), rows), clamp(np.ceil(r + reach), rows)
            c_lo, c_hi = clamp(np.floor(c - reach), cols), clamp(np.ceil(c + reach), cols)
            if r_lo >= r_hi or c_lo >= c_hi:
                continue
            dr = np.arange(r_lo, r_hi, dtype=np.float64)[:, None] - r
            dc = np.arange(c_lo, c_hi, dtype=np.float64)[None, :] - c
            box = out[r_lo - rows[0]:r_hi - rows[0], c_lo - cols[0]:c_hi - cols[0]]
            box[...] = (box.astype(np.float64) + amp * np.exp(-(dr * dr + dc * dc) / two_var)).astype(np.float32)
        return out


def lazy(swath, chunk):
    def gen(block_info=None):
        (r0, r1), (c0, c1) = block_info[None]["array-location"]
        return swath.block((r0, r1), (c0, c1))

    n = swath.size
    chunks = tuple(tuple(min(chunk, n - s) for s in range(0, n, chunk)) for _ in range(2))
    return da.map_blocks(gen, chunks=chunks, dtype=np.float32, meta=np.array((), dtype=np.float32))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--arrays", type=int, default=16)
    p.add_argument("--size", type=int, default=16384)
    p.add_argument("--chunk", type=int, default=4096)
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--in-memory", action="store_true")
    p.add_argument("--out", default="target/examples-out/simulation_sum_dask.zarr")
    a = p.parse_args()
    t0 = time.perf_counter()
    total = da.stack([lazy(Swath(k, a.size, a.seed), a.chunk) for k in range(a.arrays)]).sum(axis=0)
    with dask.config.set(scheduler="threads"):
        if a.in_memory:
            result = total.compute()
            sum_total = float(result.sum(dtype=np.float64))
        else:
            shutil.rmtree(a.out, ignore_errors=True)
            da.to_zarr(total, a.out)
            import zarr
            sum_total = float(da.from_zarr(a.out).sum(dtype=np.float64).compute())
    elapsed = time.perf_counter() - t0
    print(json.dumps({
        "arrays": a.arrays, "size": a.size, "sum_total": sum_total,
        "seconds": round(elapsed, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))


if __name__ == "__main__":
    main()
