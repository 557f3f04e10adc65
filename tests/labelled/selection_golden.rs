//! Selection, alignment and interpolation against xarray (`scripts/golden_selection.py`):
//! interp (linear and nearest, descending and datetime coordinates, noleap cftime,
//! fill values and extrapolation), interp_like, reindex with methods and tolerance,
//! roll, pad, sortby, head/tail/thin, stepped isel, drop_sel, multi-dim sel, and
//! xarray's errors by kind.

use std::collections::BTreeMap;

use crate::support::golden;

use serde_json::Value;
use tessera::Error;
use tessera::engine::Scalar;
use tessera::labelled::{
    Coords, DataArray, Dataset, InterpMethod, InterpOptions, Label, PadMode, PointOptions,
    ReindexOptions,
};

use golden::Outcome as Obj;

fn label(v: &Value) -> Label {
    match v {
        Value::String(s) => Label::Str(s.clone()),
        other => Label::Num(other.as_f64().expect("a number or a date")),
    }
}

fn labels(v: &Value) -> Vec<Label> {
    v.as_array().expect("a list").iter().map(label).collect()
}

fn interp_options(args: &Value) -> tessera::Result<InterpOptions> {
    let method: InterpMethod = args["method"].as_str().unwrap().parse()?;
    let opts = InterpOptions::default().method(method);
    Ok(match &args["fill"] {
        Value::Null => opts,
        Value::String(s) if s == "extrapolate" => opts.extrapolate(),
        v => opts.fill_value(v.as_f64().unwrap()),
    })
}

fn like_coords(like: &Value) -> Coords {
    let mut coords = Coords::new();
    for (dim, values) in like.as_object().unwrap() {
        let v: Vec<f64> = values
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        let a = DataArray::from_ndarray(
            "like",
            [dim.as_str()],
            ndarray::Array::from_vec(v.clone()).into_dyn(),
            &[v.len()],
        )
        .unwrap()
        .with_coord_values(dim, v)
        .unwrap();
        let c = a.coords().get(dim).unwrap();
        coords.insert_with_index(dim.clone(), c.var.clone(), c.index.clone());
    }
    coords
}

