//! Bad input to the labelled layer gets a clear [`Error`]: the right variant, and a
//! message naming what the user wrote and what exists, so that the message alone is
//! enough to fix the call.
//!
//! Tests marked `#[ignore = "..."]` state the behaviour that should hold and does not
//! yet (the reason says what happens instead).

use ndarray::{Array, IxDyn};
use tessera::engine::{BinaryOp, LazyArray, ReduceKind};
use tessera::labelled::align_pair;
use tessera::labelled::{
    Attrs, DataArray, Dataset, Dims, Join, LabelSel, ReduceArgs, Variable, align_datasets,
};
use tessera::labelled::{Compat, merge};
use tessera::time::{Calendar, parse_datetime_str};
use tessera::{Error, Result};

/// t(time, lat, lon) with numeric indexes; latitude descends.
fn grid() -> DataArray {
    let a = Array::from_shape_fn(IxDyn(&[4, 3, 5]), |i| {
        (100 * i[0] + 10 * i[1] + i[2]) as f64
    });
    DataArray::from_ndarray("t", ["time", "lat", "lon"], a, &[3, 2, 5])
        .unwrap()
        .with_coord_values("time", vec![0.0, 1.0, 2.0, 3.0])
        .unwrap()
        .with_coord_values("lat", vec![60.0, 0.0, -60.0])
        .unwrap()
        .with_coord_values("lon", vec![0.0, 90.0, 180.0, 270.0, 360.0])
        .unwrap()
}

/// A dataset holding `t` and its time mean `clim`.
fn dataset() -> Dataset {
    let t = grid();
    let mut ds = Dataset::from_array(&t).unwrap();
    ds.insert_array(&t.mean("time").unwrap().rename("clim"))
        .unwrap();
    ds
}

/// v(time) over six days from 2000-01-30 in the noleap calendar.
fn daily() -> DataArray {
    let cal = Calendar::NoLeap;
    let start = parse_datetime_str("2000-01-30", cal).unwrap().0;
    let days: Vec<i64> = (0..6).map(|d| start + d * 86_400_000_000).collect();
    let mut enc = Attrs::new();
    enc.insert("calendar".into(), cal.name().into());
    let time = Variable::new(
        ["time"],
        LazyArray::from_ndarray(Array::from_shape_vec(IxDyn(&[6]), days).unwrap(), &[6]).unwrap(),
    )
    .unwrap()
    .with_encoding(enc);
    DataArray::from_ndarray("v", ["time"], Array::from_elem(IxDyn(&[6]), 1.0), &[4])
        .unwrap()
        .with_coord("time", time)
        .unwrap()
}

/// The error of a call that must fail.
fn fails<T: std::fmt::Debug>(what: &str, r: Result<T>) -> Error {
    match r {
        Ok(v) => panic!("{what}: expected an error, got {v:?}"),
        Err(e) => e,
    }
}

/// Asserts that the message contains every part.
fn mentions(e: &Error, parts: &[&str]) {
    let text = e.to_string();
    for p in parts {
        assert!(text.contains(p), "message {text:?} does not mention {p:?}");
    }
}

const DIMS: [&str; 3] = ["time", "lat", "lon"];

/// An `UnknownDimension` for "depth" that lists the existing dims.
fn unknown_depth(what: &str, e: Error) {
    match &e {
        Error::UnknownDimension { dim, dims } => {
            assert_eq!(dim, "depth", "{what}");
            assert_eq!(dims, &DIMS, "{what}");
        }
        other => panic!("{what}: expected UnknownDimension, got {other:?}"),
    }
    mentions(&e, &["\"depth\"", "\"time\"", "\"lat\"", "\"lon\""]);
}

#[test]
fn unknown_dimension_in_a_reduction_names_it_and_the_dims() {
    let t = grid();
    let cases: Vec<(&str, Result<DataArray>)> = vec![
        ("mean", t.mean("depth")),
        ("sum over two", t.sum(["lat", "depth"])),
        ("std", t.std("depth", 1)),
        (
            "reduce",
            t.reduce(ReduceKind::Max, "depth", ReduceArgs::default()),
        ),
        ("argmin", t.argmin("depth")),
        ("median", t.median("depth", None)),
        ("quantile", t.quantile(&[0.5], "depth", None)),
        (
            "weighted mean",
            t.weighted(&t).and_then(|w| w.mean("depth")),
        ),
    ];
    for (what, r) in cases {
        unknown_depth(what, fails(what, r));
    }
    let e = fails(
        "Dataset.reduce",
        dataset().reduce(ReduceKind::Mean, "depth", ReduceArgs::default()),
    );
    unknown_depth("Dataset.reduce", e);
}

