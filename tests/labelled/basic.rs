//! Hand-checked behaviour of the labelled layer (the xarray golden suite is separate).

use ndarray::{Array, IxDyn};
use tessera::Error;
use tessera::labelled::{DataArray, Dataset, Dims, Join};

fn grid() -> DataArray {
    // t(time, lat, lon) = 100*time + 10*lat_index + lon_index, one NaN.
    let mut a = Array::from_shape_fn(IxDyn(&[4, 3, 5]), |i| {
        (100 * i[0] + 10 * i[1] + i[2]) as f64
    });
    a[[1, 1, 1]] = f64::NAN;
    DataArray::from_ndarray("t", ["time", "lat", "lon"], a, &[3, 2, 5])
        .unwrap()
        .with_coord_values("time", vec![0.0, 1.0, 2.0, 3.0])
        .unwrap()
        .with_coord_values("lat", vec![60.0, 0.0, -60.0])
        .unwrap()
        .with_coord_values("lon", vec![0.0, 90.0, 180.0, 270.0, 360.0])
        .unwrap()
}

#[test]
fn sel_on_descending_latitude_and_nearest() {
    let t = grid();
    let s = t.sel_slice("lat", 30.0, -60.0).unwrap();
    assert_eq!(s.shape(), &[4, 2, 5]);
    assert_eq!(s.coords().values_f64("lat").unwrap(), vec![0.0, -60.0]);
    let n = t.sel_nearest("lon", 100.0, Some(20.0)).unwrap();
    assert_eq!(n.dims(), &["time", "lat"]);
    assert_eq!(n.values::<f64>().unwrap()[[2, 0]], 201.0);
    let e = t
        .sel_nearest("lon", 140.0, Some(20.0))
        .unwrap_err()
        .to_string();
    assert!(e.contains("lon") && e.contains("140"), "{e}");
    let e = t.sel("depth", 1.0).unwrap_err();
    assert!(matches!(e, Error::UnknownDimension { .. }), "{e}");
}

#[test]
fn reductions_drop_reduced_coords_and_skip_nan() {
    let t = grid();
    let m = t.mean(["lat", "lon"]).unwrap();
    assert_eq!(m.dims(), &["time"]);
    assert!(m.coords().get("lat").is_none() && m.coords().get("time").is_some());
    let v = m.values::<f64>().unwrap();
    // time 1 has one NaN at (lat 1, lon 1) = 111: mean of the other 14 values.
    let want1 = ((0..3)
        .flat_map(|j| (0..5).map(move |k| 100 + 10 * j + k))
        .sum::<usize>()
        - 111) as f64
        / 14.0;
    assert!((v[[1]] - want1).abs() < 1e-12, "{} {}", v[[1]], want1);
    assert!(matches!(
        t.mean("depth").unwrap_err(),
        Error::UnknownDimension { .. }
    ));
}

#[test]
fn arithmetic_aligns_and_broadcasts_by_name() {
    let t = grid();
    let w = DataArray::from_ndarray(
        "w",
        ["lon"],
        Array::from_shape_fn(IxDyn(&[3]), |i| i[0] as f64 + 1.0),
        &[3],
    )
    .unwrap()
    .with_coord_values("lon", vec![90.0, 180.0, 999.0])
    .unwrap();
    let p = (&t * &w).unwrap();
    // Inner join on lon: 90 and 180 remain.
    assert_eq!(p.dims(), &["time", "lat", "lon"]);
    assert_eq!(p.shape(), &[4, 3, 2]);
    let v = p.values::<f64>().unwrap();
    assert_eq!(v[[2, 0, 1]], 202.0 * 2.0);
    let (a, b) = tessera::labelled::align_pair(&t, &w, Join::Outer).unwrap();
    assert_eq!(a.shape(), &[4, 3, 6]);
    assert_eq!(
        b.coords().values_f64("lon").unwrap(),
        vec![0.0, 90.0, 180.0, 270.0, 360.0, 999.0]
    );
    assert!(b.values::<f64>().unwrap()[[0]].is_nan());
    assert!(tessera::labelled::align_pair(&t, &w, Join::Exact).is_err());
}

