//! Selection over several dims in one call: a builder of label and position
//! selections with a shared tolerance for nearest lookups, and the two shortcuts
//! `sel_nearest_many` and `sel_slices`.

use crate::Result;
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::dataset::Dataset;
use crate::labelled::core::index::Label;
use crate::labelled::core::select::LabelSel;

/// Objects a [`Selection`] can run on: [`DataArray`] and [`Dataset`].
pub trait Selectable: Sized + Clone {
    /// Selection by labels on one dim.
    fn select_labels(&self, dim: &str, sel: &LabelSel) -> Result<Self>;
    /// A Python-style slice of positions on one dim.
    fn select_positions(
        &self,
        dim: &str,
        start: Option<isize>,
        stop: Option<isize>,
        step: isize,
    ) -> Result<Self>;
}

impl Selectable for DataArray {
    fn select_labels(&self, dim: &str, sel: &LabelSel) -> Result<Self> {
        self.sel_with(dim, sel)
    }
    fn select_positions(
        &self,
        dim: &str,
        start: Option<isize>,
        stop: Option<isize>,
        step: isize,
    ) -> Result<Self> {
        self.isel_slice(dim, start, stop, step)
    }
}

impl Selectable for Dataset {
    fn select_labels(&self, dim: &str, sel: &LabelSel) -> Result<Self> {
        self.sel_with(dim, sel)
    }
    fn select_positions(
        &self,
        dim: &str,
        start: Option<isize>,
        stop: Option<isize>,
        step: isize,
    ) -> Result<Self> {
        self.isel_slice(dim, start, stop, step)
    }
}

enum Step {
    Labels(String, LabelSel),
    Positions(String, Option<isize>, Option<isize>, isize),
}

/// Several selections to run in order, built by name (xarray's
/// `da.sel(lat=35.3, lon=slice(120, 200), method="nearest", tolerance=1)` in one
/// call). Start one with `select()` on a [`DataArray`] or [`Dataset`].
///
/// ```
/// use ndarray::{Array, IxDyn};
/// use tessera::labelled::DataArray;
///
/// let sla = DataArray::from_ndarray("sla", ["latitude", "longitude"], Array::from_elem(IxDyn(&[4, 5]), 0.5f64), &[2, 2])?
///     .with_coord_values("latitude", vec![20.0, 30.0, 40.0, 50.0])?
///     .with_coord_values("longitude", vec![100.0, 125.0, 150.0, 175.0, 200.0])?;
/// let point = sla.select().nearest("latitude", 35.3).nearest("longitude", 150.7).tolerance(5.0).run()?;
/// assert_eq!(point.shape(), &[] as &[usize]);
/// let box_ = sla.sel_slices([("latitude", 20.0, 40.0), ("longitude", 120.0, 200.0)])?;
/// assert_eq!(box_.shape(), &[3, 4]);
/// let p = sla.sel_nearest_many([("latitude", 35.3), ("longitude", 150.7)])?;
/// assert_eq!(p.coord("latitude")?.values::<f64>()?[[]], 40.0);
/// assert!(sla.select().nearest("latitude", 90.0).tolerance(5.0).run().is_err());
/// # Ok::<(), tessera::Error>(())
/// ```
pub struct Selection<'a, T: Selectable> {
    obj: &'a T,
    steps: Vec<Step>,
    tolerance: Option<f64>,
}

impl<'a, T: Selectable> Selection<'a, T> {
    fn new(obj: &'a T) -> Self {
        Selection {
            obj,
            steps: vec![],
            tolerance: None,
        }
    }

    /// An exact label (the dim is dropped; a partial date keeps it).
    pub fn exact(mut self, dim: &str, label: impl Into<Label>) -> Self {
        self.steps
            .push(Step::Labels(dim.into(), LabelSel::Exact(label.into())));
        self
    }

    /// The nearest label (within the selection's tolerance, if set).
    pub fn nearest(mut self, dim: &str, label: impl Into<Label>) -> Self {
        self.steps.push(Step::Labels(
            dim.into(),
            LabelSel::Nearest(label.into(), None),
        ));
        self
    }

    /// The nearest label to each of several.
    pub fn nearest_list<L: Into<Label>>(
        mut self,
        dim: &str,
        labels: impl IntoIterator<Item = L>,
    ) -> Self {
        let ls = labels.into_iter().map(Into::into).collect();
        self.steps
            .push(Step::Labels(dim.into(), LabelSel::NearestList(ls, None)));
        self
    }

    /// Labels from `start` to `stop`, both included.
    pub fn slice(mut self, dim: &str, start: impl Into<Label>, stop: impl Into<Label>) -> Self {
        let s = LabelSel::Slice(Some(start.into()), Some(stop.into()));
        self.steps.push(Step::Labels(dim.into(), s));
        self
    }

    /// Several exact labels.
    pub fn list<L: Into<Label>>(mut self, dim: &str, labels: impl IntoIterator<Item = L>) -> Self {
        let ls = labels.into_iter().map(Into::into).collect();
        self.steps
            .push(Step::Labels(dim.into(), LabelSel::List(ls)));
        self
    }

    /// A Python-style slice of positions (`start:stop:step`, negatives from the end).
    pub fn positions(
        mut self,
        dim: &str,
        start: Option<isize>,
        stop: Option<isize>,
        step: isize,
    ) -> Self {
        self.steps
            .push(Step::Positions(dim.into(), start, stop, step));
        self
    }

    /// The tolerance of every nearest lookup (index units; microseconds on
    /// datetime indexes); a lookup farther away is a `LabelNotFound` error.
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        self.tolerance = Some(tolerance);
        self
    }

    /// Runs the selections in the order they were added.
    pub fn run(self) -> Result<T> {
        let mut out = self.obj.clone();
        for step in self.steps {
            out = match step {
                Step::Labels(dim, sel) => {
                    let sel = match sel {
                        LabelSel::Nearest(l, None) => LabelSel::Nearest(l, self.tolerance),
                        LabelSel::NearestList(l, None) => LabelSel::NearestList(l, self.tolerance),
                        other => other,
                    };
                    out.select_labels(&dim, &sel)?
                }
                Step::Positions(dim, a, b, s) => out.select_positions(&dim, a, b, s)?,
            };
        }
        Ok(out)
    }
}

macro_rules! builder_methods {
    ($ty:ty) => {
        impl $ty {
            /// A [`Selection`] over several dims, run with `.run()`.
            pub fn select(&self) -> Selection<'_, $ty> {
                Selection::new(self)
            }

            /// The nearest label on each of several dims (`sel(lat=.., lon=..,
            /// method="nearest")`).
            pub fn sel_nearest_many<'d, L: Into<Label>>(
                &self,
                points: impl IntoIterator<Item = (&'d str, L)>,
            ) -> Result<$ty> {
                points
                    .into_iter()
                    .fold(self.select(), |s, (d, l)| s.nearest(d, l))
                    .run()
            }

            /// Inclusive label slices on several dims (`sel(lat=slice(..), lon=slice(..))`).
            pub fn sel_slices<'d, L: Into<Label>>(
                &self,
                slices: impl IntoIterator<Item = (&'d str, L, L)>,
            ) -> Result<$ty> {
                slices
                    .into_iter()
                    .fold(self.select(), |s, (d, a, b)| s.slice(d, a, b))
                    .run()
            }
        }
    };
}

builder_methods!(DataArray);
builder_methods!(Dataset);
