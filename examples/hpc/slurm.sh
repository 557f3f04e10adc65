#!/bin/bash
# The simulation sum on a Slurm cluster: 4 nodes, one MPI rank per NUMA domain.
#
# Ranks × threads: tessera runs one rayon pool per rank. On nodes with 2 sockets of
# 64 cores, 2 ranks per node with 64 threads each (or 8 ranks of 16 threads in NPS4
# mode) keeps each rank's memory on its own socket. --cpus-per-task gives each rank
# its cores; RAYON_NUM_THREADS follows it.
#
# Memory: --memory-limit is per rank. Leave room for the result chunks in flight and
# the process itself: about 80 % of (node memory / ranks per node).
#
#SBATCH --job-name=tessera-sum
#SBATCH --nodes=4
#SBATCH --ntasks-per-node=2
#SBATCH --cpus-per-task=64
#SBATCH --mem=0
#SBATCH --time=01:00:00
set -euo pipefail
export RAYON_NUM_THREADS=${SLURM_CPUS_PER_TASK}
# Build once on a login node: cargo build --release --features mpi --example simulation_sum
srun --cpu-bind=socket ./target/release/examples/simulation_sum \
    --arrays 64 --size 32768 --chunk 4096 \
    --memory-limit 100GiB \
    --out "${SCRATCH:-/tmp}/simulation_sum.zarr" --json
