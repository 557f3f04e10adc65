//! Snapshots of `Display` for data arrays and datasets, laid out like xarray's repr:
//! dimensions with sizes, coordinates with dims, dtype and first/last index labels,
//! data variables with dims, dtype and chunk shape, attributes truncated to one line.
//!
//! The expected texts were written from a run and checked by eye against xarray.

use ndarray::{Array, IxDyn};
use tessera::engine::{ChunkGrid, LazyArray};
use tessera::labelled::{Attrs, DataArray, Dataset, Dims, Variable};
use tessera::time::{Calendar, parse_datetime_str};

/// Six daily times from 2000-01-01 (standard calendar).
fn time_coord() -> Variable {
    let cal = Calendar::Standard;
    let start = parse_datetime_str("2000-01-01", cal).unwrap().0;
    let days: Vec<i64> = (0..6).map(|d| start + d * 86_400_000_000).collect();
    let mut enc = Attrs::new();
    enc.insert("calendar".into(), cal.name().into());
    Variable::new(
        ["time"],
        LazyArray::from_ndarray(Array::from_shape_vec(IxDyn(&[6]), days).unwrap(), &[6]).unwrap(),
    )
    .unwrap()
    .with_encoding(enc)
}

/// tas(time: 6, lat: 5, lon: 4) in irregular chunks, with a datetime index, a
/// descending latitude, a 2-D non-index coordinate, a scalar coordinate and attributes.
fn tas() -> DataArray {
    let a = Array::from_shape_fn(IxDyn(&[6, 5, 4]), |i| {
        (100 * i[0] + 10 * i[1] + i[2]) as f32
    });
    let grid = ChunkGrid::new(vec![vec![4, 2], vec![2, 3], vec![4]]).unwrap();
    // Through a map, so that the data are lazy (an in-memory array shows its values).
    let data = LazyArray::from_data(tessera::engine::ArrayData::new(a), grid)
        .unwrap()
        .map_elements("lazy", |x: f32| x)
        .unwrap();
    let area = Variable::new(
        ["lat", "lon"],
        LazyArray::from_ndarray(
            Array::from_shape_fn(IxDyn(&[5, 4]), |i| (i[0] * 4 + i[1]) as f64),
            &[5, 4],
        )
        .unwrap(),
    )
    .unwrap();
    let height = Variable::new(
        Vec::<String>::new(),
        LazyArray::from_ndarray(Array::from_elem(IxDyn(&[]), 2.0f64), &[]).unwrap(),
    )
    .unwrap();
    let mut attrs = Attrs::new();
    attrs.insert("units".into(), "K".into());
    attrs.insert(
        "long_name".into(),
        "near-surface air temperature, daily mean, from a reanalysis on a coarse grid".into(),
    );
    attrs.insert("valid_range".into(), serde_json::json!([180, 340]));
    DataArray::from_lazy("tas", ["time", "lat", "lon"], data)
        .unwrap()
        .with_coord("time", time_coord())
        .unwrap()
        .with_coord_values("lat", vec![60.0, 30.0, 0.0, -30.0, -60.0])
        .unwrap()
        .with_coord_values("lon", vec![0.0, 90.0, 180.0, 270.0])
        .unwrap()
        .with_coord("area", area)
        .unwrap()
        .with_coord("height", height)
        .unwrap()
        .with_attrs(attrs)
}

/// A dataset of `tas` and its time mean, with attributes.
fn dataset() -> Dataset {
    let t = tas();
    let mut ds = Dataset::from_array(&t).unwrap();
    ds.insert_array(&t.mean("time").unwrap().rename("clim"))
        .unwrap();
    ds.attrs_mut().insert("title".into(), "repr test".into());
    ds.attrs_mut().insert("version".into(), 3.into());
    ds
}

/// Compares line by line, so that a failure shows the first differing line.
fn assert_repr(got: &str, want: &str) {
    for (i, (g, w)) in got.lines().zip(want.lines()).enumerate() {
        assert_eq!(g, w, "line {} differs; whole repr:\n{got}", i + 1);
    }
    assert_eq!(
        got.lines().count(),
        want.lines().count(),
        "line counts differ; whole repr:\n{got}"
    );
    assert_eq!(got, want);
}

#[test]
fn data_array_repr() {
    let want = "\
<tessera.DataArray 'tas' (time: 6, lat: 5, lon: 4)> float32 chunksize=(4, 3, 4)
Coordinates:
  * time       (time)             datetime64[ns] 2000-01-01 ... 2000-01-06
  * lat        (lat)              float64 60.0 30.0 ... -30.0 -60.0
  * lon        (lon)              float64 0.0 90.0 180.0 270.0
    area       (lat, lon)         float64
    height     ()                 float64 2.0
Attributes:
    units: K
    long_name: near-surface air temperature, daily mean, from a reanalysis on...
    valid_range: [180,340]";
    assert_repr(&tas().to_string(), want);
}

#[test]
fn dataset_repr() {
    let want = "\
<tessera.Dataset>
Dimensions:  (time: 6, lat: 5, lon: 4)
Coordinates:
  * time       (time)             datetime64[ns] 2000-01-01 ... 2000-01-06
  * lat        (lat)              float64 60.0 30.0 ... -30.0 -60.0
  * lon        (lon)              float64 0.0 90.0 180.0 270.0
    area       (lat, lon)         float64
    height     ()                 float64 2.0
Data variables:
    tas        (time, lat, lon)   float32 chunksize=(4, 3, 4)
    clim       (lat, lon)         float32 chunksize=(3, 4)
Attributes:
    title: repr test
    version: 3";
    assert_repr(&dataset().to_string(), want);
}

