//! A computation's task profile inline in a notebook: the HTML task stream and memory
//! curve that [`Compute::profile`](crate::Compute::profile) writes to a file, shown in
//! the cell (the dashboard's picture after the run, without a server).

use crate::engine::Profile;

impl Profile {
    /// Shows [`to_html`](Self::to_html) in the evcxr Jupyter kernel.
    ///
    /// ```no_run
    /// use tessera::prelude::*;
    /// let a = LazyArray::from_ndarray(ndarray::Array2::<f64>::ones((400, 400)).into_dyn(), &[50, 400])?;
    /// let c = Compute::new().record_profile();
    /// c.run(&[&a.sum(&[0])?])?;
    /// if let Some(p) = c.last_profile() {
    ///     p.evcxr_display(); // the task lanes and memory curve in the cell
    /// }
    /// # Ok::<(), Error>(())
    /// ```
    pub fn evcxr_display(&self) {
        super::evcxr::evcxr_html(&self.to_html());
    }
}
