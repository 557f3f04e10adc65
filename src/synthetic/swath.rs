//! Simulated satellite swaths (USECASES.md §3): each array is one pass of an instrument
//! over a square scene, Gaussian footprints along a slanted ground track plus seeded
//! noise, generated chunk by chunk and never whole.

use std::ops::Range;

use ndarray::{Array2, ArrayD, IxDyn};

use super::{splitmix, uniform};
use crate::Result;
use crate::engine::{ArrayData, ChunkGrid, DType, LazyArray};

/// Footprints along one track.
const FOOTPRINTS: usize = 64;
/// Footprints are summed out to this many standard deviations.
const REACH_SIGMAS: f64 = 4.0;
/// Amplitude of the uniform noise added to every element.
const NOISE: f64 = 0.01;

/// One generated `size × size` float32 array: swath `index` of a simulated product.
///
/// Values depend only on `(seed, index, row, column)`, never on the chunking, so a
/// chunk recomputed on its own equals the same region of the array computed whole.
///
/// ```
/// use tessera::synthetic::Swath;
/// let s = Swath::new(3, 256, 42);
/// let whole = s.block(0..256, 0..256);
/// let part = s.block(64..128, 200..256);
/// assert_eq!(part[[5, 7]], whole[[69, 207]]);
/// ```
#[derive(Clone, Debug)]
pub struct Swath {
    index: usize,
    size: usize,
    seed: u64,
    /// Footprint centres (row, column) and amplitudes.
    footprints: Vec<(f64, f64, f64)>,
    sigma: f64,
}

impl Swath {
    /// Swath `index` of a product of `size × size` arrays, noise seeded by `seed`.
    pub fn new(index: usize, size: usize, seed: u64) -> Swath {
        let n = size as f64;
        let h = |salt: u64| uniform(seed, 0x5157_4154, &[index, salt as usize]);
        // A track entering on the left edge at a height and slope of its own.
        let row0 = h(1) * n;
        let slope = (h(2) - 0.5) * 1.2;
        let footprints = (0..FOOTPRINTS)
            .map(|f| {
                let col = (f as f64 + 0.5) * n / FOOTPRINTS as f64;
                let row = row0 + slope * col;
                let amplitude = 1.0 + 0.2 * (h(10 + f as u64) - 0.5);
                (row, col, amplitude)
            })
            .collect();
        Swath {
            index,
            size,
            seed,
            footprints,
            sigma: (n / 256.0).max(0.5),
        }
    }

    /// The values of rows `rows` and columns `cols`, computed from scratch: the noise
    /// first, then each footprint added (in float64, rounded once per footprint) over
    /// the part of the block it reaches.
    pub fn block(&self, rows: Range<usize>, cols: Range<usize>) -> Array2<f32> {
        let stream = splitmix(self.seed ^ self.index as u64);
        let mut out = Array2::from_shape_fn((rows.len(), cols.len()), |(i, j)| {
            let at = (rows.start + i) * self.size + cols.start + j;
            let u = (splitmix(stream ^ at as u64) >> 11) as f64 / (1u64 << 53) as f64;
            (NOISE * (u - 0.5)) as f32
        });
        let reach = REACH_SIGMAS * self.sigma;
        let two_var = 2.0 * self.sigma * self.sigma;
        let clamp = |x: f64, r: &Range<usize>| x.clamp(r.start as f64, r.end as f64) as usize;
        for &(r, c, amp) in &self.footprints {
            let (r_lo, r_hi) = (
                clamp((r - reach).floor(), &rows),
                clamp((r + reach).ceil(), &rows),
            );
            let (c_lo, c_hi) = (
                clamp((c - reach).floor(), &cols),
                clamp((c + reach).ceil(), &cols),
            );
            for i in r_lo..r_hi {
                let dr = i as f64 - r;
                for j in c_lo..c_hi {
                    let dc = j as f64 - c;
                    let v = &mut out[[i - rows.start, j - cols.start]];
                    *v = (f64::from(*v) + amp * (-(dr * dr + dc * dc) / two_var).exp()) as f32;
                }
            }
        }
        out
    }

    /// The array as a lazy generator source chunked `chunk × chunk`.
    pub fn lazy(&self, chunk: usize) -> Result<LazyArray> {
        let grid = ChunkGrid::regular(&[self.size, self.size], &[chunk, chunk])?;
        let swath = self.clone();
        Ok(LazyArray::from_fn(
            format!("swath-{}", self.index),
            DType::F32,
            grid,
            move |_, region: &[Range<usize>]| {
                let block = swath.block(region[0].clone(), region[1].clone());
                let shape = block.shape().to_vec();
                let data = ArrayD::from_shape_vec(IxDyn(&shape), block.into_raw_vec_and_offset().0)
                    .expect("shape of the block just made");
                Ok(ArrayData::new(data))
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_do_not_depend_on_the_chunking() {
        let s = Swath::new(1, 300, 9);
        let whole = s.block(0..300, 0..300);
        for (rows, cols) in [(0..17, 5..300), (150..300, 0..1), (299..300, 299..300)] {
            let part = s.block(rows.clone(), cols.clone());
            let same = whole.slice(ndarray::s![rows, cols]);
            assert_eq!(part, same);
        }
    }

    #[test]
    fn the_track_carries_the_signal() {
        let s = Swath::new(0, 512, 1);
        let a = s.block(0..512, 0..512);
        let peak = a.iter().cloned().fold(f32::MIN, f32::max);
        assert!(peak > 0.8, "footprints reach about 1: {peak}");
        let quiet = a.iter().filter(|v| v.abs() < 0.01).count();
        assert!(quiet > a.len() / 2, "most of the scene is noise only");
    }
}
