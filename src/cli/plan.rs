//! The rechunk plan of one array, as rechunker makes it: copy in blocks that fit the
//! memory budget, each a whole number of source chunks (each source chunk is read
//! once) and of target chunks (each target chunk is written once, whole).
//!
//! When one block can be both (the least common multiple of the two chunk shapes fits
//! the budget), the copy is direct. Otherwise — the space-chunked to time-chunked case,
//! where one target chunk needs a little of every source chunk — the copy goes through
//! an intermediate store: pass 1 reads blocks of whole source chunks, grown along the
//! axes where the target chunks are longer, and writes them as intermediate chunks
//! (`min(read, write)` per axis, so both passes cut them whole); pass 2 reads blocks of
//! whole target chunks, grown along the axes where the source chunks were longer, from
//! the intermediate store.

use crate::{Error, Result};

/// How one array is copied; every shape is in elements per axis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Plan {
    /// Blocks of this shape, read from the source and written to the target.
    Direct {
        /// The block shape.
        block: Vec<usize>,
    },
    /// Through an intermediate store chunked `int`.
    TwoPass {
        /// Pass 1 block shape (whole source chunks).
        read: Vec<usize>,
        /// Intermediate chunk shape (divides `read`).
        int: Vec<usize>,
        /// Pass 2 block shape (whole target chunks).
        write: Vec<usize>,
    },
}