#[test]
fn repr_after_selection_and_reduction() {
    // One time: it becomes a scalar coordinate; lat sliced to three labels.
    let one = tas()
        .isel("time", 2)
        .unwrap()
        .sel_slice("lat", 30.0, -30.0)
        .unwrap()
        .with_attrs(Attrs::new());
    let want = "\
<tessera.DataArray 'tas' (lat: 3, lon: 4)> float32 chunksize=(2, 4)
Coordinates:
    time       ()                 datetime64[ns] 2000-01-03
  * lat        (lat)              float64 30.0 0.0 -30.0
  * lon        (lon)              float64 0.0 90.0 180.0 270.0
    area       (lat, lon)         float64
    height     ()                 float64 2.0";
    assert_repr(&one.to_string(), want);
    // Reduced over everything: only the scalar coordinate is left.
    let total = tas().sum(Dims::All).unwrap().rename("total");
    let want = "\
<tessera.DataArray 'total' ()> float32 chunksize=()
Coordinates:
    height     ()                 float64 2.0
Attributes:
    units: K
    long_name: near-surface air temperature, daily mean, from a reanalysis on...
    valid_range: [180,340]";
    assert_repr(&total.to_string(), want);
    // A dataset of one variable without coordinates or attributes.
    let plain =
        DataArray::from_ndarray("n", ["x"], Array::from_elem(IxDyn(&[5]), 1i32), &[2]).unwrap();
    assert_repr(
        &plain.to_string(),
        "<tessera.DataArray 'n' (x: 5)> int32 chunksize=(2,)\narray([1, 1, 1, 1, 1])",
    );
    assert_repr(
        &Dataset::from_array(&plain).unwrap().to_string(),
        "\
<tessera.Dataset>
Dimensions:  (x: 5)
Data variables:
    n          (x)                int32 chunksize=(2,)",
    );
}

#[test]
fn datetime_coordinates_show_as_dates() {
    let text = tas().to_string();
    let line = text
        .lines()
        .find(|l| l.contains("* time"))
        .expect("a time line");
    assert!(line.contains("datetime64"), "{line}");
    assert!(
        line.contains("2000-01-01") && line.contains("2000-01-06"),
        "{line}"
    );
    let one = tas().isel("time", 2).unwrap().to_string();
    let line = one
        .lines()
        .find(|l| l.contains("time"))
        .expect("a time line");
    assert!(
        line.contains("datetime64") && line.contains("2000-01-03"),
        "{line}"
    );
}

#[test]
fn computed_arrays_show_their_values_and_times_their_kind() {
    use tessera::labelled::Positions;
    use tessera::time::DateRange;
    // A computed (persisted) array shows its values; past 200, the first and last three.
    let t = tas().persist().unwrap();
    let text = t.to_string();
    let second = text.lines().nth(1).unwrap();
    assert!(
        second.starts_with("array([[[0.0, 1.0, 2.0, 3.0],"),
        "{text}"
    );
    let long = DataArray::from_ndarray(
        "x",
        ["i"],
        Array::from_shape_fn(IxDyn(&[300]), |i| i[0] as f64 * 0.5),
        &[100],
    )
    .unwrap();
    assert_repr(
        &long.to_string(),
        "<tessera.DataArray 'x' (i: 300)> float64 chunksize=(100,)\n\
         array([0.0, 0.5, 1.0, ..., 148.5, 149.0, 149.5])",
    );
    // cftime calendars are `object`, as in xarray; values of a time array are dates.
    let noleap = DateRange::new()
        .start("2001-02-27")
        .periods(3)
        .calendar("noleap")
        .to_dataarray("time")
        .unwrap();
    assert_repr(
        &noleap.to_string(),
        "<tessera.DataArray 'time' (time: 3)> object chunksize=(3,)\n\
         array(['2001-02-27', '2001-02-28', '2001-03-01'])\n\
         Coordinates:\n\
         \x20 * time       (time)             object 2001-02-27 2001-02-28 2001-03-01",
    );
    // Timedeltas are timedelta64[ns], shown as pandas shows them.
    let first = noleap.isel_positions("time", &Positions::At(0)).unwrap();
    let dt = noleap.sub_time(&first).unwrap();
    let text = dt.to_string();
    assert!(
        text.starts_with("<tessera.DataArray 'time' (time: 3)> timedelta64[ns]"),
        "{text}"
    );
    let lazy_dt = dt.as_timedelta().unwrap().to_string();
    assert!(lazy_dt.contains("timedelta64[ns]"), "{lazy_dt}");
    let mut ds = Dataset::new();
    ds.insert_coord(
        "lead",
        dt.persist()
            .unwrap()
            .variable()
            .clone()
            .rename_dims(&[("time".into(), "lead".into())]),
    )
    .unwrap();
    let text = ds.to_string();
    assert!(
        text.contains("* lead       (lead)             timedelta64[ns] 0 days 1 days 2 days"),
        "{text}"
    );
}
