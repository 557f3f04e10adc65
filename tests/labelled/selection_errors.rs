//! Selection errors in the user's words: each names what was written (the dim, the
//! method, the label and tolerance, the indexers' dims).

use ndarray::{Array, IxDyn};
use tessera::Error;
use tessera::labelled::{DataArray, InterpOptions, PadMode, PointOptions, ReindexOptions};

fn grid() -> DataArray {
    DataArray::from_ndarray(
        "t",
        ["lat", "lon"],
        Array::from_shape_fn(IxDyn(&[3, 4]), |i| (10 * i[0] + i[1]) as f64),
        &[2, 3],
    )
    .unwrap()
    .with_coord_values("lat", vec![30.0, 0.0, -30.0])
    .unwrap()
    .with_coord_values("lon", vec![0.0, 90.0, 180.0, 270.0])
    .unwrap()
}

fn message(e: Error) -> String {
    e.to_string()
}

#[test]
fn selection_errors_name_what_the_user_wrote() {
    let t = grid();
    let e = t
        .interp("depth", [1.0], &InterpOptions::linear())
        .unwrap_err();
    assert!(matches!(e, Error::UnknownDimension { .. }) && message(e).contains("depth"));
    let e = "quadratic"
        .parse::<tessera::labelled::InterpMethod>()
        .unwrap_err();
    assert!(message(e).contains("quadratic"));
    let e = "linear"
        .parse::<tessera::labelled::ReindexMethod>()
        .unwrap_err();
    assert!(message(e).contains("linear"));
    let e = "median".parse::<PadMode>().unwrap_err();
    assert!(message(e).contains("median"));
    let e = t
        .interp("lat", ["2000-01-01"], &InterpOptions::linear())
        .unwrap_err();
    assert!(message(e).contains("2000-01-01"));

    // Tolerance exceeded: the label, the dim and the tolerance are named.
    let e = t
        .select()
        .nearest("lat", 14.0)
        .tolerance(5.0)
        .run()
        .unwrap_err();
    let m = message(e);
    assert!(
        m.contains("14") && m.contains("lat") && m.contains("tolerance 5"),
        "{m}"
    );

    // Pointwise indexers over different dims.
    let ilat = DataArray::from_ndarray(
        "i",
        ["station"],
        Array::from_vec(vec![0i64, 1]).into_dyn(),
        &[2],
    )
    .unwrap();
    let ilon = DataArray::from_ndarray(
        "j",
        ["site"],
        Array::from_vec(vec![0i64, 1]).into_dyn(),
        &[2],
    )
    .unwrap();
    let e = t
        .isel_points(&[("lat", &ilat), ("lon", &ilon)])
        .unwrap_err();
    let m = message(e);
    assert!(m.contains("site") && m.contains("station"), "{m}");
    let far = DataArray::from_ndarray(
        "f",
        ["station"],
        Array::from_vec(vec![14.0, 0.0]).into_dyn(),
        &[2],
    )
    .unwrap();
    let lons = DataArray::from_ndarray(
        "g",
        ["station"],
        Array::from_vec(vec![0.0, 90.0]).into_dyn(),
        &[2],
    )
    .unwrap();
    let e = t
        .sel_points(
            &[("lat", &far), ("lon", &lons)],
            &PointOptions::nearest().tolerance(1.0),
        )
        .unwrap_err();
    assert!(matches!(e, Error::LabelNotFound { .. }) && message(e).contains("14"));
    let out = DataArray::from_ndarray(
        "o",
        ["station"],
        Array::from_vec(vec![3i64, 0]).into_dyn(),
        &[2],
    )
    .unwrap();
    let e = t.isel_points(&[("lat", &out), ("lon", &ilat)]).unwrap_err();
    assert!(matches!(e, Error::IndexOutOfBounds(_)) && message(e).contains("lat"));

    // Methods on an unsorted index, and thin by 0.
    let u = t.isel_list("lon", &[2, 0, 3, 1]).unwrap();
    let e = u
        .reindex(
            "lon",
            [45.0],
            &ReindexOptions::new().method(tessera::labelled::ReindexMethod::Ffill),
        )
        .unwrap_err();
    assert!(matches!(e, Error::NonMonotonicIndex { .. }) && message(e).contains("lon"));
    let e = t.thin(&[("lat", 0)]).unwrap_err();
    assert!(message(e).contains("lat"));
}

#[test]
fn interp_is_lazy_and_reads_neighbouring_chunks_only() {
    let t = grid();
    let i = t
        .interp("lon", [45.0, 200.0], &InterpOptions::linear())
        .unwrap();
    let plan = i.data().explain();
    assert!(plan.contains("Take"), "{plan}");
    let p = t
        .sel_points(
            &[
                (
                    "lat",
                    &DataArray::from_ndarray(
                        "a",
                        ["s"],
                        Array::from_vec(vec![0.0, -30.0]).into_dyn(),
                        &[2],
                    )
                    .unwrap(),
                ),
                (
                    "lon",
                    &DataArray::from_ndarray(
                        "b",
                        ["s"],
                        Array::from_vec(vec![90.0, 270.0]).into_dyn(),
                        &[2],
                    )
                    .unwrap(),
                ),
            ],
            &PointOptions::exact(),
        )
        .unwrap();
    assert_eq!(p.data().explain().matches("Gather").count(), 1);
    assert_eq!(
        p.values::<f64>().unwrap().as_slice().unwrap(),
        &[11.0, 23.0]
    );
}
