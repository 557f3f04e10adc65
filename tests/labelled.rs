//! The labelled layer through its public API, one test binary: hand-checked behaviour,
//! errors, reprs, property tests against single-chunk runs, the golden suites replayed
//! against xarray (labelled, groupby, CF, calculus, coarsen, windows), the synthetic
//! datasets and the quick-look plots.

#[path = "support"]
mod support {
    pub(crate) mod cf_datasets;
    pub(crate) mod chunk_splits;
    pub(crate) mod golden;
}

#[path = "labelled/basic.rs"]
mod basic;
#[path = "labelled/calculus_golden.rs"]
mod calculus_golden;
#[path = "labelled/cf_behaviour.rs"]
mod cf_behaviour;
#[path = "labelled/cf_errors.rs"]
mod cf_errors;
#[path = "labelled/cf_golden.rs"]
mod cf_golden;
#[path = "labelled/coarsen_golden.rs"]
mod coarsen_golden;
#[path = "labelled/compute_golden.rs"]
mod compute_golden;
#[path = "labelled/compute_props.rs"]
mod compute_props;
#[path = "labelled/errors.rs"]
mod errors;
#[path = "labelled/golden.rs"]
mod golden;
#[path = "labelled/groupby_golden.rs"]
mod groupby_golden;
#[path = "labelled/missing_behaviour.rs"]
mod missing_behaviour;
#[path = "labelled/missing_golden.rs"]
mod missing_golden;
#[path = "labelled/missing_props.rs"]
mod missing_props;
#[cfg(feature = "plot")]
#[path = "labelled/plot.rs"]
mod plot;
#[path = "labelled/props.rs"]
mod props;
#[path = "labelled/repr.rs"]
mod repr;
#[path = "labelled/selection_errors.rs"]
mod selection_errors;
#[path = "labelled/selection_golden.rs"]
mod selection_golden;
#[path = "labelled/selection_props.rs"]
mod selection_props;
#[path = "labelled/synthetic.rs"]
mod synthetic;
#[path = "labelled/time_golden.rs"]
mod time_golden;
#[path = "labelled/time_props.rs"]
mod time_props;
#[path = "labelled/window_golden.rs"]
mod window_golden;
