//! `head`, `tail`, `thin` (the first, last or every n-th positions of one or
//! several dims) and `drop_sel` (every label but the given ones), on both
//! `DataArray` and `Dataset`, as strided slices or position lists.

use crate::engine::AxisSlice;
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::dataset::Dataset;
use crate::labelled::core::index::Label;
use crate::labelled::core::select::Positions;
use crate::{Error, Result};

macro_rules! positional_methods {
    ($ty:ty) => {
        impl $ty {
            /// The first `n` positions of each dim (fewer if the dim is shorter), as
            /// xarray's `head({dim: n})`.
            pub fn head(&self, dims: &[(&str, usize)]) -> Result<Self> {
                let mut out = self.clone();
                for &(dim, n) in dims {
                    let len = out.dim_len_or_err(dim)?;
                    let s = AxisSlice {
                        start: 0,
                        step: 1,
                        len: n.min(len),
                    };
                    out = out.isel_positions(dim, &Positions::Slice(s))?;
                }
                Ok(out)
            }

            /// The last `n` positions of each dim, as xarray's `tail({dim: n})`.
            pub fn tail(&self, dims: &[(&str, usize)]) -> Result<Self> {
                let mut out = self.clone();
                for &(dim, n) in dims {
                    let len = out.dim_len_or_err(dim)?;
                    let k = n.min(len);
                    let s = AxisSlice {
                        start: len - k,
                        step: 1,
                        len: k,
                    };
                    out = out.isel_positions(dim, &Positions::Slice(s))?;
                }
                Ok(out)
            }

            /// Every `n`-th position of each dim from the first, as xarray's
            /// `thin({dim: n})`; `n` must be positive.
            pub fn thin(&self, dims: &[(&str, usize)]) -> Result<Self> {
                let mut out = self.clone();
                for &(dim, n) in dims {
                    let len = out.dim_len_or_err(dim)?;
                    if n == 0 {
                        return Err(Error::invalid(format!(
                            "thin step for {dim:?} must be positive, got 0"
                        )));
                    }
                    let s = AxisSlice {
                        start: 0,
                        step: n as isize,
                        len: len.div_ceil(n),
                    };
                    out = out.isel_positions(dim, &Positions::Slice(s))?;
                }
                Ok(out)
            }

            /// Everything but the given labels of `dim` (xarray's `drop_sel({dim:
            /// labels})`); a label that is not in the index is a
            /// [`Error::LabelNotFound`].
            pub fn drop_sel<L: Into<Label>>(
                &self,
                dim: &str,
                labels: impl IntoIterator<Item = L>,
            ) -> Result<Self> {
                let len = self.dim_len_or_err(dim)?;
                let index = self.coords().index(dim).ok_or_else(|| {
                    Error::invalid(format!(
                        "cannot drop labels of {dim:?}: it has no coordinate"
                    ))
                })?;
                let mut drop = vec![false; len];
                for l in labels {
                    for p in index.get(&l.into())? {
                        drop[p] = true;
                    }
                }
                let keep: Vec<usize> = (0..len).filter(|&i| !drop[i]).collect();
                self.isel_positions(dim, &Positions::List(keep))
            }
        }
    };
}

positional_methods!(DataArray);
positional_methods!(Dataset);

impl DataArray {
    fn dim_len_or_err(&self, dim: &str) -> Result<usize> {
        self.dim_len(dim)
    }
}

impl Dataset {
    fn dim_len_or_err(&self, dim: &str) -> Result<usize> {
        super::positions::dim_len(self, dim)
    }
}
