#!/bin/bash
# The sea-level analysis on a PBS Pro / OpenPBS cluster: 2 nodes × 2 ranks.
#
# Ranks × threads: select=N:ncpus=C:mpiprocs=R gives R ranks per node sharing C cores;
# ompthreads sets OMP_NUM_THREADS, which tessera does not read: set RAYON_NUM_THREADS
# to C / R so the ranks of one node do not oversubscribe it.
#
# Memory: --memory-limit is per rank (mem / mpiprocs, minus a margin).
#
#PBS -N tessera-gmsl
#PBS -l select=2:ncpus=48:mpiprocs=2:mem=180gb
#PBS -l walltime=00:30:00
#PBS -j oe
set -euo pipefail
cd "$PBS_O_WORKDIR"
export RAYON_NUM_THREADS=24
# Build once: cargo build --release --features mpi --example sea_level
mpiexec -n 4 --map-by socket ./target/release/examples/sea_level \
    s3://my-bucket/cmems-sla.zarr --memory-limit 80GiB --no-plots --json
