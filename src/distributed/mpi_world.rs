//! The MPI calls behind [`super`]: rsmpi on the system's Open MPI or MPICH.

use std::ops::Range;

use mpi::datatype::PartitionMut;
use mpi::environment::Universe;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;

use crate::engine::ArrayData;
use crate::{Error, Result, match_data};

/// Initializes MPI (calls from the main thread only: rayon workers never call MPI).
pub(super) fn initialize() -> Result<(Universe, (usize, usize))> {
    let (universe, _threading) = mpi::initialize_with_threading(mpi::Threading::Funneled)
        .ok_or_else(|| {
            Error::invalid("MPI is already initialized: call tessera::distributed::init once")
        })?;
    let world = universe.world();
    let place = (world.rank() as usize, world.size() as usize);
    Ok((universe, place))
}

pub(super) fn barrier() {
    SimpleCommunicator::world().barrier();
}

/// Gathers from every rank a variable-length buffer into one, in rank order: on every
/// rank, or on rank 0 only when `root_only` (the others get `None`).
fn gather<T: Equivalence + Default + Clone>(mine: &[T], root_only: bool) -> Result<Option<Vec<T>>> {
    if !root_only {
        return Ok(Some(all_gather_counted(mine)?.0));
    }
    let world = SimpleCommunicator::world();
    let root = world.process_at_rank(0);
    let count = message_len(mine)?;
    if world.rank() != 0 {
        root.gather_into(&count);
        root.gather_varcount_into(mine);
        return Ok(None);
    }
    let mut counts = vec![0i32; world.size() as usize];
    root.gather_into_root(&count, &mut counts[..]);
    let displs = displacements(&counts);
    let mut all = vec![T::default(); counts.iter().map(|&c| c as usize).sum()];
    {
        let mut partition = PartitionMut::new(&mut all[..], &counts[..], &displs[..]);
        root.gather_varcount_into_root(mine, &mut partition);
    }
    Ok(Some(all))
}

/// Every rank's buffer, in rank order.
pub(super) fn all_gather_by_rank<T: Equivalence + Default + Clone>(
    mine: &[T],
) -> Result<Vec<Vec<T>>> {
    let (all, counts) = all_gather_counted(mine)?;
    let mut rest = all.as_slice();
    Ok(counts
        .iter()
        .map(|&c| {
            let (part, tail) = rest.split_at(c as usize);
            rest = tail;
            part.to_vec()
        })
        .collect())
}

/// [`all_gather`] and the length each rank sent.
fn all_gather_counted<T: Equivalence + Default + Clone>(mine: &[T]) -> Result<(Vec<T>, Vec<i32>)> {
    let world = SimpleCommunicator::world();
    let count = message_len(mine)?;
    let mut counts = vec![0i32; world.size() as usize];
    world.all_gather_into(&count, &mut counts[..]);
    let displs = displacements(&counts);
    let total: usize = counts.iter().map(|&c| c as usize).sum();
    let mut all = vec![T::default(); total];
    {
        let mut partition = PartitionMut::new(&mut all[..], &counts[..], &displs[..]);
        world.all_gather_varcount_into(mine, &mut partition);
    }
    Ok((all, counts))
}

/// The length of a rank's buffer as MPI counts it.
fn message_len<T>(mine: &[T]) -> Result<i32> {
    i32::try_from(mine.len()).map_err(|_| {
        Error::invalid(format!(
            "a rank's share of a result ({} elements) is too large for one MPI message; \
             write it to Zarr instead of keeping it in memory",
            mine.len()
        ))
    })
}

/// Where each rank's buffer starts in the gathered one.
fn displacements(counts: &[i32]) -> Vec<i32> {
    counts
        .iter()
        .scan(0i32, |acc, &c| {
            let d = *acc;
            *acc += c;
            Some(d)
        })
        .collect()
}

/// Every rank sends the regions it wrote into `data` (bounds, then values in order) and
/// writes everyone else's into its own copy; with `root_only`, only rank 0 receives.
pub(super) fn gather_regions(
    data: &mut ArrayData,
    mine: &[Vec<Range<usize>>],
    root_only: bool,
) -> Result<()> {
    let ndim = data.shape().len();
    // A 0-d region has no bounds: it is sent as one placeholder pair.
    let bounds: Vec<u64> = mine
        .iter()
        .flat_map(|r| {
            let pairs: Vec<u64> = r
                .iter()
                .flat_map(|a| [a.start as u64, a.end as u64])
                .collect();
            if ndim == 0 { vec![0, 1] } else { pairs }
        })
        .collect();
    let Some(all_bounds) = gather(&bounds, root_only)? else {
        // Not rank 0, gathering on rank 0: send the values too, and keep nothing.
        match_data!(data, a: T => {
            let values = region_values(a, mine);
            gather(&values, true)?;
            return Ok(());
        })
    };
    let regions: Vec<Vec<Range<usize>>> = all_bounds
        .chunks(2 * ndim.max(1))
        .map(|b| {
            b.chunks(2)
                .take(ndim)
                .map(|p| p[0] as usize..p[1] as usize)
                .collect::<Vec<_>>()
        })
        .collect();
    match_data!(data, a: T => {
        let values = region_values(a, mine);
        let all_values = gather(&values, root_only)?
            .ok_or_else(|| Error::internal("distributed", "rank 0 received no values"))?;
        let mut at = 0;
        for r in &regions {
            let n: usize = r.iter().map(|x| x.len()).product();
            let block = all_values
                .get(at..at + n)
                .ok_or_else(|| Error::internal("distributed", "gathered values shorter than their regions"))?;
            at += n;
            let shape: Vec<usize> = r.iter().map(|x| x.len()).collect();
            let block = ndarray::ArrayViewD::from_shape(ndarray::IxDyn(&shape), block)
                .map_err(|e| Error::internal("distributed", e.to_string()))?;
            a.slice_mut(crate::engine::chunk::slice_info(r).as_slice())
                .assign(&block);
        }
        Ok(())
    })
}

/// The values of `regions` of `a`, one region after the other in C order.
fn region_values<T: Copy>(a: &ndarray::ArrayD<T>, regions: &[Vec<Range<usize>>]) -> Vec<T> {
    let mut values = vec![];
    for r in regions {
        let region = a.slice(crate::engine::chunk::slice_info(r).as_slice());
        values.extend(region.iter().copied());
    }
    values
}