#[test]
fn weighted_mean_leaves_missing_values_out_of_the_denominator() {
    let t = grid().isel("time", 1).unwrap();
    let w = DataArray::from_ndarray(
        "w",
        ["lat"],
        Array::from_shape_vec(IxDyn(&[3]), vec![1.0, 2.0, 1.0]).unwrap(),
        &[3],
    )
    .unwrap()
    .with_coord_values("lat", vec![60.0, 0.0, -60.0])
    .unwrap();
    let m = t
        .weighted(&w)
        .unwrap()
        .mean(["lat", "lon"])
        .unwrap()
        .values::<f64>()
        .unwrap()[[]];
    let mut num = 0.0;
    let mut den = 0.0;
    for (j, wj) in [1.0, 2.0, 1.0].iter().enumerate() {
        for k in 0..5 {
            if (j, k) != (1, 1) {
                num += wj * (100 + 10 * j + k) as f64;
                den += wj;
            }
        }
    }
    assert!((m - num / den).abs() < 1e-12, "{m} {}", num / den);
    let bad = w
        .binary_scalar(tessera::engine::BinaryOp::Div, 0.0, true)
        .unwrap();
    let nan_w = bad
        .where_(
            &w.binary_scalar(tessera::engine::BinaryOp::Gt, 1.5, false)
                .unwrap(),
            None,
        )
        .unwrap();
    assert!(t.weighted(&nan_w).is_err());
}

#[test]
fn datasets_select_every_variable_and_print_like_xarray() {
    let t = grid();
    let mut ds = Dataset::new();
    ds.insert_array(&t).unwrap();
    ds.insert_array(&t.mean("time").unwrap().rename("clim"))
        .unwrap();
    ds.attrs_mut().insert("title".into(), "test".into());
    let s = ds.sel_slice("lat", 60.0, 0.0).unwrap();
    assert_eq!(s.dim_len("lat"), Some(2));
    assert_eq!(s.get("clim").unwrap().shape(), &[2, 5]);
    let text = ds.to_string();
    assert!(
        text.contains("Dimensions:  (time: 4, lat: 3, lon: 5)"),
        "{text}"
    );
    assert!(text.contains("* lat"), "{text}");
    assert!(text.contains("60.0 0.0 -60.0"), "{text}");
    assert!(text.contains("clim       (lat, lon)"), "{text}");
    assert!(text.contains("title: test"), "{text}");
    let one = t.to_string();
    assert!(
        one.starts_with(
            "<tessera.DataArray 't' (time: 4, lat: 3, lon: 5)> float64 chunksize=(3, 2, 5)"
        ),
        "{one}"
    );
    assert!(matches!(ds.get("nope"), Err(Error::UnknownVariable { .. })));
    let _ = Dims::All;
}

/// Stations with a string index and a string-valued non-index coordinate.
fn stations(names: &[&str], regions: &[&str], offset: f64) -> DataArray {
    let n = names.len();
    let region = tessera::labelled::Variable::from_strings(
        ["station"],
        &[n],
        regions.iter().map(|s| s.to_string()).collect(),
        &[n],
    )
    .unwrap();
    DataArray::from_ndarray(
        "obs",
        ["station"],
        Array::from_shape_fn(IxDyn(&[n]), |i| offset + i[0] as f64),
        &[2],
    )
    .unwrap()
    .with_coord_strings("station", names.iter().map(|s| s.to_string()).collect())
    .unwrap()
    .with_coord("region", region)
    .unwrap()
}

#[test]
fn string_coordinates_survive_selection_concat_and_idxmin() {
    let a = stations(&["a", "b", "c"], &["north", "south", "north"], 5.0);
    // A scalar string coordinate after selecting one station.
    let one = a.sel("station", "c").unwrap();
    assert_eq!(
        one.coord("station")
            .unwrap()
            .variable()
            .strings()
            .unwrap()
            .into_raw_vec_and_offset()
            .0,
        ["c"]
    );
    assert_eq!(
        one.coord("region")
            .unwrap()
            .variable()
            .strings()
            .unwrap()
            .into_raw_vec_and_offset()
            .0,
        ["north"]
    );
    // Concat re-codes string tables that differ.
    let b = stations(&["d", "e"], &["tropics", "south"], 0.0);
    let both = tessera::labelled::concat(&[&a, &b], "station", Join::Outer).unwrap();
    let regions = both.coord("region").unwrap().variable().strings().unwrap();
    assert_eq!(
        regions.into_raw_vec_and_offset().0,
        ["north", "south", "north", "tropics", "south"]
    );
    // idxmin gives the station's name.
    let lowest = both.idxmin("station").unwrap();
    assert_eq!(
        lowest
            .variable()
            .strings()
            .unwrap()
            .into_raw_vec_and_offset()
            .0,
        ["d"]
    );
    assert!(
        format!("{both}").contains("region     (station)          <U7"),
        "{both}"
    );
}
