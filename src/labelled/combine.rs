//! Combining labelled objects: `concat` and `merge` (being written).