/// Applies a case to a data array or a dataset (the same calls exist on both).
macro_rules! apply {
    ($obj:expr, $case:expr) => {{
        let args = &$case["args"];
        match $case["op"].as_str().unwrap() {
            "interp" => {
                let opts = interp_options(args)?;
                let targets: Vec<(String, Vec<Label>)> = args["coords"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(d, v)| (d.clone(), labels(v)))
                    .collect();
                let refs: Vec<(&str, Vec<Label>)> =
                    targets.iter().map(|(d, l)| (d.as_str(), l.clone())).collect();
                match args.get("prefill").and_then(Value::as_f64) {
                    Some(v) => $obj.fillna(v)?.interp_many(&refs, &opts),
                    None => $obj.interp_many(&refs, &opts),
                }
            }
            "interp_like" => {
                let opts = interp_options(&serde_json::json!({"method": args["method"], "fill": null}))?;
                $obj.interp_like(&like_coords(&args["like"]), &opts)
            }
            "reindex" => {
                let mut opts = ReindexOptions::new();
                if let Some(m) = args["method"].as_str() {
                    opts = opts.method(m.parse()?);
                }
                if let Some(t) = args["tolerance"].as_f64() {
                    opts = opts.tolerance(t);
                }
                if let Some(v) = scalar(&args["fill_value"]) {
                    opts = opts.fill_value(v);
                }
                $obj.reindex(args["dim"].as_str().unwrap(), labels(&args["labels"]), &opts)
            }
            "reindex_like" => {
                let mut opts = ReindexOptions::new();
                if let Some(m) = args["method"].as_str() {
                    opts = opts.method(m.parse()?);
                }
                $obj.reindex_like(&like_coords(&args["like"]), &opts)
            }
            "roll" => {
                let shifts = pairs(&args["shifts"]);
                let refs: Vec<(&str, isize)> = shifts.iter().map(|(d, n)| (d.as_str(), *n as isize)).collect();
                $obj.roll(&refs, args["roll_coords"].as_bool().unwrap())
            }
            "pad" => {
                let mut mode: PadMode = args["mode"].as_str().unwrap().parse()?;
                if let (PadMode::Constant(_), Some(v)) = (mode, scalar(&args["constant"])) {
                    mode = PadMode::Constant(Some(v));
                }
                let widths: Vec<(String, usize, usize)> = args["widths"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(d, w)| (d.clone(), w[0].as_u64().unwrap() as usize, w[1].as_u64().unwrap() as usize))
                    .collect();
                let refs: Vec<(&str, usize, usize)> = widths.iter().map(|(d, a, b)| (d.as_str(), *a, *b)).collect();
                $obj.pad(&refs, mode)
            }
            "sortby" => {
                let by: Vec<&str> = args["by"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
                $obj.sortby(&by, args["ascending"].as_bool().unwrap())
            }
            op @ ("head" | "tail" | "thin") => {
                let dims = pairs(&args["dims"]);
                let refs: Vec<(&str, usize)> = dims.iter().map(|(d, n)| (d.as_str(), *n as usize)).collect();
                match op {
                    "head" => $obj.head(&refs),
                    "tail" => $obj.tail(&refs),
                    _ => $obj.thin(&refs),
                }
            }
            "isel" => $obj.isel_slice(
                args["dim"].as_str().unwrap(),
                args["start"].as_i64().map(|v| v as isize),
                args["stop"].as_i64().map(|v| v as isize),
                args["step"].as_i64().unwrap_or(1) as isize,
            ),
            "drop_sel" => $obj.drop_sel(args["dim"].as_str().unwrap(), labels(&args["labels"])),
            "sel_nearest" => {
                let mut s = $obj.select();
                for (d, v) in args["points"].as_object().unwrap() {
                    s = s.nearest(d, label(v));
                }
                if let Some(t) = args["tolerance"].as_f64() {
                    s = s.tolerance(t);
                }
                s.run()
            }
            "sel_slices" => {
                let slices: Vec<(String, Label, Label)> = args["slices"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(d, v)| (d.clone(), label(&v[0]), label(&v[1])))
                    .collect();
                $obj.sel_slices(slices.iter().map(|(d, a, b)| (d.as_str(), a.clone(), b.clone())))
            }
            other => panic!("unknown op {other}"),
        }
    }};
}

/// A JSON number as xarray sees it: an integer stays an integer.
fn scalar(v: &Value) -> Option<Scalar> {
    v.as_i64()
        .map(Scalar::Int)
        .or_else(|| v.as_f64().map(Scalar::Float))
}

fn pairs(v: &Value) -> Vec<(String, i64)> {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(d, n)| (d.clone(), n.as_i64().unwrap()))
        .collect()
}

/// Rolls lon with its coordinate and relabels it to -180..180 (the classic
/// 0..360 to -180..180 move).
fn roll_to_180(da: &DataArray, shift: isize) -> tessera::Result<DataArray> {
    let r = da.roll(&[("lon", shift)], true)?;
    let lon: Vec<f64> = r
        .coord("lon")?
        .values::<f64>()?
        .iter()
        .map(|&l| (l + 180.0).rem_euclid(360.0) - 180.0)
        .collect();
    let old = r.coords().get("lon").unwrap().var.clone();
    let n = lon.len();
    let var = old.with_data(tessera::engine::LazyArray::from_ndarray(
        ndarray::Array::from_vec(lon).into_dyn(),
        &[n],
    )?)?;
    r.assign_coords(vec![("lon", var)])
}

/// The pointwise calls, on a data array or a dataset.
trait Points: Sized {
    fn isel_points(&self, ix: &[(&str, &DataArray)]) -> tessera::Result<Self>;
    fn sel_points(&self, ix: &[(&str, &DataArray)], o: &PointOptions) -> tessera::Result<Self>;
    fn interp_points(&self, ix: &[(&str, &DataArray)], o: &InterpOptions) -> tessera::Result<Self>;
}