#[test]
fn unknown_dimension_in_isel_names_it_and_the_dims() {
    let t = grid();
    unknown_depth("isel", fails("isel", t.isel("depth", 0)));
    unknown_depth(
        "isel_slice",
        fails("isel_slice", t.isel_slice("depth", None, Some(2), 1)),
    );
    unknown_depth("isel_list", fails("isel_list", t.isel_list("depth", &[0])));
    unknown_depth(
        "Dataset.isel",
        fails("Dataset.isel", dataset().isel("depth", 0)),
    );
}

#[test]
fn unknown_dimension_in_sel_names_it_and_the_dims() {
    let t = grid();
    unknown_depth("sel", fails("sel", t.sel("depth", 10.0)));
    unknown_depth(
        "sel_slice",
        fails("sel_slice", t.sel_slice("depth", 0.0, 10.0)),
    );
    unknown_depth(
        "sel_nearest",
        fails("sel_nearest", t.sel_nearest("depth", 10.0, None)),
    );
    unknown_depth(
        "Dataset.sel",
        fails("Dataset.sel", dataset().sel("depth", 10.0)),
    );
}

#[test]
fn unknown_dimension_in_transpose_names_it_and_the_dims() {
    let t = grid();
    unknown_depth(
        "transpose",
        fails("transpose", t.transpose(&["lat", "depth", "lon"])),
    );
    // An order of the wrong length is refused too, naming what was written.
    let e = fails("short transpose", t.transpose(&["lat", "depth"]));
    assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
    mentions(&e, &["\"depth\"", "\"time\"", "\"lat\"", "\"lon\""]);
}

#[test]
fn unknown_dimension_in_chunk_names_it_and_the_dims() {
    let t = grid();
    unknown_depth("chunk", fails("chunk", t.chunk(&[("depth", 2)])));
    unknown_depth(
        "chunk with a good dim first",
        fails("chunk", t.chunk(&[("lat", 1), ("depth", 2)])),
    );
}

#[test]
fn missing_label_names_it_and_the_nearest_existing_label() {
    let t = grid();
    // Numeric index: the hint is the nearest label.
    let e = fails("sel", t.sel("lat", 10.0));
    match &e {
        Error::LabelNotFound { label, dim, hint } => {
            assert_eq!((label.as_str(), dim.as_str()), ("10", "lat"));
            assert_eq!(hint, " (nearest: 0)");
        }
        other => panic!("expected LabelNotFound, got {other:?}"),
    }
    mentions(&e, &["10", "\"lat\"", "nearest: 0"]);
    let e = fails("sel beyond the end", t.sel("lon", 1000.0));
    assert!(matches!(e, Error::LabelNotFound { .. }), "{e:?}");
    mentions(&e, &["1000", "\"lon\"", "nearest: 360"]);
    // In a list, the missing one is named.
    let e = fails("sel_list", t.sel_list("lat", [60.0, 10.0]));
    assert!(matches!(e, Error::LabelNotFound { .. }), "{e:?}");
    mentions(&e, &["label 10 ", "nearest: 0"]);
    // String index: labels sharing the first letter, else the first few labels.
    let s = t
        .clone()
        .with_coord_strings("lat", vec!["alpha".into(), "beta".into(), "gamma".into()])
        .unwrap();
    let e = fails("sel string", s.sel("lat", "gamm"));
    assert!(matches!(e, Error::LabelNotFound { .. }), "{e:?}");
    mentions(&e, &["\"gamm\"", "\"lat\"", "labels include [\"gamma\"]"]);
    let e = fails("sel string", s.sel("lat", "zeta"));
    mentions(
        &e,
        &[
            "\"zeta\"",
            "labels include [\"alpha\", \"beta\", \"gamma\"]",
        ],
    );
    // Datetime index: a date (or a period) outside it; the nearest date is named.
    let d = daily();
    let e = fails("sel date", d.sel("time", "2000-02-15"));
    assert!(matches!(e, Error::LabelNotFound { .. }), "{e:?}");
    mentions(&e, &["\"2000-02-15\"", "\"time\"", "nearest: 2000-02-04"]);
    let e = fails("sel period", d.sel("time", "2001-05"));
    mentions(&e, &["\"2001-05\"", "nearest: 2000-02-04"]);
    // A label of the wrong kind says which kind of index it is.
    let e = fails("sel a string on numbers", t.sel("lat", "north"));
    assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
    mentions(&e, &["\"north\"", "numeric index \"lat\""]);
}

