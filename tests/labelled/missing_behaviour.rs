//! Hand-checked behaviour of the elementwise ergonomics and exports that the golden
//! suite does not reach: values out (`item`, `to_vec`), the errors of `!` and `&` on
//! non-booleans, operators in both orders, `to_csv` to a file, an unnamed array
//! written to Zarr, and `stack` keeping the engine graph lazy.

use ndarray::{ArrayD, IxDyn};
use tessera::Error;
#[cfg(feature = "zarr")]
use tessera::io::{UNNAMED_VARIABLE, WriteMode, WriteOptions};
use tessera::labelled::{DataArray, Dataset, How};

fn series(name: &str, values: Vec<f64>) -> DataArray {
    let n = values.len();
    DataArray::from_ndarray(
        name,
        ["t"],
        ArrayD::from_shape_vec(IxDyn(&[n]), values).unwrap(),
        &[2],
    )
    .unwrap()
    .with_coord_values("t", (0..n).map(|i| i as f64 * 10.0).collect())
    .unwrap()
}

#[test]
fn values_come_out_or_the_error_names_the_shape() {
    let a = series("a", vec![1.0, 2.0, 4.0]);
    assert_eq!(a.to_vec::<f64>().unwrap(), vec![1.0, 2.0, 4.0]);
    assert_eq!(a.to_vec::<i32>().unwrap(), vec![1, 2, 4]);
    assert_eq!(a.isel("t", -1).unwrap().item::<f64>().unwrap(), 4.0);
    let e = a.item::<f64>().unwrap_err().to_string();
    assert!(
        e.contains("\"a\"") && e.contains("[3]") && e.contains('3'),
        "{e}"
    );
    let e = a
        .isel("t", 0)
        .unwrap()
        .to_vec::<f64>()
        .unwrap_err()
        .to_string();
    assert!(e.contains("0 dimensions"), "{e}");
}

#[test]
fn logic_needs_booleans_and_operators_work_both_ways() {
    let a = series("a", vec![1.0, f64::NAN, 3.0]);
    let e = (!&a).unwrap_err();
    assert!(matches!(e, Error::UnsupportedDType { .. }), "{e}");
    let m = a.gt(1.5).unwrap();
    assert!((&m & &a).is_err());
    assert_eq!(
        (!&m).unwrap().to_vec::<bool>().unwrap(),
        [true, true, false]
    );
    assert_eq!((&m ^ &m).unwrap().to_vec::<bool>().unwrap(), [false; 3]);
    let half = (0.5 * &a).unwrap().to_vec::<f64>().unwrap();
    assert_eq!((half[0], half[2]), (0.5, 1.5));
    assert_eq!((-&a).unwrap().to_vec::<f64>().unwrap()[2], -3.0);
    let ds = Dataset::from_array(&a).unwrap();
    let d = (2.0 - &ds).unwrap();
    assert_eq!(d.get("a").unwrap().to_vec::<f64>().unwrap()[2], -1.0);
    let d = (&ds * &a).unwrap();
    assert_eq!(d.get("a").unwrap().to_vec::<f64>().unwrap()[2], 9.0);
    assert!(a.clip(None, None).is_err());
    assert!(a.deg2rad().unwrap().cos().unwrap().to_vec::<f64>().unwrap()[0] < 1.0);
}