macro_rules! points_impl {
    ($t:ty) => {
        impl Points for $t {
            fn isel_points(&self, ix: &[(&str, &DataArray)]) -> tessera::Result<Self> {
                <$t>::isel_points(self, ix)
            }
            fn sel_points(
                &self,
                ix: &[(&str, &DataArray)],
                o: &PointOptions,
            ) -> tessera::Result<Self> {
                <$t>::sel_points(self, ix, o)
            }
            fn interp_points(
                &self,
                ix: &[(&str, &DataArray)],
                o: &InterpOptions,
            ) -> tessera::Result<Self> {
                <$t>::interp_points(self, ix, o)
            }
        }
    };
}
points_impl!(DataArray);
points_impl!(Dataset);

/// Applies a pointwise case: one 1-D indexer per dim over the shared new dim.
fn points<T: Points>(da: &T, args: &Value) -> tessera::Result<T> {
    let dim = args["dim"].as_str().unwrap();
    let mut indexers = vec![];
    for (d, v) in args["points"].as_object().unwrap() {
        let values: Vec<f64> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        let n = values.len();
        let mut ix = if args["by"] == "isel" {
            let ints: Vec<i64> = values.iter().map(|&x| x as i64).collect();
            DataArray::from_ndarray(d, [dim], ndarray::Array::from_vec(ints).into_dyn(), &[n])?
        } else {
            DataArray::from_ndarray(d, [dim], ndarray::Array::from_vec(values).into_dyn(), &[n])?
        };
        if let Some(labels) = args["labels"].as_array() {
            let labels = labels
                .iter()
                .map(|l| l.as_str().unwrap().to_string())
                .collect();
            ix = ix.with_coord_strings(dim, labels)?;
        }
        indexers.push((d.clone(), ix));
    }
    let refs: Vec<(&str, &DataArray)> = indexers.iter().map(|(d, a)| (d.as_str(), a)).collect();
    if args["by"] == "isel" {
        return da.isel_points(&refs);
    }
    if args["by"] == "interp" {
        let opts = InterpOptions::default().method(args["method"].as_str().unwrap().parse()?);
        return da.interp_points(&refs, &opts);
    }
    let mut opts = match args["method"].as_str() {
        Some("nearest") => PointOptions::nearest(),
        _ => PointOptions::exact(),
    };
    if let Some(t) = args["tolerance"].as_f64() {
        opts = opts.tolerance(t);
    }
    da.sel_points(&refs, &opts)
}

fn run(sets: &BTreeMap<String, Dataset>, case: &Value) -> tessera::Result<Obj> {
    let ds = &sets[case["dataset"].as_str().unwrap()];
    match case["target"].as_str() {
        Some(name) if case["op"] == "roll_to_180" => Ok(Obj::Array(roll_to_180(
            &ds.get(name)?,
            case["args"]["shift"].as_i64().unwrap() as isize,
        )?)),
        Some(name) if case["op"] == "points" => {
            Ok(Obj::Array(points(&ds.get(name)?, &case["args"])?))
        }
        Some(name) => {
            let da = ds.get(name)?;
            Ok(Obj::Array(apply!(da, case)?))
        }
        None if case["op"] == "points" => Ok(Obj::Set(points(ds, &case["args"])?)),
        None => Ok(Obj::Set(apply!(ds, case)?)),
    }
}

/// Which tessera errors answer which xarray exception.
fn same_kind(xarray: &str, e: &Error) -> bool {
    match xarray {
        "ValueError" => matches!(
            e,
            Error::UnknownDimension { .. }
                | Error::InvalidArgument(_)
                | Error::NonMonotonicIndex { .. }
        ),
        "KeyError" => matches!(
            e,
            Error::LabelNotFound { .. } | Error::UnknownVariable { .. }
        ),
        "IndexError" => matches!(e, Error::IndexOutOfBounds(_)),
        "TypeError" => matches!(e, Error::InvalidArgument(_) | Error::NotNumeric { .. }),
        _ => false,
    }
}

#[test]
fn selection_matches_xarray() {
    let fx = golden::read_fixture(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data-fixtures/golden/selection/cases.json"
    ));
    let sets = golden::datasets(&fx);
    let cases = fx["cases"].as_array().unwrap();
    golden::replay(cases, |case| run(&sets, case), same_kind, |_, _| true);
}