#[test]
fn label_slice_on_an_unsorted_index_says_to_sort_it() {
    let u = grid()
        .with_coord_values("lon", vec![0.0, 270.0, 90.0, 180.0, 360.0])
        .unwrap();
    let e = fails("sel_slice", u.sel_slice("lon", 0.0, 180.0));
    match &e {
        Error::NonMonotonicIndex { dim, op } => {
            assert_eq!(dim, "lon");
            assert!(op.contains("slice"), "{op}");
        }
        other => panic!("expected NonMonotonicIndex, got {other:?}"),
    }
    mentions(&e, &["\"lon\"", "not monotonic", "slice", "sort"]);
    let e = fails("sel_nearest", u.sel_nearest("lon", 100.0, None));
    assert!(matches!(e, Error::NonMonotonicIndex { .. }), "{e:?}");
    mentions(&e, &["\"lon\"", "nearest"]);
    // Exact labels do not need a sorted index.
    assert_eq!(u.sel("lon", 90.0).unwrap().dims(), &["time", "lat"]);
}

#[test]
fn exact_join_of_different_indexes_is_an_alignment_error() {
    let t = grid();
    let part = t.isel_slice("lon", Some(1), Some(4), 1).unwrap();
    let e = fails("align_pair", align_pair(&t, &part, Join::Exact));
    match &e {
        Error::Alignment { dim, join, reason } => {
            assert_eq!((dim.as_str(), join.as_str()), ("lon", "exact"));
            assert!(reason.contains('5') && reason.contains('3'), "{reason}");
        }
        other => panic!("expected Alignment, got {other:?}"),
    }
    mentions(&e, &["\"lon\"", "join=exact"]);
    let ds = dataset();
    let e = fails(
        "align_datasets",
        align_datasets(
            &ds,
            &ds.isel_slice("lat", None, Some(2), 1).unwrap(),
            Join::Exact,
        ),
    );
    assert!(
        matches!(&e, Error::Alignment { dim, .. } if dim == "lat"),
        "{e:?}"
    );
    let e = fails(
        "merge",
        merge(
            &[&ds, &ds.isel_slice("time", Some(1), None, 1).unwrap()],
            Compat::NoConflicts,
            Join::Exact,
        ),
    );
    assert!(
        matches!(&e, Error::Alignment { dim, .. } if dim == "time"),
        "{e:?}"
    );
    // Equal indexes align.
    assert!(align_pair(&t, &t.sum("time").unwrap(), Join::Exact).is_ok());
}

#[test]
fn exact_join_of_same_length_indexes_names_a_differing_label() {
    let t = grid();
    let moved = t
        .clone()
        .with_coord_values("lon", vec![0.0, 90.0, 180.0, 270.0, 361.0])
        .unwrap();
    let e = fails("align_pair", align_pair(&t, &moved, Join::Exact));
    assert!(matches!(e, Error::Alignment { .. }), "{e:?}");
    mentions(&e, &["\"lon\"", "360", "361"]);
}

#[test]
fn weights_with_missing_values_say_to_fill_them() {
    let t = grid();
    let w = t
        .isel("time", 0)
        .unwrap()
        .binary_scalar(BinaryOp::Div, 0.0, false)
        .unwrap()
        .rename("area");
    // 0/0 at lat 60, lon 0: one NaN weight.
    let e = fails("weighted", t.weighted(&w));
    assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
    mentions(&e, &["\"area\"", "missing", "fillna"]);
    // Filled weights are accepted.
    assert!(t.weighted(&w.fillna(0.0).unwrap()).is_ok());
}

#[test]
fn statistics_a_dtype_does_not_support_name_the_dtype() {
    let b = Array::from_shape_fn(IxDyn(&[2, 3]), |i| (i[0] + i[1]) % 2 == 0);
    let mask = DataArray::from_ndarray("mask", ["x", "y"], b, &[1, 3]).unwrap();
    let cases: Vec<(&str, &str, Result<DataArray>)> = vec![
        ("quantile", "quantile", mask.quantile(&[0.5], "x", None)),
        (
            "quantile_scalar",
            "quantile",
            mask.quantile_scalar(0.5, "x", None),
        ),
        ("median", "median", mask.median("x", None)),
        ("std", "Std", mask.std("x", 0)),
        ("var", "Var", mask.var("x", 1)),
    ];
    for (what, op_name, r) in cases {
        let e = fails(what, r);
        match &e {
            Error::UnsupportedDType { op, dtype } => {
                assert_eq!(op, op_name, "{what}");
                assert_eq!(dtype.name(), "bool", "{what}");
            }
            other => panic!("{what}: expected UnsupportedDType, got {other:?}"),
        }
        mentions(&e, &[op_name, "bool"]);
    }
    // What numpy defines on booleans works.
    assert_eq!(mask.mean("x").unwrap().values::<f64>().unwrap()[[0]], 0.5);
    assert_eq!(mask.sum("x").unwrap().values::<i64>().unwrap()[[1]], 1);
}