fn bytes(shape: &[usize], itemsize: usize) -> u64 {
    shape.iter().map(|&n| n as u64).product::<u64>() * itemsize as u64
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

fn lcm(a: usize, b: usize) -> usize {
    a / gcd(a, b) * b
}

/// Grows `block` by whole multiples of `unit` along each axis, up to `limit` per axis,
/// while it stays within `max` bytes (axes in order: the first axes grow first).
fn grow(unit: &[usize], limit: &[usize], itemsize: usize, max: u64) -> Vec<usize> {
    let mut block = unit.to_vec();
    for axis in 0..block.len() {
        let rest = bytes(&block, itemsize) / block[axis].max(1) as u64;
        let fits = (max / rest.max(1)) as usize;
        let most = limit[axis].max(unit[axis]);
        let k = (fits / unit[axis].max(1)).max(1);
        block[axis] = (unit[axis] * k).min(most).max(unit[axis]);
    }
    block
}

/// Plans the copy of an array of `shape` from `source` chunks to `target` chunks with
/// blocks of at most `max_block` bytes.
pub(crate) fn plan(
    name: &str,
    shape: &[usize],
    source: &[usize],
    target: &[usize],
    itemsize: usize,
    max_block: u64,
) -> Result<Plan> {
    let clamp = |c: &[usize]| -> Vec<usize> {
        c.iter()
            .zip(shape)
            .map(|(&c, &n)| c.clamp(1, n.max(1)))
            .collect()
    };
    let (source, target) = (clamp(source), clamp(target));
    let len: Vec<usize> = shape.iter().map(|&n| n.max(1)).collect();
    for (what, chunk) in [("target", &target), ("source", &source)] {
        let b = bytes(chunk, itemsize);
        if b > max_block {
            return Err(Error::invalid(format!(
                "one {what} chunk {chunk:?} of {name:?} is {b} bytes, more than a block may hold under the memory limit ({max_block} bytes, a quarter of it); raise --memory-limit{}",
                if what == "target" {
                    " or choose smaller --chunks"
                } else {
                    ""
                }
            )));
        }
    }
    let both: Vec<usize> = (0..len.len())
        .map(|a| lcm(source[a], target[a]).min(len[a]))
        .collect();
    if bytes(&both, itemsize) <= max_block {
        return Ok(Plan::Direct {
            block: grow(&both, &len, itemsize, max_block),
        });
    }
    // Pass 2 blocks: whole target chunks, grown where the source chunks are longer.
    let write_limit: Vec<usize> = (0..len.len())
        .map(|a| {
            if target[a] < source[a] {
                lcm(target[a], source[a]).min(len[a])
            } else {
                target[a]
            }
        })
        .collect();
    let write = grow(&target, &write_limit, itemsize, max_block);
    // Pass 1 blocks: whole source chunks, grown where the target blocks are longer.
    let read_limit: Vec<usize> = (0..len.len())
        .map(|a| {
            if source[a] < write[a] {
                lcm(source[a], write[a]).min(len[a])
            } else {
                source[a]
            }
        })
        .collect();
    let read = grow(&source, &read_limit, itemsize, max_block);
    let int = (0..len.len())
        .map(|a| {
            let m = read[a].min(write[a]);
            if read[a] % m == 0 || read[a] >= len[a] {
                m
            } else {
                // The largest divisor of the read block not above the write block, so
                // that pass 1 writes whole intermediate chunks.
                (1..=m).rev().find(|d| read[a] % d == 0).unwrap_or(1)
            }
        })
        .collect();
    Ok(Plan::TwoPass { read, int, write })
}

/// The blocks of `block` shape covering `shape`, in C order, as ranges per axis.
pub(crate) fn blocks(shape: &[usize], block: &[usize]) -> Vec<Vec<std::ops::Range<usize>>> {
    let counts: Vec<usize> = shape
        .iter()
        .zip(block)
        .map(|(&n, &b)| n.div_ceil(b.max(1)).max(1))
        .collect();
    let total: usize = counts.iter().product();
    (0..total)
        .map(|mut k| {
            let mut ranges = vec![0..0; shape.len()];
            for a in (0..shape.len()).rev() {
                let i = k % counts[a];
                k /= counts[a];
                let start = (i * block[a]).min(shape[a]);
                ranges[a] = start..((i + 1) * block[a]).min(shape[a]);
            }
            ranges
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1 << 20;

    #[test]
    fn time_chunks_from_space_chunks_need_an_intermediate() {
        // The 4 GiB case of issue 24: (1, 720, 1440) float32 to (1040, 30, 30), 128 MiB blocks.
        let shape = [1040, 720, 1440];
        let p = plan("t", &shape, &[1, 720, 1440], &[1040, 30, 30], 4, 128 * MIB).unwrap();
        let Plan::TwoPass { read, int, write } = p else {
            panic!("expected two passes, got {p:?}")
        };
        assert_eq!(&read[1..], &[720, 1440]);
        assert!(bytes(&read, 4) <= 128 * MIB && read[0] > 1);
        assert_eq!(write[0], 1040);
        assert!(bytes(&write, 4) <= 128 * MIB);
        assert_eq!(write[1] % 30, 0);
        assert_eq!(write[2] % 30, 0);
        for a in 0..3 {
            assert!(read[a] % int[a] == 0, "{int:?} divides {read:?}");
        }
        assert_eq!(int[0], read[0]);
    }

    #[test]
    fn compatible_chunks_copy_directly() {
        let p = plan(
            "t",
            &[365, 90, 180],
            &[1, 90, 180],
            &[30, 90, 180],
            4,
            64 * MIB,
        )
        .unwrap();
        let Plan::Direct { block } = p else { panic!() };
        // Whole target chunks, or the whole axis.
        assert!(block[0] % 30 == 0 || block[0] == 365, "{block:?}");
        assert_eq!(&block[1..], &[90, 180]);
    }

    #[test]
    fn a_target_chunk_over_the_budget_is_refused() {
        let err = plan("sla", &[1000, 1000], &[10, 10], &[1000, 1000], 8, MIB).unwrap_err();
        assert!(err.to_string().contains("sla") && err.to_string().contains("--chunks"));
    }

    #[test]
    fn blocks_cover_the_shape() {
        let b = blocks(&[5, 3], &[2, 3]);
        assert_eq!(
            b,
            vec![vec![0..2, 0..3], vec![2..4, 0..3], vec![4..5, 0..3]]
        );
        assert_eq!(blocks(&[], &[]), vec![Vec::<std::ops::Range<usize>>::new()]);
    }
}