#[test]
fn csv_goes_to_a_file() {
    let a = series("sla", vec![0.1, f64::NAN, 1e-5]);
    let path = std::env::temp_dir().join("tessera-missing-behaviour.csv");
    a.to_csv(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(text, "t,sla\n0.0,0.1\n10.0,\n20.0,1e-05\n");
    let rows = a.to_rows().unwrap();
    assert_eq!(
        (rows.columns.len(), rows.n_index, rows.rows.len()),
        (2, 1, 3)
    );
}

#[test]
#[cfg(feature = "zarr")]
fn an_unnamed_array_is_refused_by_zarr_and_a_named_one_written_unwrapped() {
    let a = series("sla", vec![0.1, f64::NAN, 1e-5]);
    let unnamed = (&a * 1.0).unwrap();
    let unnamed =
        DataArray::new(None, unnamed.variable().clone(), unnamed.coords().clone()).unwrap();
    assert!(unnamed.to_rows().is_err());
    // xarray's name for an unnamed array starts with the `__` Zarr reserves: refused,
    // named in the message, before anything is written.
    let e = unnamed
        .to_zarr(
            "memory://missing-unnamed",
            &WriteOptions::mode(WriteMode::Overwrite),
        )
        .unwrap_err();
    assert!(
        e.to_string().contains(UNNAMED_VARIABLE) && e.to_string().contains("rename"),
        "{e}"
    );
    assert!(tessera::open_zarr("memory://missing-unnamed").is_err());
    // A named array needs no wrapping either.
    a.to_zarr(
        "memory://missing-named",
        &WriteOptions::mode(WriteMode::Overwrite),
    )
    .unwrap();
    let back = tessera::open_zarr("memory://missing-named").unwrap();
    assert_eq!(back.get("sla").unwrap().values::<f64>().unwrap()[[2]], 1e-5);
}

#[test]
fn dropna_and_stack_edges() {
    let a = series("a", vec![f64::NAN, f64::NAN, 3.0, f64::NAN]);
    assert_eq!(a.dropna("t", How::Any, None).unwrap().shape(), &[1]);
    assert_eq!(a.dropna("t", How::All, Some(0)).unwrap().shape(), &[4]);
    assert!(a.dropna("x", How::Any, None).is_err());
    // Stacking a dim without coordinate stacks its positions; the plan stays lazy.
    let b = DataArray::from_ndarray(
        "b",
        ["y", "x"],
        ArrayD::from_shape_vec(IxDyn(&[2, 3]), (0..6).map(f64::from).collect()).unwrap(),
        &[1, 2],
    )
    .unwrap();
    let s = b.stack("z", &["y", "x"]).unwrap();
    assert_eq!(
        s.coord("x").unwrap().to_vec::<i64>().unwrap(),
        [0, 1, 2, 0, 1, 2]
    );
    assert!(
        s.data().graph_size() > 1,
        "stack builds a graph, it computes nothing"
    );
    assert!(b.stack("y", &["x"]).is_err());
    assert!(b.stack("z", &[]).is_err());
    let back = s.unstack("z").unwrap();
    assert_eq!(back.values::<f64>().unwrap(), b.values::<f64>().unwrap());
}

#[test]
fn fills_are_scans_in_the_plan_not_computed_data() {
    let nan = f64::NAN;
    let a = series("a", vec![nan, 1.0, nan, nan, 4.0, nan, nan]);
    for plan in [
        a.ffill("t", None).unwrap().data().explain(),
        a.bfill("t", Some(1)).unwrap().data().explain(),
        a.interpolate_na("t", &tessera::labelled::InterpolateNa::linear())
            .unwrap()
            .data()
            .explain(),
    ] {
        assert!(plan.contains("Scan(FFill"), "{plan}");
    }
    let y = a
        .interpolate_na("t", &tessera::labelled::InterpolateNa::linear().limit(1))
        .unwrap()
        .to_vec::<f64>()
        .unwrap();
    assert!(
        y[0].is_nan() && y[3].is_nan() && y[5].is_nan() && y[6].is_nan(),
        "{y:?}"
    );
    assert_eq!((y[1], y[2], y[4]), (1.0, 2.0, 4.0));
}

#[cfg(feature = "netcdf")]
#[test]
fn an_array_goes_to_netcdf_unwrapped_and_unnamed_under_xarrays_name() {
    use tessera::io::NetcdfWriteOptions;
    let a = series("sla", vec![0.5, f64::NAN, 2.0]);
    let dir = std::env::temp_dir();
    let named = dir.join("tessera-missing-named.nc");
    a.to_netcdf(&named, &NetcdfWriteOptions::default()).unwrap();
    let back = tessera::open_netcdf(&named).unwrap();
    assert_eq!(back.get("sla").unwrap().to_vec::<f64>().unwrap()[2], 2.0);
    let unnamed = DataArray::new(None, a.variable().clone(), a.coords().clone()).unwrap();
    let path = dir.join("tessera-missing-unnamed.nc");
    unnamed
        .to_netcdf(&path, &NetcdfWriteOptions::default())
        .unwrap();
    let back = tessera::open_netcdf(&path).unwrap();
    assert_eq!(back.data_var_names(), [UNNAMED_VARIABLE]);
    std::fs::remove_file(named).unwrap();
    std::fs::remove_file(path).unwrap();
}