#[test]
fn sum_of_datetimes_is_refused() {
    let time = daily().coord("time").unwrap();
    let e = fails("sum of dates", time.sum(Dims::All));
    assert!(matches!(e, Error::UnsupportedDType { .. }), "{e:?}");
    mentions(&e, &["datetime"]);
}

#[test]
fn unknown_variable_lists_the_names_that_exist() {
    let ds = dataset();
    let all = ["t", "clim", "time", "lat", "lon"];
    let check = |what: &str, e: Error, available_names: &[&str]| {
        match &e {
            Error::UnknownVariable { name, available } => {
                assert_eq!(name, "tas", "{what}");
                assert_eq!(available, available_names, "{what}");
            }
            other => panic!("{what}: expected UnknownVariable, got {other:?}"),
        }
        mentions(&e, &["\"tas\""]);
        for n in available_names {
            mentions(&e, &[&format!("\"{n}\"")]);
        }
    };
    check("Dataset.get", fails("get", ds.get("tas")), &all);
    check(
        "Dataset.drop_vars",
        fails("drop_vars", ds.drop_vars(&["clim", "tas"])),
        &all,
    );
    let t = grid();
    check(
        "DataArray.drop_vars",
        fails("drop_vars", t.drop_vars(&["tas"])),
        &DIMS,
    );
    check("DataArray.coord", fails("coord", t.coord("tas")), &DIMS);
}

#[test]
fn sel_on_a_dimension_without_index_says_to_use_isel() {
    let t = grid().drop_vars(&["lon"]).unwrap();
    let e = fails("sel", t.sel("lon", 90.0));
    assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
    mentions(&e, &["\"lon\"", "no index", "isel", "assign_coords"]);
    let e = fails("sel_slice", t.sel_slice("lon", 90.0, 180.0));
    mentions(&e, &["\"lon\"", "no index"]);
    let ds = Dataset::from_array(&t).unwrap();
    let e = fails(
        "Dataset.sel_with",
        ds.sel_with("lon", &LabelSel::List(vec![90.0.into()])),
    );
    mentions(&e, &["\"lon\"", "no index"]);
    // Positions still work.
    assert_eq!(t.isel("lon", 1).unwrap().dims(), &["time", "lat"]);
}

#[test]
fn nearest_label_beyond_the_tolerance_names_the_nearest_one() {
    let t = grid();
    let e = fails("sel_nearest", t.sel_nearest("lat", 40.0, Some(5.0)));
    match &e {
        Error::LabelNotFound { label, dim, hint } => {
            assert_eq!((label.as_str(), dim.as_str()), ("40", "lat"));
            assert!(hint.contains("tolerance 5") && hint.contains("nearest: 60"));
        }
        other => panic!("expected LabelNotFound, got {other:?}"),
    }
    mentions(&e, &["40", "\"lat\"", "within tolerance 5", "nearest: 60"]);
    // Within the tolerance it selects.
    assert!(t.sel_nearest("lat", 40.0, Some(25.0)).is_ok());
    // Datetime tolerance is in microseconds; the nearest date is printed.
    let e = fails(
        "nearest date",
        daily().sel_nearest("time", "2000-03-15", Some(86_400_000_000.0)),
    );
    assert!(matches!(e, Error::LabelNotFound { .. }), "{e:?}");
    mentions(&e, &["\"2000-03-15\"", "tolerance", "2000-02-04"]);
}

#[test]
fn other_bad_arguments_name_what_was_written() {
    let t = grid();
    let e = fails("quantile", t.quantile(&[0.5, 1.5], "lat", None));
    assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
    mentions(&e, &["1.5", "[0, 1]"]);
    let e = fails(
        "argmin",
        t.reduce(ReduceKind::ArgMin, ["lat", "lon"], ReduceArgs::default()),
    );
    mentions(&e, &["\"lat\"", "\"lon\"", "one dimension"]);
    let e = fails("squeeze", t.squeeze("lat"));
    mentions(&e, &["\"lat\"", "length 3"]);
    let e = fails("expand_dims", t.expand_dims("lat", None));
    mentions(&e, &["\"lat\"", "already exists"]);
    let e = fails(
        "rename_dims",
        t.rename_dims(&[("depth".into(), "z".into())]),
    );
    mentions(&e, &["\"depth\"", "\"time\""]);
    let e = fails("isel_slice", t.isel_slice("lon", None, None, 0));
    mentions(&e, &["step", "zero"]);
}

