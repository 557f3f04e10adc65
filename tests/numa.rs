//! NUMA-aware execution (issue 22) through the public API: topology parsing against
//! fixture sysfs trees, the `TESSERA_NUMA` setting, threads bound to their node's CPUs
//! under `mock:2`, remote steals, page placement, and results equal in every mode.

#[path = "support"]
mod support {
    pub(crate) mod proptest_regressions;
}

#[path = "numa/modes_props.rs"]
mod modes_props;
#[path = "numa/placement.rs"]
mod placement;
#[path = "numa/scheduling.rs"]
mod scheduling;
#[path = "numa/topology.rs"]
mod topology;
