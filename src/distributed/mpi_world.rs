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

/// Gathers from every rank a variable-length buffer into one, in rank order.
fn all_gather<T: Equivalence + Default + Clone>(mine: &[T]) -> Result<Vec<T>> {
    Ok(all_gather_counted(mine)?.0)
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
    let count = i32::try_from(mine.len()).map_err(|_| {
        Error::invalid(format!(
            "a rank's share of a result ({} elements) is too large for one MPI message; \
             write it to Zarr instead of keeping it in memory",
            mine.len()
        ))
    })?;
    let mut counts = vec![0i32; world.size() as usize];
    world.all_gather_into(&count, &mut counts[..]);
    let displs: Vec<i32> = counts
        .iter()
        .scan(0i32, |acc, &c| {
            let d = *acc;
            *acc += c;
            Some(d)
        })
        .collect();
    let total: usize = counts.iter().map(|&c| c as usize).sum();
    let mut all = vec![T::default(); total];
    {
        let mut partition = PartitionMut::new(&mut all[..], &counts[..], &displs[..]);
        world.all_gather_varcount_into(mine, &mut partition);
    }
    Ok((all, counts))
}

/// Every rank sends the regions it wrote into `data` (bounds, then values in order) and
/// writes everyone else's into its own copy.
pub(super) fn gather_regions(data: &mut ArrayData, mine: &[Vec<Range<usize>>]) -> Result<()> {
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
    let all_bounds = all_gather(&bounds)?;
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
        let mut values: Vec<T> = vec![];
        for r in mine {
            let region = a.slice(crate::engine::chunk::slice_info(r).as_slice());
            values.extend(region.iter().copied());
        }
        let all_values = all_gather(&values)?;
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