#[test]
fn position_out_of_range_names_the_dimension() {
    let t = grid();
    let e = fails("isel", t.isel("lon", 7));
    assert!(matches!(e, Error::IndexOutOfBounds(_)), "{e:?}");
    mentions(&e, &["\"lon\"", "7", "5"]);
    let e = fails("isel_list", t.isel_list("lon", &[1, 9]));
    assert!(matches!(e, Error::IndexOutOfBounds(_)), "{e:?}");
    mentions(&e, &["\"lon\"", "9", "5"]);
}

#[test]
fn repeated_dimension_in_transpose_is_named() {
    let e = fails("transpose", grid().transpose(&["lat", "lat", "lon"]));
    assert!(matches!(e, Error::DuplicateDimension { .. }), "{e:?}");
    mentions(&e, &["\"lat\"", "\"time\""]);
}

#[test]
fn unknown_dimension_in_dataset_transpose_names_it() {
    let ds = dataset();
    unknown_depth(
        "Dataset.transpose",
        fails("transpose", ds.transpose(&["lat", "time", "lon", "depth"])),
    );
    unknown_depth(
        "Dataset.transpose",
        fails("transpose", ds.transpose(&["depth"])),
    );
}

#[test]
fn idxmin_on_a_bad_dimension_says_what_is_wrong() {
    let t = grid();
    unknown_depth("idxmin", fails("idxmin", t.idxmin("depth")));
    let e = fails(
        "idxmax without index",
        t.drop_vars(&["lon"]).unwrap().idxmax("lon"),
    );
    mentions(&e, &["\"lon\"", "no index"]);
}

#[test]
fn conflicting_sizes_of_a_dimension_name_it() {
    let a = DataArray::from_ndarray("a", ["x"], Array::from_elem(IxDyn(&[3]), 1.0), &[3]).unwrap();
    let b = DataArray::from_ndarray("b", ["x"], Array::from_elem(IxDyn(&[4]), 1.0), &[4]).unwrap();
    let e = fails("add", &a + &b);
    mentions(&e, &["\"x\"", "3", "4"]);
}

#[test]
fn reduction_over_a_repeated_dimension_is_refused() {
    let e = fails("mean", grid().mean(["lat", "lat"]));
    assert!(matches!(e, Error::DuplicateDimension { .. }), "{e:?}");
    mentions(&e, &["\"lat\"", "more than once"]);
}

#[test]
fn nearest_on_a_string_index_says_nearest_is_unsupported() {
    let s = grid()
        .with_coord_strings("lat", vec!["alpha".into(), "beta".into(), "gamma".into()])
        .unwrap();
    let e = fails("sel_nearest", s.sel_nearest("lat", "beta", None));
    mentions(&e, &["\"lat\"", "nearest", "string"]);
}

#[test]
fn datetime_min_max_mean_stay_dates_and_skip_nat() {
    let time = daily().coord("time").unwrap();
    let start = parse_datetime_str("2000-01-30", Calendar::NoLeap)
        .unwrap()
        .0;
    let day = 86_400_000_000i64;
    for (what, r, want) in [
        ("min", time.min(Dims::All), start),
        ("max", time.max(Dims::All), start + 5 * day),
        ("mean", time.mean(Dims::All), start + 5 * day / 2),
    ] {
        let r = r.unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(
            r.variable().encoding().get("calendar").unwrap(),
            "noleap",
            "{what}"
        );
        assert_eq!(
            r.values::<i64>().unwrap().into_raw_vec_and_offset().0,
            vec![want],
            "{what}"
        );
    }
    // NaT is skipped, as xarray skips it; all NaT gives NaT.
    let with_nat = time
        .isel_list("time", &[0, 1])
        .unwrap()
        .where_(
            &DataArray::from_ndarray(
                "keep",
                ["time"],
                Array::from_shape_vec(IxDyn(&[2]), vec![true, false]).unwrap(),
                &[2],
            )
            .unwrap(),
            Some(tessera::engine::Scalar::Int(tessera::time::NAT)),
        )
        .unwrap();
    let max = with_nat.max(Dims::All).unwrap().values::<i64>().unwrap();
    assert_eq!(max.iter().copied().collect::<Vec<_>>(), vec![start]);
    assert_eq!(
        with_nat
            .count(Dims::All)
            .unwrap()
            .values::<i64>()
            .unwrap()
            .sum(),
        1
    );
}
